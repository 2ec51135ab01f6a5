//! Query plans: which resources of a type may the principal act on? Cedar's type-aware
//! partial evaluation (`PolicySet::tpe`, the `tpe` feature) evaluates the policies with the
//! resource left unknown; what is left of each policy (its residual) is a condition on the
//! resource, turned here into the plan's tree ([`crate::plan::Expr`]): permits or-ed, forbids
//! negated and and-ed, folded.
//!
//! The principal, its roles, the action and the context are built exactly as for a single
//! decision, and the policies evaluated are the index's slice for that principal and action
//! over every resource, so a plan and a decision read the same policies the same way.
//!
//! Split by job: [`residual`] reads one residual policy into the tree (membership against
//! the decision's known entities, `is`, record paths, ...), [`shapes`] answers what the
//! schema says about an attribute's type.
//!
//! Fail closed: a residual the tree cannot express (arithmetic, an extension function,
//! membership between two unknowns, an attribute of a referenced entity) makes the plan
//! `unsupported`, never a looser condition; a policy that errors for every resource makes
//! the plan deny everything, as warden's decisions deny on any evaluation error.

mod residual;
mod shapes;

use super::{entity_uid, full_error, index, principal_entities, PolicyBundle, Principal};
use crate::plan::{Expr, Plan};
use cedar_policy::{
    Context, Entities, EntityTypeName, PartialEntities, PartialEntityUid, PartialRequest,
};
use serde_json::{json, Value};
use std::cell::OnceCell;
use std::str::FromStr;

/// One plan question: may `principal` do `action` on which resources of `resource_type`?
#[derive(Debug, Clone, PartialEq)]
pub struct PlanQuery {
    pub principal: Principal,
    /// `Action`, or `Warden::Action` for admin actions.
    pub action_type: String,
    pub action: String,
    pub resource_type: String,
    pub context: Value,
}

/// Build the plan of `query` with `bundle`. An error means no plan could be made (a bad
/// request, no schema): the caller must deny, never list.
pub fn plan_with(bundle: &PolicyBundle, query: &PlanQuery) -> Result<Plan, String> {
    let schema = bundle
        .schema
        .as_ref()
        .ok_or("query plans need a schema (schema.cedarschema in the policy directory)")?;
    let principal =
        entity_uid("User", &query.principal.id).map_err(|e| format!("bad principal: {e}"))?;
    let action =
        entity_uid(&query.action_type, &query.action).map_err(|e| format!("bad action: {e}"))?;
    if !bundle.action_closures.contains_key(&action) {
        return Err(format!("unknown action {action}: it is not in the schema"));
    }
    let resource_type = EntityTypeName::from_str(&query.resource_type)
        .map_err(|e| format!("invalid resource type {:?}: {e}", query.resource_type))?;
    let context = Context::from_json_value(
        if query.context.is_null() {
            json!({})
        } else {
            query.context.clone()
        },
        Some((schema, &action)),
    )
    .map_err(|e| format!("bad context: {}", full_error(&e)))?;
    let list = principal_entities(&query.principal, &principal, &action, bundle)?;
    let entities = Entities::empty()
        .add_entities(list, Some(schema))
        .map_err(|e| format!("bad entity data: {}", full_error(&e)))?;
    let ancestors: Vec<_> = entities
        .ancestors(&principal)
        .map(|a| a.cloned().collect())
        .unwrap_or_default();
    let set = bundle.index.slice_any_resource(
        &bundle.policies,
        &index::Scope {
            principal: &principal,
            principal_ancestors: &ancestors,
            action: &action,
            resource: &principal,
        },
    )?;
    let request = PartialRequest::new(
        PartialEntityUid::from_concrete(principal),
        action,
        PartialEntityUid::new(resource_type, None),
        Some(context),
        schema,
    )
    .map_err(|e| format!("request does not match the schema: {}", full_error(&e)))?;
    // The decision's known entities stay at hand: `in` residuals are read against them.
    let known = entities.clone();
    let partial = PartialEntities::from_concrete(entities, schema)
        .map_err(|e| format!("bad entity data: {}", full_error(&e)))?;
    let response = set
        .tpe(&request, &partial, schema)
        .map_err(|e| format!("partial evaluation failed: {}", full_error(&e)))?;

    let ids = |it: &mut dyn Iterator<Item = &cedar_policy::PolicyId>| -> Vec<String> {
        let mut v: Vec<String> = it.map(|id| id.to_string()).collect();
        v.sort();
        v
    };
    // Warden denies on any evaluation error, even beside a satisfied permit: a policy that
    // errors whatever the resource denies every resource.
    let mut erroring = ids(&mut response.error_permits().chain(response.error_forbids()));
    if !erroring.is_empty() {
        erroring.dedup();
        return Ok(Plan::of(Expr::False, erroring));
    }
    let true_forbids = ids(&mut response.true_forbids());
    if !true_forbids.is_empty() {
        return Ok(Plan::of(Expr::False, true_forbids));
    }
    let true_permits = ids(&mut response.true_permits());
    let mut reasons = true_permits.clone();
    let mut permits = vec![if true_permits.is_empty() {
        Expr::False
    } else {
        Expr::True
    }];
    let mut forbids = Vec::new();
    let mut unsupported = Vec::new();
    let residuals = residual::Residuals {
        entities: &known,
        resource_type: &query.resource_type,
        schema_text: bundle
            .sources
            .iter()
            .find(|(name, _)| name.ends_with(".cedarschema"))
            .map(|(_, text)| text.as_str()),
        shapes: OnceCell::new(),
    };
    // In policy-id order: the residuals come out of a hash map, and the same question must
    // give the same tree (and SQL text) every time, for callers that cache or compare it.
    let mut residual: Vec<_> = response.residual_policies().collect();
    residual.sort_by_cached_key(|p| p.id().to_string());
    for policy in residual {
        let id = policy.id().to_string();
        let is_permit = policy.effect() == cedar_policy::Effect::Permit;
        match policy
            .to_pst()
            .map_err(|e| e.to_string())
            .and_then(|p| residuals.policy(p.body()))
        {
            Ok(cond) if is_permit => permits.push(cond),
            Ok(cond) => forbids.push(Expr::not(cond)),
            Err(why) => {
                unsupported.push(format!("{id}: {why}"));
                // Unknown: it may permit anything.
                if is_permit {
                    permits.push(Expr::True);
                }
            }
        }
        reasons.push(id);
    }
    reasons.sort();
    reasons.dedup();
    let permitted = Expr::or(permits);
    if !unsupported.is_empty() {
        // A forbid that cannot be expressed still cannot allow anything: when nothing is
        // permitted the plan stays exact. (An inexpressible permit counts as `true` above, so
        // it never leaves `permitted` false.)
        if permitted != Expr::False {
            unsupported.sort();
            return Ok(Plan::unsupported(unsupported, reasons));
        }
    }
    let condition = Expr::and(std::iter::once(permitted).chain(forbids));
    if condition == Expr::False {
        // Nothing contributed to a deny that no policy permits.
        return Ok(Plan::of(Expr::False, Vec::new()));
    }
    Ok(Plan::of(condition, reasons))
}
