use super::*;

/// Issue 25: one ID token exchanged 4,000 times gave 4,000 sessions. Each is exchanged once.
#[test]
fn the_same_id_token_is_exchanged_once() {
    let s = &setup(|_| {});
    let token = s.provider.sign(&s.claims(json!({})));
    let first = s.exchange(&token);
    assert_eq!(first.status, 200, "{}", first.text);
    s.refused(&token, "exchanged already");
    // Another spelling of the same signature (a lenient base64 decoder accepts the last
    // character with other padding bits) is the same token.
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    let sig = parts[2].clone();
    let last = sig.chars().last().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let index = alphabet.find(last).unwrap();
    let twin = alphabet.chars().nth(index ^ 1).unwrap();
    parts[2] = format!("{}{twin}", &sig[..sig.len() - 1]);
    let r = s.exchange(&parts.join("."));
    assert_eq!(r.status, 400, "{}", r.text);
    // The token endpoint shares the memory.
    let form = format!(
        "grant_type={}&subject_token={token}&subject_token_type={}",
        url_encode(EXCHANGE),
        url_encode(ID_TOKEN),
    );
    let r = s.app.post_raw(
        "/v1/auth/token",
        Some("application/x-www-form-urlencoded"),
        form.as_bytes(),
        &[],
    );
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.json()["error_description"]
        .as_str()
        .unwrap()
        .contains("exchanged already"));
}

/// Issue 25: a token with `iat=0` and an expiry a century away was accepted.
#[test]
fn an_id_token_older_than_exchange_max_token_age_is_refused() {
    let s = setup_with(|_| {}, |c| c.exchange_max_token_age = 600);
    let now = s.clock.now();
    let century = now + 100 * 365 * 24 * 3600;
    s.refused(
        &s.provider
            .sign(&s.claims(json!({"iat": 0, "exp": century}))),
        "exchange_max_token_age",
    );
    s.refused(
        &s.provider
            .sign(&s.claims(json!({"iat": now - 700, "exp": now + 60}))),
        "exchange_max_token_age",
    );
    let r = s.exchange(
        &s.provider
            .sign(&s.claims(json!({"iat": now - 500, "exp": now + 60}))),
    );
    assert_eq!(r.status, 200, "{}", r.text);
}

/// Issue 25: the exchange had no throttle. Per provider subject (from any address) and per
/// address (whatever the subject), every exchange counts.
#[test]
fn exchanges_are_throttled_per_subject_and_per_address() {
    let s = setup(|_| {});
    let mut statuses = Vec::new();
    for n in 0..20 {
        // From another loopback address every time: the subject's budget is its own.
        let source = format!("127.0.0.{}", 2 + n);
        let token = s.provider.sign(&s.claims(json!({})));
        let r = s.app.post_from(
            &source,
            "/v1/auth/exchange",
            &json!({"grant_type": EXCHANGE, "subject_token": token, "subject_token_type": ID_TOKEN}),
        );
        statuses.push(r.status);
        if r.status == 429 {
            assert_eq!(r.json()["error"], "too_many_attempts", "{}", r.text);
            assert!(r.header("retry-after").is_some());
        }
    }
    let allowed = warden::config::Config::default().exchange_max_per_subject as usize;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        allowed,
        "{statuses:?}"
    );
    assert!(
        statuses[allowed..].iter().all(|s| *s == 429),
        "{statuses:?}"
    );

    // One address, a different subject each time (refused or not, each one counts).
    let s = setup(|_| {});
    let per_address = warden::config::Config::default().exchange_max_per_address as usize;
    for n in 0..per_address {
        let r = s.exchange(
            &s.provider
                .sign(&s.claims(json!({"sub": format!("s-{n}"), "email": "nobody@example.com"}))),
        );
        assert_eq!(r.status, 400, "{n}: {}", r.text);
    }
    let r = s.exchange(&s.provider.sign(&s.claims(json!({"sub": "s-last"}))));
    assert_eq!(r.status, 429, "{}", r.text);
    assert!(r.json()["error_description"].is_string(), "{}", r.text);
}

/// RFC 8693 section 2.2.1 and RFC 6749 section 5.2: the answer names the issued token's
/// type, errors carry `error_description`; the token endpoint takes the token-exchange grant
/// and discovery advertises it.
#[test]
fn the_exchange_speaks_rfc_8693_at_both_endpoints() {
    let s = setup(|_| {});
    let r = s.exchange(&s.provider.sign(&s.claims(json!({}))));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["issued_token_type"],
        "urn:ietf:params:oauth:token-type:access_token"
    );
    let r = s.exchange(&s.provider.sign(&s.claims(json!({"aud": "other"}))));
    assert_eq!(r.status, 400);
    let body = r.json();
    assert_eq!(body["error"], "invalid_request");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("wrong audience"));
    assert_eq!(body["error_description"], body["message"]);
    // The token endpoint.
    let form = format!(
        "grant_type={}&subject_token={}&subject_token_type={}",
        url_encode(EXCHANGE),
        s.provider.sign(&s.claims(json!({}))),
        url_encode(ID_TOKEN),
    );
    let r = s.app.post_raw(
        "/v1/auth/token",
        Some("application/x-www-form-urlencoded"),
        form.as_bytes(),
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.json();
    assert_eq!(body["id"], "alice");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(
        body["issued_token_type"],
        "urn:ietf:params:oauth:token-type:access_token"
    );
    let me = s
        .app
        .get("/v1/auth/me", Some(body["access_token"].as_str().unwrap()));
    assert_eq!(me.json()["id"], "alice", "{}", me.text);
    // A wrong subject token type is the client's error.
    let form = format!(
        "grant_type={}&subject_token=a.b.c&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token",
        url_encode(EXCHANGE),
    );
    let r = s.app.post_raw(
        "/v1/auth/token",
        Some("application/x-www-form-urlencoded"),
        form.as_bytes(),
        &[],
    );
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json()["error"], "invalid_request");
    // Discovery (both documents).
    for doc in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let grants = s.app.get(doc, None).json()["grant_types_supported"].clone();
        assert!(
            grants.as_array().unwrap().contains(&json!(EXCHANGE)),
            "{doc}: {grants}"
        );
    }
    // Without trusted issuers the grant is not advertised.
    let plain = crate::common::spawn_app();
    let grants = plain.get("/.well-known/openid-configuration", None).json()
        ["grant_types_supported"]
        .clone();
    assert!(!grants.as_array().unwrap().contains(&json!(EXCHANGE)));
}
