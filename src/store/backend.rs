//! The storage seam: every operation on warden's data, as each back end implements it
//! (`sqlite/backend.rs`, `postgres/backend.rs`). See the store's module documentation for
//! what each back end promises.

use super::*;

/// Every operation on warden's data. See the module documentation for what each back end
/// promises.
#[async_trait::async_trait]
pub trait Backend: Send + Sync {
    /// A counter bumped by every committed change to users, roles, sessions or revocations,
    /// from this process or another one on the same database: caches compare it.
    async fn revision(&self) -> Result<i64, StoreError>;

    /// [`Backend::revision`] as of now, answered from memory: synchronous, cheap enough to
    /// ask on every decision, never a hand-off to a blocking pool. An error means the signal
    /// that keeps it current is lost: callers fail closed.
    ///
    /// The promise differs by back end:
    /// - SQLite: exact. A change acknowledged by any process on the file before this call
    ///   is reflected in the value it returns: `PRAGMA data_version` on a connection kept
    ///   for it (a memory read of the WAL index, and one indexed read only after some
    ///   connection committed).
    /// - PostgreSQL: exact for this replica's own changes (counted at their commit), and
    ///   *eventual* for other replicas': their changes arrive by an asynchronous `NOTIFY`
    ///   on the revision channel, sent in the changing transaction and delivered to this
    ///   replica's listening connection after that transaction commits. Until it arrives the
    ///   value is the one before the change, and a cache keyed by it answers as before:
    ///   most often it has arrived before the changing replica's acknowledgement does, but
    ///   not always (measured on loopback, 2 cores under load: p99 4 to 15 ms, worst 23 ms
    ///   after the acknowledgement; docs/replicas.md has the figures). A lost notification is
    ///   caught by a read of the counter every 2 s; while the listening connection is down
    ///   this fails. A caller that cannot accept that window asks
    ///   [`Backend::confirmed_revision`] instead (`strict_revocation`).
    fn current_revision(&self) -> Result<i64, StoreError>;

    /// The revision confirmed against the database now, for a caller that must not trust
    /// a change another replica may have made since the last notification
    /// (`strict_revocation`): on PostgreSQL one indexed read of the counter (which also
    /// raises the value [`Backend::current_revision`] answers); on SQLite the answer of
    /// [`Backend::current_revision`], which is exact already.
    async fn confirmed_revision(&self) -> Result<i64, StoreError>;

    /// A named server secret; `fresh` is stored when there is none yet (the first of two
    /// racing callers wins, and both get the stored one).
    async fn secret(&self, name: &str, fresh: Vec<u8>) -> Result<Vec<u8>, StoreError>;

    /// Set a named secret to `value`, whatever it was.
    async fn replace_secret(&self, name: &str, value: Vec<u8>) -> Result<(), StoreError>;

    /// Write one audit row on its own (a change without a row of its own store operation).
    async fn audit(&self, audit: &Audit) -> Result<(), StoreError>;

    /// Create a user with its roles in one transaction.
    async fn create_user(
        &self,
        user: &NewUser,
        audit: Option<&Audit>,
    ) -> Result<UserRow, StoreError>;

    /// A user by id.
    async fn user(&self, id: &str) -> Result<UserRow, StoreError>;

    /// A user and password hash by email (its [`crate::model::email_key`]), for sign-in,
    /// identity-provider linking and AuthZEN subjects.
    async fn user_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<(UserRow, Option<String>)>, StoreError>;

    /// Users ordered by id; `filter` matches id, email or name (substring, case-insensitive
    /// for ASCII). The filter is matched literally: `%`, `_` and backslash in it are escaped, so a
    /// caller cannot turn a substring search into a wildcard scan.
    async fn list_users(
        &self,
        filter: Option<&SearchText>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<UserRow>, StoreError>;

    /// Up to `limit` users with an id after `after` (keyset paging: a page costs the same
    /// wherever it starts, and no client-supplied offset reaches SQL).
    async fn list_users_after(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UserRow>, StoreError>;

    /// Replace a user's roles (the first is the primary role). The audit row gets `before`:
    /// the roles as they were, read in the change's transaction.
    async fn set_user_roles(
        &self,
        id: &str,
        roles: &[RoleName],
        change: Change<'_>,
    ) -> Result<UserRow, StoreError>;

    /// Reset a user's password (an administrator did it): every session and access token of
    /// the user ends, as with [`Store::revoke_user_tokens`], and the sign-in throttle of the
    /// account is lifted, all in one transaction. Whoever knew the old password (or holds a
    /// token got with it) is locked out the moment the reset is acknowledged.
    async fn reset_password(
        &self,
        id: &str,
        hash: &str,
        audit: Option<&Audit>,
    ) -> Result<usize, StoreError>;

    /// A user changed their own password: every other session of the user ends; the
    /// session that made the change (`keep`) goes on. Returns how many sessions ended.
    async fn change_own_password(
        &self,
        id: &str,
        hash: &str,
        keep: &str,
        audit: Option<&Audit>,
    ) -> Result<usize, StoreError>;

    /// The stored password hash of a user, if any.
    async fn password_hash(&self, id: &str) -> Result<Option<String>, StoreError>;

    /// Change a user's email, name and enabled state, each when given, in one transaction
    /// (through the directory check): all of them land, with the audit row, or none does.
    /// Disabling also ends every session of the user. The audit row gets `before`: the
    /// given fields as they were, read in that transaction. With no field given nothing is
    /// written (no audit row either) and the user is returned as it is.
    async fn update_user(
        &self,
        id: &str,
        email: Option<&Email>,
        name: Option<&UserName>,
        disabled: Option<bool>,
        change: Change<'_>,
    ) -> Result<UserRow, StoreError>;

    /// Delete a user; sessions and refresh tokens go with it (foreign keys cascade).
    async fn delete_user(&self, id: &str, change: Change<'_>) -> Result<(), StoreError>;

    /// Revoke every token and session of a user: access tokens issued before this second stop
    /// verifying (the tokens-valid-after epoch), and every session ends, which also kills
    /// tokens minted earlier within this same second (they carry the session id).
    async fn revoke_user_tokens(&self, id: &str, audit: Option<&Audit>) -> Result<(), StoreError>;

    /// How many users exist.
    async fn count_users(&self) -> Result<i64, StoreError>;

    /// Create a role with parent roles.
    async fn create_role(
        &self,
        name: &RoleName,
        parents: &[RoleName],
        audit: Option<&Audit>,
    ) -> Result<RoleRow, StoreError>;

    /// Replace a role's parents. The audit row gets `before`: the parents as they were,
    /// read in the change's transaction.
    async fn set_role_parents(
        &self,
        name: &RoleName,
        parents: &[RoleName],
        change: Change<'_>,
    ) -> Result<RoleRow, StoreError>;

    /// Remove a role. Refused while users hold it or other roles inherit from it, unless
    /// `force`, which also takes it away from those users and roles.
    async fn remove_role(
        &self,
        name: &str,
        force: bool,
        change: Change<'_>,
    ) -> Result<(), StoreError>;

    /// Every role, by name.
    async fn list_roles(&self) -> Result<Vec<RoleRow>, StoreError>;

    /// One role.
    async fn role(&self, name: &str) -> Result<RoleRow, StoreError>;

    /// The whole role graph (`role -> direct parents`).
    async fn role_graph(&self) -> Result<BTreeMap<String, Vec<String>>, StoreError>;

    /// Start a session for a user with its first refresh token (given as a hash).
    async fn create_session(
        &self,
        user_id: &str,
        refresh_hash: &str,
        absolute_secs: i64,
    ) -> Result<SessionRow, StoreError>;

    /// Present a refresh token (by hash). `successor_hash` is the hash of the token that
    /// replaces it. The whole check-and-rotate is one immediate transaction, and the
    /// consumption itself a single conditional UPDATE: two racing refreshes cannot both win.
    async fn rotate_refresh(
        &self,
        presented_hash: &str,
        successor_hash: &str,
        limits: RefreshLimits,
    ) -> Result<RefreshOutcome, StoreError>;

    /// A session by id.
    async fn session(&self, id: &str) -> Result<Option<SessionRow>, StoreError>;

    /// Sessions, newest first, optionally of one user and only live ones.
    async fn list_sessions(
        &self,
        user_id: Option<&str>,
        active_only: bool,
    ) -> Result<Vec<SessionRow>, StoreError>;

    /// End a session; its refresh tokens die and its access tokens stop verifying.
    async fn revoke_session(
        &self,
        id: &str,
        reason: &str,
        audit: Option<&Audit>,
    ) -> Result<SessionRow, StoreError>;

    /// The session a refresh token belongs to, if the token is known and unused.
    async fn session_of_refresh(&self, hash: &str) -> Result<Option<SessionRow>, StoreError>;

    /// Put an access-token id on the deny-list until it would have expired anyway.
    async fn revoke_jti(
        &self,
        jti: &str,
        expires_at: i64,
        audit: Option<&Audit>,
    ) -> Result<(), StoreError>;

    /// Whether an access-token id is on the deny-list.
    async fn is_jti_revoked(&self, jti: &str) -> Result<bool, StoreError>;

    /// Create a client; returns it with its key (the only time the key is seen).
    /// The name is parsed as a [`ClientName`] here, the one funnel of the CLI and the API.
    async fn create_client(
        &self,
        name: &str,
        audit: Option<&Audit>,
    ) -> Result<(ClientRow, String), StoreError>;

    /// One client.
    async fn client(&self, id: &str) -> Result<ClientRow, StoreError>;

    /// Every client.
    async fn list_clients(&self) -> Result<Vec<ClientRow>, StoreError>;

    /// Revoke a client's key.
    async fn revoke_client(&self, id: &str, audit: Option<&Audit>)
        -> Result<ClientRow, StoreError>;

    /// The live client holding `key`, if any. The lookup is by hash, so the comparison
    /// never touches the key's bytes in a data-dependent way.
    async fn client_by_key(&self, key: &str) -> Result<Option<ClientRow>, StoreError>;

    /// Every signing key, newest first.
    async fn keys(&self) -> Result<Vec<KeyRow>, StoreError>;

    /// Add a new active key and retire the previous active ones (kept for verification).
    async fn add_key(
        &self,
        kid: &str,
        alg: &str,
        private_der: &[u8],
        public_raw: &[u8],
        audit: Option<&Audit>,
    ) -> Result<(), StoreError>;

    /// Audit rows, newest first, optionally filtered by actor or action.
    async fn list_audit(
        &self,
        actor: Option<&str>,
        action: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError>;

    /// Append a batch of decisions in one transaction and keep at most `retain` rows.
    async fn append_decisions(&self, rows: &[DecisionRow], retain: i64) -> Result<(), StoreError>;

    /// Logged decisions matching `f`, newest first.
    async fn query_decisions(&self, f: &DecisionFilter) -> Result<Vec<DecisionRow>, StoreError>;

    /// Counts for a dashboard: decisions by outcome since `since`, and the most denied
    /// actions.
    async fn decision_stats(&self, since: i64) -> Result<DecisionStats, StoreError>;

    /// Charge one attempt to every key, unless one of them is already at its limit, in which
    /// case nothing is charged and the longest wait is returned. Windows are fixed: a key's
    /// window starts at its first failure and lasts `window_ms`.
    async fn reserve_login(
        &self,
        keys: &[ThrottleKey],
        window_ms: i64,
        now_ms: i64,
    ) -> Result<Reservation, StoreError>;

    /// A reserved attempt succeeded: the account's counters are cleared (the owner proved
    /// the password) and the address gets its one attempt back.
    async fn login_succeeded(&self, keys: &[ThrottleKey]) -> Result<(), StoreError>;

    /// A reserved attempt was not checked after all (the hashing gate was full): give it
    /// back to every key.
    async fn refund_login(&self, keys: &[ThrottleKey]) -> Result<(), StoreError>;

    /// Forget every counter of an account (`warden user unlock`, a password reset).
    /// Returns how many counters were dropped.
    async fn unlock_account(&self, email: &str, audit: Option<&Audit>)
        -> Result<usize, StoreError>;

    /// How many failures are counted against an account right now (all addresses).
    async fn account_failures(
        &self,
        email: &str,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<i64, StoreError>;

    /// The user an identity provider's `(issuer, subject)` is linked to, if any (compared
    /// exactly, no case folding).
    async fn user_by_identity(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<UserRow>, StoreError>;

    /// A user's federated identities, by issuer and subject (an unknown user has none).
    async fn list_identities(&self, user_id: &str) -> Result<Vec<IdentityRow>, StoreError>;

    /// Link `(issuer, subject)` to a user. A conflict if that identity is linked already (to
    /// anyone: one identity, one user), not found if the user does not exist.
    async fn link_identity(
        &self,
        user_id: &str,
        issuer: &str,
        subject: &str,
        audit: Option<&Audit>,
    ) -> Result<IdentityRow, StoreError>;

    /// Remove a user's link to `(issuer, subject)` and return it; not found if the user has
    /// no such link.
    async fn unlink_identity(
        &self,
        user_id: &str,
        issuer: &str,
        subject: &str,
        audit: Option<&Audit>,
    ) -> Result<IdentityRow, StoreError>;

    /// [`Backend::create_user`] and [`Backend::link_identity`] in one transaction: a person
    /// first seen through the token exchange is created already linked, or not at all.
    async fn create_linked_user(
        &self,
        user: &NewUser,
        issuer: &str,
        subject: &str,
        audit: Option<&Audit>,
    ) -> Result<UserRow, StoreError>;

    /// Remember an exchanged ID token (by its issuer and hash) until `expires_at`: `false` if
    /// it was remembered already (a replay). Forgets the tokens that expired, in the same
    /// transaction. Check and insert are one statement, so two racing exchanges of one
    /// token cannot both see it as new.
    async fn consume_exchanged_token(
        &self,
        issuer: &str,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<bool, StoreError>;

    /// Record a replica's heartbeat (insert or replace its row), and forget replicas silent
    /// for an hour.
    async fn heartbeat(&self, replica: &ReplicaRow) -> Result<(), StoreError>;

    /// Replicas heard from at or after `seen_since`, by id.
    async fn list_replicas(&self, seen_since: i64) -> Result<Vec<ReplicaRow>, StoreError>;

    /// Forget a replica that stopped (a graceful shutdown), so it is not listed as running.
    async fn forget_replica(&self, id: &str) -> Result<(), StoreError>;

    // Published policy sets (issue 29).

    /// Store `new` as the next version (the highest + 1, 1 for the first) and make it the
    /// active one, with its audit row, in one transaction that bumps the revision: only if
    /// the active version is still `expected_active` (`None`: none yet), else
    /// [`Conflict::PublishRace`] naming the version now active, and nothing is written. Of
    /// two publishes expecting the same active version, from any processes or replicas,
    /// exactly one wins. A `rollback_of` that names no version is not found, and nothing is
    /// written. The audit row's detail gets `version`: the number given.
    async fn publish_policy_version(
        &self,
        new: &NewPolicyVersion,
        expected_active: Option<i64>,
        audit: Option<&Audit>,
    ) -> Result<i64, StoreError>;

    /// Every published version, newest first, without the files' texts.
    async fn list_policy_versions(&self) -> Result<Vec<PolicyVersionRow>, StoreError>;

    /// One version with its files; not found ([`Entity::PolicyVersion`]) when there is none.
    async fn policy_version_files(
        &self,
        version: i64,
    ) -> Result<(PolicyVersionRow, crate::publishing::PolicyFiles), StoreError>;

    /// The active version, if any has been published.
    async fn active_policy_version(&self) -> Result<Option<i64>, StoreError>;

    /// Whether any enabled user passes `rule` now (the witness first, then a scan that stops
    /// at the first who passes), read in one snapshot: the "someone can still administer"
    /// check of a policy change.
    async fn any_user_passes(&self, rule: &AdminRule) -> Result<bool, StoreError>;
}
