//! The storage seam's trait for PostgreSQL: each operation is a method of [`Postgres`] in
//! the file of its area (users, roles, sessions, ...), as the SQLite back end has them.

use super::*;
use crate::store::rows::{NewPolicyVersion, PolicyVersionRow};
use crate::store::Backend;
use std::collections::BTreeMap;

#[async_trait::async_trait]
impl Backend for Postgres {
    async fn revision(&self) -> Result<i64, StoreError> {
        let conn = self.conn().await?;
        let value: i64 = query_one(&conn, "SELECT value FROM meta WHERE key = 'revision'", &[])
            .await?
            .try_get(0)?;
        self.revision.saw(value);
        Ok(value)
    }

    fn current_revision(&self) -> Result<i64, StoreError> {
        // Fail closed while the notification connection is down (see `listener`).
        if !self.revision.live.load(Ordering::Acquire) {
            return Err(StoreError::Unavailable);
        }
        Ok(self.revision.known.load(Ordering::Acquire))
    }

    async fn confirmed_revision(&self) -> Result<i64, StoreError> {
        // One read of the `meta` key (its primary key), on a pooled connection: not
        // dependent on the listener, so it holds even while notifications are late or lost.
        Backend::revision(self).await
    }

    async fn secret(&self, name: &str, fresh: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        Postgres::secret(self, name, fresh).await
    }

    async fn replace_secret(&self, name: &str, value: Vec<u8>) -> Result<(), StoreError> {
        Postgres::replace_secret(self, name, value).await
    }

    async fn audit(&self, audit: &Audit) -> Result<(), StoreError> {
        Postgres::audit(self, audit).await
    }

    async fn create_user(
        &self,
        user: &NewUser,
        audit: Option<&Audit>,
    ) -> Result<UserRow, StoreError> {
        Postgres::create_user(self, user, audit).await
    }

    async fn user(&self, id: &str) -> Result<UserRow, StoreError> {
        Postgres::user(self, id).await
    }

    async fn user_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<(UserRow, Option<String>)>, StoreError> {
        Postgres::user_by_email(self, email).await
    }

    async fn list_users(
        &self,
        filter: Option<&SearchText>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<UserRow>, StoreError> {
        Postgres::list_users(self, filter, limit, offset).await
    }

    async fn list_users_after(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UserRow>, StoreError> {
        Postgres::list_users_after(self, after, limit).await
    }

    async fn set_user_roles(
        &self,
        id: &str,
        roles: &[RoleName],
        change: Change<'_>,
    ) -> Result<UserRow, StoreError> {
        Postgres::set_user_roles(self, id, roles, change).await
    }

    async fn reset_password(
        &self,
        id: &str,
        hash: &str,
        audit: Option<&Audit>,
    ) -> Result<usize, StoreError> {
        Postgres::reset_password(self, id, hash, audit).await
    }

    async fn change_own_password(
        &self,
        id: &str,
        hash: &str,
        keep: &str,
        audit: Option<&Audit>,
    ) -> Result<usize, StoreError> {
        Postgres::change_own_password(self, id, hash, keep, audit).await
    }

    async fn password_hash(&self, id: &str) -> Result<Option<String>, StoreError> {
        Postgres::password_hash(self, id).await
    }

    async fn update_user(
        &self,
        id: &str,
        email: Option<&Email>,
        name: Option<&UserName>,
        disabled: Option<bool>,
        change: Change<'_>,
    ) -> Result<UserRow, StoreError> {
        Postgres::update_user(self, id, email, name, disabled, change).await
    }

    async fn delete_user(&self, id: &str, change: Change<'_>) -> Result<(), StoreError> {
        Postgres::delete_user(self, id, change).await
    }

    async fn revoke_user_tokens(&self, id: &str, audit: Option<&Audit>) -> Result<(), StoreError> {
        Postgres::revoke_user_tokens(self, id, audit).await
    }

    async fn count_users(&self) -> Result<i64, StoreError> {
        Postgres::count_users(self).await
    }

    async fn create_role(
        &self,
        name: &RoleName,
        parents: &[RoleName],
        audit: Option<&Audit>,
    ) -> Result<RoleRow, StoreError> {
        Postgres::create_role(self, name, parents, audit).await
    }

    async fn set_role_parents(
        &self,
        name: &RoleName,
        parents: &[RoleName],
        change: Change<'_>,
    ) -> Result<RoleRow, StoreError> {
        Postgres::set_role_parents(self, name, parents, change).await
    }

    async fn remove_role(
        &self,
        name: &str,
        force: bool,
        change: Change<'_>,
    ) -> Result<(), StoreError> {
        Postgres::remove_role(self, name, force, change).await
    }

    async fn list_roles(&self) -> Result<Vec<RoleRow>, StoreError> {
        Postgres::list_roles(self).await
    }

    async fn role(&self, name: &str) -> Result<RoleRow, StoreError> {
        Postgres::role(self, name).await
    }

    async fn role_graph(&self) -> Result<BTreeMap<String, Vec<String>>, StoreError> {
        Postgres::role_graph(self).await
    }

    async fn create_session(
        &self,
        user_id: &str,
        refresh_hash: &str,
        absolute_secs: i64,
    ) -> Result<SessionRow, StoreError> {
        Postgres::create_session(self, user_id, refresh_hash, absolute_secs).await
    }

    async fn rotate_refresh(
        &self,
        presented_hash: &str,
        successor_hash: &str,
        limits: RefreshLimits,
    ) -> Result<RefreshOutcome, StoreError> {
        Postgres::rotate_refresh(self, presented_hash, successor_hash, limits).await
    }

    async fn session(&self, id: &str) -> Result<Option<SessionRow>, StoreError> {
        Postgres::session(self, id).await
    }

    async fn list_sessions(
        &self,
        user_id: Option<&str>,
        active_only: bool,
    ) -> Result<Vec<SessionRow>, StoreError> {
        Postgres::list_sessions(self, user_id, active_only).await
    }

    async fn revoke_session(
        &self,
        id: &str,
        reason: &str,
        audit: Option<&Audit>,
    ) -> Result<SessionRow, StoreError> {
        Postgres::revoke_session(self, id, reason, audit).await
    }

    async fn session_of_refresh(&self, hash: &str) -> Result<Option<SessionRow>, StoreError> {
        Postgres::session_of_refresh(self, hash).await
    }

    async fn revoke_jti(
        &self,
        jti: &str,
        expires_at: i64,
        audit: Option<&Audit>,
    ) -> Result<(), StoreError> {
        Postgres::revoke_jti(self, jti, expires_at, audit).await
    }

    async fn is_jti_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        Postgres::is_jti_revoked(self, jti).await
    }

    async fn create_client(
        &self,
        name: &str,
        audit: Option<&Audit>,
    ) -> Result<(ClientRow, String), StoreError> {
        Postgres::create_client(self, name, audit).await
    }

    async fn client(&self, id: &str) -> Result<ClientRow, StoreError> {
        Postgres::client(self, id).await
    }

    async fn list_clients(&self) -> Result<Vec<ClientRow>, StoreError> {
        Postgres::list_clients(self).await
    }

    async fn revoke_client(
        &self,
        id: &str,
        audit: Option<&Audit>,
    ) -> Result<ClientRow, StoreError> {
        Postgres::revoke_client(self, id, audit).await
    }

    async fn client_by_key(&self, key: &str) -> Result<Option<ClientRow>, StoreError> {
        Postgres::client_by_key(self, key).await
    }

    async fn keys(&self) -> Result<Vec<KeyRow>, StoreError> {
        Postgres::keys(self).await
    }

    async fn add_key(
        &self,
        kid: &str,
        alg: &str,
        private_der: &[u8],
        public_raw: &[u8],
        audit: Option<&Audit>,
    ) -> Result<(), StoreError> {
        Postgres::add_key(self, kid, alg, private_der, public_raw, audit).await
    }

    async fn list_audit(
        &self,
        actor: Option<&str>,
        action: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        Postgres::list_audit(self, actor, action, limit).await
    }

    async fn append_decisions(&self, rows: &[DecisionRow], retain: i64) -> Result<(), StoreError> {
        Postgres::append_decisions(self, rows, retain).await
    }

    async fn query_decisions(&self, f: &DecisionFilter) -> Result<Vec<DecisionRow>, StoreError> {
        Postgres::query_decisions(self, f).await
    }

    async fn decision_stats(&self, since: i64) -> Result<DecisionStats, StoreError> {
        Postgres::decision_stats(self, since).await
    }

    async fn reserve_login(
        &self,
        keys: &[ThrottleKey],
        window_ms: i64,
        now_ms: i64,
    ) -> Result<Reservation, StoreError> {
        Postgres::reserve_login(self, keys, window_ms, now_ms).await
    }

    async fn login_succeeded(&self, keys: &[ThrottleKey]) -> Result<(), StoreError> {
        Postgres::login_succeeded(self, keys).await
    }

    async fn refund_login(&self, keys: &[ThrottleKey]) -> Result<(), StoreError> {
        Postgres::refund_login(self, keys).await
    }

    async fn unlock_account(
        &self,
        email: &str,
        audit: Option<&Audit>,
    ) -> Result<usize, StoreError> {
        Postgres::unlock_account(self, email, audit).await
    }

    async fn account_failures(
        &self,
        email: &str,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        Postgres::account_failures(self, email, window_ms, now_ms).await
    }

    async fn user_by_identity(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<UserRow>, StoreError> {
        super::identities::user_by_identity(self, issuer, subject).await
    }

    async fn list_identities(&self, user_id: &str) -> Result<Vec<IdentityRow>, StoreError> {
        super::identities::list(self, user_id).await
    }

    async fn link_identity(
        &self,
        user_id: &str,
        issuer: &str,
        subject: &str,
        audit: Option<&Audit>,
    ) -> Result<IdentityRow, StoreError> {
        super::identities::link(self, user_id, issuer, subject, audit).await
    }

    async fn unlink_identity(
        &self,
        user_id: &str,
        issuer: &str,
        subject: &str,
        audit: Option<&Audit>,
    ) -> Result<IdentityRow, StoreError> {
        super::identities::unlink(self, user_id, issuer, subject, audit).await
    }

    async fn create_linked_user(
        &self,
        user: &NewUser,
        issuer: &str,
        subject: &str,
        audit: Option<&Audit>,
    ) -> Result<UserRow, StoreError> {
        super::identities::create_linked_user(self, user, issuer, subject, audit).await
    }

    async fn consume_exchanged_token(
        &self,
        issuer: &str,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<bool, StoreError> {
        super::identities::consume_exchanged_token(self, issuer, token_hash, expires_at).await
    }

    async fn heartbeat(&self, r: &ReplicaRow) -> Result<(), StoreError> {
        Postgres::heartbeat(self, r).await
    }

    async fn list_replicas(&self, seen_since: i64) -> Result<Vec<ReplicaRow>, StoreError> {
        Postgres::list_replicas(self, seen_since).await
    }

    async fn forget_replica(&self, id: &str) -> Result<(), StoreError> {
        Postgres::forget_replica(self, id).await
    }

    async fn publish_policy_version(
        &self,
        new: &NewPolicyVersion,
        expected_active: Option<i64>,
        audit: Option<&Audit>,
    ) -> Result<i64, StoreError> {
        Postgres::publish_policy_version(self, new, expected_active, audit).await
    }

    async fn list_policy_versions(&self) -> Result<Vec<PolicyVersionRow>, StoreError> {
        Postgres::list_policy_versions(self).await
    }

    async fn policy_version_files(
        &self,
        version: i64,
    ) -> Result<(PolicyVersionRow, crate::publishing::PolicyFiles), StoreError> {
        Postgres::policy_version_files(self, version).await
    }

    async fn active_policy_version(&self) -> Result<Option<i64>, StoreError> {
        Postgres::active_policy_version(self).await
    }

    async fn any_user_passes(&self, rule: &AdminRule) -> Result<bool, StoreError> {
        Postgres::any_user_passes(self, rule).await
    }
}
