use super::*;

#[test]
fn evaluation_answers_exactly_a_decision() {
    let p = pdp();
    let r = p.call(
        "/access/v1/evaluation",
        &eval("admin", "deleteUserResource"),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.text, "{\"decision\":true}");
    assert_eq!(
        p.call(
            "/access/v1/evaluation",
            &eval("alice", "deleteUserResource")
        )
        .text,
        "{\"decision\":false}"
    );
    // By email, and the `identity` type.
    let mut by_email = eval("admin@localhost", "deleteUserResource");
    by_email["subject"]["type"] = json!("identity");
    assert_eq!(
        p.call("/access/v1/evaluation", &by_email).json(),
        json!({"decision": true})
    );
    // Unknown subject: a deny, not an error.
    assert_eq!(
        p.call(
            "/access/v1/evaluation",
            &eval("ghost", "deleteUserResource")
        )
        .json(),
        json!({"decision": false})
    );
    // A non-directory subject type is a deny too.
    let mut other = eval("admin", "deleteUserResource");
    other["subject"]["type"] = json!("service");
    assert_eq!(
        p.call("/access/v1/evaluation", &other).json(),
        json!({"decision": false})
    );
    // Unknown fields are refused (issue 11); context is optional and used.
    let mut extra = eval("admin", "deleteUserResource");
    extra["context"] = json!({});
    assert_eq!(
        p.call("/access/v1/evaluation", &extra).json(),
        json!({"decision": true})
    );
    extra["unknown"] = json!({"x": 1});
    assert_eq!(p.call("/access/v1/evaluation", &extra).status, 400);
    // Properties become attributes.
    let owner = json!({
        "subject": {"type": "user", "id": "alice"},
        "action": {"name": "editDocument"},
        "resource": {"type": "Document", "id": "d1", "properties": {"owner": {"type": "User", "id": "alice"}}}
    });
    assert_eq!(
        p.call("/access/v1/evaluation", &owner).json(),
        json!({"decision": true})
    );
    // Explanations on request.
    let r = p.call_with(
        "/access/v1/evaluation",
        &eval("admin", "deleteUserResource"),
        &[("X-Warden-Explain", "true")],
    );
    assert_eq!(
        r.json(),
        json!({"decision": true, "context": {"reasons": ["app.admin-delete-user-resource"], "errors": []}})
    );
    // Request id echoed.
    let r = p.call_with(
        "/access/v1/evaluation",
        &eval("admin", "deleteUserResource"),
        &[("X-Request-ID", "az-1")],
    );
    assert_eq!(r.header("x-request-id"), Some("az-1"));
}

#[test]
fn evaluation_refuses_bad_requests() {
    let p = pdp();
    let base = eval("admin", "deleteUserResource");
    for (pointer, field) in [
        ("subject", "subject"),
        ("action", "action"),
        ("resource", "resource"),
    ] {
        let mut b = base.clone();
        b.as_object_mut().unwrap().remove(pointer);
        let r = p.call("/access/v1/evaluation", &b);
        assert_eq!(r.status, 400, "{pointer}");
        assert!(r.text.contains(&format!("`{field}`")), "{}", r.text);
    }
    for (path, field) in [
        (("subject", "type"), "subject.type"),
        (("subject", "id"), "subject.id"),
        (("action", "name"), "action.name"),
        (("resource", "type"), "resource.type"),
        (("resource", "id"), "resource.id"),
    ] {
        let mut b = base.clone();
        b[path.0].as_object_mut().unwrap().remove(path.1);
        let r = p.call("/access/v1/evaluation", &b);
        assert_eq!(r.status, 400, "{field}: {}", r.text);
        assert!(r.text.contains(&format!("`{field}`")), "{}", r.text);
        let mut b = base.clone();
        b[path.0][path.1] = json!(42);
        let r = p.call("/access/v1/evaluation", &b);
        assert_eq!(r.status, 400, "{field} as a number");
    }
    let mut b = base.clone();
    b["context"] = json!([1]);
    assert_eq!(p.call("/access/v1/evaluation", &b).status, 400);
    let auth = format!("Bearer {}", p.key);
    let r = p.app.post_raw(
        "/access/v1/evaluation",
        Some("application/json"),
        b"{\"subject\":",
        &[("Authorization", &auth)],
    );
    assert_eq!(r.status, 400);
    let r = p.app.post_raw(
        "/access/v1/evaluation",
        Some("application/json"),
        b"",
        &[("Authorization", &auth)],
    );
    assert_eq!(r.status, 400);
    let r = p.app.post_raw(
        "/access/v1/evaluation",
        Some("text/plain"),
        base.to_string().as_bytes(),
        &[("Authorization", &auth)],
    );
    assert_eq!(r.status, 415);
}

#[test]
fn evaluations_defaults_overrides_and_semantics() {
    let p = pdp();
    // Top-level defaults; an item's key replaces that whole default.
    let body = json!({
        "subject": {"type": "user", "id": "admin"},
        "action": {"name": "deleteUserResource"},
        "resource": {"type": "UserResource", "id": "r1"},
        "evaluations": [
            {},
            {"subject": {"type": "user", "id": "alice"}},
            {"action": {"name": "readDocument"}, "resource": {"type": "Document", "id": "d", "properties": {"owner": {"type": "User", "id": "x"}}}},
            {"resource": {"type": "UserResource"}},
            "not an object",
            {"subject": {"type": "user", "id": "admin"}}
        ]
    });
    let r = p.call("/access/v1/evaluations", &body);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json(),
        json!({"evaluations": [{"decision": true}, {"decision": false}, {"decision": true}, {"decision": false}, {"decision": false}, {"decision": true}]})
    );

    let items = json!([{"subject": {"type": "user", "id": "admin"}}, {"subject": {"type": "user", "id": "alice"}}, {"subject": {"type": "user", "id": "admin"}}]);
    let mut b = body.clone();
    b["evaluations"] = items.clone();
    b["options"] = json!({"evaluations_semantic": "deny_on_first_deny"});
    assert_eq!(
        p.call("/access/v1/evaluations", &b).json(),
        json!({"evaluations": [{"decision": true}, {"decision": false}]})
    );
    b["options"] = json!({"evaluations_semantic": "permit_on_first_permit"});
    assert_eq!(
        p.call("/access/v1/evaluations", &b).json(),
        json!({"evaluations": [{"decision": true}]})
    );
    b["options"] = json!({"evaluations_semantic": "execute_all"});
    assert_eq!(
        p.call("/access/v1/evaluations", &b).json()["evaluations"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    b["options"] = json!({"evaluations_semantic": "sometimes"});
    assert_eq!(p.call("/access/v1/evaluations", &b).status, 400);

    // Explanations via options.
    let mut b = body.clone();
    b["evaluations"] = json!([{}]);
    b["options"] = json!({"explain": true});
    assert_eq!(
        p.call("/access/v1/evaluations", &b).json()["evaluations"][0]["context"]["reasons"],
        json!(["app.admin-delete-user-resource"])
    );

    // Missing or empty evaluations: a single evaluation.
    let mut single = body.clone();
    single.as_object_mut().unwrap().remove("evaluations");
    assert_eq!(
        p.call("/access/v1/evaluations", &single).json(),
        json!({"decision": true})
    );
    single["evaluations"] = json!([]);
    assert_eq!(
        p.call("/access/v1/evaluations", &single).json(),
        json!({"decision": true})
    );
    let mut broken = single.clone();
    broken.as_object_mut().unwrap().remove("subject");
    assert_eq!(p.call("/access/v1/evaluations", &broken).status, 400);
    single["evaluations"] = json!({"not": "a list"});
    assert_eq!(p.call("/access/v1/evaluations", &single).status, 400);
}

#[test]
fn explain_says_why_an_unknown_or_disabled_subject_is_denied() {
    let p = pdp();
    let explain = [("X-Warden-Explain", "true")];
    let r = p.call_with(
        "/access/v1/evaluation",
        &eval("nobody", "deleteUserResource"),
        &explain,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["decision"], false);
    let errors = v["context"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{v}");
    assert!(
        errors[0]
            .as_str()
            .unwrap()
            .contains("\"nobody\" is unknown or disabled"),
        "{v}"
    );
    // Without explain, still exactly a decision.
    assert_eq!(
        p.call(
            "/access/v1/evaluation",
            &eval("nobody", "deleteUserResource")
        )
        .text,
        "{\"decision\":false}"
    );
    block(
        p.app
            .state
            .app
            .store()
            .update_user("alice", None, None, Some(true), Default::default()),
    )
    .unwrap();
    let v = p
        .call_with(
            "/access/v1/evaluation",
            &eval("alice", "readDocument"),
            &explain,
        )
        .json();
    assert!(
        v["context"]["errors"][0]
            .as_str()
            .unwrap()
            .contains("\"alice\" is unknown or disabled"),
        "{v}"
    );
}
