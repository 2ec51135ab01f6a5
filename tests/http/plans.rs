//! `POST /v1/authorize/plan`: query plans for list pages, over real HTTP.

use crate::common::*;
use serde_json::{json, Value};

fn plan(app: &TestApp, token: &str, body: &Value) -> Reply {
    app.post("/v1/authorize/plan", body, Some(token))
}

#[test]
fn the_plan_says_which_documents_the_caller_may_edit() {
    let app = spawn_app();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let r = plan(
        &app,
        &alice,
        &json!({"action": "editDocument", "resource_type": "Document", "context": {}}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json(),
        json!({
            "kind": "conditional",
            "condition": {"op": "==", "left": {"attr": "resource.owner"}, "right": {"entity": {"type": "User", "id": "alice"}}},
            "unsupported": [],
            "reasons": ["app.owner-edit-document"]
        })
    );
    // alice is a USER: she may read every document; she may delete no user resource.
    let r = plan(
        &app,
        &alice,
        &json!({"action": "readDocument", "resource_type": "Document"}),
    );
    assert_eq!(
        r.json(),
        json!({"kind": "always_allowed", "condition": {"op": "true"}, "unsupported": [], "reasons": ["app.user-read-document"]})
    );
    let r = plan(
        &app,
        &alice,
        &json!({"action": "deleteUserResource", "resource_type": "UserResource"}),
    );
    assert_eq!(r.json()["kind"], "always_denied");
    assert_eq!(r.json()["condition"], json!({"op": "false"}));
    // The admin may delete every user resource.
    let admin = app.admin_token();
    let r = plan(
        &app,
        &admin,
        &json!({"action": "deleteUserResource", "resource_type": "UserResource"}),
    );
    assert_eq!(r.json()["kind"], "always_allowed");
}

#[test]
fn plans_fail_closed_with_json_errors() {
    let app = spawn_app();
    let body = json!({"action": "editDocument", "resource_type": "Document"});
    let r = app.post("/v1/authorize/plan", &body, None);
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (401, Some("missing_token"))
    );
    let r = app.post("/v1/authorize/plan", &body, Some("garbage"));
    assert_eq!(r.status, 401);
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    for (body, needle) in [
        (
            json!({"action": "fly", "resource_type": "Document"}),
            "unknown action",
        ),
        (
            json!({"action": "editDocument", "resource_type": "UserResource"}),
            "schema",
        ),
        (
            json!({"action": "editDocument", "resource_type": "Document", "context": {"x": 1}}),
            "context",
        ),
        (json!({"action": "editDocument"}), "resource_type"),
        (
            json!({"action": "editDocument", "resource_type": "Document", "extra": 1}),
            "extra",
        ),
    ] {
        let r = plan(&app, &alice, &body);
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(r.json()["error"], "invalid_request", "{}", r.text);
        assert!(r.text.contains(needle), "{body}: {}", r.text);
    }
}

#[test]
fn plans_are_logged_as_plans() {
    let app = spawn_app();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let body = json!({"action": "editDocument", "resource_type": "Document"});
    assert_eq!(plan(&app, &alice, &body).status, 200);
    crate::decisions::wait_for("the logged plan", || {
        !block(
            app.state
                .app
                .store()
                .list_decisions(None, Some("editDocument"), None, None, 10),
        )
        .unwrap()
        .is_empty()
    });
    let rows = block(app.state.app.store().list_decisions(
        None,
        Some("editDocument"),
        None,
        None,
        10,
    ))
    .unwrap();
    assert_eq!(rows[0].decision, warden::model::DecisionKind::Plan);
    assert_eq!(rows[0].resource, "Document::\"*\"");
    assert_eq!(
        rows[0].reasons,
        vec![
            "plan:conditional".to_string(),
            "app.owner-edit-document".to_string()
        ]
    );
}

/// `POST /admin/v1/whatif/plan`: an admin asks for a directory user's plan (the core's
/// what-if plan, the one `warden decide --plan --user` prints), guarded by
/// `policies.whatif`; every refusal is a JSON error.
#[test]
fn an_admin_asks_for_a_users_plan() {
    let app = spawn_app();
    let admin = app.admin_token();
    let t = Some(admin.as_str());
    let body = json!({"user": "alice", "action": "editDocument", "resource_type": "Document"});
    let r = app.call("post", "/admin/v1/whatif/plan", Some(&body), t);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json(),
        json!({
            "kind": "conditional",
            "condition": {"op": "==", "left": {"attr": "resource.owner"}, "right": {"entity": {"type": "User", "id": "alice"}}},
            "unsupported": [],
            "reasons": ["app.owner-edit-document"]
        })
    );
    let r = app.call(
        "post",
        "/admin/v1/whatif/plan",
        Some(&json!({"user": "alice", "action": "Action::\"readDocument\"", "resource_type": "Document", "context": null})),
        t,
    );
    assert_eq!(r.json()["kind"], "always_allowed", "{}", r.text);

    // An unknown user: 404, JSON.
    let r = app.call(
        "post",
        "/admin/v1/whatif/plan",
        Some(&json!({"user": "ghost", "action": "editDocument", "resource_type": "Document"})),
        t,
    );
    assert_eq!(r.status, 404, "{}", r.text);
    assert!(r.json()["error"].is_string());

    // A non-admin is refused (and learns nothing about alice's plan).
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let r = app.call("post", "/admin/v1/whatif/plan", Some(&body), Some(&alice));
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(r.json()["error"].is_string());
    assert!(!r.text.contains("resource.owner"));
    let r = app.call("post", "/admin/v1/whatif/plan", Some(&body), None);
    assert_eq!(r.status, 401, "{}", r.text);

    // Bad input: broken JSON, a missing field, an unknown field, a bad type name.
    let auth = format!("Bearer {admin}");
    let r = app.post_raw(
        "/admin/v1/whatif/plan",
        Some("application/json"),
        b"{\"user\": ",
        &[("Authorization", auth.as_str())],
    );
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.json()["error"].is_string());
    for bad in [
        json!({"user": "alice", "action": "editDocument"}),
        json!({"user": "alice", "action": "editDocument", "resource_type": "Document", "extra": 1}),
        json!({"user": "alice", "action": "editDocument", "resource_type": "not a type!"}),
        json!({"user": "alice", "action": "", "resource_type": "Document"}),
    ] {
        let r = app.call("post", "/admin/v1/whatif/plan", Some(&bad), t);
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert!(r.json()["message"].is_string(), "{bad}: {}", r.text);
    }
}

/// An action is named over HTTP as `warden decide` names it: a bare name of the app's
/// `Action` type, or a full uid (warden's own admin actions are `Warden::Action`). A name
/// that is neither is refused saying how to write one, never planned as something else.
#[test]
fn plans_take_a_full_action_uid_and_refuse_a_malformed_one() {
    let app = spawn_app();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let admin = app.admin_token();
    let users_read = json!({"action": "Warden::Action::\"users.read\"", "resource_type": "Warden::Resource", "context": {"grants": []}});
    let r = plan(&app, &admin, &users_read);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["kind"], "always_allowed", "{}", r.text);
    assert_eq!(r.json()["reasons"], json!(["warden.admin-all"]));
    let r = plan(&app, &alice, &users_read);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["kind"], "always_denied", "{}", r.text);
    // The app's own actions, fully qualified, plan as their bare names do.
    let full = plan(
        &app,
        &alice,
        &json!({"action": "Action::\"editDocument\"", "resource_type": "Document"}),
    );
    let bare = plan(
        &app,
        &alice,
        &json!({"action": "editDocument", "resource_type": "Document"}),
    );
    assert_eq!(full.json(), bare.json());
    for path in ["/v1/authorize/plan", "/v1/authorize/plan/sql"] {
        let mut body = json!({"action": "Action::\"editDocument", "resource_type": "Document"});
        if path.ends_with("sql") {
            body["mapping"] =
                json!({"dialect": "sqlite", "columns": {"resource.owner": "owner_id"}});
        }
        let r = app.post(path, &body, Some(&alice));
        assert_eq!(r.status, 400, "{path}: {}", r.text);
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains("full action uid"),
            "{path}: {}",
            r.text
        );
    }
}
