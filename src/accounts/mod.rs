//! Sign-in, refresh rotation, logout and revocation: composes the store and the tokens.

pub mod bootstrap;
pub mod exchange;
mod federated;
mod gate;
pub mod password;

pub use gate::{Busy, HashGate, HashSlot};

use crate::clock::SharedClock;
use crate::config::Config;
use crate::identity;
use crate::model::Email;
use crate::store::{
    RefreshLimits, RefreshOutcome, Reservation, SessionRow, Store, StoreError, ThrottleKey, UserRow,
};
use crate::tokens::{AccessClaims, TokenError, Tokens};
use crate::util::{random_token, sha256_hex};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use std::sync::Arc;

/// Why a sign-in, refresh or revocation failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Unknown email, wrong password or disabled account: one answer for all, so the
    /// response does not tell an attacker which accounts exist.
    #[error("invalid email or password")]
    InvalidCredentials,
    #[error("too many failed sign-ins; retry in {0} s")]
    Throttled(u64),
    /// The hashing gate is full: come back later (503 with `Retry-After`).
    #[error("too many sign-ins at once; retry in {0} s")]
    Busy(u64),
    /// RFC 6749 section 5.2 `invalid_grant`: the refresh token is dead.
    #[error("the refresh token is invalid, expired or revoked")]
    InvalidGrant(&'static str),
    #[error("{0}")]
    BadRequest(String),
    /// A broken invariant (already logged and counted): fail closed.
    #[error("internal error")]
    Internal,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A token exchange refused: the subject token or the person it names (RFC 8693
    /// section 2.2.2, `invalid_request`).
    #[error("{0}")]
    ExchangeRefused(String),
    /// A trusted issuer's keys could not be fetched: retry later.
    #[error("{0}")]
    IssuerUnavailable(String),
}

impl From<exchange::ExchangeError> for AuthError {
    fn from(e: exchange::ExchangeError) -> Self {
        match e {
            exchange::ExchangeError::Refused(why) => AuthError::ExchangeRefused(why),
            e @ exchange::ExchangeError::Unavailable(_) => {
                AuthError::IssuerUnavailable(e.to_string())
            }
        }
    }
}

impl From<Busy> for AuthError {
    fn from(b: Busy) -> Self {
        AuthError::Busy(b.0)
    }
}

/// Tokens handed to a client after sign-in or refresh.
#[derive(Debug, Clone)]
pub struct Issued {
    pub user: UserRow,
    pub access_token: String,
    pub claims: AccessClaims,
    pub refresh_token: String,
    pub session: SessionRow,
    /// Seconds until the session's absolute end.
    pub refresh_expires_in: i64,
}

/// The account service.
pub struct Accounts {
    store: Arc<Store>,
    tokens: Arc<Tokens>,
    config: Config,
    clock: SharedClock,
    gate: HashGate,
    refresh_key: Vec<u8>,
    /// The hash unknown emails are checked against, made once at start-up (see
    /// [`password::verify_in`]): a failure here stops the start instead of degrading to a
    /// faster path that would tell unknown emails apart by timing.
    dummy_hash: String,
    /// The trusted identity providers of the token exchange, with their cached keys.
    id_tokens: exchange::IdTokenVerifier,
}

/// Where a sign-in comes from, as the edge established it (see `server::origin`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The end user's address.
    pub address: std::net::IpAddr,
    /// The service client that vouched for the address, if one did.
    pub client: Option<String>,
}

impl Origin {
    /// A caller connected directly (nobody vouched for it).
    pub fn direct(address: std::net::IpAddr) -> Origin {
        Origin {
            address,
            client: None,
        }
    }
}

/// The throttle key of an address: an IPv4 address itself, an IPv6 address's prefix of
/// `ipv6_prefix` bits (one host owns a whole /64, so a per-address budget would be endless).
pub fn address_key(address: std::net::IpAddr, ipv6_prefix: u8) -> String {
    match address {
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => ipnet::Ipv6Net::new(v6, ipv6_prefix.min(128))
                .map(|net| net.trunc().to_string())
                .unwrap_or_else(|_| v6.to_string()),
        },
        v4 => v4.to_string(),
    }
}

/// The throttle counters one sign-in attempt is charged to.
///
/// Attack answered: with one per-account counter, five wrong passwords from anywhere lock the
/// real owner out (denial of service against any account). The tight limit is per (account,
/// address): a guesser at one address is stopped after a few tries without touching the owner
/// at another address. A looser per-account cap still bounds a guesser spread over many
/// addresses (credential stuffing), and a per-address cap bounds one address spraying many
/// accounts. An attempt a service client vouched for is also charged to the client, so an
/// app server that floods (or lies about addresses) is stopped as a whole. An admin can lift
/// an account's counters (`warden user unlock`), and a password reset lifts them too.
fn throttle_keys(config: &Config, account: &str, origin: &Origin) -> Vec<ThrottleKey> {
    let account = account.to_string();
    let address = address_key(origin.address, config.ipv6_prefix);
    let mut keys = vec![
        ThrottleKey {
            scope: "pair",
            account: account.clone(),
            address: address.clone(),
            limit: config.login_max_failures_per_account_and_address,
        },
        ThrottleKey {
            scope: "account",
            account,
            address: String::new(),
            limit: config.login_max_failures_per_account,
        },
        ThrottleKey {
            scope: "address",
            account: String::new(),
            address,
            limit: config.login_max_failures_per_address,
        },
    ];
    if let Some(client) = &origin.client {
        keys.push(ThrottleKey {
            scope: "client",
            account: String::new(),
            address: format!("client:{client}"),
            limit: config.login_max_failures_per_client,
        });
    }
    keys
}

/// The throttle counters one token exchange is charged to: its provider subject (across
/// addresses), its address (across subjects) and the service client that vouched for it.
/// Scopes of their own, so exchanges and password sign-ins do not spend each other's budget.
fn exchange_throttle_keys(
    config: &Config,
    issuer: &str,
    subject: &str,
    origin: &Origin,
) -> Vec<ThrottleKey> {
    let mut keys = vec![
        ThrottleKey {
            scope: "exchange-subject",
            account: format!("{issuer} {subject}"),
            address: String::new(),
            limit: config.exchange_max_per_subject,
        },
        ThrottleKey {
            scope: "exchange-address",
            account: String::new(),
            address: address_key(origin.address, config.ipv6_prefix),
            limit: config.exchange_max_per_address,
        },
    ];
    if let Some(client) = &origin.client {
        keys.push(ThrottleKey {
            scope: "exchange-client",
            account: String::new(),
            address: format!("client:{client}"),
            limit: config.login_max_failures_per_client,
        });
    }
    keys
}

impl Accounts {
    /// Build the service; the refresh-token HMAC key lives in the store.
    pub async fn new(
        store: Arc<Store>,
        tokens: Arc<Tokens>,
        config: Config,
        clock: SharedClock,
    ) -> Result<Self, AuthError> {
        let refresh_key = store
            .secret("refresh_hmac", random_token(32).into_bytes())
            .await?;
        let dummy_hash = password::hash(&random_token(24)).map_err(|e| {
            crate::alarm::raise("dummy_hash", e);
            AuthError::Internal
        })?;
        Ok(Accounts {
            id_tokens: exchange::IdTokenVerifier::new(&config, clock.clone()),
            gate: HashGate::new(config.hash_concurrency, config.hash_queue),
            store,
            tokens,
            config,
            clock,
            refresh_key,
            dummy_hash,
        })
    }

    /// The hashing gate (sign-in and password changes share it).
    pub fn gate(&self) -> &HashGate {
        &self.gate
    }

    /// Run argon2 work in `slot` on the blocking pool, never on an async worker.
    async fn hashing<T: Send + 'static>(
        mut slot: HashSlot,
        work: impl FnOnce(&mut HashSlot) -> T + Send + 'static,
    ) -> Result<(T, HashSlot), AuthError> {
        tokio::task::spawn_blocking(move || {
            let value = work(&mut slot);
            (value, slot)
        })
        .await
        .map_err(|e| {
            crate::alarm::raise("hash_task", e);
            AuthError::Internal
        })
    }

    /// Sign in with email and password from `address`: waits for a turn at the hashing
    /// gate, then checks the password off the async workers.
    ///
    /// The attempt is charged to the throttle *before* the password is checked (see
    /// [`crate::store::Backend::reserve_login`]), so concurrency cannot buy extra guesses.
    pub async fn sign_in(
        self: &Arc<Self>,
        email: String,
        password: String,
        origin: Origin,
    ) -> Result<Issued, AuthError> {
        // No address is longer (RFC 5321: 254 in practice); nothing longer is hashed or
        // written to the throttle table.
        if email.len() > 320 {
            return Err(AuthError::BadRequest("email is too long".into()));
        }
        // An address that does not parse (a Unicode look-alike among them) names no account:
        // it is checked against the dummy hash like an unknown one, and charged to a key of
        // its own that no account shares.
        let parsed = Email::parse(&email).ok();
        let account = match &parsed {
            Some(e) => e.key(),
            None => format!("unparsed:{}", email.trim()),
        };
        let keys = throttle_keys(&self.config, &account, &origin);
        // The throttle first, then the hashing gate: an attempt that is already blocked must
        // not take a hashing turn from a real user (a flood of blocked guesses would
        // otherwise fill the queue and shut everyone out with 503).
        self.reserve(&keys).await?;
        let slot = match self.gate.enter().await {
            Ok(slot) => slot,
            Err(busy) => {
                // Not checked, so not counted: give the attempt back.
                let _ = self.store.refund_login(&keys).await;
                return Err(busy.into());
            }
        };
        let found = match &parsed {
            Some(e) => self.store.user_by_email(e).await?,
            None => None,
        };
        let stored = found.as_ref().and_then(|(_, h)| h.clone());
        let dummy = self.dummy_hash.clone();
        let (ok, _slot) = Self::hashing(slot, move |slot| {
            password::verify_in(&password, stored.as_deref(), &dummy, slot.memory())
        })
        .await?;
        let ok = ok.map_err(|e| {
            crate::alarm::raise("password_verify", e);
            AuthError::Internal
        })?;
        let user = match found {
            Some((user, _)) if ok && !user.disabled => user,
            _ => return Err(AuthError::InvalidCredentials),
        };
        self.store.login_succeeded(&keys).await?;
        let refresh_token = random_token(32);
        let session = self
            .store
            .create_session(
                &user.id,
                &sha256_hex(&refresh_token),
                self.config.refresh_absolute_ttl,
            )
            .await?;
        self.issue(user, session, refresh_token)
    }

    /// Charge one attempt to the throttle, or say how long to wait.
    async fn reserve(&self, keys: &[ThrottleKey]) -> Result<(), AuthError> {
        let window_ms = (self.config.login_window as i64).saturating_mul(1000);
        match self
            .store
            .reserve_login(keys, window_ms, self.clock.now_ms())
            .await?
        {
            Reservation::Granted => Ok(()),
            Reservation::Blocked { retry_after_secs } => {
                Err(AuthError::Throttled(retry_after_secs))
            }
        }
    }

    /// Hash a new password at the hashing gate, off the async workers.
    pub async fn hash_password(self: &Arc<Self>, password: String) -> Result<String, AuthError> {
        let min = self.config.min_password_length;
        password::check_policy(&password, min).map_err(|e| AuthError::BadRequest(e.to_string()))?;
        let slot = self.gate.enter().await?;
        let (hash, _slot) = Self::hashing(slot, move |slot| {
            password::hash_in(&password, slot.memory())
        })
        .await?;
        hash.map_err(|e| {
            crate::alarm::raise("password_hash", e);
            AuthError::Internal
        })
    }

    /// A signed-in user changes their own password. The current password is checked like a
    /// sign-in (same throttle, same gate: a stolen access token must not become an unlimited
    /// password oracle); then every other session of the user ends and `session` goes on.
    /// Returns how many sessions ended.
    pub async fn change_own_password(
        self: &Arc<Self>,
        user_id: String,
        session: String,
        current: String,
        new: String,
        origin: Origin,
    ) -> Result<usize, AuthError> {
        password::check_policy(&new, self.config.min_password_length)
            .map_err(|e| AuthError::BadRequest(format!("new_password: {e}")))?;
        let slot = self.gate.enter().await?;
        let user = self.store.user(&user_id).await?;
        let keys = throttle_keys(&self.config, &crate::model::email_key(&user.email), &origin);
        self.reserve(&keys).await?;
        let stored = self.store.password_hash(&user_id).await?;
        let dummy = self.dummy_hash.clone();
        let (checked, _slot) = Self::hashing(slot, move |slot| {
            let ok = password::verify_in(&current, stored.as_deref(), &dummy, slot.memory())?;
            if !ok {
                return Ok(None);
            }
            password::hash_in(&new, slot.memory()).map(Some)
        })
        .await?;
        let hash = match checked {
            Ok(Some(hash)) => hash,
            Ok(None) => return Err(AuthError::InvalidCredentials),
            Err(e) => {
                crate::alarm::raise("password_hash", e);
                return Err(AuthError::Internal);
            }
        };
        self.store.login_succeeded(&keys).await?;
        let audit = crate::store::Audit {
            actor: format!("user:{user_id}"),
            address: origin.address.to_string(),
            action: crate::admin_action::AdminAction::UsersPassword
                .name()
                .into(),
            target: format!("user:{user_id}"),
            detail: serde_json::json!({"password": "changed", "by": "self"}),
        };
        let ended = self
            .store
            .change_own_password(&user_id, &hash, &session, Some(&audit))
            .await?;
        Ok(ended)
    }

    /// The successor of a refresh token: HMAC(server key, token). Deterministic, so a
    /// concurrent refresh within the grace window gets the very same successor without the
    /// store ever holding a usable token. A failure is an error: a random successor would
    /// silently break the grace window.
    fn successor(&self, token: &str) -> Result<String, AuthError> {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&self.refresh_key).map_err(|e| {
            crate::alarm::raise("refresh_hmac", e);
            AuthError::Internal
        })?;
        mac.update(token.as_bytes());
        Ok(URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }

    /// Rotate a refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Issued, AuthError> {
        if refresh_token.is_empty() || refresh_token.len() > 256 {
            return Err(AuthError::InvalidGrant("malformed refresh token"));
        }
        let successor = self.successor(refresh_token)?;
        let outcome = self
            .store
            .rotate_refresh(
                &sha256_hex(refresh_token),
                &sha256_hex(&successor),
                RefreshLimits {
                    idle_secs: self.config.refresh_idle_ttl,
                    grace_secs: self.config.refresh_grace,
                },
            )
            .await?;
        let session = match outcome {
            RefreshOutcome::Rotated(s) | RefreshOutcome::Replayed(s) => s,
            RefreshOutcome::Reused(s) => {
                tracing::warn!(session = %s.id, user = %s.user_id, "refresh token reuse: session revoked");
                return Err(AuthError::InvalidGrant(
                    "refresh token reuse detected; session revoked",
                ));
            }
            RefreshOutcome::Dead(why) => return Err(AuthError::InvalidGrant(why)),
        };
        let user = self.store.user(&session.user_id).await?;
        if user.disabled {
            return Err(AuthError::InvalidGrant("user disabled"));
        }
        self.issue(user, session, successor)
    }

    fn issue(
        &self,
        user: UserRow,
        session: SessionRow,
        refresh_token: String,
    ) -> Result<Issued, AuthError> {
        let (access_token, claims) =
            self.tokens
                .mint(&user.id, &user.email, &user.roles, &session.id)?;
        Ok(Issued {
            refresh_expires_in: (session.expires_at - self.clock.now()).max(0),
            user,
            access_token,
            claims,
            refresh_token,
            session,
        })
    }

    /// End the session a refresh token belongs to. Unknown tokens are ignored.
    pub async fn logout(&self, refresh_token: &str) -> Result<bool, AuthError> {
        match self
            .store
            .session_of_refresh(&sha256_hex(refresh_token))
            .await?
        {
            Some(s) => {
                self.store.revoke_session(&s.id, "logout", None).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// RFC 7009 revocation of either kind of token. Returns what was revoked, if anything;
    /// the HTTP answer is 200 either way (section 2.2: no oracle for token validity).
    pub async fn revoke(&self, token: &str) -> Result<Option<&'static str>, AuthError> {
        if let Ok(claims) = self.tokens.verify(token) {
            self.store.revoke_jti(&claims.jti, claims.exp, None).await?;
            return Ok(Some("access_token"));
        }
        if self.logout(token).await? {
            return Ok(Some("refresh_token"));
        }
        Ok(None)
    }

    /// RFC 7662 introspection of an access token: its claims if active, else `None`.
    pub async fn introspect(&self, token: &str) -> Option<(AccessClaims, UserRow)> {
        identity::verify_access_token(&self.store, &self.tokens, token)
            .await
            .ok()
    }
}
