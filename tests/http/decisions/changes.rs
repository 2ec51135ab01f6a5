use super::*;

/// On SQLite the very next decision; on PostgreSQL within the revision's NOTIFY (see
/// `TestApp::sees`).
#[test]
fn changes_made_by_the_command_line_flip_the_very_next_decision() {
    let app = spawn_app();
    // Demoting every ADMIN is refused while nobody else could administer warden.
    keep_a_root_admin(&app);
    let out = app.warden(&["user", "set-roles", "alice", "ADMIN"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let login = app.alice();
    let token = login["token"].as_str().unwrap().to_string();
    app.sees("the given role", || {
        authorize(&app, &token, &delete_r1()).json()["allowed"] == true
    });

    // Role removal (another process, same database): the same token is now denied.
    assert!(app
        .warden(&["user", "set-roles", "alice", "USER"])
        .status
        .success());
    app.sees("the removed role", || {
        authorize(&app, &token, &delete_r1()).json()["allowed"] == false
    });
    assert!(app
        .warden(&["user", "set-roles", "alice", "ADMIN"])
        .status
        .success());
    app.sees("the given role", || {
        authorize(&app, &token, &delete_r1()).json()["allowed"] == true
    });

    // Removing the role itself.
    assert!(app.warden(&["role", "add", "DELETER"]).status.success());
    // Revoking the jti.
    let jti = {
        let payload = token.split('.').nth(1).unwrap();
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap();
        serde_json::from_slice::<Value>(&raw).unwrap()["jti"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(app
        .warden(&["token", "revoke", "--jti", &jti])
        .status
        .success());
    app.sees("the revoked jti", || {
        let r = authorize(&app, &token, &delete_r1());
        (r.status, r.json()["error"].as_str()) == (401, Some("token_revoked"))
    });

    // Revoking the session.
    let second = app.alice();
    let t2 = second["token"].as_str().unwrap().to_string();
    assert_eq!(authorize(&app, &t2, &delete_r1()).status, 200);
    assert!(app
        .warden(&["session", "revoke", second["session_id"].as_str().unwrap()])
        .status
        .success());
    app.sees("the revoked session", || {
        authorize(&app, &t2, &delete_r1()).json()["error"] == "session_ended"
    });

    // Disabling the user.
    let t3 = app.alice()["token"].as_str().unwrap().to_string();
    assert!(app.warden(&["user", "disable", "alice"]).status.success());
    app.sees("the disabled user", || {
        authorize(&app, &t3, &delete_r1()).status == 401
    });
    assert!(app.warden(&["user", "enable", "alice"]).status.success());

    // Revoke-all.
    let t4 = app.alice()["token"].as_str().unwrap().to_string();
    app.sees("the enabled user", || {
        authorize(&app, &t4, &delete_r1()).json()["allowed"] == true
    });
    assert!(app
        .warden(&["token", "revoke", "--user", "alice"])
        .status
        .success());
    app.sees("the revoked tokens", || {
        authorize(&app, &t4, &delete_r1()).status == 401
    });

    // Removing a role the user holds (forced), through the hierarchy too.
    let t5 = app.alice()["token"].as_str().unwrap().to_string();
    assert_eq!(authorize(&app, &t5, &delete_r1()).json()["allowed"], true);
    assert!(app
        .warden(&["role", "remove", "ADMIN", "--force"])
        .status
        .success());
    app.sees("the removed role", || {
        authorize(&app, &t5, &delete_r1()).json()["allowed"] == false
    });
}

#[test]
fn cached_callers_still_expire_and_still_see_revocations() {
    cached_callers_expire_and_see_changes(false);
}

/// `strict_revocation` on SQLite: the revision is exact there already; the setting must
/// work all the same (and change nothing a caller sees).
#[test]
fn cached_callers_still_expire_and_still_see_revocations_with_strict_revocation() {
    cached_callers_expire_and_see_changes(true);
}

fn cached_callers_expire_and_see_changes(strict_revocation: bool) {
    let clock = warden::clock::ManualClock::starting_now();
    let app = spawn_app_with_clock(clock.clone(), |c| {
        c.access_token_ttl = 2;
        c.leeway = 0;
        c.strict_revocation = strict_revocation;
    });
    let admin = app.admin_token();
    for _ in 0..3 {
        assert_eq!(
            authorize(&app, &admin, &delete_r1()).json()["allowed"],
            true
        );
    }
    // A change made directly in the store (as another process would) is seen at once.
    keep_a_root_admin(&app);
    block(app.state.app.store().set_user_roles(
        "admin",
        &["USER".parse().unwrap()],
        Default::default(),
    ))
    .unwrap();
    assert_eq!(
        authorize(&app, &admin, &delete_r1()).json()["allowed"],
        false
    );
    block(app.state.app.store().set_user_roles(
        "admin",
        &["ADMIN".parse().unwrap()],
        Default::default(),
    ))
    .unwrap();
    assert_eq!(
        authorize(&app, &admin, &delete_r1()).json()["allowed"],
        true
    );
    // And a cached token still expires.
    clock.advance_ms(3100);
    let r = authorize(&app, &admin, &delete_r1());
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (401, Some("token_expired"))
    );
}

#[test]
fn the_command_line_decides_for_a_token_too() {
    let app = spawn_app();
    let admin = app.admin_token();
    let out = app.warden(&[
        "decide",
        "--token",
        &admin,
        "--action",
        "deleteUserResource",
        "--resource",
        "UserResource::\"r1\"",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["reasons"], json!(["app.admin-delete-user-resource"]));
    // A revoked token is refused with its reason, and a non-zero exit.
    assert!(app
        .warden(&["token", "revoke", "--user", "admin"])
        .status
        .success());
    let out = app.warden(&[
        "decide",
        "--token",
        &admin,
        "--action",
        "deleteUserResource",
        "--resource",
        "UserResource::\"r1\"",
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("session_ended"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A user `root` whom a policy of its own lets administer warden, so that tests may take
/// every ADMIN away (the store refuses a change that leaves nobody able to administer).
pub fn keep_a_root_admin(app: &TestApp) {
    std::fs::write(
        app.dir.path().join("policies/root.cedar"),
        "@id(\"test.root\")\npermit (principal == User::\"root\", action in Warden::Action::\"admin\", resource);\n",
    )
    .unwrap();
    app.state.engine.reload().unwrap();
    block(app.state.app.store().create_user(
        &warden::store::NewUser {
            id: "root".parse().unwrap(),
            email: "root@example.com".parse().unwrap(),
            name: Default::default(),
            roles: vec![],
            password_hash: None,
        },
        None,
    ))
    .unwrap();
}
