//! The audit log (who changed what) and the decision log (every allow/deny).

use super::{SqliteStore, StoreError};
use crate::model::DecisionKind;
use crate::store::rows::{
    capped_json, AuditRow, Bound, DecisionFilter, DecisionRow, DecisionStats,
};
use rusqlite::{params, Connection};

pub(crate) fn audit_in(conn: &Connection, audit: &super::Audit, at: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, target, detail, address) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            at,
            audit.actor,
            audit.action,
            audit.target,
            audit.detail.to_string(),
            audit.address
        ],
    )?;
    Ok(())
}

impl SqliteStore {
    /// Write an audit row on its own.
    pub fn audit(&self, audit: &super::Audit) -> Result<(), StoreError> {
        self.write_audited(Some(audit), |_| Ok(()))
    }

    /// Audit rows, newest first, optionally filtered by actor or action.
    pub fn list_audit(
        &self,
        actor: Option<&str>,
        action: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT id, at, actor, action, target, detail, address FROM audit_log \
                 WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR action = ?2) ORDER BY id DESC LIMIT ?3",
            )?;
            let rows = stmt
                .query_map(params![actor, action, limit], |r| {
                    let detail: String = r.get(5)?;
                    Ok(AuditRow {
                        id: r.get(0)?,
                        at: r.get(1)?,
                        actor: r.get(2)?,
                        action: r.get(3)?,
                        target: r.get(4)?,
                        detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
                        address: r.get(6)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Append a batch of decisions in one transaction and keep at most `retain` rows.
    pub fn append_decisions(&self, rows: &[DecisionRow], retain: i64) -> Result<(), StoreError> {
        self.write(|tx| {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO decision_log (at, request_id, client, principal, action, resource, decision, reasons, errors, latency_us, properties, context, address) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?;
            for d in rows {
                stmt.execute(params![
                    d.at,
                    d.request_id,
                    d.client,
                    d.principal,
                    d.action,
                    d.resource,
                    d.decision.as_str(),
                    serde_json::to_string(&d.reasons).unwrap_or_default(),
                    serde_json::to_string(&d.errors).unwrap_or_default(),
                    d.latency_us,
                    capped_json(&d.properties),
                    capped_json(&d.context),
                    d.address
                ])?;
            }
            tx.execute(
                "DELETE FROM decision_log WHERE id <= (SELECT MAX(id) FROM decision_log) - ?1",
                [retain],
            )?;
            Ok(())
        })
    }

    /// Logged decisions matching `f`, newest first. Only the filters present become
    /// predicates (see [`DecisionFilter::sql`]), so each shape of query has its own
    /// cached statement and SQLite picks the index of the column it filters on.
    pub fn query_decisions(&self, f: &DecisionFilter) -> Result<Vec<DecisionRow>, StoreError> {
        let (sql, values) = f.sql(|n| format!("?{n}"));
        let params: Vec<rusqlite::types::Value> = values
            .into_iter()
            .map(|v| match v {
                Bound::Text(t) => rusqlite::types::Value::Text(t.to_owned()),
                Bound::Int(i) => rusqlite::types::Value::Integer(i),
            })
            .collect();
        self.read(|c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(params.iter()), |r| {
                    let reasons: String = r.get(7)?;
                    let errors: String = r.get(8)?;
                    let decision: String = r.get(6)?;
                    Ok(DecisionRow {
                        id: r.get(10)?,
                        at: r.get(0)?,
                        request_id: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                        client: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        principal: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                        action: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                        resource: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                        decision: DecisionKind::parse(&decision).map_err(|e| {
                            rusqlite::Error::FromSqlConversionFailure(
                                6,
                                rusqlite::types::Type::Text,
                                Box::new(e),
                            )
                        })?,
                        reasons: serde_json::from_str(&reasons).unwrap_or_default(),
                        errors: serde_json::from_str(&errors).unwrap_or_default(),
                        latency_us: r.get(9)?,
                        properties: serde_json::from_str(&r.get::<_, String>(11)?)
                            .unwrap_or_default(),
                        context: serde_json::from_str(&r.get::<_, String>(12)?).unwrap_or_default(),
                        address: r.get(13)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Counts for a dashboard: decisions by outcome since `since`, and the most denied
    /// actions.
    pub fn decision_stats(&self, since: i64) -> Result<DecisionStats, StoreError> {
        self.read(|c| {
            let (allowed, denied): (i64, i64) = c.query_row(
                "SELECT COALESCE(SUM(decision = 'allow'), 0), COALESCE(SUM(decision = 'deny'), 0) FROM decision_log WHERE at >= ?1",
                [since],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let mut stmt = c.prepare(
                "SELECT action, COUNT(*) AS n FROM decision_log WHERE decision = 'deny' AND at >= ?1 \
                 GROUP BY action ORDER BY n DESC, action LIMIT 5",
            )?;
            let top_denied = stmt
                .query_map([since], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<(String, i64)>, _>>()?;
            let last_id = c.query_row("SELECT COALESCE(MAX(id), 0) FROM decision_log", [], |r| r.get(0))?;
            Ok(DecisionStats { allowed, denied, top_denied, last_id })
        })
    }
}
