use super::*;

// ---- defect 10: bad input ----

fn create_user(app: &TestApp, token: &str, body: Value) -> crate::common::Reply {
    app.post("/admin/v1/users", &body, Some(token))
}

fn assert_refused(r: &crate::common::Reply, field: &str) {
    assert_eq!(r.status, 400, "{}", r.text);
    let v = r.json();
    assert_eq!(v["error"], "invalid_request");
    let message = v["message"].as_str().unwrap();
    assert!(message.contains(field), "{message:?} names {field}");
}

#[test]
fn look_alike_and_malformed_emails_are_refused() {
    let app = spawn_app();
    let admin = app.admin_token();
    for email in [
        "alice\u{202E}@example.com",
        "\u{FEFF}alice@example.com",
        "al\u{200B}ice@example.com",
        "al\u{200D}ice@example.com",
        "\u{FF41}lice@example.com",
        "alice@ex\u{FF41}mple.com",
        "alice\u{301}@example.com",
        "\u{430}lice@example.com",
        "alice@b\u{FC}cher.example",
        "al\0ice@example.com",
        "alice@@example.com",
        "alice@",
        "alice..lee@example.com",
        "alice@[127.0.0.1]",
    ] {
        let r = create_user(&app, &admin, json!({"email": email, "id": "lookalike"}));
        assert_refused(&r, "email");
    }
    let long = format!("{}@example.com", "a".repeat(300));
    assert_refused(&create_user(&app, &admin, json!({"email": long})), "email");
    assert_eq!(
        app.get("/admin/v1/users/lookalike", Some(&admin)).status,
        404,
        "nothing refused was written"
    );
    // The same rules on update.
    let r = app.call(
        "patch",
        "/admin/v1/users/alice",
        Some(&json!({"email": "\u{FEFF}alice@example.com"})),
        Some(&admin),
    );
    assert_refused(&r, "email");
}

#[test]
fn emails_and_names_are_normalised() {
    let app = spawn_app();
    let admin = app.admin_token();
    let r = create_user(
        &app,
        &admin,
        json!({"email": "  Ann.Lee+ops@Example.COM ", "name": " Jose\u{301} Garc\u{131}a "}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let user = r.json();
    assert_eq!(user["email"], "Ann.Lee+ops@example.com");
    assert_eq!(user["name"], "Jos\u{E9} Garc\u{131}a", "NFC and trimmed");
    // An address that differs only by the domain's case is the same address.
    let again = create_user(
        &app,
        &admin,
        json!({"email": "ann.lee+ops@EXAMPLE.com", "id": "ann2"}),
    );
    assert_eq!(again.status, 409, "{}", again.text);
    // Names of other scripts are names.
    let r = create_user(
        &app,
        &admin,
        json!({"email": "m@example.com", "name": "\u{645}\u{6CC}\u{200C}\u{62E}\u{648}\u{627}\u{647}\u{645}"}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
}

#[test]
fn names_with_controls_or_of_any_length_are_refused() {
    let app = spawn_app();
    let admin = app.admin_token();
    for name in [
        "Eve\0".to_string(),
        "Eve\u{1b}[31m".to_string(),
        "Eve\u{202E}nimda".to_string(),
        "\u{FEFF}Eve".to_string(),
        "E\u{200B}ve".to_string(),
        "n".repeat(60_000),
    ] {
        let r = create_user(
            &app,
            &admin,
            json!({"email": "eve@example.com", "name": name}),
        );
        assert_refused(&r, "name");
        assert!(r.text.len() < 500, "the value is not echoed back whole");
        let r = app.call(
            "patch",
            "/admin/v1/users/alice",
            Some(&json!({"name": name})),
            Some(&admin),
        );
        assert_refused(&r, "name");
    }
    assert_eq!(app.get("/admin/v1/users/eve", Some(&admin)).status, 404);
    // Client names follow the same rules.
    let r = app.post(
        "/admin/v1/clients",
        &json!({"name": "svc\u{202E}"}),
        Some(&admin),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    // Ids and role names have caps too.
    let r = create_user(
        &app,
        &admin,
        json!({"email": "x@example.com", "id": "i".repeat(200)}),
    );
    assert_refused(&r, "id");
    let r = app.post(
        "/admin/v1/roles",
        &json!({"name": "R".repeat(65)}),
        Some(&admin),
    );
    assert_refused(&r, "name");
    let r = app.get(
        &format!("/admin/v1/users/{}", "i".repeat(200)),
        Some(&admin),
    );
    assert_eq!(r.status, 400, "{}", r.text);
}

#[test]
fn unknown_fields_are_refused_in_every_body() {
    let app = spawn_app();
    let admin = app.admin_token();
    // The original report: `disabled` on create made an enabled user.
    let r = create_user(
        &app,
        &admin,
        json!({"email": "dis@example.com", "disabled": true}),
    );
    assert_refused(&r, "disabled");
    assert_eq!(app.get("/admin/v1/users/dis", Some(&admin)).status, 404);
    let bodies: Vec<(&str, &str, Value)> = vec![
        (
            "patch",
            "/admin/v1/users/alice",
            json!({"name": "A", "role": "ADMIN"}),
        ),
        (
            "put",
            "/admin/v1/users/alice/roles",
            json!({"roles": ["USER"], "primary": "USER"}),
        ),
        (
            "post",
            "/admin/v1/users/alice/password",
            json!({"password": "long-enough-pass", "temporary": true}),
        ),
        (
            "post",
            "/admin/v1/roles",
            json!({"name": "OPS", "parent": ["USER"]}),
        ),
        (
            "put",
            "/admin/v1/roles/USER",
            json!({"parents": [], "force": true}),
        ),
        (
            "post",
            "/admin/v1/clients",
            json!({"name": "svc", "scopes": ["all"]}),
        ),
        (
            "post",
            "/admin/v1/tokens/revoke",
            json!({"jti": "x", "user": "alice"}),
        ),
        (
            "post",
            "/admin/v1/policies/whatif",
            json!({"user": "alice", "action": "readDocument", "resource": {"type": "Document", "id": "d", "owner": "alice"}}),
        ),
    ];
    for (method, path, body) in bodies {
        let r = app.call(method, path, Some(&body), Some(&admin));
        assert_eq!(r.status, 400, "{method} {path}: {}", r.text);
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains("unknown field"),
            "{}",
            r.text
        );
    }
    // Sign-in, refresh, logout, revocation.
    let r = app.post(
        "/v1/auth/login",
        &json!({"email": "alice@example.com", "password": crate::common::USER_PASSWORD, "remember": true}),
        None,
    );
    assert_refused(&r, "remember");
    let refresh = app.alice()["refresh_token"].as_str().unwrap().to_string();
    let r = app.post(
        "/v1/auth/refresh",
        &json!({"refresh_token": refresh, "scope": "admin"}),
        None,
    );
    assert_refused(&r, "scope");
    let r = app.post(
        "/v1/auth/logout",
        &json!({"refresh_token": refresh, "all": true}),
        None,
    );
    assert_refused(&r, "all");
    let r = app.post(
        "/v1/auth/revoke",
        &json!({"token": refresh, "everything": true}),
        None,
    );
    assert_refused(&r, "everything");
    // Decisions: the body and the resource are closed; properties and context are free-form.
    let token = app.alice()["token"].as_str().unwrap().to_string();
    let ok = json!({"action": "readDocument", "resource": {"type": "Document", "id": "d1", "properties": {"anything": 1}}, "context": {"free": true}});
    assert_eq!(app.post("/v1/authorize", &ok, Some(&token)).status, 200);
    let mut bad = ok.clone();
    bad["principal"] = json!("admin");
    assert_refused(&app.post("/v1/authorize", &bad, Some(&token)), "principal");
    let mut bad = ok.clone();
    bad["resource"]["owner"] = json!("alice");
    assert_refused(
        &app.post("/v1/authorize", &bad, Some(&token)),
        "resource.owner",
    );
    let r = app.post(
        "/v1/authorize/batch",
        &json!({"items": [ok], "mode": "all"}),
        Some(&token),
    );
    assert_refused(&r, "mode");
    let r = app.post(
        "/v1/authorize/batch",
        &json!({"items": [bad]}),
        Some(&token),
    );
    assert_refused(&r, "items[0].resource.owner");
}

#[test]
fn authzen_bodies_refuse_unknown_fields_but_keep_properties_and_context_open() {
    let app = spawn_app();
    let (_, key) = block(app.state.app.store().create_client("tests", None)).unwrap();
    let post = |path: &str, body: &Value| {
        app.post_raw(
            path,
            Some("application/json"),
            body.to_string().as_bytes(),
            &[("Authorization", &format!("Bearer {key}"))],
        )
    };
    let eval = json!({
        "subject": {"type": "user", "id": "admin", "properties": {"department": "ops"}},
        "action": {"name": "deleteUserResource", "properties": {"method": "DELETE"}},
        "resource": {"type": "UserResource", "id": "r1", "properties": {"any": "thing"}},
        "context": {"ip": "10.0.0.1"}
    });
    // Accepted (the strict schema then denies the attributes it does not know: a decision,
    // not a refused request).
    let r = post("/access/v1/evaluation", &eval);
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json()["decision"].is_boolean());
    for (pointer, field) in [
        ("", "unknown"),
        ("/subject", "subject.unknown"),
        ("/action", "action.unknown"),
        ("/resource", "resource.unknown"),
    ] {
        let mut bad = eval.clone();
        bad.pointer_mut(pointer).unwrap()["unknown"] = json!({"x": 1});
        assert_refused(&post("/access/v1/evaluation", &bad), field);
    }
    let mut batch = eval.clone();
    batch["evaluations"] = json!([{}, {"action": {"name": "readDocument"}}]);
    assert_eq!(post("/access/v1/evaluations", &batch).status, 200);
    batch["options"] = json!({"evaluations_semantics": "deny_on_first_deny"});
    assert_refused(
        &post("/access/v1/evaluations", &batch),
        "options.evaluations_semantics",
    );
    batch["options"] = json!({});
    batch["evaluations"] = json!([{"subject": {"type": "user", "id": "admin"}, "extra": 1}]);
    let r = post("/access/v1/evaluations", &batch);
    assert_eq!(
        r.json(),
        json!({"evaluations": [{"decision": false}]}),
        "an item with an unknown field is a deny, like any bad item"
    );
    let search = json!({
        "subject": {"type": "user", "id": "alice"},
        "resource": {"type": "Document", "id": "d1"},
        "page": {"limit": 1, "size": 5}
    });
    assert_refused(&post("/access/v1/search/action", &search), "page.size");
    let search = json!({
        "subject": {"type": "user"},
        "action": {"name": "readDocument"},
        "resource": {"type": "Document", "id": "d1"},
        "filter": "a%"
    });
    assert_refused(&post("/access/v1/search/subject", &search), "filter");
}

#[test]
fn filters_match_literally_and_long_ones_are_refused() {
    let app = spawn_app();
    let admin = app.admin_token();
    for (email, name) in [("pct@example.com", "100% sure"), ("u_s@example.com", "")] {
        let r = create_user(&app, &admin, json!({"email": email, "name": name}));
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let ids = |filter: &str| -> Vec<String> {
        let r = app.get(&format!("/admin/v1/users?filter={filter}"), Some(&admin));
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("%25"), ["pct"], "% is not a wildcard");
    assert_eq!(ids("_"), ["u_s"], "_ is not a wildcard");
    assert_eq!(
        ids("%5C"),
        Vec::<String>::new(),
        "a backslash is literal too"
    );
    assert_eq!(ids("ALI"), ["alice"], "still a case-insensitive substring");
    let r = app.get(
        &format!("/admin/v1/users?filter={}", "x".repeat(300)),
        Some(&admin),
    );
    assert_refused(&r, "filter");
    // 50,000 characters: refused as JSON before it reaches the store (it was a 503).
    let r = app.get(
        &format!("/admin/v1/users?filter={}", "x".repeat(50_000)),
        Some(&admin),
    );
    assert_eq!(r.status, 414, "{}", r.text);
    assert!(r.json()["message"].is_string());
}
