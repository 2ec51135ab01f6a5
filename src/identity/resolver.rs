//! The caller behind an access token, with one bounded cache that stays correct.
//!
//! Every decision reads the store's revision counter ([`crate::store::Backend::current_revision`]:
//! an in-memory value and a cheap signal of commits, no SQL and no hand-off to the blocking
//! pool), which every change to users, roles, sessions, revocations or client keys bumps,
//! from this process or any other on the same database. A cached caller is reused only while the revision is unchanged and its
//! token and session are still within their lifetimes; otherwise the checks of the store run
//! again (the signature, verified once, is not checked again until the token expires: an
//! Ed25519 verify is the costliest step of a decision). So a revocation, a disabled user or a
//! role change made by `warden` in another process still changes the very next decision.
//!
//! The cache is bounded (`quick_cache`, CLOCK-Pro eviction): when full, the coldest entries
//! go one by one, never the whole cache at once.
//!
//! On PostgreSQL that revision is current through notifications: another replica's change
//! counts here when its `NOTIFY` arrives, milliseconds after its commit, and a cached caller
//! may be answered as before in between. With `strict_revocation` the revision is confirmed
//! against the database first ([`crate::store::Backend::confirmed_revision`], one indexed
//! read), so a revocation acknowledged by any replica is refused by every replica's next
//! decision; the price is that read on every decision.

use super::{check_current, principal_for, Verified};
use crate::engine::Principal;
use crate::store::{ClientRow, Store, StoreError};
use crate::tokens::{AccessClaims, Rejection, Tokens};
use std::sync::Arc;

/// Most callers (and most directory subjects) kept.
const CAPACITY: usize = 10_000;

/// A token whose signature and claims verified; resolved to a caller at `revision`.
#[derive(Clone)]
struct Entry {
    claims: AccessClaims,
    resolved: Option<Resolved>,
}

#[derive(Clone)]
struct Resolved {
    revision: i64,
    session_expires_at: i64,
    verified: Verified,
}

/// Resolves bearer tokens to verified callers.
pub struct Resolver {
    store: Arc<Store>,
    tokens: Arc<Tokens>,
    callers: quick_cache::sync::Cache<String, Entry>,
    /// Directory subjects (AuthZEN) by user id or email, at a revision; `None` is an unknown
    /// or disabled subject.
    subjects: quick_cache::sync::Cache<String, (i64, Option<Principal>)>,
    /// Live service clients by the SHA-256 of their key (the key itself is not kept), at a
    /// revision. Unknown keys are not cached: a caller spraying keys cannot evict live ones.
    clients: quick_cache::sync::Cache<String, (i64, ClientRow)>,
    /// Confirm the revision with the database before trusting a cached entry.
    strict: bool,
}

/// Most service clients kept.
const CLIENT_CAPACITY: usize = 1_000;

impl Resolver {
    /// A resolver over a store and its token keys.
    pub fn new(store: Arc<Store>, tokens: Arc<Tokens>) -> Resolver {
        Resolver {
            store,
            tokens,
            callers: quick_cache::sync::Cache::new(CAPACITY),
            subjects: quick_cache::sync::Cache::new(CAPACITY),
            clients: quick_cache::sync::Cache::new(CLIENT_CAPACITY),
            strict: false,
        }
    }

    /// This resolver, confirming the revision with the database before trusting a cached
    /// entry when `strict` (the `strict_revocation` setting; see the module documentation).
    pub fn strict_revocation(self, strict: bool) -> Resolver {
        Resolver { strict, ..self }
    }

    /// The revision the caches are compared with: the one kept in memory, or, with
    /// `strict_revocation`, the one confirmed by the database now. Read before anything
    /// else, so data read after it is at least this new.
    async fn revision(&self) -> Result<i64, StoreError> {
        if self.strict {
            self.store.confirmed_revision().await
        } else {
            self.store.current_revision()
        }
    }

    /// Verify `token` completely and resolve its principal (see [`super::verify_access_token`]).
    pub async fn resolve(&self, token: &str) -> Result<Verified, Rejection> {
        // Read the revision before anything else: data read after it is at least this new.
        let revision = self.revision().await.map_err(|e| {
            tracing::error!(error = %e, "revision check failed");
            Rejection::Unavailable
        })?;
        let t = self.store.now();
        let leeway = self.tokens.settings().leeway as i64;
        let cached = self
            .callers
            .get(token)
            .filter(|e| t <= e.claims.exp + leeway);
        if let Some(Entry {
            resolved: Some(r), ..
        }) = &cached
        {
            if r.revision == revision && t < r.session_expires_at {
                return Ok(r.verified.clone());
            }
        }
        let claims = match cached {
            Some(entry) => entry.claims,
            None => self.tokens.verify(token)?,
        };
        let (claims, user, session_expires_at) = check_current(&self.store, claims).await?;
        let principal = principal_for(&self.store, &user)
            .await
            .map_err(|_| Rejection::Unavailable)?;
        let verified = Verified {
            claims: claims.clone(),
            user,
            principal,
        };
        self.callers.insert(
            token.to_string(),
            Entry {
                claims,
                resolved: Some(Resolved {
                    revision,
                    session_expires_at,
                    verified: verified.clone(),
                }),
            },
        );
        Ok(verified)
    }

    /// The principal of an enabled directory user named by email (a key with `@`) or by id
    /// (any other key); `None` for an unknown or disabled user. Cached like callers: while
    /// the revision holds.
    ///
    /// Attack answered: the key used to be tried as an id first and as an email second, so a
    /// user whose id was another user's email (`admin@localhost`, created by anyone allowed
    /// `users.create`) took that user's place in every decision naming it by email. Now the
    /// form of the key alone says which namespace it names, and the two never overlap: new
    /// ids cannot contain `@` ([`crate::model::UserId::new_id`]) and every email has one. A
    /// user created with `@` in its id by an older warden is named here by its email.
    pub async fn directory_subject(&self, key: &str) -> Result<Option<Principal>, StoreError> {
        let revision = self.revision().await?;
        if let Some((r, principal)) = self.subjects.get(key) {
            if r == revision {
                return Ok(principal);
            }
        }
        let user = if key.contains('@') {
            // A key that is not an ASCII address as given names nobody (no Unicode
            // look-alike finds an ASCII account, issue 25).
            match crate::model::Email::parse(key) {
                Ok(email) => self.store.user_by_email(&email).await?.map(|(u, _)| u),
                Err(_) => None,
            }
        } else {
            match self.store.user(key).await {
                Ok(u) => Some(u),
                Err(StoreError::NotFound { .. }) => None,
                Err(e) => return Err(e),
            }
        };
        let principal = match user.filter(|u| !u.disabled) {
            Some(u) => Some(principal_for(&self.store, &u).await.map_err(|e| match e {
                super::IdentityError::Store(s) => s,
                // Changed since it was read: an error, so the decision denies.
                super::IdentityError::UnknownUser(id) => {
                    StoreError::not_found(crate::store::Entity::User, id)
                }
                super::IdentityError::Disabled(id) => {
                    crate::store::Conflict::UserDisabled { id }.into()
                }
            })?),
            None => None,
        };
        self.subjects
            .insert(key.to_string(), (revision, principal.clone()));
        Ok(principal)
    }

    /// The live service client holding `key`, if any: from memory while the revision holds
    /// (revoking a key bumps it, from any process), else from the store.
    pub async fn client(&self, key: &str) -> Result<Option<ClientRow>, StoreError> {
        let revision = self.revision().await?;
        let digest = crate::util::sha256_hex(key);
        if let Some((r, client)) = self.clients.get(&digest) {
            if r == revision {
                return Ok(Some(client));
            }
        }
        let client = self.store.client_by_key(key).await?;
        match &client {
            Some(c) => self.clients.insert(digest, (revision, c.clone())),
            None => {
                self.clients.remove(&digest);
            }
        }
        Ok(client)
    }
}
