//! Strict access-token verification (RFC 8725), JWKS, key rotation, HS256.

use crate::common::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::pkcs8::DecodePrivateKey;
use ed25519_dalek::Signer;
use serde_json::{json, Value};

fn b64(v: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(v)
}

fn parts(token: &str) -> (Value, Value) {
    let mut it = token.split('.');
    let h = URL_SAFE_NO_PAD.decode(it.next().unwrap()).unwrap();
    let c = URL_SAFE_NO_PAD.decode(it.next().unwrap()).unwrap();
    (
        serde_json::from_slice(&h).unwrap(),
        serde_json::from_slice(&c).unwrap(),
    )
}

/// Sign arbitrary header and claims with warden's real active key.
fn forge(app: &TestApp, header: &Value, claims_raw: &[u8]) -> String {
    let key = block(app.state.app.store().keys())
        .unwrap()
        .into_iter()
        .find(|k| k.retired_at.is_none())
        .unwrap();
    let signing = ed25519_dalek::SigningKey::from_pkcs8_der(&key.private_der).unwrap();
    let message = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims_raw));
    let sig = signing.sign(message.as_bytes());
    format!("{message}.{}", b64(&sig.to_bytes()))
}

fn expect(app: &TestApp, token: &str, code: &str) {
    let r = app.get("/v1/auth/me", Some(token));
    assert_eq!(r.status, 401, "{code}: {}", r.text);
    assert_eq!(r.json()["error"], code, "{}", r.text);
}

#[test]
fn a_standard_library_verifies_tokens_with_only_the_jwks() {
    let app = spawn_app();
    let token = app.alice()["token"].as_str().unwrap().to_string();
    let jwks: jsonwebtoken::jwk::JwkSet =
        serde_json::from_str(&app.get("/.well-known/jwks.json", None).text).unwrap();
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.set_audience(&["warden"]);
    validation.set_issuer(&["http://warden.test"]);
    let data = jsonwebtoken::decode::<Value>(&token, &key, &validation).unwrap();
    for claim in [
        "iss", "sub", "aud", "exp", "iat", "jti", "sid", "email", "role", "roles",
    ] {
        assert!(!data.claims[claim].is_null(), "missing {claim}");
    }
    assert_eq!(data.claims["sub"], "alice");
}

#[test]
fn every_malformed_or_forged_token_is_refused() {
    let app = spawn_app();
    let good = app.alice()["token"].as_str().unwrap().to_string();
    let (header, claims) = parts(&good);
    assert_eq!(app.get("/v1/auth/me", Some(&good)).status, 200);
    let kid = header["kid"].as_str().unwrap();
    let with = |h: Value, c: &Value| forge(&app, &h, c.to_string().as_bytes());
    let now = warden::util::now();

    // Our own forge with unchanged header and claims verifies: the cases below differ by one thing.
    assert_eq!(
        app.get("/v1/auth/me", Some(&with(header.clone(), &claims)))
            .status,
        200
    );

    // alg none in any casing, with or without a signature.
    for alg in ["none", "None", "NONE", "nOnE"] {
        let h = json!({"alg": alg, "typ": "at+jwt", "kid": kid});
        let unsigned = format!(
            "{}.{}.",
            b64(h.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        expect(&app, &unsigned, "wrong_algorithm");
    }
    // Algorithm confusion: HS256 keyed with the Ed25519 public key.
    let public = block(app.state.app.store().keys()).unwrap()[0]
        .public_raw
        .clone();
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    h.typ = Some("at+jwt".into());
    h.kid = Some(kid.into());
    let confused = jsonwebtoken::encode(
        &h,
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(&public),
    )
    .unwrap();
    expect(&app, &confused, "wrong_algorithm");

    // Stripped and tampered signatures.
    let stripped = good.rsplit_once('.').unwrap().0.to_string() + ".";
    expect(&app, &stripped, "bad_signature");
    let mut c = claims.clone();
    c["sub"] = json!("admin");
    let (h64, _) = good.split_once('.').unwrap();
    let sig = good.rsplit('.').next().unwrap();
    let tampered = format!("{h64}.{}.{sig}", b64(c.to_string().as_bytes()));
    expect(&app, &tampered, "bad_signature");

    // Unknown kid, kid path traversal and SQL text, missing kid.
    for bad_kid in [
        json!("nope"),
        json!("../../etc/passwd"),
        json!("' OR 1=1 --"),
        Value::Null,
    ] {
        let mut h = header.clone();
        h["kid"] = bad_kid;
        expect(&app, &with(h, &claims), "unknown_kid");
    }

    // An attacker's own key offered in jwk / jku / x5u is ignored.
    let attacker = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let mut h = header.clone();
    h["jwk"] =
        json!({"kty": "OKP", "crv": "Ed25519", "x": b64(attacker.verifying_key().as_bytes())});
    h["jku"] = json!("http://127.0.0.1:1/keys.json");
    h["x5u"] = json!("http://127.0.0.1:1/cert.pem");
    let message = format!(
        "{}.{}",
        b64(h.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let forged = format!(
        "{message}.{}",
        b64(&attacker.sign(message.as_bytes()).to_bytes())
    );
    expect(&app, &forged, "bad_signature");
    // ... and a token we signed that merely carries those headers still verifies.
    assert_eq!(app.get("/v1/auth/me", Some(&with(h, &claims))).status, 200);

    // Time claims.
    let mut c = claims.clone();
    c["exp"] = json!(now - 120);
    c["iat"] = json!(now - 1000);
    expect(&app, &with(header.clone(), &c), "token_expired");
    let mut c = claims.clone();
    c["exp"] = json!(now - 5); // within the 30 s leeway
    assert_eq!(
        app.get("/v1/auth/me", Some(&with(header.clone(), &c)))
            .status,
        200
    );
    let mut c = claims.clone();
    c["nbf"] = json!(now + 600);
    expect(&app, &with(header.clone(), &c), "token_not_yet_valid");
    let mut c = claims.clone();
    c["iat"] = json!(now + 600);
    expect(&app, &with(header.clone(), &c), "token_issued_in_future");

    // Issuer, audience, required claims.
    let mut c = claims.clone();
    c["iss"] = json!("http://evil.test");
    expect(&app, &with(header.clone(), &c), "wrong_issuer");
    let mut c = claims.clone();
    c["aud"] = json!("someone-else");
    expect(&app, &with(header.clone(), &c), "wrong_audience");
    for claim in ["exp", "iat", "iss", "aud", "sub", "jti", "sid"] {
        let mut c = claims.clone();
        c.as_object_mut().unwrap().remove(claim);
        let r = app.get("/v1/auth/me", Some(&with(header.clone(), &c)));
        assert_eq!(r.status, 401, "without {claim}: {}", r.text);
        let code = r.json()["error"].as_str().unwrap().to_string();
        assert!(
            code == "bad_claims" || code == "wrong_issuer" || code == "wrong_audience",
            "without {claim}: {code}"
        );
    }

    // typ must be at+jwt; crit is refused.
    let mut h = header.clone();
    h["typ"] = json!("JWT");
    expect(&app, &with(h, &claims), "wrong_token_type");
    let mut h = header.clone();
    h.as_object_mut().unwrap().remove("typ");
    expect(&app, &with(h, &claims), "wrong_token_type");
    let mut h = header.clone();
    h["crit"] = json!(["exp"]);
    expect(&app, &with(h, &claims), "unsupported_crit");

    // Size cap, non-JSON payload, garbage.
    let mut c = claims.clone();
    c["padding"] = json!("x".repeat(9000));
    expect(&app, &with(header.clone(), &c), "token_too_large");
    expect(
        &app,
        &forge(&app, &header, b"not json at all"),
        "bad_claims",
    );
    expect(&app, "a.b", "malformed_token");
    expect(&app, "not-a-token", "malformed_token");
    expect(&app, "a.b.c.d", "malformed_token");
}

#[test]
fn tokens_of_deleted_users_and_from_before_revoke_all_are_refused() {
    let app = spawn_app();
    let alice = app.alice();
    let (header, claims) = parts(alice["token"].as_str().unwrap());
    // A token minted (validly signed) before the user's revoke-all epoch.
    block(app.state.app.store().revoke_user_tokens("alice", None)).unwrap();
    let again = app.alice();
    let (_, fresh) = parts(again["token"].as_str().unwrap());
    let mut c = claims.clone();
    c["sid"] = fresh["sid"].clone(); // even on a live session
    c["iat"] = json!(warden::util::now() - 60);
    expect(
        &app,
        &forge(&app, &header, c.to_string().as_bytes()),
        "token_revoked_for_user",
    );

    block(
        app.state
            .app
            .store()
            .delete_user("alice", Default::default()),
    )
    .unwrap();
    let r = app.get("/v1/auth/me", again["token"].as_str());
    assert_eq!(r.status, 401);
}

#[test]
fn rotated_keys_keep_verifying_old_tokens() {
    let app = spawn_app();
    let old = app.alice()["token"].as_str().unwrap().to_string();
    let out = app.warden(&["keys", "rotate", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    block(app.state.tokens.reload_keys(app.state.app.store())).unwrap();
    let new = app.alice()["token"].as_str().unwrap().to_string();
    assert_ne!(parts(&old).0["kid"], parts(&new).0["kid"]);
    assert_eq!(app.get("/v1/auth/me", Some(&old)).status, 200);
    assert_eq!(app.get("/v1/auth/me", Some(&new)).status, 200);
    let jwks = app.get("/.well-known/jwks.json", None).json();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    let listed = app.warden(&["keys", "list", "--json"]);
    let keys: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(
        keys.as_array()
            .unwrap()
            .iter()
            .filter(|k| k["retired_at"].is_null())
            .count(),
        1
    );
}

#[test]
fn hs256_mode_with_a_shared_secret() {
    let app = spawn_app_with(|c| {
        c.jwt_algorithm = warden::config::JwtAlgorithm::Hs256;
        c.jwt_secret = Some("a-shared-secret-of-at-least-32-bytes!".into());
    });
    let token = app.alice()["token"].as_str().unwrap().to_string();
    assert_eq!(parts(&token).0["alg"], "HS256");
    assert_eq!(app.get("/v1/auth/me", Some(&token)).status, 200);
    assert_eq!(
        app.get("/.well-known/jwks.json", None).json()["keys"],
        json!([])
    );
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_audience(&["warden"]);
    let key = jsonwebtoken::DecodingKey::from_secret(b"a-shared-secret-of-at-least-32-bytes!");
    assert!(jsonwebtoken::decode::<Value>(&token, &key, &validation).is_ok());

    let short = block(warden::server::AppState::build(warden::config::Config {
        jwt_algorithm: warden::config::JwtAlgorithm::Hs256,
        jwt_secret: Some("short".into()),
        ..warden::config::Config::default()
    }));
    assert!(short
        .err()
        .unwrap()
        .to_string()
        .contains("at least 32 bytes"));
}

/// Issue 32: a token of another issuer says which issuer this warden expects and which
/// setting decides it, over HTTP and in `warden decide --token` of a process configured for
/// another URL; nothing is allowed.
#[test]
fn a_wrong_issuer_names_the_expected_one_and_public_url() {
    let app = spawn_app();
    let good = app.alice()["token"].as_str().unwrap().to_string();
    let (header, mut claims) = parts(&good);
    claims["iss"] = json!("http://127.0.0.1:9999");
    let foreign = forge(&app, &header, claims.to_string().as_bytes());
    for r in [
        app.get("/v1/auth/me", Some(&foreign)),
        app.post(
            "/v1/authorize",
            &json!({"action": "readDocument", "resource": {"type": "Document", "id": "d1", "properties": {"owner": "alice"}}}),
            Some(&foreign),
        ),
    ] {
        assert_eq!(r.status, 401, "{}", r.text);
        let body = r.json();
        assert_eq!(body["error"], "wrong_issuer", "{}", r.text);
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains("expected http://warden.test") && message.contains("`public_url`"),
            "{message}"
        );
        assert!(body.get("allowed").is_none(), "{}", r.text);
    }

    // The command line, configured for another URL than the server that minted the token.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["--db", app.db()])
        .args([
            "--policies",
            app.dir.path().join("policies").to_str().unwrap(),
        ])
        .args(["decide", "--token", &good, "--action", "readDocument"])
        .args([
            "--resource",
            "Document::\"d1\"",
            "--properties",
            r#"{"owner":"alice"}"#,
        ])
        .env("WARDEN_PUBLIC_URL", "http://127.0.0.1:8181")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing decided");
    assert!(
        stderr.contains("wrong_issuer")
            && stderr.contains("expected http://127.0.0.1:8181")
            && stderr.contains("`public_url`"),
        "{stderr}"
    );
}
