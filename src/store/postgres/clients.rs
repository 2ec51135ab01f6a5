//! Service clients and their keys.

use super::*;

fn client_from_row(r: &Row) -> Result<ClientRow, StoreError> {
    Ok(ClientRow {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        created_at: r.try_get(2)?,
        revoked_at: r.try_get(3)?,
    })
}

impl Postgres {
    pub(super) async fn create_client(
        &self,
        name: &str,
        audit: Option<&Audit>,
    ) -> Result<(ClientRow, String), StoreError> {
        let name = ClientName::parse(name).map_err(|e| Invalid::Name {
            what: "client name",
            problem: e.0,
        })?;
        let id = random_id();
        let key = format!("wdn_{}", crate::util::random_token(32));
        let mut conn = self.conn().await?;
        let w = self.write(&mut conn, Kind::Quiet, audit.into()).await?;
        let tx = w.tx();
        let row = query_one(
            tx,
            "INSERT INTO clients (id, name, key_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id, name, created_at, revoked_at",
            &[&id, &name.as_str(), &sha256_hex(&key), &self.now()],
        )
        .await?;
        let row = client_from_row(&row)?;
        w.finish().await?;
        Ok((row, key))
    }

    pub(super) async fn client(&self, id: &str) -> Result<ClientRow, StoreError> {
        let conn = self.conn().await?;
        query_opt(
            &conn,
            "SELECT id, name, created_at, revoked_at FROM clients WHERE id = $1",
            &[&id],
        )
        .await?
        .map(|r| client_from_row(&r))
        .transpose()?
        .ok_or_else(|| StoreError::not_found(Entity::Client, id))
    }

    pub(super) async fn list_clients(&self) -> Result<Vec<ClientRow>, StoreError> {
        let conn = self.conn().await?;
        let rows = query(
            &conn,
            "SELECT id, name, created_at, revoked_at FROM clients ORDER BY created_at, id",
            &[],
        )
        .await?;
        rows.iter().map(client_from_row).collect()
    }

    pub(super) async fn revoke_client(
        &self,
        id: &str,
        audit: Option<&Audit>,
    ) -> Result<ClientRow, StoreError> {
        let mut conn = self.conn().await?;
        let mut w = self.write(&mut conn, Kind::Revision, audit.into()).await?;
        let tx = w.tx();
        let n = execute(
            tx,
            "UPDATE clients SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            &[&id, &self.now()],
        )
        .await?;
        let row = query_opt(
            tx,
            "SELECT id, name, created_at, revoked_at FROM clients WHERE id = $1",
            &[&id],
        )
        .await?
        .map(|r| client_from_row(&r))
        .transpose()?
        .ok_or_else(|| StoreError::not_found(Entity::Client, id))?;
        // Live client keys are cached while the revision holds (see
        // `identity::Resolver::client`): a revoked key must stop working at once.
        w.bump(n > 0);
        w.finish().await?;
        Ok(row)
    }

    pub(super) async fn client_by_key(&self, key: &str) -> Result<Option<ClientRow>, StoreError> {
        let conn = self.conn().await?;
        query_opt(
            &conn,
            "SELECT id, name, created_at, revoked_at FROM clients WHERE key_hash = $1 AND revoked_at IS NULL",
            &[&sha256_hex(key)],
        )
        .await?
        .map(|r| client_from_row(&r))
        .transpose()
    }
}
