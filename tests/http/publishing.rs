//! Published policy sets over real HTTP (issue 29): servers in store mode on one database
//! follow a publish made through another; and the "someone can still administer" rule of a
//! directory reload, through the admin API and the watcher.

use crate::common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use warden::app::Actor;
use warden::publishing::{PolicyFiles, PolicySource, PublishPolicies, RollbackPolicies};

/// Store mode after `warden init` (the shipped policies published as version 1).
fn store_mode(config: &mut warden::config::Config) {
    config.policy_source = PolicySource::Store;
    block(warden::app::App::init(config)).unwrap();
}

fn at(app: &TestApp, base: &str, path: &str, body: &Value, bearer: &str) -> Reply {
    let mut r = app
        .agent
        .post(&format!("{base}{path}"))
        .header("Authorization", &format!("Bearer {bearer}"))
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .unwrap();
    Reply {
        status: r.status().as_u16(),
        headers: Vec::new(),
        text: r.body_mut().read_to_string().unwrap_or_default(),
    }
}

fn get_at(app: &TestApp, base: &str, path: &str, bearer: &str) -> Value {
    let mut r = app
        .agent
        .get(&format!("{base}{path}"))
        .header("Authorization", &format!("Bearer {bearer}"))
        .call()
        .unwrap();
    serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap()
}

fn delete_resource() -> Value {
    json!({"action": "deleteUserResource", "resource": {"type": "UserResource", "id": "r1"}})
}

fn alice_deletes() -> PolicyFiles {
    let mut files = warden::engine::shipped_files();
    files.insert(
        "alice.cedar".into(),
        "@id(\"alice-deletes\")\npermit(principal == User::\"alice\", action == Action::\"deleteUserResource\", resource);\n".into(),
    );
    files
}

fn publish(app: &TestApp, files: PolicyFiles, message: &str) -> i64 {
    let out = block(app.state.app.publish_policies(
        &Actor::user("admin"),
        PublishPolicies {
            files,
            message: message.into(),
            dry_run: false,
            max_changes: None,
            replay: None,
        },
    ))
    .unwrap();
    assert!(out.activated);
    out.version.unwrap()
}

fn allowed_at(app: &TestApp, base: &str, token: &str) -> bool {
    let r = at(app, base, "/v1/authorize", &delete_resource(), token);
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["allowed"] == true
}

/// Wait (bounded: 5 s) until `check` holds; returns how long it took.
fn within(what: &str, mut check: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !check() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    start.elapsed()
}

/// Publish through A's core; B (another server on the same database) decides by the new
/// set within a bounded wait, says so in `/readyz`, and follows a rollback too.
fn another_server_follows_a_publish_and_a_rollback(app: TestApp) {
    let (b, b_state) = app.second_server();
    let admin = app.admin_token();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    assert!(
        !allowed_at(&app, &b, &alice),
        "version 1: only ADMIN deletes"
    );

    let v2 = publish(&app, alice_deletes(), "alice deletes");
    assert_eq!(v2, 2);
    assert!(
        allowed_at(&app, &app.base, &alice),
        "A serves it before answering"
    );
    let waited = within("B serving version 2", || allowed_at(&app, &b, &alice));
    eprintln!("B followed the publish after {waited:?}");
    assert_eq!(b_state.engine.version(), Some(2));
    let ready = get_at(&app, &b, "/readyz", &admin);
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["policy_source"], "store");
    assert_eq!(ready["policy_version"], 2);
    assert!(ready["policy_error"].is_null(), "{ready}");

    let out = block(app.state.app.rollback_policies(
        &Actor::user("admin"),
        RollbackPolicies {
            version: 1,
            message: None,
            dry_run: false,
            max_changes: None,
            replay: None,
        },
    ))
    .unwrap();
    assert_eq!(out.version, Some(3));
    within("B serving the rollback", || !allowed_at(&app, &b, &alice));
    assert_eq!(b_state.engine.version(), Some(3));
}

#[test]
fn a_server_on_the_same_sqlite_file_follows_a_publish_and_a_rollback() {
    another_server_follows_a_publish_and_a_rollback(spawn_sqlite_app_with(store_mode));
}

#[test]
fn a_replica_on_postgresql_follows_a_publish_and_a_rollback() {
    let Some(app) = spawn_pg_app_with(
        "a_replica_on_postgresql_follows_a_publish_and_a_rollback",
        store_mode,
    ) else {
        return;
    };
    another_server_follows_a_publish_and_a_rollback(app);
}

#[test]
fn a_reload_that_would_leave_nobody_able_to_administer_is_refused() {
    // The attack: `rm policies/warden.cedar` and a reload were accepted, and every admin was
    // locked out of the admin API (not even a reload could put the file back in force).
    let app = spawn_app();
    let admin = app.admin_token();
    let t = Some(admin.as_str());
    std::fs::remove_file(app.dir.path().join("policies/warden.cedar")).unwrap();
    let refused = app.call("post", "/admin/v1/policies/reload", None, t);
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.json()["error"], "policy_error");
    assert!(
        refused.text.contains("nobody could administer"),
        "{}",
        refused.text
    );
    assert_eq!(app.call("get", "/admin/v1/users", None, t).status, 200);
    assert!(app
        .state
        .engine
        .bundle()
        .policy("warden.admin-all")
        .is_some());
}

#[test]
fn the_watcher_refuses_a_directory_that_would_leave_nobody_able_to_administer() {
    let app = spawn_app_with(|c| c.watch_policies = true);
    let admin = app.admin_token();
    std::fs::remove_file(app.dir.path().join("policies/warden.cedar")).unwrap();
    within("the watcher refusing the change", || {
        app.state
            .engine
            .last_error()
            .is_some_and(|e| e.to_string().contains("nobody could administer"))
    });
    assert_eq!(
        app.call("get", "/admin/v1/users", None, Some(&admin))
            .status,
        200
    );
}
