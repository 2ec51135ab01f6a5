use super::*;

#[test]
fn a_verified_id_token_becomes_a_warden_session_like_a_sign_in() {
    let s = setup(|_| {});
    let r = s.exchange(&s.provider.sign(&s.claims(json!({}))));
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.json();
    assert_eq!(body["id"], "alice");
    assert_eq!(body["email"], "alice@example.com");
    assert_eq!(body["role"], "USER");
    assert_eq!(r.header("cache-control"), Some("no-store"));
    // The access token works for decisions, the refresh token rotates.
    let token = body["token"].as_str().unwrap();
    let me = s.app.get("/v1/auth/me", Some(token));
    assert_eq!(me.json()["id"], "alice", "{}", me.text);
    let refreshed = s.app.post(
        "/v1/auth/refresh",
        &json!({"refresh_token": body["refresh_token"]}),
        None,
    );
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    // The form body of RFC 8693 section 2.1 is accepted too.
    let form = format!(
        "grant_type={}&subject_token={}&subject_token_type={}",
        EXCHANGE.replace(':', "%3A"),
        s.provider.sign(&s.claims(json!({}))),
        ID_TOKEN.replace(':', "%3A"),
    );
    let r = s.app.post_raw(
        "/v1/auth/exchange",
        Some("application/x-www-form-urlencoded"),
        form.as_bytes(),
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(s.provider.fetches(), 1, "the keys are cached");
}

#[test]
fn key_rotation_at_the_provider_is_picked_up_and_unknown_kids_are_rate_limited() {
    let s = setup(|_| {});
    assert_eq!(
        s.exchange(&s.provider.sign(&s.claims(json!({})))).status,
        200
    );
    assert_eq!(s.provider.fetches(), 1);
    // The provider rotates: the new kid is unknown, one refetch picks it up...
    s.clock.advance_ms(61_000);
    s.provider.keys.lock().unwrap().push(Key::new("k2"));
    let r = s.exchange(&s.provider.sign(&s.claims(json!({}))));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(s.provider.fetches(), 2);
    // ...but a flood of made-up kids does not hammer the provider: within
    // exchange_jwks_min_refresh no new fetch happens, whatever the kid.
    s.provider.keys.lock().unwrap().push(Key::new("k3"));
    for _ in 0..5 {
        s.refused(&s.provider.sign(&s.claims(json!({}))), "unknown kid");
    }
    assert_eq!(s.provider.fetches(), 2);
    s.clock.advance_ms(61_000);
    assert_eq!(
        s.exchange(&s.provider.sign(&s.claims(json!({})))).status,
        200
    );
    assert_eq!(s.provider.fetches(), 3);
}

#[test]
fn an_unverified_email_a_wrong_audience_an_untrusted_issuer_and_expired_tokens_are_refused() {
    let s = setup(|_| {});
    s.refused(
        &s.provider.sign(&s.claims(json!({"email_verified": false}))),
        "not verified",
    );
    s.refused(
        &s.provider
            .sign(&s.claims(json!({"email_verified": "true"}))),
        "not verified",
    );
    s.refused(
        &s.provider.sign(&s.claims(json!({"email_verified": null}))),
        "not verified",
    );
    s.refused(
        &s.provider
            .sign(&s.claims(json!({"aud": "someone-elses-app"}))),
        "wrong audience",
    );
    s.refused(
        &s.provider
            .sign(&s.claims(json!({"iss": "https://accounts.google.com"}))),
        "not trusted",
    );
    let now = s.clock.now();
    s.refused(
        &s.provider
            .sign(&s.claims(json!({"iat": now - 600, "exp": now - 60}))),
        "expired",
    );
    s.refused(
        &s.provider.sign(&s.claims(json!({"nbf": now + 600}))),
        "not valid yet",
    );
    s.refused(
        &s.provider
            .sign(&s.claims(json!({"iat": now + 600, "exp": now + 900}))),
        "future",
    );
    s.refused(&s.provider.sign(&s.claims(json!({"exp": null}))), "exp");
    // A tampered payload: the signature no longer matches.
    let token = s.provider.sign(&s.claims(json!({})));
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    let other = s.claims(json!({"email": "admin@localhost"}));
    parts[1] = URL_SAFE_NO_PAD.encode(other.to_string());
    s.refused(&parts.join("."), "bad signature");
    // Too large, not a JWT.
    s.refused(&"a".repeat(9000), "larger than 8 KiB");
    s.refused("not-a-jwt", "not a signed JWT");
}

#[test]
fn the_algorithm_is_pinned_per_issuer() {
    // The issuer is configured for RS256 only: an EdDSA token, however well signed, is refused.
    let s = setup(|t| t.algorithms = vec!["RS256".into()]);
    s.refused(
        &s.provider.sign(&s.claims(json!({}))),
        "alg \"EdDSA\" is not accepted",
    );
    let s = setup(|_| {});
    // `none`, and HS256 "signed" with the provider's public key (key confusion).
    let claims = URL_SAFE_NO_PAD.encode(s.claims(json!({})).to_string());
    let none = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k1"}"#);
    s.refused(&format!("{none}.{claims}."), "alg \"none\" is not accepted");
    let x = s.provider.keys.lock().unwrap()[0].public_x.clone();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("k1".into());
    let forged = encode(
        &header,
        &s.claims(json!({})),
        &EncodingKey::from_secret(x.as_bytes()),
    )
    .unwrap();
    s.refused(&forged, "alg \"HS256\" is not accepted");
    // A crit header is refused (RFC 7515 section 4.1.11).
    let crit = URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA","kid":"k1","crit":["exp"]}"#);
    s.refused(&format!("{crit}.{claims}.c2ln"), "crit");
}

#[test]
fn users_are_created_only_when_the_issuer_says_so() {
    let s = setup(|_| {});
    let bob = json!({"email": "bob@example.com", "sub": "g-bob", "name": "Bob"});
    s.refused(
        &s.provider.sign(&s.claims(bob.clone())),
        "does not create users",
    );

    let s = setup(|t| {
        t.create_users = true;
        t.default_roles = vec!["USER".into()];
    });
    let r = s.exchange(&s.provider.sign(&s.claims(bob.clone())));
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.json();
    assert_eq!(body["email"], "bob@example.com");
    assert_eq!(body["name"], "Bob");
    assert_eq!(body["roles"], json!(["USER"]));
    // The second exchange finds the same user.
    let again = s.exchange(&s.provider.sign(&s.claims(bob))).json();
    assert_eq!(again["id"], body["id"]);
    // An unverified email never creates a user either.
    s.refused(
        &s.provider
            .sign(&s.claims(json!({"email": "carol@example.com", "email_verified": false}))),
        "not verified",
    );
    // A disabled user is refused.
    let id = body["id"].as_str().unwrap().to_string();
    let admin = s.app.admin_token();
    let r = s.app.call(
        "patch",
        &format!("/admin/v1/users/{id}"),
        Some(&json!({"disabled": true})),
        Some(&admin),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    s.refused(
        &s.provider
            .sign(&s.claims(json!({"email": "bob@example.com", "sub": "g-bob"}))),
        "disabled",
    );
}

#[test]
fn without_trusted_issuers_the_exchange_is_off_and_bad_requests_are_400() {
    let app = crate::common::spawn_app();
    let r = app.post(
        "/v1/auth/exchange",
        &json!({"grant_type": EXCHANGE, "subject_token": "a.b.c", "subject_token_type": ID_TOKEN}),
        None,
    );
    assert_eq!(r.status, 400);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("not configured"));
    let r = app.post(
        "/v1/auth/exchange",
        &json!({"grant_type": "password", "subject_token": "a.b.c", "subject_token_type": ID_TOKEN}),
        None,
    );
    assert_eq!(r.status, 400, "{}", r.text);
    let r = app.post(
        "/v1/auth/exchange",
        &json!({"grant_type": EXCHANGE, "subject_token": "a.b.c", "subject_token_type": "urn:ietf:params:oauth:token-type:access_token"}),
        None,
    );
    assert_eq!(r.status, 400, "{}", r.text);
}

#[test]
fn an_unreachable_provider_is_503_not_a_sign_in() {
    let s = setup(|_| {});
    let token = s.provider.sign(&s.claims(json!({})));
    let issuer = s.provider.issuer.clone();
    drop(s.provider);
    // Wait (bounded) until the provider's port refuses connections.
    for _ in 0..50 {
        if TcpStream::connect(issuer.trim_start_matches("http://")).is_err() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let r = s.app.post(
        "/v1/auth/exchange",
        &json!({"grant_type": EXCHANGE, "subject_token": token, "subject_token_type": ID_TOKEN}),
        None,
    );
    assert_eq!(r.status, 503, "{}", r.text);
    assert_eq!(r.json()["error"], "unavailable");
}

/// Issue 25: while the provider's keys cannot be fetched, every request is 503 (not "unknown
/// kid", not a sign-in), however many come and however the clock moves; the first fetch after
/// the provider is back recovers; and an outage never makes a known key unusable.
#[test]
fn a_provider_outage_is_503_throughout_and_recovery_takes_one_fetch() {
    let s = setup(|_| {});
    s.provider.up.store(false, Ordering::SeqCst);
    for step in 0..4 {
        let r = s.exchange(&s.provider.sign(&s.claims(json!({}))));
        assert_eq!(r.status, 503, "request {step}: {}", r.text);
        assert_eq!(r.json()["error"], "unavailable", "{}", r.text);
        s.clock.advance_ms(7_000);
    }
    assert_eq!(s.provider.fetches(), 0, "no JWKS was served");
    // The provider is back: the very next request fetches once and signs in.
    s.provider.up.store(true, Ordering::SeqCst);
    let r = s.exchange(&s.provider.sign(&s.claims(json!({}))));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(s.provider.fetches(), 1);

    // Down again, with a new key at the provider: a kid we do not hold is 503, not "unknown
    // kid", while tokens signed with the key in hand still work.
    s.clock.advance_ms(61_000);
    let old_key_token = s.provider.sign(&s.claims(json!({})));
    s.provider.up.store(false, Ordering::SeqCst);
    s.provider.keys.lock().unwrap().push(Key::new("k2"));
    for _ in 0..3 {
        let r = s.exchange(&s.provider.sign(&s.claims(json!({}))));
        assert_eq!(r.status, 503, "{}", r.text);
        s.clock.advance_ms(1_000);
    }
    let r = s.exchange(&old_key_token);
    assert_eq!(r.status, 200, "the key in hand still serves: {}", r.text);
    s.provider.up.store(true, Ordering::SeqCst);
    let r = s.exchange(&s.provider.sign(&s.claims(json!({}))));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(s.provider.fetches(), 2);
    // Up again: made-up kids are rate limited as before.
    let requests = s.provider.requests.load(Ordering::SeqCst);
    s.provider.keys.lock().unwrap().push(Key::new("k3"));
    for _ in 0..5 {
        s.refused(&s.provider.sign(&s.claims(json!({}))), "unknown kid");
    }
    assert_eq!(s.provider.requests.load(Ordering::SeqCst), requests);
}
