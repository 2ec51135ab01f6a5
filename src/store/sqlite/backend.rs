//! The storage seam's trait for SQLite: every call runs on the blocking pool, a bounded
//! number at a time, through [`Sqlite::run`]; each operation is a method of
//! [`SqliteStore`] in the file of its area (users, roles, sessions, ...).

use super::*;

/// The SQLite back end: a [`SqliteStore`] whose every call runs on tokio's blocking pool,
/// never on an async worker (a busy database can hold a call for its 5 s busy timeout).
pub(crate) struct Sqlite {
    db: Arc<SqliteStore>,
    turns: tokio::sync::Semaphore,
}

impl Sqlite {
    pub(crate) fn new(db: SqliteStore) -> Sqlite {
        Sqlite {
            db: Arc::new(db),
            turns: tokio::sync::Semaphore::new(MAX_CONCURRENT_CALLS),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        call: impl FnOnce(&SqliteStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let _turn = self
            .turns
            .acquire()
            .await
            .map_err(|_| StoreError::Unavailable)?;
        let db = self.db.clone();
        match tokio::task::spawn_blocking(move || call(&db)).await {
            Ok(result) => result,
            Err(e) => {
                tracing::error!(error = %e, "a database call was lost");
                crate::alarm::raise("store_call_lost", &e);
                Err(StoreError::Unavailable)
            }
        }
    }
}

#[async_trait::async_trait]
impl Backend for Sqlite {
    async fn revision(&self) -> Result<i64, StoreError> {
        self.run(|db| db.revision()).await
    }

    fn current_revision(&self) -> Result<i64, StoreError> {
        // Inline on the caller's thread: no SQL unless something committed (see
        // `RevisionWatch`), so no hand-off to the blocking pool.
        self.db.current_revision()
    }

    async fn confirmed_revision(&self) -> Result<i64, StoreError> {
        // Exact already (see `RevisionWatch`): no read to add.
        self.db.current_revision()
    }

    async fn secret(&self, name: &str, fresh: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        let name = name.to_owned();
        self.run(move |db| db.secret(&name, fresh)).await
    }

    async fn replace_secret(&self, name: &str, value: Vec<u8>) -> Result<(), StoreError> {
        let name = name.to_owned();
        self.run(move |db| {
            db.write(|tx| {
                tx.execute(
                    "INSERT INTO secrets (name, value) VALUES (?1, ?2) \
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    rusqlite::params![name, value],
                )?;
                Ok(())
            })
        })
        .await
    }

    async fn audit(&self, audit: &Audit) -> Result<(), StoreError> {
        let audit = audit.clone();
        self.run(move |db| db.audit(&audit)).await
    }

    async fn create_user(
        &self,
        user: &NewUser,
        audit: Option<&Audit>,
    ) -> Result<UserRow, StoreError> {
        let user = user.clone();
        let audit = audit.cloned();
        self.run(move |db| db.create_user(&user, audit.as_ref()))
            .await
    }

    async fn user(&self, id: &str) -> Result<UserRow, StoreError> {
        let id = id.to_owned();
        self.run(move |db| db.user(&id)).await
    }

    async fn user_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<(UserRow, Option<String>)>, StoreError> {
        let email = email.key();
        self.run(move |db| db.user_by_email(&email)).await
    }

    async fn list_users(
        &self,
        filter: Option<&SearchText>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<UserRow>, StoreError> {
        let filter = filter.cloned();
        self.run(move |db| db.list_users(filter.as_ref(), limit, offset))
            .await
    }

    async fn list_users_after(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UserRow>, StoreError> {
        let after = after.map(str::to_owned);
        self.run(move |db| db.list_users_after(after.as_deref(), limit))
            .await
    }

    async fn set_user_roles(
        &self,
        id: &str,
        roles: &[RoleName],
        change: Change<'_>,
    ) -> Result<UserRow, StoreError> {
        let id = id.to_owned();
        let roles = roles.to_vec();
        let change = change.to_owned();
        self.run(move |db| db.set_user_roles(&id, &roles, change.as_change()))
            .await
    }

    async fn reset_password(
        &self,
        id: &str,
        hash: &str,
        audit: Option<&Audit>,
    ) -> Result<usize, StoreError> {
        let id = id.to_owned();
        let hash = hash.to_owned();
        let audit = audit.cloned();
        self.run(move |db| db.reset_password(&id, &hash, audit.as_ref()))
            .await
    }

    async fn change_own_password(
        &self,
        id: &str,
        hash: &str,
        keep: &str,
        audit: Option<&Audit>,
    ) -> Result<usize, StoreError> {
        let id = id.to_owned();
        let hash = hash.to_owned();
        let keep = keep.to_owned();
        let audit = audit.cloned();
        self.run(move |db| db.change_own_password(&id, &hash, &keep, audit.as_ref()))
            .await
    }

    async fn password_hash(&self, id: &str) -> Result<Option<String>, StoreError> {
        let id = id.to_owned();
        self.run(move |db| db.password_hash(&id)).await
    }

    async fn update_user(
        &self,
        id: &str,
        email: Option<&Email>,
        name: Option<&UserName>,
        disabled: Option<bool>,
        change: Change<'_>,
    ) -> Result<UserRow, StoreError> {
        let id = id.to_owned();
        let email = email.cloned();
        let name = name.cloned();
        let change = change.to_owned();
        self.run(move |db| {
            db.update_user(
                &id,
                email.as_ref(),
                name.as_ref(),
                disabled,
                change.as_change(),
            )
        })
        .await
    }

    async fn delete_user(&self, id: &str, change: Change<'_>) -> Result<(), StoreError> {
        let id = id.to_owned();
        let change = change.to_owned();
        self.run(move |db| db.delete_user(&id, change.as_change()))
            .await
    }

    async fn revoke_user_tokens(&self, id: &str, audit: Option<&Audit>) -> Result<(), StoreError> {
        let id = id.to_owned();
        let audit = audit.cloned();
        self.run(move |db| db.revoke_user_tokens(&id, audit.as_ref()))
            .await
    }

    async fn count_users(&self) -> Result<i64, StoreError> {
        self.run(move |db| db.count_users()).await
    }

    async fn create_role(
        &self,
        name: &RoleName,
        parents: &[RoleName],
        audit: Option<&Audit>,
    ) -> Result<RoleRow, StoreError> {
        let name = name.clone();
        let parents = parents.to_vec();
        let audit = audit.cloned();
        self.run(move |db| db.create_role(&name, &parents, audit.as_ref()))
            .await
    }

    async fn set_role_parents(
        &self,
        name: &RoleName,
        parents: &[RoleName],
        change: Change<'_>,
    ) -> Result<RoleRow, StoreError> {
        let name = name.clone();
        let parents = parents.to_vec();
        let change = change.to_owned();
        self.run(move |db| db.set_role_parents(&name, &parents, change.as_change()))
            .await
    }

    async fn remove_role(
        &self,
        name: &str,
        force: bool,
        change: Change<'_>,
    ) -> Result<(), StoreError> {
        let name = name.to_owned();
        let change = change.to_owned();
        self.run(move |db| db.remove_role(&name, force, change.as_change()))
            .await
    }

    async fn list_roles(&self) -> Result<Vec<RoleRow>, StoreError> {
        self.run(move |db| db.list_roles()).await
    }

    async fn role(&self, name: &str) -> Result<RoleRow, StoreError> {
        let name = name.to_owned();
        self.run(move |db| db.role(&name)).await
    }

    async fn role_graph(&self) -> Result<BTreeMap<String, Vec<String>>, StoreError> {
        self.run(move |db| db.role_graph()).await
    }

    async fn create_session(
        &self,
        user_id: &str,
        refresh_hash: &str,
        absolute_secs: i64,
    ) -> Result<SessionRow, StoreError> {
        let user_id = user_id.to_owned();
        let refresh_hash = refresh_hash.to_owned();
        self.run(move |db| db.create_session(&user_id, &refresh_hash, absolute_secs))
            .await
    }

    async fn rotate_refresh(
        &self,
        presented_hash: &str,
        successor_hash: &str,
        limits: RefreshLimits,
    ) -> Result<RefreshOutcome, StoreError> {
        let presented_hash = presented_hash.to_owned();
        let successor_hash = successor_hash.to_owned();
        self.run(move |db| db.rotate_refresh(&presented_hash, &successor_hash, limits))
            .await
    }

    async fn session(&self, id: &str) -> Result<Option<SessionRow>, StoreError> {
        let id = id.to_owned();
        self.run(move |db| db.session(&id)).await
    }

    async fn list_sessions(
        &self,
        user_id: Option<&str>,
        active_only: bool,
    ) -> Result<Vec<SessionRow>, StoreError> {
        let user_id = user_id.map(str::to_owned);
        self.run(move |db| db.list_sessions(user_id.as_deref(), active_only))
            .await
    }

    async fn revoke_session(
        &self,
        id: &str,
        reason: &str,
        audit: Option<&Audit>,
    ) -> Result<SessionRow, StoreError> {
        let id = id.to_owned();
        let reason = reason.to_owned();
        let audit = audit.cloned();
        self.run(move |db| db.revoke_session(&id, &reason, audit.as_ref()))
            .await
    }

    async fn session_of_refresh(&self, hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let hash = hash.to_owned();
        self.run(move |db| db.session_of_refresh(&hash)).await
    }

    async fn revoke_jti(
        &self,
        jti: &str,
        expires_at: i64,
        audit: Option<&Audit>,
    ) -> Result<(), StoreError> {
        let jti = jti.to_owned();
        let audit = audit.cloned();
        self.run(move |db| db.revoke_jti(&jti, expires_at, audit.as_ref()))
            .await
    }

    async fn is_jti_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        let jti = jti.to_owned();
        self.run(move |db| db.is_jti_revoked(&jti)).await
    }

    async fn create_client(
        &self,
        name: &str,
        audit: Option<&Audit>,
    ) -> Result<(ClientRow, String), StoreError> {
        let name = name.to_owned();
        let audit = audit.cloned();
        self.run(move |db| db.create_client(&name, audit.as_ref()))
            .await
    }

    async fn client(&self, id: &str) -> Result<ClientRow, StoreError> {
        let id = id.to_owned();
        self.run(move |db| db.client(&id)).await
    }

    async fn list_clients(&self) -> Result<Vec<ClientRow>, StoreError> {
        self.run(move |db| db.list_clients()).await
    }

    async fn revoke_client(
        &self,
        id: &str,
        audit: Option<&Audit>,
    ) -> Result<ClientRow, StoreError> {
        let id = id.to_owned();
        let audit = audit.cloned();
        self.run(move |db| db.revoke_client(&id, audit.as_ref()))
            .await
    }

    async fn client_by_key(&self, key: &str) -> Result<Option<ClientRow>, StoreError> {
        let key = key.to_owned();
        self.run(move |db| db.client_by_key(&key)).await
    }

    async fn keys(&self) -> Result<Vec<KeyRow>, StoreError> {
        self.run(move |db| db.keys()).await
    }

    async fn add_key(
        &self,
        kid: &str,
        alg: &str,
        private_der: &[u8],
        public_raw: &[u8],
        audit: Option<&Audit>,
    ) -> Result<(), StoreError> {
        let kid = kid.to_owned();
        let alg = alg.to_owned();
        let private_der = private_der.to_vec();
        let public_raw = public_raw.to_vec();
        let audit = audit.cloned();
        self.run(move |db| db.add_key(&kid, &alg, &private_der, &public_raw, audit.as_ref()))
            .await
    }

    async fn list_audit(
        &self,
        actor: Option<&str>,
        action: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let actor = actor.map(str::to_owned);
        let action = action.map(str::to_owned);
        self.run(move |db| db.list_audit(actor.as_deref(), action.as_deref(), limit))
            .await
    }

    async fn append_decisions(&self, rows: &[DecisionRow], retain: i64) -> Result<(), StoreError> {
        let rows = rows.to_vec();
        self.run(move |db| db.append_decisions(&rows, retain)).await
    }

    async fn query_decisions(&self, f: &DecisionFilter) -> Result<Vec<DecisionRow>, StoreError> {
        let f = f.clone();
        self.run(move |db| db.query_decisions(&f)).await
    }

    async fn decision_stats(&self, since: i64) -> Result<DecisionStats, StoreError> {
        self.run(move |db| db.decision_stats(since)).await
    }

    async fn reserve_login(
        &self,
        keys: &[ThrottleKey],
        window_ms: i64,
        now_ms: i64,
    ) -> Result<Reservation, StoreError> {
        let keys = keys.to_vec();
        self.run(move |db| db.reserve_login(&keys, window_ms, now_ms))
            .await
    }

    async fn login_succeeded(&self, keys: &[ThrottleKey]) -> Result<(), StoreError> {
        let keys = keys.to_vec();
        self.run(move |db| db.login_succeeded(&keys)).await
    }

    async fn refund_login(&self, keys: &[ThrottleKey]) -> Result<(), StoreError> {
        let keys = keys.to_vec();
        self.run(move |db| db.refund_login(&keys)).await
    }

    async fn unlock_account(
        &self,
        email: &str,
        audit: Option<&Audit>,
    ) -> Result<usize, StoreError> {
        let email = email.to_owned();
        let audit = audit.cloned();
        self.run(move |db| db.unlock_account(&email, audit.as_ref()))
            .await
    }

    async fn account_failures(
        &self,
        email: &str,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let email = email.to_owned();
        self.run(move |db| db.account_failures(&email, window_ms, now_ms))
            .await
    }

    async fn user_by_identity(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<UserRow>, StoreError> {
        let (issuer, subject) = (issuer.to_owned(), subject.to_owned());
        self.run(move |db| db.user_by_identity(&issuer, &subject))
            .await
    }

    async fn list_identities(&self, user_id: &str) -> Result<Vec<IdentityRow>, StoreError> {
        let user_id = user_id.to_owned();
        self.run(move |db| db.list_identities(&user_id)).await
    }

    async fn link_identity(
        &self,
        user_id: &str,
        issuer: &str,
        subject: &str,
        audit: Option<&Audit>,
    ) -> Result<IdentityRow, StoreError> {
        let (user_id, issuer, subject) =
            (user_id.to_owned(), issuer.to_owned(), subject.to_owned());
        let audit = audit.cloned();
        self.run(move |db| db.link_identity(&user_id, &issuer, &subject, audit.as_ref()))
            .await
    }

    async fn unlink_identity(
        &self,
        user_id: &str,
        issuer: &str,
        subject: &str,
        audit: Option<&Audit>,
    ) -> Result<IdentityRow, StoreError> {
        let (user_id, issuer, subject) =
            (user_id.to_owned(), issuer.to_owned(), subject.to_owned());
        let audit = audit.cloned();
        self.run(move |db| db.unlink_identity(&user_id, &issuer, &subject, audit.as_ref()))
            .await
    }

    async fn create_linked_user(
        &self,
        user: &NewUser,
        issuer: &str,
        subject: &str,
        audit: Option<&Audit>,
    ) -> Result<UserRow, StoreError> {
        let user = user.clone();
        let (issuer, subject) = (issuer.to_owned(), subject.to_owned());
        let audit = audit.cloned();
        self.run(move |db| db.create_linked_user(&user, &issuer, &subject, audit.as_ref()))
            .await
    }

    async fn consume_exchanged_token(
        &self,
        issuer: &str,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<bool, StoreError> {
        let (issuer, token_hash) = (issuer.to_owned(), token_hash.to_owned());
        self.run(move |db| db.consume_exchanged_token(&issuer, &token_hash, expires_at))
            .await
    }

    async fn heartbeat(&self, replica: &ReplicaRow) -> Result<(), StoreError> {
        let replica = replica.clone();
        self.run(move |db| db.heartbeat(&replica)).await
    }

    async fn list_replicas(&self, seen_since: i64) -> Result<Vec<ReplicaRow>, StoreError> {
        self.run(move |db| db.list_replicas(seen_since)).await
    }

    async fn forget_replica(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.run(move |db| db.forget_replica(&id)).await
    }

    async fn publish_policy_version(
        &self,
        new: &NewPolicyVersion,
        expected_active: Option<i64>,
        audit: Option<&Audit>,
    ) -> Result<i64, StoreError> {
        let (new, audit) = (new.clone(), audit.cloned());
        self.run(move |db| db.publish_policy_version(&new, expected_active, audit.as_ref()))
            .await
    }

    async fn list_policy_versions(&self) -> Result<Vec<PolicyVersionRow>, StoreError> {
        self.run(|db| db.list_policy_versions()).await
    }

    async fn policy_version_files(
        &self,
        version: i64,
    ) -> Result<(PolicyVersionRow, crate::publishing::PolicyFiles), StoreError> {
        self.run(move |db| db.policy_version_files(version)).await
    }

    async fn active_policy_version(&self) -> Result<Option<i64>, StoreError> {
        self.run(|db| db.active_policy_version()).await
    }

    async fn any_user_passes(&self, rule: &AdminRule) -> Result<bool, StoreError> {
        let rule = rule.clone();
        self.run(move |db| db.any_user_passes(&rule)).await
    }
}
