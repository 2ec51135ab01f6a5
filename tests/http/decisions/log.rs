use super::*;

#[test]
fn every_decision_reaches_the_log_and_the_metrics() {
    let app = spawn_app();
    let admin = app.admin_token();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let before = app.get("/metrics", None).text;
    assert!(
        before.contains("warden_decisions_total{decision=\"allow\"} 0"),
        "{before}"
    );
    for _ in 0..20 {
        authorize(&app, &admin, &delete_r1());
        authorize(&app, &alice, &delete_r1());
    }
    app.post("/v1/authorize", &delete_r1(), Some("junk"));
    wait_for("decision log", || {
        block(
            app.state
                .app
                .store()
                .list_decisions(None, None, None, None, 100),
        )
        .unwrap()
        .len()
            == 40
    });
    let denies = block(app.state.app.store().list_decisions(
        Some("User::\"alice\""),
        None,
        Some(warden::model::DecisionKind::Deny),
        None,
        100,
    ))
    .unwrap();
    assert_eq!(denies.len(), 20);
    assert_eq!(denies[0].action, "deleteUserResource");
    assert_eq!(denies[0].resource, "UserResource::\"r1\"");
    let allows = block(app.state.app.store().list_decisions(
        Some("User::\"admin\""),
        None,
        Some(warden::model::DecisionKind::Allow),
        None,
        100,
    ))
    .unwrap();
    assert_eq!(
        allows[0].reasons,
        vec!["app.admin-delete-user-resource".to_string()]
    );
    assert!(!allows[0].request_id.is_empty());

    let after = app.get("/metrics", None).text;
    for line in [
        "warden_decisions_total{decision=\"allow\"} 20",
        "warden_decisions_total{decision=\"deny\"} 20",
        "warden_decision_duration_seconds_count 40",
        "warden_token_rejections_total{reason=\"malformed_token\"} 1",
        "warden_logins_total{result=\"ok\"} 2",
        "warden_policies_loaded 6",
        "warden_decision_log_dropped_total 0",
        "warden_policy_reloads_total{result=\"ok\"} 0",
    ] {
        assert!(after.contains(line), "missing {line}\n{after}");
    }
}

#[test]
fn decision_log_keeps_the_newest_rows_only() {
    let app = spawn_app_with(|c| c.decision_log_retention = 10);
    let admin = app.admin_token();
    for _ in 0..25 {
        authorize(&app, &admin, &delete_r1());
    }
    wait_for("writes", || {
        app.get("/metrics", None)
            .text
            .contains("warden_decision_log_written_total 25")
    });
    assert_eq!(
        block(
            app.state
                .app
                .store()
                .list_decisions(None, None, None, None, 100)
        )
        .unwrap()
        .len(),
        10
    );
}

/// Whether `text` is an RFC 3339 UTC time such as 2026-11-27T04:42:14Z.
fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
}

#[test]
fn the_command_line_reads_both_logs_and_follows_decisions() {
    let app = spawn_app();
    let admin = app.admin_token();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    assert_eq!(authorize(&app, &admin, &delete_r1()).status, 200);
    assert_eq!(authorize(&app, &alice, &delete_r1()).status, 200);
    let text = |args: &[&str]| {
        let out = app.warden(args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };

    // Follow: the two decisions above (oldest first), then one made while following.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["--db", app.db()])
        .args(["decisions", "--follow", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)) {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next = || -> Value {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("warden decisions --follow printed a line");
        serde_json::from_str(&line).unwrap()
    };
    let (first, second) = (next(), next());
    assert_eq!(first["principal"], "User::\"admin\"");
    assert_eq!(second["decision"], "deny");
    assert!(first["at"].is_i64(), "epoch seconds in JSON: {first}");
    let body = json!({"action": "readDocument", "resource": {"type": "Document", "id": "d1", "properties": {"owner": {"type": "User", "id": "alice"}}}});
    assert_eq!(authorize(&app, &alice, &body).status, 200);
    let third = next();
    assert_eq!(third["action"], "readDocument", "{third}");
    child.kill().unwrap();
    child.wait().unwrap();

    // Filters as the admin API has them.
    let denies: Value =
        serde_json::from_str(&text(&["decisions", "--decision", "deny", "--json"])).unwrap();
    assert_eq!(denies.as_array().unwrap().len(), 1, "{denies}");
    let human = text(&["decisions", "--principal", "User::\"admin\""]);
    let lines: Vec<&str> = human.lines().collect();
    assert_eq!(lines.len(), 2, "{human}");
    assert!(lines[0].starts_with("AT "), "{human}");
    assert!(
        is_rfc3339(lines[1].split_whitespace().next().unwrap()),
        "{human}"
    );
    let future = text(&["decisions", "--since", "2999-01-01T00:00:00Z", "--json"]);
    assert_eq!(future.trim(), "[]");
    let out = app.warden(&["decisions", "--since", "yesterday"]);
    assert!(!out.status.success());

    // The audit log, and sessions with RFC 3339 times for people and epoch seconds in JSON.
    let out = app.warden(&["user", "disable", "alice"]);
    assert!(out.status.success());
    let audit: Value =
        serde_json::from_str(&text(&["audit", "--action", "users.update", "--json"])).unwrap();
    assert_eq!(audit[0]["target"], "user:alice");
    assert_eq!(audit[0]["actor"], "cli");
    assert_eq!(audit[0]["detail"]["after"], json!({"disabled": true}));
    let human = text(&["audit", "--actor", "cli"]);
    assert!(
        human.lines().nth(1).unwrap().contains("users.update"),
        "{human}"
    );
    assert!(is_rfc3339(
        human
            .lines()
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
    ));
    let sessions = text(&["session", "list", "--user", "admin"]);
    let row: Vec<&str> = sessions
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .collect();
    assert!(is_rfc3339(row[2]) && is_rfc3339(row[3]), "{sessions}");
    let sessions: Value = serde_json::from_str(&text(&["session", "list", "--json"])).unwrap();
    assert!(sessions[0]["created_at"].is_i64(), "{sessions}");
}

/// The decision log keeps what was asked: the resource's properties and the context
/// (shown by the admin API and the console's decision details).
#[test]
fn the_decision_log_keeps_properties_and_context() {
    let app = spawn_app();
    let admin = app.admin_token();
    let body = json!({
        "action": "readDocument",
        "resource": {"type": "Document", "id": "d1", "properties": {"owner": {"type": "User", "id": "admin"}}},
        "context": {}
    });
    assert_eq!(authorize(&app, &admin, &body).status, 200);
    wait_for("the logged decision", || {
        !block(
            app.state
                .app
                .store()
                .list_decisions(None, Some("readDocument"), None, None, 10),
        )
        .unwrap()
        .is_empty()
    });
    let rows = app
        .get("/admin/v1/decisions?action=readDocument", Some(&admin))
        .json();
    assert_eq!(
        rows[0]["properties"],
        json!({"owner": {"type": "User", "id": "admin"}}),
        "{rows}"
    );
    assert_eq!(rows[0]["context"], json!({}));
}

/// The long-poll, the `plan` kind and the kind's errors, on one back end: a poll waiting
/// for newer rows is answered by the next logged decision (woken by the log writer), a
/// poll filtered on `decision=plan` by the next plan, a poll with nothing new answers an
/// empty list at the end of its wait; an unknown kind is a 400 naming the known ones, in
/// the API and on the command line.
fn long_poll_and_decision_kinds(app: &TestApp) {
    let admin = app.admin_token();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let get = |path: &str| {
        let r = app.get(path, Some(&admin));
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        r.json()
    };
    let last = get("/admin/v1/decisions/stats")["last_id"]
        .as_i64()
        .unwrap();
    // Waiting for anything newer than `last`; the decision may land before or after the
    // poll's first query: it is answered with it either way, long before its 25 s.
    let rows = std::thread::scope(|s| {
        let poll = s.spawn(|| get(&format!("/admin/v1/decisions?after_id={last}&wait=25")));
        assert_eq!(authorize(app, &alice, &delete_r1()).status, 200);
        poll.join().unwrap()
    });
    let rows = rows.as_array().unwrap().clone();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["id"].as_i64().unwrap() > last));
    assert_eq!(rows[0]["decision"], "deny");
    let newest = rows[0]["id"].as_i64().unwrap();

    // A plan is logged as `plan`, and a poll filtered on plans waits for one.
    let plan = json!({"action": "editDocument", "resource_type": "Document"});
    let plans = std::thread::scope(|s| {
        let poll = s.spawn(|| {
            get(&format!(
                "/admin/v1/decisions?decision=plan&after_id={newest}&wait=25"
            ))
        });
        assert_eq!(authorize(app, &alice, &delete_r1()).status, 200);
        let r = app.post("/v1/authorize/plan", &plan, Some(&alice));
        assert_eq!(r.status, 200, "{}", r.text);
        poll.join().unwrap()
    });
    let plans = plans.as_array().unwrap();
    assert_eq!(plans.len(), 1, "{plans:?}");
    assert_eq!(plans[0]["decision"], "plan");
    assert_eq!(plans[0]["resource"], "Document::\"*\"");
    let denies = get("/admin/v1/decisions?decision=deny&principal=User::%22alice%22");
    assert_eq!(denies.as_array().unwrap().len(), 2, "{denies}");

    // Nothing newer than the newest: the wait ends with an empty list.
    let newest = get("/admin/v1/decisions/stats")["last_id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        get(&format!("/admin/v1/decisions?after_id={newest}&wait=1")),
        json!([])
    );

    // An unknown kind: 400, JSON, naming the kinds there are.
    let r = app.get("/admin/v1/decisions?decision=maybe", Some(&admin));
    assert_eq!(r.status, 400, "{}", r.text);
    let message = r.json()["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("`decision`") && message.contains("allow, deny, plan"),
        "{message}"
    );

    // The command line: plans by their kind, and the same refusal.
    let out = app.warden(&["decisions", "--decision", "plan", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["decision"], "plan");
    let out = app.warden(&["decisions", "--decision", "maybe"]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("allow, deny, plan"), "{said}");
}

#[test]
fn the_long_poll_wakes_on_new_decisions_and_plans_are_a_kind() {
    long_poll_and_decision_kinds(&spawn_app());
}

#[test]
fn the_long_poll_wakes_on_new_decisions_and_plans_are_a_kind_on_postgres() {
    let Some(app) = spawn_pg_app_with("long_poll_and_decision_kinds", |_| {}) else {
        return;
    };
    long_poll_and_decision_kinds(&app);
}

/// Issue 32 (12): numbers below their bounds are refused with the bound (not clamped or
/// passed on), on the decision log and the audit log, over HTTP and on the command line;
/// the OpenAPI document states the same bounds, so generated clients agree.
#[test]
fn negative_limits_and_row_ids_are_refused_and_the_contract_says_so() {
    let app = spawn_app();
    let admin = app.admin_token();
    for (query, name) in [
        ("/admin/v1/decisions?limit=-9223372036854775808", "`limit`"),
        ("/admin/v1/decisions?limit=0", "`limit`"),
        ("/admin/v1/decisions?after_id=-1", "`after_id`"),
        ("/admin/v1/audit?limit=-5", "`limit`"),
    ] {
        let r = app.get(query, Some(&admin));
        assert_eq!(r.status, 400, "{query}: {}", r.text);
        let body = r.json();
        assert_eq!(body["error"], "invalid_request", "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains(name) && message.contains("at least"),
            "{message}"
        );
    }
    let r = app.get("/admin/v1/decisions?limit=5000&after_id=0", Some(&admin));
    assert_eq!(r.status, 200, "{}", r.text);

    let doc = app.get("/openapi.json", None).json();
    let params = doc["paths"]["/admin/v1/decisions"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let minimum = |name: &str| {
        params
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["schema"]["minimum"].clone())
            .unwrap()
    };
    assert_eq!(minimum("limit"), json!(1));
    assert_eq!(minimum("after_id"), json!(0));

    for args in [
        &["decisions", "--limit=-9223372036854775808"][..],
        &["decisions", "--limit", "0"][..],
        &["audit", "--limit=-1"][..],
    ] {
        let out = app.warden(args);
        assert!(!out.status.success(), "{args:?}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains("--limit") && said.contains("at least 1"),
            "{said}"
        );
    }
}
