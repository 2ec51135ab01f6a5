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

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Both copies of the header, as 12 words.
const WORDS: usize = 12;

pub(super) type Header = [u64; WORDS];

/// The mapped first page of a `-shm` file.
pub(super) struct WalIndex {
    ptr: *mut libc::c_void,
    len: usize,
}

// SAFETY: the mapping is read-only and only read through atomic loads; it lives until drop.
unsafe impl Send for WalIndex {}
// SAFETY: as above; concurrent atomic loads of shared memory are sound.
unsafe impl Sync for WalIndex {}

impl WalIndex {
    /// Map the header of the `-shm` file beside `db`; `None` when there is none to map (no
    /// WAL mode yet, another platform): the caller then asks SQLite every time.
    #[cfg(unix)]
    pub(super) fn open(db: &Path) -> Option<WalIndex> {
        use std::os::unix::io::AsRawFd;
        let mut name = db.as_os_str().to_owned();
        name.push("-shm");
        let file = std::fs::File::open(&name).ok()?;
        let len = 4096;
        if file.metadata().ok()?.len() < len as u64 {
            return None;
        }
        // SAFETY: a fresh read-only shared mapping of an open file's first page; the file
        // descriptor may be closed afterwards (the mapping keeps the file).
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return None;
        }
        Some(WalIndex { ptr, len })
    }

    #[cfg(not(unix))]
    pub(super) fn open(_db: &Path) -> Option<WalIndex> {
        None
    }

    /// The header's bytes now.
    pub(super) fn header(&self) -> Header {
        let words = self.ptr as *const AtomicU64;
        let mut out = [0u64; WORDS];
        for (i, word) in out.iter_mut().enumerate() {
            // SAFETY: `i < 12`, so the word lies in the mapped page, which is 8-aligned (a
            // page); atomics are how memory shared with other processes is read.
            *word = unsafe { (*words.add(i)).load(Ordering::Acquire) };
        }
        out
    }
}

impl Drop for WalIndex {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `open`, unmapped once.
        unsafe {
            libc::munmap(self.ptr, self.len);
        }
    }
}
