//! The impact preview (issue 29): replaying 100,000 logged decisions against the active set
//! and a candidate (the active set plus one forbid), as a publish does before it activates.
//!
//! The traffic: 300 users holding USER, some also ADMIN (the role hierarchy as shipped),
//! asking the shipped demo app's RBAC and ownership questions (`readDocument`,
//! `editDocument`, `viewDocument` on owned and team documents, `deleteUserResource`), with
//! properties and a context as the log keeps them. Target: a few seconds in a release build.
//! Measured (2 cores shared with other builds, load ~6): one pass over 100,000 rows 3.9 s;
//! criterion over 20,000 rows 0.73 s (so ~3.7 s per 100,000).
//!
//! `cargo bench --bench impact`: one timed pass over the 100,000 rows (printed), then
//! criterion's estimate over the newest 20,000 (a handful of samples: well under a minute).

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::hint::black_box;
use std::time::{Duration, Instant};
use warden::app::{replay, DecisionRow};
use warden::engine::{load_dir, PolicyBundle, Principal};
use warden::model::DecisionKind;

const ROWS: usize = 100_000;
const USERS: usize = 300;

fn bundles() -> (PolicyBundle, PolicyBundle) {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let active = dir.path().join("active");
    warden::engine::create_shipped(&active).expect("shipped policies");
    let candidate = dir.path().join("candidate");
    warden::engine::create_shipped(&candidate).expect("shipped policies");
    std::fs::write(
        candidate.join("freeze.cedar"),
        "@id(\"freeze-edits\")\nforbid(principal, action == Action::\"editDocument\", resource)\n  unless { principal in Role::\"ADMIN\" };\n",
    )
    .expect("candidate forbid");
    (
        load_dir(&active).expect("active set"),
        load_dir(&candidate).expect("candidate set"),
    )
}

fn directory() -> HashMap<String, Principal> {
    let graph = BTreeMap::from([
        ("USER".to_string(), vec![]),
        ("ADMIN".to_string(), vec!["USER".to_string()]),
    ]);
    (0..USERS)
        .map(|i| {
            let id = format!("u{i:04}");
            let roles = if i % 25 == 0 {
                vec!["ADMIN".to_string()]
            } else {
                vec!["USER".to_string()]
            };
            let p = warden::identity::principal_from(
                &id,
                &format!("{id}@example.com"),
                &id,
                Default::default(),
                &roles,
                &graph,
            );
            (id, p)
        })
        .collect()
}

/// Synthetic log rows, newest first, deterministic.
fn rows() -> Vec<DecisionRow> {
    let mut state: u64 = 0x2900_0029;
    let mut next = move || {
        // xorshift64: no dependency, same traffic every run.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..ROWS)
        .map(|n| {
            let who = format!("u{:04}", next() as usize % USERS);
            let owner = format!("u{:04}", next() as usize % USERS);
            let (action, resource, properties) = match next() % 5 {
                0 => (
                    "readDocument",
                    format!("Document::\"d{}\"", next() % 5_000),
                    json!({"owner": {"type": "User", "id": owner}}),
                ),
                1 | 2 => (
                    "editDocument",
                    format!("Document::\"d{}\"", next() % 5_000),
                    json!({"owner": {"type": "User", "id": if next() % 2 == 0 { who.clone() } else { owner }}}),
                ),
                3 => (
                    "viewDocument",
                    format!("Document::\"d{}\"", next() % 5_000),
                    json!({"owner": {"type": "User", "id": owner}, "team": {"type": "Role", "id": "USER"}}),
                ),
                _ => (
                    "deleteUserResource",
                    format!("UserResource::\"r{}\"", next() % 5_000),
                    json!({"ownerID": format!("{owner}@example.com")}),
                ),
            };
            DecisionRow {
                id: (ROWS - n) as i64,
                at: 1_767_225_600 - n as i64,
                request_id: format!("r{n}"),
                client: format!("user:{who}"),
                principal: format!("User::{who:?}"),
                action: action.to_string(),
                resource,
                decision: if next() % 2 == 0 {
                    DecisionKind::Allow
                } else {
                    DecisionKind::Deny
                },
                reasons: vec![],
                errors: vec![],
                latency_us: 10,
                properties,
                context: json!({}),
                address: String::new(),
            }
        })
        .collect()
}

fn impact(c: &mut Criterion) {
    let (active, candidate) = bundles();
    let directory = directory();
    let rows = rows();
    let principal_of = |key: &str| directory.get(key).cloned();

    // One pass shown as a figure (criterion's estimate follows).
    let started = Instant::now();
    let report = replay(&rows, &principal_of, &active, &candidate);
    eprintln!(
        "impact: {} rows replayed in {:.2?} ({} allow->deny, {} deny->allow, {} drifted, {} groups)",
        report.replayed,
        started.elapsed(),
        report.allow_to_deny,
        report.deny_to_allow,
        report.drifted,
        report.groups.len()
    );
    assert_eq!(report.replayed, ROWS as u64);
    assert!(report.allow_to_deny > 0);

    let mut group = c.benchmark_group("impact");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(10));
    // Criterion samples the newest 20,000 rows (the cost is linear in the rows; ten
    // samples of 100,000 would take over a minute on a busy 2-core machine): x5 for 100k.
    let newest = &rows[..ROWS / 5];
    group.bench_function("replay_20k", |b| {
        b.iter(|| black_box(replay(newest, &principal_of, &active, &candidate)))
    });
    group.finish();
}

criterion_group!(benches, impact);
criterion_main!(benches);
