//! Sign-in throttle counters, kept in the database.
//!
//! Why in the store and not in memory: counters in one process's memory let two servers on
//! one database each allow the full number of guesses, and a `kill -9` + restart reset them.
//! Why check-and-count is one step: if "blocked?" is asked before a failure is counted, N
//! concurrent guesses all see "not blocked" and all get a password check (50 concurrent wrong
//! passwords made 50 checks against a limit of 5). [`Store::reserve_login`] counts the attempt
//! as a failure *before* the password is checked, in one immediate transaction, so at most
//! `limit` attempts per window ever reach the (slow) hash; a success gives the attempt back.

use super::{Audit, SqliteStore, StoreError};
use crate::store::rows::{Reservation, ThrottleKey};
use rusqlite::{params, OptionalExtension};

impl SqliteStore {
    /// Charge one attempt to every key, unless one of them is already at its limit, in which
    /// case nothing is charged and the longest wait is returned. Windows are fixed: a key's
    /// window starts at its first failure and lasts `window_ms`.
    pub fn reserve_login(
        &self,
        keys: &[ThrottleKey],
        window_ms: i64,
        now_ms: i64,
    ) -> Result<Reservation, StoreError> {
        self.write(|tx| {
            // Forget windows that ended (bounded work: the index on window_start).
            tx.execute(
                "DELETE FROM login_throttle WHERE window_start_ms <= ?1",
                [now_ms - window_ms],
            )?;
            let mut wait_ms: i64 = 0;
            for key in keys {
                let row: Option<(i64, i64)> = tx
                    .prepare_cached(
                        "SELECT failures, window_start_ms FROM login_throttle WHERE scope = ?1 AND account = ?2 AND address = ?3",
                    )?
                    .query_row(params![key.scope, key.account, key.address], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()?;
                if let Some((failures, start)) = row {
                    let ends = start + window_ms;
                    if now_ms < ends && failures >= i64::from(key.limit) {
                        wait_ms = wait_ms.max(ends - now_ms);
                    }
                }
            }
            if wait_ms > 0 {
                // Round up: a client that waits exactly Retry-After seconds must get through.
                let secs = (wait_ms + 999) / 1000;
                return Ok(Reservation::Blocked {
                    retry_after_secs: secs.max(1) as u64,
                });
            }
            for key in keys {
                tx.prepare_cached(
                    "INSERT INTO login_throttle (scope, account, address, failures, window_start_ms) VALUES (?1, ?2, ?3, 1, ?4)
                     ON CONFLICT (scope, account, address) DO UPDATE SET failures = failures + 1",
                )?
                .execute(params![key.scope, key.account, key.address, now_ms])?;
            }
            Ok(Reservation::Granted)
        })
    }

    /// A reserved attempt succeeded: the account's counters are cleared (the owner proved
    /// the password) and the address gets its one attempt back.
    pub fn login_succeeded(&self, keys: &[ThrottleKey]) -> Result<(), StoreError> {
        self.write(|tx| {
            for key in keys {
                if key.scope == "address" {
                    tx.execute(
                        "UPDATE login_throttle SET failures = MAX(failures - 1, 0) WHERE scope = ?1 AND account = ?2 AND address = ?3",
                        params![key.scope, key.account, key.address],
                    )?;
                } else {
                    tx.execute(
                        "DELETE FROM login_throttle WHERE scope = ?1 AND account = ?2 AND address = ?3",
                        params![key.scope, key.account, key.address],
                    )?;
                }
            }
            Ok(())
        })
    }

    /// A reserved attempt was not checked after all (the hashing gate was full): give it
    /// back to every key.
    pub fn refund_login(&self, keys: &[ThrottleKey]) -> Result<(), StoreError> {
        self.write(|tx| {
            for key in keys {
                tx.execute(
                    "UPDATE login_throttle SET failures = MAX(failures - 1, 0) WHERE scope = ?1 AND account = ?2 AND address = ?3",
                    params![key.scope, key.account, key.address],
                )?;
            }
            Ok(())
        })
    }

    /// Forget every counter of an account (`warden user unlock`, a password reset).
    /// Returns how many counters were dropped.
    pub fn unlock_account(&self, email: &str, audit: Option<&Audit>) -> Result<usize, StoreError> {
        self.write_audited(audit, |tx| unlock_in(tx, email))
    }

    /// How many failures are counted against an account right now (all addresses).
    pub fn account_failures(
        &self,
        email: &str,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT COALESCE(MAX(failures), 0) FROM login_throttle WHERE scope = 'account' AND account = ?1 AND window_start_ms > ?2",
                params![crate::model::email_key(email), now_ms - window_ms],
                |r| r.get(0),
            )?)
        })
    }
}

/// Drop every throttle counter of an account, inside a transaction.
pub(crate) fn unlock_in(tx: &rusqlite::Connection, email: &str) -> Result<usize, StoreError> {
    Ok(tx.execute(
        "DELETE FROM login_throttle WHERE account = ?1",
        [crate::model::email_key(email)],
    )?)
}
