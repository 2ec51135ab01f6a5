//! The audit log and the decision log.

use super::*;
use crate::model::DecisionKind;
use crate::store::rows::Bound;

impl Postgres {
    pub(super) async fn audit(&self, audit: &Audit) -> Result<(), StoreError> {
        let conn = self.conn().await?;
        audit_row(&conn, audit, self.now()).await
    }

    pub(super) async fn list_audit(
        &self,
        actor: Option<&str>,
        action: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let conn = self.conn().await?;
        let rows = query(
            &conn,
            "SELECT id, at, actor, action, target, detail, address FROM audit_log \
             WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2) ORDER BY id DESC LIMIT $3",
            &[&actor, &action, &limit.max(0)],
        )
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditRow {
                    id: r.try_get(0)?,
                    at: r.try_get(1)?,
                    actor: r.try_get(2)?,
                    action: r.try_get(3)?,
                    target: r.try_get(4)?,
                    detail: serde_json::from_str(r.try_get(5)?).unwrap_or(serde_json::Value::Null),
                    address: r.try_get(6)?,
                })
            })
            .collect()
    }

    pub(super) async fn append_decisions(
        &self,
        rows: &[DecisionRow],
        retain: i64,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let w = self
            .write(&mut conn, Kind::Quiet, Change::default())
            .await?;
        let tx = w.tx();
        // One statement for the whole batch (the columns as arrays, unnested in order): a
        // statement per row would be a round trip per decision, awaited one after another,
        // and the load run showed that cost on every replica's CPU.
        let mut at = Vec::with_capacity(rows.len());
        let mut request_id = Vec::with_capacity(rows.len());
        let mut client = Vec::with_capacity(rows.len());
        let mut principal = Vec::with_capacity(rows.len());
        let mut action = Vec::with_capacity(rows.len());
        let mut resource = Vec::with_capacity(rows.len());
        let mut decision = Vec::with_capacity(rows.len());
        let mut reasons = Vec::with_capacity(rows.len());
        let mut errors = Vec::with_capacity(rows.len());
        let mut latency_us = Vec::with_capacity(rows.len());
        let mut properties = Vec::with_capacity(rows.len());
        let mut context = Vec::with_capacity(rows.len());
        let mut address = Vec::with_capacity(rows.len());
        for d in rows {
            address.push(d.address.as_str());
            at.push(d.at);
            request_id.push(d.request_id.as_str());
            client.push(d.client.as_str());
            principal.push(d.principal.as_str());
            action.push(d.action.as_str());
            resource.push(d.resource.as_str());
            decision.push(d.decision.as_str());
            reasons.push(serde_json::to_string(&d.reasons).unwrap_or_default());
            errors.push(serde_json::to_string(&d.errors).unwrap_or_default());
            latency_us.push(d.latency_us);
            properties.push(capped_json(&d.properties));
            context.push(capped_json(&d.context));
        }
        execute(
            tx,
            "INSERT INTO decision_log (at, request_id, client, principal, action, resource, decision, reasons, errors, latency_us, properties, context, address) \
             SELECT at, request_id, client, principal, action, resource, decision, reasons, errors, latency_us, properties, context, address \
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::text[], $12::text[], $13::text[]) \
             WITH ORDINALITY AS b(at, request_id, client, principal, action, resource, decision, reasons, errors, latency_us, properties, context, address, n) \
             ORDER BY n",
            &[
                &at,
                &request_id,
                &client,
                &principal,
                &action,
                &resource,
                &decision,
                &reasons,
                &errors,
                &latency_us,
                &properties,
                &context,
                &address,
            ],
        )
        .await?;
        // Every replica trims the shared log to the same bound; rows being trimmed by
        // another replica are skipped rather than waited for.
        execute(
            tx,
            "DELETE FROM decision_log WHERE id IN (SELECT id FROM decision_log WHERE id <= (SELECT MAX(id) FROM decision_log) - $1 FOR UPDATE SKIP LOCKED)",
            &[&retain],
        )
        .await?;
        w.finish().await
    }

    pub(super) async fn query_decisions(
        &self,
        f: &DecisionFilter,
    ) -> Result<Vec<DecisionRow>, StoreError> {
        // Only the filters present become predicates (see `DecisionFilter::sql`): each
        // shape is its own prepared statement, planned with the index it can use.
        let (sql, values) = f.sql(|n| format!("${n}"));
        let params: Vec<&(dyn ToSql + Sync)> = values
            .iter()
            .map(|v| match v {
                Bound::Text(t) => t as &(dyn ToSql + Sync),
                Bound::Int(i) => i as &(dyn ToSql + Sync),
            })
            .collect();
        let conn = self.conn().await?;
        let rows = query(&conn, &sql, &params).await?;
        rows.iter()
            .map(|r| {
                let decision: &str = r.try_get(6)?;
                Ok(DecisionRow {
                    id: r.try_get(10)?,
                    at: r.try_get(0)?,
                    request_id: r.try_get::<_, Option<String>>(1)?.unwrap_or_default(),
                    client: r.try_get::<_, Option<String>>(2)?.unwrap_or_default(),
                    principal: r.try_get::<_, Option<String>>(3)?.unwrap_or_default(),
                    action: r.try_get::<_, Option<String>>(4)?.unwrap_or_default(),
                    resource: r.try_get::<_, Option<String>>(5)?.unwrap_or_default(),
                    decision: DecisionKind::parse(decision)
                        .map_err(|e| StoreError::Backend(Box::new(e)))?,
                    reasons: serde_json::from_str(r.try_get(7)?).unwrap_or_default(),
                    errors: serde_json::from_str(r.try_get(8)?).unwrap_or_default(),
                    latency_us: r.try_get(9)?,
                    properties: serde_json::from_str(r.try_get(11)?).unwrap_or_default(),
                    context: serde_json::from_str(r.try_get(12)?).unwrap_or_default(),
                    address: r.try_get(13)?,
                })
            })
            .collect()
    }

    pub(super) async fn decision_stats(&self, since: i64) -> Result<DecisionStats, StoreError> {
        let conn = self.conn().await?;
        let counts = query_one(
            &conn,
            "SELECT COUNT(*) FILTER (WHERE decision = 'allow'), COUNT(*) FILTER (WHERE decision = 'deny'), \
             (SELECT COALESCE(MAX(id), 0) FROM decision_log) FROM decision_log WHERE at >= $1",
            &[&since],
        )
        .await?;
        let top = query(
            &conn,
            "SELECT COALESCE(action, ''), COUNT(*) AS n FROM decision_log WHERE decision = 'deny' AND at >= $1 \
             GROUP BY action ORDER BY n DESC, action LIMIT 5",
            &[&since],
        )
        .await?;
        Ok(DecisionStats {
            allowed: counts.try_get(0)?,
            denied: counts.try_get(1)?,
            top_denied: top
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_, StoreError>>()?,
            last_id: counts.try_get(2)?,
        })
    }
}
