//! `warden decisions`: the decision log, newest first, with the admin API's filters; with
//! `--follow`, new decisions as they are logged.

use super::exit::{invalid_request, ExitStatus};
use super::output::Out;
use super::setup::{block, cli_app};
use super::DecisionsArgs;
use crate::app::{DecisionFilter, DecisionRow};
use crate::config::Config;
use crate::util::rfc3339;
use anyhow::{Context as _, Result};
use std::io::Write;

fn decision_line(d: &DecisionRow) -> String {
    let why = if d.errors.is_empty() {
        d.reasons.join(",")
    } else {
        format!("errors: {}", d.errors.join("; "))
    };
    format!(
        "{:<22} {:<8} {:<24} {:<28} {:<28} {why}",
        rfc3339(d.at),
        d.decision.as_str(),
        d.principal,
        d.action,
        d.resource
    )
}

/// The principal as the log writes it (`User::"alice"`): a bare user id is a `User`, an
/// entity must parse (issue 32: `--principal alice` matched nothing and printed an empty
/// table, as if no decision had been made).
fn logged_principal(text: &str) -> Result<String> {
    if !text.contains("::") {
        return Ok(format!("User::{:?}", text.trim()));
    }
    let (kind, id) = crate::entity_ref::parse_entity_ref(text).map_err(|e| {
        invalid_request(format!(
            "--principal {text:?}: expected a user id (alice) or an entity (User::\"alice\"): {e}"
        ))
    })?;
    Ok(format!("{kind}::{id:?}"))
}

/// `--limit` as the admin API reads `limit`: 1 or more (more than 1000 gives 1000); 0 or
/// a negative number is refused before the database is opened (issue 32).
pub(super) fn checked_limit(limit: i64) -> Result<i64> {
    if limit < 1 {
        return Err(invalid_request(format!(
            "--limit {limit}: at least 1 (at most 1000 rows are shown)"
        )));
    }
    Ok(limit.min(1000))
}

pub(super) fn run(args: &DecisionsArgs, config: &Config, out: &Out) -> Result<ExitStatus> {
    let limit = checked_limit(args.limit)?;
    let principal = args
        .principal
        .as_deref()
        .map(logged_principal)
        .transpose()?;
    let app = cli_app(config, false)?;
    let since = match &args.since {
        Some(t) => Some(crate::util::parse_time(t).ok_or_else(|| {
            invalid_request(format!(
                "--since {t:?}: expected RFC 3339 (2026-11-27T04:00:00Z) or epoch seconds"
            ))
        })?),
        None => None,
    };
    let filter = |after_id: Option<i64>| DecisionFilter {
        principal: principal.clone(),
        action: args.action.clone(),
        decision: args.decision,
        since,
        after_id,
        limit,
    };
    let rows = block(app.decisions(filter(None)))??;
    let header = format!(
        "{:<22} {:<8} {:<24} {:<28} {:<28} REASONS\n",
        "AT", "DECISION", "PRINCIPAL", "ACTION", "RESOURCE"
    );
    if !args.follow {
        out.emit(serde_json::to_value(&rows)?, || {
            let mut s = header.clone();
            for d in &rows {
                s.push_str(&decision_line(d));
                s.push('\n');
            }
            s
        });
        return Ok(ExitStatus::Success);
    }
    // Follow: oldest first, one line per decision (one JSON object per line with --json),
    // then poll the log for newer rows until interrupted.
    let mut stdout = std::io::stdout().lock();
    if !out.json {
        write!(stdout, "{header}").context("cannot write to standard output")?;
    }
    let mut print = |d: &DecisionRow| -> Result<()> {
        let line = if out.json {
            serde_json::to_string(d)?
        } else {
            decision_line(d)
        };
        writeln!(stdout, "{line}")
            .and_then(|_| stdout.flush())
            .context("cannot write to standard output")
    };
    let mut last = rows.first().map(|d| d.id).unwrap_or(0);
    for d in rows.iter().rev() {
        print(d)?;
    }
    loop {
        let mut newer = block(app.decisions(filter(Some(last))))??;
        if newer.is_empty() {
            std::thread::sleep(std::time::Duration::from_millis(500));
            continue;
        }
        newer.reverse();
        for d in &newer {
            print(d)?;
            last = last.max(d.id);
        }
    }
}
