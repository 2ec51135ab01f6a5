//! `POST /v1/auth/exchange` (RFC 8693) against a local OpenID provider on 127.0.0.1: a small
//! HTTP server serving its discovery document and JWKS, with Ed25519 keys of its own, and ID
//! tokens signed with jsonwebtoken. Time is the test's ManualClock (tokens and the JWKS
//! refresh limit follow it).

use crate::common::{spawn_app_with_clock, TestApp};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use warden::clock::{Clock, ManualClock};
use warden::config::{LinkClaim, TrustedIssuer};

const AUDIENCE: &str = "my-nextjs-app";
const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";

struct Key {
    kid: String,
    private_der: Vec<u8>,
    public_x: String,
}

impl Key {
    fn new(kid: &str) -> Key {
        let signing = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
        Key {
            kid: kid.into(),
            private_der: signing.to_pkcs8_der().unwrap().as_bytes().to_vec(),
            public_x: URL_SAFE_NO_PAD.encode(signing.verifying_key().to_bytes()),
        }
    }

    fn jwk(&self) -> Value {
        json!({"kty": "OKP", "crv": "Ed25519", "x": self.public_x, "kid": self.kid, "alg": "EdDSA", "use": "sig"})
    }
}

/// The local OpenID provider: discovery at `/.well-known/openid-configuration`, keys at
/// `/jwks`. One request per connection; stops when dropped.
struct Provider {
    issuer: String,
    keys: Arc<Mutex<Vec<Key>>>,
    jwks_fetches: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Provider {
    fn start() -> Provider {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let keys = Arc::new(Mutex::new(vec![Key::new("k1")]));
        let jwks_fetches = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (i, k, f, s) = (
            issuer.clone(),
            keys.clone(),
            jwks_fetches.clone(),
            stop.clone(),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                serve_one(stream, &i, &k, &f);
            }
        });
        Provider {
            issuer,
            keys,
            jwks_fetches,
            stop,
        }
    }

    fn sign(&self, claims: &Value) -> String {
        let keys = self.keys.lock().unwrap();
        let key = keys.last().unwrap();
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(key.kid.clone());
        encode(&header, claims, &EncodingKey::from_ed_der(&key.private_der)).unwrap()
    }

    fn fetches(&self) -> usize {
        self.jwks_fetches.load(Ordering::SeqCst)
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.issuer.trim_start_matches("http://"));
    }
}

fn serve_one(stream: TcpStream, issuer: &str, keys: &Mutex<Vec<Key>>, fetches: &AtomicUsize) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Skip the headers (bounded: a test client sends a handful).
    for _ in 0..100 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("");
    let body = match path {
        "/.well-known/openid-configuration" => {
            json!({"issuer": issuer, "jwks_uri": format!("{issuer}/jwks"), "id_token_signing_alg_values_supported": ["EdDSA"]})
        }
        "/jwks" => {
            fetches.fetch_add(1, Ordering::SeqCst);
            json!({"keys": keys.lock().unwrap().iter().map(Key::jwk).collect::<Vec<_>>()})
        }
        _ => json!({"error": "not found"}),
    }
    .to_string();
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

struct Setup {
    app: TestApp,
    provider: Provider,
    clock: Arc<ManualClock>,
}

fn setup(tweak: impl FnOnce(&mut TrustedIssuer)) -> Setup {
    let provider = Provider::start();
    let clock = ManualClock::starting_now();
    let mut trusted = TrustedIssuer {
        issuer: provider.issuer.clone(),
        audience: AUDIENCE.into(),
        algorithms: vec!["EdDSA".into()],
        link_claim: LinkClaim::Email,
        create_users: false,
        default_roles: vec![],
    };
    tweak(&mut trusted);
    let app = spawn_app_with_clock(clock.clone(), |c| {
        c.exchange_issuers = vec![trusted];
        c.leeway = 5;
    });
    Setup {
        app,
        provider,
        clock,
    }
}

impl Setup {
    fn claims(&self, over: Value) -> Value {
        let now = self.clock.now();
        let mut claims = json!({
            "iss": self.provider.issuer,
            "aud": AUDIENCE,
            "sub": "google-oauth2|1234",
            "iat": now,
            "exp": now + 300,
            "email": "alice@example.com",
            "email_verified": true,
            "name": "Alice A.",
        });
        for (k, v) in over.as_object().unwrap() {
            if v.is_null() {
                claims.as_object_mut().unwrap().remove(k);
            } else {
                claims[k] = v.clone();
            }
        }
        claims
    }

    fn exchange(&self, token: &str) -> crate::common::Reply {
        self.app.post(
            "/v1/auth/exchange",
            &json!({"grant_type": EXCHANGE, "subject_token": token, "subject_token_type": ID_TOKEN}),
            None,
        )
    }

    fn refused(&self, token: &str, why: &str) {
        let r = self.exchange(token);
        assert_eq!(r.status, 400, "{}", r.text);
        let body = r.json();
        assert_eq!(body["error"], "invalid_request", "{}", r.text);
        assert!(
            body["message"].as_str().unwrap().contains(why),
            "expected {why:?}: {}",
            r.text
        );
    }
}

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
fn linking_by_sub_uses_the_warden_user_id() {
    let s = setup(|t| t.link_claim = LinkClaim::Sub);
    // `sub` is alice's id: no email needed to link.
    let r = s.exchange(
        &s.provider
            .sign(&s.claims(json!({"sub": "alice", "email": null, "email_verified": null}))),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["id"], "alice");
    s.refused(
        &s.provider.sign(&s.claims(json!({"sub": "nobody"}))),
        "does not create users",
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
