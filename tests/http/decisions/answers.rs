use super::*;

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
    assert_eq!(app.state.engine.reload().unwrap(), 7);
    let admin = app.admin_token();
    let v = authorize(&app, &admin, &delete_r1()).json();
    assert_eq!(
        (v["allowed"].as_bool(), v["reasons"].clone()),
        (Some(false), json!(["extra"]))
    );
    let metrics = app.get("/metrics", None).text;
    assert!(metrics.contains("warden_policy_reloads_total{result=\"refused\"} 1"));
    assert!(metrics.contains("warden_policy_reloads_total{result=\"ok\"} 1"));
    assert!(metrics.contains("warden_policies_loaded 7"));
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
