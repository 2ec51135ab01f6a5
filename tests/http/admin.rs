//! The admin API: every route, 403 for non-admins, delegation by policy, audit rows.

use crate::common::*;
use serde_json::{json, Value};

fn ok(r: Reply) -> Value {
    assert!(
        r.status == 200 || r.status == 201,
        "{}: {}",
        r.status,
        r.text
    );
    r.json()
}

#[test]
fn users_roles_sessions_clients_tokens() {
    let app = spawn_app();
    let admin = app.admin_token();
    let t = Some(admin.as_str());

    // Users: create, list with filter and pages, show, update, roles, password, revoke, delete.
    let created = app.call("post", "/admin/v1/users", Some(&json!({"email": "Dan@Example.com", "name": "Dan", "roles": ["USER"], "password": "dan-password-123"})), t);
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json()["id"], "Dan");
    let dup = app.call(
        "post",
        "/admin/v1/users",
        Some(&json!({"email": "dan@example.com", "id": "dan2"})),
        t,
    );
    assert_eq!(
        (dup.status, dup.json()["error"].as_str()),
        (409, Some("conflict"))
    );
    let bad = app.call(
        "post",
        "/admin/v1/users",
        Some(&json!({"email": "nope"})),
        t,
    );
    assert_eq!(bad.status, 400);
    let short = app.call(
        "post",
        "/admin/v1/users",
        Some(&json!({"email": "e@example.com", "password": "short"})),
        t,
    );
    assert_eq!(short.status, 400);
    let unknown_role = app.call(
        "post",
        "/admin/v1/users",
        Some(&json!({"email": "f@example.com", "roles": ["GHOST"]})),
        t,
    );
    assert_eq!(unknown_role.status, 400);
    assert!(unknown_role.text.contains("unknown role GHOST"));

    let all = ok(app.call("get", "/admin/v1/users", None, t));
    assert_eq!(all.as_array().unwrap().len(), 3);
    let filtered = ok(app.call("get", "/admin/v1/users?filter=dan", None, t));
    assert_eq!(filtered.as_array().unwrap().len(), 1);
    let page = ok(app.call("get", "/admin/v1/users?limit=1&offset=1", None, t));
    assert_eq!(page[0]["id"], "admin");
    assert_eq!(
        ok(app.call("get", "/admin/v1/users/Dan", None, t))["email"],
        "Dan@example.com",
        "the domain is lower-cased, the local part kept"
    );
    assert_eq!(
        app.call("get", "/admin/v1/users/ghost", None, t).status,
        404
    );

    let updated = ok(app.call(
        "patch",
        "/admin/v1/users/Dan",
        Some(&json!({"name": "Daniel", "email": "daniel@example.com"})),
        t,
    ));
    assert_eq!(
        (updated["name"].as_str(), updated["email"].as_str()),
        (Some("Daniel"), Some("daniel@example.com"))
    );
    assert_eq!(
        app.call(
            "patch",
            "/admin/v1/users/Dan",
            Some(&json!({"email": "alice@example.com"})),
            t
        )
        .status,
        409
    );
    assert_eq!(
        app.call(
            "patch",
            "/admin/v1/users/nobody",
            Some(&json!({"name": "x"})),
            t
        )
        .status,
        404
    );

    let roles = ok(app.call(
        "put",
        "/admin/v1/users/Dan/roles",
        Some(&json!({"roles": ["ADMIN"]})),
        t,
    ));
    assert_eq!(roles["roles"], json!(["ADMIN"]));
    assert_eq!(
        app.call(
            "put",
            "/admin/v1/users/Dan/roles",
            Some(&json!({"roles": ["GHOST"]})),
            t
        )
        .status,
        400
    );

    ok(app.call(
        "post",
        "/admin/v1/users/Dan/password",
        Some(&json!({"password": "a-new-password-1"})),
        t,
    ));
    let dan = app.login("daniel@example.com", "a-new-password-1");
    assert_eq!(app.get("/v1/auth/me", dan["token"].as_str()).status, 200);

    // Disable ends sessions; enable lets the user back in.
    ok(app.call(
        "patch",
        "/admin/v1/users/Dan",
        Some(&json!({"disabled": true})),
        t,
    ));
    assert_eq!(app.get("/v1/auth/me", dan["token"].as_str()).status, 401);
    ok(app.call(
        "patch",
        "/admin/v1/users/Dan",
        Some(&json!({"disabled": false})),
        t,
    ));

    // Sessions: list by user (active only), revoke one.
    let dan = app.login("daniel@example.com", "a-new-password-1");
    let sessions = ok(app.call("get", "/admin/v1/sessions?user=Dan&active=true", None, t));
    assert_eq!(sessions.as_array().unwrap().len(), 1);
    let sid = sessions[0]["id"].as_str().unwrap().to_string();
    ok(app.call("delete", &format!("/admin/v1/sessions/{sid}"), None, t));
    assert_eq!(
        app.get("/v1/auth/me", dan["token"].as_str()).json()["error"],
        "session_ended"
    );
    assert_eq!(
        ok(app.call("get", "/admin/v1/sessions?user=Dan&active=true", None, t))
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        app.call("delete", "/admin/v1/sessions/nope", None, t)
            .status,
        404
    );

    // Tokens by jti; revoke everything.
    let dan = app.login("daniel@example.com", "a-new-password-1");
    let claims: Value = {
        use base64::Engine;
        let p = dan["token"].as_str().unwrap().split('.').nth(1).unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .unwrap(),
        )
        .unwrap()
    };
    ok(app.call(
        "post",
        "/admin/v1/tokens/revoke",
        Some(&json!({"jti": claims["jti"]})),
        t,
    ));
    assert_eq!(
        app.get("/v1/auth/me", dan["token"].as_str()).json()["error"],
        "token_revoked"
    );
    let dan = app.login("daniel@example.com", "a-new-password-1");
    ok(app.call("post", "/admin/v1/users/Dan/revoke", None, t));
    assert_eq!(app.get("/v1/auth/me", dan["token"].as_str()).status, 401);
    assert_eq!(
        app.post(
            "/v1/auth/refresh",
            &json!({"refresh_token": dan["refresh_token"]}),
            None
        )
        .status,
        400
    );

    // Roles: create with parents, change parents, delete refused while assigned unless forced.
    let support = app.call(
        "post",
        "/admin/v1/roles",
        Some(&json!({"name": "SUPPORT", "parents": ["USER"]})),
        t,
    );
    assert_eq!(support.status, 201);
    assert_eq!(
        app.call(
            "post",
            "/admin/v1/roles",
            Some(&json!({"name": "SUPPORT"})),
            t
        )
        .status,
        409
    );
    assert_eq!(
        app.call(
            "post",
            "/admin/v1/roles",
            Some(&json!({"name": "bad name"})),
            t
        )
        .status,
        400
    );
    assert_eq!(
        ok(app.call(
            "put",
            "/admin/v1/roles/SUPPORT",
            Some(&json!({"parents": []})),
            t
        ))["parents"],
        json!([])
    );
    let cycle = app.call(
        "put",
        "/admin/v1/roles/USER",
        Some(&json!({"parents": ["ADMIN"]})),
        t,
    );
    assert_eq!(cycle.status, 400);
    assert!(cycle.text.contains("cycle"));
    assert_eq!(
        ok(app.call("get", "/admin/v1/roles", None, t))
            .as_array()
            .unwrap()
            .len(),
        3
    );
    ok(app.call(
        "put",
        "/admin/v1/users/alice/roles",
        Some(&json!({"roles": ["SUPPORT"]})),
        t,
    ));
    assert_eq!(
        app.call("delete", "/admin/v1/roles/SUPPORT", None, t)
            .status,
        409
    );
    ok(app.call("delete", "/admin/v1/roles/SUPPORT?force=true", None, t));
    assert_eq!(
        app.call("delete", "/admin/v1/roles/SUPPORT", None, t)
            .status,
        404
    );

    // Clients: the key is shown once and works for AuthZEN; revoked keys stop working.
    let c = ok(app.call(
        "post",
        "/admin/v1/clients",
        Some(&json!({"name": "billing"})),
        t,
    ));
    let key = c["key"].as_str().unwrap().to_string();
    assert!(ok(app.call("get", "/admin/v1/clients", None, t))
        .to_string()
        .contains("billing"));
    assert!(!ok(app.call("get", "/admin/v1/clients", None, t))
        .to_string()
        .contains(&key));
    let body = json!({"subject": {"type": "user", "id": "admin"}, "action": {"name": "deleteUserResource"}, "resource": {"type": "UserResource", "id": "r"}});
    let az = |k: &str| {
        app.post_raw(
            "/access/v1/evaluation",
            Some("application/json"),
            body.to_string().as_bytes(),
            &[("Authorization", k)],
        )
        .status
    };
    assert_eq!(az(&key), 200);
    ok(app.call(
        "delete",
        &format!("/admin/v1/clients/{}", c["id"].as_str().unwrap()),
        None,
        t,
    ));
    assert_eq!(az(&key), 401);

    // Delete a user; deleting yourself is refused.
    ok(app.call("delete", "/admin/v1/users/Dan", None, t));
    assert_eq!(app.call("get", "/admin/v1/users/Dan", None, t).status, 404);
    assert_eq!(
        app.call("delete", "/admin/v1/users/admin", None, t).status,
        409
    );

    // Every change wrote an audit row naming the admin.
    let audit = ok(app.call("get", "/admin/v1/audit?actor=user:admin&limit=200", None, t));
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    for a in [
        "users.create",
        "users.update",
        "users.roles",
        "users.revoke",
        "users.delete",
        "sessions.revoke",
        "tokens.revoke",
        "roles.write",
        "clients.write",
    ] {
        assert!(actions.contains(&a), "no audit row for {a}: {actions:?}");
    }
    let one = ok(app.call("get", "/admin/v1/audit?action=users.delete", None, t));
    assert_eq!(one[0]["target"], "user:Dan");
    // Each change is audited once, under the admin who made it (not also as "cli").
    let clients = ok(app.call("get", "/admin/v1/audit?action=clients.write", None, t));
    let changes: Vec<&str> = clients
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["detail"]["change"].as_str().unwrap())
        .collect();
    assert_eq!(changes, ["revoke", "create"], "{clients}");
    assert!(clients
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["actor"] == "user:admin"));
    assert_eq!(
        ok(app.call("get", "/admin/v1/audit?actor=cli", None, t)),
        json!([])
    );
}

#[test]
fn policies_reload_and_what_if() {
    let app = spawn_app();
    let admin = app.admin_token();
    let t = Some(admin.as_str());
    let list = ok(app.call("get", "/admin/v1/policies", None, t));
    assert_eq!(list["policies"].as_array().unwrap().len(), 4);
    assert_eq!(list["policies"][0]["file"], "app.cedar");
    assert_eq!(list["policies"][0]["status"], "active");
    assert!(list["last_error"].is_null());

    let what = json!({"user": "alice", "action": "deleteUserResource", "resource": {"type": "UserResource", "id": "r"}});
    assert_eq!(
        ok(app.call("post", "/admin/v1/policies/whatif", Some(&what), t)),
        json!({"allowed": false, "reasons": [], "errors": []})
    );
    let admin_what = json!({"user": "admin", "action": "Warden::Action::\"users.read\"", "resource": {"type": "Warden::Resource", "id": "users"}});
    assert_eq!(
        ok(app.call("post", "/admin/v1/policies/whatif", Some(&admin_what), t))["reasons"],
        json!(["warden.admin-all"])
    );
    assert_eq!(
        app.call(
            "post",
            "/admin/v1/policies/whatif",
            Some(&json!({"user": "ghost", "action": "x", "resource": {"type": "T", "id": "i"}})),
            t
        )
        .status,
        404
    );
    assert_eq!(
        app.call(
            "post",
            "/admin/v1/policies/whatif",
            Some(&json!({"user": "alice"})),
            t
        )
        .status,
        400
    );

    let dir = app.dir.path().join("policies");
    std::fs::write(dir.join("more.cedar"), "@id(\"alice-deletes\")\npermit(principal == User::\"alice\", action == Action::\"deleteUserResource\", resource);\n").unwrap();
    let reloaded = ok(app.call("post", "/admin/v1/policies/reload", None, t));
    assert_eq!(reloaded["policies"].as_array().unwrap().len(), 5);
    assert_eq!(
        ok(app.call("post", "/admin/v1/policies/whatif", Some(&what), t))["reasons"],
        json!(["alice-deletes"])
    );

    std::fs::write(dir.join("bad.cedar"), "permit(").unwrap();
    let refused = app.call("post", "/admin/v1/policies/reload", None, t);
    assert_eq!(refused.status, 422);
    assert!(refused.text.contains("bad.cedar"));
    let list = ok(app.call("get", "/admin/v1/policies", None, t));
    assert!(list["last_error"].as_str().unwrap().contains("bad.cedar"));
    assert_eq!(
        list["policies"].as_array().unwrap().len(),
        5,
        "the old bundle keeps serving"
    );
}

#[test]
fn decisions_query_stats_and_long_poll() {
    let app = spawn_app();
    let admin = app.admin_token();
    let t = Some(admin.as_str());
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let body =
        json!({"action": "deleteUserResource", "resource": {"type": "UserResource", "id": "r1"}});
    for _ in 0..3 {
        app.post("/v1/authorize", &body, Some(&alice));
    }
    app.post("/v1/authorize", &body, Some(&admin));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let denies = loop {
        let d = ok(app.call(
            "get",
            "/admin/v1/decisions?decision=deny&principal=User::%22alice%22",
            None,
            t,
        ));
        if d.as_array().unwrap().len() == 3 || std::time::Instant::now() > deadline {
            break d;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(denies.as_array().unwrap().len(), 3);
    assert_eq!(
        app.call("get", "/admin/v1/decisions?decision=maybe", None, t)
            .status,
        400
    );
    let stats = ok(app.call("get", "/admin/v1/decisions/stats", None, t));
    assert_eq!(stats["denied"], 3);
    assert!(stats["allowed"].as_i64().unwrap() >= 1);
    assert_eq!(stats["top_denied"][0], json!(["deleteUserResource", 3]));

    // Long-poll: a request waiting for newer rows returns when a decision arrives.
    let last = stats["last_id"].as_i64().unwrap();
    let waiter = std::thread::scope(|s| {
        let h = s.spawn(|| {
            app.call(
                "get",
                &format!("/admin/v1/decisions?after_id={last}&wait=10"),
                None,
                t,
            )
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        app.post("/v1/authorize", &body, Some(&alice));
        h.join().unwrap()
    });
    let rows = ok(waiter);
    assert!(!rows.as_array().unwrap().is_empty());
    assert!(rows[0]["id"].as_i64().unwrap() > last);
    // Nothing new: the wait ends empty.
    let newest = rows[0]["id"].as_i64().unwrap();
    let empty = ok(app.call(
        "get",
        &format!("/admin/v1/decisions?after_id={}&wait=1", newest + 1000),
        None,
        t,
    ));
    assert_eq!(empty, json!([]));
}

#[test]
fn non_admins_get_403_and_unauthenticated_callers_401() {
    let app = spawn_app();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    for (method, path) in [
        ("get", "/admin/v1/users"),
        ("post", "/admin/v1/roles"),
        ("delete", "/admin/v1/sessions/x"),
        ("get", "/admin/v1/audit"),
        ("post", "/admin/v1/policies/reload"),
    ] {
        let r = app.call(method, path, Some(&json!({"name": "X"})), Some(&alice));
        assert_eq!(r.status, 403, "{method} {path}: {}", r.text);
        assert_eq!(r.json()["error"], "forbidden");
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains("Warden::Action::"),
            "{}",
            r.text
        );
        let r = app.call(method, path, None, None);
        assert_eq!(r.status, 401, "{method} {path}");
    }
    // Nothing was changed by the refused calls.
    assert_eq!(block(app.state.app.store().list_roles()).unwrap().len(), 2);
}

#[test]
fn a_delegated_support_role_gets_exactly_what_its_policy_says() {
    let app = spawn_app();
    std::fs::write(
        app.dir.path().join("policies/support.cedar"),
        "@id(\"support.sessions\")\npermit(principal in Role::\"SUPPORT\", action in [Warden::Action::\"sessions.read\", Warden::Action::\"sessions.revoke\", Warden::Action::\"users.read\"], resource);\n",
    )
    .unwrap();
    app.state.engine.reload().unwrap();
    let admin = app.admin_token();
    ok(app.call(
        "post",
        "/admin/v1/roles",
        Some(&json!({"name": "SUPPORT", "parents": ["USER"]})),
        Some(&admin),
    ));
    ok(app.call("post", "/admin/v1/users", Some(&json!({"email": "sam@example.com", "roles": ["SUPPORT"], "password": "support-password-1"})), Some(&admin)));
    let sam = app.login("sam@example.com", "support-password-1")["token"]
        .as_str()
        .unwrap()
        .to_string();
    let s = Some(sam.as_str());

    let alice = app.alice();
    assert!(
        ok(app.call("get", "/admin/v1/users", None, s))
            .as_array()
            .unwrap()
            .len()
            >= 3
    );
    let sessions = ok(app.call("get", "/admin/v1/sessions?user=alice&active=true", None, s));
    let sid = sessions[0]["id"].as_str().unwrap().to_string();
    ok(app.call("delete", &format!("/admin/v1/sessions/{sid}"), None, s));
    assert_eq!(app.get("/v1/auth/me", alice["token"].as_str()).status, 401);

    // But not role changes, user changes or anything else.
    let r = app.call(
        "put",
        "/admin/v1/users/alice/roles",
        Some(&json!({"roles": ["ADMIN"]})),
        s,
    );
    assert_eq!(r.status, 403);
    assert!(r.text.contains("users.roles"));
    assert_eq!(
        app.call("post", "/admin/v1/users/alice/revoke", None, s)
            .status,
        403
    );
    assert_eq!(app.call("get", "/admin/v1/audit", None, s).status, 403);
    assert_eq!(
        block(app.state.app.store().user("alice")).unwrap().roles,
        vec!["USER".to_string()]
    );
    let audit = block(app.state.app.store().list_audit(Some("user:sam"), None, 10)).unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "sessions.revoke");
}

#[test]
fn role_conflicts_name_the_query_and_audit_rows_say_what_changed() {
    let app = spawn_app();
    let t = &app.admin_token();
    let r = app.call("delete", "/admin/v1/roles/USER", None, Some(t));
    assert_eq!(r.status, 409);
    let message = r.json()["message"].as_str().unwrap().to_string();
    assert!(message.contains("?force=true"), "{message}");
    assert!(!message.contains("--force"), "{message}");

    ok(app.call(
        "post",
        "/admin/v1/roles",
        Some(&json!({"name": "TEMP"})),
        Some(t),
    ));
    ok(app.call(
        "put",
        "/admin/v1/roles/TEMP",
        Some(&json!({"parents": ["USER"]})),
        Some(t),
    ));
    ok(app.call("delete", "/admin/v1/roles/TEMP", None, Some(t)));
    let disabled = json!({"disabled": true});
    ok(app.call("patch", "/admin/v1/users/alice", Some(&disabled), Some(t)));
    let enabled = json!({"disabled": false, "name": "Alice A."});
    ok(app.call("patch", "/admin/v1/users/alice", Some(&enabled), Some(t)));
    let body = json!({"password": "another-password-99"});
    ok(app.call(
        "post",
        "/admin/v1/users/alice/password",
        Some(&body),
        Some(t),
    ));
    let c = ok(app.call(
        "post",
        "/admin/v1/clients",
        Some(&json!({"name": "svc"})),
        Some(t),
    ));
    let id = c["id"].as_str().unwrap();
    ok(app.call("delete", &format!("/admin/v1/clients/{id}"), None, Some(t)));

    // Each row is named after the admin action that allowed the change; `change` says which
    // change of that action it was, `before` and `after` what it changed.
    let audit = ok(app.call("get", "/admin/v1/audit?actor=user:admin", None, Some(t)));
    let mut rows: Vec<(&str, &Value)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["action"].as_str().unwrap(), &a["detail"]))
        .collect();
    rows.reverse();
    let names: Vec<(&str, Option<&str>)> = rows
        .iter()
        .map(|(action, detail)| (*action, detail["change"].as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("roles.write", Some("create")),
            ("roles.write", Some("update")),
            ("roles.write", Some("delete")),
            ("users.update", None),
            ("users.update", None),
            ("users.password", None),
            ("clients.write", Some("create")),
            ("clients.write", Some("revoke")),
        ]
    );
    assert_eq!(
        rows[1].1,
        &json!({"change": "update", "before": [], "after": ["USER"]})
    );
    assert_eq!(
        rows[3].1,
        &json!({"before": {"disabled": false}, "after": {"disabled": true}})
    );
    assert_eq!(
        rows[4].1,
        &json!({
            "before": {"disabled": true, "name": "Alice"},
            "after": {"disabled": false, "name": "Alice A."},
        })
    );
    // The command line writes the same names.
    let out = app.warden(&["user", "disable", "alice"]);
    assert!(out.status.success());
    let rows = ok(app.call("get", "/admin/v1/audit?actor=cli", None, Some(t)));
    assert_eq!(rows[0]["action"], "users.update");
    assert_eq!(
        rows[0]["detail"],
        json!({"before": {"disabled": false}, "after": {"disabled": true}})
    );
}

/// The `users.update` audit rows of `user`, newest first.
fn user_updates(app: &TestApp, t: &str, user: &str) -> Vec<Value> {
    let rows = ok(app.call(
        "get",
        "/admin/v1/audit?action=users.update&limit=200",
        None,
        Some(t),
    ));
    rows.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["target"] == format!("user:{user}"))
        .cloned()
        .collect()
}

/// Issue 24, point 6: a PATCH of several fields is one transaction with its audit row
/// (refused whole when one field is refused), and every admin change's `before` is read
/// inside that transaction (the core gives only `after`).
#[test]
fn a_patch_is_all_or_nothing_and_audit_rows_read_before_inside_it() {
    let app = &spawn_app();
    let admin = app.admin_token();
    let t = admin.as_str();

    // The last administrator changing its email and disabling itself in one PATCH: the
    // disable is refused, so the email change must not land (nor be audited) either.
    let r = app.call(
        "patch",
        "/admin/v1/users/admin",
        Some(&json!({"email": "new@x.y", "disabled": true})),
        Some(t),
    );
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.json()["error"], "conflict");
    assert!(
        r.json()["message"].as_str().unwrap().contains("administer"),
        "{}",
        r.text
    );
    let me = ok(app.call("get", "/admin/v1/users/admin", None, Some(t)));
    assert_eq!(
        me["email"], "admin@localhost",
        "the email was changed: {me}"
    );
    assert_eq!(me["disabled"], false);
    assert!(user_updates(app, t, "admin").is_empty());
    // The old email still signs in; the new one does not exist.
    app.login("admin@localhost", ADMIN_PASSWORD);
    assert_eq!(
        app.post(
            "/v1/auth/login",
            &json!({"email": "new@x.y", "password": ADMIN_PASSWORD}),
            None
        )
        .status,
        401
    );

    // A PATCH of three fields: one row, with the old and new value of exactly those fields;
    // the disable also ended alice's sessions, in the same transaction.
    let alice = app.alice();
    let r = ok(app.call(
        "patch",
        "/admin/v1/users/alice",
        Some(&json!({"email": "alice2@example.com", "name": "Alice B", "disabled": true})),
        Some(t),
    ));
    assert_eq!(
        (&r["email"], &r["name"], &r["disabled"]),
        (
            &json!("alice2@example.com"),
            &json!("Alice B"),
            &json!(true)
        )
    );
    let rows = user_updates(app, t, "alice");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["actor"], "user:admin");
    assert_eq!(
        rows[0]["detail"],
        json!({
            "before": {"email": "alice@example.com", "name": "Alice", "disabled": false},
            "after": {"email": "alice2@example.com", "name": "Alice B", "disabled": true},
        })
    );
    let refresh = app.post(
        "/v1/auth/refresh",
        &json!({"refresh_token": alice["refresh_token"]}),
        None,
    );
    assert_eq!(
        (refresh.status, refresh.json()["error"].as_str()),
        (400, Some("invalid_grant")),
        "{}",
        refresh.text
    );

    // users.roles: the roles as they were.
    ok(app.call(
        "patch",
        "/admin/v1/users/alice",
        Some(&json!({"disabled": false})),
        Some(t),
    ));
    ok(app.call(
        "put",
        "/admin/v1/users/alice/roles",
        Some(&json!({"roles": ["ADMIN", "USER"]})),
        Some(t),
    ));
    let roles = ok(app.call("get", "/admin/v1/audit?action=users.roles", None, Some(t)));
    assert_eq!(
        roles[0]["detail"],
        json!({"before": ["USER"], "after": ["ADMIN", "USER"]})
    );

    // roles.write (an update of parents): the parents as they were.
    ok(app.call(
        "post",
        "/admin/v1/roles",
        Some(&json!({"name": "TEAM", "parents": ["USER"]})),
        Some(t),
    ));
    ok(app.call(
        "put",
        "/admin/v1/roles/TEAM",
        Some(&json!({"parents": []})),
        Some(t),
    ));
    let writes = ok(app.call("get", "/admin/v1/audit?action=roles.write", None, Some(t)));
    assert_eq!(writes[0]["target"], "role:TEAM");
    assert_eq!(
        writes[0]["detail"],
        json!({"change": "update", "before": ["USER"], "after": []})
    );
}

/// Every refused change says which kind it is in `reason` (issue 27): a client tells "email
/// taken" from "id taken" from "role in use" from "last administrator" without reading the
/// message, and the way out of a role in use (`?force=true`) is offered for that kind only.
#[test]
fn refused_changes_say_their_kind_as_a_stable_reason() {
    let app = spawn_app();
    let t = Some(app.admin_token());
    let t = t.as_deref();
    let kind = |r: Reply| {
        let body = r.json();
        (
            r.status,
            body["error"].as_str().unwrap_or_default().to_string(),
            body["reason"].as_str().unwrap_or_default().to_string(),
        )
    };
    let user = |body: Value| app.call("post", "/admin/v1/users", Some(&body), t);
    ok(user(json!({"email": "kim@example.com", "id": "kim"})));
    assert_eq!(
        kind(user(json!({"email": "KIM@example.com", "id": "kim2"}))),
        (409, "conflict".into(), "email_taken".into())
    );
    // The same email again (its derived id `kim` is taken too): the email is what is said.
    assert_eq!(
        kind(user(json!({"email": "kim@example.com"}))),
        (409, "conflict".into(), "email_taken".into())
    );
    assert_eq!(
        kind(user(json!({"email": "other@example.com", "id": "kim"}))),
        (409, "conflict".into(), "user_id_taken".into())
    );
    assert_eq!(
        kind(user(json!({"email": "o2@example.com", "id": "KIM"}))),
        (409, "conflict".into(), "look_alike".into())
    );
    assert_eq!(
        kind(user(json!({"email": "o3@example.com", "roles": ["GHOST"]}))),
        (400, "invalid_request".into(), "unknown_role".into())
    );
    let role = |name: &str, parents: Value| {
        app.call(
            "put",
            &format!("/admin/v1/roles/{name}"),
            Some(&json!({ "parents": parents })),
            t,
        )
    };
    ok(app.call("post", "/admin/v1/roles", Some(&json!({"name": "A"})), t));
    ok(app.call(
        "post",
        "/admin/v1/roles",
        Some(&json!({"name": "B", "parents": ["A"]})),
        t,
    ));
    assert_eq!(
        kind(role("A", json!(["B"]))),
        (400, "invalid_request".into(), "role_cycle".into())
    );
    assert_eq!(
        kind(app.call("post", "/admin/v1/roles", Some(&json!({"name": "A"})), t)),
        (409, "conflict".into(), "role_exists".into())
    );
    // A role in use: the answer offers the query that removes it anyway.
    let in_use = app.call("delete", "/admin/v1/roles/USER", None, t);
    assert!(in_use.text.contains("?force=true"), "{}", in_use.text);
    assert_eq!(kind(in_use), (409, "conflict".into(), "role_in_use".into()));
    // Forcing the removal of the only administrators' role is a different conflict, and no
    // query gets past it: the answer does not offer one.
    let last = app.call("delete", "/admin/v1/roles/ADMIN?force=true", None, t);
    assert!(!last.text.contains("force=true"), "{}", last.text);
    assert_eq!(
        kind(last),
        (409, "conflict".into(), "last_administrator".into())
    );
    let me = app.call("delete", "/admin/v1/users/admin", None, t);
    assert_eq!(kind(me), (409, "conflict".into(), "self_delete".into()));
    // Nothing was changed by any of them.
    let users = ok(app.call("get", "/admin/v1/users", None, t));
    let ids: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"admin") && ids.contains(&"kim"), "{ids:?}");
    assert_eq!(ids.len(), 3, "{ids:?}");
    let roles = ok(app.call("get", "/admin/v1/roles", None, t));
    assert!(roles
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["name"] == "ADMIN"));
    // The contract lists every reason, and the codes as they are on the wire.
    let doc = ok(app.call("get", "/openapi.json", None, None));
    let codes = &doc["components"]["schemas"]["ErrorCode"]["enum"];
    for code in [
        "conflict",
        "invalid_request",
        "malformed_token",
        "too_many_attempts",
    ] {
        assert!(
            codes.as_array().unwrap().iter().any(|c| c == code),
            "{code} missing from {codes}"
        );
    }
    let listed = &doc["components"]["schemas"]["Reason"]["enum"];
    for reason in [
        "email_taken",
        "user_id_taken",
        "role_in_use",
        "last_administrator",
        "unknown_role",
        "role_cycle",
    ] {
        assert!(
            listed.as_array().unwrap().iter().any(|r| r == reason),
            "{reason} missing from {listed}"
        );
    }
}
