use super::*;

#[test]
fn throttling_answers_429_with_retry_after() {
    let app = spawn_app_with(|c| c.login_max_failures_per_account = 3);
    for _ in 0..3 {
        let r = app.post(
            "/v1/auth/login",
            &json!({"email": "alice@example.com", "password": "wrong password!"}),
            None,
        );
        assert_eq!(r.status, 401);
    }
    let r = app.post(
        "/v1/auth/login",
        &json!({"email": "alice@example.com", "password": USER_PASSWORD}),
        None,
    );
    assert_eq!(r.status, 429, "even the right password waits: {}", r.text);
    assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    assert_eq!(r.json()["error"], "too_many_attempts");
    // Other accounts are not blocked by this one.
    assert_eq!(
        app.post(
            "/v1/auth/login",
            &json!({"email": "admin@localhost", "password": ADMIN_PASSWORD}),
            None
        )
        .status,
        200
    );

    let app = spawn_app_with(|c| c.login_max_failures_per_address = 2);
    for email in ["a@example.com", "b@example.com"] {
        app.post(
            "/v1/auth/login",
            &json!({"email": email, "password": "wrong password!"}),
            None,
        );
    }
    let r = app.post(
        "/v1/auth/login",
        &json!({"email": "c@example.com", "password": "wrong password!"}),
        None,
    );
    assert_eq!(r.status, 429);
}

#[test]
fn bad_bodies_are_4xx_with_clear_codes() {
    let app = spawn_app();
    let r = app.post_raw(
        "/v1/auth/login",
        Some("application/json"),
        b"{\"email\": ",
        &[],
    );
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (400, Some("invalid_request"))
    );
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("malformed JSON"));
    let r = app.post(
        "/v1/auth/login",
        &json!({"email": "alice@example.com"}),
        None,
    );
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().contains("password"));
    let r = app.post(
        "/v1/auth/login",
        &json!({"email": 5, "password": "x"}),
        None,
    );
    assert_eq!(r.status, 400);
    let r = app.post_raw("/v1/auth/login", Some("text/plain"), b"{}", &[]);
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (415, Some("unsupported_media_type"))
    );
    let r = app.post_raw("/v1/auth/login", None, b"{}", &[]);
    assert_eq!(r.status, 415);
    let big = format!(
        "{{\"email\":\"a@b.c\",\"password\":\"{}\"}}",
        "x".repeat(70_000)
    );
    let r = app.post_raw(
        "/v1/auth/login",
        Some("application/json"),
        big.as_bytes(),
        &[],
    );
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (413, Some("payload_too_large"))
    );
    let r = app.post_raw("/v1/auth/login", Some("application/json"), b"", &[]);
    assert_eq!(r.status, 400);
    let r = app.post("/v1/auth/refresh", &json!({}), None);
    assert_eq!(r.status, 400);
    let r = app.post("/v1/auth/refresh", &json!({"refresh_token": 7}), None);
    assert_eq!(r.status, 400);
    // A long password is hashed whole, never truncated, and over 1024 bytes is refused.
    let r = app.post(
        "/v1/auth/login",
        &json!({"email": "alice@example.com", "password": "x".repeat(2000)}),
        None,
    );
    assert_eq!(r.status, 401);
    assert_eq!(app.get("/nope", None).status, 404);
}

#[test]
fn access_and_refresh_tokens_are_not_interchangeable() {
    let app = spawn_app();
    let alice = app.alice();
    let me = app.get("/v1/auth/me", alice["refresh_token"].as_str());
    assert_eq!(
        (me.status, me.json()["error"].as_str()),
        (401, Some("malformed_token"))
    );
    let r = app.post(
        "/v1/auth/refresh",
        &json!({"refresh_token": alice["token"]}),
        None,
    );
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[test]
fn revoke_is_rfc7009_and_introspect_is_rfc7662() {
    let app = spawn_app();
    let alice = app.alice();
    let token = alice["token"].as_str().unwrap();

    // Introspection needs a service client.
    let r = app.post_raw(
        "/v1/auth/introspect",
        Some("application/x-www-form-urlencoded"),
        format!("token={token}").as_bytes(),
        &[],
    );
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").is_some());
    let (_, key) = block(app.state.app.store().create_client("api", None)).unwrap();
    let auth = format!("Bearer {key}");
    let r = app.post_raw(
        "/v1/auth/introspect",
        Some("application/x-www-form-urlencoded"),
        format!("token={token}").as_bytes(),
        &[("Authorization", &auth)],
    );
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(
        (v["active"].as_bool(), v["sub"].as_str()),
        (Some(true), Some("alice"))
    );
    // The bare key works too.
    let r = app.post_raw(
        "/v1/auth/introspect",
        Some("application/json"),
        json!({"token": token}).to_string().as_bytes(),
        &[("Authorization", &key)],
    );
    assert_eq!(r.json()["active"], true);

    // Revoke the access token: always 200, and the token is dead at once.
    let r = app.post_raw(
        "/v1/auth/revoke",
        Some("application/x-www-form-urlencoded"),
        format!("token={token}&token_type_hint=access_token").as_bytes(),
        &[],
    );
    assert_eq!(r.status, 200);
    let me = app.get("/v1/auth/me", Some(token));
    assert_eq!(
        (me.status, me.json()["error"].as_str()),
        (401, Some("token_revoked"))
    );
    let r = app.post_raw(
        "/v1/auth/introspect",
        Some("application/json"),
        json!({"token": token}).to_string().as_bytes(),
        &[("Authorization", &auth)],
    );
    assert_eq!(r.text, "{\"active\":false}");
    // Garbage: still 200.
    assert_eq!(
        app.post("/v1/auth/revoke", &json!({"token": "garbage"}), None)
            .status,
        200
    );
    // Revoking the refresh token ends the session.
    assert_eq!(
        app.post(
            "/v1/auth/revoke",
            &json!({"token": alice["refresh_token"]}),
            None
        )
        .status,
        200
    );
    assert_eq!(
        app.post(
            "/v1/auth/refresh",
            &json!({"refresh_token": alice["refresh_token"]}),
            None
        )
        .status,
        400
    );
    // A revoked client key is refused.
    let id = block(app.state.app.store().list_clients()).unwrap()[0]
        .id
        .clone();
    block(app.state.app.store().revoke_client(&id, None)).unwrap();
    let r = app.post_raw(
        "/v1/auth/introspect",
        Some("application/json"),
        json!({"token": token}).to_string().as_bytes(),
        &[("Authorization", &auth)],
    );
    assert_eq!(r.status, 401);
}

#[test]
fn revoke_all_from_the_command_line_cuts_off_existing_tokens() {
    let app = spawn_app();
    let alice = app.alice();
    let out = app.warden(&["token", "revoke", "--user", "alice"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    app.sees("the revoked tokens", || {
        app.get("/v1/auth/me", alice["token"].as_str()).status == 401
    });
    assert_eq!(
        app.post(
            "/v1/auth/refresh",
            &json!({"refresh_token": alice["refresh_token"]}),
            None
        )
        .status,
        400
    );
    // A new sign-in works again.
    let again = app.alice();
    assert_eq!(app.get("/v1/auth/me", again["token"].as_str()).status, 200);

    // Session list and revoke from the command line.
    let out = app.warden(&["session", "list", "--user", "alice", "--active", "--json"]);
    let sessions: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sessions.as_array().unwrap().len(), 1);
    let sid = sessions[0]["id"].as_str().unwrap();
    assert!(app.warden(&["session", "revoke", sid]).status.success());
    app.sees("the revoked session", || {
        app.get("/v1/auth/me", again["token"].as_str()).json()["error"] == "session_ended"
    });
    let out = app.warden(&["session", "revoke", "nope"]);
    assert!(!out.status.success());
}

#[test]
fn operations_endpoints() {
    let app = spawn_app();
    assert_eq!(app.get("/healthz", None).status, 200);
    let ready = app.get("/readyz", None);
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["status"], "ready");
    let ready = app.get("/readyz", Some(&app.admin_token()));
    assert_eq!(ready.json()["policies"], 6);
    let conf = app.get("/.well-known/openid-configuration", None).json();
    assert_eq!(conf["issuer"], "http://warden.test");
    assert_eq!(conf["jwks_uri"], "http://warden.test/.well-known/jwks.json");
    let r = app.post_raw(
        "/v1/auth/login",
        Some("application/json"),
        b"{}",
        &[("X-Request-ID", "req-42")],
    );
    assert_eq!(r.header("x-request-id"), Some("req-42"));
    assert!(app.get("/healthz", None).header("x-request-id").is_some());
}

fn form(app: &TestApp, body: &str) -> Reply {
    app.post_raw(
        "/v1/auth/token",
        Some("application/x-www-form-urlencoded"),
        body.as_bytes(),
        &[],
    )
}

#[test]
fn the_oauth_token_endpoint_serves_password_and_refresh_grants() {
    let app = spawn_app();
    let r = form(
        &app,
        &format!("grant_type=password&username=alice%40example.com&password={USER_PASSWORD}&client_id=any"),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
    let t = r.json();
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 900);
    let access = t["access_token"].as_str().unwrap();
    assert_eq!(app.get("/v1/auth/me", Some(access)).json()["sub"], "alice");

    // Refresh rotates, as /v1/auth/refresh does.
    let refresh = t["refresh_token"].as_str().unwrap();
    let r = form(
        &app,
        &format!("grant_type=refresh_token&refresh_token={refresh}"),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let next = r.json();
    assert_ne!(next["refresh_token"], t["refresh_token"]);
    assert_eq!(next["session_id"], t["session_id"]);
    let r = form(&app, "grant_type=refresh_token&refresh_token=not-a-token");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_grant");

    // RFC 6749 section 5.2 errors.
    let cases = [
        (
            "grant_type=password&username=alice%40example.com&password=wrong-password-1",
            "invalid_grant",
        ),
        ("grant_type=client_credentials", "unsupported_grant_type"),
        (
            "grant_type=password&username=alice%40example.com",
            "invalid_request",
        ),
        ("username=alice%40example.com&password=x", "invalid_request"),
        (
            "grant_type=password&grant_type=refresh_token",
            "invalid_request",
        ),
    ];
    for (body, code) in cases {
        let r = form(&app, body);
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        let v = r.json();
        assert_eq!(v["error"], code, "{body}: {v}");
        assert!(v["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()));
        assert_eq!(v["message"], v["error_description"]);
    }
    let r = app.post(
        "/v1/auth/token",
        &json!({"grant_type": "password", "username": "alice@example.com", "password": USER_PASSWORD}),
        None,
    );
    assert_eq!(
        r.status, 400,
        "a JSON body is not a token request: {}",
        r.text
    );
    assert_eq!(r.json()["error"], "invalid_request");
}

#[test]
fn the_token_endpoint_is_throttled_with_the_json_sign_in() {
    let app = spawn_app_with(|c| c.login_max_failures_per_account = 2);
    // Failures through either door count for the same account.
    app.post(
        "/v1/auth/login",
        &json!({"email": "alice@example.com", "password": "wrong password!"}),
        None,
    );
    form(
        &app,
        "grant_type=password&username=alice%40example.com&password=wrong",
    );
    let r = form(
        &app,
        &format!("grant_type=password&username=alice%40example.com&password={USER_PASSWORD}"),
    );
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.json()["error"], "temporarily_unavailable");
    assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
}

#[test]
fn discovery_advertises_only_what_is_served() {
    let app = spawn_app();
    let conf = app.get("/.well-known/openid-configuration", None).json();
    assert_eq!(conf["token_endpoint"], "http://warden.test/v1/auth/token");
    assert_eq!(
        conf["grant_types_supported"],
        json!(["password", "refresh_token"])
    );
    let served = app.get("/openapi.json", None).json();
    for (key, value) in conf.as_object().unwrap() {
        if !(key.ends_with("_endpoint") || key.ends_with("_uri")) {
            continue;
        }
        let path = value
            .as_str()
            .unwrap()
            .strip_prefix("http://warden.test")
            .unwrap();
        assert!(
            served["paths"].get(path).is_some(),
            "{key} advertises {path}, which is not served"
        );
    }
}
