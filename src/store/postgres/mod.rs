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

mod identities;
mod import;
mod listener;
pub(super) mod migrations;
mod ops;
mod tls;

pub(super) use import::{Cell, TableData};

use super::{AdminProbe, Audit, StoreError};
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod};
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
    admin_probe: std::sync::RwLock<Option<AdminProbe>>,
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

/// Map a unique violation to a Conflict with `message`, anything else to a store error.
fn conflict_on_unique(e: tokio_postgres::Error, message: impl FnOnce() -> String) -> StoreError {
    if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
        return StoreError::Conflict(message());
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
            admin_probe: std::sync::RwLock::new(None),
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

    /// Commit `tx`; with `bump`, the revision counter goes up by one and its new value is
    /// NOTIFYed, both inside the transaction (so last in the lock order, and heard by other
    /// replicas only once the change is visible to them).
    async fn commit(
        &self,
        tx: deadpool_postgres::Transaction<'_>,
        bump: bool,
    ) -> Result<(), StoreError> {
        let mut revision = None;
        if bump {
            let row = query_one(
                &tx,
                "UPDATE meta SET value = value + 1 WHERE key = 'revision' RETURNING value",
                &[],
            )
            .await?;
            let value: i64 = row.get(0);
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
            self.revision.saw(value);
        }
        Ok(())
    }

    /// Write `audit` (when given) in the transaction of the change it records.
    async fn audit_in(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
        audit: Option<&Audit>,
    ) -> Result<(), StoreError> {
        self.record(tx, audit, None).await
    }

    /// [`Postgres::audit_in`], with `before` (the state the change replaced, read in `tx`
    /// under the directory lock, so no other change to it can come in between) added to the
    /// row's detail: the one place an admin change's row is written.
    async fn record(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
        audit: Option<&Audit>,
        before: Option<serde_json::Value>,
    ) -> Result<(), StoreError> {
        let Some(audit) = audit else {
            return Ok(());
        };
        let with_before;
        let a = match before {
            Some(before) => {
                with_before = audit.with_before(before);
                &with_before
            }
            None => audit,
        };
        audit_row(tx, a, self.now()).await
    }

    fn probe(&self) -> Result<Option<AdminProbe>, StoreError> {
        match self.admin_probe.read() {
            Ok(p) => Ok(p.clone()),
            Err(_) => Err(StoreError::Poisoned),
        }
    }

    /// Start a change to users or roles: take the directory lock, and tell whether someone
    /// could administer warden before it (see [`Postgres::directory_checked`]).
    async fn directory_begin(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
    ) -> Result<Option<(AdminProbe, bool)>, StoreError> {
        execute(tx, "SELECT pg_advisory_xact_lock($1)", &[&DIRECTORY_LOCK]).await?;
        let Some(probe) = self.probe()? else {
            return Ok(None);
        };
        let before = ops::someone_passes(tx, &probe).await?;
        Ok(Some((probe, before)))
    }

    /// The check that keeps at least one administrator (as SQLite's `write_directory`):
    /// a change after which no enabled user passes the probe, though one did before, is
    /// refused with a conflict and rolled back (the caller drops the transaction). Under the
    /// directory lock, two concurrent demotions of two admins cannot both pass.
    async fn directory_checked(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
        guard: Option<(AdminProbe, bool)>,
    ) -> Result<(), StoreError> {
        let Some((probe, before)) = guard else {
            return Ok(());
        };
        if before && !ops::someone_passes(tx, &probe).await? {
            return Err(StoreError::Conflict(
                "refused: after this change no enabled user could administer warden \
                 (manage users and their roles); give that right to another user first"
                    .into(),
            ));
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
