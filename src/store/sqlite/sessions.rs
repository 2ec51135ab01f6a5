//! Sessions (refresh-token families), refresh tokens (hashes only) and revoked access-token ids.

use super::{bump_revision, Audit, SqliteStore, StoreError};
use crate::store::rows::{RefreshLimits, RefreshOutcome, SessionRow};
use rusqlite::{params, Connection, OptionalExtension, Row};

/// A refresh token row (the token itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
struct RefreshRow {
    session_id: String,
    used_at: Option<i64>,
    successor_hash: Option<String>,
}

const SESSION_COLUMNS: &str =
    "id, user_id, created_at, last_used_at, expires_at, revoked_at, revoked_reason";

fn session_from_row(row: &Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        id: row.get(0)?,
        user_id: row.get(1)?,
        created_at: row.get(2)?,
        last_used_at: row.get(3)?,
        expires_at: row.get(4)?,
        revoked_at: row.get(5)?,
        revoked_reason: row.get(6)?,
    })
}

pub(crate) fn find_session(conn: &Connection, id: &str) -> Result<Option<SessionRow>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?1"
        ))?
        .query_row([id], session_from_row)
        .optional()?)
}

pub(crate) fn revoke_user_sessions(
    conn: &Connection,
    user_id: &str,
    reason: &str,
    at: i64,
) -> Result<usize, StoreError> {
    let n = conn.execute(
        "UPDATE sessions SET revoked_at = ?2, revoked_reason = ?3 WHERE user_id = ?1 AND revoked_at IS NULL",
        params![user_id, at, reason],
    )?;
    bump_revision(conn)?;
    Ok(n)
}

fn revoke_session_in(
    conn: &Connection,
    id: &str,
    reason: &str,
    at: i64,
) -> Result<usize, StoreError> {
    let n = conn.execute(
        "UPDATE sessions SET revoked_at = ?2, revoked_reason = ?3 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, at, reason],
    )?;
    bump_revision(conn)?;
    Ok(n)
}

impl SqliteStore {
    /// Start a session for a user with its first refresh token (given as a hash).
    pub fn create_session(
        &self,
        user_id: &str,
        refresh_hash: &str,
        absolute_secs: i64,
    ) -> Result<SessionRow, StoreError> {
        self.write(|tx| {
            let t = self.now();
            let id = crate::util::random_id();
            tx.execute(
                "INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at) VALUES (?1, ?2, ?3, ?3, ?4)",
                params![id, user_id, t, t + absolute_secs],
            )?;
            tx.execute(
                "INSERT INTO refresh_tokens (hash, session_id, created_at) VALUES (?1, ?2, ?3)",
                params![refresh_hash, id, t],
            )?;
            find_session(tx, &id)?.ok_or_else(|| StoreError::not_found(crate::store::Entity::Session, id))
        })
    }

    /// Present a refresh token (by hash). `successor_hash` is the hash of the token that
    /// replaces it. The whole check-and-rotate is one immediate transaction, and the
    /// consumption itself a single conditional UPDATE: two racing refreshes cannot both win.
    pub fn rotate_refresh(
        &self,
        presented_hash: &str,
        successor_hash: &str,
        limits: RefreshLimits,
    ) -> Result<RefreshOutcome, StoreError> {
        self.write(|tx| {
            let t = self.now();
            let row: Option<RefreshRow> = tx
                .query_row(
                    "SELECT session_id, used_at, successor_hash FROM refresh_tokens WHERE hash = ?1",
                    [presented_hash],
                    |r| {
                        Ok(RefreshRow {
                            session_id: r.get(0)?,
                            used_at: r.get(1)?,
                            successor_hash: r.get(2)?,
                        })
                    },
                )
                .optional()?;
            let Some(row) = row else {
                return Ok(RefreshOutcome::Dead("unknown refresh token"));
            };
            let Some(session) = find_session(tx, &row.session_id)? else {
                return Ok(RefreshOutcome::Dead("session not found"));
            };
            if session.revoked_at.is_some() {
                return Ok(RefreshOutcome::Dead("session revoked"));
            }
            if t >= session.expires_at {
                return Ok(RefreshOutcome::Dead("session expired"));
            }
            if t >= session.last_used_at + limits.idle_secs {
                revoke_session_in(tx, &session.id, "idle_timeout", self.now())?;
                return Ok(RefreshOutcome::Dead("session idle too long"));
            }
            let disabled: bool = tx.query_row(
                "SELECT disabled FROM users WHERE id = ?1",
                [&session.user_id],
                |r| r.get(0),
            )?;
            if disabled {
                return Ok(RefreshOutcome::Dead("user disabled"));
            }
            let consumed = tx.execute(
                "UPDATE refresh_tokens SET used_at = ?2, successor_hash = ?3 WHERE hash = ?1 AND used_at IS NULL",
                params![presented_hash, t, successor_hash],
            )?;
            if consumed == 1 {
                tx.execute(
                    "INSERT INTO refresh_tokens (hash, session_id, created_at) VALUES (?1, ?2, ?3)",
                    params![successor_hash, session.id, t],
                )?;
                tx.execute("UPDATE sessions SET last_used_at = ?2 WHERE id = ?1", params![session.id, t])?;
                let session = find_session(tx, &session.id)?.unwrap_or(session);
                return Ok(RefreshOutcome::Rotated(session));
            }
            // Already used. Within the grace window, and only if its successor is the live
            // token of the family, this is a browser's concurrent refresh: answer the same
            // successor. Anything else is reuse of a stolen token (OAuth 2.0 Security BCP,
            // RFC 9700 section 4.14.2): revoke the whole family.
            let successor_live: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM refresh_tokens WHERE hash = ?1 AND used_at IS NULL)",
                [successor_hash],
                |r| r.get(0),
            )?;
            // A grace of 0 turns the window off: every replay is a reuse.
            let within_grace =
                limits.grace_secs > 0 && row.used_at.is_some_and(|used| t - used <= limits.grace_secs);
            if within_grace && successor_live && row.successor_hash.as_deref() == Some(successor_hash) {
                return Ok(RefreshOutcome::Replayed(session));
            }
            revoke_session_in(tx, &session.id, "refresh_token_reuse", self.now())?;
            super::logs::audit_in(tx, &crate::store::reuse_audit(&session.id, &session.user_id), t)?;
            let session = find_session(tx, &session.id)?.unwrap_or(session);
            Ok(RefreshOutcome::Reused(session))
        })
    }

    /// A session by id.
    pub fn session(&self, id: &str) -> Result<Option<SessionRow>, StoreError> {
        self.read(|c| find_session(c, id))
    }

    /// Sessions, newest first, optionally of one user and only live ones.
    pub fn list_sessions(
        &self,
        user_id: Option<&str>,
        active_only: bool,
    ) -> Result<Vec<SessionRow>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE (?1 IS NULL OR user_id = ?1) \
                 AND (?2 = 0 OR (revoked_at IS NULL AND expires_at > ?3)) ORDER BY created_at DESC, id LIMIT 1000"
            ))?;
            let rows = stmt
                .query_map(params![user_id, active_only, self.now()], session_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// End a session; its refresh tokens die and its access tokens stop verifying.
    pub fn revoke_session(
        &self,
        id: &str,
        reason: &str,
        audit: Option<&Audit>,
    ) -> Result<SessionRow, StoreError> {
        self.write_audited(audit, |tx| {
            let Some(session) = find_session(tx, id)? else {
                return Err(StoreError::not_found(crate::store::Entity::Session, id));
            };
            revoke_session_in(tx, id, reason, self.now())?;
            Ok(find_session(tx, id)?.unwrap_or(session))
        })
    }

    /// The session a refresh token belongs to, if the token is known and unused.
    pub fn session_of_refresh(&self, hash: &str) -> Result<Option<SessionRow>, StoreError> {
        self.read(|c| {
            let sid: Option<String> = c
                .query_row(
                    "SELECT session_id FROM refresh_tokens WHERE hash = ?1 AND used_at IS NULL",
                    [hash],
                    |r| r.get(0),
                )
                .optional()?;
            match sid {
                Some(sid) => find_session(c, &sid),
                None => Ok(None),
            }
        })
    }

    /// Put an access-token id on the deny-list until it would have expired anyway.
    pub fn revoke_jti(
        &self,
        jti: &str,
        expires_at: i64,
        audit: Option<&Audit>,
    ) -> Result<(), StoreError> {
        self.write_audited(audit, |tx| {
            tx.execute(
                "INSERT OR IGNORE INTO revoked_tokens (jti, expires_at, revoked_at) VALUES (?1, ?2, ?3)",
                params![jti, expires_at, self.now()],
            )?;
            // Expired entries can go: their tokens fail the expiry check on their own.
            tx.execute("DELETE FROM revoked_tokens WHERE expires_at < ?1", [self.now() - 3600])?;
            bump_revision(tx)
        })
    }

    /// Whether an access-token id is on the deny-list.
    pub fn is_jti_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        self.read(|c| {
            Ok(
                c.prepare_cached("SELECT EXISTS(SELECT 1 FROM revoked_tokens WHERE jti = ?1)")?
                    .query_row([jti], |r| r.get(0))?,
            )
        })
    }
}

#[cfg(test)]
mod durability_tests {
    use super::*;

    /// Issue 32 (13): an acknowledged revocation is on disk (the WAL flushed before the
    /// answer), while writes that take nothing away keep `synchronous=NORMAL`.
    #[test]
    fn a_revoking_write_is_flushed_before_its_answer() {
        let dir = tempfile::TempDir::new().unwrap();
        let store = SqliteStore::open(&dir.path().join("w.db"), crate::clock::system()).unwrap();
        let plain = store.durable_commits();
        store
            .write(|tx| {
                tx.execute("INSERT INTO meta (key, value) VALUES ('unrelated', 0)", [])?;
                Ok(())
            })
            .unwrap();
        assert_eq!(store.durable_commits(), plain, "no revocation, no flush");
        store.revoke_jti("jti-1", store.now() + 900, None).unwrap();
        assert_eq!(
            store.durable_commits(),
            plain + 1,
            "the revocation was flushed"
        );
        assert!(store.is_jti_revoked("jti-1").unwrap());
    }
}
