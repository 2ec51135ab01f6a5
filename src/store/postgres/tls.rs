//! TLS to PostgreSQL: libpq's `sslmode` and `sslrootcert`, over rustls.
//!
//! The URL names the mode as libpq does (`?sslmode=verify-full&sslrootcert=/etc/warden/ca.pem`).
//! tokio-postgres' own parser knows only `disable`, `prefer` and `require` and no
//! `sslrootcert`, so [`configure`] takes the TLS parameters out of the URL first, hands the
//! rest to tokio-postgres, and builds the connector ([`Tls`]) that every connection of the
//! back end uses: the pool's, the migration's and the revision listener's.
//!
//! The modes, as libpq means them (PostgreSQL's "SSL Support" chapter, table "SSL Mode
//! Descriptions"):
//! - `disable`: never TLS.
//! - `prefer` (libpq's default, and warden's): TLS when the server offers it, else plain; the
//!   certificate is not checked, unless `sslrootcert` names a file (then its chain is, as
//!   libpq does whenever it has a root file; a failed check does not fall back to plain).
//! - `require`: TLS or no connection; the certificate is not checked, unless `sslrootcert`
//!   names a file, in which case the chain is checked as `verify-ca` does (libpq's rule, kept
//!   for compatibility with scripts written for psql).
//! - `verify-ca`: TLS, and the server's chain must lead to a trusted root; the host name is not
//!   compared with the certificate.
//! - `verify-full`: `verify-ca`, and the certificate must name the host connected to.
//!
//! The trusted roots are the PEM file `sslrootcert` names, or the system's (`sslrootcert=system`
//! as in libpq 16, or no `sslrootcert` at all). The last is where warden differs from libpq,
//! which then reads `~/.postgresql/root.crt`: a service has no meaningful home directory.
//!
//! Attack answered: an active attacker between a replica and the database (a spoofed DNS name,
//! a hijacked route) who poses as the server sees every password hash, refresh token hash and
//! signing key the replica reads and can change its answers. Only `verify-full` stops that;
//! `prefer` and `require` stop a passive eavesdropper only, so warden warns when it uses them
//! over a network ([`Tls::unverified_warning`]). Channel binding (SCRAM-SHA-256-PLUS, with
//! `tls-server-end-point` of RFC 5929) is offered on every TLS connection, so with password
//! authentication even an unverified connection cannot be relayed by a man in the middle.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_postgres::config::Host;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};

/// One of libpq's five `sslmode` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    /// Every value, for the message that refuses another.
    const ALLOWED: &'static str = "disable, prefer, require, verify-ca or verify-full";

    /// The mode a URL names; another value is refused, naming the five.
    fn parse(value: &str) -> Result<SslMode, String> {
        Ok(match value {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(format!(
                    "sslmode={other} is not a TLS mode: use {}",
                    SslMode::ALLOWED
                ))
            }
        })
    }

    /// The name as written in a URL.
    pub(super) fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// Where the certificates that may sign the server's chain come from.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Roots {
    /// A PEM file of one or more CA certificates (`sslrootcert=PATH`).
    File(PathBuf),
    /// The operating system's store (`sslrootcert=system`, or none given).
    System,
}

impl Roots {
    /// How messages name them.
    fn describe(&self) -> String {
        match self {
            Roots::File(path) => format!("sslrootcert {}", path.display()),
            Roots::System => "the system's root certificates".to_owned(),
        }
    }
}

/// The TLS parameters taken out of a URL, and the URL without them.
#[derive(Debug, PartialEq, Eq)]
struct Split {
    mode: Option<SslMode>,
    roots: Option<Roots>,
    rest: String,
}

/// Client-certificate and revocation parameters libpq knows but warden does not implement:
/// refused by name rather than left to tokio-postgres' "unknown option".
const UNSUPPORTED: &[&str] = &["sslcert", "sslkey", "sslpassword", "sslcrl", "sslcrldir"];

/// Take `sslmode` and `sslrootcert` out of `url`'s query (percent-decoded, as libpq reads
/// them), keeping every other parameter as written.
fn split(url: &str) -> Result<Split, String> {
    // The query starts at the first `?` after the credentials, as tokio-postgres reads a URL
    // (it takes everything up to the first `@` as user and password).
    let after_credentials = url.find('@').map_or(0, |at| at + 1);
    let Some(mark) = url[after_credentials..]
        .find('?')
        .map(|i| after_credentials + i)
    else {
        return Ok(Split {
            mode: None,
            roots: None,
            rest: url.to_owned(),
        });
    };
    let (base, query) = (&url[..mark], &url[mark + 1..]);
    let mut mode = None;
    let mut roots = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(raw_key)?;
        match key.as_str() {
            "sslmode" => {
                let value = SslMode::parse(&decode(raw_value)?)?;
                once(&mut mode, value, "sslmode")?;
            }
            "sslrootcert" => {
                let value = match decode(raw_value)?.as_str() {
                    "" => return Err("sslrootcert is empty: give a CA file (PEM) or `system`".into()),
                    "system" => Roots::System,
                    path => Roots::File(PathBuf::from(path)),
                };
                once(&mut roots, value, "sslrootcert")?;
            }
            name if UNSUPPORTED.contains(&name) => {
                return Err(format!(
                    "{name} is not supported: warden authenticates to PostgreSQL with a password, not a client certificate, and checks no revocation list"
                ))
            }
            _ => kept.push(pair),
        }
    }
    let rest = match kept.is_empty() {
        true => base.to_owned(),
        false => format!("{base}?{}", kept.join("&")),
    };
    Ok(Split { mode, roots, rest })
}

/// Set `slot` to `value` unless the parameter came already (libpq would take the last; a URL
/// that says two things is more likely a mistake than an override).
fn once<T>(slot: &mut Option<T>, value: T, name: &str) -> Result<(), String> {
    match slot.replace(value) {
        Some(_) => Err(format!("{name} is given twice in the URL: give it once")),
        None => Ok(()),
    }
}

/// A URL component, percent-decoded.
fn decode(raw: &str) -> Result<String, String> {
    percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| format!("the URL parameter {raw} is not UTF-8 once percent-decoded"))
}

/// What a TLS connection checks of the server's certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Check {
    /// Nothing: `prefer` and `require` without a CA file.
    Nothing,
    /// The chain up to a trusted root: `verify-ca`, and `prefer` or `require` with a CA file.
    Chain,
    /// The chain and the host name: `verify-full`.
    ChainAndName,
}

/// How warden secures its connections to one database: the mode and the rustls connector.
/// Cheap to clone (the pool clones it for every connection it opens).
#[derive(Clone)]
pub(super) struct Tls {
    mode: SslMode,
    check: Check,
    /// The rustls configuration; `None` for `disable`, which never starts a handshake.
    client: Option<Arc<ClientConfig>>,
    /// The roots a certificate is checked against, as messages name them.
    roots: Arc<str>,
}

/// Parse `url` (a `postgres://` URL): its TLS parameters give the [`Tls`] to connect with,
/// the rest tokio-postgres' configuration. `Err` says what is wrong, for the person starting
/// warden (an unknown `sslmode`, a CA file that cannot be read); it never holds the password.
pub(super) fn configure(url: &str) -> Result<(tokio_postgres::Config, Tls), String> {
    let Split { mode, roots, rest } = split(url)?;
    let mode = match (mode, &roots) {
        (Some(mode), _) => mode,
        // libpq 16: with the system's roots and no mode, the mode is verify-full.
        (None, Some(Roots::System)) => SslMode::VerifyFull,
        (None, _) => SslMode::Prefer,
    };
    // libpq 16 refuses a weak mode with `sslrootcert=system`: trusting every public CA
    // makes sense only when the host name is checked too (anyone can get a certificate
    // from one of them for a name of their own).
    if roots == Some(Roots::System) && mode != SslMode::VerifyFull {
        return Err(format!(
            "sslmode={} may not be used with sslrootcert=system: use sslmode=verify-full",
            mode.name()
        ));
    }
    let mut config: tokio_postgres::Config = rest.parse().map_err(|e: tokio_postgres::Error| {
        format!("not a PostgreSQL URL: {}", describe_chain(&e))
    })?;
    config.ssl_mode(match mode {
        SslMode::Disable => tokio_postgres::config::SslMode::Disable,
        SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
            tokio_postgres::config::SslMode::Require
        }
    });
    let tls = Tls::new(mode, roots)?;
    Ok((config, tls))
}

impl Tls {
    /// Build the connector for `mode`, loading the roots now, so a missing CA file stops
    /// warden at start rather than at its first connection.
    fn new(mode: SslMode, roots: Option<Roots>) -> Result<Tls, String> {
        let check = match (mode, &roots) {
            (SslMode::VerifyFull, _) => Check::ChainAndName,
            (SslMode::VerifyCa, _) => Check::Chain,
            // libpq: with a CA file, `require` behaves as `verify-ca` (and so does `prefer`
            // whenever it uses TLS: libpq checks the chain whenever it has a root file).
            (_, Some(Roots::File(_))) => Check::Chain,
            _ => Check::Nothing,
        };
        // verify-ca and verify-full without sslrootcert: the system's roots.
        let roots = roots.unwrap_or(Roots::System);
        let described: Arc<str> = roots.describe().into();
        if mode == SslMode::Disable {
            return Ok(Tls {
                mode,
                check,
                client: None,
                roots: described,
            });
        }
        // ring, the provider rustls already uses here (through ureq); named rather than
        // taken from the process default, which is unset when two providers are compiled in.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let algorithms = provider.signature_verification_algorithms;
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("cannot set up TLS: {e}"))?;
        let config = match check {
            Check::Nothing => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(WithoutName {
                    roots: None,
                    algorithms,
                })),
            Check::Chain => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(WithoutName {
                    roots: Some(Arc::new(load_roots(&roots)?)),
                    algorithms,
                })),
            Check::ChainAndName => builder.with_root_certificates(load_roots(&roots)?),
        };
        let mut client = config.with_no_client_auth();
        // PostgreSQL 17 checks the protocol named by ALPN (and requires it for direct TLS);
        // libpq 17 always sends it, and older servers ignore it.
        client.alpn_protocols = vec![b"postgresql".to_vec()];
        Ok(Tls {
            mode,
            check,
            client: Some(Arc::new(client)),
            roots: described,
        })
    }

    /// A warning to log when the connection can be read or impersonated over a network:
    /// `disable` sends everything in the clear, and `prefer` and `require` without a CA file
    /// encrypt but let whoever answers pose as the database. Loopback and Unix sockets are
    /// exempt (nobody is in between).
    pub(super) fn unverified_warning(&self, config: &tokio_postgres::Config) -> Option<String> {
        let risk = match (self.mode, self.check) {
            (SslMode::Disable, _) => "without TLS: passwords and data cross the network in the clear",
            (_, Check::Nothing) => "without checking the server's certificate: anyone in the network path could pose as the database",
            _ => return None,
        };
        let remote: Vec<&str> = config
            .get_hosts()
            .iter()
            .filter_map(|host| match host {
                Host::Tcp(name) => Some(name.as_str()),
                #[cfg(unix)]
                Host::Unix(_) => None,
            })
            .filter(|name| !is_loopback(name))
            .collect();
        if remote.is_empty() {
            return None;
        }
        Some(format!(
            "PostgreSQL at {} is reached with sslmode={}, {risk}; set sslmode=verify-full (with sslrootcert=FILE for a private CA)",
            remote.join(", "),
            self.mode.name()
        ))
    }

    /// What went wrong in `e` (a failed connection), with PostgreSQL's own words and a hint
    /// when the TLS setting is the likely cause.
    pub(super) fn describe(&self, e: &tokio_postgres::Error) -> String {
        let mut text = describe_chain(e);
        // 28000 is what the server answers when no pg_hba.conf line matches, which with
        // `disable` is most often a `hostssl`-only configuration (PostgreSQL's message then
        // ends in "no encryption").
        if self.mode == SslMode::Disable
            && e.code()
                == Some(&tokio_postgres::error::SqlState::INVALID_AUTHORIZATION_SPECIFICATION)
        {
            text.push_str(
                " (the URL says sslmode=disable: if the server accepts only TLS connections (hostssl lines in pg_hba.conf, as managed services do), set sslmode=verify-full with sslrootcert=FILE, or at least sslmode=require)",
            );
        }
        // tokio-postgres' words when the server answers the TLS request with "no".
        if self.mode != SslMode::Prefer && text.ends_with("server does not support TLS") {
            text.push_str(&format!(
                " (the server runs with ssl = off, and sslmode={} does not fall back to plain: turn TLS on in postgresql.conf, or set sslmode=prefer)",
                self.mode.name()
            ));
        }
        text
    }
}

/// An error and its causes, joined (tokio-postgres' errors show only their kind).
fn describe_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// Whether `host` is this machine (`localhost`, 127.0.0.0/8, ::1).
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The roots `roots` names, every certificate of them usable as a trust anchor.
fn load_roots(roots: &Roots) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    match roots {
        Roots::File(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| format!("cannot read sslrootcert {}: {e}", path.display()))?;
            for (n, cert) in CertificateDer::pem_slice_iter(&pem).enumerate() {
                let cert = cert.map_err(|e| {
                    format!(
                        "sslrootcert {} is not a PEM file of certificates: {e}",
                        path.display()
                    )
                })?;
                store.add(cert).map_err(|e| {
                    format!(
                        "certificate {} of sslrootcert {} is not a usable CA certificate: {e}",
                        n + 1,
                        path.display()
                    )
                })?;
            }
            if store.is_empty() {
                return Err(format!(
                    "sslrootcert {} holds no certificate (expected PEM: -----BEGIN CERTIFICATE-----)",
                    path.display()
                ));
            }
        }
        // The operating system's store (rustls-native-certs), not webpki-roots' list built
        // into the binary: managed providers' CAs (RDS, Cloud SQL) are not public roots, and
        // an operator adds them, or a company CA, to the system store (update-ca-certificates,
        // or SSL_CERT_FILE / SSL_CERT_DIR), which is also where libpq's sslrootcert=system
        // looks; and that store is updated without rebuilding warden.
        Roots::System => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                let why: Vec<String> = found.errors.iter().map(|e| e.to_string()).collect();
                return Err(format!(
                    "no system root certificates found{}: install them (e.g. the ca-certificates package), or give the CA file with sslrootcert=FILE",
                    match why.is_empty() {
                        true => String::new(),
                        false => format!(" ({})", why.join("; ")),
                    }
                ));
            }
        }
    }
    Ok(store)
}

/// The verifier of the modes that do not check the host name.
///
/// - Without `roots` (`prefer` and `require` without a CA file): any certificate is
///   accepted, as libpq does in those modes.
/// - With `roots` (`verify-ca`, and `prefer`/`require` with a CA file): the chain must lead
///   to one of them (and be in date, and for a server), but the host name is not compared
///   with it. libpq's verify-ca exists for servers reached by an address their certificate
///   does not name; the chain is checked by rustls' own functions, only the name check is
///   left out.
///
/// Either way the handshake's signature is checked against the certificate's key, so the
/// session keys belong to whoever holds that key (which channel binding relies on).
#[derive(Debug)]
struct WithoutName {
    roots: Option<Arc<RootCertStore>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for WithoutName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(roots) = &self.roots {
            let cert = rustls::server::ParsedCertificate::try_from(end_entity)?;
            rustls::client::verify_server_cert_signed_by_trust_anchor(
                &cert,
                roots,
                intermediates,
                now,
                self.algorithms.all,
            )?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

impl<S> MakeTlsConnect<S> for Tls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = TlsStream<S>;
    type TlsConnect = Connect;
    type Error = std::convert::Infallible;

    fn make_tls_connect(&mut self, host: &str) -> Result<Connect, Self::Error> {
        Ok(Connect {
            tls: self.clone(),
            host: host.to_owned(),
        })
    }
}

/// One handshake to come, with the host name the certificate must carry (`verify-full`).
pub(super) struct Connect {
    tls: Tls,
    host: String,
}

/// A failed handshake, said for the operator.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(super) struct HandshakeError(String);

impl<S> TlsConnect<S> for Connect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = TlsStream<S>;
    type Error = HandshakeError;
    type Future = Pin<Box<dyn Future<Output = Result<TlsStream<S>, HandshakeError>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            let Some(client) = self.tls.client.clone() else {
                return Err(HandshakeError("TLS is off (sslmode=disable)".into()));
            };
            let name = ServerName::try_from(self.host.clone()).map_err(|_| {
                HandshakeError(format!("{} is not a host name TLS can check", self.host))
            })?;
            tokio_rustls::TlsConnector::from(client)
                .connect(name, stream)
                .await
                .map(TlsStream)
                .map_err(|e| HandshakeError(self.explain(&e)))
        })
    }
}

impl Connect {
    /// Say a failed handshake in the operator's terms: which check refused the certificate.
    fn explain(&self, e: &std::io::Error) -> String {
        let certificate = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .and_then(|r| match r {
                rustls::Error::InvalidCertificate(c) => Some(c),
                _ => None,
            });
        let roots = &self.tls.roots;
        match certificate {
            Some(CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }) => format!(
                "the server's certificate is not valid for {} (sslmode=verify-full checks the host name; {e})",
                self.host
            ),
            Some(_) => format!(
                "the server's certificate could not be verified against {roots} ({e})"
            ),
            None => format!("TLS handshake with {} failed: {e}", self.host),
        }
    }
}

mod binding;

#[cfg(test)]
use binding::end_point_hash;
use binding::TlsStream;

#[cfg(test)]
#[path = "tls_tests.rs"]
mod tests;
