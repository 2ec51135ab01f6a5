//! How `warden policy check` and `test` print what they find, shared with `publish`, which
//! refuses a set with the very same diagnostics.

use super::output::Out;
use serde_json::json;

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
