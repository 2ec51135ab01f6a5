//! The SQLite back end of the storage seam (the embedded default).
//!
//! WAL mode with one writer connection and a small pool of reader connections, so decisions
//! (reads) never wait on a sign-in or an admin change (writes). Every change runs in one
//! `BEGIN IMMEDIATE` transaction: it either lands whole or not at all, and two processes on the
//! same file (the server and the `warden` command line) serialise on SQLite's write lock.

mod backend;
pub(super) mod clients;
pub(super) mod identities;
pub(super) mod keys;
pub(super) mod logs;
pub(super) mod migrations;
pub(super) mod policies;
pub(super) mod replicas;
pub(super) mod roles;
pub(super) mod sessions;
pub(super) mod throttle;
pub(super) mod users;
mod walindex;

pub(super) use super::{AdminRule, Audit, Backend, Change, StoreError};
use super::{
    AuditRow, ClientRow, DecisionFilter, DecisionRow, DecisionStats, IdentityRow, KeyRow,
    NewPolicyVersion, NewUser, PolicyVersionRow, RefreshLimits, RefreshOutcome, ReplicaRow,
    Reservation, RoleRow, SessionRow, ThrottleKey, UserRow,
};
use crate::model::{Email, RoleName, SearchText, UserName};
use crate::store::Conflict;
pub(super) use backend::Sqlite;
use std::collections::BTreeMap;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
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
    /// Commits flushed before their answer (see `sync_wal`).
    durable_commits: AtomicU64,
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
    /// A connection used for nothing else (its `data_version` must move only with other
    /// connections' commits), with SQLite's mapping of its WAL-index header (which lives
    /// exactly as long as the connection: see [`walindex`]) and the version it answered last.
    probe: Mutex<Probe>,
}

struct Probe {
    index: walindex::WalIndex,
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
            probe: Mutex::new(Probe {
                index: walindex::WalIndex::new(conn),
                data_version,
                header: None,
            }),
        })
    }

    fn current(&self) -> Result<i64, StoreError> {
        let mut probe = self.probe.lock().map_err(|_| StoreError::Poisoned)?;
        // Read before asking SQLite: a commit after this read changes the header again.
        let header = probe.index.header();
        if header.is_some() && header == probe.header {
            return Ok(self.known.load(Ordering::Acquire));
        }
        probe.header = None;
        let version: i64 = probe
            .index
            .conn()
            .prepare_cached(DATA_VERSION_SQL)?
            .query_row([], |r| r.get(0))?;
        if version != probe.data_version {
            // Read after the version: what is read is at least as new as the commit seen.
            let revision: i64 = probe
                .index
                .conn()
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
        refuse_empty(path)?;
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
            durable_commits: AtomicU64::new(0),
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
        let revision_before = revision_in(&tx)?;
        let value = f(&tx)?;
        let revokes = revision_in(&tx)? != revision_before;
        tx.commit()?;
        if revokes {
            self.sync_wal()?;
        }
        Ok(value)
    }

    /// Durability of the writes that take access away (issue 32). Connections run with
    /// `synchronous=NORMAL`: in WAL mode a commit survives a crash of the process (the
    /// pages are in the operating system's cache) but not an OS crash or power loss until the
    /// next checkpoint; a revoked session would work again after such a restart. Every write
    /// that changes who may do what bumps the revision (revocations, logout, disabling,
    /// role changes, password resets, key retirement), so after such a commit the WAL is
    /// flushed to disk before the write is acknowledged: what `synchronous=FULL` does for
    /// every commit, paid only by these (the decision log, sign-in throttles and replica
    /// heartbeats keep NORMAL). A flush that fails fails the write's answer (the caller
    /// does not report a revocation it cannot vouch for).
    fn sync_wal(&self) -> Result<(), StoreError> {
        let mut wal = self.path.as_os_str().to_owned();
        wal.push("-wal");
        // Opening and closing a descriptor of our own is safe for the -wal only: SQLite holds
        // no POSIX locks on it (WAL locks live in the -shm, whose locks a close of ours would
        // drop, every one of this process's: see `walindex`).
        let synced = std::fs::File::open(&wal).and_then(|f| f.sync_data());
        synced.map_err(|e| StoreError::Backend(Box::new(e)))?;
        self.durable_commits.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Commits flushed to disk before their answer (see `sync_wal`).
    #[cfg(test)]
    pub fn durable_commits(&self) -> u64 {
        self.durable_commits.load(Ordering::Relaxed)
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

/// The revision counter as `tx` sees it.
fn revision_in(tx: &Connection) -> Result<i64, StoreError> {
    Ok(tx
        .prepare_cached(REVISION_SQL)?
        .query_row([], |r| r.get(0))?)
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

/// An existing database file of 0 bytes is refused like any other damage (issue 32: SQLite
/// takes it for a new database, so a truncated `warden.db` started as a first install: a new
/// admin, new keys, every user gone, and `/readyz` ready). Only `warden init` may start over
/// in such a file (see [`start_over_if_empty`]).
fn refuse_empty(path: &Path) -> Result<(), StoreError> {
    if is_empty_file(path) {
        return Err(StoreError::Unreadable {
            path: path.display().to_string(),
            reason: "the file is empty (0 bytes); restore it from a backup, or run `warden init` \
                     to start a new database in it"
                .into(),
        });
    }
    Ok(())
}

fn is_empty_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0)
}

/// For `warden init` only: make an empty database file (0 bytes, so no data) a new SQLite
/// database in place (its first page written), which the open then migrates like a new one.
/// In place, not removed: the file keeps its owner and mode, and the open's permission check
/// still sees it.
pub fn start_over_if_empty(path: &Path) -> Result<(), StoreError> {
    if !is_empty_file(path) {
        return Ok(());
    }
    let refused = |reason: String| StoreError::Unreadable {
        path: path.display().to_string(),
        reason,
    };
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(|e| refused(e.to_string()))?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| refused(e.to_string()))?;
    drop(conn);
    if is_empty_file(path) {
        return Err(refused(
            "the empty file could not be made a database".into(),
        ));
    }
    Ok(())
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
            store.revision.probe.lock().unwrap().index.is_mapped(),
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
