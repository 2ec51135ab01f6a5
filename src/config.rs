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
//! figment merges the layers and says which layer a bad value came from; the two providers
//! here read the file with the `toml` crate the rest of warden uses (figment's own would
//! bring a second TOML parser) and type each `WARDEN_<KEY>` by its key, as a person writes
//! it (`1`/`yes`/`on` for true, `user,identity` for a list), where figment's generic `Env`
//! would guess the type from the text alone.

use figment::error::{Actual, Kind};
use figment::providers::Serialized;
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider, Source};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The effective configuration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the server listens on.
    pub listen: String,
    /// The SQLite database file, or a `postgres://` URL (several replicas on one database).
    pub db: PathBuf,
    /// The policy directory.
    pub policies: PathBuf,
    /// The public base URL (issuer of tokens, AuthZEN `policy_decision_point`); empty means
    /// `http://<listen>` with the address actually bound (see [`Config::base_url`]).
    pub public_url: String,
    /// `aud` of access tokens.
    pub audience: String,
    /// How access tokens are signed.
    pub jwt_algorithm: JwtAlgorithm,
    /// The HS256 shared secret, at least 32 bytes. Masked when printed.
    pub jwt_secret: Option<String>,
    /// Access-token lifetime in seconds.
    pub access_token_ttl: i64,
    /// Absolute session lifetime in seconds (never slides).
    pub refresh_absolute_ttl: i64,
    /// Idle session lifetime in seconds.
    pub refresh_idle_ttl: i64,
    /// Window in seconds in which re-presenting the previous refresh token returns the same
    /// successor (concurrent refreshes from one browser); 0 turns it off.
    pub refresh_grace: i64,
    /// Also send the refresh token in an HttpOnly cookie scoped to `/v1/auth`.
    pub refresh_cookie: bool,
    /// Clock leeway in seconds for `exp`, `nbf` and `iat`.
    pub leeway: u64,
    /// Minimum password length in characters.
    pub min_password_length: usize,
    /// Failed sign-ins per account from one client address within `login_window` before 429
    /// (the tight limit: stops a guesser without locking the owner out elsewhere).
    pub login_max_failures_per_account_and_address: u32,
    /// Failed sign-ins per account from all addresses within `login_window` before 429 (the
    /// looser cap against guessing spread over many addresses).
    pub login_max_failures_per_account: u32,
    /// Failed sign-ins per client address within `login_window` before 429.
    pub login_max_failures_per_address: u32,
    /// Failed sign-ins within `login_window` for which one service client vouched (the
    /// budget of an app server that forwards its users' addresses) before 429.
    pub login_max_failures_per_client: u32,
    /// The throttling window in seconds.
    pub login_window: u64,
    /// Peers (CIDR ranges, `10.0.0.0/8`, `::1/128`) whose `Forwarded` / `X-Forwarded-For`
    /// headers name the client's address. Empty: those headers are ignored and the TCP peer
    /// is the client.
    pub trusted_proxies: Vec<String>,
    /// IPv6 clients are throttled per prefix of this length (one host owns a whole /64).
    pub ipv6_prefix: u8,
    /// Password hashes (argon2id, 19 MiB each) computed at once; 0 means the number of cores.
    pub hash_concurrency: usize,
    /// Sign-ins that may wait for a hashing turn; beyond that 503 with `Retry-After`.
    pub hash_queue: usize,
    /// Seconds a client has to send a request's headers; also how long an idle keep-alive
    /// connection is kept.
    pub header_timeout: u64,
    /// Seconds a client has to send a request's body.
    pub body_timeout: u64,
    /// Seconds a request may take in all before 503.
    pub request_timeout: u64,
    /// Open connections at most; 0 means the open-file limit less a reserve of 64.
    pub max_connections: usize,
    /// Open connections one client address may hold; 0 means half of `max_connections`.
    pub max_connections_per_address: usize,
    /// Users examined at most by one AuthZEN subject search request (the page then ends early
    /// with a token to continue).
    pub search_scan_limit: usize,
    /// Largest request body in bytes (413 beyond).
    pub max_body_bytes: usize,
    /// Most items in one batch request.
    pub batch_limit: usize,
    /// Decision-log rows kept.
    pub decision_log_retention: i64,
    /// Subject types (AuthZEN) looked up in the directory.
    pub directory_subject_types: Vec<String>,
    /// Confirm the revision with the database (one indexed read) before trusting a cached
    /// caller, instead of the value kept current by notifications. On PostgreSQL a change
    /// made on another replica then counts from its commit, not from its notification's
    /// arrival (milliseconds later); on SQLite the kept value is exact already, so nothing
    /// changes. See [`crate::store::Backend::current_revision`].
    pub strict_revocation: bool,
    /// Watch the policy directory and reload on change.
    pub watch_policies: bool,
    /// A secret that opens the operational detail of `/readyz` (and `/metrics` when
    /// `metrics_require_key` is on) as `Authorization: Bearer <key>`; at least 32 bytes.
    /// Masked when printed. Without it, only an admin token shows the detail.
    pub operations_key: Option<String>,
    /// `/metrics` answers only with the operations key (or an admin token allowed
    /// `Warden::Action::"operations.read"`).
    pub metrics_require_key: bool,
    /// Least seconds between two fetches of a trusted issuer's JWKS prompted by an unknown
    /// `kid` (a flood of made-up kids cannot make warden hammer the issuer).
    pub exchange_jwks_min_refresh: u64,
    /// Seconds a trusted issuer's JWKS is used before it is fetched again.
    pub exchange_jwks_max_age: u64,
    /// An ID token issued (`iat`) longer ago than this many seconds is refused by the token
    /// exchange, whatever its `exp` says (an ID token proves a recent sign-in, not a standing
    /// credential).
    pub exchange_max_token_age: u64,
    /// Token exchanges from one client address within `login_window` before 429 (every
    /// exchange counts, successful or not: each one starts a session).
    pub exchange_max_per_address: u32,
    /// Token exchanges for one identity-provider subject within `login_window` before 429.
    pub exchange_max_per_subject: u32,
    /// Identity providers whose OpenID Connect ID tokens `POST /v1/auth/exchange` accepts
    /// (RFC 8693 token exchange). Empty: the exchange is off. Last, because TOML writes
    /// arrays of tables after plain keys.
    pub exchange_issuers: Vec<TrustedIssuer>,
}

/// An identity provider whose ID tokens are exchanged for warden sessions.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TrustedIssuer {
    /// The `iss` of its tokens, exactly; its discovery document is at
    /// `<issuer>/.well-known/openid-configuration` and must name the same issuer. `https`,
    /// or `http` on a loopback address only (tests, a local provider).
    pub issuer: String,
    /// The `aud` its tokens must carry: the app's client id at that provider.
    pub audience: String,
    /// The signing algorithms accepted from it (RFC 7518 names; never `none` or HS*).
    #[serde(default = "default_exchange_algorithms")]
    pub algorithms: Vec<String>,
    /// How a person seen for the first time is linked to a warden user: `email` (an existing
    /// user whose email the provider verified, `email_verified: true`) or `sub` (no automatic
    /// linking: only a link an admin made, or a user created by `create_users`). Either way
    /// the link is `(issuer, sub)`, and every later exchange finds the user by it alone; the
    /// provider's `sub` is never a warden user id.
    #[serde(default)]
    pub link_claim: LinkClaim,
    /// Create the warden user on a first exchange (else an unknown person is refused).
    #[serde(default)]
    pub create_users: bool,
    /// The roles of a user created by the exchange.
    #[serde(default)]
    pub default_roles: Vec<String>,
}

fn default_exchange_algorithms() -> Vec<String> {
    vec!["RS256".into()]
}

/// How the first exchange of a person links them to a warden user (later ones find the
/// user by `(issuer, sub)` only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkClaim {
    /// The existing user with the verified `email` (`email_verified` must be true), unless
    /// that user is linked to another subject of the same issuer already.
    #[default]
    Email,
    /// By the `sub` alone: only a link an admin made (`POST /admin/v1/users/{id}/identities`)
    /// or a user the exchange creates (`create_users`). Never a warden user id: a provider
    /// subject `admin` is not the user `admin` (issue 25).
    Sub,
}

/// The asymmetric algorithms an exchanged ID token may use. `none` and the HS* family are
/// never accepted: an HMAC "verified" with a public key is the classic key-confusion forgery
/// (RFC 8725 section 2.1 and 3.1), and an identity provider's secret is not ours to hold.
pub const EXCHANGE_ALGORITHMS: [&str; 9] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
];

/// Keys whose values are secrets: masked by `--print-config`, and absent from the
/// serialised defaults (so they are listed here to be settable as `WARDEN_<KEY>`).
const SECRET_KEYS: [&str; 2] = ["jwt_secret", "operations_key"];

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
            directory_subject_types: vec!["user".into(), "identity".into()],
            strict_revocation: false,
            watch_policies: true,
            operations_key: None,
            metrics_require_key: false,
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
    /// Defaults, then the file (if given, or `./warden.toml` if it exists), then the
    /// environment. Not yet [`Config::check`]ed.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        Config::load_with_flags(file, serde_json::Map::new())
    }

    /// [`Config::load`] with the command line's flags (`{"db": ..., "listen": ...}`) as the
    /// last layer: defaults < file < environment < flags, one figment.
    pub fn load_with_flags(
        file: Option<&Path>,
        flags: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Config, ConfigError> {
        let default_file = Path::new("warden.toml");
        let file = file.or_else(|| default_file.exists().then_some(default_file));
        let file = file.map(TomlFile::read).transpose()?;
        Config::layered(file.as_ref(), Some(&Environment::of_process()?), flags)
    }

    /// The defaults with a `warden.toml` text (named `path` in errors) over them: what
    /// [`Config::load`] makes of a file, without the environment. Not yet [`Config::check`]ed.
    pub fn from_toml_str(text: &str, path: &str) -> Result<Config, ConfigError> {
        let file = TomlFile::parse(text, path)?;
        Config::layered(Some(&file), None, serde_json::Map::new())
    }

    fn layered(
        file: Option<&TomlFile>,
        env: Option<&Environment>,
        flags: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            figment = figment.merge(file);
        }
        if let Some(env) = env {
            figment = figment.merge(env);
        }
        if !flags.is_empty() {
            figment = figment.merge(Serialized::defaults(flags));
        }
        figment.extract().map_err(|e| explain(e, file))
    }

    /// Every key, secrets included.
    fn keys() -> Vec<String> {
        let mut keys: Vec<String> = defaults().keys().cloned().collect();
        for secret in SECRET_KEYS {
            if !keys.iter().any(|k| k == secret) {
                keys.push(secret.into());
            }
        }
        keys
    }

    /// Refuse settings that cannot work or would be unsafe.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.jwt_algorithm == JwtAlgorithm::Hs256 {
            match &self.jwt_secret {
                Some(s) if s.len() >= 32 => {}
                // RFC 7518 section 3.2: an HS256 key must be at least as long as the hash.
                _ => {
                    return Err(ConfigError::Invalid(
                        "jwt_algorithm HS256 needs jwt_secret (or WARDEN_JWT_SECRET) of at least 32 bytes".into(),
                    ))
                }
            }
        }
        let positive = [
            ("access_token_ttl", self.access_token_ttl),
            ("refresh_absolute_ttl", self.refresh_absolute_ttl),
            ("refresh_idle_ttl", self.refresh_idle_ttl),
        ];
        for (name, v) in positive {
            if v <= 0 {
                return Err(ConfigError::Invalid(format!("{name} must be positive")));
            }
        }
        if self.refresh_grace < 0 {
            return Err(ConfigError::Invalid(
                "refresh_grace must be 0 (off) or more seconds".into(),
            ));
        }
        let nonzero = [
            ("header_timeout", self.header_timeout),
            ("body_timeout", self.body_timeout),
            ("request_timeout", self.request_timeout),
            ("search_scan_limit", self.search_scan_limit as u64),
            ("login_window", self.login_window),
        ];
        for (name, v) in nonzero {
            if v == 0 {
                return Err(ConfigError::Invalid(format!("{name} must be at least 1")));
            }
        }
        if self.min_password_length == 0 || self.min_password_length > 1024 {
            return Err(ConfigError::Invalid(
                "min_password_length must be 1 to 1024".into(),
            ));
        }
        match &self.operations_key {
            Some(key) if key.len() < 32 => {
                return Err(ConfigError::Invalid(
                    "operations_key (or WARDEN_OPERATIONS_KEY) must be at least 32 bytes".into(),
                ))
            }
            None if self.metrics_require_key => {
                return Err(ConfigError::Invalid(
                    "metrics_require_key needs operations_key (or WARDEN_OPERATIONS_KEY) for the scraper to present".into(),
                ))
            }
            _ => {}
        }
        self.check_exchange()?;
        self.proxies()?;
        if !(1..=128).contains(&self.ipv6_prefix) {
            return Err(ConfigError::Invalid(
                "ipv6_prefix must be 1 to 128 (64: one budget per /64)".into(),
            ));
        }
        Ok(())
    }

    /// `trusted_proxies`, parsed: a bare address is a range of one.
    pub fn proxies(&self) -> Result<Vec<ipnet::IpNet>, ConfigError> {
        self.trusted_proxies
            .iter()
            .map(|text| {
                let text = text.trim();
                text.parse::<ipnet::IpNet>()
                    .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        ConfigError::Invalid(format!(
                            "trusted_proxies: {text:?} is not an address or a CIDR range such as 10.0.0.0/8"
                        ))
                    })
            })
            .collect()
    }

    fn check_exchange(&self) -> Result<(), ConfigError> {
        if self.exchange_max_token_age == 0 {
            return Err(ConfigError::Invalid(
                "exchange_max_token_age must be at least 1 second".into(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (n, t) in self.exchange_issuers.iter().enumerate() {
            let at = format!("exchange_issuers[{n}]");
            if !seen.insert(t.issuer.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "{at}: issuer {} is listed twice",
                    t.issuer
                )));
            }
            if !issuer_url_is_safe(&t.issuer) {
                return Err(ConfigError::Invalid(format!(
                    "{at}: issuer must be an https URL (http only on a loopback address), got {:?}",
                    t.issuer
                )));
            }
            if t.audience.trim().is_empty() {
                return Err(ConfigError::Invalid(format!(
                    "{at}: audience (the app's client id at the provider) is required"
                )));
            }
            if t.algorithms.is_empty() {
                return Err(ConfigError::Invalid(format!(
                    "{at}: algorithms must name at least one"
                )));
            }
            for alg in &t.algorithms {
                if !EXCHANGE_ALGORITHMS.contains(&alg.as_str()) {
                    return Err(ConfigError::Invalid(format!(
                        "{at}: algorithm {alg:?} is not accepted; choose from {}",
                        EXCHANGE_ALGORITHMS.join(", ")
                    )));
                }
            }
        }
        Ok(())
    }

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

/// An issuer URL warden may fetch discovery and keys from: `https`, or plain `http` only on
/// a loopback address (a key fetched over plain HTTP from elsewhere could be swapped by
/// anyone on the path, and every token "verified" with it forged).
pub fn issuer_url_is_safe(url: &str) -> bool {
    if url.contains(char::is_whitespace) || url.contains('#') || url.contains('?') {
        return false;
    }
    if let Some(rest) = url.strip_prefix("https://") {
        return !rest.is_empty() && !rest.starts_with('/');
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or("");
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    matches!(host, "127.0.0.1" | "[::1]" | "localhost")
}

/// The defaults as figment values, by key (secrets, `None` by default, are absent).
fn defaults() -> Dict {
    Value::serialize(Config::default())
        .ok()
        .and_then(|v| v.into_dict())
        .unwrap_or_default()
}

/// A `warden.toml`: its values, and the line each key is set on (figment knows which file
/// a bad value came from, not where in it).
struct TomlFile {
    name: String,
    table: toml::Table,
    lines: HashMap<String, usize>,
}

impl TomlFile {
    fn read(path: &Path) -> Result<TomlFile, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: name.clone(),
            reason: e.to_string(),
        })?;
        TomlFile::parse(&text, &name)
    }

    fn parse(text: &str, name: &str) -> Result<TomlFile, ConfigError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ConfigError::Parse {
                path: at_line(name, e.span().map_or(0, |s| line_at(text, s.start))),
                reason: e.message().trim().to_string(),
            })?;
        let lines = toml::de::DeTable::parse(text)
            .map(|t| {
                t.get_ref()
                    .iter()
                    .map(|(k, _)| (k.get_ref().to_string(), line_at(text, k.span().start)))
                    .collect()
            })
            .unwrap_or_default();
        Ok(TomlFile {
            name: name.to_string(),
            table,
            lines,
        })
    }

    /// `warden.toml:3` for `key`, or the file's name when the line is unknown.
    fn at(&self, key: &str) -> String {
        at_line(&self.name, self.lines.get(key).copied().unwrap_or(0))
    }
}

impl Provider for TomlFile {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.name.clone()).source(Path::new(&self.name))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let dict = Value::serialize(&self.table)?
            .into_dict()
            .ok_or_else(|| figment::Error::from(format!("{} is not a table", self.name)))?;
        Ok(Profile::Default.collect(dict))
    }
}

/// The name figment knows the environment layer by (its source, so that no file name can
/// pass for it).
const ENVIRONMENT: &str = "WARDEN_* environment variables";

/// The `WARDEN_<KEY>` variables that are set, each typed by its key's default.
struct Environment {
    values: Dict,
}

impl Environment {
    fn of_process() -> Result<Environment, ConfigError> {
        Environment::from_vars(|var| match std::env::var(var) {
            Ok(v) => Ok(Some(v)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err("not valid UTF-8".to_string()),
        })
    }

    fn from_vars(
        lookup: impl Fn(&str) -> Result<Option<String>, String>,
    ) -> Result<Environment, ConfigError> {
        let defaults = defaults();
        let mut values = Dict::new();
        for key in Config::keys() {
            let var = env_var(&key);
            let raw = lookup(&var).map_err(|reason| ConfigError::Env {
                var: var.clone(),
                reason,
            })?;
            if let Some(raw) = raw {
                values.insert(key.clone(), env_value(defaults.get(&key), &raw));
            }
        }
        Ok(Environment { values })
    }
}

impl Provider for Environment {
    fn metadata(&self) -> Metadata {
        Metadata::named(ENVIRONMENT)
            .source(Source::Custom(ENVIRONMENT.into()))
            .interpolater(|_: &Profile, keys: &[&str]| env_var(keys.first().copied().unwrap_or("")))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.values.clone()))
    }
}

fn env_var(key: &str) -> String {
    format!("WARDEN_{}", key.to_uppercase())
}

/// An environment value as the type its key has: a number, true or false (also `1`/`0`,
/// `yes`/`no`, `on`/`off`), a comma-separated list; anything else, or text that is not what
/// the key needs, stays a string (so the error shows it as given).
fn env_value(default: Option<&Value>, raw: &str) -> Value {
    match default {
        Some(Value::Num(..)) => match raw.trim().parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => Value::from(raw),
        },
        Some(Value::Bool(..)) => match raw.trim() {
            "1" | "true" | "yes" | "on" => Value::from(true),
            "0" | "false" | "no" | "off" => Value::from(false),
            _ => Value::from(raw),
        },
        // A list of tables (`exchange_issuers`) is given as JSON.
        Some(Value::Array(..)) if raw.trim_start().starts_with('[') => {
            match serde_json::from_str::<serde_json::Value>(raw) {
                Ok(json) => Value::serialize(json).unwrap_or_else(|_| Value::from(raw)),
                Err(_) => Value::from(raw),
            }
        }
        Some(Value::Array(..)) => Value::from(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Value::from)
                .collect::<Vec<Value>>(),
        ),
        _ => Value::from(raw),
    }
}

/// A figment error as warden says it: where (file and line, or variable), which key, what
/// was expected and what was found.
fn explain(e: figment::Error, file: Option<&TomlFile>) -> ConfigError {
    let key = e.path.first().cloned().unwrap_or_default();
    let source = e.metadata.as_ref().and_then(|m| m.source.as_ref());
    let reason = match &e.kind {
        Kind::UnknownField(name, known) => {
            let hint = nearest(name, known)
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            format!("unknown key `{name}`{hint}")
        }
        kind => match what_was_wrong(kind) {
            Some(reason) => reason,
            None => kind.to_string(),
        },
    };
    match (source, file) {
        (Some(Source::Custom(name)), _) if name == ENVIRONMENT => ConfigError::Env {
            var: env_var(&key),
            reason,
        },
        (Some(Source::File(_)), Some(file)) => ConfigError::Parse {
            path: file.at(&key),
            reason: if matches!(e.kind, Kind::UnknownField(..)) {
                reason
            } else {
                format!("{key}: {reason}")
            },
        },
        _ if key.is_empty() => ConfigError::Invalid(reason),
        _ => ConfigError::Invalid(format!("{key}: {reason}")),
    }
}

/// "expected an integer, found \"ten\"", or `None` for an error of another kind.
fn what_was_wrong(kind: &Kind) -> Option<String> {
    match kind {
        Kind::InvalidType(found, expected) | Kind::InvalidValue(found, expected) => Some(format!(
            "expected {}, found {}",
            expected_text(expected),
            found_text(found)
        )),
        Kind::UnknownVariant(found, choices) => Some(format!(
            "expected one of {}, found {found:?}",
            choices.join(", ")
        )),
        _ => None,
    }
}

/// serde's name of what a field needs, in words.
fn expected_text(expected: &str) -> String {
    match expected {
        "i8" | "i16" | "i32" | "i64" | "isize" => "an integer".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" => {
            let max = match expected {
                "u8" => u64::from(u8::MAX),
                "u16" => u64::from(u16::MAX),
                "u32" => u64::from(u32::MAX),
                _ => u64::MAX,
            };
            format!("an integer from 0 to {max}")
        }
        "a boolean" => "true or false".into(),
        "a sequence" => "an array".into(),
        "path string" => "a path (a string)".into(),
        other => other.into(),
    }
}

/// A value as it was written.
fn found_text(found: &Actual) -> String {
    match found {
        Actual::Str(s) => format!("{s:?}"),
        Actual::Bool(b) => b.to_string(),
        Actual::Unsigned(n) => n.to_string(),
        Actual::Signed(n) => n.to_string(),
        Actual::Float(n) => n.to_string(),
        Actual::Char(c) => format!("{c:?}"),
        Actual::Seq => "an array".into(),
        Actual::Map => "a table".into(),
        other => other.to_string(),
    }
}

/// `name:line`, or `name` when the line is unknown (0).
fn at_line(name: &str, line: usize) -> String {
    match line {
        0 => name.to_string(),
        n => format!("{name}:{n}"),
    }
}

/// The 1-based line of byte `offset` in `text`.
fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The known key closest to a misspelt one, if any is close (at most 2 edits, or a third
/// of the word).
fn nearest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    let limit = (key.chars().count() / 3).max(2);
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance between two words.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_error(text: &str) -> String {
        Config::from_toml_str(text, "warden.toml")
            .unwrap_err()
            .to_string()
    }

    fn with_env(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let env = Environment::from_vars(|var| {
            Ok(vars
                .iter()
                .find(|(name, _)| *name == var)
                .map(|(_, v)| v.to_string()))
        })?;
        Config::layered(None, Some(&env), serde_json::Map::new())
    }

    #[test]
    fn file_errors_name_the_file_the_line_and_the_key() {
        assert_eq!(
            file_error("listen = \"127.0.0.1:9000\"\nrefresh_grase = 3\n"),
            "warden.toml:2: unknown key `refresh_grase`; did you mean `refresh_grace`?"
        );
        assert_eq!(
            file_error("# comment\n\naccess_token_ttl = \"ten\"\n"),
            "warden.toml:3: access_token_ttl: expected an integer, found \"ten\""
        );
        assert_eq!(
            file_error("watch_policies = 1\n"),
            "warden.toml:1: watch_policies: expected true or false, found 1"
        );
        assert_eq!(
            file_error("leeway = -1\n"),
            "warden.toml:1: leeway: expected an integer from 0 to 18446744073709551615, found -1"
        );
        assert_eq!(
            file_error("\nlogin_max_failures_per_address = 5000000000\n"),
            "warden.toml:2: login_max_failures_per_address: expected an integer from 0 to 4294967295, found 5000000000"
        );
        assert_eq!(
            file_error("directory_subject_types = [\"user\", 2]\n"),
            "warden.toml:1: directory_subject_types: expected a string, found 2"
        );
        assert_eq!(
            file_error("listen = \n"),
            "warden.toml:1: string values must be quoted, expected literal string"
        );
    }

    #[test]
    fn a_choice_is_an_enum_and_a_wrong_one_lists_the_choices() {
        assert_eq!(
            file_error("audience = \"x\"\njwt_algorithm = \"RS256\"\n"),
            "warden.toml:2: jwt_algorithm: expected one of EdDSA, HS256, found \"RS256\""
        );
        let c = Config::from_toml_str("jwt_algorithm = \"HS256\"\n", "warden.toml").unwrap();
        assert_eq!(c.jwt_algorithm, JwtAlgorithm::Hs256);
        assert!(c.check().unwrap_err().to_string().contains("jwt_secret"));
        assert!(c.to_masked_toml().contains("jwt_algorithm = \"HS256\""));
    }

    #[test]
    fn environment_values_are_typed_by_their_key_and_errors_name_the_variable() {
        let c = with_env(&[
            ("WARDEN_ACCESS_TOKEN_TTL", "60"),
            ("WARDEN_WATCH_POLICIES", "off"),
            ("WARDEN_REFRESH_COOKIE", "1"),
            ("WARDEN_DIRECTORY_SUBJECT_TYPES", "user, service"),
            ("WARDEN_JWT_ALGORITHM", "HS256"),
            ("WARDEN_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("WARDEN_DB", "/tmp/w.db"),
        ])
        .unwrap();
        assert_eq!(c.access_token_ttl, 60);
        assert!(!c.watch_policies);
        assert!(c.refresh_cookie);
        assert_eq!(c.directory_subject_types, ["user", "service"]);
        assert_eq!(c.jwt_algorithm, JwtAlgorithm::Hs256);
        assert_eq!(c.db, PathBuf::from("/tmp/w.db"));
        c.check().unwrap();

        let err = with_env(&[("WARDEN_ACCESS_TOKEN_TTL", "ten")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable WARDEN_ACCESS_TOKEN_TTL: expected an integer, found \"ten\""
        );
        let err = with_env(&[("WARDEN_WATCH_POLICIES", "maybe")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable WARDEN_WATCH_POLICIES: expected true or false, found \"maybe\""
        );
        let err = with_env(&[("WARDEN_JWT_ALGORITHM", "none")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable WARDEN_JWT_ALGORITHM: expected one of EdDSA, HS256, found \"none\""
        );
    }

    #[test]
    fn the_environment_is_over_the_file() {
        let file = TomlFile::parse("access_token_ttl = 120\nleeway = 5\n", "warden.toml").unwrap();
        let env = Environment::from_vars(|var| {
            Ok((var == "WARDEN_ACCESS_TOKEN_TTL").then(|| "60".to_string()))
        })
        .unwrap();
        let c = Config::layered(Some(&file), Some(&env), serde_json::Map::new()).unwrap();
        assert_eq!((c.access_token_ttl, c.leeway), (60, 5));
        // Flags come last: over the environment and the file.
        let mut flags = serde_json::Map::new();
        flags.insert("access_token_ttl".into(), serde_json::json!(30));
        let c = Config::layered(Some(&file), Some(&env), flags).unwrap();
        assert_eq!((c.access_token_ttl, c.leeway), (30, 5));
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
