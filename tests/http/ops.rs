//! Issue 11, defect 13: `/readyz` tells strangers only whether the server is ready; the
//! detail needs an admin token or the operations key, which can also guard `/metrics`.

use crate::common::{spawn_app, spawn_app_with};
use serde_json::json;

const KEY: &str = "ops-key-0123456789abcdef0123456789";

#[test]
fn readyz_says_ready_and_nothing_else_without_credentials() {
    let app = spawn_app_with(|c| c.operations_key = Some(KEY.into()));
    let policies = app.dir.path().join("policies");
    std::fs::write(
        policies.join("broken.cedar"),
        "permit(principal, action, resource) when { secret_rule",
    )
    .unwrap();
    assert!(app.state.engine.reload().is_err());

    let r = app.get("/readyz", None);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"status": "ready"}),
        "no paths, counts or policy text"
    );
    assert!(!r.text.contains("secret_rule") && !r.text.contains("broken.cedar"));

    // The detail: with an admin token ...
    let admin = app.admin_token();
    let detail = app.get("/readyz", Some(&admin)).json();
    assert_eq!(detail["status"], "ready");
    assert_eq!(detail["store"], "ok");
    assert_eq!(detail["policies"], 6);
    assert_eq!(detail["validation"], "on");
    assert!(detail["last_reload_error"]
        .as_str()
        .unwrap()
        .contains("broken.cedar"));
    // ... or with the operations key.
    let detail = app.get("/readyz", Some(KEY)).json();
    assert!(detail["last_reload_error"]
        .as_str()
        .unwrap()
        .contains("broken.cedar"));

    // A credential that opens nothing is told so, not quietly given the public answer.
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let r = app.get("/readyz", Some(&alice));
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("operations.read"));
    let r = app.get("/readyz", Some("not-the-key"));
    assert_eq!(r.status, 401, "{}", r.text);
    assert!(!r.text.contains("broken.cedar"));
}

#[test]
fn readyz_says_when_validation_is_off() {
    let app = spawn_app_with(|c| {
        std::fs::remove_file(c.policies.join("schema.cedarschema")).unwrap();
    });
    let r = app.get("/readyz", None);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json(), json!({"status": "ready", "validation": "off"}));
}

#[test]
fn metrics_can_require_the_operations_key() {
    let open = spawn_app();
    assert_eq!(open.get("/metrics", None).status, 200, "off by default");

    let app = spawn_app_with(|c| {
        c.operations_key = Some(KEY.into());
        c.metrics_require_key = true;
    });
    let r = app.get("/metrics", None);
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "unauthorized");
    assert!(r.header("www-authenticate").is_some());
    assert_eq!(app.get("/metrics", Some("wrong-key")).status, 401);
    let r = app.get("/metrics", Some(KEY));
    assert_eq!(r.status, 200);
    assert!(r.text.contains("warden_decisions_total"));
    let admin = app.admin_token();
    assert_eq!(app.get("/metrics", Some(&admin)).status, 200);
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    assert_eq!(app.get("/metrics", Some(&alice)).status, 403);
}

#[test]
fn the_operations_key_is_checked_and_masked() {
    let short = warden::config::Config {
        operations_key: Some("short".into()),
        ..Default::default()
    };
    assert!(short
        .check()
        .unwrap_err()
        .to_string()
        .contains("operations_key"));
    let keyless = warden::config::Config {
        metrics_require_key: true,
        ..Default::default()
    };
    assert!(keyless
        .check()
        .unwrap_err()
        .to_string()
        .contains("metrics_require_key"));
    let set = warden::config::Config {
        operations_key: Some(KEY.into()),
        ..Default::default()
    };
    let shown = set.to_masked_toml();
    assert!(
        !shown.contains(KEY) && shown.contains("operations_key"),
        "{shown}"
    );
}
