//! The impact preview over a real SQLite store.

use super::*;

/// `impact_of` on a real SQLite store with the shipped policies: real logged rows, the
/// directory read from the store, plans left out of the limit.
#[tokio::test]
async fn impact_of_replays_the_latest_logged_decisions_from_the_store() {
    let dir = tempfile::TempDir::new().unwrap();
    let policies = dir.path().join("policies");
    crate::engine::create_shipped(&policies).unwrap();
    let config = Config {
        db: dir.path().join("warden.db"),
        policies: policies.clone(),
        watch_policies: false,
        ..Config::default()
    };
    let clock = crate::clock::ManualClock::at_ms(1_767_225_600_000);
    let (opened, _) = App::open(config, clock).await.unwrap();
    let app = opened.app;
    for (id, roles) in [("kim", vec!["USER"]), ("lee", vec!["USER"])] {
        app.create_user(
            &Actor::Cli,
            UserInput {
                id: Some(id.into()),
                email: format!("{id}@example.com"),
                name: id.into(),
                roles: roles.into_iter().map(String::from).collect(),
                password: None,
            },
        )
        .await
        .unwrap();
    }
    let logged = |id: i64, who: &str, owner: &str, decision: DecisionKind| DecisionRow {
        id: 0,
        at: 1_767_225_600 + id,
        request_id: format!("r{id}"),
        client: format!("user:{who}"),
        principal: format!("User::{who:?}"),
        action: "readDocument".into(),
        resource: format!("Document::\"doc{id}\""),
        decision,
        reasons: vec![],
        errors: vec![],
        latency_us: 5,
        properties: json!({"owner": {"type": "User", "id": owner}}),
        context: json!({}),
        address: "127.0.0.1".into(),
    };
    let mut rows = vec![
        logged(1, "kim", "kim", Allow),
        logged(2, "lee", "kim", Allow),
        logged(3, "kim", "kim", Allow),
        logged(4, "gone", "gone", Allow),
        logged(5, "lee", "lee", Allow),
    ];
    let mut plan = logged(6, "kim", "kim", Plan);
    plan.resource = "Document::\"*\"".into();
    rows.push(plan);
    app.append_decisions(&rows, 1_000).await.unwrap();

    let mut files: Vec<(String, String)> = Vec::new();
    let mut schema = None;
    for entry in std::fs::read_dir(&policies).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if name.ends_with(".cedarschema") {
            schema = Some((name, text));
        } else if name.ends_with(".cedar") {
            files.push((name, text));
        }
    }
    files.push((
        "zz.cedar".into(),
        "@id(\"no-kim\")\nforbid(principal == User::\"kim\", action, resource);".into(),
    ));
    let candidate = Arc::new(
        load_sources(
            schema.as_ref().map(|(n, t)| (n.as_str(), t.as_str())),
            &files,
            None,
        )
        .unwrap(),
    );

    // The latest 4 decisions: plans do not count, so rows 5, 4, 3, 2.
    let r = app.impact_of(candidate.clone(), 4).await.unwrap();
    assert_eq!(
        (r.replayed, r.allow_to_deny, r.deny_to_allow),
        (4, 1, 0),
        "{r:#?}"
    );
    assert_eq!(r.drifted, 1, "gone is no longer in the directory: {r:#?}");
    let g = group(&r, "no-kim");
    assert_eq!(g.requests.len(), 1);
    assert_eq!(g.requests[0].principal, "User::\"kim\"");
    assert_eq!(g.requests[0].resource, "Document::\"doc3\"");

    let all = app.impact_of(candidate.clone(), 100).await.unwrap();
    assert_eq!((all.replayed, all.allow_to_deny), (5, 2), "{all:#?}");
    assert!(all
        .caveats
        .iter()
        .any(|c| c.contains("1 users no longer in the directory")));

    let none = app.impact_of(candidate, 0).await.unwrap();
    assert_eq!(none.replayed, 0);
    assert!(none.caveats[0].starts_with("no logged decision could be replayed"));
}
