//! The sign-in throttle's counters.

use super::*;

/// Forget every sign-in counter of the account `email`.
pub(super) async fn unlock_in(c: &impl GenericClient, email: &str) -> Result<usize, StoreError> {
    Ok(execute(
        c,
        "DELETE FROM login_throttle WHERE account = $1",
        &[&crate::model::email_key(email)],
    )
    .await? as usize)
}

impl Postgres {
    /// The concurrency argument: each key's row is created-or-locked by one `INSERT ... ON
    /// CONFLICT DO UPDATE` (which takes the row lock whether it inserted or not), always in
    /// the caller's key order. While one attempt holds the locks, every other attempt on the
    /// same account or address, on any replica, waits, then reads the count the first one
    /// left. So "is it blocked?" and "count this attempt" are one step, and 50 concurrent
    /// wrong passwords reach the hash at most `limit` times. A blocked attempt rolls back
    /// (nothing charged).
    pub(super) async fn reserve_login(
        &self,
        keys: &[ThrottleKey],
        window_ms: i64,
        now_ms: i64,
    ) -> Result<Reservation, StoreError> {
        let mut conn = self.conn().await?;
        let w = self
            .write(&mut conn, Kind::Quiet, Change::default())
            .await?;
        let tx = w.tx();
        let window_start = now_ms - window_ms;
        let mut counts = Vec::with_capacity(keys.len());
        let mut wait_ms: i64 = 0;
        for key in keys {
            let row = query_one(
                tx,
                "INSERT INTO login_throttle (scope, account, address, failures, window_start_ms) VALUES ($1, $2, $3, 0, $4) \
                 ON CONFLICT (scope, account, address) DO UPDATE SET failures = login_throttle.failures \
                 RETURNING failures, window_start_ms",
                &[&key.scope, &key.account, &key.address, &now_ms],
            )
            .await?;
            let (failures, start): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
            // A window that ended counts as none: the next failure starts a new one.
            let (failures, start) = if start <= window_start {
                (0, now_ms)
            } else {
                (failures, start)
            };
            let ends = start + window_ms;
            if now_ms < ends && failures >= i64::from(key.limit) {
                wait_ms = wait_ms.max(ends - now_ms);
            }
            counts.push((failures, start));
        }
        if wait_ms > 0 {
            // Round up: a client that waits exactly Retry-After seconds must get through.
            let secs = (wait_ms + 999) / 1000;
            return Ok(Reservation::Blocked {
                retry_after_secs: secs.max(1) as u64,
            });
        }
        for (key, (failures, start)) in keys.iter().zip(counts) {
            execute(
                tx,
                "UPDATE login_throttle SET failures = $4, window_start_ms = $5 WHERE scope = $1 AND account = $2 AND address = $3",
                &[&key.scope, &key.account, &key.address, &(failures + 1), &start],
            )
            .await?;
        }
        // Forget windows that ended, skipping rows another attempt holds (no waiting).
        execute(
            tx,
            "DELETE FROM login_throttle WHERE (scope, account, address) IN \
             (SELECT scope, account, address FROM login_throttle WHERE window_start_ms <= $1 FOR UPDATE SKIP LOCKED)",
            &[&window_start],
        )
        .await?;
        w.finish().await?;
        Ok(Reservation::Granted)
    }

    pub(super) async fn login_succeeded(&self, keys: &[ThrottleKey]) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let w = self
            .write(&mut conn, Kind::Quiet, Change::default())
            .await?;
        let tx = w.tx();
        for key in keys {
            let sql = if key.scope == "address" {
                "UPDATE login_throttle SET failures = GREATEST(failures - 1, 0) WHERE scope = $1 AND account = $2 AND address = $3"
            } else {
                "DELETE FROM login_throttle WHERE scope = $1 AND account = $2 AND address = $3"
            };
            execute(tx, sql, &[&key.scope, &key.account, &key.address]).await?;
        }
        w.finish().await
    }

    pub(super) async fn refund_login(&self, keys: &[ThrottleKey]) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let w = self
            .write(&mut conn, Kind::Quiet, Change::default())
            .await?;
        let tx = w.tx();
        for key in keys {
            execute(
                tx,
                "UPDATE login_throttle SET failures = GREATEST(failures - 1, 0) WHERE scope = $1 AND account = $2 AND address = $3",
                &[&key.scope, &key.account, &key.address],
            )
            .await?;
        }
        w.finish().await
    }

    pub(super) async fn unlock_account(
        &self,
        email: &str,
        audit: Option<&Audit>,
    ) -> Result<usize, StoreError> {
        let mut conn = self.conn().await?;
        let w = self.write(&mut conn, Kind::Quiet, audit.into()).await?;
        let tx = w.tx();
        let n = unlock_in(tx, email).await?;
        w.finish().await?;
        Ok(n)
    }

    pub(super) async fn account_failures(
        &self,
        email: &str,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let conn = self.conn().await?;
        Ok(query_one(
            &conn,
            "SELECT COALESCE(MAX(failures), 0) FROM login_throttle WHERE scope = 'account' AND account = $1 AND window_start_ms > $2",
            &[&crate::model::email_key(email), &(now_ms - window_ms)],
        )
        .await?
        .try_get(0)?)
    }
}
