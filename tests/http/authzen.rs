//! OpenID AuthZEN Authorization API 1.0.

use crate::common::*;
use serde_json::{json, Value};

struct Pdp {
    app: TestApp,
    key: String,
}

fn pdp() -> Pdp {
    let app = spawn_app();
    let (_, key) = block(app.state.app.store().create_client("tests", None)).unwrap();
    Pdp { app, key }
}

impl Pdp {
    fn call(&self, path: &str, body: &Value) -> Reply {
        self.call_with(path, body, &[])
    }

    fn call_with(&self, path: &str, body: &Value, extra: &[(&str, &str)]) -> Reply {
        let auth = format!("Bearer {}", self.key);
        let mut headers = vec![("Authorization", auth.as_str())];
        headers.extend_from_slice(extra);
        self.app.post_raw(
            path,
            Some("application/json"),
            body.to_string().as_bytes(),
            &headers,
        )
    }
}

fn eval(subject: &str, action: &str) -> Value {
    json!({
        "subject": {"type": "user", "id": subject},
        "action": {"name": action},
        "resource": {"type": "UserResource", "id": "r1"}
    })
}

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
fn search_action_and_subject_with_pages() {
    let p = pdp();
    let body = json!({
        "subject": {"type": "user", "id": "alice"},
        "resource": {"type": "Document", "id": "d1", "properties": {"owner": {"type": "User", "id": "alice"}}}
    });
    let r = p.call("/access/v1/search/action", &body);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json(),
        json!({"results": [{"name": "editDocument"}, {"name": "readDocument"}], "page": {"next_token": ""}})
    );
    let mut paged = body.clone();
    paged["page"] = json!({"limit": 1});
    let first = p.call("/access/v1/search/action", &paged).json();
    assert_eq!(first["results"], json!([{"name": "editDocument"}]));
    let token = first["page"]["next_token"].as_str().unwrap().to_string();
    assert!(!token.is_empty());
    paged["page"] = json!({"limit": 1, "token": token});
    let second = p.call("/access/v1/search/action", &paged).json();
    assert_eq!(second["results"], json!([{"name": "readDocument"}]));
    paged["page"] = json!({"token": "bogus"});
    assert_eq!(p.call("/access/v1/search/action", &paged).status, 400);

    // Which directory users may delete r1? Add a few admins and page through them.
    for i in 0..5 {
        block(p.app.state.app.store().create_user(
            &warden::store::NewUser {
                id: format!("boss{i}").parse().unwrap(),
                email: format!("boss{i}@example.com").parse().unwrap(),
                name: Default::default(),
                roles: vec!["ADMIN".parse().unwrap()],
                password_hash: None,
            },
            None,
        ))
        .unwrap();
    }
    let query = json!({
        "subject": {"type": "user"},
        "action": {"name": "deleteUserResource"},
        "resource": {"type": "UserResource", "id": "r1"},
        "page": {"limit": 4}
    });
    let mut found = Vec::new();
    let mut q = query.clone();
    for _ in 0..5 {
        let r = p.call("/access/v1/search/subject", &q);
        assert_eq!(r.status, 200, "{}", r.text);
        let v = r.json();
        for s in v["results"].as_array().unwrap() {
            assert_eq!(s["type"], "user");
            found.push(s["id"].as_str().unwrap().to_string());
        }
        let next = v["page"]["next_token"].as_str().unwrap().to_string();
        if next.is_empty() {
            break;
        }
        q["page"] = json!({"limit": 4, "token": next});
    }
    assert_eq!(
        found,
        ["admin", "boss0", "boss1", "boss2", "boss3", "boss4"]
    );
    let mut bad = query.clone();
    bad["subject"]["type"] = json!("robot");
    assert_eq!(p.call("/access/v1/search/subject", &bad).status, 400);
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
fn cached_subjects_follow_directory_changes() {
    let p = pdp();
    let ask = |who: &str| {
        p.call("/access/v1/evaluation", &eval(who, "deleteUserResource"))
            .json()
    };
    assert_eq!(ask("alice"), json!({"decision": false}));
    assert_eq!(ask("alice"), json!({"decision": false}));
    // Another process gives alice ADMIN: the next evaluation sees it (on PostgreSQL, the
    // next one after the revision's NOTIFY: see `TestApp::sees`).
    assert!(p
        .app
        .warden(&["user", "set-roles", "alice", "ADMIN"])
        .status
        .success());
    p.app.sees("the given role", || {
        ask("alice") == json!({"decision": true})
    });
    assert_eq!(ask("alice@example.com"), json!({"decision": true}));
    assert!(p.app.warden(&["user", "disable", "alice"]).status.success());
    p.app.sees("the disabled user", || {
        ask("alice") == json!({"decision": false})
    });
    // An unknown subject, then created: no stale "unknown".
    assert_eq!(ask("zed"), json!({"decision": false}));
    assert!(p
        .app
        .warden(&[
            "user",
            "add",
            "--email",
            "zed@example.com",
            "--role",
            "ADMIN"
        ])
        .status
        .success());
    p.app
        .sees("the new user", || ask("zed") == json!({"decision": true}));
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

fn resource_search(kind: &str, subject: &str, action: &str) -> Value {
    json!({
        "subject": {"type": "user", "id": subject},
        "action": {"name": action},
        "resource": {"type": kind}
    })
}

#[test]
fn resource_search_answers_the_plan_for_resources_warden_does_not_hold() {
    let pdp = pdp();
    let r = pdp.call(
        "/access/v1/search/resource",
        &resource_search("Document", "alice", "editDocument"),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json(),
        json!({
            "results": [],
            "page": {"next_token": ""},
            "enumerated": false,
            "plan": {
                "kind": "conditional",
                "condition": {"op": "==", "left": {"attr": "resource.owner"}, "right": {"entity": {"type": "User", "id": "alice"}}},
                "unsupported": [],
                "reasons": ["app.owner-edit-document"]
            }
        })
    );
    // By email too; an unknown subject is a deny, not an error.
    let r = pdp.call(
        "/access/v1/search/resource",
        &resource_search("Document", "alice@example.com", "readDocument"),
    );
    assert_eq!(r.json()["plan"]["kind"], "always_allowed");
    let r = pdp.call(
        "/access/v1/search/resource",
        &resource_search("Document", "nobody", "readDocument"),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["plan"]["kind"], "always_denied");
    assert_eq!(r.json()["results"], json!([]));
}

#[test]
fn resource_search_lists_directory_users_page_by_page() {
    // An action on users: a user may view the profiles of users named like them ("u*").
    let app = spawn_app_with(|c| {
        let schema = c.policies.join("schema.cedarschema");
        let mut text = std::fs::read_to_string(&schema).unwrap();
        text.push_str(
            "\naction viewProfile appliesTo { principal: User, resource: User, context: {} };\n",
        );
        std::fs::write(&schema, text).unwrap();
        std::fs::write(
            c.policies.join("profiles.cedar"),
            "@id(\"profiles.u\")\npermit(principal, action == Action::\"viewProfile\", resource) when { resource.email like \"u*\" };\n",
        )
        .unwrap();
    });
    for i in 0..5 {
        block(app.state.app.store().create_user(
            &warden::store::NewUser {
                id: format!("u{i}").parse().unwrap(),
                email: format!("u{i}@example.com").parse().unwrap(),
                name: format!("U{i}").parse().unwrap(),
                roles: vec![],
                password_hash: None,
            },
            None,
        ))
        .unwrap();
    }
    let (_, key) = block(app.state.app.store().create_client("tests", None)).unwrap();
    let pdp = Pdp { app, key };
    let body = |token: &str| {
        let mut b = resource_search("User", "alice", "viewProfile");
        b["page"] = json!({"limit": 2, "token": token});
        b
    };
    let mut found = Vec::new();
    let mut token = String::new();
    for _ in 0..10 {
        let r = pdp.call("/access/v1/search/resource", &body(&token));
        assert_eq!(r.status, 200, "{}", r.text);
        let v = r.json();
        assert_eq!(v["enumerated"], true);
        assert_eq!(
            v["plan"]["condition"],
            json!({"op": "like", "left": {"attr": "resource.email"}, "pattern": "u*"})
        );
        for item in v["results"].as_array().unwrap() {
            assert_eq!(item["type"], "User");
            found.push(item["id"].as_str().unwrap().to_string());
        }
        token = v["page"]["next_token"].as_str().unwrap().to_string();
        if token.is_empty() {
            break;
        }
    }
    assert_eq!(found, ["u0", "u1", "u2", "u3", "u4"]);
    // A token of another search is refused.
    let r = pdp.call("/access/v1/search/resource", &body("dXNlcjp4"));
    assert_eq!(r.status, 400, "{}", r.text);
}

#[test]
fn resource_search_fails_closed() {
    let pdp = pdp();
    // readDocument does not apply to users: no plan, a 400 naming the schema.
    let r = pdp.call(
        "/access/v1/search/resource",
        &resource_search("User", "admin", "readDocument"),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("schema"), "{}", r.text);
    // An `id` on the resource is not a search.
    let mut with_id = resource_search("Document", "alice", "readDocument");
    with_id["resource"]["id"] = json!("d1");
    assert_eq!(pdp.call("/access/v1/search/resource", &with_id).status, 400);
    // A service key is needed.
    let r = pdp.app.post(
        "/access/v1/search/resource",
        &resource_search("Document", "alice", "readDocument"),
        None,
    );
    assert_eq!(r.status, 401);
}
