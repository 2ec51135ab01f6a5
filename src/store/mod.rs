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

mod backend;
pub mod copy;
mod postgres;
mod rows;
pub use backend::Backend;
mod sqlite;

pub use postgres::{is_postgres_url, redact_url};

pub use crate::model::ancestors;
pub use crate::refusal::{Conflict, Invalid, LookAlike};
pub use rows::capped_log_value;
pub use rows::{
    AuditRow, ClientRow, DecisionFilter, DecisionRow, DecisionStats, IdentityRow, KeyRow,
    NewPolicyVersion, NewUser, PolicyVersionRow, RefreshLimits, RefreshOutcome, ReplicaRow,
    Reservation, RoleRow, SessionRow, ThrottleKey, UserRow,
};
pub use sqlite::start_over_if_empty as start_over_in_empty_sqlite_file;
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
    /// A published policy set's version (issue 29).
    PolicyVersion,
}

impl std::fmt::Display for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Entity::User => "user",
            Entity::Role => "role",
            Entity::Session => "session",
            Entity::Client => "client",
            Entity::Identity => "identity",
            Entity::PolicyVersion => "policy version",
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

/// The audit row of a publish (or rollback) of policies as written: the core's row with the
/// version number the store gave the set added to its detail (the core cannot know it
/// before the transaction does), so the audit log says which version each row made active.
pub(crate) fn policy_audit(audit: &Audit, version: i64) -> Audit {
    let mut detail = match &audit.detail {
        serde_json::Value::Object(map) => map.clone(),
        serde_json::Value::Null => serde_json::Map::new(),
        other => serde_json::Map::from_iter([("detail".to_owned(), other.clone())]),
    };
    detail.insert("version".into(), version.into());
    Audit {
        detail: serde_json::Value::Object(detail),
        ..audit.clone()
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
