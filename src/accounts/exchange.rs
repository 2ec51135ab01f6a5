//! Verifying another identity provider's OpenID Connect ID token for the RFC 8693 token
//! exchange (`POST /v1/auth/exchange`): which issuers are trusted, their keys (from their
//! discovery document, cached), and a verification as strict as that of warden's own tokens.
//!
//! Attacks answered here, each next to its check below:
//! - a token from an issuer nobody configured (any Google account is not *your* app's user):
//!   only the configured issuers, matched exactly on `iss`, and only with that issuer's `aud`;
//! - algorithm confusion (RFC 8725 sections 2.1 and 3.1): `alg` must be one the issuer is
//!   configured for, never `none` or HS* (config.rs refuses them), and the key's type and its
//!   own `alg` must agree with it, so an RSA public key can never check an HMAC;
//! - keys served by anyone: discovery and JWKS only over https (plain http only on loopback),
//!   the discovery document must name the very issuer it was fetched for (OpenID Connect
//!   Discovery 1.0 section 4.3), no redirects, bounded time and size;
//! - a flood of made-up `kid`s making warden hammer the issuer: while the issuer answers, an
//!   unknown `kid` refetches the JWKS at most once per `exchange_jwks_min_refresh`, and one
//!   fetch at a time per issuer;
//! - an outage of the issuer's keys read as a bad token: while they cannot be fetched, a kid
//!   we do not hold is 503 (retry), never "unknown kid", and the first fetch after the issuer
//!   is back recovers (see `IdTokenVerifier::key`);
//! - stale or premature tokens: `exp`, `nbf` and `iat` against the injected clock with
//!   warden's leeway, and `iat` no older than `exchange_max_token_age` (replays are refused
//!   by the caller, which remembers each exchanged token until it would expire here);
//! - oversized tokens and headers (`crit`, size): refused before any parsing of the signature.

use crate::clock::SharedClock;
use crate::config::{issuer_url_is_safe, Config, TrustedIssuer};
use crate::tokens::MAX_TOKEN_BYTES;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The grant type of the token exchange (RFC 8693 section 2.1).
pub const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// The only subject token type accepted: an OpenID Connect ID token (RFC 8693 section 3).
pub const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";
/// What the exchange issues (RFC 8693 section 2.2.1 `issued_token_type`).
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// A discovery document or JWKS larger than this is refused (real ones are a few KiB).
const MAX_DOCUMENT_BYTES: u64 = 256 * 1024;
/// Keys kept from one JWKS at most.
const MAX_KEYS: usize = 64;
/// One fetch (discovery or JWKS) takes at most this long in all.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Why an exchange was refused.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// The token, or the person it names, is not accepted (RFC 8693 section 2.2.2:
    /// `invalid_request`). The text says why, for the app's logs.
    #[error("{0}")]
    Refused(String),
    /// The issuer's keys could not be had: try again later.
    #[error("the identity provider's keys are unavailable: {0}")]
    Unavailable(String),
}

fn refused(why: impl Into<String>) -> ExchangeError {
    ExchangeError::Refused(why.into())
}

/// The claims of an ID token that the exchange reads.
#[derive(Debug, Clone, Deserialize)]
pub struct IdClaims {
    pub iss: String,
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    #[serde(default)]
    pub nbf: Option<i64>,
    #[serde(default)]
    pub email: Option<String>,
    /// Only the JSON `true` counts as verified (a string "true" does not: be strict).
    #[serde(default)]
    pub email_verified: Option<Value>,
    #[serde(default)]
    pub name: Option<String>,
}

impl IdClaims {
    /// The email, when the provider says it verified it.
    pub fn verified_email(&self) -> Option<&str> {
        match (&self.email, &self.email_verified) {
            (Some(email), Some(Value::Bool(true))) if !email.is_empty() => Some(email),
            _ => None,
        }
    }
}

/// A verified ID token and the issuer configuration that accepted it.
#[derive(Debug, Clone)]
pub struct VerifiedIdToken {
    pub issuer: TrustedIssuer,
    pub claims: IdClaims,
    /// SHA-256 of the token's signed part (`header.payload`): what the replay check
    /// remembers. Not of the whole token: a lenient base64 decoder accepts several spellings
    /// of one signature, so the same token could be presented as "another" one.
    pub token_hash: String,
    /// Until when (epoch seconds) the token would still be accepted: how long the replay
    /// check must remember it.
    pub accepted_until: i64,
}

struct CachedKey {
    key: DecodingKey,
    /// The algorithms this key may verify (from its type, curve and own `alg`).
    algorithms: Vec<Algorithm>,
}

#[derive(Default)]
struct KeyCache {
    keys: HashMap<String, Arc<CachedKey>>,
    /// When the keys in hand were fetched (ms), if ever.
    fetched_ms: Option<i64>,
    /// When a fetch was last tried (ms), successful or not: the rate limit while the
    /// provider answers.
    attempted_ms: Option<i64>,
    /// Why the last fetch failed, while the provider's keys cannot be had.
    failure: Option<String>,
}

struct Issuer {
    config: TrustedIssuer,
    /// Held across a fetch: concurrent requests for one issuer wait for the one fetch.
    cache: tokio::sync::Mutex<KeyCache>,
    /// Fetches started, read before waiting for `cache`: a request that sees it moved while
    /// it waited shares the answer of the fetch that ran meanwhile.
    fetches: AtomicU64,
}

/// The trusted issuers and their cached keys.
pub struct IdTokenVerifier {
    issuers: Vec<Issuer>,
    clock: SharedClock,
    leeway: i64,
    min_refresh_ms: i64,
    max_age_ms: i64,
    max_token_age: i64,
}

impl IdTokenVerifier {
    pub fn new(config: &Config, clock: SharedClock) -> Self {
        IdTokenVerifier {
            issuers: config
                .exchange_issuers
                .iter()
                .map(|c| Issuer {
                    config: c.clone(),
                    cache: tokio::sync::Mutex::new(KeyCache::default()),
                    fetches: AtomicU64::new(0),
                })
                .collect(),
            clock,
            leeway: config.leeway as i64,
            min_refresh_ms: (config.exchange_jwks_min_refresh as i64).saturating_mul(1000),
            max_age_ms: (config.exchange_jwks_max_age as i64).saturating_mul(1000),
            max_token_age: i64::try_from(config.exchange_max_token_age).unwrap_or(i64::MAX),
        }
    }

    /// Whether any issuer is trusted (the exchange is on).
    pub fn enabled(&self) -> bool {
        !self.issuers.is_empty()
    }

    /// Verify `token` as an ID token of one of the trusted issuers.
    pub async fn verify(&self, token: &str) -> Result<VerifiedIdToken, ExchangeError> {
        if self.issuers.is_empty() {
            return Err(refused(
                "token exchange is not configured (no exchange_issuers)",
            ));
        }
        if token.len() > MAX_TOKEN_BYTES {
            return Err(refused("subject_token is larger than 8 KiB"));
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(refused(
                "subject_token is not a signed JWT (JWS compact form)",
            ));
        };
        let header = decode_json(header_b64).ok_or_else(|| refused("malformed JWT header"))?;
        // RFC 7515 section 4.1.11: a `crit` we do not understand makes the token invalid.
        if header.contains_key("crit") {
            return Err(refused("the token has a crit header"));
        }
        let alg_name = header
            .get("alg")
            .and_then(Value::as_str)
            .ok_or_else(|| refused("the token has no alg"))?;
        // The issuer is read before the signature is checked only to pick which keys and
        // rules apply; the signature check below pins `iss` again.
        let payload = decode_json(payload_b64).ok_or_else(|| refused("malformed JWT payload"))?;
        let iss = payload
            .get("iss")
            .and_then(Value::as_str)
            .ok_or_else(|| refused("the token has no iss"))?;
        let issuer = self
            .issuers
            .iter()
            .find(|i| i.config.issuer == iss)
            .ok_or_else(|| refused(format!("issuer {iss:?} is not trusted")))?;
        // RFC 8725 section 3.1: the algorithm is the configuration's, not the token's choice.
        if !issuer.config.algorithms.iter().any(|a| a == alg_name) {
            return Err(refused(format!(
                "alg {alg_name:?} is not accepted from {iss} (configured: {})",
                issuer.config.algorithms.join(", ")
            )));
        }
        let algorithm = Algorithm::from_str(alg_name)
            .ok()
            .filter(|a| is_asymmetric(*a))
            .ok_or_else(|| refused(format!("alg {alg_name:?} is not accepted")))?;
        let kid = header
            .get("kid")
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty() && k.len() <= 256)
            .ok_or_else(|| refused("the token has no kid"))?;
        let key = self.key(issuer, kid).await?;
        if !key.algorithms.contains(&algorithm) {
            return Err(refused(format!(
                "key {kid:?} does not verify alg {alg_name:?}"
            )));
        }
        let mut validation = Validation::new(algorithm);
        // `exp`, `nbf` and `iat` are checked below against the injected clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.set_issuer(&[&issuer.config.issuer]);
        validation.set_audience(&[&issuer.config.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<IdClaims>(token, &key.key, &validation)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind as K;
                refused(match e.kind() {
                    K::InvalidSignature => "bad signature".to_string(),
                    K::InvalidIssuer => "wrong issuer".to_string(),
                    K::InvalidAudience => {
                        format!("wrong audience (expected {:?})", issuer.config.audience)
                    }
                    K::InvalidAlgorithm | K::InvalidAlgorithmName => "wrong algorithm".to_string(),
                    K::MissingRequiredClaim(c) => format!("the token has no {c}"),
                    _ => format!("invalid token: {e}"),
                })
            })?
            .claims;
        let (now, leeway) = (self.clock.now(), self.leeway);
        if now > claims.exp + leeway {
            return Err(refused("the token has expired"));
        }
        if claims.nbf.is_some_and(|nbf| now + leeway < nbf) {
            return Err(refused("the token is not valid yet"));
        }
        if claims.iat > now + leeway {
            return Err(refused("the token was issued in the future"));
        }
        // An ID token proves a sign-in that just happened; an old one (`iat=0` with an
        // expiry a century away, say) is a standing credential that anyone who ever saw it
        // could keep using, so its age is bounded whatever `exp` says.
        let oldest = now
            .saturating_sub(self.max_token_age)
            .saturating_sub(leeway);
        if claims.iat < oldest {
            return Err(refused(format!(
                "the token was issued more than {} s ago (exchange_max_token_age); sign in at the provider again",
                self.max_token_age
            )));
        }
        if claims.sub.is_empty() {
            return Err(refused("the token has an empty sub"));
        }
        let accepted_until = claims
            .exp
            .min(claims.iat.saturating_add(self.max_token_age))
            .saturating_add(leeway);
        let signed_part = &token[..header_b64.len() + 1 + payload_b64.len()];
        Ok(VerifiedIdToken {
            issuer: issuer.config.clone(),
            claims,
            token_hash: crate::util::sha256_hex(signed_part),
            accepted_until,
        })
    }

    /// The issuer's key `kid`: from the cache, else from a fresh JWKS when the rules below
    /// allow a fetch.
    ///
    /// While the provider answers, a `kid` we do not know refetches at most once per
    /// `exchange_jwks_min_refresh` (a flood of made-up kids cannot make warden hammer it), and
    /// a kid still unknown after that is the token's fault (400 `unknown kid`).
    ///
    /// While the provider's keys cannot be had (the last fetch failed), a kid we do not hold
    /// is *our* problem, not the token's: 503 for as long as it lasts, never "unknown kid".
    /// Each such request tries again (so the first request after the provider is back
    /// recovers, within one fetch), one fetch at a time per issuer, and requests that waited
    /// on a fetch that just failed share its answer instead of queueing fetches of their own.
    /// (Before, a failed fetch counted against the rate limit and left the cache empty, so
    /// every request for the next minute was told "unknown kid", even after the provider
    /// was back.) Keys already in hand keep serving while the provider is down.
    async fn key(&self, issuer: &Issuer, kid: &str) -> Result<Arc<CachedKey>, ExchangeError> {
        let fetches_before = issuer.fetches.load(Ordering::Acquire);
        let mut cache = issuer.cache.lock().await;
        let now = self.clock.now_ms();
        let known = cache.keys.contains_key(kid);
        let stale = cache
            .fetched_ms
            .is_none_or(|t| now.saturating_sub(t) >= self.max_age_ms);
        let rate_limit_passed = cache
            .attempted_ms
            .is_none_or(|t| now.saturating_sub(t) >= self.min_refresh_ms);
        let may_fetch = if known {
            stale && rate_limit_passed
        } else if cache.failure.is_some() {
            // Down: retry, unless a fetch failed while this request waited for the lock.
            issuer.fetches.load(Ordering::Acquire) == fetches_before
        } else {
            rate_limit_passed
        };
        if may_fetch {
            cache.attempted_ms = Some(now);
            issuer.fetches.fetch_add(1, Ordering::AcqRel);
            match fetch_keys(&issuer.config.issuer).await {
                Ok(keys) => {
                    cache.keys = keys;
                    cache.fetched_ms = Some(now);
                    cache.failure = None;
                }
                Err(why) => {
                    tracing::warn!(issuer = %issuer.config.issuer, %why, "cannot fetch the issuer's keys");
                    // Keep the keys in hand: a provider that is briefly down must not stop
                    // sign-ins with tokens signed by keys we already have.
                    cache.failure = Some(why);
                }
            }
        }
        if let Some(key) = cache.keys.get(kid) {
            return Ok(key.clone());
        }
        match &cache.failure {
            Some(why) => Err(ExchangeError::Unavailable(why.clone())),
            None => Err(refused(format!("unknown kid {kid:?}"))),
        }
    }
}

fn decode_json(part: &str) -> Option<serde_json::Map<String, Value>> {
    let raw = URL_SAFE_NO_PAD.decode(part).ok()?;
    match serde_json::from_slice(&raw).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

fn is_asymmetric(a: Algorithm) -> bool {
    !matches!(a, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
}

/// The algorithms a JWK may verify: by its key type (and curve), narrowed to its own `alg`
/// when it names one. An `oct` (shared secret) key verifies nothing here.
fn algorithms_of(jwk: &Jwk) -> Vec<Algorithm> {
    use Algorithm::*;
    let by_type: Vec<Algorithm> = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => vec![RS256, RS384, RS512, PS256, PS384, PS512],
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 => vec![ES256],
            EllipticCurve::P384 => vec![ES384],
            _ => vec![],
        },
        AlgorithmParameters::OctetKeyPair(p) => match p.curve {
            EllipticCurve::Ed25519 => vec![EdDSA],
            _ => vec![],
        },
        _ => vec![],
    };
    match &jwk.common.key_algorithm {
        None => by_type,
        Some(named) => {
            let named = Algorithm::from_str(&named.to_string()).ok();
            by_type.into_iter().filter(|a| Some(*a) == named).collect()
        }
    }
}

/// The issuer's signing keys by kid: its discovery document, then its `jwks_uri`. The
/// blocking HTTP runs on the blocking pool, never on an async worker.
async fn fetch_keys(issuer: &str) -> Result<HashMap<String, Arc<CachedKey>>, String> {
    let issuer = issuer.to_string();
    tokio::task::spawn_blocking(move || fetch_keys_blocking(&issuer))
        .await
        .map_err(|e| format!("fetch task failed: {e}"))?
}

fn fetch_keys_blocking(issuer: &str) -> Result<HashMap<String, Arc<CachedKey>>, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(FETCH_TIMEOUT))
        // A redirect could lead anywhere (a plain-http or internal address): none.
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let discovery_url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let discovery = fetch_json(&agent, &discovery_url)?;
    // OpenID Connect Discovery 1.0 section 4.3: the document must name the issuer it was
    // fetched for, exactly.
    if discovery.get("issuer").and_then(Value::as_str) != Some(issuer) {
        return Err(format!("{discovery_url} names another issuer"));
    }
    let jwks_uri = discovery
        .get("jwks_uri")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{discovery_url} has no jwks_uri"))?;
    if !issuer_url_is_safe(jwks_uri) {
        return Err(format!(
            "jwks_uri {jwks_uri:?} is not https (or http on loopback)"
        ));
    }
    let jwks = fetch_json(&agent, jwks_uri)?;
    let listed = jwks
        .get("keys")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{jwks_uri} has no keys"))?;
    let mut keys = HashMap::new();
    for raw in listed.iter().take(MAX_KEYS) {
        // A key that does not parse, is not for signatures, or has no kid is skipped, not an
        // error: providers publish keys of kinds this code does not use.
        let Ok(jwk) = serde_json::from_value::<Jwk>(raw.clone()) else {
            continue;
        };
        if matches!(jwk.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature) {
            continue;
        }
        let Some(kid) = jwk.common.key_id.clone() else {
            continue;
        };
        let algorithms = algorithms_of(&jwk);
        if algorithms.is_empty() {
            continue;
        }
        let Ok(key) = DecodingKey::from_jwk(&jwk) else {
            continue;
        };
        keys.insert(kid, Arc::new(CachedKey { key, algorithms }));
    }
    if keys.is_empty() {
        return Err(format!("{jwks_uri} has no usable signing key"));
    }
    Ok(keys)
}

fn fetch_json(agent: &ureq::Agent, url: &str) -> Result<Value, String> {
    let response = agent
        .get(url)
        .header("Accept", "application/json")
        .call()
        .map_err(|e| format!("{url}: {e}"))?;
    if response.status() != 200 {
        return Err(format!("{url} answered {}", response.status()));
    }
    let body = response
        .into_body()
        .with_config()
        .limit(MAX_DOCUMENT_BYTES)
        .read_to_vec()
        .map_err(|e| format!("{url}: {e}"))?;
    serde_json::from_slice(&body).map_err(|e| format!("{url} is not JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_json_true_is_a_verified_email() {
        let claims = |v: Value| IdClaims {
            iss: "i".into(),
            sub: "s".into(),
            exp: 0,
            iat: 0,
            nbf: None,
            email: Some("a@example.com".into()),
            email_verified: Some(v),
            name: None,
        };
        assert_eq!(
            claims(Value::Bool(true)).verified_email(),
            Some("a@example.com")
        );
        for v in [
            Value::Bool(false),
            Value::from("true"),
            Value::from(1),
            Value::Null,
        ] {
            assert_eq!(claims(v).verified_email(), None);
        }
    }

    #[test]
    fn a_jwk_verifies_only_the_algorithms_of_its_type_and_its_own_alg() {
        let rsa: Jwk = serde_json::from_value(serde_json::json!({
            "kty": "RSA", "kid": "r", "n": "AQAB", "e": "AQAB", "alg": "RS256"
        }))
        .unwrap();
        assert_eq!(algorithms_of(&rsa), vec![Algorithm::RS256]);
        let okp: Jwk = serde_json::from_value(serde_json::json!({
            "kty": "OKP", "crv": "Ed25519", "kid": "e", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
        }))
        .unwrap();
        assert_eq!(algorithms_of(&okp), vec![Algorithm::EdDSA]);
        let oct: Jwk = serde_json::from_value(serde_json::json!({
            "kty": "oct", "kid": "h", "k": "c2VjcmV0"
        }))
        .unwrap();
        assert!(
            algorithms_of(&oct).is_empty(),
            "a shared secret verifies nothing"
        );
    }
}
