//! SQLite storage behind one [`Store`] handle.
//!
//! WAL mode with one writer connection and a small pool of reader connections, so decisions
//! (reads) never wait on a sign-in or an admin change (writes). Every change runs in one
//! `BEGIN IMMEDIATE` transaction: it either lands whole or not at all, and two processes on the
//! same file (the server and the `warden` command line) serialise on SQLite's write lock.

mod clients;
mod keys;
mod logs;
mod migrations;
mod roles;
mod sessions;
mod throttle;
mod users;

pub use clients::ClientRow;
pub use keys::KeyRow;
pub use logs::{AuditRow, DecisionFilter, DecisionRow, DecisionStats};
pub use roles::{ancestors, RoleRow};
pub use sessions::{RefreshLimits, RefreshOutcome, SessionRow};
pub use throttle::{Reservation, ThrottleKey};
pub use users::NewUser;
pub use users::UserRow;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Errors of the storage layer. The HTTP layer maps them to statuses without leaking SQL.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("database {path} was written by a newer warden (schema version {found}, this build knows up to {supported}); refusing to downgrade it")]
    NewerVersion {
        path: String,
        found: i64,
        supported: i64,
    },
    #[error("{path} is not a warden database: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database lock poisoned")]
    Poisoned,
}

/// How many reader connections are kept open at most.
const MAX_IDLE_READERS: usize = 8;

/// Answers "may this user administer warden?" for a user row and the role hierarchy. The
/// store does not know the policies: the layer that does installs one
/// ([`Store::set_admin_probe`]), and the store asks it inside every directory change.
pub type AdminProbe =
    Arc<dyn Fn(&UserRow, &std::collections::BTreeMap<String, Vec<String>>) -> bool + Send + Sync>;

/// The handle to warden's database.
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    admin_probe: std::sync::RwLock<Option<AdminProbe>>,
    clock: crate::clock::SharedClock,
}

impl Store {
    /// Open (creating if needed) the database at `path` and apply pending migrations.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with_clock(path, crate::clock::system())
    }

    /// [`Store::open`] with the clock that stamps every row (tests move it by hand).
    pub fn open_with_clock(
        path: &Path,
        clock: crate::clock::SharedClock,
    ) -> Result<Store, StoreError> {
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
        Ok(Store {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            admin_probe: std::sync::RwLock::new(None),
            clock,
        })
    }

    /// The current time in seconds, from the store's clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The store's clock.
    pub fn clock(&self) -> &crate::clock::SharedClock {
        &self.clock
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
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

    /// Install the check that keeps at least one administrator (see
    /// [`Store::write_directory`]).
    pub fn set_admin_probe(&self, probe: AdminProbe) {
        match self.admin_probe.write() {
            Ok(mut p) => *p = Some(probe),
            Err(poisoned) => *poisoned.into_inner() = Some(probe),
        }
    }

    /// A change to users or roles that must leave someone able to administer warden.
    ///
    /// Attack (or accident) answered: the only admin disabled or demoted itself, or removed
    /// the role that made it an admin, and nobody could administer warden any more except by
    /// editing the database. With a probe installed, `change` runs inside a savepoint; if
    /// afterwards no enabled user passes the probe although one did before, the change is
    /// refused (409). When nobody could administer before either (a fresh or already
    /// broken directory), the change goes through, so the command line can always repair.
    /// All of it happens in one write transaction, so two concurrent demotions of two admins
    /// cannot both pass.
    pub(crate) fn write_directory<T>(
        &self,
        mut change: impl FnMut(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let probe = match self.admin_probe.read() {
            Ok(p) => p.clone(),
            Err(_) => return Err(StoreError::Poisoned),
        };
        self.write(|tx| {
            let Some(probe) = &probe else {
                return change(tx);
            };
            tx.execute_batch("SAVEPOINT directory_change")?;
            let value = change(tx)?;
            if users::someone_passes(tx, probe)? {
                tx.execute_batch("RELEASE directory_change")?;
                return Ok(value);
            }
            tx.execute_batch("ROLLBACK TO directory_change")?;
            if users::someone_passes(tx, probe)? {
                return Err(StoreError::Conflict(
                    "refused: after this change no enabled user could administer warden \
                     (manage users and their roles); give that right to another user first"
                        .into(),
                ));
            }
            let value = change(tx)?;
            tx.execute_batch("RELEASE directory_change")?;
            Ok(value)
        })
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

/// Map a UNIQUE violation to a Conflict with `message`, anything else to a store error.
pub(crate) fn conflict_on_unique(
    e: rusqlite::Error,
    message: impl FnOnce() -> String,
) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            StoreError::Conflict(message())
        }
        _ => StoreError::Sqlite(e),
    }
}

#[cfg(test)]
mod tests;
