//! Configuration: built-in defaults < optional `warden.toml` < `WARDEN_*` environment < flags.
//!
//! Every key of [`Config`] can be set in the file and as `WARDEN_<KEY>` (upper case). An
//! unknown key in the file is an error that names it: a typo must never silently fall back
//! to a default in a security service.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The effective configuration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the server listens on.
    pub listen: String,
    /// The SQLite database file.
    pub db: PathBuf,
    /// The policy directory.
    pub policies: PathBuf,
    /// The public base URL (issuer of tokens, AuthZEN `policy_decision_point`); empty means
    /// `http://<listen>` with the address actually bound (see [`Config::base_url`]).
    pub public_url: String,
    /// `aud` of access tokens.
    pub audience: String,
    /// `EdDSA` (default; keys generated and kept in the store) or `HS256` (shared secret).
    pub jwt_algorithm: String,
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
    /// The throttling window in seconds.
    pub login_window: u64,
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
    /// Watch the policy directory and reload on change.
    pub watch_policies: bool,
    /// A secret that opens the operational detail of `/readyz` (and `/metrics` when
    /// `metrics_require_key` is on) as `Authorization: Bearer <key>`; at least 32 bytes.
    /// Masked when printed. Without it, only an admin token shows the detail.
    pub operations_key: Option<String>,
    /// `/metrics` answers only with the operations key (or an admin token allowed
    /// `Warden::Action::"operations.read"`).
    pub metrics_require_key: bool,
}

/// Keys whose values are secrets: masked by `--print-config`, and absent from the
/// serialised defaults (so they are listed here to be settable as `WARDEN_<KEY>`).
const SECRET_KEYS: [&str; 2] = ["jwt_secret", "operations_key"];

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            db: PathBuf::from("warden.db"),
            policies: PathBuf::from("policies"),
            public_url: String::new(),
            audience: "warden".into(),
            jwt_algorithm: "EdDSA".into(),
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
            login_window: 300,
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
            watch_policies: true,
            operations_key: None,
            metrics_require_key: false,
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
    /// environment. Flags are applied by the caller afterwards, then [`Config::check`].
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut table = Config::default_table()?;
        let default_file = Path::new("warden.toml");
        let file = file.or_else(|| default_file.exists().then_some(default_file));
        if let Some(path) = file {
            let p = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
                path: p.clone(),
                reason: e.to_string(),
            })?;
            merge_file(&mut table, &text, &p)?;
        }
        for key in Config::keys() {
            let var = format!("WARDEN_{}", key.to_uppercase());
            let Ok(raw) = std::env::var(&var) else {
                continue;
            };
            let value = env_value(table.get(&key), &raw);
            table.insert(key.clone(), value);
            Config::deserialize(toml::Value::Table(table.clone())).map_err(|e| {
                ConfigError::Env {
                    var: var.clone(),
                    reason: e.message().to_string(),
                }
            })?;
        }
        Config::deserialize(toml::Value::Table(table))
            .map_err(|e| ConfigError::Invalid(e.message().to_string()))
    }

    /// The defaults with a `warden.toml` text (named `path` in errors) over them: what
    /// [`Config::load`] makes of a file, without the environment. Not yet [`Config::check`]ed.
    pub fn from_toml_str(text: &str, path: &str) -> Result<Config, ConfigError> {
        let mut table = Config::default_table()?;
        merge_file(&mut table, text, path)?;
        Config::deserialize(toml::Value::Table(table))
            .map_err(|e| ConfigError::Invalid(e.message().to_string()))
    }

    fn default_table() -> Result<toml::Table, ConfigError> {
        toml::Table::try_from(Config::default()).map_err(|e| ConfigError::Invalid(e.to_string()))
    }

    fn keys() -> Vec<String> {
        let mut keys: Vec<String> = toml::Table::try_from(Config::default())
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        for secret in SECRET_KEYS {
            if !keys.iter().any(|k| k == secret) {
                keys.push(secret.into());
            }
        }
        keys
    }

    /// Refuse settings that cannot work or would be unsafe.
    pub fn check(&self) -> Result<(), ConfigError> {
        match self.jwt_algorithm.as_str() {
            "EdDSA" => {}
            "HS256" => match &self.jwt_secret {
                Some(s) if s.len() >= 32 => {}
                // RFC 7518 section 3.2: an HS256 key must be at least as long as the hash.
                _ => {
                    return Err(ConfigError::Invalid(
                        "jwt_algorithm HS256 needs jwt_secret (or WARDEN_JWT_SECRET) of at least 32 bytes".into(),
                    ))
                }
            },
            other => {
                return Err(ConfigError::Invalid(format!(
                    "jwt_algorithm must be EdDSA or HS256, not {other:?}"
                )))
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

/// The 1-based line of byte `offset` in `text`.
fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The line where `key = ...` is set in a TOML text (0 when it cannot be found).
fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            let rest = line
                .strip_prefix(key)
                .or_else(|| line.strip_prefix(&format!("\"{key}\"")));
            rest.is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map_or(0, |i| i + 1)
}

/// What a value should have been when its type differs from the default's, e.g. "an integer".
fn type_mismatch(default: &toml::Value, value: &toml::Value) -> Option<&'static str> {
    use toml::Value as V;
    let expected = match default {
        V::Integer(_) => "an integer",
        V::Boolean(_) => "true or false",
        V::String(_) => "a string",
        V::Array(_) => "an array",
        _ => return None,
    };
    let same = matches!(
        (default, value),
        (V::Integer(_), V::Integer(_))
            | (V::Boolean(_), V::Boolean(_))
            | (V::String(_), V::String(_))
            | (V::Array(_), V::Array(_))
    );
    (!same).then_some(expected)
}

/// The known key closest to a misspelt one, if any is close (at most 2 edits, or a third
/// of the word).
fn nearest<'a>(key: &str, known: &'a [String]) -> Option<&'a str> {
    let limit = (key.chars().count() / 3).max(2);
    known
        .iter()
        .map(|k| (edit_distance(key, k), k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.as_str())
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

/// Put the keys of a `warden.toml` text (named `p` in errors) over `table`: an unknown key
/// (with the nearest known one suggested) or a value of the wrong type is an error naming
/// the key and its line.
fn merge_file(table: &mut toml::Table, text: &str, p: &str) -> Result<(), ConfigError> {
    let at_line = |line: usize| match line {
        0 => p.to_string(),
        n => format!("{p}:{n}"),
    };
    let from_file: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::Parse {
            path: at_line(e.span().map_or(0, |s| line_at(text, s.start))),
            reason: e.message().trim().to_string(),
        })?;
    let known = Config::keys();
    for (key, value) in from_file {
        let line = key_line(text, &key);
        if !known.contains(&key) {
            let hint = match nearest(&key, &known) {
                Some(k) => format!("; did you mean `{k}`?"),
                None => String::new(),
            };
            return Err(ConfigError::Parse {
                path: at_line(line),
                reason: format!("unknown key `{key}`{hint}"),
            });
        }
        if let Some(expected) = table.get(&key).and_then(|d| type_mismatch(d, &value)) {
            return Err(ConfigError::Parse {
                path: at_line(line),
                reason: format!("{key}: expected {expected}, found {value}"),
            });
        }
        // Range errors (a negative count) surface here, naming the key.
        let mut one = toml::Table::try_from(Config::default())
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        one.insert(key.clone(), value.clone());
        Config::deserialize(toml::Value::Table(one)).map_err(|e| ConfigError::Parse {
            path: at_line(line),
            reason: format!("{key}: {}", e.message().trim()),
        })?;
        table.insert(key, value);
    }
    Ok(())
}

/// Parse an environment value as the type the key already has.
fn env_value(existing: Option<&toml::Value>, raw: &str) -> toml::Value {
    match existing {
        Some(toml::Value::Integer(_)) => raw
            .trim()
            .parse::<i64>()
            .map(toml::Value::Integer)
            .unwrap_or_else(|_| toml::Value::String(raw.into())),
        Some(toml::Value::Boolean(_)) => match raw.trim() {
            "1" | "true" | "yes" | "on" => toml::Value::Boolean(true),
            "0" | "false" | "no" | "off" => toml::Value::Boolean(false),
            _ => toml::Value::String(raw.into()),
        },
        Some(toml::Value::Array(_)) => toml::Value::Array(
            raw.split(',')
                .map(|s| toml::Value::String(s.trim().into()))
                .filter(|v| v.as_str() != Some(""))
                .collect(),
        ),
        _ => toml::Value::String(raw.into()),
    }
}
