//! The caller behind an access token, with a cache that stays correct.
//!
//! Every decision reads the store's revision counter (one indexed read), which every change
//! to users, roles, sessions or revocations bumps, from this process or any other on the
//! same database. A cached caller is reused only while the revision is unchanged and its
//! token and session are still within their lifetimes; otherwise the full checks run again.
//! So a revocation, a disabled user or a role change made by `warden` in another process
//! still changes the very next decision.

use super::{principal_for, verify_with, Verified};
use crate::store::Store;
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
}

impl Resolver {
    /// A resolver over a store and its token keys.
    pub fn new(store: Arc<Store>, tokens: Arc<Tokens>) -> Resolver {
        Resolver {
            store,
            tokens,
            entries: Mutex::new(HashMap::new()),
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
}
