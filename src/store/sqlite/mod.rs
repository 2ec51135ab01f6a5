//! The SQLite back end of the storage seam (the embedded default).
//!
//! WAL mode with one writer connection and a small pool of reader connections, so decisions
//! (reads) never wait on a sign-in or an admin change (writes). Every change runs in one
//! `BEGIN IMMEDIATE` transaction: it either lands whole or not at all, and two processes on the
//! same file (the server and the `warden` command line) serialise on SQLite's write lock.

pub(super) mod clients;
pub(super) mod identities;
pub(super) mod keys;
pub(super) mod logs;
pub(super) mod migrations;
pub(super) mod replicas;
pub(super) mod roles;
pub(super) mod sessions;
pub(super) mod throttle;
pub(super) mod users;
mod walindex;

pub(super) use super::{AdminRule, Audit, Backend, Change, StoreError};
use super::{
    AuditRow, ClientRow, DecisionFilter, DecisionRow, DecisionStats, IdentityRow, KeyRow, NewUser,
    RefreshLimits, RefreshOutcome, ReplicaRow, Reservation, RoleRow, SessionRow, ThrottleKey,
    UserRow,
};
use crate::model::{Email, RoleName, SearchText, UserName};
use crate::store::Conflict;
use std::collections::BTreeMap;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How many reader connections are kept open at most.
const MAX_IDLE_READERS: usize = 8;

/// The synchronous SQLite store; [`super::Store`] runs it on the blocking pool.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    clock: crate::clock::SharedClock,
    revision: RevisionWatch,
}

/// The revision counter kept in memory, and the cheap signal that says when to read it again.
///
/// Every decision asks for the revision, so the question must cost no SQL and no hand-off to
/// the blocking pool. SQLite's `PRAGMA data_version` answers "has any other connection
/// committed since I last asked?" from the WAL index in shared memory: it changes after every
/// commit made by another process (the `warden` command line on the same file) or by this
/// process's own writer connection, and only then is `meta.revision` read again. A change
/// acknowledged by any process has committed, so the very next call sees it.
///
/// Cheaper still: while the WAL-index header in the `-shm` file is unchanged, nothing has
/// committed, and not even `data_version` is asked (see [`walindex`]).
struct RevisionWatch {
    /// The revision last read.
    known: AtomicI64,
    /// The mapped WAL-index header, when it could be mapped.
    wal_index: Option<walindex::WalIndex>,
    /// A connection used for nothing else (its `data_version` must move only with other
    /// connections' commits), with the version it answered last.
    probe: Mutex<Probe>,
}

struct Probe {
    conn: Connection,
    data_version: i64,
    /// The WAL-index header read just before `data_version` was last asked.
    header: Option<walindex::Header>,
}

const DATA_VERSION_SQL: &str = "PRAGMA data_version";
const REVISION_SQL: &str = "SELECT value FROM meta WHERE key = 'revision'";

impl RevisionWatch {
    fn open(path: &Path) -> Result<RevisionWatch, rusqlite::Error> {
        let conn = open_connection(path)?;
        // A reader in WAL mode waits only while another connection recovers the WAL after a
        // crash; a decision would rather fail (and deny) quickly than hold a worker for 5 s.
        conn.busy_timeout(Duration::from_millis(250))?;
        let data_version = conn
            .prepare_cached(DATA_VERSION_SQL)?
            .query_row([], |r| r.get(0))?;
        let known = conn
            .prepare_cached(REVISION_SQL)?
            .query_row([], |r| r.get(0))?;
        Ok(RevisionWatch {
            known: AtomicI64::new(known),
            wal_index: walindex::WalIndex::open(path),
            probe: Mutex::new(Probe {
                conn,
                data_version,
                header: None,
            }),
        })
    }

    fn current(&self) -> Result<i64, StoreError> {
        let mut probe = self.probe.lock().map_err(|_| StoreError::Poisoned)?;
        // Read before asking SQLite: a commit after this read changes the header again.
        let header = self.wal_index.as_ref().map(walindex::WalIndex::header);
        if header.is_some() && header == probe.header {
            return Ok(self.known.load(Ordering::Acquire));
        }
        probe.header = None;
        let version: i64 = probe
            .conn
            .prepare_cached(DATA_VERSION_SQL)?
            .query_row([], |r| r.get(0))?;
        if version != probe.data_version {
            // Read after the version: what is read is at least as new as the commit seen.
            let revision: i64 = probe
                .conn
                .prepare_cached(REVISION_SQL)?
                .query_row([], |r| r.get(0))?;
            self.known.store(revision, Ordering::Release);
            probe.data_version = version;
        }
        probe.header = header;
        Ok(self.known.load(Ordering::Acquire))
    }
}

impl SqliteStore {
    /// Open (creating if needed) the database at `path` and apply pending migrations.
    pub fn open(path: &Path, clock: crate::clock::SharedClock) -> Result<SqliteStore, StoreError> {
        create_private_file(path)?;
        tighten_permissions(path)?;
        let unreadable = |e: rusqlite::Error| StoreError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let mut writer = open_connection(path).map_err(unreadable)?;
        // The first real read tells a corrupt or foreign file apart from a database.
        writer
            .query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0))
            .map_err(unreadable)?;
        writer
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(unreadable)?;
        migrations::apply(&mut writer, path)?;
        // SQLite has now made the -wal and -shm files (with the database's mode, which is
        // private by now); a leftover one from an earlier, looser life is tightened too.
        tighten_permissions(path)?;
        let revision = RevisionWatch::open(path).map_err(unreadable)?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            clock,
            revision,
        })
    }

    /// The current time in seconds, from the store's clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Run `f` on a reader connection. Readers see the last committed state (WAL snapshot).
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pooled = self.readers.lock().map_err(|_| StoreError::Poisoned)?.pop();
        let conn = match pooled {
            Some(c) => c,
            None => open_connection(&self.path)?,
        };
        let result = f(&conn);
        if let Ok(mut idle) = self.readers.lock() {
            if idle.len() < MAX_IDLE_READERS {
                idle.push(conn);
            }
        }
        result
    }

    /// Run `f` in one immediate transaction on the writer; commit if it returns Ok.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.writer.lock().map_err(|_| StoreError::Poisoned)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// [`SqliteStore::write`], writing `audit` (when given) in the same transaction as the
    /// change: a change and the row that records it land together or not at all.
    pub fn write_audited<T>(
        &self,
        audit: Option<&Audit>,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.write(|tx| {
            let value = f(tx)?;
            self.record(tx, audit, None)?;
            Ok(value)
        })
    }

    /// Write `audit` (when given) in `tx`, with `before` (the state the change replaced,
    /// read in `tx`) added to its detail: the one place an admin change's row is written.
    fn record(
        &self,
        tx: &Connection,
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
        logs::audit_in(tx, a, self.now())
    }

    /// A change to users or roles, in the one shape every such change takes: in one write
    /// transaction, `before` reads what the audit row's `before` records (and finds a missing
    /// target before anything is written), `change` runs under the keep-an-administrator
    /// check of the change's [`AdminRule`] (see there), the revision goes up, and the audit
    /// row is written. The writer lock keeps every other writer out meanwhile, so two
    /// concurrent demotions of two admins cannot both pass.
    pub(crate) fn write_directory<T>(
        &self,
        change: Change<'_>,
        before: impl FnOnce(&Connection) -> Result<Option<serde_json::Value>, StoreError>,
        mut apply: impl FnMut(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.write(|tx| {
            let before = before(tx)?;
            let value = Self::guarded(tx, change.keep_admin, &mut apply)?;
            bump_revision(tx)?;
            self.record(tx, change.audit, before)?;
            Ok(value)
        })
    }

    /// Run `apply` in `tx` under `rule`: the change runs inside a savepoint; if afterwards
    /// nobody passes the rule, it is rolled back and the rule asked of the state before:
    /// if someone passed then, the change is refused; if nobody did (a broken directory),
    /// it is made again and goes through.
    fn guarded<T>(
        tx: &Transaction<'_>,
        rule: Option<&AdminRule>,
        apply: &mut impl FnMut(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let Some(rule) = rule else {
            return apply(tx);
        };
        tx.execute_batch("SAVEPOINT directory_change")?;
        let value = apply(tx)?;
        if users::someone_passes(tx, rule)? {
            tx.execute_batch("RELEASE directory_change")?;
            return Ok(value);
        }
        tx.execute_batch("ROLLBACK TO directory_change")?;
        if users::someone_passes(tx, rule)? {
            return Err(StoreError::Conflict(Conflict::LastAdministrator));
        }
        let value = apply(tx)?;
        tx.execute_batch("RELEASE directory_change")?;
        Ok(value)
    }

    /// A counter bumped by every committed change to users, roles, sessions or revocations,
    /// from this process or another one on the same file: caches compare it to stay correct.
    pub fn revision(&self) -> Result<i64, StoreError> {
        self.read(|c| {
            Ok(
                c.query_row("SELECT value FROM meta WHERE key = 'revision'", [], |r| {
                    r.get(0)
                })?,
            )
        })
    }

    /// The revision counter as of now, without SQL unless some connection committed since
    /// the last call (see [`RevisionWatch`]): cheap enough for every decision.
    pub fn current_revision(&self) -> Result<i64, StoreError> {
        self.revision.current()
    }
}

/// Bump the revision counter; called by every write that changes who may do what.
pub(crate) fn bump_revision(tx: &Connection) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE meta SET value = value + 1 WHERE key = 'revision'",
        [],
    )?;
    Ok(())
}

fn open_connection(path: &Path) -> Result<Connection, rusqlite::Error> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // 1 MiB of page cache per connection (SQLite's default is 2 MiB): up to nine
    // connections, and the hot rows (users, sessions, revocations) are small.
    conn.pragma_update(None, "cache_size", -1024)?;
    Ok(conn)
}

/// Create the database file with owner-only permissions before SQLite opens it: it holds
/// password hashes and private signing keys. SQLite gives the -wal and -shm files the same mode.
fn create_private_file(path: &Path) -> Result<(), StoreError> {
    if path.exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        }),
    }
}

/// Make the database and its `-wal` and `-shm` files owner-only (0600), with a warning
/// when one was readable or writable by others.
///
/// Why: the database holds the private signing keys and the password hashes. A file made
/// by `touch` (or copied, or restored from a backup) under a umask of 022 is world-
/// readable, and any local user could then mint tokens for any account. warden tightens
/// rather than refuses, so a restored backup still starts, and says so on standard error
/// (the log), since the keys may already have been read: rotate them if in doubt.
fn tighten_permissions(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut files = vec![path.to_path_buf()];
        for suffix in ["-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            files.push(PathBuf::from(name));
        }
        for file in files {
            let meta = match std::fs::metadata(&file) {
                Ok(m) => m,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(StoreError::Unreadable {
                        path: file.display().to_string(),
                        reason: e.to_string(),
                    })
                }
            };
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 == 0 {
                continue;
            }
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).map_err(
                |e| StoreError::Unreadable {
                    path: file.display().to_string(),
                    reason: format!(
                        "it is accessible to other users (mode {mode:o}) and cannot be made private: {e}"
                    ),
                },
            )?;
            tracing::warn!(
                file = %file.display(),
                was = format!("{mode:o}"),
                "database file was accessible to other users; its mode is now 600 (it holds signing keys and password hashes: rotate the keys with `warden keys rotate` if others may have read it)"
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Map a UNIQUE violation to `conflict`, anything else to a store error.
pub(crate) fn conflict_on_unique(
    e: rusqlite::Error,
    conflict: impl FnOnce() -> Conflict,
) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            StoreError::Conflict(conflict())
        }
        _ => StoreError::from(e),
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Backend(Box::new(e))
    }
}

/// SQLite calls running at once on the blocking pool: the writer and the reader connections,
/// with room for readers beyond the idle pool. More wait (asynchronously) for a turn.
pub const MAX_CONCURRENT_CALLS: usize = 16;

/// The SQLite back end: a [`SqliteStore`] whose every call runs on tokio's blocking pool,
/// never on an async worker (a busy database can hold a call for its 5 s busy timeout).
pub(super) struct Sqlite {
    db: Arc<SqliteStore>,
    turns: tokio::sync::Semaphore,
}

impl Sqlite {
    pub(super) fn new(db: SqliteStore) -> Sqlite {
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
}

#[cfg(test)]
mod revision_tests {
    use super::*;

    /// The WAL-index header only ever skips a probe: a commit by any other connection (here
    /// a plain one, as another process would hold), checkpoints and WAL restarts included,
    /// is seen by the very next read.
    #[test]
    fn a_commit_by_any_connection_is_seen_by_the_very_next_read() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("w.db");
        let store = SqliteStore::open(&path, crate::clock::system()).unwrap();
        assert!(
            store.revision.wal_index.is_some(),
            "the -shm header is mapped"
        );
        let other = Connection::open(&path).unwrap();
        let mut last = store.current_revision().unwrap();
        for round in 0..60 {
            assert_eq!(store.current_revision().unwrap(), last, "nothing committed");
            other
                .execute(
                    "UPDATE meta SET value = value + 1 WHERE key = 'revision'",
                    [],
                )
                .unwrap();
            let now = store.current_revision().unwrap();
            assert_eq!(now, last + 1, "round {round}: the commit was not seen");
            last = now;
            match round % 3 {
                0 => other
                    .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                    .unwrap(),
                1 => other
                    .execute(
                        "INSERT INTO meta (key, value) VALUES (?1, 0)",
                        [round.to_string()],
                    )
                    .map(|_| ())
                    .unwrap(),
                _ => {}
            }
        }
        // This process's own writer is seen the same way.
        store
            .writer
            .lock()
            .unwrap()
            .execute(
                "UPDATE meta SET value = value + 1 WHERE key = 'revision'",
                [],
            )
            .unwrap();
        assert_eq!(store.current_revision().unwrap(), last + 1);
    }
}
