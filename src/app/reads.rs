//! What the server's edges read: readiness, the role graph, logs, replicas.

use super::*;

impl App {
    /// Whether the store answers (readiness).
    pub async fn store_ready(&self) -> bool {
        self.store.revision().await.is_ok()
    }

    /// The role hierarchy: each role's direct parents.
    pub async fn role_graph(
        &self,
    ) -> Result<std::collections::BTreeMap<String, Vec<String>>, AppError> {
        Ok(self.store.role_graph().await?)
    }

    /// Up to `limit` users with an id after `after` (keyset paging, for scans).
    pub async fn users_after(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UserRow>, AppError> {
        Ok(self.store.list_users_after(after, limit).await?)
    }

    /// Write a batch of logged decisions, keeping the newest `retain`.
    pub async fn append_decisions(
        &self,
        rows: &[DecisionRow],
        retain: i64,
    ) -> Result<(), AppError> {
        Ok(self.store.append_decisions(rows, retain).await?)
    }

    /// Pick up signing keys rotated by another process.
    pub async fn reload_keys(&self) -> Result<(), AppError> {
        if let Some(tokens) = &self.tokens {
            tokens.reload_keys(&self.store).await?;
        }
        Ok(())
    }

    /// Audit rows, newest first.
    /// The replicas heard from in the last [`REPLICA_SILENCE_SECS`], flagged where their
    /// policies differ from the others'.
    pub async fn replicas(&self) -> Result<Vec<ReplicaStatus>, AppError> {
        let since = self.store.now() - REPLICA_SILENCE_SECS;
        // The active version is only known where versions are published (store mode).
        let active = self.store.active_policy_version().await.ok().flatten();
        Ok(flag_policy_differences_at(
            self.store.list_replicas(since).await?,
            active,
        ))
    }

    /// Forget the server `id`'s heartbeat: it stopped gracefully, so `warden replicas`, the
    /// console and `warden db copy` no longer count it as running (issue 32: a replica
    /// stopped with SIGTERM was listed for another 30 s).
    pub async fn forget_replica(&self, id: &str) -> Result<(), AppError> {
        Ok(self.store.forget_replica(id).await?)
    }

    /// Record this server's heartbeat (see [`HEARTBEAT_PERIOD`]).
    /// Record that the server `id` at `address`, up since `started_at`, serves the policies
    /// hashed `policy_hash`, as of now.
    pub async fn heartbeat(
        &self,
        id: &str,
        address: &str,
        started_at: i64,
        policy_hash: String,
    ) -> Result<(), AppError> {
        let replica = ReplicaRow {
            id: id.to_owned(),
            address: address.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at,
            policy_hash,
            seen_at: self.store.now(),
            policy_version: None,
            policy_error: None,
        };
        Ok(self.store.heartbeat(&replica).await?)
    }

    pub async fn list_audit(
        &self,
        actor: Option<&str>,
        action: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, AppError> {
        Ok(self
            .store
            .list_audit(actor, action, limit.clamp(1, 1000))
            .await?)
    }

    /// Logged decisions matching `filter`, newest first.
    pub async fn decisions(&self, filter: DecisionFilter) -> Result<Vec<DecisionRow>, AppError> {
        Ok(self.store.query_decisions(&filter).await?)
    }

    /// Decision counts over the last `window` seconds.
    pub async fn decision_stats(&self, window: i64) -> Result<DecisionStats, AppError> {
        let since = self.store.now() - window.max(1);
        Ok(self.store.decision_stats(since).await?)
    }
}
