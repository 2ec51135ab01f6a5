//! deploy/grafana/warden.json queries only series that a real server exposes: every metric
//! name in its expressions (and its variables' queries) is in the /metrics answer of a
//! server started here.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeSet;

/// The series of issue 31's operations branch (HTTP, process, build). Until that work is on
/// the same branch as this test they may be missing, all together; once one of them is
/// served, every name is checked.
const FROM_THE_OPERATIONS_BRANCH: [&str; 6] = [
    "warden_build",
    "warden_http_requests_total",
    "warden_http_request_duration_seconds_bucket",
    "process_resident_memory_bytes",
    "process_cpu_seconds_total",
    "process_open_fds",
];

fn queries(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("expr" | "definition", Value::String(text)) => out.push(text.clone()),
                    _ => queries(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| queries(v, out)),
        _ => {}
    }
}

/// The metric names in PromQL text: words starting `warden_` or `process_`.
fn metric_names(expr: &str) -> BTreeSet<String> {
    expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("warden_") || w.starts_with("process_"))
        .map(str::to_string)
        .collect()
}

/// Every name /metrics can answer for: its series, and the families declared by `# TYPE`
/// (a family with no series yet, such as the log sinks without sinks) with the suffixes
/// its series take.
fn exposed(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut parts = rest.split_whitespace();
            let (Some(name), Some(kind)) = (parts.next(), parts.next()) else {
                continue;
            };
            let suffixes: &[&str] = match kind {
                "counter" if !name.ends_with("_total") => &["_total"],
                "histogram" => &["_bucket", "_sum", "_count"],
                _ => &[""],
            };
            for suffix in suffixes {
                names.insert(format!("{name}{suffix}"));
            }
        } else if !line.starts_with('#') {
            if let Some(name) = line.split(['{', ' ']).next() {
                names.insert(name.to_string());
            }
        }
    }
    names
}

#[test]
fn every_metric_the_dashboard_queries_is_served() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/grafana/warden.json");
    let dashboard: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(dashboard["uid"], "warden-overview");
    let mut ids = BTreeSet::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        assert!(
            ids.insert(panel["id"].as_u64().unwrap()),
            "panel ids are unique"
        );
    }
    let mut texts = Vec::new();
    queries(&dashboard, &mut texts);
    let wanted: BTreeSet<String> = texts.iter().flat_map(|t| metric_names(t)).collect();
    assert!(wanted.len() >= 15, "{wanted:?}");

    // With a sink, so that the sink series have their first label set (a family without
    // one is not served at all).
    let dir = tempfile::tempdir().unwrap();
    let file = format!("file:{}", dir.path().join("decisions.jsonl").display());
    let app = spawn_app_with(move |c| c.decision_log_sinks = vec![file]);
    // A request first, so that per-request series have a label set when scraped.
    assert_eq!(app.get("/healthz", None).status, 200);
    let answer = app.get("/metrics", None);
    assert_eq!(answer.status, 200);
    let served = exposed(&answer.text);
    let operations_branch_here = FROM_THE_OPERATIONS_BRANCH
        .iter()
        .any(|name| served.contains(*name));
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|name| !served.contains(*name))
        .filter(|name| {
            operations_branch_here || !FROM_THE_OPERATIONS_BRANCH.contains(&name.as_str())
        })
        .collect();
    assert!(
        missing.is_empty(),
        "the dashboard queries series /metrics does not serve: {missing:?}\n{}",
        answer.text
    );
}
