use super::*;

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
