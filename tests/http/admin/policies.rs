use super::*;

#[test]
fn policies_reload_and_what_if() {
    let app = spawn_app();
    let admin = app.admin_token();
    let t = Some(admin.as_str());
    let list = ok(app.call("get", "/admin/v1/policies", None, t));
    assert_eq!(list["policies"].as_array().unwrap().len(), 6);
    assert_eq!(list["policies"][0]["file"], "app.cedar");
    assert_eq!(list["policies"][0]["status"], "active");
    assert!(list["last_error"].is_null());

    let what = json!({"user": "alice", "action": "deleteUserResource", "resource": {"type": "UserResource", "id": "r"}});
    assert_eq!(
        ok(app.call("post", "/admin/v1/policies/whatif", Some(&what), t)),
        json!({"allowed": false, "reasons": [], "errors": []})
    );
    let admin_what = json!({"user": "admin", "action": "Warden::Action::\"users.read\"", "resource": {"type": "Warden::Resource", "id": "users"}});
    assert_eq!(
        ok(app.call("post", "/admin/v1/policies/whatif", Some(&admin_what), t))["reasons"],
        json!(["warden.admin-all"])
    );
    assert_eq!(
        app.call(
            "post",
            "/admin/v1/policies/whatif",
            Some(&json!({"user": "ghost", "action": "x", "resource": {"type": "T", "id": "i"}})),
            t
        )
        .status,
        404
    );
    assert_eq!(
        app.call(
            "post",
            "/admin/v1/policies/whatif",
            Some(&json!({"user": "alice"})),
            t
        )
        .status,
        400
    );

    let dir = app.dir.path().join("policies");
    std::fs::write(dir.join("more.cedar"), "@id(\"alice-deletes\")\npermit(principal == User::\"alice\", action == Action::\"deleteUserResource\", resource);\n").unwrap();
    let reloaded = ok(app.call("post", "/admin/v1/policies/reload", None, t));
    assert_eq!(reloaded["policies"].as_array().unwrap().len(), 7);
    assert_eq!(
        ok(app.call("post", "/admin/v1/policies/whatif", Some(&what), t))["reasons"],
        json!(["alice-deletes"])
    );

    std::fs::write(dir.join("bad.cedar"), "permit(").unwrap();
    let refused = app.call("post", "/admin/v1/policies/reload", None, t);
    assert_eq!(refused.status, 422);
    assert!(refused.text.contains("bad.cedar"));
    let list = ok(app.call("get", "/admin/v1/policies", None, t));
    assert!(list["last_error"].as_str().unwrap().contains("bad.cedar"));
    assert_eq!(
        list["policies"].as_array().unwrap().len(),
        7,
        "the old bundle keeps serving"
    );
}

#[test]
fn decisions_query_stats_and_long_poll() {
    let app = spawn_app();
    let admin = app.admin_token();
    let t = Some(admin.as_str());
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let body =
        json!({"action": "deleteUserResource", "resource": {"type": "UserResource", "id": "r1"}});
    for _ in 0..3 {
        app.post("/v1/authorize", &body, Some(&alice));
    }
    app.post("/v1/authorize", &body, Some(&admin));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let denies = loop {
        let d = ok(app.call(
            "get",
            "/admin/v1/decisions?decision=deny&principal=User::%22alice%22",
            None,
            t,
        ));
        if d.as_array().unwrap().len() == 3 || std::time::Instant::now() > deadline {
            break d;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(denies.as_array().unwrap().len(), 3);
    assert_eq!(
        app.call("get", "/admin/v1/decisions?decision=maybe", None, t)
            .status,
        400
    );
    let stats = ok(app.call("get", "/admin/v1/decisions/stats", None, t));
    assert_eq!(stats["denied"], 3);
    assert!(stats["allowed"].as_i64().unwrap() >= 1);
    assert_eq!(stats["top_denied"][0], json!(["deleteUserResource", 3]));

    // Long-poll: a request waiting for newer rows returns when a decision arrives.
    let last = stats["last_id"].as_i64().unwrap();
    let waiter = std::thread::scope(|s| {
        let h = s.spawn(|| {
            app.call(
                "get",
                &format!("/admin/v1/decisions?after_id={last}&wait=10"),
                None,
                t,
            )
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        app.post("/v1/authorize", &body, Some(&alice));
        h.join().unwrap()
    });
    let rows = ok(waiter);
    assert!(!rows.as_array().unwrap().is_empty());
    assert!(rows[0]["id"].as_i64().unwrap() > last);
    // Nothing new: the wait ends empty.
    let newest = rows[0]["id"].as_i64().unwrap();
    let empty = ok(app.call(
        "get",
        &format!("/admin/v1/decisions?after_id={}&wait=1", newest + 1000),
        None,
        t,
    ));
    assert_eq!(empty, json!([]));
}
