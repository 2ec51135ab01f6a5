use super::*;

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
