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

#[test]
fn authzen_takes_a_namespaced_action_and_explains_a_malformed_one() {
    let app = spawn_app();
    let (_, key) = block(app.state.app.store().create_client("tests", None)).unwrap();
    let call = |body: &Value| {
        app.post_raw(
            "/access/v1/evaluation",
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
            "resource": {"type": "Warden::Resource", "id": "users"}
        })
    };
    let v = call(&body("admin", "Warden::Action::\"users.read\"")).json();
    assert_eq!(v["decision"], true, "{v}");
    let v = call(&body("alice", "Warden::Action::\"users.read\"")).json();
    assert_eq!(v["decision"], false, "{v}");
    let r = call(&body("admin", "Warden::Action::\"users.read"));
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["decision"], false, "{v}");
    let error = v["context"]["errors"][0].as_str().unwrap();
    assert!(error.contains("Warden::Action::\"users.read\""), "{error}");
}
