//! `/v1/authorize`, batches, live revocation across processes, the decision log, metrics,
//! and the OpenAPI document against the router.

use crate::common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn delete_r1() -> Value {
    json!({"action": "deleteUserResource", "resource": {"type": "UserResource", "id": "r1"}})
}

fn authorize(app: &TestApp, token: &str, body: &Value) -> Reply {
    app.post("/v1/authorize", body, Some(token))
}

pub fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn allow_and_deny_name_the_determining_policies() {
    let app = spawn_app();
    let admin = app.admin_token();
    let r = app.post_raw(
        "/v1/authorize",
        Some("application/json"),
        delete_r1().to_string().as_bytes(),
        &[
            ("Authorization", &format!("Bearer {admin}")),
            ("X-Request-ID", "rq-1"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json(),
        json!({"decision": "allow", "allowed": true, "reasons": ["app.admin-delete-user-resource"], "errors": [], "request_id": "rq-1"})
    );
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let v = authorize(&app, &alice, &delete_r1()).json();
    assert_eq!(
        (v["decision"].as_str(), v["allowed"].as_bool()),
        (Some("deny"), Some(false))
    );
    assert_eq!(v["reasons"], json!([]));

    // Ownership through resource properties.
    let own = json!({"action": "editDocument", "resource": {"type": "Document", "id": "d", "properties": {"owner": {"type": "User", "id": "alice"}}}});
    assert_eq!(
        authorize(&app, &alice, &own).json()["reasons"],
        json!(["app.owner-edit-document"])
    );
    let other = json!({"action": "editDocument", "resource": {"type": "Document", "id": "d", "properties": {"owner": {"type": "User", "id": "admin"}}}});
    assert_eq!(authorize(&app, &alice, &other).json()["allowed"], false);

    // Errors deny and are reported: a context the schema does not allow.
    let bad = json!({"action": "readDocument", "resource": {"type": "Document", "id": "d", "properties": {"owner": {"type": "User", "id": "alice"}}}, "context": {"surprise": 1}});
    let v = authorize(&app, &alice, &bad).json();
    assert_eq!(v["allowed"], false);
    assert_eq!(v["errors"].as_array().unwrap().len(), 1);
}

#[test]
fn bad_tokens_are_401_and_bad_bodies_400_naming_the_field() {
    let app = spawn_app();
    let r = app.post("/v1/authorize", &delete_r1(), None);
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (401, Some("missing_token"))
    );
    let r = app.post("/v1/authorize", &delete_r1(), Some("garbage"));
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (401, Some("malformed_token"))
    );
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    for (body, field) in [
        (
            json!({"resource": {"type": "UserResource", "id": "r1"}}),
            "action",
        ),
        (
            json!({"action": 7, "resource": {"type": "UserResource", "id": "r1"}}),
            "action",
        ),
        (json!({"action": "deleteUserResource"}), "resource"),
        (
            json!({"action": "deleteUserResource", "resource": {"id": "r1"}}),
            "resource.type",
        ),
        (
            json!({"action": "deleteUserResource", "resource": {"type": "UserResource"}}),
            "resource.id",
        ),
        (
            json!({"action": "deleteUserResource", "resource": {"type": "UserResource", "id": "r1", "properties": []}}),
            "resource.properties",
        ),
        (
            json!({"action": "deleteUserResource", "resource": {"type": "UserResource", "id": "r1"}, "context": "x"}),
            "context",
        ),
    ] {
        let r = authorize(&app, &alice, &body);
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains(&format!("`{field}`")),
            "{field}: {}",
            r.text
        );
    }
    let r = app.post_raw(
        "/v1/authorize",
        Some("text/plain"),
        b"{}",
        &[("Authorization", &format!("Bearer {alice}"))],
    );
    assert_eq!(r.status, 415);
}

#[test]
fn the_token_is_checked_before_the_body_is_validated() {
    let app = spawn_app();
    for (path, body) in [
        ("/v1/authorize", json!({"items": 1})),
        ("/v1/authorize/batch", json!({"items": [{"x": 1}]})),
    ] {
        let r = app.post(path, &body, None);
        assert_eq!(r.status, 401, "{path}: {}", r.text);
        assert!(!r.text.contains("unknown field"), "{path}: {}", r.text);
    }
}

#[test]
fn batch_answers_in_order_within_the_limit() {
    let app = spawn_app_with(|c| c.batch_limit = 3);
    let admin = app.admin_token();
    let items = json!({"items": [
        delete_r1(),
        {"action": "readDocument", "resource": {"type": "Document", "id": "d", "properties": {"owner": {"type": "User", "id": "x"}}}},
        {"action": "editDocument", "resource": {"type": "Document", "id": "d", "properties": {"owner": {"type": "User", "id": "x"}}}},
    ]});
    let r = app.post("/v1/authorize/batch", &items, Some(&admin));
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    let decisions: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["allow", "allow", "deny"]);
    let too_many = json!({"items": [delete_r1(), delete_r1(), delete_r1(), delete_r1()]});
    let r = app.post("/v1/authorize/batch", &too_many, Some(&admin));
    assert_eq!(r.status, 400);
    assert!(r.text.contains("at most 3"));
    let r = app.post(
        "/v1/authorize/batch",
        &json!({"items": [delete_r1(), {"action": "x"}]}),
        Some(&admin),
    );
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("items[1].resource"),
        "{}",
        r.text
    );
    assert_eq!(
        app.post("/v1/authorize/batch", &json!({}), Some(&admin))
            .status,
        400
    );
}

/// On SQLite the very next decision; on PostgreSQL within the revision's NOTIFY (see
/// `TestApp::sees`).
#[test]
fn changes_made_by_the_command_line_flip_the_very_next_decision() {
    let app = spawn_app();
    // Demoting every ADMIN is refused while nobody else could administer warden.
    keep_a_root_admin(&app);
    let out = app.warden(&["user", "set-roles", "alice", "ADMIN"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let login = app.alice();
    let token = login["token"].as_str().unwrap().to_string();
    app.sees("the given role", || {
        authorize(&app, &token, &delete_r1()).json()["allowed"] == true
    });

    // Role removal (another process, same database): the same token is now denied.
    assert!(app
        .warden(&["user", "set-roles", "alice", "USER"])
        .status
        .success());
    app.sees("the removed role", || {
        authorize(&app, &token, &delete_r1()).json()["allowed"] == false
    });
    assert!(app
        .warden(&["user", "set-roles", "alice", "ADMIN"])
        .status
        .success());
    app.sees("the given role", || {
        authorize(&app, &token, &delete_r1()).json()["allowed"] == true
    });

    // Removing the role itself.
    assert!(app.warden(&["role", "add", "DELETER"]).status.success());
    // Revoking the jti.
    let jti = {
        let payload = token.split('.').nth(1).unwrap();
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap();
        serde_json::from_slice::<Value>(&raw).unwrap()["jti"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(app
        .warden(&["token", "revoke", "--jti", &jti])
        .status
        .success());
    app.sees("the revoked jti", || {
        let r = authorize(&app, &token, &delete_r1());
        (r.status, r.json()["error"].as_str()) == (401, Some("token_revoked"))
    });

    // Revoking the session.
    let second = app.alice();
    let t2 = second["token"].as_str().unwrap().to_string();
    assert_eq!(authorize(&app, &t2, &delete_r1()).status, 200);
    assert!(app
        .warden(&["session", "revoke", second["session_id"].as_str().unwrap()])
        .status
        .success());
    app.sees("the revoked session", || {
        authorize(&app, &t2, &delete_r1()).json()["error"] == "session_ended"
    });

    // Disabling the user.
    let t3 = app.alice()["token"].as_str().unwrap().to_string();
    assert!(app.warden(&["user", "disable", "alice"]).status.success());
    app.sees("the disabled user", || {
        authorize(&app, &t3, &delete_r1()).status == 401
    });
    assert!(app.warden(&["user", "enable", "alice"]).status.success());

    // Revoke-all.
    let t4 = app.alice()["token"].as_str().unwrap().to_string();
    app.sees("the enabled user", || {
        authorize(&app, &t4, &delete_r1()).json()["allowed"] == true
    });
    assert!(app
        .warden(&["token", "revoke", "--user", "alice"])
        .status
        .success());
    app.sees("the revoked tokens", || {
        authorize(&app, &t4, &delete_r1()).status == 401
    });

    // Removing a role the user holds (forced), through the hierarchy too.
    let t5 = app.alice()["token"].as_str().unwrap().to_string();
    assert_eq!(authorize(&app, &t5, &delete_r1()).json()["allowed"], true);
    assert!(app
        .warden(&["role", "remove", "ADMIN", "--force"])
        .status
        .success());
    app.sees("the removed role", || {
        authorize(&app, &t5, &delete_r1()).json()["allowed"] == false
    });
}

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
        "warden_policies_loaded 4",
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

#[test]
fn policy_reload_is_visible_in_readyz_and_metrics() {
    let app = spawn_app();
    let policies = app.dir.path().join("policies");
    std::fs::write(policies.join("broken.cedar"), "permit(principal,").unwrap();
    assert!(app.state.engine.reload().is_err());
    let ready = app.get("/readyz", Some(&app.admin_token()));
    assert_eq!(ready.status, 200, "the old bundle keeps serving");
    assert!(ready.json()["last_reload_error"]
        .as_str()
        .unwrap()
        .contains("broken.cedar"));
    std::fs::remove_file(policies.join("broken.cedar")).unwrap();
    std::fs::write(
        policies.join("extra.cedar"),
        "@id(\"extra\")\nforbid(principal, action == Action::\"deleteUserResource\", resource);\n",
    )
    .unwrap();
    assert_eq!(app.state.engine.reload().unwrap(), 5);
    let admin = app.admin_token();
    let v = authorize(&app, &admin, &delete_r1()).json();
    assert_eq!(
        (v["allowed"].as_bool(), v["reasons"].clone()),
        (Some(false), json!(["extra"]))
    );
    let metrics = app.get("/metrics", None).text;
    assert!(metrics.contains("warden_policy_reloads_total{result=\"refused\"} 1"));
    assert!(metrics.contains("warden_policy_reloads_total{result=\"ok\"} 1"));
    assert!(metrics.contains("warden_policies_loaded 5"));
}

#[test]
fn openapi_describes_exactly_the_routes_served() {
    let app = spawn_app();
    let doc = app.get("/openapi.json", None).json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let mut count = 0;
    for (path, methods) in paths {
        for (method, _) in methods.as_object().unwrap() {
            count += 1;
            let concrete = path.replace("{id}", "x").replace("{name}", "x");
            let r = app.call(method, &concrete, None, None);
            assert_ne!(
                r.status, 405,
                "{method} {path} is documented but not routed"
            );
            assert!(
                !r.text.contains("no such route"),
                "{method} {path} is documented but not routed"
            );
        }
    }
    assert_eq!(
        count,
        warden::server::route_count(),
        "every route is documented"
    );
    // And something undocumented is not served.
    assert!(app
        .get("/v1/undocumented", None)
        .text
        .contains("no such route"));
}

#[test]
fn openapi_declares_every_parameter_the_routes_read() {
    let app = spawn_app();
    let admin = app.admin_token();
    let doc = app.get("/openapi.json", None).json();
    assert_eq!(doc["servers"][0]["url"], "http://warden.test");
    let mut queried = 0;
    for (path, methods) in doc["paths"].as_object().unwrap() {
        for (method, op) in methods.as_object().unwrap() {
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            // Every `{name}` of the path is declared, in the path, required.
            for name in path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            {
                assert!(
                    params
                        .iter()
                        .any(|p| p["name"] == name && p["in"] == "path" && p["required"] == true),
                    "{method} {path}: path parameter {name} is not declared"
                );
            }
            // Every declared query parameter is one the route reads (an unknown one is a 400).
            for p in params.iter().filter(|p| p["in"] == "query") {
                let name = p["name"].as_str().unwrap();
                let value = match (name, p["schema"]["type"].to_string().as_str()) {
                    ("decision", _) => "allow",
                    (_, t) if t.contains("integer") => "0",
                    (_, t) if t.contains("boolean") => "true",
                    _ => "x",
                };
                let concrete = path.replace("{id}", "nobody").replace("{name}", "NOBODY");
                let r = app.call(
                    method,
                    &format!("{concrete}?{name}={value}"),
                    None,
                    Some(&admin),
                );
                assert!(
                    !r.text.contains("unknown field"),
                    "{method} {path}: query parameter {name}: {}",
                    r.text
                );
                queried += 1;
            }
            // Every operation says what its errors look like and what storage trouble answers.
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("503"), "{method} {path}");
            if op.get("x-warden-action").is_some() {
                assert!(responses.contains_key("403"), "{method} {path}");
                assert_eq!(op["security"], json!([{"userToken": []}]));
            }
        }
    }
    assert!(queried >= 15, "only {queried} query parameters documented");
}

#[test]
fn cached_callers_still_expire_and_still_see_revocations() {
    cached_callers_expire_and_see_changes(false);
}

/// `strict_revocation` on SQLite: the revision is exact there already; the setting must
/// work all the same (and change nothing a caller sees).
#[test]
fn cached_callers_still_expire_and_still_see_revocations_with_strict_revocation() {
    cached_callers_expire_and_see_changes(true);
}

fn cached_callers_expire_and_see_changes(strict_revocation: bool) {
    let clock = warden::clock::ManualClock::starting_now();
    let app = spawn_app_with_clock(clock.clone(), |c| {
        c.access_token_ttl = 2;
        c.leeway = 0;
        c.strict_revocation = strict_revocation;
    });
    let admin = app.admin_token();
    for _ in 0..3 {
        assert_eq!(
            authorize(&app, &admin, &delete_r1()).json()["allowed"],
            true
        );
    }
    // A change made directly in the store (as another process would) is seen at once.
    keep_a_root_admin(&app);
    block(app.state.app.store().set_user_roles(
        "admin",
        &["USER".parse().unwrap()],
        Default::default(),
    ))
    .unwrap();
    assert_eq!(
        authorize(&app, &admin, &delete_r1()).json()["allowed"],
        false
    );
    block(app.state.app.store().set_user_roles(
        "admin",
        &["ADMIN".parse().unwrap()],
        Default::default(),
    ))
    .unwrap();
    assert_eq!(
        authorize(&app, &admin, &delete_r1()).json()["allowed"],
        true
    );
    // And a cached token still expires.
    clock.advance_ms(3100);
    let r = authorize(&app, &admin, &delete_r1());
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (401, Some("token_expired"))
    );
}

#[test]
fn the_command_line_decides_for_a_token_too() {
    let app = spawn_app();
    let admin = app.admin_token();
    let out = app.warden(&[
        "decide",
        "--token",
        &admin,
        "--action",
        "deleteUserResource",
        "--resource",
        "UserResource::\"r1\"",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["reasons"], json!(["app.admin-delete-user-resource"]));
    // A revoked token is refused with its reason, and a non-zero exit.
    assert!(app
        .warden(&["token", "revoke", "--user", "admin"])
        .status
        .success());
    let out = app.warden(&[
        "decide",
        "--token",
        &admin,
        "--action",
        "deleteUserResource",
        "--resource",
        "UserResource::\"r1\"",
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("session_ended"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A user `root` whom a policy of its own lets administer warden, so that tests may take
/// every ADMIN away (the store refuses a change that leaves nobody able to administer).
pub fn keep_a_root_admin(app: &TestApp) {
    std::fs::write(
        app.dir.path().join("policies/root.cedar"),
        "@id(\"test.root\")\npermit (principal == User::\"root\", action in Warden::Action::\"admin\", resource);\n",
    )
    .unwrap();
    app.state.engine.reload().unwrap();
    block(app.state.app.store().create_user(
        &warden::store::NewUser {
            id: "root".parse().unwrap(),
            email: "root@example.com".parse().unwrap(),
            name: Default::default(),
            roles: vec![],
            password_hash: None,
        },
        None,
    ))
    .unwrap();
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
