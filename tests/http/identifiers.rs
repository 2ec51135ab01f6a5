//! Identifiers that cannot impersonate: a new user id cannot take the form of an email, an
//! AuthZEN subject names either an email or an id by its form, and case-only look-alike ids
//! and role names are refused, on SQLite and on PostgreSQL.

use crate::common::*;
use serde_json::{json, Value};

fn create_user(app: &TestApp, token: &str, body: Value) -> Reply {
    app.call("post", "/admin/v1/users", Some(&body), Some(token))
}

/// A row as an older warden (which allowed `@` in ids) could have written it.
fn legacy_user(app: &TestApp, id: &str, email: &str, roles: &[&str]) {
    block(app.state.app.store().create_user(
        &warden::store::NewUser {
            id: warden::model::UserId::parse(id).unwrap(),
            email: email.parse().unwrap(),
            name: "Legacy".parse().unwrap(),
            roles: roles.iter().map(|r| r.parse().unwrap()).collect(),
            password_hash: None,
        },
        None,
    ))
    .unwrap();
}

#[test]
fn a_new_user_id_cannot_contain_at_but_old_ones_stay_addressable() {
    let app = spawn_app();
    let admin = app.admin_token();
    // The shadow of the admin's email, and any other email-shaped id: 400 naming the field.
    for id in ["admin@localhost", "eve@example.com", "a@b"] {
        let r = create_user(
            &app,
            &admin,
            json!({"email": "eve@example.com", "id": id, "roles": ["USER"]}),
        );
        assert_eq!(r.status, 400, "{id}: {}", r.text);
        assert_eq!(r.json()["error"], "invalid_request");
        assert_eq!(
            r.json()["message"],
            "field `id`: a user id cannot contain @ (it could be taken for an email)",
            "{id}"
        );
    }
    assert_eq!(
        app.get("/admin/v1/users/admin@localhost", Some(&admin))
            .status,
        404
    );
    // Derived from the email, the id is the local part (no `@`).
    let r = create_user(&app, &admin, json!({"email": "eve@example.com"}));
    assert_eq!(
        (r.status, r.json()["id"].as_str()),
        (201, Some("eve")),
        "{}",
        r.text
    );

    // The command line refuses it the same way.
    let out = app.warden(&[
        "user",
        "add",
        "--email",
        "zed@example.com",
        "--id",
        "zed@example.com",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("a user id cannot contain @"), "{stderr}");

    // A user created with `@` in its id by an older warden is still found, changed and
    // deleted by that id.
    legacy_user(&app, "old@corp", "old@example.com", &["USER"]);
    let r = app.get("/admin/v1/users/old@corp", Some(&admin));
    assert_eq!(
        (r.status, r.json()["email"].as_str()),
        (200, Some("old@example.com")),
        "{}",
        r.text
    );
    let r = app.call(
        "patch",
        "/admin/v1/users/old@corp",
        Some(&json!({"name": "Old"})),
        Some(&admin),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.call("delete", "/admin/v1/users/old@corp", None, Some(&admin));
    assert_eq!(r.status, 200, "{}", r.text);
}

#[test]
fn an_authzen_subject_with_at_is_an_email_and_never_an_id() {
    let app = spawn_app();
    let (_, key) = block(app.state.app.store().create_client("tests", None)).unwrap();
    let decide = |subject: &str| -> Value {
        let body = json!({
            "subject": {"type": "user", "id": subject},
            "action": {"name": "deleteUserResource"},
            "resource": {"type": "UserResource", "id": "r1"}
        });
        let r = app.post_raw(
            "/access/v1/evaluation",
            Some("application/json"),
            body.to_string().as_bytes(),
            &[
                ("Authorization", &format!("Bearer {key}")),
                ("X-Warden-Explain", "true"),
            ],
        );
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()
    };
    // An older database holds an ADMIN whose id is alice's email: a shadow of alice. Named
    // by that email, the subject is alice (a plain USER), not the shadow.
    legacy_user(&app, "alice@example.com", "shadow@example.com", &["ADMIN"]);
    assert_eq!(
        decide("alice@example.com")["decision"],
        false,
        "the shadow answered for alice"
    );
    assert_eq!(decide("alice")["decision"], false);
    // The admin by email and by id; the shadow by its own email.
    assert_eq!(decide("admin@localhost")["decision"], true);
    assert_eq!(decide("admin")["decision"], true);
    assert_eq!(decide("shadow@example.com")["decision"], true);
    // An email nobody has is unknown, even if it is someone's id.
    block(
        app.state
            .app
            .store()
            .delete_user("alice", Default::default()),
    )
    .ok();
    let gone = decide("alice@example.com");
    assert_eq!(gone["decision"], false, "{gone}");
}

/// Case-only look-alikes are refused.
#[test]
fn case_only_look_alike_ids_and_role_names_are_refused() {
    let app = &spawn_app();
    let admin = app.admin_token();
    let r = create_user(
        app,
        &admin,
        json!({"email": "x@example.com", "id": "Admin", "roles": ["USER"]}),
    );
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.json()["error"], "conflict");
    assert_eq!(
        r.json()["message"],
        "user id Admin differs only in case from the existing user admin"
    );
    // Derived from the email's local part, too.
    let r = create_user(app, &admin, json!({"email": "ALICE@example.org"}));
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(
        r.json()["message"],
        "user id ALICE differs only in case from the existing user alice"
    );
    let r = app.call(
        "post",
        "/admin/v1/roles",
        Some(&json!({"name": "admin"})),
        Some(&admin),
    );
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(
        r.json()["message"],
        "role name admin differs only in case from the existing role ADMIN"
    );
    // Nothing was created.
    assert_eq!(app.get("/admin/v1/users/Admin", Some(&admin)).status, 404);
    let roles = app.get("/admin/v1/roles", Some(&admin)).json();
    assert!(
        !roles
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "admin"),
        "{roles}"
    );
    // The command line too.
    let out = app.warden(&["role", "add", "user"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("differs only in case from the existing role USER"),
        "{stderr}"
    );
}
