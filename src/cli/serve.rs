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
