//! How a configuration is assembled: defaults < `warden.toml` < `WARDEN_*` < flags, one
//! figment, its errors explained ([`super::explain`]).

use super::explain::explain;
use super::sources::{defaults, Environment, TomlFile};
use super::{Config, ConfigError, SECRET_KEYS};
use figment::providers::Serialized;
use figment::Figment;
use std::path::Path;

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

    pub(super) fn layered(
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
    pub(super) fn keys() -> Vec<String> {
        let mut keys: Vec<String> = defaults().keys().cloned().collect();
        for secret in SECRET_KEYS {
            if !keys.iter().any(|k| k == secret) {
                keys.push(secret.into());
            }
        }
        keys
    }
}
