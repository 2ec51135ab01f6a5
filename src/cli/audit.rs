//! `warden audit`: the audit log, newest first, with the admin API's filters.

use super::exit::ExitStatus;
use super::output::Out;
use super::setup::{block, cli_app};
use super::AuditArgs;
use crate::config::Config;
use crate::util::rfc3339;
use anyhow::Result;
use serde_json::Value;

pub(super) fn run(args: &AuditArgs, config: &Config, out: &Out) -> Result<ExitStatus> {
    let limit = super::decisions::checked_limit(args.limit)?;
    let app = cli_app(config, false)?;
    let rows = block(app.list_audit(args.actor.as_deref(), args.action.as_deref(), limit))??;
    out.emit(serde_json::to_value(&rows)?, || {
        let mut s = format!(
            "{:<22} {:<20} {:<18} {:<30} DETAIL\n",
            "AT", "ACTOR", "ACTION", "TARGET"
        );
        for r in &rows {
            let detail = match &r.detail {
                Value::Object(m) if m.is_empty() => String::new(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            s.push_str(&format!(
                "{:<22} {:<20} {:<18} {:<30} {detail}\n",
                rfc3339(r.at),
                r.actor,
                r.action,
                r.target
            ));
        }
        s
    });
    Ok(ExitStatus::Success)
}
