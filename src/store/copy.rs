//! `warden db copy`: move a SQLite database into PostgreSQL without losing a session.
//!
//! Every table that makes up warden's state (users, roles, role edges and assignments,
//! sessions, refresh tokens, revoked token ids, signing keys, server secrets, clients,
//! federated identities and the ID tokens already exchanged (a copy must not reopen a
//! replay), the published policy versions and which one is active; the audit and decision
//! logs when asked) is read from the SQLite file and written into an
//! empty PostgreSQL database in one transaction, and the row counts are compared before it
//! commits: either everything arrived or nothing did. Sign-in throttle counters and replica
//! heartbeats are not copied (they are short-lived).

use super::postgres::{Cell, TableData};
use super::sqlite::SqliteStore;
use super::StoreError;
use std::path::Path;

/// A column's type in both schemas (SQLite stores booleans as integers).
#[derive(Clone, Copy)]
enum Ty {
    Text,
    Int,
    Bool,
    Bytes,
}
use Ty::{Bool, Bytes, Int, Text};

/// The tables copied, in an order that satisfies the foreign keys, with their columns.
const STATE: &[(&str, &[(&str, Ty)])] = &[
    (
        "users",
        &[
            ("id", Text),
            ("email", Text),
            ("name", Text),
            ("password_hash", Text),
            ("disabled", Bool),
            ("tokens_valid_after", Int),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    ),
    ("roles", &[("name", Text), ("created_at", Int)]),
    ("role_parents", &[("role", Text), ("parent", Text)]),
    (
        "user_roles",
        &[("user_id", Text), ("role", Text), ("position", Int)],
    ),
    (
        "sessions",
        &[
            ("id", Text),
            ("user_id", Text),
            ("created_at", Int),
            ("last_used_at", Int),
            ("expires_at", Int),
            ("revoked_at", Int),
            ("revoked_reason", Text),
        ],
    ),
    (
        "refresh_tokens",
        &[
            ("hash", Text),
            ("session_id", Text),
            ("created_at", Int),
            ("used_at", Int),
            ("successor_hash", Text),
        ],
    ),
    (
        "revoked_tokens",
        &[("jti", Text), ("expires_at", Int), ("revoked_at", Int)],
    ),
    (
        "signing_keys",
        &[
            ("kid", Text),
            ("alg", Text),
            ("private_der", Bytes),
            ("public_raw", Bytes),
            ("created_at", Int),
            ("retired_at", Int),
        ],
    ),
    ("secrets", &[("name", Text), ("value", Bytes)]),
    (
        "clients",
        &[
            ("id", Text),
            ("name", Text),
            ("key_hash", Text),
            ("created_at", Int),
            ("revoked_at", Int),
        ],
    ),
    (
        "identities",
        &[
            ("issuer", Text),
            ("subject", Text),
            ("user_id", Text),
            ("created_at", Int),
        ],
    ),
    (
        "exchanged_tokens",
        &[("issuer", Text), ("token_hash", Text), ("expires_at", Int)],
    ),
    // In version order (a rollback names an older version).
    (
        "policy_versions",
        &[
            ("version", Int),
            ("hash", Text),
            ("author", Text),
            ("created_at", Int),
            ("message", Text),
            ("rollback_of", Int),
            ("file_names", Text),
            ("files", Text),
        ],
    ),
];

/// The logs, copied with `--with-logs` (ids kept).
const LOGS: &[(&str, &[(&str, Ty)])] = &[
    (
        "audit_log",
        &[
            ("id", Int),
            ("at", Int),
            ("actor", Text),
            ("action", Text),
            ("target", Text),
            ("detail", Text),
            ("address", Text),
        ],
    ),
    (
        "decision_log",
        &[
            ("id", Int),
            ("at", Int),
            ("request_id", Text),
            ("client", Text),
            ("principal", Text),
            ("action", Text),
            ("resource", Text),
            ("decision", Text),
            ("reasons", Text),
            ("errors", Text),
            ("latency_us", Int),
            ("properties", Text),
            ("context", Text),
            ("address", Text),
        ],
    ),
];

/// How many rows of each table were copied (and found again in the target).
pub type CopyReport = Vec<(String, i64)>;

/// Copy the SQLite database at `from` into the empty PostgreSQL database at `to`.
pub async fn copy_sqlite_to_postgres(
    from: &Path,
    to: &str,
    with_logs: bool,
) -> Result<CopyReport, StoreError> {
    if !from.exists() {
        return Err(StoreError::Missing {
            path: from.display().to_string(),
        });
    }
    let path = from.to_path_buf();
    let tables: Vec<_> = STATE
        .iter()
        .chain(if with_logs { LOGS } else { &[] })
        .copied()
        .collect();
    let read_tables = tables.clone();
    let (revision, data, active_policy) = tokio::task::spawn_blocking(move || {
        let db = SqliteStore::open(&path, crate::clock::system())?;
        let revision = db.revision()?;
        // Read before the versions: a version published meanwhile is copied too, while the
        // active one is never a version the copy lacks.
        let active_policy = db.active_policy_version()?;
        let data = read_tables
            .iter()
            .map(|(name, columns)| read_table(&db, name, columns))
            .collect::<Result<Vec<_>, _>>()?;
        Ok::<_, StoreError>((revision, data, active_policy))
    })
    .await
    .map_err(|_| StoreError::Unavailable)??;
    let target = super::postgres::Postgres::connect(to, crate::clock::system()).await?;
    target.import(data, revision, active_policy).await
}

/// The replicas of the SQLite database `from` heard from at or after `seen_since`: servers
/// still running on it (read before a copy, whose snapshot would miss what they write next).
pub async fn live_replicas(
    from: &Path,
    seen_since: i64,
) -> Result<Vec<super::ReplicaRow>, StoreError> {
    if !from.exists() {
        return Err(StoreError::Missing {
            path: from.display().to_string(),
        });
    }
    let path = from.to_path_buf();
    tokio::task::spawn_blocking(move || {
        SqliteStore::open(&path, crate::clock::system())?.list_replicas(seen_since)
    })
    .await
    .map_err(|_| StoreError::Unavailable)?
}

fn read_table(
    db: &SqliteStore,
    name: &'static str,
    columns: &[(&'static str, Ty)],
) -> Result<TableData, StoreError> {
    let names: Vec<&'static str> = columns.iter().map(|(c, _)| *c).collect();
    let sql = format!("SELECT {} FROM {name} ORDER BY rowid", names.join(", "));
    let rows = db.read(|c| {
        let mut stmt = c.prepare(&sql)?;
        let rows = stmt
            .query_map([], |r| {
                columns
                    .iter()
                    .enumerate()
                    .map(|(i, (_, ty))| {
                        Ok(match ty {
                            Text => Cell::Text(r.get(i)?),
                            Int => Cell::Int(r.get(i)?),
                            Bool => Cell::Bool(r.get::<_, Option<i64>>(i)?.map(|v| v != 0)),
                            Bytes => Cell::Bytes(r.get(i)?),
                        })
                    })
                    .collect::<rusqlite::Result<Vec<Cell>>>()
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    })?;
    Ok(TableData {
        name,
        columns: names,
        rows,
    })
}
