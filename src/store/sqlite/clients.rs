//! Service clients: API keys (stored hashed) for services that call the decision API.

use super::{bump_revision, Audit, SqliteStore, StoreError};
use crate::model::ClientName;
use crate::store::rows::ClientRow;
use crate::store::Invalid;
use crate::util::{random_id, sha256_hex};
use rusqlite::{params, OptionalExtension, Row};

fn client_from_row(r: &Row<'_>) -> rusqlite::Result<ClientRow> {
    Ok(ClientRow {
        id: r.get(0)?,
        name: r.get(1)?,
        created_at: r.get(2)?,
        revoked_at: r.get(3)?,
    })
}

impl SqliteStore {
    /// Create a client; returns it with its key (the only time the key is seen).
    /// The name is parsed as a [`ClientName`] here, the one funnel of the CLI and the API.
    pub fn create_client(
        &self,
        name: &str,
        audit: Option<&Audit>,
    ) -> Result<(ClientRow, String), StoreError> {
        let name = ClientName::parse(name).map_err(|e| Invalid::Name {
            what: "client name",
            problem: e.0,
        })?;
        let name = name.as_str();
        let id = random_id();
        let key = format!("wdn_{}", crate::util::random_token(32));
        self.write_audited(audit, |tx| {
            tx.execute(
                "INSERT INTO clients (id, name, key_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![id, name, sha256_hex(&key), self.now()],
            )?;
            Ok(())
        })?;
        Ok((self.client(&id)?, key))
    }

    /// One client.
    pub fn client(&self, id: &str) -> Result<ClientRow, StoreError> {
        self.read(|c| {
            c.query_row(
                "SELECT id, name, created_at, revoked_at FROM clients WHERE id = ?1",
                [id],
                client_from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::not_found(crate::store::Entity::Client, id))
        })
    }

    /// Every client.
    pub fn list_clients(&self) -> Result<Vec<ClientRow>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT id, name, created_at, revoked_at FROM clients ORDER BY created_at, id",
            )?;
            let rows = stmt
                .query_map([], client_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Revoke a client's key.
    pub fn revoke_client(&self, id: &str, audit: Option<&Audit>) -> Result<ClientRow, StoreError> {
        self.write_audited(audit, |tx| {
            let n = tx.execute(
                "UPDATE clients SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, self.now()],
            )?;
            if n == 0 {
                let exists: bool = tx.query_row(
                    "SELECT EXISTS(SELECT 1 FROM clients WHERE id = ?1)",
                    [id],
                    |r| r.get(0),
                )?;
                if !exists {
                    return Err(StoreError::not_found(crate::store::Entity::Client, id));
                }
                return Ok(());
            }
            // Live client keys are cached while the revision holds (see
            // `identity::Resolver::client`): a revoked key must stop working at once.
            bump_revision(tx)
        })?;
        self.client(id)
    }

    /// The live client holding `key`, if any. The lookup is by hash, so the comparison
    /// never touches the key's bytes in a data-dependent way.
    pub fn client_by_key(&self, key: &str) -> Result<Option<ClientRow>, StoreError> {
        let hash = sha256_hex(key);
        self.read(|c| {
            Ok(c.prepare_cached("SELECT id, name, created_at, revoked_at FROM clients WHERE key_hash = ?1 AND revoked_at IS NULL")?
                .query_row([hash], client_from_row)
                .optional()?)
        })
    }
}
