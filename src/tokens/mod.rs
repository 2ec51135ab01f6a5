//! JWT access tokens: signing keys (kid, rotation, JWKS), minting, and strict verification.
//!
//! Verification follows RFC 8725 (JWT Best Current Practices) and RFC 9068 (JWT access
//! tokens): the algorithm is pinned to the key named by `kid` (no `alg: none`, no HS256 made
//! with a public key), `typ` must be `at+jwt` (so an ID token or another JWT cannot be
//! replayed as an access token), `crit` is refused (we understand no extensions), and
//! `jku`/`jwk`/`x5u` are ignored: keys come only from our own store, never from the token.

use crate::config::Config;
use crate::store::{Audit, Store, StoreError};
use crate::util::random_id;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Tokens longer than this are refused before any parsing (resource exhaustion).
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The claims of a warden access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    pub jti: String,
    /// The session (refresh-token family) the token belongs to.
    pub sid: String,
    #[serde(default)]
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
}

/// Why a token was refused. `code()` is the stable reason sent to clients and counted in
/// metrics; the message never echoes secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("token is larger than 8 KiB")]
    TooLarge,
    #[error("token is not a well-formed JWT")]
    Malformed,
    #[error("token header `typ` must be at+jwt")]
    WrongType,
    #[error("token header has a `crit` extension this server does not understand")]
    CriticalHeader,
    #[error("token algorithm is not the one pinned to its key")]
    WrongAlgorithm,
    #[error("token `kid` is missing or unknown")]
    UnknownKey,
    #[error("token signature is invalid")]
    BadSignature,
    #[error("token has expired")]
    Expired,
    #[error("token is not valid yet")]
    NotYetValid,
    #[error("token was issued in the future")]
    IssuedInFuture,
    #[error("token issuer is wrong")]
    WrongIssuer,
    #[error("token audience is wrong")]
    WrongAudience,
    #[error("token lacks a required claim or a claim has the wrong type")]
    BadClaims,
    #[error("token has been revoked")]
    Revoked,
    #[error("the token's session has ended")]
    SessionEnded,
    #[error("the token's user is disabled")]
    UserDisabled,
    #[error("the token's user does not exist")]
    UnknownUser,
    #[error("token was issued before the user's tokens were revoked")]
    Stale,
    #[error("no bearer token was given")]
    Missing,
    #[error("token could not be checked")]
    Unavailable,
}

impl Rejection {
    /// The stable reason code.
    pub fn code(self) -> &'static str {
        match self {
            Rejection::TooLarge => "token_too_large",
            Rejection::Malformed => "malformed_token",
            Rejection::WrongType => "wrong_token_type",
            Rejection::CriticalHeader => "unsupported_crit",
            Rejection::WrongAlgorithm => "wrong_algorithm",
            Rejection::UnknownKey => "unknown_kid",
            Rejection::BadSignature => "bad_signature",
            Rejection::Expired => "token_expired",
            Rejection::NotYetValid => "token_not_yet_valid",
            Rejection::IssuedInFuture => "token_issued_in_future",
            Rejection::WrongIssuer => "wrong_issuer",
            Rejection::WrongAudience => "wrong_audience",
            Rejection::BadClaims => "bad_claims",
            Rejection::Revoked => "token_revoked",
            Rejection::SessionEnded => "session_ended",
            Rejection::UserDisabled => "user_disabled",
            Rejection::UnknownUser => "unknown_user",
            Rejection::Stale => "token_revoked_for_user",
            Rejection::Missing => "missing_token",
            Rejection::Unavailable => "token_check_unavailable",
        }
    }

    /// The message for a caller of the server whose issuer is `issuer`: the rejection's own
    /// words, and for a wrong issuer which one was expected and which setting decides it
    /// (issue 32: a token minted by a server on another port read as a bare `wrong_issuer`).
    /// The issuer is public (the discovery document names it), so saying it leaks nothing; the
    /// token's own `iss` is not echoed (it is unverified input).
    pub fn explain(self, issuer: &str) -> String {
        match self {
            Rejection::WrongIssuer => format!(
                "token issuer is wrong: expected {issuer}, which `public_url` sets (unset, it \
                 is http:// and the `listen` address), so a token from a warden at another URL \
                 or port is refused; give every warden that shares tokens the same `public_url`"
            ),
            other => other.to_string(),
        }
    }

    /// Every reason, for metrics.
    pub const ALL: [Rejection; 20] = [
        Rejection::TooLarge,
        Rejection::Malformed,
        Rejection::WrongType,
        Rejection::CriticalHeader,
        Rejection::WrongAlgorithm,
        Rejection::UnknownKey,
        Rejection::BadSignature,
        Rejection::Expired,
        Rejection::NotYetValid,
        Rejection::IssuedInFuture,
        Rejection::WrongIssuer,
        Rejection::WrongAudience,
        Rejection::BadClaims,
        Rejection::Revoked,
        Rejection::SessionEnded,
        Rejection::UserDisabled,
        Rejection::UnknownUser,
        Rejection::Stale,
        Rejection::Missing,
        Rejection::Unavailable,
    ];
}

/// Errors that are not about a presented token.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("signing failed: {0}")]
    Sign(String),
    #[error("signing key error: {0}")]
    Key(String),
}

struct VerifyKey {
    algorithm: Algorithm,
    alg_name: &'static str,
    key: DecodingKey,
}

struct KeyRing {
    kid: String,
    algorithm: Algorithm,
    signing: EncodingKey,
    verifying: HashMap<String, VerifyKey>,
    jwks: Value,
}

/// Access-token settings taken from [`Config`].
#[derive(Debug, Clone)]
pub struct TokenSettings {
    pub issuer: String,
    pub audience: String,
    pub ttl: i64,
    pub leeway: u64,
}

/// Mints and verifies access tokens.
pub struct Tokens {
    settings: TokenSettings,
    hs256_secret: Option<Vec<u8>>,
    ring: RwLock<Arc<KeyRing>>,
    /// Tokens whose signature and claims verified, until they expire. Signature checks are
    /// the costliest step of a decision (Ed25519 verify is tens of microseconds); the
    /// revocation checks still run on every use (see `identity`).
    clock: crate::clock::SharedClock,
}

impl Tokens {
    /// The issuer (`iss`) this instance mints and accepts.
    pub fn issuer(&self) -> &str {
        &self.settings.issuer
    }
}

/// Generate an Ed25519 key pair: (PKCS#8 DER private key, raw 32-byte public key).
fn generate_ed25519() -> Result<(Vec<u8>, Vec<u8>), TokenError> {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    let signing = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let der = signing
        .to_pkcs8_der()
        .map_err(|e| TokenError::Key(e.to_string()))?;
    Ok((
        der.as_bytes().to_vec(),
        signing.verifying_key().to_bytes().to_vec(),
    ))
}

/// Add a fresh Ed25519 signing key; the previous one is retired but keeps verifying.
/// `audit` records who asked (none for the key made on first start).
pub async fn rotate_key(store: &Store, audit: Option<&Audit>) -> Result<String, TokenError> {
    let (private_der, public_raw) = generate_ed25519()?;
    let kid = random_id()[..16].to_string();
    store
        .add_key(&kid, "EdDSA", &private_der, &public_raw, audit)
        .await?;
    Ok(kid)
}

/// Make sure the store has an active signing key; create one on first start.
pub async fn ensure_key(store: &Store) -> Result<(), TokenError> {
    if !store.keys().await?.iter().any(|k| k.retired_at.is_none()) {
        rotate_key(store, None).await?;
    }
    Ok(())
}

impl Tokens {
    /// Build from the configuration and the keys in the store (generating one if needed).
    /// Time comes from the store's clock, the one clock of a running warden.
    pub async fn new(store: &Store, config: &Config) -> Result<Tokens, TokenError> {
        let clock = store.clock().clone();
        let settings = TokenSettings {
            issuer: config.base_url(),
            audience: config.audience.clone(),
            ttl: config.access_token_ttl,
            leeway: config.leeway,
        };
        let hs256_secret = (config.jwt_algorithm == crate::config::JwtAlgorithm::Hs256)
            .then(|| config.jwt_secret.clone().unwrap_or_default().into_bytes());
        let ring = match &hs256_secret {
            Some(secret) => hs256_ring(secret),
            None => {
                ensure_key(store).await?;
                ed25519_ring(store, settings.ttl + settings.leeway as i64, clock.now()).await?
            }
        };
        Ok(Tokens {
            settings,
            hs256_secret,
            ring: RwLock::new(Arc::new(ring)),
            clock,
        })
    }

    /// Re-read signing keys from the store (after a rotation by another process).
    pub async fn reload_keys(&self, store: &Store) -> Result<(), TokenError> {
        if self.hs256_secret.is_some() {
            return Ok(());
        }
        let ring = ed25519_ring(
            store,
            self.settings.ttl + self.settings.leeway as i64,
            self.clock.now(),
        )
        .await?;
        if let Ok(mut r) = self.ring.write() {
            *r = Arc::new(ring);
        }
        Ok(())
    }

    fn ring(&self) -> Arc<KeyRing> {
        match self.ring.read() {
            Ok(r) => r.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &TokenSettings {
        &self.settings
    }

    /// The public JWKS document (empty for HS256: a shared secret is never published).
    pub fn jwks(&self) -> Value {
        self.ring().jwks.clone()
    }

    /// Mint an access token for a user in a session.
    pub fn mint(
        &self,
        user_id: &str,
        email: &str,
        roles: &[String],
        sid: &str,
    ) -> Result<(String, AccessClaims), TokenError> {
        let ring = self.ring();
        let iat = self.clock.now();
        let claims = AccessClaims {
            iss: self.settings.issuer.clone(),
            sub: user_id.to_string(),
            aud: self.settings.audience.clone(),
            exp: iat + self.settings.ttl,
            iat,
            nbf: None,
            jti: random_id(),
            sid: sid.to_string(),
            email: email.to_string(),
            role: roles.first().cloned(),
            roles: roles.to_vec(),
        };
        let mut header = Header::new(ring.algorithm);
        header.typ = Some("at+jwt".into());
        header.kid = Some(ring.kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &ring.signing)
            .map_err(|e| TokenError::Sign(e.to_string()))?;
        Ok((token, claims))
    }

    /// Verify a token's form, signature and claims (not yet revocation: see
    /// [`crate::identity`]).
    pub fn verify(&self, token: &str) -> Result<AccessClaims, Rejection> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Rejection::TooLarge);
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(_), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Rejection::Malformed);
        };
        let header: Value = URL_SAFE_NO_PAD
            .decode(header_b64)
            .ok()
            .and_then(|raw| serde_json::from_slice(&raw).ok())
            .ok_or(Rejection::Malformed)?;
        let header = header.as_object().ok_or(Rejection::Malformed)?;
        // RFC 7515 section 4.1.11: a `crit` we do not understand makes the token invalid.
        if header.contains_key("crit") {
            return Err(Rejection::CriticalHeader);
        }
        // RFC 9068 section 2.1 / RFC 8725 section 3.11: explicit typing.
        let typ = header.get("typ").and_then(Value::as_str).unwrap_or("");
        if !(typ.eq_ignore_ascii_case("at+jwt") || typ.eq_ignore_ascii_case("application/at+jwt")) {
            return Err(Rejection::WrongType);
        }
        let ring = self.ring();
        let kid = header
            .get("kid")
            .and_then(Value::as_str)
            .ok_or(Rejection::UnknownKey)?;
        // The kid is only ever a key into this in-memory map: never a path, URL or SQL.
        let key = ring.verifying.get(kid).ok_or(Rejection::UnknownKey)?;
        // RFC 8725 section 3.1: the algorithm comes from the key, not from the token.
        // This refuses `none` in any casing and HS256 forged with a public key.
        if header.get("alg").and_then(Value::as_str) != Some(key.alg_name) {
            return Err(Rejection::WrongAlgorithm);
        }
        let mut validation = Validation::new(key.algorithm);
        // `exp` and `nbf` are checked below against the injected clock (jsonwebtoken would
        // read the wall clock); they stay required claims here.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        let data =
            jsonwebtoken::decode::<AccessClaims>(token, &key.key, &validation).map_err(|e| {
                use jsonwebtoken::errors::ErrorKind as K;
                match e.kind() {
                    K::InvalidSignature => Rejection::BadSignature,
                    K::ExpiredSignature => Rejection::Expired,
                    K::ImmatureSignature => Rejection::NotYetValid,
                    K::InvalidIssuer => Rejection::WrongIssuer,
                    K::InvalidAudience => Rejection::WrongAudience,
                    K::InvalidAlgorithm | K::InvalidAlgorithmName => Rejection::WrongAlgorithm,
                    K::MissingRequiredClaim(_) | K::Json(_) | K::InvalidClaimFormat(_) => {
                        Rejection::BadClaims
                    }
                    _ => Rejection::Malformed,
                }
            })?;
        let claims = data.claims;
        let (t, leeway) = (self.clock.now(), self.settings.leeway as i64);
        if t > claims.exp + leeway {
            return Err(Rejection::Expired);
        }
        if claims.nbf.is_some_and(|nbf| t + leeway < nbf) {
            return Err(Rejection::NotYetValid);
        }
        if claims.iat > t + leeway {
            return Err(Rejection::IssuedInFuture);
        }
        if claims.jti.is_empty() || claims.sid.is_empty() || claims.sub.is_empty() {
            return Err(Rejection::BadClaims);
        }
        Ok(claims)
    }
}

fn hs256_ring(secret: &[u8]) -> KeyRing {
    let kid = format!(
        "hs256-{}",
        &crate::util::sha256_hex(&URL_SAFE_NO_PAD.encode(secret))[..12]
    );
    let mut verifying = HashMap::new();
    verifying.insert(
        kid.clone(),
        VerifyKey {
            algorithm: Algorithm::HS256,
            alg_name: "HS256",
            key: DecodingKey::from_secret(secret),
        },
    );
    KeyRing {
        kid,
        algorithm: Algorithm::HS256,
        signing: EncodingKey::from_secret(secret),
        verifying,
        jwks: json!({"keys": []}),
    }
}

/// Active key signs; retired keys verify until every token they signed has expired.
async fn ed25519_ring(store: &Store, max_token_life: i64, now: i64) -> Result<KeyRing, TokenError> {
    let keys = store.keys().await?;
    let active = keys
        .iter()
        .find(|k| k.retired_at.is_none())
        .ok_or_else(|| TokenError::Key("no active signing key".into()))?;
    let cutoff = now - max_token_life;
    let mut verifying = HashMap::new();
    let mut jwks = Vec::new();
    for k in keys
        .iter()
        .filter(|k| k.retired_at.is_none_or(|r| r >= cutoff))
    {
        verifying.insert(
            k.kid.clone(),
            VerifyKey {
                algorithm: Algorithm::EdDSA,
                alg_name: "EdDSA",
                key: DecodingKey::from_ed_der(&k.public_raw),
            },
        );
        jwks.push(json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(&k.public_raw),
            "kid": k.kid,
            "alg": "EdDSA",
            "use": "sig",
        }));
    }
    Ok(KeyRing {
        kid: active.kid.clone(),
        algorithm: Algorithm::EdDSA,
        signing: EncodingKey::from_ed_der(&active.private_der),
        verifying,
        jwks: json!({ "keys": jwks }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    async fn tokens_at(clock: Arc<ManualClock>) -> (tempfile::TempDir, Tokens) {
        let dir = tempfile::TempDir::new().unwrap();
        let store = Store::open_with_clock(&dir.path().join("w.db"), clock).unwrap();
        let config = Config {
            access_token_ttl: 60,
            leeway: 5,
            ..Config::default()
        };
        let tokens = Tokens::new(&store, &config).await.unwrap();
        (dir, tokens)
    }

    /// Expiry, leeway and "issued in the future" follow the injected clock.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn expiry_and_leeway_follow_the_injected_clock() {
        let clock = ManualClock::at_ms(1_800_000_000_000);
        let (_dir, tokens) = tokens_at(clock.clone()).await;
        let (token, claims) = tokens.mint("u1", "u1@example.com", &[], "s1").unwrap();
        assert_eq!(claims.iat, 1_800_000_000);
        assert_eq!(claims.exp, 1_800_000_060);
        clock.advance_ms(65_000);
        assert!(tokens.verify(&token).is_ok(), "within the leeway");
        clock.advance_ms(1_000);
        assert_eq!(tokens.verify(&token), Err(Rejection::Expired));
        // A token minted by a clock ahead of ours (beyond the leeway) is refused.
        let later = Tokens {
            clock: ManualClock::at_ms(1_800_000_100_000),
            settings: tokens.settings.clone(),
            hs256_secret: None,
            ring: RwLock::new(tokens.ring()),
        };
        let (future, _) = later.mint("u1", "u1@example.com", &[], "s1").unwrap();
        let back = Tokens {
            clock: ManualClock::at_ms(1_800_000_000_000),
            settings: tokens.settings.clone(),
            hs256_secret: None,
            ring: RwLock::new(tokens.ring()),
        };
        assert_eq!(back.verify(&future), Err(Rejection::IssuedInFuture));
    }
}
