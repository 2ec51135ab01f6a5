//! Policy test suites (`warden policy test`): a suite's text run against the shipped
//! policies through the runner the command line uses, as a warden TOML suite and as a Cedar
//! `run-tests` JSON file, then the report printed as the command line prints it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden::engine::{load_sources, PolicyBundle, SHIPPED};
use warden::policytest::{failure_line, run_sources, Options};

fn shipped() -> &'static PolicyBundle {
    static BUNDLE: std::sync::OnceLock<PolicyBundle> = std::sync::OnceLock::new();
    BUNDLE.get_or_init(|| {
        let schema = SHIPPED
            .iter()
            .find(|(name, _)| *name == warden::engine::SCHEMA_FILE)
            .map(|(name, text)| (*name, *text));
        let files: Vec<(String, String)> = SHIPPED
            .iter()
            .filter(|(name, _)| name.ends_with(".cedar"))
            .map(|(name, text)| (name.to_string(), text.to_string()))
            .collect();
        load_sources(schema, &files, None).expect("the shipped policies load")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let bundle = shipped();
    for name in ["tests/fuzz.toml", "tests/fuzz.json"] {
        let suites = vec![(name.to_string(), text.clone())];
        match run_sources(bundle, &suites, &Options::default()) {
            Ok(report) => {
                assert_eq!(report.passed() + report.failed(), report.results.len());
                for r in report.results.iter().filter(|r| !r.passed) {
                    let _ = failure_line(r);
                }
                let _ = report.untouched();
            }
            Err(problems) => {
                assert!(!problems.is_empty(), "a refused suite says why");
                for p in &problems {
                    let _ = p.render();
                }
            }
        }
    }
});
