//! The decision and audit log sinks on a real server (issue 31): masked entries in the
//! database and in a JSON-lines file, audit rows of admin changes in another.

use super::*;

fn read_lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn masked_decisions_reach_the_database_and_the_file_and_audit_rows_their_file() {
    let dir = tempfile::tempdir().unwrap();
    let decisions = dir.path().join("decisions.jsonl");
    let audit = dir.path().join("audit.jsonl");
    let (d, a) = (decisions.clone(), audit.clone());
    let app = spawn_app_with(move |c| {
        c.decision_log_sinks = vec![format!("file:{}", d.display())];
        c.decision_log_mask = vec!["context.ssn".into(), "properties.salary".into()];
        c.audit_log_sinks = vec![format!("file:{}", a.display())];
        c.audit_log_mask = vec!["detail.name".into()];
    });
    let admin = app.admin_token();
    let body = json!({
        "action": "deleteUserResource",
        "resource": {"type": "UserResource", "id": "r1", "properties": {"salary": 90000}},
        "context": {"ssn": "123-45-6789"},
    });
    let answer = authorize(&app, &admin, &body);
    assert_eq!(answer.status, 200, "{}", answer.text);
    wait_for("the decision in the file", || {
        read_lines(&decisions).len() == 1
    });
    let line = &read_lines(&decisions)[0];
    assert_eq!(line["context"]["ssn"], "***");
    assert_eq!(line["properties"]["salary"], "***");
    assert_eq!(line["principal"], "User::\"admin\"");
    assert!(!line.to_string().contains("123-45-6789"));
    let rows = block(
        app.state
            .app
            .store()
            .list_decisions(None, None, None, None, 10),
    )
    .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].context["ssn"], "***", "masked in the database too");
    assert_eq!(rows[0].properties["salary"], "***");

    let made = app.call(
        "post",
        "/admin/v1/roles",
        Some(&json!({"name": "AUDITED"})),
        Some(&admin),
    );
    assert!(made.status < 300, "{}", made.text);
    wait_for("the audit row in the file", || {
        read_lines(&audit).iter().any(|row| {
            row["target"]
                .as_str()
                .is_some_and(|t| t.contains("AUDITED"))
        })
    });
    // The admin change was a decision too (logged, as admin writes are).
    wait_for("the sinks' counts", || {
        let metrics = app.get("/metrics", None).text;
        metrics.contains("warden_log_sink_sent_total{log=\"audit\",sink=\"file\"} 1")
            && metrics.contains("warden_log_sink_sent_total{log=\"decision\",sink=\"file\"} 2")
            && metrics.contains("warden_log_sink_dropped_total{log=\"decision\",sink=\"file\"} 0")
    });
}

#[test]
fn a_bad_sink_or_masking_rule_is_refused_at_start_up() {
    for (sinks, mask, reason) in [
        (
            vec!["syslog"],
            vec![],
            "decision_log_sinks: \"syslog\" is not a sink",
        ),
        (
            vec![],
            vec!["ssn"],
            "decision_log_mask: \"ssn\": must be a field under context or properties",
        ),
    ] {
        let config = warden::config::Config {
            decision_log_sinks: sinks.iter().map(|s| s.to_string()).collect(),
            decision_log_mask: mask.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        let err = config.check().unwrap_err().to_string();
        assert!(err.contains(reason), "{err}");
    }
}
