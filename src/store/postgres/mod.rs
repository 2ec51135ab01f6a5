//! The PostgreSQL back end of the storage seam: several warden replicas on one database.
//!
//! A pool of connections (deadpool-postgres over tokio-postgres) runs every store call
//! natively async; no call blocks an async worker. One more connection, kept apart from the
//! pool, LISTENs on the revision channel (see [`listener`]). Every connection, the schema
//! migration's too, uses the TLS settings of the URL (`sslmode`, `sslrootcert`: see [`tls`]).
//!
//! ## Concurrency
//!
//! Transactions run at PostgreSQL's default READ COMMITTED level; each operation that must be
//! atomic says how it is made so next to its code. The rules every write follows:
//! - rows are locked in one order: (directory advisory lock) -> users -> sessions ->
//!   refresh tokens -> the revision row last, so two writers never wait on each other in a
//!   cycle;
//! - the revision row (`meta.revision`) is bumped once, at commit, by [`Postgres::commit`],
//!   with a NOTIFY carrying the new value in the same transaction: PostgreSQL delivers it
//!   only if and when the change commits, so no replica hears of a change that did not land;
//! - changes to users and roles take a transaction-level advisory lock first (the directory
//!   lock), so the "an administrator remains" check sees every other such change either
//!   wholly before or wholly after it, as SQLite's single writer gives.

mod backend;
mod clients;
mod identities;
mod import;
mod keys;
mod listener;
mod logs;
pub(super) mod migrations;
mod policies;
mod replicas;
mod roles;
mod sessions;
mod throttle;
mod tls;
mod users;

pub(super) use import::{Cell, TableData};

use super::{AdminRule, Audit, Change, Conflict, Invalid, StoreError};
use crate::model::{ClientName, Email, RoleName, SearchText, UserName};
use crate::store::rows::{capped_json, like_escape};
use crate::store::{
    AuditRow, ClientRow, DecisionFilter, DecisionRow, DecisionStats, Entity, IdentityRow, KeyRow,
    LookAlike, NewUser, RefreshLimits, RefreshOutcome, ReplicaRow, Reservation, RoleGraph, RoleRow,
    SessionRow, ThrottleKey, UserRow,
};
use crate::util::{random_id, sha256_hex};
use deadpool_postgres::{
    GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod, Transaction,
};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

/// The NOTIFY channel that carries the revision counter.
pub(super) const REVISION_CHANNEL: &str = "warden_revision";

/// Connections in the pool at most.
const POOL_SIZE: usize = 16;

/// How long a call waits for a pooled connection or a new one before failing (503).
const POOL_TIMEOUT: Duration = Duration::from_secs(5);

/// Advisory-lock key (transaction level) taken by every change to users and roles.
const DIRECTORY_LOCK: i64 = 0x0077_646e_5f64_6972;
/// Advisory-lock key (transaction level) taken by a key rotation.
const KEYS_LOCK: i64 = 0x0077_646e_5f6b_6579;

/// Whether `db` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// The URL with its password (if any) replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// The revision as this replica knows it, and whether that knowledge can be trusted.
pub(super) struct RevisionState {
    /// The highest revision seen: read at start, from NOTIFY, from this replica's own
    /// commits and from the periodic check. The counter only grows.
    known: AtomicI64,
    /// Whether the notification connection is up and listening. While it is down a change
    /// made on another replica could go unheard, so [`Postgres::current_revision`] fails
    /// and decisions that need the directory are refused (503) instead of answered from a
    /// cache that may be stale.
    live: AtomicBool,
}

impl RevisionState {
    fn saw(&self, revision: i64) {
        self.known.fetch_max(revision, Ordering::AcqRel);
    }
}

/// The PostgreSQL back end.
pub(super) struct Postgres {
    pool: Pool,
    clock: crate::clock::SharedClock,
    revision: Arc<RevisionState>,
    listener: tokio::task::JoinHandle<()>,
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> StoreError {
        StoreError::Backend(Box::new(e))
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> StoreError {
        StoreError::Backend(Box::new(e))
    }
}

/// Map a unique violation to `conflict`, anything else to a store error.
fn conflict_on_unique(e: tokio_postgres::Error, conflict: impl FnOnce() -> Conflict) -> StoreError {
    if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
        return StoreError::Conflict(conflict());
    }
    StoreError::from(e)
}

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// Run `sql` (a statement prepared once per connection) and collect its rows.
async fn query(c: &impl GenericClient, sql: &str, p: Params<'_>) -> Result<Vec<Row>, StoreError> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.query(&statement, p).await?)
}

/// [`query`] for at most one row.
async fn query_opt(
    c: &impl GenericClient,
    sql: &str,
    p: Params<'_>,
) -> Result<Option<Row>, StoreError> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.query_opt(&statement, p).await?)
}

/// [`query`] for exactly one row.
async fn query_one(c: &impl GenericClient, sql: &str, p: Params<'_>) -> Result<Row, StoreError> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.query_one(&statement, p).await?)
}

/// Run a statement; how many rows it touched.
async fn execute(c: &impl GenericClient, sql: &str, p: Params<'_>) -> Result<u64, StoreError> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.execute(&statement, p).await?)
}

impl Postgres {
    /// Connect to `url`, apply pending migrations and start listening for revisions. Fails
    /// when the database cannot be reached: a replica does not start blind.
    pub(super) async fn connect(
        url: &str,
        clock: crate::clock::SharedClock,
    ) -> Result<Postgres, StoreError> {
        let location = redact_url(url);
        let (mut config, tls) = tls::configure(url).map_err(|reason| StoreError::Unreadable {
            path: location.clone(),
            reason,
        })?;
        config.connect_timeout(POOL_TIMEOUT);
        config.application_name("warden");
        if let Some(warning) = tls.unverified_warning(&config) {
            tracing::warn!("{warning}");
        }
        let unreachable = |e: tokio_postgres::Error| StoreError::Unreadable {
            path: location.clone(),
            reason: format!("cannot connect: {}", tls.describe(&e)),
        };
        // Migrate on a connection of its own, before anything else reads the schema.
        let (mut client, connection) = config.connect(tls.clone()).await.map_err(unreachable)?;
        let driver = tokio::spawn(connection);
        let migrated = migrations::apply(&mut client, &location).await;
        drop(client);
        let _ = driver.await;
        migrated?;

        let manager = Manager::from_config(
            config.clone(),
            tls.clone(),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(POOL_TIMEOUT))
            .create_timeout(Some(POOL_TIMEOUT))
            .recycle_timeout(Some(POOL_TIMEOUT))
            .build()
            .map_err(|e| StoreError::Unreadable {
                path: location.clone(),
                reason: e.to_string(),
            })?;
        let revision = Arc::new(RevisionState {
            known: AtomicI64::new(0),
            live: AtomicBool::new(false),
        });
        let listener = listener::start(config, tls.clone(), revision.clone())
            .await
            .map_err(unreachable)?;
        Ok(Postgres {
            pool,
            clock,
            revision,
            listener,
        })
    }

    fn now(&self) -> i64 {
        self.clock.now()
    }

    async fn conn(&self) -> Result<deadpool_postgres::Object, StoreError> {
        Ok(self.pool.get().await?)
    }

    /// Begin a change of `kind` on `conn`: the one way every write starts. The change's
    /// statements run on [`Write::tx`]; [`Write::finish`] ends it. Dropped unfinished (an
    /// error, a refusal), the transaction rolls back and nothing of it lands.
    async fn write<'a>(
        &'a self,
        conn: &'a mut deadpool_postgres::Object,
        kind: Kind,
        change: Change<'a>,
    ) -> Result<Write<'a>, StoreError> {
        let tx = conn.transaction().await?;
        let mut guard = None;
        if kind == Kind::Directory {
            execute(&tx, "SELECT pg_advisory_xact_lock($1)", &[&DIRECTORY_LOCK]).await?;
            // Asked before the change, under the lock: only a directory in which someone
            // passes is kept that way (a broken one can always be repaired).
            if let Some(rule) = change.keep_admin {
                if users::someone_passes(&tx, rule).await? {
                    guard = Some(rule);
                }
            }
        }
        Ok(Write {
            tx,
            store: self,
            bump: kind != Kind::Quiet,
            audit: change.audit.map(std::borrow::Cow::Borrowed),
            guard,
            before: None,
        })
    }
}

/// What a change does besides its own statements: which steps of the one shape it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// Nothing another replica caches (sign-in counters, the decision log, a new client):
    /// committed as it is.
    Quiet,
    /// Something replicas cache (sessions, revocations, signing keys, a revoked client):
    /// the revision goes up at commit.
    Revision,
    /// Users or roles: the directory lock first, the keep-an-administrator check of the
    /// change's rule last, and the revision goes up.
    Directory,
}

/// One change in one transaction, begun by [`Postgres::write`]. Whatever the operation,
/// [`Write::finish`] takes the same steps in the same order, so none can be forgotten:
/// the keep-an-administrator check (a directory change), the audit row (with `before`),
/// the revision bump and its NOTIFY, the commit.
pub(super) struct Write<'a> {
    tx: Transaction<'a>,
    store: &'a Postgres,
    bump: bool,
    audit: Option<std::borrow::Cow<'a, Audit>>,
    /// The rule to keep, when someone passed it before the change.
    guard: Option<&'a AdminRule>,
    before: Option<serde_json::Value>,
}

impl<'a> Write<'a> {
    /// The transaction the change's statements run in.
    pub(super) fn tx(&self) -> &Transaction<'a> {
        &self.tx
    }

    /// Record `before` (the state the change replaced, read in this transaction under its
    /// locks, so nothing else changed it in between) in the audit row.
    pub(super) fn before(&mut self, before: serde_json::Value) {
        self.before = Some(before);
    }

    /// Record the change with `audit` (one the store writes of its own accord).
    pub(super) fn record(&mut self, audit: Audit) {
        self.audit = Some(std::borrow::Cow::Owned(audit));
    }

    /// Whether the revision goes up at commit: for a change that turned out to change
    /// nothing others cache (or, for a quiet one, that did).
    pub(super) fn bump(&mut self, bump: bool) {
        self.bump = bump;
    }

    /// Check, record, bump and commit (see [`Write`]). The revision row is updated last, so
    /// it is last in the lock order, and the NOTIFY is delivered only if and when the
    /// change commits: no replica hears of a change that did not land.
    pub(super) async fn finish(self) -> Result<(), StoreError> {
        let Write {
            tx,
            store,
            bump,
            audit,
            guard,
            before,
        } = self;
        if let Some(rule) = guard {
            if !users::someone_passes(&tx, rule).await? {
                return Err(StoreError::Conflict(Conflict::LastAdministrator));
            }
        }
        if let Some(audit) = audit {
            match before {
                Some(before) => audit_row(&tx, &audit.with_before(before), store.now()).await?,
                None => audit_row(&tx, &audit, store.now()).await?,
            }
        }
        let mut revision = None;
        if bump {
            let row = query_one(
                &tx,
                "UPDATE meta SET value = value + 1 WHERE key = 'revision' RETURNING value",
                &[],
            )
            .await?;
            let value: i64 = row.try_get(0)?;
            execute(
                &tx,
                "SELECT pg_notify($1, $2)",
                &[&REVISION_CHANNEL, &value.to_string()],
            )
            .await?;
            revision = Some(value);
        }
        tx.commit().await?;
        // This replica's own change counts at once, without waiting for its own NOTIFY.
        if let Some(value) = revision {
            store.revision.saw(value);
        }
        Ok(())
    }
}

/// Insert one audit row.
async fn audit_row(c: &impl GenericClient, audit: &Audit, at: i64) -> Result<(), StoreError> {
    execute(
        c,
        "INSERT INTO audit_log (at, actor, action, target, detail, address) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &at,
            &audit.actor,
            &audit.action,
            &audit.target,
            &audit.detail.to_string(),
            &audit.address,
        ],
    )
    .await?;
    Ok(())
}

/// Refuse a new user id or role name that differs from an existing one only in case
/// ([`Conflict::LookAlike`] says why); run under the directory lock.
pub(super) async fn refuse_case_variant(
    tx: &Transaction<'_>,
    kind: LookAlike,
    new: &str,
) -> Result<(), StoreError> {
    let sql = match kind {
        LookAlike::User => "SELECT id FROM users WHERE lower(id) = lower($1) AND id <> $1 LIMIT 1",
        LookAlike::Role => {
            "SELECT name FROM roles WHERE lower(name) = lower($1) AND name <> $1 LIMIT 1"
        }
    };
    match query_opt(tx, sql, &[&new]).await? {
        Some(row) => Err(Conflict::LookAlike {
            what: kind,
            new: new.to_string(),
            existing: row.try_get(0)?,
        }
        .into()),
        None => Ok(()),
    }
}
