//! Configuration: built-in defaults < optional `warden.toml` < `WARDEN_*` environment < flags,
//! layered by figment.
//!
//! Every key of [`Config`] can be set in the file and as `WARDEN_<KEY>` (upper case); the
//! command line sets `db`, `policies` and `listen` over both. A mistake names where it was
//! made: a key in the file by file and line (`warden.toml:3: access_token_ttl: expected an
//! integer, found "ten"`), a variable by its name. An unknown key in the file is an error
//! that suggests the nearest known one: a typo must never silently fall back to a default in
//! a security service. Choices are enums, and a wrong choice lists the valid ones.
//!
//! Here: what the configuration is (each key's doc comment is also its entry in the reference,
//! see [`Config::reference`]). `sources` reads the layers, `explain` words their mistakes and
//! `checks` refuses settings that cannot work or would be unsafe.

mod checks;
mod explain;
mod issuers;
mod load;
mod secrets;
mod sources;

pub use issuers::{LinkClaim, TrustedIssuer, EXCHANGE_ALGORITHMS};

pub use checks::issuer_url_is_safe;
pub use secrets::env_or_file;
pub use sources::unknown_env_vars;

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Declares [`Config`] and, from the same text, `Config::KEY_DOCS`: each field's doc comment
/// is both its rustdoc and its entry in the reference that `warden config keys` prints and
/// docs/configuration.md lists, so the two cannot drift apart. (A field takes doc comments
/// only: the struct's serde attributes say all that its fields need.)
macro_rules! documented_keys {
    (
        $(#[$meta:meta])*
        pub struct Config {
            $(
                $(#[doc = $doc:literal])*
                pub $key:ident: $ty:ty,
            )*
        }
    ) => {
        $(#[$meta])*
        pub struct Config {
            $(
                $(#[doc = $doc])*
                pub $key: $ty,
            )*
        }

        impl Config {
            /// Every key with the lines of its doc comment, in the order declared.
            const KEY_DOCS: &'static [(&'static str, &'static [&'static str])] = &[
                $((stringify!($key), &[$($doc),*]),)*
            ];
        }
    };
}

documented_keys! {
    /// The effective configuration.
    ///
    /// The first paragraph of each field's doc comment is the key's entry in the reference
    /// (for operators: what it does, its unit, what 0 or empty means); later paragraphs are
    /// for readers of the code.
    #[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, default)]
    pub struct Config {
        /// Address to serve on.
        pub listen: String,
        /// SQLite database file (created 0600), or a `postgres://user@host:port/name` URL for
        /// several replicas on one PostgreSQL, with `?sslmode=verify-full&sslrootcert=FILE`
        /// for TLS (see docs/replicas.md); a URL with a password may come from a file named by
        /// `WARDEN_DB_FILE`.
        pub db: PathBuf,
        /// Policy directory, watched and reloaded on change (`watch_policies`).
        pub policies: PathBuf,
        /// Where policies come from: `dir` (the `policies` directory, watched) or `store` (the
        /// active published version in the database, followed by every replica; publish with
        /// `warden policy publish DIR`).
        ///
        /// See [`crate::publishing::PolicySource`]; in store mode the directory is neither
        /// read nor watched by `warden serve`.
        pub policy_source: crate::publishing::PolicySource,
        /// Token issuer and discovery base URL (also AuthZEN's `policy_decision_point`);
        /// empty: `http://<listen>` with the address the server binds (logged at start-up).
        ///
        /// See [`Config::base_url`].
        pub public_url: String,
        /// `aud` of access tokens.
        pub audience: String,
        /// How access tokens are signed: `EdDSA` (keys kept in the store) or `HS256` (the
        /// shared secret `jwt_secret`); nothing else.
        pub jwt_algorithm: JwtAlgorithm,
        /// HS256 shared secret, at least 32 bytes (`WARDEN_JWT_SECRET`, or a file named by
        /// `WARDEN_JWT_SECRET_FILE`); masked when printed.
        pub jwt_secret: Option<String>,
        /// Access-token life, seconds.
        pub access_token_ttl: i64,
        /// Session life, seconds; never slides.
        pub refresh_absolute_ttl: i64,
        /// A session unused this many seconds ends.
        pub refresh_idle_ttl: i64,
        /// Seconds in which re-presenting the previous refresh token returns the same
        /// successor (concurrent refreshes from one browser); 0: off.
        pub refresh_grace: i64,
        /// Also send the refresh token as an HttpOnly cookie scoped to `/v1/auth`.
        pub refresh_cookie: bool,
        /// Clock leeway for `exp`, `nbf` and `iat`, seconds.
        pub leeway: u64,
        /// Minimum password length, characters.
        pub min_password_length: usize,
        /// Failed sign-ins per account from one client address per `login_window` before
        /// 429 (the tight limit: it stops a guesser without locking the owner out elsewhere).
        pub login_max_failures_per_account_and_address: u32,
        /// Failed sign-ins per account from all addresses per `login_window` before 429 (the
        /// looser cap against guessing spread over many addresses).
        pub login_max_failures_per_account: u32,
        /// Failed sign-ins per client address (the end user's, see `trusted_proxies`; IPv6
        /// per `ipv6_prefix`) per `login_window` before 429.
        pub login_max_failures_per_address: u32,
        /// Failed sign-ins per `login_window` for which one service client vouched
        /// (`X-Warden-Client-Key` + `X-Warden-Client-IP`: an app server that forwards its
        /// users' addresses) before 429.
        pub login_max_failures_per_client: u32,
        /// Throttling window, seconds.
        pub login_window: u64,
        /// Peers (CIDR ranges or addresses) whose `Forwarded` / `X-Forwarded-For` name the
        /// client (`WARDEN_TRUSTED_PROXIES=10.0.0.0/8,::1`); empty: the TCP peer is the
        /// client.
        pub trusted_proxies: Vec<String>,
        /// IPv6 clients are throttled per prefix of this many bits (one host owns a whole
        /// /64).
        pub ipv6_prefix: u8,
        /// Password hashes (argon2id, 19 MiB each) computed at once; 0: the number of cores.
        pub hash_concurrency: usize,
        /// Sign-ins waiting for a hashing turn; beyond it 503 with `Retry-After`.
        pub hash_queue: usize,
        /// Seconds to send a request's head; also the keep-alive idle timeout.
        pub header_timeout: u64,
        /// Seconds to send a request's whole body (408 after).
        pub body_timeout: u64,
        /// Seconds a request may take in all (503 after).
        pub request_timeout: u64,
        /// Open connections at most; 0: the open-file limit less 64.
        pub max_connections: usize,
        /// Open connections one client address may hold; 0: half of `max_connections`
        /// (raise it behind a reverse proxy, where every client shares the proxy's address).
        pub max_connections_per_address: usize,
        /// Users one AuthZEN subject search request examines at most (the page then ends
        /// early with a token to continue).
        pub search_scan_limit: usize,
        /// Largest request body, bytes; a larger one gets 413.
        pub max_body_bytes: usize,
        /// Most items in one batch decision request.
        pub batch_limit: usize,
        /// Decision-log rows kept.
        pub decision_log_retention: i64,
        /// Where decision-log entries go besides the database: `stdout`, `file:PATH` (JSON
        /// lines, appended), or an `http://` / `https://` URL (batches POSTed as a JSON array,
        /// like OPA's decision-log upload); empty: the database only
        /// (`WARDEN_DECISION_LOG_SINKS=stdout,https://siem.example/warden`).
        ///
        /// See docs/operations.md, Decision and audit log sinks.
        pub decision_log_sinks: Vec<String>,
        /// Fields of logged decisions replaced by `"***"` in every sink and in the database:
        /// dotted paths into `context` or `properties` (`context.ssn`, `properties.salary`;
        /// `*` matches any key or list item).
        pub decision_log_mask: Vec<String>,
        /// Where audit rows (admin changes) go besides the database, as for
        /// `decision_log_sinks`.
        pub audit_log_sinks: Vec<String>,
        /// Fields of audit rows replaced by `"***"` in the sinks: dotted paths into `detail`
        /// (`detail.email`).
        ///
        /// The database keeps the audit row whole: it is written in the same transaction as
        /// the change it records, by the store, and is the record of what was done.
        pub audit_log_mask: Vec<String>,
        /// A batch for an HTTP sink is sent when it reaches this many bytes (before gzip).
        pub log_sink_batch_bytes: usize,
        /// An HTTP sink sends a batch at the latest this many seconds after its first entry.
        pub log_sink_batch_seconds: u64,
        /// Bytes of batches an HTTP sink holds while its receiver is down; beyond it the
        /// oldest batch is dropped and counted (`warden_log_sink_dropped_total`).
        pub log_sink_buffer_bytes: usize,
        /// Send HTTP sink batches gzip-compressed (`Content-Encoding: gzip`).
        pub log_sink_gzip: bool,
        /// Longest wait, seconds, between two tries of a failed upload (the wait doubles from
        /// half a second up to it).
        pub log_sink_retry_max_seconds: u64,
        /// AuthZEN subject types looked up in the user directory
        /// (`WARDEN_DIRECTORY_SUBJECT_TYPES=user,identity`).
        pub directory_subject_types: Vec<String>,
        /// Confirm the revision with the database (one indexed read per decision) before
        /// trusting a cached caller: on PostgreSQL a revocation committed on any replica is
        /// then refused by every replica's next decision, not when its notification arrives
        /// (see docs/replicas.md); on SQLite the cached revision is
        /// exact already and nothing changes (`WARDEN_STRICT_REVOCATION=true`).
        ///
        /// See [`crate::store::Backend::current_revision`].
        pub strict_revocation: bool,
        /// Reload the policy directory when it changes.
        pub watch_policies: bool,
        /// Secret (at least 32 bytes) that opens the `/readyz` detail and, with
        /// `metrics_require_key`, `/metrics`: `Authorization: Bearer <key>`
        /// (`WARDEN_OPERATIONS_KEY` or a file named by `WARDEN_OPERATIONS_KEY_FILE`; masked
        /// when printed). Without it, only an admin token shows the detail.
        pub operations_key: Option<String>,
        /// `/metrics` answers only with the operations key or an admin token (one allowed
        /// `Warden::Action::"operations.read"`).
        pub metrics_require_key: bool,
        /// Seconds between SIGTERM (or Ctrl-C) and closing the listener, in which `/readyz`
        /// answers 503 `draining` while every request is still served, so that a load
        /// balancer stops sending new ones; 0: close at once. In-flight requests then have
        /// 30 s to finish.
        pub drain_seconds: u64,
        /// Log level or filter (`warn`, `info`: one line per request, `debug`, or
        /// `warn,warden::access=info`); `RUST_LOG`, then `WARDEN_LOG`, are over it.
        pub log_level: String,
        /// Log lines on standard error as `text` or `json` (one object per line); no colour
        /// unless standard error is a terminal.
        pub log_format: LogFormat,
        /// Least seconds between two fetches of an issuer's keys prompted by an unknown `kid`
        /// while the issuer answers (during an outage each request retries, one fetch at a
        /// time).
        ///
        /// A flood of made-up kids cannot make warden hammer the issuer.
        pub exchange_jwks_min_refresh: u64,
        /// Seconds an issuer's keys are used before they are fetched again.
        pub exchange_jwks_max_age: u64,
        /// An ID token issued (`iat`) longer ago than this many seconds is refused by the
        /// exchange, whatever its `exp`.
        ///
        /// An ID token proves a recent sign-in, not a standing credential.
        pub exchange_max_token_age: u64,
        /// Token exchanges from one client address within `login_window` before 429 (every
        /// exchange counts).
        ///
        /// Successful or not: each one starts a session.
        pub exchange_max_per_address: u32,
        /// Token exchanges for one identity-provider subject within `login_window` before
        /// 429.
        pub exchange_max_per_subject: u32,
        /// Identity providers whose ID tokens `POST /v1/auth/exchange` accepts (RFC 8693
        /// token exchange; see docs/tokens.md, Signing in with Google, GitHub or any OpenID
        /// provider); empty: the exchange is off. In the environment, JSON:
        /// `WARDEN_EXCHANGE_ISSUERS='[{"issuer":"https://accounts.google.com","audience":"..."}]'`.
        ///
        /// Last, because TOML writes arrays of tables after plain keys.
        pub exchange_issuers: Vec<TrustedIssuer>,
    }
}

/// Keys whose values are secrets: masked by `--print-config`, and absent from the
/// serialised defaults (so they are listed here to be settable as `WARDEN_<KEY>`).
const SECRET_KEYS: [&str; 2] = ["jwt_secret", "operations_key"];

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// For people: `2026-01-01T00:00:00Z  INFO warden::access: request method=GET ...`.
    #[default]
    Text,
    /// For log shippers: one JSON object per line (`timestamp`, `level`, `target`,
    /// `fields`).
    Json,
}

/// How access tokens are signed (RFC 7518 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JwtAlgorithm {
    /// Ed25519 keys generated on first start and kept in the store, published as a JWKS.
    #[serde(rename = "EdDSA")]
    EdDsa,
    /// A shared secret (`jwt_secret`) of at least 32 bytes.
    #[serde(rename = "HS256")]
    Hs256,
}

impl JwtAlgorithm {
    /// The name as written in the configuration and in a token's `alg` header.
    pub fn name(self) -> &'static str {
        match self {
            JwtAlgorithm::EdDsa => "EdDSA",
            JwtAlgorithm::Hs256 => "HS256",
        }
    }
}

impl std::fmt::Display for JwtAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Compares with the name as written in the configuration (`"EdDSA"`, `"HS256"`).
impl PartialEq<&str> for JwtAlgorithm {
    fn eq(&self, name: &&str) -> bool {
        self.name() == *name
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            db: PathBuf::from("warden.db"),
            policies: PathBuf::from("policies"),
            policy_source: crate::publishing::PolicySource::Dir,
            public_url: String::new(),
            audience: "warden".into(),
            jwt_algorithm: JwtAlgorithm::EdDsa,
            jwt_secret: None,
            access_token_ttl: 15 * 60,
            refresh_absolute_ttl: 7 * 24 * 3600,
            refresh_idle_ttl: 24 * 3600,
            refresh_grace: 10,
            refresh_cookie: false,
            leeway: 30,
            min_password_length: 12,
            login_max_failures_per_account_and_address: 5,
            login_max_failures_per_account: 50,
            login_max_failures_per_address: 20,
            login_max_failures_per_client: 1000,
            login_window: 300,
            trusted_proxies: Vec::new(),
            ipv6_prefix: 64,
            hash_concurrency: 0,
            hash_queue: 32,
            header_timeout: 10,
            body_timeout: 10,
            request_timeout: 30,
            max_connections: 0,
            max_connections_per_address: 0,
            search_scan_limit: 10_000,
            max_body_bytes: 64 * 1024,
            batch_limit: 100,
            decision_log_retention: 100_000,
            decision_log_sinks: Vec::new(),
            decision_log_mask: Vec::new(),
            audit_log_sinks: Vec::new(),
            audit_log_mask: Vec::new(),
            log_sink_batch_bytes: 256 * 1024,
            log_sink_batch_seconds: 5,
            log_sink_buffer_bytes: 16 * 1024 * 1024,
            log_sink_gzip: true,
            log_sink_retry_max_seconds: 60,
            directory_subject_types: vec!["user".into(), "identity".into()],
            strict_revocation: false,
            watch_policies: true,
            operations_key: None,
            metrics_require_key: false,
            drain_seconds: 5,
            log_level: "warn".into(),
            log_format: LogFormat::Text,
            exchange_jwks_min_refresh: 60,
            exchange_jwks_max_age: 3600,
            exchange_max_token_age: 600,
            exchange_max_per_address: 20,
            exchange_max_per_subject: 10,
            exchange_issuers: Vec::new(),
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: {reason}")]
    Parse { path: String, reason: String },
    #[error("environment variable {var}: {reason}")]
    Env { var: String, reason: String },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// A copy with every secret masked, for printing.
    pub fn masked(&self) -> Config {
        let mut shown = self.clone();
        for secret in [&mut shown.jwt_secret, &mut shown.operations_key] {
            if secret.is_some() {
                *secret = Some("********".into());
            }
        }
        // A PostgreSQL URL may carry a password.
        if let Some(db) = shown.db.to_str() {
            shown.db = PathBuf::from(crate::store::redact_url(db));
        }
        shown
    }

    /// The public base URL without a trailing `/`: `public_url`, or when it is not set,
    /// `http://<listen>` (the server sets `listen` to the address it bound before it builds
    /// anything that issues tokens, so port 0 gets the real port).
    pub fn base_url(&self) -> String {
        let url = self.public_url.trim().trim_end_matches('/');
        if url.is_empty() {
            format!("http://{}", self.listen)
        } else {
            url.to_string()
        }
    }

    /// The configuration as TOML with secrets masked.
    pub fn to_masked_toml(&self) -> String {
        toml::to_string(&self.masked()).unwrap_or_default()
    }
}

/// One key of the configuration as the reference documents it (`warden config keys`,
/// docs/configuration.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyDoc {
    /// The key, as written in warden.toml.
    pub key: &'static str,
    /// The environment variable that sets it.
    pub env: String,
    /// The variable naming a file that holds the value instead (`WARDEN_JWT_SECRET_FILE`),
    /// for the secrets and the database URL: container secrets are mounted as files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env_file: Option<String>,
    /// Its default (`null` for a secret, which has none).
    pub default: serde_json::Value,
    /// What it does: the first paragraph of the field's doc comment, on one line.
    pub doc: String,
}

impl Config {
    /// The reference: every key in the order of [`Config`]'s fields, with its variable, its
    /// default and what it does.
    pub fn reference() -> Vec<KeyDoc> {
        let defaults = serde_json::to_value(Config::default()).unwrap_or_default();
        Config::KEY_DOCS
            .iter()
            .map(|(key, lines)| KeyDoc {
                key,
                env: sources::env_var(key),
                env_file: secrets::FILE_KEYS
                    .contains(key)
                    .then(|| secrets::file_var(&sources::env_var(key))),
                default: defaults.get(*key).cloned().unwrap_or_default(),
                doc: first_paragraph(lines),
            })
            .collect()
    }
}

/// The lines of a doc comment up to its first blank line, joined into one.
fn first_paragraph(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|line| line.trim())
        .take_while(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::sources::with_env;
    use super::*;

    #[test]
    fn every_key_is_in_the_reference_with_one_line_that_fits_a_table() {
        let reference = Config::reference();
        let mut documented: Vec<&str> = reference.iter().map(|k| k.key).collect();
        let mut keys = Config::keys();
        documented.sort_unstable();
        keys.sort_unstable();
        assert_eq!(documented, keys);
        for k in &reference {
            assert!(!k.doc.is_empty(), "{}: no doc comment", k.key);
            assert!(
                !k.doc.contains('|'),
                "{}: a `|` would split its table row",
                k.key
            );
            assert!(!k.doc.contains("[`"), "{}: an intra-doc link is for rustdoc, not the reference: put it in a later paragraph", k.key);
        }
        let db = reference.iter().find(|k| k.key == "db").unwrap();
        assert_eq!(
            (db.env.as_str(), &db.default),
            ("WARDEN_DB", &serde_json::json!("warden.db"))
        );
        assert!(
            db.doc
                .starts_with("SQLite database file (created 0600), or a"),
            "{}",
            db.doc
        );
        let secret = reference.iter().find(|k| k.key == "jwt_secret").unwrap();
        assert!(secret.default.is_null());
        let issuer = reference.iter().find(|k| k.key == "public_url").unwrap();
        assert!(
            !issuer.doc.contains("base_url"),
            "the second paragraph stays out"
        );
    }

    #[test]
    fn exchange_issuers_are_checked_and_read_from_the_file_and_the_environment() {
        let text =
            "[[exchange_issuers]]\nissuer = \"https://accounts.google.com\"\naudience = \"app\"\n";
        let c = Config::from_toml_str(text, "warden.toml").unwrap();
        c.check().unwrap();
        let google = &c.exchange_issuers[0];
        assert_eq!(google.algorithms, vec!["RS256"]);
        assert_eq!(google.link_claim, LinkClaim::Email);
        assert!(!google.create_users);
        let printed = c.to_masked_toml();
        assert_eq!(Config::from_toml_str(&printed, "printed").unwrap(), c);
        let json = r#"[{"issuer":"http://127.0.0.1:9000","audience":"app","algorithms":["EdDSA"],"link_claim":"sub","create_users":true,"default_roles":["USER"]}]"#;
        let c = with_env(&[("WARDEN_EXCHANGE_ISSUERS", json)]).unwrap();
        c.check().unwrap();
        assert_eq!(c.exchange_issuers[0].link_claim, LinkClaim::Sub);
        let bad = |issuer: &str, algorithms: &[&str]| {
            let c = Config {
                exchange_issuers: vec![TrustedIssuer {
                    issuer: issuer.into(),
                    audience: "app".into(),
                    algorithms: algorithms.iter().map(|a| a.to_string()).collect(),
                    link_claim: LinkClaim::Email,
                    create_users: false,
                    default_roles: vec![],
                }],
                ..Config::default()
            };
            c.check().unwrap_err().to_string()
        };
        assert!(bad("https://idp.example", &["HS256"]).contains("not accepted"));
        assert!(bad("https://idp.example", &["none"]).contains("not accepted"));
        assert!(bad("https://idp.example", &[]).contains("at least one"));
        assert!(bad("http://idp.example", &["RS256"]).contains("https"));
        assert!(bad("http://127.0.0.1.evil.example", &["RS256"]).contains("https"));
        assert!(issuer_url_is_safe("http://localhost:8080/realms/x"));
        assert!(!issuer_url_is_safe("https://"));
    }

    #[test]
    fn every_key_and_secret_is_known_and_the_printed_configuration_reads_back() {
        let keys = Config::keys();
        for key in ["listen", "jwt_algorithm", "jwt_secret", "operations_key"] {
            assert!(keys.iter().any(|k| k == key), "{key}");
        }
        let c = Config {
            jwt_secret: Some("0123456789abcdef0123456789abcdef".into()),
            ..Config::default()
        };
        let printed = c.to_masked_toml();
        let again = Config::from_toml_str(&printed, "printed").unwrap();
        assert_eq!(again.jwt_secret.as_deref(), Some("********"));
        assert_eq!(
            Config::from_toml_str("", "empty").unwrap(),
            Config::default()
        );
    }
}
