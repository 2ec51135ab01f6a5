//! What every command starts from: the configuration, one async runtime, the application
//! core, and the actor its changes are audited under.

use super::{Cli, Command};
use crate::app::{Actor, App};
use crate::config::Config;
use anyhow::{Context as _, Result};
use serde_json::json;

/// The command line as the actor of every change it makes.
pub(super) const CLI: Actor = Actor::Cli;

/// The configuration: defaults < file < environment < the flags given here.
pub(super) fn config(cli: &Cli) -> Result<Config> {
    let mut flags = serde_json::Map::new();
    if let Some(db) = &cli.db {
        flags.insert("db".into(), json!(db));
    }
    if let Some(p) = &cli.policies {
        flags.insert("policies".into(), json!(p));
    }
    if let Command::Serve {
        listen: Some(l), ..
    } = &cli.command
    {
        flags.insert("listen".into(), json!(l));
    }
    let config = Config::load_with_flags(cli.config.as_deref(), flags)?;
    for warning in crate::config::unknown_env_vars(
        std::env::vars_os().filter_map(|(k, _)| k.into_string().ok()),
    ) {
        eprintln!("warning: {warning}");
    }
    Ok(config)
}

/// Run one future of the library to its end (a command is one short run; the store's work
/// goes to the runtime's blocking pool). One runtime serves the whole command, so what the
/// store started on it (PostgreSQL's connections) lives as long as the command.
pub(super) fn block<F: std::future::Future>(f: F) -> Result<F::Output> {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    let runtime = match RUNTIME.get() {
        Some(r) => r,
        None => {
            let built = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            RUNTIME.get_or_init(|| built)
        }
    };
    Ok(runtime.block_on(f))
}

/// The application core over an existing database (see [`App::open_existing`]).
pub(super) fn cli_app(config: &Config, guard: bool) -> Result<App> {
    block(App::open_existing(config, guard))?.map_err(|e| match e {
        crate::app::OpenError::Policies(e) => {
            let message = format!(
                "cannot check that an administrator remains: cannot load the policies in {} ({e}); pass --policies DIR",
                config.policies.display()
            );
            super::exit::reworded(crate::app::OpenError::Policies(e), message)
        }
        other => other.into(),
    })
}
