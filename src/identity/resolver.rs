//! The caller behind an access token, with a cache that stays correct.
//!
//! Every decision reads the store's revision counter (one indexed read), which every change
//! to users, roles, sessions or revocations bumps, from this process or any other on the
//! same database. A cached caller is reused only while the revision is unchanged and its
//! token and session are still within their lifetimes; otherwise the full checks run again.
//! So a revocation, a disabled user or a role change made by `warden` in another process
//! still changes the very next decision.

use super::{principal_for, verify_with, Verified};
use crate::engine::Principal;
use crate::store::{Store, StoreError};
use crate::tokens::{Rejection, Tokens};
use crate::util::now;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Most callers kept.
const CAPACITY: usize = 10_000;

struct Entry {
    revision: i64,
    session_expires_at: i64,
    verified: Verified,
}

/// Resolves bearer tokens to verified callers.
pub struct Resolver {
    store: Arc<Store>,
    tokens: Arc<Tokens>,
    entries: Mutex<HashMap<String, Entry>>,
    /// Directory subjects (AuthZEN) by user id or email, at a revision; `None` is an unknown
    /// or disabled subject.
    subjects: Mutex<HashMap<String, (i64, Option<Principal>)>>,
}

impl Resolver {
    /// A resolver over a store and its token keys.
    pub fn new(store: Arc<Store>, tokens: Arc<Tokens>) -> Resolver {
        Resolver {
            store,
            tokens,
            entries: Mutex::new(HashMap::new()),
            subjects: Mutex::new(HashMap::new()),
        }
    }

    /// Verify `token` completely and resolve its principal (see [`super::verify_access_token`]).
    pub fn resolve(&self, token: &str) -> Result<Verified, Rejection> {
        // Read the revision before anything else: data read after it is at least this new.
        let revision = self.store.revision().map_err(|e| {
            tracing::error!(error = %e, "revision check failed");
            Rejection::Unavailable
        })?;
        let t = now();
        let leeway = self.tokens.settings().leeway as i64;
        if let Ok(entries) = self.entries.lock() {
            if let Some(e) = entries.get(token) {
                if e.revision == revision
                    && t < e.session_expires_at
                    && t <= e.verified.claims.exp + leeway
                {
                    return Ok(e.verified.clone());
                }
            }
        }
        let (claims, user, session_expires_at) =
            verify_with(&self.store, &self.tokens, token, true)?;
        let principal = principal_for(&self.store, &user).map_err(|_| Rejection::Unavailable)?;
        let verified = Verified {
            claims,
            user,
            principal,
        };
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries
                    .retain(|_, e| e.revision == revision && t <= e.verified.claims.exp + leeway);
                if entries.len() >= CAPACITY {
                    entries.clear();
                }
            }
            entries.insert(
                token.to_string(),
                Entry {
                    revision,
                    session_expires_at,
                    verified: verified.clone(),
                },
            );
        }
        Ok(verified)
    }

    /// The principal of an enabled directory user named by id or, failing that, by email;
    /// `None` for an unknown or disabled user. Cached like callers: while the revision holds.
    pub fn directory_subject(&self, key: &str) -> Result<Option<Principal>, StoreError> {
        let revision = self.store.revision()?;
        if let Ok(subjects) = self.subjects.lock() {
            if let Some((r, principal)) = subjects.get(key) {
                if *r == revision {
                    return Ok(principal.clone());
                }
            }
        }
        let user = match self.store.user(key) {
            Ok(u) => Some(u),
            Err(StoreError::NotFound(_)) => self.store.user_by_email(key)?.map(|(u, _)| u),
            Err(e) => return Err(e),
        };
        let principal = match user.filter(|u| !u.disabled) {
            Some(u) => Some(principal_for(&self.store, &u).map_err(|e| match e {
                super::IdentityError::Store(s) => s,
                other => StoreError::Invalid(other.to_string()),
            })?),
            None => None,
        };
        if let Ok(mut subjects) = self.subjects.lock() {
            if subjects.len() >= CAPACITY {
                subjects.retain(|_, (r, _)| *r == revision);
                if subjects.len() >= CAPACITY {
                    subjects.clear();
                }
            }
            subjects.insert(key.to_string(), (revision, principal.clone()));
        }
        Ok(principal)
    }
}
