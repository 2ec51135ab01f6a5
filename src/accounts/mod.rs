//! Sign-in, refresh rotation, logout and revocation: composes the store and the tokens.

pub mod bootstrap;
pub mod password;
mod throttle;

pub use throttle::Throttle;

use crate::config::Config;
use crate::identity;
use crate::store::{RefreshLimits, RefreshOutcome, SessionRow, Store, StoreError, UserRow};
use crate::tokens::{AccessClaims, TokenError, Tokens};
use crate::util::{random_token, sha256_hex};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use std::sync::Arc;
use std::time::Duration;

/// Why a sign-in, refresh or revocation failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Unknown email, wrong password or disabled account: one answer for all, so the
    /// response does not tell an attacker which accounts exist.
    #[error("invalid email or password")]
    InvalidCredentials,
    #[error("too many failed sign-ins; retry in {0} s")]
    Throttled(u64),
    /// RFC 6749 section 5.2 `invalid_grant`: the refresh token is dead.
    #[error("the refresh token is invalid, expired or revoked")]
    InvalidGrant(&'static str),
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Token(#[from] TokenError),
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
    throttle: Throttle,
    refresh_key: Vec<u8>,
}

impl Accounts {
    /// Build the service; the refresh-token HMAC key lives in the store.
    pub fn new(store: Arc<Store>, tokens: Arc<Tokens>, config: Config) -> Result<Self, AuthError> {
        let refresh_key = store.secret("refresh_hmac", || random_token(32).into_bytes())?;
        Ok(Accounts {
            throttle: Throttle::new(Duration::from_secs(config.login_window.max(1))),
            store,
            tokens,
            config,
            refresh_key,
        })
    }

    /// Sign in with email and password from `address`. Slow (argon2): run off async workers.
    pub fn login(&self, email: &str, password: &str, address: &str) -> Result<Issued, AuthError> {
        let account_key = format!("account:{}", email.trim().to_lowercase());
        let address_key = format!("address:{address}");
        let limits = [
            (&account_key, self.config.login_max_failures_per_account),
            (&address_key, self.config.login_max_failures_per_address),
        ];
        for (key, limit) in limits {
            if let Some(wait) = self.throttle.blocked(key, limit) {
                return Err(AuthError::Throttled(wait));
            }
        }
        let found = self.store.user_by_email(email)?;
        let ok = password::verify(password, found.as_ref().and_then(|(_, h)| h.as_deref()));
        let user = match found {
            Some((user, _)) if ok && !user.disabled => user,
            _ => {
                self.throttle.fail(&account_key);
                self.throttle.fail(&address_key);
                return Err(AuthError::InvalidCredentials);
            }
        };
        self.throttle.clear(&account_key);
        let refresh_token = random_token(32);
        let session = self.store.create_session(
            &user.id,
            &sha256_hex(&refresh_token),
            self.config.refresh_absolute_ttl,
        )?;
        self.issue(user, session, refresh_token)
    }

    /// The successor of a refresh token: HMAC(server key, token). Deterministic, so a
    /// concurrent refresh within the grace window gets the very same successor without the
    /// store ever holding a usable token.
    fn successor(&self, token: &str) -> String {
        let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(&self.refresh_key) {
            Ok(m) => m,
            Err(_) => return random_token(32),
        };
        mac.update(token.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Rotate a refresh token.
    pub fn refresh(&self, refresh_token: &str) -> Result<Issued, AuthError> {
        if refresh_token.is_empty() || refresh_token.len() > 256 {
            return Err(AuthError::InvalidGrant("malformed refresh token"));
        }
        let successor = self.successor(refresh_token);
        let outcome = self.store.rotate_refresh(
            &sha256_hex(refresh_token),
            &sha256_hex(&successor),
            RefreshLimits {
                idle_secs: self.config.refresh_idle_ttl,
                grace_secs: self.config.refresh_grace,
            },
        )?;
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
        let user = self.store.user(&session.user_id)?;
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
            refresh_expires_in: (session.expires_at - crate::util::now()).max(0),
            user,
            access_token,
            claims,
            refresh_token,
            session,
        })
    }

    /// End the session a refresh token belongs to. Unknown tokens are ignored.
    pub fn logout(&self, refresh_token: &str) -> Result<bool, AuthError> {
        match self.store.session_of_refresh(&sha256_hex(refresh_token))? {
            Some(s) => {
                self.store.revoke_session(&s.id, "logout")?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// RFC 7009 revocation of either kind of token. Returns what was revoked, if anything;
    /// the HTTP answer is 200 either way (section 2.2: no oracle for token validity).
    pub fn revoke(&self, token: &str) -> Result<Option<&'static str>, AuthError> {
        if let Ok(claims) = self.tokens.verify(token) {
            self.store.revoke_jti(&claims.jti, claims.exp)?;
            return Ok(Some("access_token"));
        }
        if self.logout(token)? {
            return Ok(Some("refresh_token"));
        }
        Ok(None)
    }

    /// RFC 7662 introspection of an access token: its claims if active, else `None`.
    pub fn introspect(&self, token: &str) -> Option<(AccessClaims, UserRow)> {
        identity::verify_access_token(&self.store, &self.tokens, token).ok()
    }
}
