//! Writing a whole copied database (see `store::copy`) in one transaction.

use super::{execute, query_one, Postgres};
use crate::store::{Conflict, StoreError};
use tokio_postgres::types::ToSql;

/// One copied value, typed as its PostgreSQL column.
#[derive(Debug)]
pub enum Cell {
    Text(Option<String>),
    Int(Option<i64>),
    Bool(Option<bool>),
    Bytes(Option<Vec<u8>>),
}

impl Cell {
    fn as_sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Cell::Text(v) => v,
            Cell::Int(v) => v,
            Cell::Bool(v) => v,
            Cell::Bytes(v) => v,
        }
    }
}

/// The rows of one table, in the named columns.
pub struct TableData {
    pub name: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

impl Postgres {
    /// Write `tables` into this (empty) database in one transaction, with the revision
    /// counter moved past `revision` and `active_policy` the active policy version; the
    /// count of every table (and the active version) is checked before commit.
    pub(in crate::store) async fn import(
        &self,
        tables: Vec<TableData>,
        revision: i64,
        active_policy: Option<i64>,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        let users: i64 = query_one(&tx, "SELECT COUNT(*) FROM users", &[])
            .await?
            .try_get(0)?;
        let keys: i64 = query_one(&tx, "SELECT COUNT(*) FROM signing_keys", &[])
            .await?
            .try_get(0)?;
        if users > 0 || keys > 0 {
            return Err(Conflict::TargetNotEmpty.into());
        }
        let mut report = Vec::new();
        for table in &tables {
            let placeholders: Vec<String> =
                (1..=table.columns.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                table.name,
                table.columns.join(", "),
                placeholders.join(", ")
            );
            let statement = tx.prepare(&sql).await?;
            for row in &table.rows {
                let params: Vec<&(dyn ToSql + Sync)> = row.iter().map(Cell::as_sql).collect();
                tx.execute(&statement, &params).await?;
            }
            let found: i64 = query_one(&tx, &format!("SELECT COUNT(*) FROM {}", table.name), &[])
                .await?
                .try_get(0)?;
            if found != table.rows.len() as i64 {
                return Err(Conflict::CopyIncomplete {
                    table: table.name.to_string(),
                    copied: table.rows.len(),
                    found,
                }
                .into());
            }
            if table.columns.first() == Some(&"id")
                && matches!(table.name, "audit_log" | "decision_log")
            {
                // Ids were copied: new rows continue after them.
                execute(
                    &tx,
                    &format!(
                        "SELECT setval(pg_get_serial_sequence('{0}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM {0}), 1))",
                        table.name
                    ),
                    &[],
                )
                .await?;
            }
            report.push((table.name.to_owned(), found));
        }
        // The active policy version: the one row the target's migration made, moved.
        let found: Option<i64> = query_one(
            &tx,
            "UPDATE policy_active SET version = $1 WHERE id = 1 RETURNING version",
            &[&active_policy],
        )
        .await?
        .try_get(0)?;
        if found != active_policy {
            return Err(Conflict::CopyIncomplete {
                table: "policy_active".into(),
                copied: usize::from(active_policy.is_some()),
                found: i64::from(found.is_some()),
            }
            .into());
        }
        report.push(("policy_active".to_owned(), i64::from(found.is_some())));
        execute(
            &tx,
            "UPDATE meta SET value = GREATEST(value, $1) + 1 WHERE key = 'revision'",
            &[&revision],
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }
}
