//! `warden serve`: the HTTP server, or with `--print-config` the effective configuration.

use super::exit::ExitStatus;
use super::init::{announce, shipped_policies};
use super::output::Out;
use crate::config::Config;
use anyhow::{Context as _, Result};

pub(super) fn run(mut config: Config, print_config: bool, out: &Out) -> Result<ExitStatus> {
    config.check()?;
    if print_config {
        // Show the issuer that will be used, derived or not.
        config.public_url = config.base_url();
        out.emit(serde_json::to_value(config.masked())?, || {
            config.to_masked_toml()
        });
        return Ok(ExitStatus::Success);
    }
    init_logging(&config)?;
    shipped_policies(&config)?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = crate::server::bind(&mut config).await?;
        let (state, boot) = crate::server::AppState::build(config).await?;
        announce(&boot);
        crate::server::serve(state, listener).await
    })?;
    Ok(ExitStatus::Success)
}

/// The server's logging: the filter from `RUST_LOG`, else `WARDEN_LOG`, else `log_level`
/// (`info` writes one access-log line per request, target `warden::access`); lines as text
/// or JSON (`log_format`) on standard error, without ANSI colour unless standard error is a
/// terminal (escapes in a log file or a collector's input are noise at best).
///
/// A `RUST_LOG` or `WARDEN_LOG` that is set but not a filter is refused, like any other
/// setting that is not understood: an operator who asked for logs must not get none.
fn init_logging(config: &Config) -> Result<()> {
    use std::io::IsTerminal as _;
    use tracing_subscriber::EnvFilter;
    let mut filter = None;
    for var in ["RUST_LOG", "WARDEN_LOG"] {
        if let Some(value) = std::env::var_os(var) {
            let value = value.to_string_lossy();
            let parsed = EnvFilter::try_new(&*value).with_context(|| format!("{var}={value:?}"))?;
            filter = Some(parsed);
            break;
        }
    }
    let filter = match filter {
        Some(f) => f,
        None => EnvFilter::try_new(&config.log_level).context("log_level")?,
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let installed = match config.log_format {
        crate::config::LogFormat::Text => builder.try_init(),
        crate::config::LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
    };
    // Already set (a second server in one process): its logging stays as it is.
    drop(installed);
    Ok(())
}
