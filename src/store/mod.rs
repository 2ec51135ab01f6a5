//! The storage seam: every operation on warden's data as one async trait, [`Backend`], and
//! [`Store`], the handle the rest of warden holds.
//!
//! Two back ends: SQLite (embedded, the default, in [`sqlite`]) and PostgreSQL (several
//! replicas on one database, in [`postgres`]); one test suite runs against each. What it
//! promises, whatever the back end:
//! - every change is one transaction, and an admin change writes its [`Audit`] row in that
//!   same transaction (both land or neither does);
//! - every change to users, roles, sessions, revocations or client keys bumps
//!   [`Backend::revision`], from this process or another one on the same database, so caches
//!   can trust it; [`Backend::current_revision`] reads it from memory on every decision
//!   (exact on SQLite; on PostgreSQL another replica's change counts when its notification
//!   arrives, see there, or at once through [`Backend::confirmed_revision`]);
//! - no blocking I/O runs on an async worker: SQLite's calls run on tokio's blocking pool,
//!   at most [`sqlite::MAX_CONCURRENT_CALLS`] at once (its reader connections and its one writer);
//!   PostgreSQL's are natively async over a bounded pool;
//! - errors are typed ([`StoreError`]); a back end's own error is kept as the source, never
//!   shown to a caller.

pub mod copy;
mod postgres;
mod rows;
mod sqlite;

pub use postgres::{is_postgres_url, redact_url};

pub use crate::model::ancestors;
pub use crate::refusal::{Conflict, Invalid, LookAlike};
pub use rows::{
    AuditRow, ClientRow, DecisionFilter, DecisionRow, DecisionStats, IdentityRow, KeyRow, NewUser,
    RefreshLimits, RefreshOutcome, ReplicaRow, Reservation, RoleRow, SessionRow, ThrottleKey,
    UserRow,
};
pub use sqlite::MAX_CONCURRENT_CALLS;

use crate::model::{Email, RoleName, SearchText, UserName};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// What a missing thing was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    User,
    Role,
    Session,
    Client,
    /// A federated identity (`issuer subject`).
    Identity,
}

impl std::fmt::Display for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Entity::User => "user",
            Entity::Role => "role",
            Entity::Session => "session",
            Entity::Client => "client",
            Entity::Identity => "identity",
        })
    }
}

/// Errors of the storage layer. The HTTP layer maps them to statuses without leaking SQL.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{entity} {id} not found")]
    NotFound { entity: Entity, id: String },
    /// The change conflicts with what is stored (a taken email, a role in use, the last
    /// administrator): which one, as data.
    #[error(transparent)]
    Conflict(#[from] Conflict),
    /// The change refers to something that does not exist (an unknown role) or cannot be.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("database {path} was written by a newer warden (schema version {found}, this build knows up to {supported}); refusing to downgrade it")]
    NewerVersion {
        path: String,
        found: i64,
        supported: i64,
    },
    /// Only `warden init` and `warden serve` create a database; everything else says so.
    #[error("no database at {path}: create it with `warden init --db {path}` (or `warden serve`), or give the right --db or WARDEN_DB")]
    Missing { path: String },
    #[error("{path} is not a warden database: {reason}")]
    Unreadable { path: String, reason: String },
    /// The back end failed (I/O, a busy database beyond its timeout, a lost connection).
    #[error("database error")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("database lock poisoned")]
    Poisoned,
    /// The store is shutting down or its worker was lost.
    #[error("database unavailable")]
    Unavailable,
}

impl StoreError {
    /// `entity id` was not found.
    pub fn not_found(entity: Entity, id: impl Into<String>) -> StoreError {
        StoreError::NotFound {
            entity,
            id: id.into(),
        }
    }

    /// Whether this is a not-found error.
    pub fn is_not_found(&self) -> bool {
        matches!(self, StoreError::NotFound { .. })
    }
}

/// The role graph: each role with its direct parents.
pub type RoleGraph = BTreeMap<String, Vec<String>>;

/// "May this user administer warden?", given the role graph.
type AdminTest = dyn Fn(&UserRow, &RoleGraph) -> bool + Send + Sync;

/// The rule that keeps at least one administrator, given by the application core to every
/// change of users or roles (in its [`Change`]): the store applies it inside the change's
/// transaction, the core decides what "administrator" means (who holds the admin actions is
/// a Cedar question, not a role name).
///
/// Attack (or accident) answered: the only admin disabled or demoted itself, or removed the
/// role that made it an admin, and nobody could administer warden any more except by editing
/// the database. A change after which no enabled user passes the rule, though one did
/// before, is refused (409). When nobody passed before either (a fresh or already broken
/// directory) the change goes through, so the command line can always repair.
///
/// Incremental: the rule remembers the last user seen to pass (its witness). A change asks
/// the witness first, before and after, with one indexed read and one rule call each; only
/// a change that takes the witness's rights away looks further, and that scan stops at the
/// first user who passes. So an edit costs the same in a directory of ten users or of a
/// hundred thousand, instead of a Cedar call per user. The witness is only a hint: it is
/// read again inside every change's transaction, so a stale one costs a scan, never a
/// wrong answer.
#[derive(Clone)]
pub struct AdminRule {
    passes: Arc<AdminTest>,
    witness: Arc<std::sync::Mutex<Option<String>>>,
}

impl AdminRule {
    /// A rule answering "may this user administer warden?" with `passes`.
    pub fn new(passes: impl Fn(&UserRow, &RoleGraph) -> bool + Send + Sync + 'static) -> AdminRule {
        AdminRule {
            passes: Arc::new(passes),
            witness: Arc::default(),
        }
    }

    /// Whether `user` (enabled) passes, given the role graph.
    pub(crate) fn passes(&self, user: &UserRow, graph: &RoleGraph) -> bool {
        !user.disabled && (self.passes)(user, graph)
    }

    /// The last user seen to pass, if any.
    pub(crate) fn witness(&self) -> Option<String> {
        match self.witness.lock() {
            Ok(w) => w.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Remember `id` as a user who passes.
    pub(crate) fn remember(&self, id: &str) {
        let mut w = match self.witness.lock() {
            Ok(w) => w,
            Err(poisoned) => poisoned.into_inner(),
        };
        if w.as_deref() != Some(id) {
            *w = Some(id.to_owned());
        }
    }
}

impl std::fmt::Debug for AdminRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminRule")
            .field("witness", &self.witness())
            .finish_non_exhaustive()
    }
}

/// What a change of users or roles carries besides its own arguments, composed by the core:
/// the audit row that records it (written in the same transaction) and the rule that keeps
/// an administrator. [`Change::default`] is neither (set-up, tests).
#[derive(Clone, Copy, Debug, Default)]
pub struct Change<'a> {
    pub audit: Option<&'a Audit>,
    pub keep_admin: Option<&'a AdminRule>,
}

impl<'a> From<Option<&'a Audit>> for Change<'a> {
    fn from(audit: Option<&'a Audit>) -> Change<'a> {
        Change {
            audit,
            keep_admin: None,
        }
    }
}

impl<'a> Change<'a> {
    /// A change recorded by `audit`.
    pub fn audited(audit: &'a Audit) -> Change<'a> {
        Change {
            audit: Some(audit),
            keep_admin: None,
        }
    }

    /// This change, refused if it would leave nobody passing `rule`.
    pub fn keeping(self, rule: Option<&'a AdminRule>) -> Change<'a> {
        Change {
            keep_admin: rule,
            ..self
        }
    }

    /// An owned copy, for a back end that runs the change on another thread.
    pub(crate) fn to_owned(self) -> OwnedChange {
        OwnedChange {
            audit: self.audit.cloned(),
            keep_admin: self.keep_admin.cloned(),
        }
    }
}

/// A [`Change`] that owns its parts.
pub(crate) struct OwnedChange {
    audit: Option<Audit>,
    keep_admin: Option<AdminRule>,
}

impl OwnedChange {
    /// The change it holds.
    pub(crate) fn as_change(&self) -> Change<'_> {
        Change {
            audit: self.audit.as_ref(),
            keep_admin: self.keep_admin.as_ref(),
        }
    }
}

/// An audit row, written in the same transaction as the change it records.
#[derive(Debug, Clone, PartialEq)]
pub struct Audit {
    /// Who: `cli`, `user:<id>`, `client:<id>`, `embedder` (a program embedding warden), or
    /// `warden` for the server itself.
    pub actor: String,
    /// What, as the Cedar admin action names it (`users.create`, `sessions.revoke`, ...).
    pub action: String,
    /// On what: `user:<id>`, `role:<name>`, `session:<id>`, ...
    pub target: String,
    /// The change's own arguments (never a secret).
    pub detail: serde_json::Value,
    /// The actor's address; empty for the command line and warden itself.
    pub address: String,
}

/// The audit row of a session ended because a used refresh token came back (warden itself
/// ends it; the same row on both back ends).
pub(crate) fn reuse_audit(session: &str, user: &str) -> Audit {
    Audit {
        actor: "warden".into(),
        address: String::new(),
        action: crate::admin_action::AdminAction::SessionsRevoke
            .name()
            .into(),
        target: format!("session:{session}"),
        detail: serde_json::json!({"reason": "refresh_token_reuse", "user": user}),
    }
}

impl Audit {
    /// This row with `before` added to its detail: the state the change replaced, read by the
    /// back end inside the change's own transaction (a value read earlier, outside it, could
    /// already be stale when the change lands). The core gives the new values (`after`); a
    /// detail that is not an object is kept under `detail`.
    pub(crate) fn with_before(&self, before: serde_json::Value) -> Audit {
        let mut detail = match &self.detail {
            serde_json::Value::Object(map) => map.clone(),
            other => serde_json::Map::from_iter([("detail".to_owned(), other.clone())]),
        };
        detail.insert("before".into(), before);
        Audit {
            detail: serde_json::Value::Object(detail),
            ..self.clone()
        }
    }
}

/// The fields of `user` that a [`Backend::update_user`] with these arguments changes, as
/// they are in `user` (the keys of the core's `after`): the audit row's `before`.
pub(crate) fn user_fields_before(
    user: &UserRow,
    email: Option<&Email>,
    name: Option<&UserName>,
    disabled: Option<bool>,
) -> serde_json::Value {
    let mut before = serde_json::Map::new();
    if email.is_some() {
        before.insert("email".into(), user.email.clone().into());
    }
    if name.is_some() {
        before.insert("name".into(), user.name.clone().into());
    }
    if disabled.is_some() {
        before.insert("disabled".into(), user.disabled.into());
    }
    serde_json::Value::Object(before)
}

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
}

/// The handle to warden's data: a [`Backend`] and the clock that stamps its rows. Cheap to
/// clone; dereferences to the back end's operations.
#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
    clock: crate::clock::SharedClock,
    location: String,
}

impl std::ops::Deref for Store {
    type Target = dyn Backend;

    fn deref(&self) -> &(dyn Backend + 'static) {
        &*self.backend
    }
}

impl Store {
    /// Open (creating if needed) the SQLite database at `path` and apply pending migrations.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with_clock(path, crate::clock::system())
    }

    /// [`Store::open`] with the clock that stamps every row (tests move it by hand).
    pub fn open_with_clock(
        path: &Path,
        clock: crate::clock::SharedClock,
    ) -> Result<Store, StoreError> {
        let db = sqlite::SqliteStore::open(path, clock.clone())?;
        Ok(Store {
            backend: Arc::new(sqlite::Sqlite::new(db)),
            clock,
            location: path.display().to_string(),
        })
    }

    /// Open the database `db` names: a `postgres://` or `postgresql://` URL selects
    /// PostgreSQL (connected, migrated, and listening for other replicas' changes before
    /// this returns), anything else is a SQLite file (opened on the blocking pool).
    pub async fn connect(db: &Path, clock: crate::clock::SharedClock) -> Result<Store, StoreError> {
        match db.to_str().filter(|d| is_postgres_url(d)) {
            Some(url) => Store::open_postgres(url, clock).await,
            None => {
                let db = db.to_path_buf();
                tokio::task::spawn_blocking(move || Store::open_with_clock(&db, clock))
                    .await
                    .map_err(|_| StoreError::Unavailable)?
            }
        }
    }

    /// Connect to the PostgreSQL database at `url` (see [`Store::connect`]).
    pub async fn open_postgres(
        url: &str,
        clock: crate::clock::SharedClock,
    ) -> Result<Store, StoreError> {
        let db = postgres::Postgres::connect(url, clock.clone()).await?;
        Ok(Store {
            backend: Arc::new(db),
            clock,
            location: redact_url(url),
        })
    }

    /// Logged decisions, newest first, with optional filters ([`Backend::query_decisions`]
    /// with the common ones).
    pub async fn list_decisions(
        &self,
        principal: Option<&str>,
        action: Option<&str>,
        decision: Option<crate::model::DecisionKind>,
        since: Option<i64>,
        limit: i64,
    ) -> Result<Vec<DecisionRow>, StoreError> {
        self.query_decisions(&DecisionFilter {
            principal: principal.map(str::to_owned),
            action: action.map(str::to_owned),
            decision,
            since,
            after_id: None,
            limit,
        })
        .await
    }

    /// The current time in seconds, from the store's clock (the one clock of a warden).
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The store's clock.
    pub fn clock(&self) -> &crate::clock::SharedClock {
        &self.clock
    }

    /// Where the data lives (a file path, or a URL without its password), for messages.
    pub fn location(&self) -> &str {
        &self.location
    }
}

#[cfg(test)]
mod tests;
