//! `warden db` (copy a SQLite database into PostgreSQL, set the issuer) and `warden
//! replicas` (the servers running on this database).

use super::exit::ExitStatus;
use super::output::Out;
use super::setup::{block, cli_app};
use super::DbCmd;
use crate::config::Config;
use crate::util::rfc3339;
use anyhow::Result;
use serde_json::json;

pub(super) fn run(cmd: &DbCmd, config: &Config, out: &Out) -> Result<ExitStatus> {
    match cmd {
        DbCmd::Copy {
            from,
            to,
            with_logs,
        } => copy(from, to, *with_logs, out),
        DbCmd::SetIssuer { url } => {
            let app = cli_app(config, false)?;
            block(app.set_issuer(url))??;
            out.emit(json!({"issuer": url.trim().trim_end_matches('/')}), || {
                format!(
                    "issuer set to {}: start every server with public_url = that URL\n",
                    url.trim().trim_end_matches('/')
                )
            });
            Ok(ExitStatus::Success)
        }
    }
}

fn copy(from: &std::path::Path, to: &str, with_logs: bool, out: &Out) -> Result<ExitStatus> {
    let report = block(crate::app::copy_database(from, to, with_logs))??;
    out.emit(
        json!({"from": from, "to": crate::app::shown_db(to), "tables": report.iter().map(|(t, n)| json!({"table": t, "rows": n})).collect::<Vec<_>>()}),
        || {
            let mut s = format!(
                "copied {} into {} (counts verified)\n",
                from.display(),
                crate::app::shown_db(to)
            );
            for (table, n) in &report {
                s.push_str(&format!("{table:<16} {n}\n"));
            }
            s
        },
    );
    Ok(ExitStatus::Success)
}

pub(super) fn replicas(config: &Config, out: &Out) -> Result<ExitStatus> {
    let app = cli_app(config, false)?;
    let rows = block(app.replicas())??;
    out.emit(serde_json::to_value(&rows)?, || {
        let mut s = format!(
            "{:<34} {:<22} {:<9} {:<22} {:<14} POLICIES\n",
            "ID", "ADDRESS", "VERSION", "STARTED", "POLICY HASH"
        );
        for r in &rows {
            let p = &r.replica;
            s.push_str(&format!(
                "{:<34} {:<22} {:<9} {:<22} {:<14} {}\n",
                p.id,
                p.address,
                p.version,
                rfc3339(p.started_at),
                p.policy_hash.get(..12).unwrap_or(&p.policy_hash),
                if r.policy_differs { "DIFFERS" } else { "same" }
            ));
        }
        s
    });
    Ok(ExitStatus::Success)
}
