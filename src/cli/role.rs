//! `warden role`: add, list, remove.

use super::exit::{reworded, ExitStatus};
use super::output::Out;
use super::setup::{block, cli_app, CLI};
use super::RoleCmd;
use crate::app::AppError;
use crate::config::Config;
use anyhow::Result;
use serde_json::json;

pub(super) fn run(cmd: &RoleCmd, config: &Config, out: &Out) -> Result<ExitStatus> {
    let app = cli_app(config, matches!(cmd, RoleCmd::Remove { .. }))?;
    match cmd {
        RoleCmd::Add { name, parents } => {
            let role = block(app.create_role(&CLI, name, parents))??;
            out.emit(serde_json::to_value(&role)?, || {
                format!("created role {}", role.name)
            });
        }
        RoleCmd::List => {
            let all = block(app.list_roles())??;
            out.emit(serde_json::to_value(&all)?, || {
                let mut s = format!("{:<24} {:<30} USERS\n", "ROLE", "PARENTS");
                for r in &all {
                    s.push_str(&format!(
                        "{:<24} {:<30} {}\n",
                        r.name,
                        r.parents.join(","),
                        r.users
                    ));
                }
                s
            });
        }
        RoleCmd::Remove { name, force } => {
            block(app.remove_role(&CLI, name, *force))?.map_err(|e| match e {
                // The core's message is for every caller; here the way out is a flag.
                // Only a role in use has that way out: `--force` cannot keep an administrator.
                e @ AppError::Store(crate::app::StoreError::Conflict(
                    crate::app::Conflict::RoleInUse { .. },
                )) => {
                    let hint =
                        format!("{e}; remove it anyway with `warden role remove {name} --force`");
                    reworded(e, hint)
                }
                other => other.into(),
            })?;
            out.emit(json!({"removed": name}), || format!("removed role {name}"));
        }
    }
    Ok(ExitStatus::Success)
}
