//! Heartbeats of the running replicas (servers on one database).

use super::{SqliteStore, StoreError};
use crate::store::rows::ReplicaRow;
use rusqlite::params;

/// Replicas silent this long are forgotten.
const FORGET_AFTER_SECS: i64 = 3600;

impl SqliteStore {
    /// Record a replica's heartbeat.
    pub fn heartbeat(&self, r: &ReplicaRow) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO replicas (id, address, version, started_at, policy_hash, seen_at, policy_version, policy_error) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (id) DO UPDATE SET address = ?2, version = ?3, started_at = ?4, policy_hash = ?5, seen_at = ?6, \
                 policy_version = ?7, policy_error = ?8",
                params![
                    r.id,
                    r.address,
                    r.version,
                    r.started_at,
                    r.policy_hash,
                    r.seen_at,
                    r.policy_version,
                    r.policy_error
                ],
            )?;
            tx.execute(
                "DELETE FROM replicas WHERE seen_at < ?1",
                [r.seen_at - FORGET_AFTER_SECS],
            )?;
            Ok(())
        })
    }

    /// Forget the replica `id` (it stopped).
    pub fn forget_replica(&self, id: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute("DELETE FROM replicas WHERE id = ?1", [id])?;
            Ok(())
        })
    }

    /// Replicas heard from since `seen_since`.
    pub fn list_replicas(&self, seen_since: i64) -> Result<Vec<ReplicaRow>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT id, address, version, started_at, policy_hash, seen_at, policy_version, policy_error \
                 FROM replicas WHERE seen_at >= ?1 ORDER BY id",
            )?;
            let rows = stmt
                .query_map([seen_since], |r| {
                    Ok(ReplicaRow {
                        id: r.get(0)?,
                        address: r.get(1)?,
                        version: r.get(2)?,
                        started_at: r.get(3)?,
                        policy_hash: r.get(4)?,
                        seen_at: r.get(5)?,
                        policy_version: r.get(6)?,
                        policy_error: r.get(7)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }
}
