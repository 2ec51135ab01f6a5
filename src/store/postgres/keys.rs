//! Signing keys and named server secrets.

use super::*;

impl Postgres {
    pub(super) async fn secret(&self, name: &str, fresh: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        // The insert either lands or meets the row of whoever won; both read that row.
        let conn = self.conn().await?;
        execute(
            &conn,
            "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            &[&name, &fresh],
        )
        .await?;
        Ok(
            query_one(&conn, "SELECT value FROM secrets WHERE name = $1", &[&name])
                .await?
                .try_get(0)?,
        )
    }

    pub(super) async fn replace_secret(
        &self,
        name: &str,
        value: Vec<u8>,
    ) -> Result<(), StoreError> {
        let conn = self.conn().await?;
        execute(
            &conn,
            "INSERT INTO secrets (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
            &[&name, &value],
        )
        .await?;
        Ok(())
    }

    pub(super) async fn keys(&self) -> Result<Vec<KeyRow>, StoreError> {
        let conn = self.conn().await?;
        let rows = query(
            &conn,
            "SELECT kid, alg, private_der, public_raw, created_at, retired_at FROM signing_keys ORDER BY created_at DESC, seq DESC",
            &[],
        )
        .await?;
        rows.iter()
            .map(|r| {
                Ok(KeyRow {
                    kid: r.try_get(0)?,
                    alg: r.try_get(1)?,
                    private_der: r.try_get(2)?,
                    public_raw: r.try_get(3)?,
                    created_at: r.try_get(4)?,
                    retired_at: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// Two replicas rotating at once take turns on an advisory lock, so the second retires
    /// the first's key and exactly one key stays active (an UPDATE alone would not see a
    /// row inserted by a transaction that committed after the statement began).
    pub(super) async fn add_key(
        &self,
        kid: &str,
        alg: &str,
        private_der: &[u8],
        public_raw: &[u8],
        audit: Option<&Audit>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let w = self.write(&mut conn, Kind::Revision, audit.into()).await?;
        let tx = w.tx();
        execute(tx, "SELECT pg_advisory_xact_lock($1)", &[&KEYS_LOCK]).await?;
        let t = self.now();
        execute(
            tx,
            "UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL",
            &[&t],
        )
        .await?;
        execute(
            tx,
            "INSERT INTO signing_keys (kid, alg, private_der, public_raw, created_at) VALUES ($1, $2, $3, $4, $5)",
            &[&kid, &alg, &private_der, &public_raw, &t],
        )
        .await?;
        // Other replicas reload their keys when the revision moves (NOTIFY).
        w.finish().await
    }
}
