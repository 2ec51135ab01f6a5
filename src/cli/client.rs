//! `warden client`: add (its key printed once), list, revoke.

use super::exit::ExitStatus;
use super::output::Out;
use super::setup::{block, cli_app, CLI};
use super::ClientCmd;
use crate::config::Config;
use anyhow::Result;
use serde_json::json;

pub(super) fn run(cmd: &ClientCmd, config: &Config, out: &Out) -> Result<ExitStatus> {
    let app = cli_app(config, false)?;
    match cmd {
        ClientCmd::Add { name } => {
            let created = block(app.create_client(&CLI, name))??;
            let (c, key) = (created.client, created.key);
            out.emit(json!({"id": c.id, "name": c.name, "key": key}), || {
                format!(
                    "created client {} ({})\nkey (shown once, store it now): {key}",
                    c.name, c.id
                )
            });
        }
        ClientCmd::List => {
            let all = block(app.list_clients())??;
            out.emit(serde_json::to_value(&all)?, || {
                let mut s = format!("{:<34} {:<24} STATUS\n", "ID", "NAME");
                for c in &all {
                    s.push_str(&format!(
                        "{:<34} {:<24} {}\n",
                        c.id,
                        c.name,
                        if c.revoked_at.is_some() {
                            "revoked"
                        } else {
                            "active"
                        }
                    ));
                }
                s
            });
        }
        ClientCmd::Revoke { id } => {
            let c = block(app.revoke_client(&CLI, id))??;
            out.emit(serde_json::to_value(&c)?, || format!("revoked client {id}"));
        }
    }
    Ok(ExitStatus::Success)
}
