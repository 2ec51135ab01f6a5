use super::*;

#[test]
fn login_answer_works_for_nextauth_and_oauth_clients() {
    let app = spawn_app();
    let r = app.post(
        "/v1/auth/login",
        &json!({"email": "Alice@Example.com", "password": USER_PASSWORD}),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let user = r.json();
    for key in [
        "id",
        "email",
        "name",
        "role",
        "roles",
        "token",
        "access_token",
        "token_type",
        "expires_in",
        "expires_at",
        "refresh_token",
        "refresh_expires_in",
    ] {
        assert!(!user[key].is_null(), "missing {key}: {user}");
    }
    assert_eq!(user["id"], "alice");
    assert_eq!(user["role"], "USER");
    assert_eq!(user["roles"], json!(["USER"]));
    assert_eq!(user["token"], user["access_token"]);
    assert_eq!(user["token_type"], "Bearer");
    assert_eq!(user["expires_in"], 900);
    assert_eq!(user["refresh_expires_in"], 7 * 24 * 3600);

    let me = app.get("/v1/auth/me", user["token"].as_str());
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json()["email"], "alice@example.com");
    assert_eq!(app.get("/v1/auth/me", None).status, 401);
}

#[test]
fn unknown_email_and_wrong_password_look_the_same() {
    let app = spawn_app();
    let wrong = app.post(
        "/v1/auth/login",
        &json!({"email": "alice@example.com", "password": "not the password"}),
        None,
    );
    let unknown = app.post(
        "/v1/auth/login",
        &json!({"email": "nobody@example.com", "password": "not the password"}),
        None,
    );
    assert_eq!(wrong.status, 401);
    assert_eq!(
        (wrong.status, wrong.text.clone()),
        (unknown.status, unknown.text.clone())
    );
    assert_eq!(wrong.json()["error"], "invalid_credentials");
}

#[test]
fn refresh_rotates_and_logout_ends_the_session() {
    let app = spawn_app();
    let first = app.alice();
    let r = app.post(
        "/v1/auth/refresh",
        &json!({"refresh_token": first["refresh_token"]}),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let second = r.json();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["token"], first["token"]);
    assert_eq!(app.get("/v1/auth/me", second["token"].as_str()).status, 200);

    let r = app.post(
        "/v1/auth/logout",
        &json!({"refresh_token": second["refresh_token"]}),
        None,
    );
    assert_eq!(r.status, 200);
    let r = app.post(
        "/v1/auth/refresh",
        &json!({"refresh_token": second["refresh_token"]}),
        None,
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_grant");
    // The session's access tokens die with it.
    let me = app.get("/v1/auth/me", second["token"].as_str());
    assert_eq!(me.status, 401);
    assert_eq!(me.json()["error"], "session_ended");
    assert!(me
        .header("www-authenticate")
        .unwrap()
        .contains("invalid_token"));
}

#[test]
fn concurrent_refreshes_leave_exactly_one_live_lineage() {
    let app = spawn_app();
    let first = app.alice();
    let token = first["refresh_token"].as_str().unwrap().to_string();
    let results: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..12)
            .map(|_| {
                let app = &app;
                let token = token.clone();
                s.spawn(move || {
                    let r = app.post("/v1/auth/refresh", &json!({"refresh_token": token}), None);
                    let next = if r.status == 200 {
                        r.json()["refresh_token"].as_str().unwrap().to_string()
                    } else {
                        String::new()
                    };
                    (r.status, next)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let successors: std::collections::BTreeSet<_> = results
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, t)| t.clone())
        .collect();
    assert!(
        results.iter().all(|(s, _)| *s == 200),
        "within the grace window every racer gets the successor: {results:?}"
    );
    assert_eq!(successors.len(), 1, "one successor, one lineage");
    let live = app.query_number("SELECT COUNT(*) FROM refresh_tokens WHERE used_at IS NULL");
    assert_eq!(live, 1);
    // The lineage continues.
    let next = successors.into_iter().next().unwrap();
    assert_eq!(
        app.post("/v1/auth/refresh", &json!({"refresh_token": next}), None)
            .status,
        200
    );
}

#[test]
fn reuse_of_an_old_refresh_token_revokes_the_family() {
    let app = spawn_app();
    let first = app.alice();
    let second = app
        .post(
            "/v1/auth/refresh",
            &json!({"refresh_token": first["refresh_token"]}),
            None,
        )
        .json();
    let third = app
        .post(
            "/v1/auth/refresh",
            &json!({"refresh_token": second["refresh_token"]}),
            None,
        )
        .json();
    assert!(third["refresh_token"].is_string());
    // `first` is two generations old: theft.
    let r = app.post(
        "/v1/auth/refresh",
        &json!({"refresh_token": first["refresh_token"]}),
        None,
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_grant");
    // The whole family is gone: the newest refresh token and the access tokens.
    assert_eq!(
        app.post(
            "/v1/auth/refresh",
            &json!({"refresh_token": third["refresh_token"]}),
            None
        )
        .status,
        400
    );
    assert_eq!(app.get("/v1/auth/me", third["token"].as_str()).status, 401);
    let audit = block(
        app.state
            .app
            .store()
            .list_audit(None, Some("sessions.revoke"), 10),
    )
    .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].detail["reason"], "refresh_token_reuse");
}

#[test]
fn grace_window_zero_makes_any_replay_a_reuse() {
    let app = spawn_app_with(|c| c.refresh_grace = 0);
    let first = app.alice();
    assert_eq!(
        app.post(
            "/v1/auth/refresh",
            &json!({"refresh_token": first["refresh_token"]}),
            None
        )
        .status,
        200
    );
    let r = app.post(
        "/v1/auth/refresh",
        &json!({"refresh_token": first["refresh_token"]}),
        None,
    );
    assert_eq!(r.json()["error"], "invalid_grant");
}

#[test]
fn idle_and_absolute_lifetimes_end_sessions() {
    let clock = warden::clock::ManualClock::starting_now();
    let app = spawn_app_with_clock(clock.clone(), |c| c.refresh_idle_ttl = 1);
    let first = app.alice();
    clock.advance_ms(2100);
    let r = app.post(
        "/v1/auth/refresh",
        &json!({"refresh_token": first["refresh_token"]}),
        None,
    );
    assert_eq!(r.json()["error"], "invalid_grant", "{}", r.text);

    let clock = warden::clock::ManualClock::starting_now();
    let app = spawn_app_with_clock(clock.clone(), |c| c.refresh_absolute_ttl = 1);
    let first = app.alice();
    assert!(first["refresh_expires_in"].as_i64().unwrap() <= 1);
    clock.advance_ms(2100);
    let r = app.post(
        "/v1/auth/refresh",
        &json!({"refresh_token": first["refresh_token"]}),
        None,
    );
    assert_eq!(r.json()["error"], "invalid_grant");
}

#[test]
fn refresh_cookie_mode() {
    let app = spawn_app_with(|c| c.refresh_cookie = true);
    let r = app.post(
        "/v1/auth/login",
        &json!({"email": "alice@example.com", "password": USER_PASSWORD}),
        None,
    );
    let cookie = r.header("set-cookie").unwrap().to_string();
    for attr in [
        "warden_refresh=",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/v1/auth",
    ] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    let pair = cookie.split(';').next().unwrap().to_string();
    let r = app.post_raw("/v1/auth/refresh", None, b"", &[("Cookie", &pair)]);
    assert_eq!(r.status, 200, "{}", r.text);
    let next = r
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let r = app.post_raw("/v1/auth/logout", None, b"", &[("Cookie", &next)]);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["logged_out"], true);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
}

#[test]
fn disabled_users_cannot_sign_in_refresh_or_use_tokens() {
    let app = spawn_app();
    let alice = app.alice();
    block(
        app.state
            .app
            .store()
            .update_user("alice", None, None, Some(true), Default::default()),
    )
    .unwrap();
    let r = app.post(
        "/v1/auth/login",
        &json!({"email": "alice@example.com", "password": USER_PASSWORD}),
        None,
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "invalid_credentials");
    assert_eq!(
        app.post(
            "/v1/auth/refresh",
            &json!({"refresh_token": alice["refresh_token"]}),
            None
        )
        .json()["error"],
        "invalid_grant"
    );
    let me = app.get("/v1/auth/me", alice["token"].as_str());
    assert_eq!(me.status, 401);
}
