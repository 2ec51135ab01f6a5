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

mod links;
mod replay;
mod verification;

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
