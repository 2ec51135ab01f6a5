use super::*;

#[test]
fn callers_need_a_client_key() {
    let p = pdp();
    let body = eval("admin", "deleteUserResource").to_string();
    let r = p.app.post_raw(
        "/access/v1/evaluation",
        Some("application/json"),
        body.as_bytes(),
        &[],
    );
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    let r = p.app.post_raw(
        "/access/v1/evaluation",
        Some("application/json"),
        body.as_bytes(),
        &[("Authorization", "Bearer wdn_not_a_key")],
    );
    assert_eq!(r.status, 401);
    // A user's access token is not a client key.
    let token = p.app.admin_token();
    let r = p.app.post_raw(
        "/access/v1/evaluation",
        Some("application/json"),
        body.as_bytes(),
        &[("Authorization", &format!("Bearer {token}"))],
    );
    assert_eq!(r.status, 401);
    // The bare key works.
    let r = p.app.post_raw(
        "/access/v1/evaluation",
        Some("application/json"),
        body.as_bytes(),
        &[("Authorization", &p.key)],
    );
    assert_eq!(r.json(), json!({"decision": true}));
}

#[test]
fn discovery_document() {
    let p = pdp();
    let v = p.app.get("/.well-known/authzen-configuration", None).json();
    assert_eq!(v["policy_decision_point"], "http://warden.test");
    assert_eq!(
        v["access_evaluation_endpoint"],
        "http://warden.test/access/v1/evaluation"
    );
    assert_eq!(
        v["access_evaluations_endpoint"],
        "http://warden.test/access/v1/evaluations"
    );
    assert_eq!(
        v["search_subject_endpoint"],
        "http://warden.test/access/v1/search/subject"
    );
    assert_eq!(
        v["search_action_endpoint"],
        "http://warden.test/access/v1/search/action"
    );
    assert_eq!(
        v["search_resource_endpoint"],
        "http://warden.test/access/v1/search/resource"
    );
}

#[test]
fn the_client_key_is_checked_before_the_body_is_read() {
    let p = pdp();
    // Without a key, a malformed or wrongly typed body still gets 401, not 400 or 415.
    for (ct, body) in [
        ("application/json", "{\"subject\":"),
        ("text/plain", "hello"),
        ("application/json", ""),
    ] {
        let r = p
            .app
            .post_raw("/access/v1/evaluation", Some(ct), body.as_bytes(), &[]);
        assert_eq!(r.status, 401, "{ct} {body:?}: {}", r.text);
        let r = p
            .app
            .post_raw("/v1/auth/introspect", Some(ct), body.as_bytes(), &[]);
        assert_eq!(r.status, 401, "introspect {ct} {body:?}: {}", r.text);
    }
}

#[test]
fn a_client_key_revoked_by_another_process_is_refused_on_the_next_request() {
    let p = pdp();
    // Used (and so cached) first, several times.
    for _ in 0..3 {
        let r = p.call(
            "/access/v1/evaluation",
            &eval("admin", "deleteUserResource"),
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let id = block(p.app.state.app.store().list_clients()).unwrap()[0]
        .id
        .clone();
    let out = p.app.warden(&["client", "revoke", &id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    p.app.sees("the revoked key", || {
        p.call(
            "/access/v1/evaluation",
            &eval("admin", "deleteUserResource"),
        )
        .status
            == 401
    });
    // And a key created by another process works at once.
    let out = p.app.warden(&["client", "add", "other", "--json"]);
    assert!(out.status.success());
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = created["key"].as_str().unwrap();
    p.app.sees("the new key", || {
        p.app
            .post_raw(
                "/access/v1/evaluation",
                Some("application/json"),
                eval("admin", "deleteUserResource").to_string().as_bytes(),
                &[("Authorization", &format!("Bearer {key}"))],
            )
            .status
            == 200
    });
}
