//! Keys, secrets, clients, revocations and the logs: the audit and the decision log, its
//! filters and the indexes that serve them.

use super::*;

on_both! {
/// Keys, secrets, clients, jti revocation, audit and the decision log, through the seam.
async fn keys_secrets_clients_and_logs(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    store.add_key("k1", "EdDSA", b"p1", b"q1", None).await.unwrap();
    store.add_key("k2", "EdDSA", b"p2", b"q2", None).await.unwrap();
    let keys = store.keys().await.unwrap();
    assert_eq!(keys.iter().map(|k| k.kid.as_str()).collect::<Vec<_>>(), ["k2", "k1"]);
    assert!(keys[0].retired_at.is_none() && keys[1].retired_at.is_some());
    assert_eq!(keys[0].private_der, b"p2");
    let s1 = store.secret("hmac", vec![1, 2]).await.unwrap();
    let s2 = store.secret("hmac", vec![3, 4]).await.unwrap();
    assert_eq!((s1.clone(), s2), (vec![1, 2], s1));
    let audit = Audit {
        actor: "cli".into(),
        action: "clients.write".into(),
        target: "client:x".into(),
        detail: serde_json::json!({"change": "create", "name": "svc"}),
        address: "203.0.113.9".into(),
    };
    let (client, key) = store.create_client("svc", Some(&audit)).await.unwrap();
    assert_eq!(store.client_by_key(&key).await.unwrap().unwrap().id, client.id);
    let before = store.current_revision().unwrap();
    store.revoke_client(&client.id, None).await.unwrap();
    assert!(store.current_revision().unwrap() > before);
    assert!(store.client_by_key(&key).await.unwrap().is_none());
    assert_eq!(store.list_clients().await.unwrap().len(), 1);
    store.revoke_jti("j1", store.now() + 60, None).await.unwrap();
    assert!(store.is_jti_revoked("j1").await.unwrap());
    assert!(!store.is_jti_revoked("j2").await.unwrap());
    let rows = store.list_audit(Some("cli"), None, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].action, "clients.write");
    assert_eq!(rows[0].detail, serde_json::json!({"change": "create", "name": "svc"}));
    assert_eq!(rows[0].address, "203.0.113.9");
    let decision = |d: DecisionKind| DecisionRow {
        id: 0,
        at: store.now(),
        request_id: "r".into(),
        client: String::new(),
        principal: "User::\"a\"".into(),
        action: "view".into(),
        resource: "Doc::\"1\"".into(),
        decision: d,
        reasons: vec!["p1".into()],
        errors: vec![],
        latency_us: 5,
        properties: serde_json::json!({"owner": "a"}),
        context: serde_json::Value::Null,
        address: "198.51.100.4".into(),
    };
    store
        .append_decisions(
            &[
                decision(DecisionKind::Allow),
                decision(DecisionKind::Deny),
                decision(DecisionKind::Deny),
            ],
            2,
        )
        .await
        .unwrap();
    let logged = store.list_decisions(None, None, None, None, 10).await.unwrap();
    assert_eq!(logged.len(), 2, "the log keeps the newest `retain` rows");
    assert_eq!(logged[0].properties, serde_json::json!({"owner": "a"}));
    assert_eq!(logged[0].context, serde_json::json!({}));
    assert_eq!(logged[0].address, "198.51.100.4");
    let stats = store.decision_stats(0).await.unwrap();
    assert_eq!((stats.allowed, stats.denied), (0, 2));
    assert_eq!(stats.top_denied, vec![("view".to_string(), 2)]);
}
}

/// A logged row for the decision-log tests.
fn logged(principal: &str, action: &str, decision: DecisionKind, at: i64) -> DecisionRow {
    DecisionRow {
        id: 0,
        at,
        request_id: "r".into(),
        client: String::new(),
        principal: principal.into(),
        action: action.into(),
        resource: "Doc::\"1\"".into(),
        decision,
        reasons: vec![],
        errors: vec![],
        latency_us: 1,
        properties: serde_json::json!({}),
        context: serde_json::json!({}),
        address: String::new(),
    }
}

on_both! {
/// Every filter of the decision log alone and together, plan rows included (the kind is
/// stored as its word and read back as the enum), newest first, with `after_id` as the
/// long-poll uses it and the limit last.
async fn decision_log_filters(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    use DecisionKind::{Allow, Deny, Plan};
    let rows = [
        logged("User::\"a\"", "view", Allow, 100),
        logged("User::\"a\"", "edit", Deny, 100),
        logged("User::\"b\"", "view", Plan, 200),
        logged("User::\"b\"", "edit", Allow, 200),
        logged("User::\"a\"", "view", Plan, 300),
    ];
    store.append_decisions(&rows, 100).await.unwrap();
    let all = store.list_decisions(None, None, None, None, 10).await.unwrap();
    assert_eq!(all.len(), 5);
    assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    let ids = |f: DecisionFilter| {
        let store = store.clone();
        async move {
            let found = store.query_decisions(&DecisionFilter { limit: 10, ..f }).await.unwrap();
            found.iter().map(|r| (r.principal.clone(), r.action.clone(), r.decision, r.at)).collect::<Vec<_>>()
        }
    };
    let plans = ids(DecisionFilter { decision: Some(Plan), ..Default::default() }).await;
    assert_eq!(plans, [
        ("User::\"a\"".to_string(), "view".to_string(), Plan, 300),
        ("User::\"b\"".to_string(), "view".to_string(), Plan, 200),
    ]);
    let of_a = ids(DecisionFilter { principal: Some("User::\"a\"".into()), ..Default::default() }).await;
    assert_eq!(of_a.iter().map(|r| r.3).collect::<Vec<_>>(), [300, 100, 100]);
    let a_views = ids(DecisionFilter {
        principal: Some("User::\"a\"".into()),
        action: Some("view".into()),
        decision: Some(Allow),
        ..Default::default()
    })
    .await;
    assert_eq!(a_views, [("User::\"a\"".to_string(), "view".to_string(), Allow, 100)]);
    let since = ids(DecisionFilter { since: Some(200), action: Some("edit".into()), ..Default::default() }).await;
    assert_eq!(since, [("User::\"b\"".to_string(), "edit".to_string(), Allow, 200)]);
    // The long-poll's shape: only rows after the newest seen, then nothing.
    let newest = all[0].id;
    let after = store
        .query_decisions(&DecisionFilter { after_id: Some(all[2].id), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(after.iter().map(|r| r.id).collect::<Vec<_>>(), [all[0].id, all[1].id]);
    let none = store
        .query_decisions(&DecisionFilter { after_id: Some(newest), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert!(none.is_empty());
    let one = store
        .query_decisions(&DecisionFilter { decision: Some(Deny), limit: 1, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].decision, Deny);
    let stats = store.decision_stats(0).await.unwrap();
    assert_eq!((stats.allowed, stats.denied, stats.last_id), (2, 1, newest));
}
}

/// The decision log's filters are served by its indexes: the SQL built for a filter names
/// only the filters present, and each back end's planner reads the index of the column
/// filtered on (SQLite's plan; PostgreSQL's with sequential scans off, since a tiny table
/// is scanned whatever its indexes), or the key for the long-poll's `id > ?`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decision_log_filters_use_its_indexes() {
    let filter = |f: DecisionFilter| DecisionFilter { limit: 100, ..f };
    let by_principal = filter(DecisionFilter {
        principal: Some("User::\"a\"".into()),
        after_id: Some(7),
        ..Default::default()
    });
    let (sql, values) = by_principal.sql(|n| format!("?{n}"));
    assert!(
        sql.ends_with(" WHERE principal = ?1 AND id > ?2 ORDER BY id DESC LIMIT ?3"),
        "{sql}"
    );
    assert!(!sql.contains("IS NULL"), "{sql}");
    assert_eq!(values.len(), 3);
    let cases = [
        (by_principal.clone(), "decision_log_principal"),
        (
            filter(DecisionFilter {
                action: Some("view".into()),
                ..Default::default()
            }),
            "decision_log_action",
        ),
        (
            filter(DecisionFilter {
                decision: Some(DecisionKind::Plan),
                ..Default::default()
            }),
            "decision_log_decision",
        ),
    ];
    // `since` alone is not among them: newest first with a limit, reading the key backwards
    // until the page is full is the better plan (recent rows pass), and SQLite takes it;
    // the `at` index serves the dashboard's counts.
    // SQLite.
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("w.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let sqlite_plan = |f: &DecisionFilter| {
        let (sql, values) = f.sql(|n| format!("?{n}"));
        let values: Vec<rusqlite::types::Value> = values
            .into_iter()
            .map(|v| match v {
                rows::Bound::Text(t) => t.to_owned().into(),
                rows::Bound::Int(i) => i.into(),
            })
            .collect();
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(values.iter()), |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        plan.join("; ")
    };
    for (f, index) in &cases {
        let plan = sqlite_plan(f);
        assert!(
            plan.contains(index),
            "SQLite reads {index} for {f:?}: {plan}"
        );
    }
    let poll = sqlite_plan(&filter(DecisionFilter {
        after_id: Some(7),
        ..Default::default()
    }));
    assert!(poll.contains("PRIMARY KEY"), "{poll}");
    // PostgreSQL.
    let Some(url) = crate::testkit::database_or_skip("decision_log_filters_use_its_indexes").await
    else {
        return;
    };
    drop(
        Store::open_postgres(&url, crate::clock::system())
            .await
            .unwrap(),
    );
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute("SET enable_seqscan = off")
        .await
        .unwrap();
    for (f, index) in &cases {
        let (sql, values) = f.sql(|n| format!("${n}"));
        let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = values
            .iter()
            .map(|v| match v {
                rows::Bound::Text(t) => t as &(dyn tokio_postgres::types::ToSql + Sync),
                rows::Bound::Int(i) => i as &(dyn tokio_postgres::types::ToSql + Sync),
            })
            .collect();
        let plan: Vec<String> = client
            .query(&format!("EXPLAIN {sql}"), &params)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let plan = plan.join("; ");
        assert!(plan.contains(index), "PostgreSQL plan for {f:?}: {plan}");
        assert!(!plan.contains("Seq Scan"), "{plan}");
    }
}
