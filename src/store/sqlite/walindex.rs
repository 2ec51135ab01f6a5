//! A read-only view of the WAL-index header in the database's `-shm` file: the cheapest
//! signal that some connection, in any process, has committed.
//!
//! In WAL mode SQLite keeps a header at the start of the `-shm` file (two copies of 48 bytes,
//! "WAL-index header" in SQLite's file-format documentation, section 4.5) that every commit
//! rewrites: its change counter (`iChange`) and the last valid frame (`mxFrame`) move with
//! each transaction, and a WAL restart after a checkpoint draws new salts. So while those 96
//! bytes are unchanged, nothing has committed since they were read, and `PRAGMA
//! data_version` (a read transaction and its `fcntl` locks) need not be asked.
//!
//! The header is only ever used to skip a probe, never to answer one: any difference, a torn
//! read in the middle of a commit, a header being recovered, or a file that cannot be mapped
//! falls back to SQLite's own answer. A commit acknowledged by another process has written
//! the header before its locks were released, so a call that starts after the
//! acknowledgement reads the new bytes (the pages are the same physical memory in every
//! process mapping the file).
//!
//! # Whose mapping (the SIGBUS of the HTTP suite)
//!
//! This view used to `open` the `-shm` file itself, `mmap` its first page and close the
//! descriptor. Closing *any* descriptor of a file drops *every* POSIX (`fcntl`) lock this
//! process holds on it - SQLite's own shared "dead-man switch" (DMS) lock and read marks
//! included (SQLite warns of this: "POSIX advisory locks are broken by design", os_unix.c).
//! From then on another process (the `warden` command line, a second server) opening the
//! database found the `-shm` unlocked, took the DMS lock exclusively, believed itself alone
//! and truncated and re-initialised the file (`unixLockSharedMemory`) under this process's
//! live mapping and open read transactions; with no read mark held, it could also restart
//! the WAL under a reader of ours. And nothing tied the mapping to a lock at all.
//!
//! Now there is no descriptor of ours and no mapping of ours: the view borrows SQLite's own
//! mapping of the first 32 KiB region of the `-shm` (`xShmMap` of the connection's file,
//! the very call SQLite's WAL code makes), which SQLite keeps only while the connection's
//! shared-memory node holds the shared DMS lock, and unmaps only when the last connection of
//! this process on the file closes. The view owns the (dedicated, probe-only) connection, so
//! the region cannot be unmapped while the view lives, and no other SQLite connection can
//! find itself alone and truncate the file while it is mapped. A truncation by anything else
//! (a rogue process) would fault SQLite's own WAL code just the same; it is out of reach.
//! Any failure to obtain the region leaves `header` answering `None`: SQLite is asked.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{ffi, Connection};

/// Both copies of the header, as 12 words.
const WORDS: usize = 12;

/// SQLite's WAL-index region size (`WALINDEX_PGSZ`): region 0 holds the header.
const REGION: i32 = 32 * 1024;

pub(super) type Header = [u64; WORDS];

/// A connection used only to probe, and SQLite's mapping of its `-shm` header when there is
/// one.
pub(super) struct WalIndex {
    /// Declared before `conn`: never used after it (and dropping a pointer unmaps nothing).
    header: Option<NonNull<AtomicU64>>,
    conn: Connection,
}

// SAFETY: `Connection` is `Send`; the pointer is only read through atomic loads of memory
// shared with other processes, and lives as long as `conn` (see the module notes).
unsafe impl Send for WalIndex {}

impl WalIndex {
    /// Take `conn` (a connection to a database in WAL mode that has read from it) and
    /// borrow SQLite's mapping of its `-shm` header; without one the caller asks SQLite every
    /// time.
    pub(super) fn new(conn: Connection) -> WalIndex {
        let header = shared_header(&conn);
        WalIndex { header, conn }
    }

    /// The connection, for the probes themselves.
    pub(super) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Whether the header is mapped.
    #[cfg(test)]
    pub(super) fn is_mapped(&self) -> bool {
        self.header.is_some()
    }

    /// The header's bytes now, when mapped.
    pub(super) fn header(&self) -> Option<Header> {
        let words = self.header?.as_ptr() as *const AtomicU64;
        let mut out = [0u64; WORDS];
        for (i, word) in out.iter_mut().enumerate() {
            // SAFETY: `i < 12`, so the word lies in the region (32 KiB, page-aligned) SQLite
            // mapped for `self.conn`, which stays mapped while it is open (module notes);
            // atomics are how memory shared with other processes is read.
            *word = unsafe { (*words.add(i)).load(Ordering::Acquire) };
        }
        Some(out)
    }
}

/// SQLite's own mapping of region 0 of the `-shm` of `conn`'s main database, if it has one.
fn shared_header(conn: &Connection) -> Option<NonNull<AtomicU64>> {
    // Only a WAL database has a -shm; asking for a region of another would make one.
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .ok()?;
    if !mode.eq_ignore_ascii_case("wal") {
        return None;
    }
    let mut file: *mut ffi::sqlite3_file = std::ptr::null_mut();
    // SAFETY: the handle of an open connection, used on this thread while `conn` is borrowed;
    // SQLITE_FCNTL_FILE_POINTER writes one `sqlite3_file *` into `file`.
    let rc = unsafe {
        ffi::sqlite3_file_control(
            conn.handle(),
            c"main".as_ptr(),
            ffi::SQLITE_FCNTL_FILE_POINTER,
            (&mut file as *mut *mut ffi::sqlite3_file).cast(),
        )
    };
    if rc != ffi::SQLITE_OK || file.is_null() {
        return None;
    }
    // SAFETY: `file` is the open main-database file of `conn`; its methods table is SQLite's.
    let methods = unsafe { (*file).pMethods };
    if methods.is_null() {
        return None;
    }
    // SAFETY: as above; `xShmMap` exists from version 2 of the methods table.
    let shm_map = unsafe {
        if (*methods).iVersion < 2 {
            return None;
        }
        (*methods).xShmMap?
    };
    let mut region: *mut std::ffi::c_void = std::ptr::null_mut();
    // SAFETY: region 0 with SQLite's region size, not extending the file (`bExtend` 0): the
    // call SQLite's WAL code makes; it answers the mapping it already holds for this
    // connection, or null when the file is not that long yet.
    let rc = unsafe { shm_map(file, 0, REGION, 0, &mut region) };
    if rc != ffi::SQLITE_OK {
        return None;
    }
    NonNull::new(region.cast::<AtomicU64>())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::super::SqliteStore;
    use std::os::unix::io::AsRawFd;

    /// SQLite's dead-man-switch byte in the `-shm` (`UNIX_SHM_DMS` in os_unix.c: 120 + 8).
    const DMS: libc::off_t = 128;

    /// Try for the DMS byte exclusively, as another process's SQLite does when it opens the
    /// `-shm`. An open-file-description lock conflicts with this process's own POSIX locks,
    /// so what it gets is what another process would get.
    fn another_process_would_be_alone(shm: &std::fs::File) -> bool {
        // SAFETY: a plain-old-data struct, all zeros is a valid value.
        let mut lock: libc::flock = unsafe { std::mem::zeroed() };
        lock.l_type = libc::F_WRLCK as libc::c_short;
        lock.l_whence = libc::SEEK_SET as libc::c_short;
        lock.l_start = DMS;
        lock.l_len = 1;
        // SAFETY: a valid descriptor and a valid `flock`.
        let got = unsafe { libc::fcntl(shm.as_raw_fd(), libc::F_OFD_SETLK, &lock) } == 0;
        if got {
            lock.l_type = libc::F_UNLCK as libc::c_short;
            // SAFETY: as above.
            unsafe { libc::fcntl(shm.as_raw_fd(), libc::F_OFD_SETLK, &lock) };
        }
        got
    }

    /// The SIGBUS of the HTTP suite. The view of the header used to open, map and close the
    /// `-shm` itself, and the close dropped this process's POSIX locks on it, SQLite's
    /// shared DMS lock included. Another process opening the database (the `warden` command
    /// line) then found itself alone and truncated the `-shm` to 3 bytes under this process's
    /// SQLite, whose next look past the first page of its 32 KiB mapping (the WAL hash
    /// tables) was a SIGBUS that killed the server.
    ///
    /// Here that other process is played out in full: if it would be alone, the file is
    /// truncated the way SQLite does and the store used (on the old code this test dies with
    /// SIGBUS); the store must keep the lock through its whole life instead, through reads
    /// on the pool, commits, checkpoints and connections of this process opening and closing.
    #[test]
    fn no_other_process_can_find_itself_alone_on_the_shm_while_a_store_is_open() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("w.db");
        let store = SqliteStore::open(&path, crate::clock::system()).unwrap();
        assert!(
            store.revision.probe.lock().unwrap().index.is_mapped(),
            "the -shm header is mapped"
        );
        let shm = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(dir.path().join("w.db-shm"))
            .unwrap();
        let bump = || {
            store
                .write(|tx| {
                    super::super::bump_revision(tx)?;
                    Ok(())
                })
                .unwrap()
        };
        let mut last = store.current_revision().unwrap();
        for round in 0..20 {
            if another_process_would_be_alone(&shm) {
                // What SQLite does next (unixLockSharedMemory), then the store carries on.
                shm.set_len(3).unwrap();
                bump();
                store
                    .read(|c| {
                        Ok(c.query_row("SELECT count(*) FROM meta", [], |r| r.get::<_, i64>(0))?)
                    })
                    .unwrap();
                store.current_revision().unwrap();
                panic!("round {round}: this process held no lock on the -shm; another process truncated it under the store's mappings");
            }
            bump();
            let now = store.current_revision().unwrap();
            assert_eq!(now, last + 1, "round {round}: the commit was not seen");
            last = now;
            store
                .read(|c| Ok(c.query_row("SELECT count(*) FROM meta", [], |r| r.get::<_, i64>(0))?))
                .unwrap();
            match round % 3 {
                // Another connection of this process comes and goes.
                0 => drop(rusqlite::Connection::open(&path).unwrap()),
                1 => store
                    .writer
                    .lock()
                    .unwrap()
                    .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                    .unwrap(),
                // The reader pool empties (connections closed) and fills again.
                _ => store.readers.lock().unwrap().clear(),
            }
        }
        // The store goes first: closing `shm` drops this process's POSIX locks on the file.
        drop(store);
        drop(shm);
    }
}
