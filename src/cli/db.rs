//! `warden db` (copy a SQLite database into PostgreSQL, set the issuer) and `warden
//! replicas` (the servers running on this database).

use super::exit::{coded, ExitStatus};
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
            force,
        } => copy(from, to, *with_logs, *force, out),
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

fn copy(
    from: &std::path::Path,
    to: &str,
    with_logs: bool,
    force: bool,
    out: &Out,
) -> Result<ExitStatus> {
    // A server live on the source keeps writing (sign-ins, revocations, the logs) after the
    // copy's snapshot: a session revoked there would stay usable in the copy. Refused unless
    // --force, by the heartbeats the servers already record (issue 32).
    // (A missing source is for the copy to report, after the target's check.)
    if !force && from.exists() {
        let live = block(crate::app::copy_source_replicas(from, crate::util::now()))??;
        if !live.is_empty() {
            let servers: Vec<String> = live
                .iter()
                .map(|r| format!("{} (last seen {})", r.address, rfc3339(r.seen_at)))
                .collect();
            return Err(coded(
                "source_in_use",
                format!(
                    "refused: {} server(s) running on {}: {}; stop them first (a change made \
                     after the copy's snapshot would be lost), or pass --force",
                    live.len(),
                    from.display(),
                    servers.join(", ")
                ),
            ));
        }
    }
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
    let now = app.now();
    out.emit(serde_json::to_value(&rows)?, || {
        let mut s = format!(
            "{:<34} {:<22} {:<9} {:<22} {:<10} {:<14} POLICIES\n",
            "ID", "ADDRESS", "VERSION", "STARTED", "LAST SEEN", "POLICY HASH"
        );
        for r in &rows {
            let p = &r.replica;
            s.push_str(&format!(
                "{:<34} {:<22} {:<9} {:<22} {:<10} {:<14} {}\n",
                p.id,
                p.address,
                p.version,
                rfc3339(p.started_at),
                format!("{}s ago", (now - p.seen_at).max(0)),
                p.policy_hash.get(..12).unwrap_or(&p.policy_hash),
                if r.policy_differs { "DIFFERS" } else { "same" }
            ));
        }
        s
    });
    Ok(ExitStatus::Success)
}
