//! Where the configuration comes from, in order: built-in defaults < `warden.toml` <
//! `WARDEN_*` environment < flags, one figment.
//!
//! figment merges the layers and says which layer a bad value came from; the two providers
//! here read the file with the `toml` crate the rest of warden uses (figment's own would
//! bring a second TOML parser) and type each `WARDEN_<KEY>` by its key, as a person writes
//! it (`1`/`yes`/`on` for true, `user,identity` for a list), where figment's generic `Env`
//! would guess the type from the text alone.

use super::{Config, ConfigError};
use figment::value::{Dict, Map, Value};
use figment::{Metadata, Profile, Provider, Source};
use std::collections::HashMap;
use std::path::Path;

/// The defaults as figment values, by key (secrets, `None` by default, are absent).
pub(super) fn defaults() -> Dict {
    Value::serialize(Config::default())
        .ok()
        .and_then(|v| v.into_dict())
        .unwrap_or_default()
}

/// A `warden.toml`: its values, and the line each key is set on (figment knows which file
/// a bad value came from, not where in it).
pub(super) struct TomlFile {
    name: String,
    table: toml::Table,
    lines: HashMap<String, usize>,
}

impl TomlFile {
    pub(super) fn read(path: &Path) -> Result<TomlFile, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: name.clone(),
            reason: e.to_string(),
        })?;
        TomlFile::parse(&text, &name)
    }

    pub(super) fn parse(text: &str, name: &str) -> Result<TomlFile, ConfigError> {
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
    pub(super) fn at(&self, key: &str) -> String {
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
pub(super) const ENVIRONMENT: &str = "WARDEN_* environment variables";

/// The `WARDEN_<KEY>` variables that are set, each typed by its key's default.
pub(super) struct Environment {
    values: Dict,
}

impl Environment {
    pub(super) fn of_process() -> Result<Environment, ConfigError> {
        Environment::from_vars(|var| match std::env::var(var) {
            Ok(v) => Ok(Some(v)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err("not valid UTF-8".to_string()),
        })
    }

    pub(super) fn from_vars(
        lookup: impl Fn(&str) -> Result<Option<String>, String>,
    ) -> Result<Environment, ConfigError> {
        let defaults = defaults();
        let mut values = Dict::new();
        for key in Config::keys() {
            let var = env_var(&key);
            let read = |var: &str| {
                lookup(var).map_err(|reason| ConfigError::Env {
                    var: var.to_string(),
                    reason,
                })
            };
            let mut raw = read(&var)?;
            if super::secrets::FILE_KEYS.contains(&key.as_str()) {
                let file = read(&super::secrets::file_var(&var))?;
                raw = super::secrets::value_or_file(&var, raw, file)?;
            }
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

/// `WARDEN_*` variables that are not settings but are read by name elsewhere: by warden
/// (the first administrator, the console's URL, the log filter), by its tests, and by the
/// TypeScript client and the load bench (`WARDEN_LOAD_*`) that share the prefix.
const OTHER_VARIABLES: [&str; 10] = [
    "WARDEN_ADMIN_PASSWORD",
    "WARDEN_ADMIN_EMAIL",
    "WARDEN_URL",
    "WARDEN_LOG",
    "WARDEN_BIN",
    "WARDEN_CLIENT_KEY",
    "WARDEN_REFRESH_MARGIN_SECONDS",
    "WARDEN_TEST_POSTGRES",
    "WARDEN_TEST_POSTGRES_URL",
    "WARDEN_TEST_BACKEND",
];

/// A warning for every `WARDEN_*` variable among `names` that warden does not read, with the
/// nearest setting's variable ("did you mean"), as a misspelt `warden.toml` key gets (issue
/// 32: a misspelt variable was ignored without a word, and its setting kept its default).
/// A warning, not an error: the environment is shared with other programs.
pub fn unknown_env_vars(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let settings: Vec<String> = Config::keys().iter().map(|k| env_var(k)).collect();
    let files: Vec<String> = super::secrets::FILE_KEYS
        .iter()
        .map(|k| env_var(k))
        .chain(super::secrets::FILE_VARIABLES.map(String::from))
        .map(|var| super::secrets::file_var(&var))
        .collect();
    let mut known: Vec<&str> = settings.iter().map(String::as_str).collect();
    known.extend(OTHER_VARIABLES);
    known.extend(files.iter().map(String::as_str));
    let mut warnings: Vec<String> = names
        .into_iter()
        .filter(|name| name.starts_with("WARDEN_") && !name.starts_with("WARDEN_LOAD_"))
        .filter(|name| !known.contains(&name.as_str()))
        .map(|name| {
            let hint = crate::util::nearest(&name, known.iter().copied())
                .map(|k| format!("; did you mean {k}?"))
                .unwrap_or_default();
            format!("{name} is not a warden setting and is ignored{hint}")
        })
        .collect();
    warnings.sort();
    warnings
}

pub(super) fn env_var(key: &str) -> String {
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

/// The configuration of the defaults with `vars` as the environment, for tests.
#[cfg(test)]
pub(super) fn with_env(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let env = Environment::from_vars(|var| {
        Ok(vars
            .iter()
            .find(|(name, _)| *name == var)
            .map(|(_, v)| v.to_string()))
    })?;
    Config::layered(None, Some(&env), serde_json::Map::new())
}

/// `name:line`, or `name` when the line is unknown (0).
pub(super) fn at_line(name: &str, line: usize) -> String {
    match line {
        0 => name.to_string(),
        n => format!("{name}:{n}"),
    }
}

/// The 1-based line of byte `offset` in `text`.
pub(super) fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::super::JwtAlgorithm;
    use super::*;
    use std::path::PathBuf;

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
    fn an_unknown_warden_variable_is_warned_about_with_the_nearest_setting() {
        let names = [
            "WARDEN_ACCES_TOKEN_TTL",
            "WARDEN_DB",
            "WARDEN_JWT_SECRET",
            "WARDEN_JWT_SECRET_FILE",
            "WARDEN_ADMIN_PASSWORD",
            "WARDEN_ADMIN_PASSWORD_FILE",
            "WARDEN_LOAD_USERS",
            "WARDEN_QQQQQQQQ",
            "HOME",
        ]
        .map(String::from);
        assert_eq!(
            unknown_env_vars(names),
            vec![
                "WARDEN_ACCES_TOKEN_TTL is not a warden setting and is ignored; did you mean \
                 WARDEN_ACCESS_TOKEN_TTL?",
                "WARDEN_QQQQQQQQ is not a warden setting and is ignored",
            ]
        );
    }
}
