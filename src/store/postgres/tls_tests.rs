//! TLS to PostgreSQL: the URL's TLS parameters, and each `sslmode` against real clusters.
//!
//! One cluster with `ssl = on` and a `hostssl`-only pg_hba.conf serves every TLS test (its
//! certificate, made here with rcgen, names `db.example` and 127.0.0.1 and is signed by a
//! test CA); a plain cluster serves the `prefer` fallback. Both start once per test process.
//! Without PostgreSQL's server programs the cluster tests pass as skipped, saying why (unless
//! `WARDEN_TEST_POSTGRES=require`); a cluster that is installed but does not start fails them.

use super::{configure, end_point_hash, split, Roots, Split, SslMode};
use crate::store::Store;
use crate::testkit::{Cluster, TlsFiles};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use std::path::PathBuf;
use std::sync::OnceLock;

/// A test CA: its certificate (PEM) and what signs with it.
struct Ca {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

fn ca(name: &str) -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::generate().unwrap();
    let pem = params.self_signed(&key).unwrap().pem();
    Ca {
        pem,
        issuer: Issuer::new(params, key),
    }
}

/// The TLS cluster and the CA files a test points `sslrootcert` at.
struct TlsCluster {
    cluster: Cluster,
    /// The CA that signed the server's certificate.
    right_ca: PathBuf,
    /// Another CA, which signed nothing the server has.
    wrong_ca: PathBuf,
}

/// A user of the TLS cluster who must give a password (SCRAM), to exercise channel binding.
const SCRAM_USER: &str = "warden_scram";
const SCRAM_PASSWORD: &str = "scram-secret-7f3a";

fn start_tls_cluster() -> Result<TlsCluster, String> {
    let right = ca("warden test CA");
    let wrong = ca("another CA");
    let key = KeyPair::generate().map_err(|e| e.to_string())?;
    let params = CertificateParams::new(vec!["db.example".to_owned(), "127.0.0.1".to_owned()])
        .map_err(|e| e.to_string())?;
    let certificate = params
        .signed_by(&key, &right.issuer)
        .map_err(|e| e.to_string())?;
    let cluster = Cluster::start_tls(&TlsFiles {
        certificate: certificate.pem(),
        key: key.serialize_pem(),
        hba: vec![format!(
            "hostssl all {SCRAM_USER} 127.0.0.1/32 scram-sha-256"
        )],
    })?;
    let right_ca = cluster.dir().join("right-ca.pem");
    let wrong_ca = cluster.dir().join("wrong-ca.pem");
    std::fs::write(&right_ca, &right.pem).map_err(|e| e.to_string())?;
    std::fs::write(&wrong_ca, &wrong.pem).map_err(|e| e.to_string())?;
    Ok(TlsCluster {
        cluster,
        right_ca,
        wrong_ca,
    })
}

static TLS_CLUSTER: OnceLock<Result<TlsCluster, String>> = OnceLock::new();
static PLAIN_CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();

/// The shared TLS cluster, or `None` (printing why `test` is skipped) without PostgreSQL.
fn tls_cluster(test: &str) -> Option<&'static TlsCluster> {
    skip_unless(test, TLS_CLUSTER.get_or_init(start_tls_cluster))
}

/// The shared cluster without TLS (`ssl = off`).
fn plain_cluster(test: &str) -> Option<&'static Cluster> {
    skip_unless(test, PLAIN_CLUSTER.get_or_init(Cluster::start))
}

fn skip_unless<T>(test: &str, started: &'static Result<T, String>) -> Option<&'static T> {
    match started {
        Ok(cluster) => Some(cluster),
        // Skipped only where PostgreSQL is not installed (and not required), as every
        // PostgreSQL test: a broken cluster fails.
        Err(why) => crate::testkit::cluster_unavailable(test, why),
    }
}

impl TlsCluster {
    /// A fresh database, as a URL to 127.0.0.1 with `params` as its query.
    async fn url(&self, params: &str) -> String {
        let url = self.cluster.database().await.unwrap();
        format!("{url}?{params}")
    }

    /// A fresh database, as a URL whose host is `host` (what TLS checks the certificate
    /// against) while the connection goes to 127.0.0.1 (`hostaddr`).
    async fn url_named(&self, host: &str, params: &str) -> String {
        let url = self.cluster.database().await.unwrap();
        let name = url.rsplit('/').next().unwrap();
        format!(
            "postgres://postgres@{host}:{}/{name}?hostaddr=127.0.0.1&{params}",
            self.cluster.port()
        )
    }

    fn right_ca(&self) -> String {
        self.right_ca.display().to_string()
    }

    fn wrong_ca(&self) -> String {
        self.wrong_ca.display().to_string()
    }
}

/// Connect to `url` as warden does; whether the session is encrypted (pg_stat_ssl).
async fn connect(url: &str) -> Result<bool, String> {
    let (config, tls) = configure(url)?;
    let (client, connection) = config
        .connect(tls.clone())
        .await
        .map_err(|e| tls.describe(&e))?;
    let driver = tokio::spawn(connection);
    let ssl: bool = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .map_err(|e| e.to_string())?
        .get(0);
    drop(client);
    let _ = driver.await;
    Ok(ssl)
}

/// Open a store on `url`; the error as a person reads it.
async fn open(url: &str) -> Result<Store, String> {
    Store::open_postgres(url, crate::clock::system())
        .await
        .map_err(|e| e.to_string())
}

fn refused(result: Result<impl Sized, String>) -> String {
    match result {
        Ok(_) => panic!("connected where it should have been refused"),
        Err(e) => e,
    }
}

// --- The URL's TLS parameters (no cluster) ---

#[test]
fn the_tls_parameters_leave_the_url_and_the_rest_stays_as_written() {
    assert_eq!(
        split(
            "postgres://u:p%40ss@db.example:5432/warden?connect_timeout=3&sslmode=verify-full&sslrootcert=%2Fetc%2Fwarden%2Frds%20ca.pem&application_name=x",
        ),
        Ok(Split {
            mode: Some(SslMode::VerifyFull),
            roots: Some(Roots::File("/etc/warden/rds ca.pem".into())),
            rest: "postgres://u:p%40ss@db.example:5432/warden?connect_timeout=3&application_name=x"
                .into(),
        })
    );
    // Without TLS parameters the URL passes untouched, query or not.
    for url in [
        "postgres://u@h/db",
        "postgres://u@h/db?connect_timeout=3",
        // A `?` in an (unencoded) password is not the query, as tokio-postgres reads it.
        "postgres://u:a?b@h/db",
    ] {
        assert_eq!(
            split(url),
            Ok(Split {
                mode: None,
                roots: None,
                rest: url.to_owned()
            })
        );
    }
    assert_eq!(
        split("postgresql://h/db?sslmode=require&sslrootcert=system"),
        Ok(Split {
            mode: Some(SslMode::Require),
            roots: Some(Roots::System),
            rest: "postgresql://h/db".into(),
        })
    );
}

#[test]
fn an_unknown_sslmode_is_refused_naming_the_five_modes() {
    let e = refused(configure("postgres://u:hunter2@h/db?sslmode=verify").map(|_| ()));
    assert_eq!(
        e,
        "sslmode=verify is not a TLS mode: use disable, prefer, require, verify-ca or verify-full"
    );
    let e = refused(configure("postgres://h/db?sslmode=require&sslmode=disable").map(|_| ()));
    assert!(e.contains("sslmode is given twice"), "{e}");
}

#[test]
fn a_missing_or_empty_ca_file_is_refused_at_start_naming_it() {
    let e = refused(
        configure("postgres://h/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")
            .map(|_| ()),
    );
    assert!(
        e.starts_with("cannot read sslrootcert /nonexistent/ca.pem:"),
        "{e}"
    );
    let dir = tempfile::TempDir::new().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let e = refused(
        configure(&format!(
            "postgres://h/db?sslmode=verify-ca&sslrootcert={}",
            empty.display()
        ))
        .map(|_| ()),
    );
    assert!(
        e.contains(&format!(
            "sslrootcert {} holds no certificate",
            empty.display()
        )),
        "{e}"
    );
    // `require` with a CA file checks the chain (libpq), so the file must be there too.
    let e = refused(
        configure("postgres://h/db?sslmode=require&sslrootcert=/nonexistent/ca.pem").map(|_| ()),
    );
    assert!(e.contains("/nonexistent/ca.pem"), "{e}");
}

#[test]
fn the_modes_default_as_libpq_and_system_roots_want_verify_full() {
    let mode = |url: &str| configure(url).map(|(_, tls)| tls.mode);
    assert_eq!(mode("postgres://h/db"), Ok(SslMode::Prefer));
    assert_eq!(
        mode("postgres://h/db?sslmode=disable"),
        Ok(SslMode::Disable)
    );
    // libpq 16: sslrootcert=system alone means verify-full; a weaker mode is refused.
    let system = mode("postgres://h/db?sslrootcert=system");
    // A machine without any system roots says so instead; both are fine here.
    match system {
        Ok(m) => assert_eq!(m, SslMode::VerifyFull),
        Err(e) => assert!(e.contains("no system root certificates"), "{e}"),
    }
    let e = refused(mode("postgres://h/db?sslmode=require&sslrootcert=system"));
    assert_eq!(
        e,
        "sslmode=require may not be used with sslrootcert=system: use sslmode=verify-full"
    );
    let e = refused(mode("postgres://h/db?sslmode=verify-full&sslcert=/c.pem"));
    assert!(e.starts_with("sslcert is not supported"), "{e}");
}

#[test]
fn only_unchecked_connections_over_a_network_are_warned_about() {
    let warning = |url: &str| {
        let (config, tls) = configure(url).unwrap();
        tls.unverified_warning(&config)
    };
    assert_eq!(warning("postgres://127.0.0.1/db"), None);
    assert_eq!(warning("postgres://localhost/db?sslmode=disable"), None);
    let w = warning("postgres://db.internal/db").unwrap();
    assert!(
        w.contains("db.internal") && w.contains("sslmode=prefer"),
        "{w}"
    );
    let w = warning("postgres://db.internal/db?sslmode=disable").unwrap();
    assert!(w.contains("in the clear"), "{w}");
}

#[test]
fn the_channel_binding_hash_follows_the_certificate_signature() {
    let cert = |alg: &'static rcgen::SignatureAlgorithm| {
        let key = KeyPair::generate_for(alg).unwrap();
        CertificateParams::new(vec!["db.example".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap()
            .der()
            .to_vec()
    };
    use sha2::Digest;
    let p256 = cert(&rcgen::PKCS_ECDSA_P256_SHA256);
    assert_eq!(
        end_point_hash(&p256),
        Some(sha2::Sha256::digest(&p256).to_vec())
    );
    let p384 = cert(&rcgen::PKCS_ECDSA_P384_SHA384);
    assert_eq!(
        end_point_hash(&p384),
        Some(sha2::Sha384::digest(&p384).to_vec())
    );
    // Ed25519 names no hash: no channel binding (plain SCRAM), as libpq.
    assert_eq!(end_point_hash(&cert(&rcgen::PKCS_ED25519)), None);
    assert_eq!(end_point_hash(b"\x30\x03\x02\x01"), None);
}

// --- Against real clusters ---

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_with_the_right_ca_connects_and_the_store_works() {
    let Some(server) = tls_cluster("verify_full_with_the_right_ca_connects") else {
        return;
    };
    let url = server
        .url(&format!(
            "sslmode=verify-full&sslrootcert={}",
            server.right_ca()
        ))
        .await;
    // The whole store over TLS: migrations, the pool and the revision listener.
    let store = open(&url).await.unwrap();
    let role = crate::model::RoleName::parse("TLS_ROLE").unwrap();
    store.create_role(&role, &[], None).await.unwrap();
    assert_eq!(store.role("TLS_ROLE").await.unwrap().name, "TLS_ROLE");
    assert!(connect(&url).await.unwrap(), "the session is encrypted");
    // By DNS name too (the certificate names db.example).
    let url = server
        .url_named(
            "db.example",
            &format!("sslmode=verify-full&sslrootcert={}", server.right_ca()),
        )
        .await;
    assert!(connect(&url).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_with_a_wrong_ca_refuses_naming_the_file() {
    let Some(server) = tls_cluster("verify_full_with_a_wrong_ca_refuses") else {
        return;
    };
    let url = server
        .url(&format!(
            "sslmode=verify-full&sslrootcert={}",
            server.wrong_ca()
        ))
        .await;
    let e = refused(open(&url).await);
    assert!(
        e.contains(&format!(
            "the server's certificate could not be verified against sslrootcert {}",
            server.wrong_ca()
        )),
        "{e}"
    );
    // `verify-ca`, and `require` or `prefer` with a CA file, check the chain just the same.
    for mode in ["verify-ca", "require", "prefer"] {
        let url = server
            .url(&format!("sslmode={mode}&sslrootcert={}", server.wrong_ca()))
            .await;
        let e = refused(connect(&url).await);
        assert!(
            e.contains("could not be verified against sslrootcert"),
            "{mode}: {e}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_refuses_a_host_the_certificate_does_not_name() {
    let Some(server) = tls_cluster("verify_full_refuses_a_host_the_certificate_does_not_name")
    else {
        return;
    };
    let url = server
        .url_named(
            "other.example",
            &format!("sslmode=verify-full&sslrootcert={}", server.right_ca()),
        )
        .await;
    let e = refused(open(&url).await);
    assert!(
        e.contains("the server's certificate is not valid for other.example"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_ca_checks_the_chain_but_not_the_host_name() {
    let Some(server) = tls_cluster("verify_ca_checks_the_chain_but_not_the_host_name") else {
        return;
    };
    let url = server
        .url_named(
            "other.example",
            &format!("sslmode=verify-ca&sslrootcert={}", server.right_ca()),
        )
        .await;
    assert!(connect(&url).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_encrypts_without_a_ca() {
    let Some(server) = tls_cluster("require_encrypts_without_a_ca") else {
        return;
    };
    let url = server.url("sslmode=require").await;
    assert!(connect(&url).await.unwrap());
    // Whatever name the certificate carries.
    let url = server.url_named("other.example", "sslmode=require").await;
    assert!(connect(&url).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disable_against_a_hostssl_only_server_refuses_with_a_hint() {
    let Some(server) = tls_cluster("disable_against_a_hostssl_only_server_refuses") else {
        return;
    };
    let url = server.url("sslmode=disable").await;
    let e = refused(open(&url).await);
    // PostgreSQL's own words, then what to do.
    assert!(e.contains("no pg_hba.conf entry"), "{e}");
    assert!(e.contains("no encryption"), "{e}");
    assert!(e.contains("set sslmode=verify-full"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefer_uses_tls_when_offered_and_plain_otherwise() {
    let Some(server) = tls_cluster("prefer_uses_tls_when_offered") else {
        return;
    };
    assert!(connect(&server.url("sslmode=prefer").await).await.unwrap());
    // No sslmode is prefer, as in libpq.
    let url = server.cluster.database().await.unwrap();
    assert!(connect(&url).await.unwrap());
    let Some(plain) = plain_cluster("prefer_falls_back_to_plain") else {
        return;
    };
    let url = plain.database().await.unwrap();
    assert!(!connect(&format!("{url}?sslmode=prefer")).await.unwrap());
    assert!(!connect(&url).await.unwrap());
    // `require` does not fall back.
    let e = refused(connect(&format!("{url}?sslmode=require")).await);
    assert!(e.contains("server does not support TLS"), "{e}");
    assert!(e.contains("ssl = off"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channel_binding_ties_a_password_login_to_the_tls_session() {
    let Some(server) = tls_cluster("channel_binding_ties_a_password_login") else {
        return;
    };
    let url = server.url("sslmode=require").await;
    let name = url.rsplit(['/', '?']).nth(1).unwrap().to_owned();
    let (config, tls) = configure(&url).unwrap();
    let (client, connection) = config.connect(tls).await.unwrap();
    let driver = tokio::spawn(connection);
    // Idempotent: the cluster is shared by the process's tests.
    client
        .batch_execute(&format!(
            "DO $$ BEGIN CREATE ROLE {SCRAM_USER} LOGIN PASSWORD '{SCRAM_PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        ))
        .await
        .unwrap();
    drop(client);
    let _ = driver.await;
    // channel_binding=require fails unless SCRAM-SHA-256-PLUS went through with the right
    // tls-server-end-point hash; under `require`, the certificate itself is not checked.
    let url = format!(
        "postgres://{SCRAM_USER}:{SCRAM_PASSWORD}@127.0.0.1:{}/{name}?sslmode=require&channel_binding=require",
        server.cluster.port()
    );
    assert!(connect(&url).await.unwrap());
    // And a refusal never shows the password.
    let url = format!(
        "postgres://{SCRAM_USER}:{SCRAM_PASSWORD}@127.0.0.1:{}/{name}?sslmode=verify-full&sslrootcert={}",
        server.cluster.port(),
        server.wrong_ca()
    );
    let e = refused(open(&url).await);
    assert!(!e.contains(SCRAM_PASSWORD), "{e}");
    assert!(e.contains(":***@"), "the URL is shown redacted: {e}");
}
