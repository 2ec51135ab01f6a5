//! `warden policy publish | versions | show | diff | rollback`: published policy sets
//! (issue 29). Each is one call into the core (`App::publish_policies`, ...) as the actor
//! `cli`; this file reads the directory, prints the results and writes an export.
//!
//! A publish first checks and tests the directory here, with `check`'s and `test`'s own
//! printers, so that a refusal shows the very diagnostics those commands show (located,
//! with carets); the core then validates and tests again and stays the one that decides
//! (a set that passes here can still be refused there: no administrator left, too many
//! flips, a lost race), and nothing is activated on any refusal.

use super::exit::{coded, invalid_request, ExitStatus};
use super::output::Out;
use super::policy::{print_diagnostics, print_test_report};
use super::setup::{block, cli_app, CLI};
use super::PolicyCmd;
use crate::app::PolicyRefusal;
use crate::config::Config;
use crate::publishing::{
    ImpactReport, PolicyDiff, PolicyFiles, PublishOutcome, PublishPolicies, RollbackPolicies,
};
use crate::util::rfc3339;
use anyhow::{Context as _, Result};
use serde_json::json;
use std::io::IsTerminal as _;
use std::path::Path;

pub(super) fn run(cmd: &PolicyCmd, config: &Config, out: &Out) -> Result<ExitStatus> {
    match cmd {
        PolicyCmd::Publish {
            dir,
            message,
            dry_run,
            max_changes,
            replay,
        } => {
            let files = match checked_set(dir, out)? {
                Ok(files) => files,
                Err(refusal) => {
                    let what = match refusal {
                        PolicyRefusal::TestsFailed => "its policy tests do not pass",
                        _ => "it does not pass `warden policy check`",
                    };
                    return Err(coded(
                        refusal.code(),
                        format!(
                            "publish refused: {what} ({}); nothing was activated",
                            dir.display()
                        ),
                    ));
                }
            };
            let request = PublishPolicies {
                files,
                message: message.clone(),
                dry_run: *dry_run,
                max_changes: *max_changes,
                replay: *replay,
            };
            let app = cli_app(config, true)?;
            let outcome = block(app.publish_policies(&CLI, request))??;
            print_outcome(&outcome, out)?;
        }
        PolicyCmd::Rollback {
            number: version,
            message,
            dry_run,
            max_changes,
            replay,
        } => {
            let request = RollbackPolicies {
                version: *version,
                message: message.clone(),
                dry_run: *dry_run,
                max_changes: *max_changes,
                replay: *replay,
            };
            let app = cli_app(config, true)?;
            let outcome = block(app.rollback_policies(&CLI, request))??;
            print_outcome(&outcome, out)?;
        }
        PolicyCmd::Versions => {
            let app = cli_app(config, false)?;
            let list = block(app.policy_versions(&CLI))??;
            out.emit(serde_json::to_value(&list)?, || {
                if list.versions.is_empty() {
                    return format!(
                        "no published versions (policy_source = \"{}\")",
                        list.source.as_str()
                    );
                }
                let mut s = format!(
                    "{:<8} {:<6} {:<21} {:<20} {:<13} {:<12} MESSAGE\n",
                    "VERSION", "ACTIVE", "CREATED", "AUTHOR", "HASH", "ROLLBACK OF"
                );
                for v in &list.versions {
                    s.push_str(&format!(
                        "{:<8} {:<6} {:<21} {:<20} {:<13} {:<12} {}\n",
                        v.version,
                        if v.active { "*" } else { "" },
                        rfc3339(v.created_at),
                        v.author,
                        short_hash(&v.hash),
                        v.rollback_of.map(|r| r.to_string()).unwrap_or_default(),
                        one_line(&v.message)
                    ));
                }
                s
            });
        }
        PolicyCmd::Show {
            number: version,
            export,
            force,
        } => {
            let app = cli_app(config, false)?;
            let detail = block(app.policy_version(&CLI, *version))??;
            if let Some(to) = export {
                export_files(&detail.files, to, *force)?;
                out.emit(
                    json!({"version": detail.version, "exported_to": to, "files": detail.files.keys().collect::<Vec<_>>()}),
                    || {
                        format!(
                            "exported version {} ({} files) to {}",
                            detail.version.version,
                            detail.files.len(),
                            to.display()
                        )
                    },
                );
            } else {
                out.emit(serde_json::to_value(&detail)?, || {
                    let v = &detail.version;
                    let mut s = format!(
                        "version {}{}, {} by {}: {}\nhash {}\n",
                        v.version,
                        if v.active { " (active)" } else { "" },
                        rfc3339(v.created_at),
                        v.author,
                        one_line(&v.message),
                        v.hash
                    );
                    if let Some(of) = v.rollback_of {
                        s.push_str(&format!("rollback of version {of}\n"));
                    }
                    s.push_str("files:\n");
                    for (name, text) in &detail.files {
                        s.push_str(&format!("  {name} ({} bytes)\n", text.len()));
                    }
                    s
                });
            }
        }
        PolicyCmd::Diff { from, to } => {
            let app = cli_app(config, false)?;
            let diff = block(app.policy_diff(&CLI, *from, *to))??;
            let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            out.emit(serde_json::to_value(&diff)?, || diff_text(&diff, colour));
        }
        PolicyCmd::Check { .. } | PolicyCmd::Fmt { .. } | PolicyCmd::Test { .. } => {
            return Err(anyhow::anyhow!("not a publishing command"));
        }
    }
    Ok(ExitStatus::Success)
}

/// The files of the policy set in `dir` (as [`crate::engine::read_dir_files`] reads a
/// directory), when it passes `check` and its tests pass; else why not (the core's refusal
/// codes), after printing the diagnostics as `check` and `test` do.
fn checked_set(dir: &Path, out: &Out) -> Result<Result<PolicyFiles, PolicyRefusal>> {
    if let Err(e) = crate::engine::load_dir(dir) {
        print_diagnostics(&e.diagnostics, dir, out);
        return Ok(Err(PolicyRefusal::Invalid));
    }
    let files = match crate::engine::read_dir_files(dir) {
        Ok(files) => files,
        Err(e) => {
            print_diagnostics(&e.diagnostics, dir, out);
            return Ok(Err(PolicyRefusal::Invalid));
        }
    };
    if files.keys().any(|name| name.starts_with("tests/")) {
        let report = match crate::policytest::run(dir, &crate::policytest::Options::default()) {
            Ok(report) => report,
            Err(diagnostics) => {
                print_diagnostics(&diagnostics, dir, out);
                return Ok(Err(PolicyRefusal::TestsFailed));
            }
        };
        if report.failed() > 0 || !report.problems.is_empty() {
            print_test_report(&report, false, dir, out);
            return Ok(Err(PolicyRefusal::TestsFailed));
        }
    }
    Ok(Ok(files))
}

/// Write `files` into `to`: created when missing, refused when it holds anything unless
/// `force` (then files of the same name are written over and others left as they are).
///
/// Security: the names come from the store. [`crate::engine::write_dir_files`] checks every
/// one ([`crate::engine::SetFile::of`]: no `..`, no absolute path, no sub-directory but
/// `tests/`) before it writes anything, so a stored name cannot point outside `to`.
fn export_files(files: &PolicyFiles, to: &Path, force: bool) -> Result<()> {
    if to.exists() {
        if !to.is_dir() {
            return Err(invalid_request(format!(
                "--export {}: not a directory",
                to.display()
            )));
        }
        let empty = std::fs::read_dir(to)
            .with_context(|| format!("cannot read {}", to.display()))?
            .next()
            .is_none();
        if !empty && !force {
            return Err(invalid_request(format!(
                "--export {}: the directory is not empty; add --force to write into it",
                to.display()
            )));
        }
    }
    crate::engine::write_dir_files(to, files).map_err(|e| {
        let why: Vec<String> = e.diagnostics.iter().map(|d| d.render()).collect();
        coded(
            "failure",
            format!(
                "cannot export to {}: {}",
                to.display(),
                why.join(" ").trim()
            ),
        )
    })
}

/// A publish's or rollback's outcome: what passed, the impact, and what was done.
fn print_outcome(outcome: &PublishOutcome, out: &Out) -> Result<()> {
    out.emit(serde_json::to_value(outcome)?, || {
        let mut s = format!(
            "validation: ok, {} policies\ntests: {} passed\n",
            outcome.policies, outcome.tests_passed
        );
        s.push_str(&impact_text(&outcome.impact));
        match (outcome.activated, outcome.version) {
            (true, Some(v)) => s.push_str(&format!("published version {v} (active)\n")),
            (true, None) => s.push_str("published (active)\n"),
            (false, _) => s.push_str("dry run: nothing activated\n"),
        }
        s
    });
    Ok(())
}

/// The impact preview in words: the counts, then the flips grouped by policy, then what
/// replay cannot know.
fn impact_text(impact: &ImpactReport) -> String {
    let mut s = format!(
        "impact: {} logged decisions replayed: {} allow -> deny, {} deny -> allow\n",
        impact.replayed, impact.allow_to_deny, impact.deny_to_allow
    );
    for group in &impact.groups {
        s.push_str(&format!(
            "  {}: {} allow -> deny, {} deny -> allow\n",
            group.policy, group.allow_to_deny, group.deny_to_allow
        ));
        for r in &group.requests {
            s.push_str(&format!(
                "    #{} {} {} {} {}: {} -> {}\n",
                r.decision_id,
                rfc3339(r.at),
                r.principal,
                r.action,
                r.resource,
                r.before,
                r.after
            ));
        }
    }
    if impact.drifted > 0 || impact.capped > 0 {
        s.push_str(&format!(
            "  {} drifted (decided differently now than when logged), {} with capped properties\n",
            impact.drifted, impact.capped
        ));
    }
    for caveat in &impact.caveats {
        s.push_str(&format!("  note: {caveat}\n"));
    }
    s
}

/// The diff as text: each file's unified diff, coloured on a terminal.
fn diff_text(diff: &PolicyDiff, colour: bool) -> String {
    if diff.files.is_empty() {
        return format!("versions {} and {} hold the same files", diff.from, diff.to);
    }
    let mut s = String::new();
    for file in &diff.files {
        for line in file.diff.lines() {
            let paint = if !colour {
                None
            } else if line.starts_with("+++") || line.starts_with("---") {
                Some("1")
            } else if line.starts_with("@@") {
                Some("36")
            } else if line.starts_with('+') {
                Some("32")
            } else if line.starts_with('-') {
                Some("31")
            } else {
                None
            };
            match paint {
                Some(code) => s.push_str(&format!("\x1b[{code}m{line}\x1b[0m\n")),
                None => {
                    s.push_str(line);
                    s.push('\n');
                }
            }
        }
    }
    s
}

fn short_hash(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// A message on one line of a table (control characters shown as spaces).
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grammar_holds_together() {
        // clap checks a command's definition only when that command is parsed: a clash
        // (an argument named `version` beside `--version`) would panic at run time.
        use clap::CommandFactory as _;
        super::super::Cli::command().debug_assert();
    }

    #[test]
    fn a_diff_is_coloured_only_when_asked() {
        let diff = PolicyDiff {
            from: 1,
            to: 2,
            files: vec![crate::publishing::PolicyFileDiff {
                file: "a.cedar".into(),
                change: crate::publishing::FileChange::Changed,
                diff: "--- a.cedar\n+++ a.cedar\n@@ -1 +1 @@\n-old\n+new\n".into(),
            }],
        };
        let plain = diff_text(&diff, false);
        assert!(!plain.contains('\x1b'));
        assert!(plain.contains("-old\n+new\n"));
        let coloured = diff_text(&diff, true);
        assert!(coloured.contains("\x1b[32m+new\x1b[0m"));
    }
}
