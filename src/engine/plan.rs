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
//! Fail closed: a residual the tree cannot express (arithmetic, an extension function, the
//! entity hierarchy of the resource, an attribute of a referenced entity) makes the plan
//! `unsupported`, never a looser condition; a policy that errors for every resource makes
//! the plan deny everything, as warden's decisions deny on any evaluation error.

use super::{entity_uid, full_error, index, principal_entities, PolicyBundle, Principal};
use crate::plan::{Cmp, EntityRef, Expr, Operand, Plan};
use cedar_policy::pst;
use cedar_policy::{
    Context, Entities, EntityTypeName, PartialEntities, PartialEntityUid, PartialRequest,
};
use serde_json::{json, Value};
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
    for policy in response.residual_policies() {
        let id = policy.id().to_string();
        let is_permit = policy.effect() == cedar_policy::Effect::Permit;
        match policy
            .to_pst()
            .map_err(|e| e.to_string())
            .and_then(|p| residual_condition(p.body()))
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

/// A residual policy's condition: its clauses and-ed (a residual's scope is unconstrained).
fn residual_condition(body: &pst::Template) -> Result<Expr, String> {
    if body.principal != pst::PrincipalConstraint::Any
        || body.resource != pst::ResourceConstraint::Any
        || body.action != pst::ActionConstraint::Any
    {
        return Err("a residual with a scope constraint".into());
    }
    body.clauses()
        .iter()
        .map(|c| match c {
            pst::Clause::When(e) => condition(e),
            pst::Clause::Unless(e) => condition(e).map(Expr::not),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Expr::and)
}

fn cmp_of(op: pst::BinaryOp) -> Option<Cmp> {
    Some(match op {
        pst::BinaryOp::Eq => Cmp::Eq,
        pst::BinaryOp::NotEq => Cmp::Ne,
        pst::BinaryOp::Less => Cmp::Lt,
        pst::BinaryOp::LessEq => Cmp::Le,
        pst::BinaryOp::Greater => Cmp::Gt,
        pst::BinaryOp::GreaterEq => Cmp::Ge,
        _ => return None,
    })
}

/// A boolean residual expression as a condition, or why it cannot be one.
fn condition(e: &pst::Expr) -> Result<Expr, String> {
    use pst::{BinaryOp as B, Expr as E};
    match e {
        E::Literal(pst::Literal::Bool(b)) => Ok(if *b { Expr::True } else { Expr::False }),
        E::UnaryOp {
            op: pst::UnaryOp::Not,
            expr,
        } => condition(expr).map(Expr::not),
        E::BinaryOp { op, left, right } => match op {
            B::And => Ok(Expr::and([condition(left)?, condition(right)?])),
            B::Or => Ok(Expr::or([condition(left)?, condition(right)?])),
            B::Contains => contains(left, right),
            B::ContainsAll | B::ContainsAny => {
                let E::Set(items) = right.as_ref() else {
                    return Err(format!("`{op}` with a set that is not a literal"));
                };
                if !matches!(operand(left)?, Operand::Attr { .. }) {
                    return Err(format!("`{op}` on a literal set"));
                }
                let parts = items
                    .iter()
                    .map(|item| contains(left, item))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if *op == B::ContainsAll {
                    Expr::and(parts)
                } else {
                    Expr::or(parts)
                })
            }
            _ => match cmp_of(*op) {
                Some(cmp) => {
                    let (l, r) = (operand(left)?, operand(right)?);
                    // Attribute on the left, as people write it.
                    Ok(if !is_attr(&l) && is_attr(&r) {
                        Expr::cmp(cmp.flipped(), r, l)
                    } else {
                        Expr::cmp(cmp, l, r)
                    })
                }
                None => Err(format!("the operator `{op}`")),
            },
        },
        E::HasAttr { expr, attrs } => {
            let mut path = attr_path(expr)?;
            for a in attrs.iter() {
                path.push('.');
                path.push_str(a);
            }
            check_depth(&path)?;
            Ok(Expr::Has { attr: path })
        }
        E::Like { expr, pattern } => {
            let mut text = String::new();
            for p in pattern {
                match p {
                    pst::PatternElem::Wildcard => text.push('*'),
                    pst::PatternElem::Char(c @ ('*' | '\\')) => {
                        text.push('\\');
                        text.push(*c);
                    }
                    pst::PatternElem::Char(c) => text.push(*c),
                }
            }
            Ok(Expr::Like {
                left: operand(expr)?,
                pattern: text,
            })
        }
        E::IfThenElse {
            cond,
            then_expr,
            else_expr,
        } => {
            let c = condition(cond)?;
            Ok(Expr::or([
                Expr::and([c.clone(), condition(then_expr)?]),
                Expr::and([Expr::not(c), condition(else_expr)?]),
            ]))
        }
        E::GetAttr { .. } => Ok(Expr::Eq {
            left: operand(e)?,
            right: Operand::Value { value: json!(true) },
        }),
        #[allow(unreachable_patterns)]
        E::ResidualError => Err("a sub-expression that errors".into()),
        E::UnaryOp { op, .. } => Err(format!("the operator `{op}`")),
        E::Is { .. } => Err("`is` on the unknown resource".into()),
        _ => Err(format!("the expression `{e}`")),
    }
}

fn is_attr(o: &Operand) -> bool {
    matches!(o, Operand::Attr { .. })
}

/// `set.contains(item)`: a literal set becomes `in` (or `==` for entity members), an
/// attribute set `contains`.
fn contains(set: &pst::Expr, item: &pst::Expr) -> Result<Expr, String> {
    let item = operand(item)?;
    match set {
        pst::Expr::Set(members) => {
            let members = members
                .iter()
                .map(|m| operand(m))
                .collect::<Result<Vec<_>, _>>()?;
            if members.iter().all(|m| matches!(m, Operand::Value { .. })) {
                let values = members
                    .into_iter()
                    .filter_map(|m| match m {
                        Operand::Value { value } => Some(value),
                        _ => None,
                    })
                    .collect();
                Ok(Expr::In {
                    left: item,
                    right: Operand::Value {
                        value: Value::Array(values),
                    },
                })
            } else {
                Ok(Expr::or(members.into_iter().map(|m| Expr::Eq {
                    left: item.clone(),
                    right: m,
                })))
            }
        }
        other => match operand(other)? {
            set @ Operand::Attr { .. } => Ok(Expr::Contains {
                left: set,
                right: item,
            }),
            _ => Err("`contains` on a value that is not a set".into()),
        },
    }
}

/// Attribute paths deeper than one name go through a record or an entity; the plan cannot
/// tell them apart, and an entity's attributes are not known to a single decision either.
fn check_depth(path: &str) -> Result<(), String> {
    if path.matches('.').count() > 1 {
        return Err(format!(
            "the nested attribute path {path:?} (attributes of attributes are not supported)"
        ));
    }
    Ok(())
}

fn attr_path(e: &pst::Expr) -> Result<String, String> {
    match e {
        pst::Expr::Var(pst::Var::Resource) => Ok("resource".into()),
        pst::Expr::GetAttr { expr, attr } => {
            let mut path = attr_path(expr)?;
            path.push('.');
            path.push_str(attr);
            Ok(path)
        }
        other => Err(format!("an attribute of `{other}`")),
    }
}

fn operand(e: &pst::Expr) -> Result<Operand, String> {
    match e {
        pst::Expr::Var(pst::Var::Resource) | pst::Expr::GetAttr { .. } => {
            let attr = attr_path(e)?;
            check_depth(&attr)?;
            Ok(Operand::Attr { attr })
        }
        pst::Expr::Literal(pst::Literal::EntityUID(uid)) => Ok(Operand::Entity {
            entity: EntityRef {
                kind: uid.ty.to_string(),
                id: uid.eid.to_string(),
            },
        }),
        pst::Expr::Literal(_) | pst::Expr::Set(_) => {
            literal(e).map(|value| Operand::Value { value })
        }
        other => Err(format!("the operand `{other}`")),
    }
}

fn literal(e: &pst::Expr) -> Result<Value, String> {
    match e {
        pst::Expr::Literal(pst::Literal::Bool(b)) => Ok(json!(b)),
        pst::Expr::Literal(pst::Literal::Long(n)) => Ok(json!(n)),
        pst::Expr::Literal(pst::Literal::String(s)) => Ok(json!(s.as_str())),
        pst::Expr::Set(items) => items
            .iter()
            .map(|i| literal(i))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Err(format!("the value `{other}`")),
    }
}
