//! Signing keys and server secrets.

use super::{Audit, SqliteStore, StoreError};
use crate::store::rows::KeyRow;
use rusqlite::{params, OptionalExtension};

impl SqliteStore {
    /// Every signing key, newest first.
    pub fn keys(&self) -> Result<Vec<KeyRow>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT kid, alg, private_der, public_raw, created_at, retired_at FROM signing_keys ORDER BY created_at DESC, rowid DESC",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(KeyRow {
                        kid: r.get(0)?,
                        alg: r.get(1)?,
                        private_der: r.get(2)?,
                        public_raw: r.get(3)?,
                        created_at: r.get(4)?,
                        retired_at: r.get(5)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Add a new active key and retire the previous active ones (kept for verification).
    pub fn add_key(
        &self,
        kid: &str,
        alg: &str,
        private_der: &[u8],
        public_raw: &[u8],
        audit: Option<&Audit>,
    ) -> Result<(), StoreError> {
        self.write_audited(audit, |tx| {
            let t = self.now();
            tx.execute("UPDATE signing_keys SET retired_at = ?1 WHERE retired_at IS NULL", [t])?;
            tx.execute(
                "INSERT INTO signing_keys (kid, alg, private_der, public_raw, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![kid, alg, private_der, public_raw, t],
            )?;
            // Other processes and replicas reload their keys when the revision moves.
            super::bump_revision(tx)
        })
    }

    /// A named server secret; `fresh` is stored when there is none yet.
    pub fn secret(&self, name: &str, fresh: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        if let Some(v) = self.read(|c| {
            Ok(
                c.query_row("SELECT value FROM secrets WHERE name = ?1", [name], |r| {
                    r.get(0)
                })
                .optional()?,
            )
        })? {
            return Ok(v);
        }
        self.write(|tx| {
            tx.execute(
                "INSERT OR IGNORE INTO secrets (name, value) VALUES (?1, ?2)",
                params![name, fresh],
            )?;
            Ok(
                tx.query_row("SELECT value FROM secrets WHERE name = ?1", [name], |r| {
                    r.get(0)
                })?,
            )
        })
    }
}
