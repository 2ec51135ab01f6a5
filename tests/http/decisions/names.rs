//! Issue 32: namespaced actions and resource types over HTTP and AuthZEN, the clear error for
//! a name that is neither form, and "did you mean" for an unknown action.

use super::*;

fn users_read() -> Value {
    json!({"action": "Warden::Action::\"users.read\"", "resource": {"type": "Warden::Resource", "id": "users"}})
}

#[test]
fn a_namespaced_action_and_resource_type_are_taken_as_warden_decide_takes_them() {
    let app = spawn_app();
    let admin = app.admin_token();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let v = authorize(&app, &admin, &users_read()).json();
    assert_eq!(v["allowed"], true, "{v}");
    assert_eq!(v["reasons"], json!(["warden.admin-all"]), "{v}");
    assert_eq!(v["errors"], json!([]), "{v}");
    let v = authorize(&app, &alice, &users_read()).json();
    assert_eq!(v["allowed"], false, "{v}");
    assert_eq!(v["errors"], json!([]), "a plain deny, not an error: {v}");
    // The full form of a plain `Action` is the bare name.
    let full = json!({"action": "Action::\"deleteUserResource\"", "resource": {"type": "UserResource", "id": "r1"}});
    assert_eq!(authorize(&app, &admin, &full).json()["allowed"], true);
    // In a batch too.
    let r = app.post(
        "/v1/authorize/batch",
        &json!({"items": [users_read(), delete_r1()]}),
        Some(&admin),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let allowed: Vec<Value> = r.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["allowed"].clone())
        .collect();
    assert_eq!(allowed, vec![json!(true), json!(true)]);
}

#[test]
fn a_name_that_is_neither_form_is_a_400_saying_how_to_write_it() {
    let app = spawn_app();
    let admin = app.admin_token();
    for bad in [
        "Warden::Action::\"users.read",
        "Warden::Action::users.read",
        "::\"x\"",
    ] {
        let body = json!({"action": bad, "resource": {"type": "Warden::Resource", "id": "users"}});
        let r = authorize(&app, &admin, &body);
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        let v = r.json();
        assert_eq!(v["error"], "invalid_request", "{v}");
        let message = v["message"].as_str().unwrap();
        assert!(
            message.contains("Warden::Action::\"users.read\"") && message.contains("readDocument"),
            "{bad}: {message}"
        );
        assert!(v.get("allowed").is_none(), "nothing decided: {v}");
        // A batch with one such item fails whole, the item named; nothing in it is decided.
        let r = app.post(
            "/v1/authorize/batch",
            &json!({"items": [delete_r1(), body]}),
            Some(&admin),
        );
        assert_eq!(r.status, 400, "{}", r.text);
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .starts_with("items[1]: "),
            "{}",
            r.text
        );
        assert!(r.json().get("results").is_none());
    }
}

#[test]
fn an_unknown_action_denies_and_says_the_nearest_one() {
    let app = spawn_app();
    let admin = app.admin_token();
    let typo =
        json!({"action": "deleteUserResorce", "resource": {"type": "UserResource", "id": "r1"}});
    let v = authorize(&app, &admin, &typo).json();
    assert_eq!(v["allowed"], false, "{v}");
    let error = v["errors"][0].as_str().unwrap();
    assert!(
        error.contains("unknown action")
            && error.contains("did you mean Action::\"deleteUserResource\"?"),
        "{error}"
    );
    // A namespaced action written as the id of an `Action` (the old mistake) says the form.
    let quoted = json!({"action": "Action::\"Warden::Action::\\\"users.read\\\"\"", "resource": {"type": "Warden::Resource", "id": "users"}});
    let v = authorize(&app, &admin, &quoted).json();
    assert_eq!(v["allowed"], false, "{v}");
    let error = v["errors"][0].as_str().unwrap();
    assert!(error.contains("full uid"), "{error}");
    // Nothing near: no guess.
    let far = json!({"action": "launchRocket", "resource": {"type": "UserResource", "id": "r1"}});
    let v = authorize(&app, &admin, &far).json();
    assert_eq!(v["allowed"], false);
    assert!(
        !v["errors"][0].as_str().unwrap().contains("did you mean"),
        "{v}"
    );
}

/// AuthZEN callers name actions as `/v1/authorize` does (a bare name or a full uid), but
/// never warden's own admin actions: a client key answering "may admin rotate keys?" would
/// tell any service who administers warden, and resource search would list the directory
/// that the admin API refuses the same key.
#[test]
fn authzen_takes_a_full_uid_but_not_wardens_admin_actions() {
    let app = spawn_app();
    let (_, key) = block(app.state.app.store().create_client("tests", None)).unwrap();
    let call = |path: &str, body: &Value| {
        app.post_raw(
            path,
            Some("application/json"),
            body.to_string().as_bytes(),
            &[
                ("Authorization", &format!("Bearer {key}")),
                ("X-Warden-Explain", "true"),
            ],
        )
    };
    let body = |subject: &str, action: &str| {
        json!({
            "subject": {"type": "user", "id": subject},
            "action": {"name": action},
            "resource": {"type": "UserResource", "id": "r1"}
        })
    };
    // The app's action, fully qualified: as its bare name.
    let v = call(
        "/access/v1/evaluation",
        &body("admin", "Action::\"deleteUserResource\""),
    )
    .json();
    assert_eq!(v["decision"], true, "{v}");
    // Warden's own: a deny that says why, for the admin too.
    for action in [
        "Warden::Action::\"users.read\"",
        "Warden::Action::\"keys.rotate\"",
    ] {
        let v = call("/access/v1/evaluation", &body("admin", action)).json();
        assert_eq!(v["decision"], false, "{v}");
        let error = v["context"]["errors"][0].as_str().unwrap();
        assert!(error.contains("admin actions"), "{error}");
    }
    let r = call(
        "/access/v1/evaluation",
        &body("admin", "Warden::Action::\"users.read"),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["decision"], false, "{v}");
    let error = v["context"]["errors"][0].as_str().unwrap();
    assert!(error.contains("Warden::Action::\"users.read\""), "{error}");
    // Searches refuse them with a 400 and list nothing.
    for (path, search) in [
        (
            "/access/v1/search/resource",
            json!({"subject": {"type": "user", "id": "admin"}, "action": {"name": "Warden::Action::\"users.read\""}, "resource": {"type": "User"}}),
        ),
        (
            "/access/v1/search/resource",
            json!({"subject": {"type": "user", "id": "nobody"}, "action": {"name": "Warden::Action::\"roles.read\""}, "resource": {"type": "Role"}}),
        ),
        (
            "/access/v1/search/subject",
            json!({"subject": {"type": "user"}, "action": {"name": "Warden::Action::\"keys.rotate\""}, "resource": {"type": "Warden::Resource", "id": "keys"}}),
        ),
    ] {
        let r = call(path, &search);
        assert_eq!(r.status, 400, "{path}: {}", r.text);
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains("admin actions"),
            "{}",
            r.text
        );
        assert!(r.json().get("results").is_none(), "{}", r.text);
    }
    // Subject search takes the app's action as a full uid.
    let r = call(
        "/access/v1/search/subject",
        &json!({"subject": {"type": "user"}, "action": {"name": "Action::\"deleteUserResource\""}, "resource": {"type": "UserResource", "id": "r1"}}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["results"],
        json!([{"type": "user", "id": "admin"}]),
        "{}",
        r.text
    );
}

/// The decision log names an action so that no app action passes for one of warden's: a
/// plain id for the app's `Action`s, the full uid for every other, plans included.
#[test]
fn the_log_names_namespaced_actions_by_their_uid() {
    let app = spawn_app();
    let admin = app.admin_token();
    let r = authorize(&app, &admin, &users_read());
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.post(
        "/v1/authorize/plan",
        &json!({"action": "Warden::Action::\"keys.rotate\"", "resource_type": "Warden::Resource"}),
        Some(&admin),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["kind"], "always_allowed", "{}", r.text);
    let mut logged = Vec::new();
    wait_for("both rows in the decision log", || {
        let rows = app.get("/admin/v1/decisions?limit=10", Some(&admin)).json();
        logged = rows
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|d| d["action"].as_str().unwrap_or_default().to_string())
            .collect();
        logged.len() >= 2
    });
    assert!(
        logged.contains(&"Warden::Action::\"users.read\"".to_string()),
        "{logged:?}"
    );
    assert!(
        logged.contains(&"Warden::Action::\"keys.rotate\"".to_string()),
        "{logged:?}"
    );
    assert!(!logged.contains(&"keys.rotate".to_string()), "{logged:?}");
}
