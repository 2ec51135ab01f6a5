//! Sessions, their refresh tokens, and revoked access tokens.

use super::*;

const SESSION_COLUMNS: &str =
    "id, user_id, created_at, last_used_at, expires_at, revoked_at, revoked_reason";

fn session_from_row(r: &Row) -> Result<SessionRow, StoreError> {
    Ok(SessionRow {
        id: r.try_get(0)?,
        user_id: r.try_get(1)?,
        created_at: r.try_get(2)?,
        last_used_at: r.try_get(3)?,
        expires_at: r.try_get(4)?,
        revoked_at: r.try_get(5)?,
        revoked_reason: r.try_get(6)?,
    })
}

async fn find_session(c: &impl GenericClient, id: &str) -> Result<Option<SessionRow>, StoreError> {
    query_opt(
        c,
        &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1"),
        &[&id],
    )
    .await?
    .map(|r| session_from_row(&r))
    .transpose()
}

/// End every live session of a user, for `reason`; how many ended.
pub(super) async fn revoke_user_sessions(
    c: &impl GenericClient,
    user_id: &str,
    reason: &str,
    at: i64,
) -> Result<usize, StoreError> {
    Ok(execute(
        c,
        "UPDATE sessions SET revoked_at = $2, revoked_reason = $3 WHERE user_id = $1 AND revoked_at IS NULL",
        &[&user_id, &at, &reason],
    )
    .await? as usize)
}

impl Postgres {
    pub(super) async fn create_session(
        &self,
        user_id: &str,
        refresh_hash: &str,
        absolute_secs: i64,
    ) -> Result<SessionRow, StoreError> {
        let mut conn = self.conn().await?;
        let w = self
            .write(&mut conn, Kind::Quiet, Change::default())
            .await?;
        let tx = w.tx();
        let t = self.now();
        let id = random_id();
        let row = query_one(
            tx,
            &format!("INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at) VALUES ($1, $2, $3, $3, $4) RETURNING {SESSION_COLUMNS}"),
            &[&id, &user_id, &t, &(t + absolute_secs)],
        )
        .await?;
        execute(
            tx,
            "INSERT INTO refresh_tokens (hash, session_id, created_at) VALUES ($1, $2, $3)",
            &[&refresh_hash, &id, &t],
        )
        .await?;
        let row = session_from_row(&row)?;
        w.finish().await?;
        Ok(row)
    }

    /// The concurrency argument: every token of a family belongs to one session, and the
    /// session row is locked (`FOR UPDATE`) before the presented token is read again under
    /// its own lock. So all refreshes of one family, on any replica, run one after the other;
    /// each statement at READ COMMITTED reads what the previous one committed. Of 16 racing
    /// refreshes of one token the first finds it unused and rotates it; every later one finds
    /// it used with its successor live (a replay within the grace window: the same successor)
    /// or not (a reuse: the family is revoked). The lock order (session, then token, then the
    /// revision row at commit) is the order every other writer uses, so no deadlock.
    pub(super) async fn rotate_refresh(
        &self,
        presented_hash: &str,
        successor_hash: &str,
        limits: RefreshLimits,
    ) -> Result<RefreshOutcome, StoreError> {
        let mut conn = self.conn().await?;
        // Quiet unless the session ends (idle, or a reused token): a rotation changes
        // nothing another replica caches.
        let mut w = self
            .write(&mut conn, Kind::Quiet, Change::default())
            .await?;
        let tx = w.tx();
        let t = self.now();
        let Some(family) = query_opt(
            tx,
            "SELECT session_id FROM refresh_tokens WHERE hash = $1",
            &[&presented_hash],
        )
        .await?
        else {
            return Ok(RefreshOutcome::Dead("unknown refresh token"));
        };
        let session_id: String = family.try_get(0)?;
        let Some(session) = query_opt(
            tx,
            &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1 FOR UPDATE"),
            &[&session_id],
        )
        .await?
        .map(|r| session_from_row(&r))
        .transpose()?
        else {
            return Ok(RefreshOutcome::Dead("session not found"));
        };
        let Some(token) = query_opt(
            tx,
            "SELECT used_at, successor_hash FROM refresh_tokens WHERE hash = $1 FOR UPDATE",
            &[&presented_hash],
        )
        .await?
        else {
            return Ok(RefreshOutcome::Dead("unknown refresh token"));
        };
        let used_at: Option<i64> = token.try_get(0)?;
        let recorded_successor: Option<String> = token.try_get(1)?;
        if session.revoked_at.is_some() {
            return Ok(RefreshOutcome::Dead("session revoked"));
        }
        if t >= session.expires_at {
            return Ok(RefreshOutcome::Dead("session expired"));
        }
        if t >= session.last_used_at + limits.idle_secs {
            execute(
                tx,
                "UPDATE sessions SET revoked_at = $2, revoked_reason = 'idle_timeout' WHERE id = $1 AND revoked_at IS NULL",
                &[&session.id, &t],
            )
            .await?;
            w.bump(true);
            w.finish().await?;
            return Ok(RefreshOutcome::Dead("session idle too long"));
        }
        let disabled: bool = query_one(
            tx,
            "SELECT disabled FROM users WHERE id = $1",
            &[&session.user_id],
        )
        .await?
        .try_get(0)?;
        if disabled {
            return Ok(RefreshOutcome::Dead("user disabled"));
        }
        if used_at.is_none() {
            execute(
                tx,
                "UPDATE refresh_tokens SET used_at = $2, successor_hash = $3 WHERE hash = $1",
                &[&presented_hash, &t, &successor_hash],
            )
            .await?;
            execute(
                tx,
                "INSERT INTO refresh_tokens (hash, session_id, created_at) VALUES ($1, $2, $3)",
                &[&successor_hash, &session.id, &t],
            )
            .await?;
            let row = query_one(
                tx,
                &format!("UPDATE sessions SET last_used_at = $2 WHERE id = $1 RETURNING {SESSION_COLUMNS}"),
                &[&session.id, &t],
            )
            .await?;
            let row = session_from_row(&row)?;
            w.finish().await?;
            return Ok(RefreshOutcome::Rotated(row));
        }
        // Already used. Within the grace window, and only if its successor is the live
        // token of the family, this is a browser's concurrent refresh: answer the same
        // successor. Anything else is reuse of a stolen token (OAuth 2.0 Security BCP,
        // RFC 9700 section 4.14.2): revoke the whole family.
        let successor_live: bool = query_one(
            tx,
            "SELECT EXISTS(SELECT 1 FROM refresh_tokens WHERE hash = $1 AND used_at IS NULL)",
            &[&successor_hash],
        )
        .await?
        .try_get(0)?;
        // A grace of 0 turns the window off: every replay is a reuse.
        let within_grace =
            limits.grace_secs > 0 && used_at.is_some_and(|used| t - used <= limits.grace_secs);
        if within_grace && successor_live && recorded_successor.as_deref() == Some(successor_hash) {
            return Ok(RefreshOutcome::Replayed(session));
        }
        let row = query_one(
            tx,
            &format!("UPDATE sessions SET revoked_at = $2, revoked_reason = 'refresh_token_reuse' WHERE id = $1 RETURNING {SESSION_COLUMNS}"),
            &[&session.id, &t],
        )
        .await?;
        let row = session_from_row(&row)?;
        w.record(crate::store::reuse_audit(&session.id, &session.user_id));
        w.bump(true);
        w.finish().await?;
        Ok(RefreshOutcome::Reused(row))
    }

    pub(super) async fn session(&self, id: &str) -> Result<Option<SessionRow>, StoreError> {
        let conn = self.conn().await?;
        find_session(&conn, id).await
    }

    pub(super) async fn list_sessions(
        &self,
        user_id: Option<&str>,
        active_only: bool,
    ) -> Result<Vec<SessionRow>, StoreError> {
        let conn = self.conn().await?;
        let rows = query(
            &conn,
            &format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE ($1::text IS NULL OR user_id = $1) \
                 AND (NOT $2 OR (revoked_at IS NULL AND expires_at > $3)) ORDER BY created_at DESC, id LIMIT 1000"
            ),
            &[&user_id, &active_only, &self.now()],
        )
        .await?;
        rows.iter().map(session_from_row).collect()
    }

    pub(super) async fn revoke_session(
        &self,
        id: &str,
        reason: &str,
        audit: Option<&Audit>,
    ) -> Result<SessionRow, StoreError> {
        let mut conn = self.conn().await?;
        let w = self.write(&mut conn, Kind::Revision, audit.into()).await?;
        let tx = w.tx();
        if find_session(tx, id).await?.is_none() {
            return Err(StoreError::not_found(Entity::Session, id));
        }
        execute(
            tx,
            "UPDATE sessions SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL",
            &[&id, &self.now(), &reason],
        )
        .await?;
        let row = find_session(tx, id)
            .await?
            .ok_or_else(|| StoreError::not_found(Entity::Session, id))?;
        w.finish().await?;
        Ok(row)
    }

    pub(super) async fn session_of_refresh(
        &self,
        hash: &str,
    ) -> Result<Option<SessionRow>, StoreError> {
        let conn = self.conn().await?;
        query_opt(
            &conn,
            &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = (SELECT session_id FROM refresh_tokens WHERE hash = $1 AND used_at IS NULL)"),
            &[&hash],
        )
        .await?
        .map(|r| session_from_row(&r))
        .transpose()
    }

    pub(super) async fn revoke_jti(
        &self,
        jti: &str,
        expires_at: i64,
        audit: Option<&Audit>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let w = self.write(&mut conn, Kind::Revision, audit.into()).await?;
        let tx = w.tx();
        let t = self.now();
        execute(
            tx,
            "INSERT INTO revoked_tokens (jti, expires_at, revoked_at) VALUES ($1, $2, $3) ON CONFLICT (jti) DO NOTHING",
            &[&jti, &expires_at, &t],
        )
        .await?;
        // Expired entries can go: their tokens fail the expiry check on their own. Rows
        // another replica is deleting right now are skipped, not waited for (no deadlock).
        execute(
            tx,
            "DELETE FROM revoked_tokens WHERE jti IN (SELECT jti FROM revoked_tokens WHERE expires_at < $1 FOR UPDATE SKIP LOCKED)",
            &[&(t - 3600)],
        )
        .await?;
        w.finish().await
    }

    pub(super) async fn is_jti_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        let conn = self.conn().await?;
        Ok(query_one(
            &conn,
            "SELECT EXISTS(SELECT 1 FROM revoked_tokens WHERE jti = $1)",
            &[&jti],
        )
        .await?
        .try_get(0)?)
    }
}
