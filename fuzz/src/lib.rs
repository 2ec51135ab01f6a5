//! What the fuzz targets share: a real warden (store, keys, users, sessions, the shipped
//! policies) built once per process in a scratch directory, and the HTTP router driven
//! in process.
//!
//! The signing key is fixed (derived from a constant seed), so the tokens committed in
//! `corpus/token` verify against it in every run. Nothing here is a second implementation of
//! warden: the targets call the library's own entry points.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tower::ServiceExt;
use warden::config::Config;
use warden::model::{Email, RoleName, UserId, UserName};
use warden::server::AppState;
use warden::store::{NewUser, Store};
use warden::tokens::Tokens;

/// The kid of the fixed Ed25519 key.
pub const KID: &str = "fuzz-ed25519";
/// The HS256 secret of the second verifier.
pub const HS256_SECRET: &str = "fuzzing-secret-fuzzing-secret-fuzzing-secret";
/// A jti the fixture revokes.
pub const REVOKED_JTI: &str = "revoked-jti";
/// Access tokens of the fixture live this long, so a long fuzzing run never sees them expire.
pub const TOKEN_TTL: i64 = 10 * 365 * 24 * 3600;

/// The fixed Ed25519 key: (PKCS#8 DER private key, raw public key).
pub fn fixed_key() -> (Vec<u8>, Vec<u8>) {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    let signing = ed25519_dalek::SigningKey::from_bytes(&[42u8; 32]);
    let der = signing.to_pkcs8_der().expect("pkcs8");
    (
        der.as_bytes().to_vec(),
        signing.verifying_key().to_bytes().to_vec(),
    )
}

/// Sign `header.payload` (both raw JSON bytes, base64url-encoded here) with the fixed
/// Ed25519 key, or with the HS256 secret.
pub fn sign(header: &[u8], payload: &[u8], hs256: bool) -> String {
    use ed25519_dalek::Signer;
    use hmac::Mac;
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let signature = if hs256 {
        let mut mac =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(HS256_SECRET.as_bytes()).expect("hmac");
        mac.update(input.as_bytes());
        mac.finalize().into_bytes().to_vec()
    } else {
        ed25519_dalek::SigningKey::from_bytes(&[42u8; 32])
            .sign(input.as_bytes())
            .to_bytes()
            .to_vec()
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// The fuzzing world: a warden with
/// - `alice` (role USER) with a live session and an access token,
/// - `root` (role ADMIN) with a live session,
/// - `gone` (role ADMIN, disabled),
/// - a service client key, and `REVOKED_JTI` revoked.
pub struct World {
    pub dir: PathBuf,
    pub state: AppState,
    pub router: axum::Router,
    pub runtime: tokio::runtime::Runtime,
    /// An HS256 verifier over the same store.
    pub hs256: Tokens,
    pub alice_token: String,
    pub alice_session: String,
    pub root_session: String,
    pub client_key: String,
}

impl World {
    /// Build the world in a fresh scratch directory.
    pub fn new() -> World {
        let dir = scratch_dir();
        let policies = dir.join("policies");
        warden::engine::create_shipped(&policies).expect("shipped policies");
        let db = dir.join("warden.db");
        let config = Config {
            db: db.clone(),
            policies,
            access_token_ttl: TOKEN_TTL,
            refresh_absolute_ttl: TOKEN_TTL,
            refresh_idle_ttl: TOKEN_TTL,
            watch_policies: false,
            ..Config::default()
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let (state, hs256, alice_token, alice_session, root_session, client_key) =
            runtime.block_on(async {
                let store = Store::open(&db).expect("store");
                let (private_der, public_raw) = fixed_key();
                store
                    .add_key(KID, "EdDSA", &private_der, &public_raw, None)
                    .await
                    .expect("key");
                warden::accounts::bootstrap::bootstrap(&store, 12)
                    .await
                    .expect("bootstrap");
                for (id, role, disabled) in [
                    ("alice", "USER", false),
                    ("root", "ADMIN", false),
                    ("gone", "ADMIN", true),
                ] {
                    let user = NewUser {
                        id: UserId::parse(id).expect("id"),
                        email: Email::parse(&format!("{id}@example.com")).expect("email"),
                        name: UserName::parse(id).expect("name"),
                        roles: vec![RoleName::parse(role).expect("role")],
                        password_hash: None,
                    };
                    store.create_user(&user, None).await.expect("user");
                    if disabled {
                        store
                            .update_user(id, None, None, Some(true), Default::default())
                            .await
                            .expect("disable");
                    }
                }
                store
                    .revoke_jti(REVOKED_JTI, warden::util::now() + TOKEN_TTL, None)
                    .await
                    .expect("revoke");
                let alice = store
                    .create_session("alice", "alice-refresh", TOKEN_TTL)
                    .await
                    .expect("session");
                let root = store
                    .create_session("root", "root-refresh", TOKEN_TTL)
                    .await
                    .expect("session");
                let (_, key) = store.create_client("fuzz", None).await.expect("client");
                let (state, _) = AppState::build(config.clone()).await.expect("state");
                let (alice_token, _) = state
                    .tokens
                    .mint(
                        "alice",
                        "alice@example.com",
                        &["USER".to_string()],
                        &alice.id,
                    )
                    .expect("mint");
                let hs256 = Tokens::new(
                    &state.app.store(),
                    &Config {
                        jwt_algorithm: warden::config::JwtAlgorithm::Hs256,
                        jwt_secret: Some(HS256_SECRET.into()),
                        ..config
                    },
                )
                .await
                .expect("hs256");
                (state, hs256, alice_token, alice.id, root.id, key)
            });
        let router = warden::server::router(state.clone());
        World {
            dir,
            state,
            router,
            runtime,
            hs256,
            alice_token,
            alice_session,
            root_session,
            client_key,
        }
    }

    /// POST `body` as JSON to `path` with an `Authorization` header; (status, body as JSON).
    pub fn post(&self, path: &str, authorization: &str, body: &[u8]) -> (StatusCode, Value) {
        let request = Request::post(path)
            .header("content-type", "application/json")
            .header("authorization", authorization)
            .body(Body::from(body.to_vec()))
            .expect("request");
        let router = self.router.clone();
        self.runtime.block_on(async move {
            let response = router.oneshot(request).await.expect("infallible");
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("body");
            let json = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                panic!(
                    "{path} answered {status} with a body that is not JSON: {:?}",
                    String::from_utf8_lossy(&bytes)
                )
            });
            (status, json)
        })
    }
}

impl Default for World {
    fn default() -> Self {
        World::new()
    }
}

/// Check the shape every answer must have: 200 or a 4xx that is `{"error","message"}`;
/// never a 5xx (a body cannot make storage unavailable) and never a bare failure.
pub fn check_answer(path: &str, status: StatusCode, body: &Value) {
    if status == StatusCode::OK {
        assert!(body.is_object(), "{path}: 200 with {body}");
        return;
    }
    assert!(
        status.is_client_error(),
        "{path}: answered {status} {body} to a request body"
    );
    assert!(
        body.get("error").is_some_and(Value::is_string)
            && body.get("message").is_some_and(Value::is_string),
        "{path}: error answer {status} is not {{error, message}}: {body}"
    );
}

/// A directory of its own for this process under the system temp dir. Directories left by
/// earlier fuzzing processes that are gone (libFuzzer exits without running destructors)
/// are removed first.
fn scratch_dir() -> PathBuf {
    let base = std::env::temp_dir();
    if let Ok(entries) = std::fs::read_dir(&base) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if let Some(pid) = name.strip_prefix("warden-fuzz-") {
                if !Path::new(&format!("/proc/{pid}")).exists() {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
    }
    let dir = base.join(format!("warden-fuzz-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The shared world, built on first use.
pub fn world() -> &'static World {
    static WORLD: std::sync::OnceLock<World> = std::sync::OnceLock::new();
    WORLD.get_or_init(World::new)
}
