//! Replicas' heartbeats.

use super::*;

impl Postgres {
    pub(super) async fn heartbeat(&self, r: &ReplicaRow) -> Result<(), StoreError> {
        // One upsert per replica (its own row): nothing to race with but itself.
        let conn = self.conn().await?;
        execute(
            &conn,
            "INSERT INTO replicas (id, address, version, started_at, policy_hash, seen_at, policy_version, policy_error) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO UPDATE SET address = $2, version = $3, started_at = $4, policy_hash = $5, seen_at = $6, \
             policy_version = $7, policy_error = $8",
            &[
                &r.id,
                &r.address,
                &r.version,
                &r.started_at,
                &r.policy_hash,
                &r.seen_at,
                &r.policy_version,
                &r.policy_error,
            ],
        )
        .await?;
        execute(
            &conn,
            "DELETE FROM replicas WHERE id IN (SELECT id FROM replicas WHERE seen_at < $1 FOR UPDATE SKIP LOCKED)",
            &[&(r.seen_at - 3600)],
        )
        .await?;
        Ok(())
    }

    pub(super) async fn forget_replica(&self, id: &str) -> Result<(), StoreError> {
        let conn = self.conn().await?;
        execute(&conn, "DELETE FROM replicas WHERE id = $1", &[&id]).await?;
        Ok(())
    }

    pub(super) async fn list_replicas(
        &self,
        seen_since: i64,
    ) -> Result<Vec<ReplicaRow>, StoreError> {
        let conn = self.conn().await?;
        let rows = query(
            &conn,
            "SELECT id, address, version, started_at, policy_hash, seen_at, policy_version, policy_error \
             FROM replicas WHERE seen_at >= $1 ORDER BY id",
            &[&seen_since],
        )
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReplicaRow {
                    id: r.try_get(0)?,
                    address: r.try_get(1)?,
                    version: r.try_get(2)?,
                    started_at: r.try_get(3)?,
                    policy_hash: r.try_get(4)?,
                    seen_at: r.try_get(5)?,
                    policy_version: r.try_get(6)?,
                    policy_error: r.try_get(7)?,
                })
            })
            .collect()
    }
}
