//! Published policy sets (issue 29): immutable versions and the one that is active.

use super::*;
use crate::publishing::PolicyFiles;
use crate::store::policy_audit;
use crate::store::rows::{NewPolicyVersion, PolicyVersionRow};

/// The columns of a [`PolicyVersionRow`]: never the files' texts.
const VERSION_COLUMNS: &str = "version, hash, author, created_at, message, rollback_of, file_names";

impl Postgres {
    /// Store `new` as the next version and make it active, only if the active version is
    /// still `expected_active` (see [`crate::store::Backend::publish_policy_version`]).
    ///
    /// Race (two replicas publishing at once): the one-row `policy_active` is read
    /// `FOR UPDATE` first, so a second publish waits on the first's row lock; when the first
    /// commits, READ COMMITTED hands the second the row as committed, with the new version
    /// active, and it is refused without writing anything. The version number is the
    /// primary key, the backstop should anything write versions without that lock: a
    /// duplicate is refused the same way. The row lock comes before the revision row, which
    /// [`Write::finish`] updates last (the lock order of every write).
    pub(super) async fn publish_policy_version(
        &self,
        new: &NewPolicyVersion,
        expected_active: Option<i64>,
        audit: Option<&Audit>,
    ) -> Result<i64, StoreError> {
        let names = to_json(&new.files.keys().collect::<Vec<_>>())?;
        let files = to_json(&new.files)?;
        let mut conn = self.conn().await?;
        let mut w = self
            .write(&mut conn, Kind::Revision, Change::default())
            .await?;
        // On an error `w` is dropped unfinished: the transaction rolls back.
        let version = publish_in(w.tx(), new, expected_active, &names, &files).await?;
        if let Some(audit) = audit {
            w.record(policy_audit(audit, version));
        }
        w.finish().await?;
        Ok(version)
    }

    pub(super) async fn list_policy_versions(&self) -> Result<Vec<PolicyVersionRow>, StoreError> {
        let conn = self.conn().await?;
        let rows = query(
            &conn,
            &format!("SELECT {VERSION_COLUMNS} FROM policy_versions ORDER BY version DESC"),
            &[],
        )
        .await?;
        rows.iter().map(version_row).collect()
    }

    pub(super) async fn policy_version_files(
        &self,
        version: i64,
    ) -> Result<(PolicyVersionRow, PolicyFiles), StoreError> {
        let conn = self.conn().await?;
        let row = query_opt(
            &conn,
            &format!("SELECT {VERSION_COLUMNS}, files FROM policy_versions WHERE version = $1"),
            &[&version],
        )
        .await?
        .ok_or_else(|| StoreError::not_found(Entity::PolicyVersion, version.to_string()))?;
        let files: String = row.try_get(7)?;
        Ok((version_row(&row)?, from_json(&files)?))
    }

    pub(super) async fn active_policy_version(&self) -> Result<Option<i64>, StoreError> {
        let conn = self.conn().await?;
        active_in(&conn).await
    }

    /// Whether some enabled user passes `rule`, read in one snapshot (REPEATABLE READ: the
    /// role graph and the users as of one moment).
    pub(super) async fn any_user_passes(&self, rule: &AdminRule) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let tx = conn
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let passes = users::someone_passes(&tx, rule).await?;
        tx.commit().await?;
        Ok(passes)
    }
}

/// The checks and statements of a publish, in its transaction (see
/// [`Postgres::publish_policy_version`]).
async fn publish_in(
    tx: &Transaction<'_>,
    new: &NewPolicyVersion,
    expected_active: Option<i64>,
    names: &str,
    files: &str,
) -> Result<i64, StoreError> {
    let active: Option<i64> = query_one(
        tx,
        "SELECT version FROM policy_active WHERE id = 1 FOR UPDATE",
        &[],
    )
    .await?
    .try_get(0)?;
    if active != expected_active {
        return Err(Conflict::PublishRace { active }.into());
    }
    if let Some(old) = new.rollback_of {
        let found = query_opt(
            tx,
            "SELECT version FROM policy_versions WHERE version = $1",
            &[&old],
        )
        .await?;
        if found.is_none() {
            return Err(StoreError::not_found(
                Entity::PolicyVersion,
                old.to_string(),
            ));
        }
    }
    let version: i64 = query_one(
        tx,
        "SELECT COALESCE(MAX(version), 0) + 1 FROM policy_versions",
        &[],
    )
    .await?
    .try_get(0)?;
    let statement = tx
        .prepare_cached(
            "INSERT INTO policy_versions \
             (version, hash, author, created_at, message, rollback_of, file_names, files) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .await?;
    tx.execute(
        &statement,
        &[
            &version,
            &new.hash,
            &new.author,
            &new.created_at,
            &new.message,
            &new.rollback_of,
            &names,
            &files,
        ],
    )
    .await
    // The backstop: another transaction inserted this number and committed while this one
    // waited on it, so that version is the one active now.
    .map_err(|e| {
        conflict_on_unique(e, || Conflict::PublishRace {
            active: Some(version),
        })
    })?;
    execute(
        tx,
        "UPDATE policy_active SET version = $1 WHERE id = 1",
        &[&version],
    )
    .await?;
    Ok(version)
}

/// The active version as `c` sees it.
async fn active_in(c: &impl GenericClient) -> Result<Option<i64>, StoreError> {
    let row = query_opt(c, "SELECT version FROM policy_active WHERE id = 1", &[]).await?;
    Ok(match row {
        Some(row) => row.try_get(0)?,
        None => None,
    })
}

fn version_row(r: &Row) -> Result<PolicyVersionRow, StoreError> {
    let names: String = r.try_get(6)?;
    Ok(PolicyVersionRow {
        version: r.try_get(0)?,
        hash: r.try_get(1)?,
        author: r.try_get(2)?,
        created_at: r.try_get(3)?,
        message: r.try_get(4)?,
        rollback_of: r.try_get(5)?,
        file_names: from_json(&names)?,
    })
}

fn to_json(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Backend(Box::new(e)))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Backend(Box::new(e)))
}
