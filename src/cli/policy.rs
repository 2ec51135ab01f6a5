//! `warden policy`: check (parse and strictly validate), fmt (Cedar's formatter), test (the
//! suites in DIR/tests). A check that finds problems exits 1 with its findings, which are
//! the result (on standard output with `--json`), not a failure of the command.

use super::exit::ExitStatus;
use super::output::Out;
use super::PolicyCmd;
use crate::config::Config;
use crate::engine::load_dir;
use anyhow::{bail, Context as _, Result};
use serde_json::json;
use std::str::FromStr as _;

pub(super) fn run(cmd: &PolicyCmd, config: &Config, out: &Out) -> Result<ExitStatus> {
    let dir_or_default =
        |dir: &Option<std::path::PathBuf>| dir.clone().unwrap_or_else(|| config.policies.clone());
    match cmd {
        PolicyCmd::Check { dir } => policy_check(&dir_or_default(dir), out),
        PolicyCmd::Fmt { check, dir } => policy_fmt(&dir_or_default(dir), *check, out),
        PolicyCmd::Test {
            dir,
            filter,
            coverage,
        } => policy_test(&dir_or_default(dir), filter.clone(), *coverage, out),
        PolicyCmd::Publish { .. }
        | PolicyCmd::Versions
        | PolicyCmd::Show { .. }
        | PolicyCmd::Diff { .. }
        | PolicyCmd::Rollback { .. } => super::publish::run(cmd, config, out),
    }
}

/// Located diagnostics, as `check` prints them (also for a refused publish).
pub(super) fn print_diagnostics(
    diagnostics: &[crate::engine::Diagnostic],
    dir: &std::path::Path,
    out: &Out,
) {
    if out.json {
        out.emit(json!({"ok": false, "errors": diagnostics}), String::new);
    } else {
        for d in diagnostics {
            eprint!("{}", d.render());
        }
        eprintln!(
            "error: {} problem(s) in {}",
            diagnostics.len(),
            dir.display()
        );
    }
}

fn policy_check(dir: &std::path::Path, out: &Out) -> Result<ExitStatus> {
    match load_dir(dir) {
        Ok(bundle) => {
            out.emit(
                json!({"ok": true, "policies": bundle.info, "warnings": bundle.warnings}),
                || {
                    let mut s = String::new();
                    for w in &bundle.warnings {
                        s.push_str(&w.render());
                    }
                    s.push_str(&format!(
                        "ok: {} policies in {} ({})",
                        bundle.info.len(),
                        dir.display(),
                        if bundle.schema.is_some() {
                            "validated against the schema"
                        } else {
                            "no schema"
                        }
                    ));
                    s
                },
            );
            Ok(ExitStatus::Success)
        }
        Err(err) => {
            print_diagnostics(&err.diagnostics, dir, out);
            Ok(ExitStatus::Failure)
        }
    }
}

fn policy_fmt(dir: &std::path::Path, check: bool, out: &Out) -> Result<ExitStatus> {
    let (files, _) = crate::engine::policy_files(dir)?;
    if files.is_empty() {
        bail!("no policy files (*.cedar) in {}", dir.display());
    }
    let style = cedar_policy_formatter::Config::default();
    let mut changed = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let pretty = match cedar_policy_formatter::policies_str_to_pretty(&text, &style) {
            Ok(p) => p,
            Err(e) => {
                // A file that does not parse: the same located diagnostics as `check`.
                let name = path.strip_prefix(dir).unwrap_or(path).display().to_string();
                let diagnostics = match cedar_policy::PolicySet::from_str(&text) {
                    Err(parse) => {
                        crate::engine::diag::from_miette("error", &name, &text, 0, &parse, None)
                    }
                    Ok(_) => vec![crate::engine::Diagnostic::file_error(
                        &name,
                        format!("cannot format: {e}"),
                    )],
                };
                print_diagnostics(&diagnostics, dir, out);
                return Ok(ExitStatus::Failure);
            }
        };
        if pretty != text {
            changed.push(path.display().to_string());
            if !check {
                std::fs::write(path, pretty)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
    }
    out.emit(json!({"check": check, "unformatted": changed}), || {
        match (check, changed.is_empty()) {
            (_, true) => format!("{} file(s) already formatted", files.len()),
            (true, false) => changed
                .iter()
                .map(|f| format!("unformatted: {f}\n"))
                .collect(),
            (false, false) => changed
                .iter()
                .map(|f| format!("formatted: {f}\n"))
                .collect(),
        }
    });
    Ok(if check && !changed.is_empty() {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn policy_test(
    dir: &std::path::Path,
    filter: Option<String>,
    coverage: bool,
    out: &Out,
) -> Result<ExitStatus> {
    let options = crate::policytest::Options { filter };
    let report = match crate::policytest::run(dir, &options) {
        Ok(r) => r,
        Err(diagnostics) => {
            print_diagnostics(&diagnostics, dir, out);
            return Ok(ExitStatus::Failure);
        }
    };
    // Zero cases run is a failure, not a pass: a mistyped --filter or a missing tests/
    // folder would otherwise report "0 passed, 0 failed" and exit 0 in CI.
    if report.results.is_empty() {
        match &options.filter {
            Some(f) => bail!(
                "no test case matches --filter {f:?} in {}",
                dir.join("tests").display()
            ),
            None => bail!(
                "no test cases in {} (see `warden policy test --help` for the format)",
                dir.join("tests").display()
            ),
        }
    }
    let failed = print_test_report(&report, coverage, dir, out);
    Ok(if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// A test run's results, as `test` prints them (also for a publish whose tests fail);
/// whether the run failed.
pub(super) fn print_test_report(
    report: &crate::policytest::Report,
    coverage: bool,
    dir: &std::path::Path,
    out: &Out,
) -> bool {
    let untouched = report.untouched();
    let failed =
        report.failed() > 0 || !report.problems.is_empty() || (coverage && !untouched.is_empty());
    if out.json {
        out.emit(
            json!({
                "passed": report.passed(),
                "failed": report.failed(),
                "errors": report.problems,
                "failures": report.results.iter().filter(|r| !r.passed).collect::<Vec<_>>(),
                "coverage": report.coverage.iter().map(|(id, n)| json!({"policy": id, "cases": n})).collect::<Vec<_>>(),
                "untouched": untouched,
            }),
            String::new,
        );
    } else {
        // The cases that could not run, located, before the results of those that did.
        for d in &report.problems {
            eprint!("{}", d.render());
        }
        for r in report.results.iter().filter(|r| !r.passed) {
            println!("{}", crate::policytest::failure_line(r));
        }
        if coverage {
            println!("coverage (cases that each policy determined):");
            for (id, n) in &report.coverage {
                println!("  {n:>4}  {id}");
            }
            if untouched.is_empty() {
                println!("every policy is covered");
            } else {
                println!("untouched: {}", untouched.join(", "));
            }
        }
        println!("{} passed, {} failed", report.passed(), report.failed());
        if !report.problems.is_empty() {
            eprintln!(
                "error: {} problem(s) in {}: those cases did not run",
                report.problems.len(),
                dir.display()
            );
        }
    }
    failed
}
