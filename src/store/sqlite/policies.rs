//! Published policy sets (issue 29): immutable versions and the one that is active.

use super::{users, AdminRule, Audit, SqliteStore, StoreError};
use crate::publishing::PolicyFiles;
use crate::store::rows::{NewPolicyVersion, PolicyVersionRow};
use crate::store::{policy_audit, Conflict, Entity};
use rusqlite::{params, Connection, OptionalExtension, Row};

/// The columns of a [`PolicyVersionRow`]: never the files' texts.
const VERSION_COLUMNS: &str = "version, hash, author, created_at, message, rollback_of, file_names";

impl SqliteStore {
    /// Store `new` as the next version and make it active, only if the active version is
    /// still `expected_active` (see [`crate::store::Backend::publish_policy_version`]).
    ///
    /// Race: the check and the change are one `BEGIN IMMEDIATE` transaction, and SQLite
    /// lets one writer at a time hold the file (whichever process it is in), so of two
    /// publishes that expect the same active version the second reads the first's version
    /// as active and is refused; it writes nothing, not even its audit row.
    pub fn publish_policy_version(
        &self,
        new: &NewPolicyVersion,
        expected_active: Option<i64>,
        audit: Option<&Audit>,
    ) -> Result<i64, StoreError> {
        let names = to_json(&new.files.keys().collect::<Vec<_>>())?;
        let files = to_json(&new.files)?;
        self.write(|tx| {
            let active = active_in(tx)?;
            if active != expected_active {
                return Err(Conflict::PublishRace { active }.into());
            }
            if let Some(old) = new.rollback_of {
                if find(tx, old)?.is_none() {
                    return Err(StoreError::not_found(
                        Entity::PolicyVersion,
                        old.to_string(),
                    ));
                }
            }
            let version: i64 = tx.query_row(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM policy_versions",
                [],
                |r| r.get(0),
            )?;
            tx.execute(
                "INSERT INTO policy_versions \
                 (version, hash, author, created_at, message, rollback_of, file_names, files) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    version,
                    new.hash,
                    new.author,
                    new.created_at,
                    new.message,
                    new.rollback_of,
                    names,
                    files
                ],
            )?;
            tx.execute(
                "UPDATE policy_active SET version = ?1 WHERE id = 1",
                [version],
            )?;
            super::bump_revision(tx)?;
            let audit = audit.map(|a| policy_audit(a, version));
            self.record(tx, audit.as_ref(), None)?;
            Ok(version)
        })
    }

    /// Every version, newest first, without the files' texts.
    pub fn list_policy_versions(&self) -> Result<Vec<PolicyVersionRow>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {VERSION_COLUMNS} FROM policy_versions ORDER BY version DESC"
            ))?;
            let rows = stmt
                .query_map([], raw_row)?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter().map(RawRow::parse).collect()
        })
    }

    /// One version with its files.
    pub fn policy_version_files(
        &self,
        version: i64,
    ) -> Result<(PolicyVersionRow, PolicyFiles), StoreError> {
        self.read(|c| {
            let found = c
                .prepare_cached(&format!(
                    "SELECT {VERSION_COLUMNS}, files FROM policy_versions WHERE version = ?1"
                ))?
                .query_row([version], |r| Ok((raw_row(r)?, r.get::<_, String>(7)?)))
                .optional()?;
            let Some((row, files)) = found else {
                return Err(StoreError::not_found(
                    Entity::PolicyVersion,
                    version.to_string(),
                ));
            };
            Ok((row.parse()?, from_json(&files)?))
        })
    }

    /// The active version, if any.
    pub fn active_policy_version(&self) -> Result<Option<i64>, StoreError> {
        self.read(active_in)
    }

    /// Whether some enabled user passes `rule`, read in one snapshot (the role graph and
    /// the users as of one moment).
    pub fn any_user_passes(&self, rule: &AdminRule) -> Result<bool, StoreError> {
        self.read(|c| {
            let snapshot = c.unchecked_transaction()?;
            let passes = users::someone_passes(&snapshot, rule)?;
            snapshot.finish()?;
            Ok(passes)
        })
    }
}

/// The active version as `c` sees it.
fn active_in(c: &Connection) -> Result<Option<i64>, StoreError> {
    let active = c
        .prepare_cached("SELECT version FROM policy_active WHERE id = 1")?
        .query_row([], |r| r.get::<_, Option<i64>>(0))
        .optional()?;
    Ok(active.flatten())
}

/// Whether `version` exists, as `c` sees it.
fn find(c: &Connection, version: i64) -> Result<Option<i64>, StoreError> {
    Ok(
        c.prepare_cached("SELECT version FROM policy_versions WHERE version = ?1")?
            .query_row([version], |r| r.get(0))
            .optional()?,
    )
}

/// A version row as stored (its file names still JSON).
struct RawRow {
    row: PolicyVersionRow,
    names: String,
}

impl RawRow {
    fn parse(self) -> Result<PolicyVersionRow, StoreError> {
        Ok(PolicyVersionRow {
            file_names: from_json(&self.names)?,
            ..self.row
        })
    }
}

fn raw_row(r: &Row<'_>) -> rusqlite::Result<RawRow> {
    Ok(RawRow {
        row: PolicyVersionRow {
            version: r.get(0)?,
            hash: r.get(1)?,
            author: r.get(2)?,
            created_at: r.get(3)?,
            message: r.get(4)?,
            rollback_of: r.get(5)?,
            file_names: Vec::new(),
        },
        names: r.get(6)?,
    })
}

fn to_json(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Backend(Box::new(e)))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Backend(Box::new(e)))
}
