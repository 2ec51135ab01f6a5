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
    /// Requests of any kind (a fetch that fails at discovery counts here only).
    requests: Arc<AtomicUsize>,
    /// While false, every request is answered 503 (an outage).
    up: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

impl Provider {
    fn start() -> Provider {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let keys = Arc::new(Mutex::new(vec![Key::new("k1")]));
        let jwks_fetches = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let up = Arc::new(AtomicBool::new(true));
        let (i, k, f, s) = (
            issuer.clone(),
            keys.clone(),
            jwks_fetches.clone(),
            stop.clone(),
        );
        let (r, u) = (requests.clone(), up.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                r.fetch_add(1, Ordering::SeqCst);
                serve_one(stream, &i, &k, &f, u.load(Ordering::SeqCst));
            }
        });
        Provider {
            issuer,
            keys,
            jwks_fetches,
            requests,
            up,
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

fn serve_one(
    stream: TcpStream,
    issuer: &str,
    keys: &Mutex<Vec<Key>>,
    fetches: &AtomicUsize,
    up: bool,
) {
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
    let mut stream = reader.into_inner();
    if !up {
        let _ = write!(
            stream,
            "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        );
        return;
    }
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
    setup_with(tweak, |_| {})
}

/// [`setup`] with the rest of the configuration adjusted too.
fn setup_with(
    tweak: impl FnOnce(&mut TrustedIssuer),
    configure: impl FnOnce(&mut warden::config::Config),
) -> Setup {
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
        configure(c);
    });
    Setup {
        app,
        provider,
        clock,
    }
}

impl Setup {
    fn claims(&self, over: Value) -> Value {
        // Every token of a test is a new one (Ed25519 signatures are deterministic: the same
        // claims in the same second would be the same token, which is exchanged only once).
        static NONCE: AtomicUsize = AtomicUsize::new(0);
        let now = self.clock.now();
        let mut claims = json!({
            "nonce": NONCE.fetch_add(1, Ordering::SeqCst).to_string(),
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

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Setup {
    /// The user's links, through the admin API.
    fn identities(&self, user: &str) -> Value {
        let admin = self.app.admin_token();
        let r = self
            .app
            .get(&format!("/admin/v1/users/{user}/identities"), Some(&admin));
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()
    }

    /// Audit rows of `users.update` whose detail's `change` is `change`.
    fn link_audit(&self, change: &str) -> Vec<Value> {
        let admin = self.app.admin_token();
        let r = self
            .app
            .get("/admin/v1/audit?action=users.update", Some(&admin));
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .filter(|row| row["detail"]["change"] == change)
            .cloned()
            .collect()
    }
}

/// Issue 25: a provider's `sub` is never a warden user id. With `link_claim = "sub"` a
/// provider subject `admin` used to sign in as the bootstrap admin.
#[test]
fn a_provider_subject_equal_to_a_local_user_id_takes_over_nobody() {
    let s = setup(|t| t.link_claim = LinkClaim::Sub);
    for sub in ["admin", "alice"] {
        s.refused(
            &s.provider.sign(&s.claims(
                json!({"sub": sub, "email": "mallory@example.com", "email_verified": true}),
            )),
            "does not create users",
        );
    }
    // By email, the subject `admin` with alice's verified email is alice, never admin.
    let s = setup(|_| {});
    let r = s.exchange(&s.provider.sign(&s.claims(json!({"sub": "admin"}))));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["id"], "alice");
    // A created user's id comes from its email, not from the subject.
    let s = setup(|t| {
        t.link_claim = LinkClaim::Sub;
        t.create_users = true;
    });
    let r = s.exchange(&s.provider.sign(
        &s.claims(json!({"sub": "admin", "email": "mallory@example.com", "email_verified": true})),
    ));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["id"], "mallory");
    assert_eq!(r.json()["roles"], json!([]));
}

/// Issue 25: two issuers do not share one id space. The first issuer's subject is linked to
/// alice; the same subject at a second issuer (with no verified email) reaches nobody.
#[test]
fn a_second_issuers_subject_equal_to_the_firsts_does_not_reach_the_firsts_user() {
    let second = Provider::start();
    let second_issuer = TrustedIssuer {
        issuer: second.issuer.clone(),
        audience: AUDIENCE.into(),
        algorithms: vec!["EdDSA".into()],
        link_claim: LinkClaim::Sub,
        create_users: false,
        default_roles: vec![],
    };
    let s = setup_with(|_| {}, |c| c.exchange_issuers.push(second_issuer));
    let r = s.exchange(&s.provider.sign(&s.claims(json!({"sub": "shared-1"}))));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["id"], "alice");
    let other = second.sign(&s.claims(json!({
        "iss": second.issuer, "sub": "shared-1", "email": null, "email_verified": null
    })));
    s.refused(&other, "no warden user is linked");
    // Nor does the second issuer's subject `alice` (once, with `link_claim = "sub"`, the
    // warden user id alice).
    let named = second.sign(&s.claims(json!({
        "iss": second.issuer, "sub": "alice", "email": null, "email_verified": null
    })));
    s.refused(&named, "no warden user is linked");
    let links = s.identities("alice");
    assert_eq!(links.as_array().unwrap().len(), 1, "{links}");
    assert_eq!(links[0]["issuer"], s.provider.issuer.as_str());
    assert_eq!(links[0]["subject"], "shared-1");
}

/// Issue 25: after the first exchange the person is found by `(iss, sub)` only. The email the
/// provider reports later changes nothing; another subject claiming alice's email is not
/// linked to her automatically.
#[test]
fn the_link_is_by_issuer_and_subject_only() {
    let s = &setup(|_| {});
    let first = s.exchange(&s.provider.sign(&s.claims(json!({"sub": "g-1"}))));
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json()["id"], "alice");
    // The person changes their email at the provider to that of another warden user (the
    // admin's): still alice, and nobody else.
    let moved = s.exchange(
        &s.provider
            .sign(&s.claims(json!({"sub": "g-1", "email": "admin@localhost"}))),
    );
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.json()["id"], "alice");
    // Without any email at all: still found by (iss, sub).
    let bare = s.exchange(
        &s.provider
            .sign(&s.claims(json!({"sub": "g-1", "email": null, "email_verified": null}))),
    );
    assert_eq!(bare.status, 200, "{}", bare.text);
    assert_eq!(bare.json()["id"], "alice");
    // Another account at the provider claiming alice's verified email is not linked.
    s.refused(
        &s.provider.sign(&s.claims(json!({"sub": "g-2"}))),
        "linked to another account",
    );
    let links = s.identities("alice");
    assert_eq!(links.as_array().unwrap().len(), 1, "{links}");
    // The link made by the exchange is audited, with the exchange as the actor.
    let rows = s.link_audit("link");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["actor"], format!("exchange:{}", s.provider.issuer));
    assert_eq!(rows[0]["target"], "user:alice");
    assert_eq!(rows[0]["detail"]["subject"], "g-1");
}

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

/// Issue 25: an admin lists, makes and removes a user's links through the admin API and the
/// command line; each change is a `users.update` audit row with `change` link or unlink; an
/// explicit link is what `link_claim = "sub"` signs in by; links go with their user.
#[test]
fn links_are_managed_by_admins() {
    let s = &setup(|t| t.link_claim = LinkClaim::Sub);
    let admin = s.app.admin_token();
    let issuer = s.provider.issuer.clone();
    // Nobody is linked yet: refused.
    let bare = json!({"sub": "g-77", "email": null, "email_verified": null});
    s.refused(&s.provider.sign(&s.claims(bare.clone())), "no warden user");
    // An explicit link by the admin.
    let r = s.app.post(
        "/admin/v1/users/alice/identities",
        &json!({"issuer": issuer, "subject": "g-77"}),
        Some(&admin),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["subject"], "g-77");
    // The same identity cannot be linked twice (to anyone).
    let r = s.app.post(
        "/admin/v1/users/admin/identities",
        &json!({"issuer": issuer, "subject": "g-77"}),
        Some(&admin),
    );
    assert_eq!(r.status, 409, "{}", r.text);
    // An issuer that is not trusted is refused.
    let r = s.app.post(
        "/admin/v1/users/alice/identities",
        &json!({"issuer": "https://elsewhere.example", "subject": "g-77"}),
        Some(&admin),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    let r = s.exchange(&s.provider.sign(&s.claims(bare.clone())));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["id"], "alice");
    // A plain user may not list anyone's links.
    let alice = s
        .app
        .login("alice@example.com", crate::common::USER_PASSWORD)["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = s.app.get("/admin/v1/users/alice/identities", Some(&alice));
    assert_eq!(r.status, 403, "{}", r.text);
    // The command line lists them (a second process on the same database).
    let out = s.app.warden(&["user", "identities", "alice", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed[0]["issuer"], issuer.as_str(), "{listed}");
    assert_eq!(listed[0]["subject"], "g-77");
    // ...and removes one.
    let out = s.app.warden(&[
        "user",
        "unlink",
        "alice",
        "--issuer",
        &issuer,
        "--subject",
        "g-77",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s.identities("alice"), json!([]));
    s.refused(&s.provider.sign(&s.claims(bare.clone())), "no warden user");
    let out = s.app.warden(&[
        "user",
        "unlink",
        "alice",
        "--issuer",
        &issuer,
        "--subject",
        "g-77",
    ]);
    assert!(!out.status.success(), "a second unlink finds nothing");
    // Link again, and remove through the API.
    let r = s.app.post(
        "/admin/v1/users/alice/identities",
        &json!({"issuer": issuer, "subject": "g-77"}),
        Some(&admin),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let r = s.app.call(
        "delete",
        &format!(
            "/admin/v1/users/alice/identities?issuer={}&subject=g-77",
            url_encode(&issuer)
        ),
        None,
        Some(&admin),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["unlinked"]["subject"], "g-77");
    assert_eq!(s.identities("alice"), json!([]));
    // Audited: two links by the admin, an unlink by the command line and one by the admin.
    let links = s.link_audit("link");
    assert_eq!(links.len(), 2, "{links:?}");
    assert!(links.iter().all(|r| r["actor"] == "user:admin"));
    let unlinks = s.link_audit("unlink");
    let actors: Vec<&str> = unlinks
        .iter()
        .map(|r| r["actor"].as_str().unwrap())
        .collect();
    assert_eq!(actors, ["user:admin", "cli"], "{unlinks:?}");
    assert!(unlinks
        .iter()
        .all(|r| r["target"] == "user:alice" && r["detail"]["subject"] == "g-77"));
    // Links go with their user.
    let r = s.app.post(
        "/admin/v1/users/alice/identities",
        &json!({"issuer": issuer, "subject": "g-77"}),
        Some(&admin),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let r = s
        .app
        .call("delete", "/admin/v1/users/alice", None, Some(&admin));
    assert_eq!(r.status, 200, "{}", r.text);
    let r = s.app.post(
        "/admin/v1/users/admin/identities",
        &json!({"issuer": issuer, "subject": "g-77"}),
        Some(&admin),
    );
    assert_eq!(r.status, 201, "the deleted user's link is gone: {}", r.text);
}

/// Issue 25: on PostgreSQL, `lower()` folded `alİce@example.com` (U+0130) and the Kelvin
/// sign into alice's and kate's addresses, so an ID token verified for a look-alike returned
/// their sessions. A look-alike names nobody, on both back ends.
#[test]
fn unicode_look_alike_verified_emails_take_over_nobody() {
    let s = &setup(|_| {});
    let admin = s.app.admin_token();
    let r = s.app.call(
        "post",
        "/admin/v1/users",
        Some(&json!({"email": "kate@example.com"})),
        Some(&admin),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    for (n, look_alike) in [
        "al\u{130}ce@example.com",
        "AL\u{130}CE@EXAMPLE.COM",
        "\u{212A}ate@example.com",
        "\u{FF41}lice@example.com",
    ]
    .into_iter()
    .enumerate()
    {
        let token = s
            .provider
            .sign(&s.claims(json!({"email": look_alike, "sub": format!("look-alike-{n}")})));
        s.refused(&token, "not accepted");
    }
    assert!(block_sessions(s, "alice") + block_sessions(s, "kate") == 0);
}

fn block_sessions(s: &Setup, user: &str) -> usize {
    crate::common::block(s.app.state.app.store().list_sessions(Some(user), true))
        .unwrap()
        .len()
}
