//! `warden policy test`: run policy test suites from `DIR/tests/`.
//!
//! Two formats are read:
//! - warden suites, `*.toml`: roles declared once per suite, users as fixtures, cases that
//!   name a principal, an action, a resource, a context and the expected decision (and
//!   optionally the determining policies and the error count). Principals go through
//!   [`crate::identity::principal_from`], the same mapping the server uses.
//! - Cedar's own `cedar run-tests` files, `*.json`, unchanged: requests with explicit
//!   entities. Their reason ids may be warden's or Cedar's default `policy<n>` names.

mod suite;

use crate::engine::{self, Decision, Diagnostic, PolicyBundle};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only cases whose name contains this.
    pub filter: Option<String>,
}

/// The expectation of one case.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Expected {
    pub allowed: bool,
    /// `None` when the case does not check reasons.
    pub reasons: Option<Vec<String>>,
    /// `None` when the case does not check the error count.
    pub errors: Option<usize>,
    /// Cedar's `has_error`: whether there were errors at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_errors: Option<bool>,
}

/// The outcome of one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub file: String,
    pub line: usize,
    pub name: String,
    pub passed: bool,
    pub expected: Expected,
    pub actual: Decision,
}

/// The outcome of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub results: Vec<CaseResult>,
    /// Per policy id, in bundle order: how many cases it determined.
    pub coverage: Vec<(String, usize)>,
    /// Cases (and files) that could not run, located; the others ran (issue 32: one bad
    /// case stopped the whole suite). A report with problems fails the run.
    pub problems: Vec<Diagnostic>,
}

impl Report {
    /// Passed cases.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed).count()
    }

    /// Failed cases.
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }

    /// Policies that no case determined.
    pub fn untouched(&self) -> Vec<&str> {
        self.coverage
            .iter()
            .filter(|(_, n)| *n == 0)
            .map(|(id, _)| id.as_str())
            .collect()
    }
}

/// Runs one case against a bundle.
pub(crate) type CaseFn = Box<dyn Fn(&cedar_policy::Authorizer, &PolicyBundle) -> Decision>;

/// A case prepared to run.
pub(crate) struct Prepared {
    pub file: String,
    pub line: usize,
    pub name: String,
    pub expected: Expected,
    pub run: CaseFn,
}

/// Load the policies of `dir` and run every suite in `dir/tests`. Problems with the policies
/// or the suites themselves (not failing cases) come back as located diagnostics.
pub fn run(dir: &Path, options: &Options) -> Result<Report, Vec<Diagnostic>> {
    let bundle = engine::load_dir(dir).map_err(|e| e.diagnostics)?;
    let tests = dir.join("tests");
    let mut files: Vec<_> = std::fs::read_dir(&tests)
        .map_err(|e| {
            vec![Diagnostic::file_error(
                &tests.display().to_string(),
                format!("cannot read the test directory: {e}"),
            )]
        })?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml" || x == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(vec![Diagnostic::file_error(
            &tests.display().to_string(),
            "no test suites (*.toml or Cedar *.json) in this directory",
        )]);
    }
    let mut suites = Vec::new();
    let mut problems = Vec::new();
    for path in &files {
        let name = path.strip_prefix(dir).unwrap_or(path).display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => suites.push((name, text)),
            Err(e) => problems.push(Diagnostic::file_error(
                &name,
                format!("cannot read file: {e}"),
            )),
        }
    }
    // An unreadable file is reported with the problems of the others.
    match run_sources(&bundle, &suites, options) {
        Ok(mut report) => {
            problems.append(&mut report.problems);
            report.problems = problems;
            Ok(report)
        }
        Err(mut more) => {
            problems.append(&mut more);
            Err(problems)
        }
    }
}

/// Run suites given as `(name, text)` against a loaded bundle: a name ending in `.toml` is a
/// warden suite, any other a Cedar `run-tests` JSON file. What [`run`] does once it has read
/// the directory.
pub fn run_sources(
    bundle: &PolicyBundle,
    suites: &[(String, String)],
    options: &Options,
) -> Result<Report, Vec<Diagnostic>> {
    let mut prepared = Vec::new();
    let mut problems = Vec::new();
    for (name, text) in suites {
        if name.ends_with(".toml") {
            let (cases, mut bad) = suite::prepare_toml(name, text, bundle);
            prepared.extend(cases);
            problems.append(&mut bad);
        } else {
            match suite::prepare_cedar_json(name, text, bundle) {
                Ok(cases) => prepared.extend(cases),
                Err(mut e) => problems.append(&mut e),
            }
        }
    }
    // Nothing can run: the problems are the whole answer.
    if prepared.is_empty() && !problems.is_empty() {
        return Err(problems);
    }
    let authorizer = cedar_policy::Authorizer::new();
    let mut counts: BTreeMap<String, usize> =
        bundle.info.iter().map(|p| (p.id.clone(), 0)).collect();
    let mut results = Vec::new();
    for case in prepared {
        if let Some(f) = &options.filter {
            if !case.name.contains(f.as_str()) {
                continue;
            }
        }
        let actual = (case.run)(&authorizer, bundle);
        for id in &actual.reasons {
            if let Some(n) = counts.get_mut(id) {
                *n += 1;
            }
        }
        let e = &case.expected;
        let passed = actual.allowed == e.allowed
            && e.reasons.as_ref().is_none_or(|r| *r == actual.reasons)
            && e.errors.is_none_or(|n| n == actual.errors.len())
            && e.has_errors.is_none_or(|b| b != actual.errors.is_empty());
        results.push(CaseResult {
            file: case.file,
            line: case.line,
            name: case.name,
            passed,
            expected: case.expected,
            actual,
        });
    }
    let coverage = bundle
        .info
        .iter()
        .map(|p| (p.id.clone(), counts.get(&p.id).copied().unwrap_or(0)))
        .collect();
    Ok(Report {
        results,
        coverage,
        problems,
    })
}

fn decision_word(allowed: bool) -> &'static str {
    if allowed {
        "allow"
    } else {
        "deny"
    }
}

/// One line for a failed case: expected against actual.
pub fn failure_line(r: &CaseResult) -> String {
    let expected = match &r.expected.reasons {
        Some(reasons) => format!(
            "{} [{}]",
            decision_word(r.expected.allowed),
            reasons.join(", ")
        ),
        None => decision_word(r.expected.allowed).to_string(),
    };
    let mut line = format!(
        "FAIL {}:{} \"{}\": expected {expected}, got {} [{}]",
        r.file,
        r.line,
        r.name,
        decision_word(r.actual.allowed),
        r.actual.reasons.join(", ")
    );
    if let Some(n) = r.expected.errors {
        line.push_str(&format!(
            " (expected {n} error(s), got {})",
            r.actual.errors.len()
        ));
    }
    if !r.actual.errors.is_empty() {
        line.push_str(&format!(" errors: {}", r.actual.errors.join("; ")));
    }
    line
}
