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
    /// The public base URL (issuer of tokens, AuthZEN `policy_decision_point`).
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
    /// Failed sign-ins per account within `login_window` before 429.
    pub login_max_failures_per_account: u32,
    /// Failed sign-ins per client address within `login_window` before 429.
    pub login_max_failures_per_address: u32,
    /// The throttling window in seconds.
    pub login_window: u64,
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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            db: PathBuf::from("warden.db"),
            policies: PathBuf::from("policies"),
            public_url: "http://127.0.0.1:8080".into(),
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
            login_max_failures_per_account: 5,
            login_max_failures_per_address: 20,
            login_window: 300,
            max_body_bytes: 64 * 1024,
            batch_limit: 100,
            decision_log_retention: 100_000,
            directory_subject_types: vec!["user".into(), "identity".into()],
            watch_policies: true,
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
        if !keys.iter().any(|k| k == "jwt_secret") {
            keys.push("jwt_secret".into());
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
        if self.min_password_length == 0 || self.min_password_length > 1024 {
            return Err(ConfigError::Invalid(
                "min_password_length must be 1 to 1024".into(),
            ));
        }
        Ok(())
    }

    /// The configuration as TOML with secrets masked.
    pub fn to_masked_toml(&self) -> String {
        let mut shown = self.clone();
        if shown.jwt_secret.is_some() {
            shown.jwt_secret = Some("********".into());
        }
        toml::to_string(&shown).unwrap_or_default()
    }
}

/// Put the keys of a `warden.toml` text (named `path` in errors) over `table`: an unknown
/// key or a value of the wrong type is an error naming it.
fn merge_file(table: &mut toml::Table, text: &str, path: &str) -> Result<(), ConfigError> {
    let from_file: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::Parse {
            path: path.to_string(),
            reason: e.message().to_string(),
        })?;
    for (key, value) in from_file {
        if !table.contains_key(&key) && key != "jwt_secret" {
            return Err(ConfigError::Parse {
                path: path.to_string(),
                reason: format!("unknown key `{key}`"),
            });
        }
        table.insert(key, value);
    }
    // Type errors surface here, naming the field.
    Config::deserialize(toml::Value::Table(table.clone())).map_err(|e| ConfigError::Parse {
        path: path.to_string(),
        reason: e.message().to_string(),
    })?;
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
