use super::*;

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
        json!({"results": [{"name": "editDocument"}, {"name": "readDocument"}, {"name": "viewDocument"}], "page": {"next_token": ""}})
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
