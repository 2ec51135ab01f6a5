//! Deciding one request: its entities, its context, the policy index's slice (or the whole
//! set), and Cedar's answer made stricter: any error is a deny.

use cedar_policy::{Authorizer, Context, Entities, EntityUid, Request, RestrictedExpression};
use serde_json::{json, Value};

use super::entities::{prepare, request_entities};
use super::{full_error, index, Decision, PolicyBundle, Query};

/// Decide `query` with `bundle`: the principal, its roles (with their parents) and the
/// resource become Cedar entities, then [`evaluate`] decides.
pub fn decide_with(authorizer: &Authorizer, bundle: &PolicyBundle, query: &Query) -> Decision {
    decide_in(Mode::Indexed, authorizer, bundle, query)
}

/// [`decide_with`] in a given [`Mode`].
pub fn decide_in(
    mode: Mode,
    authorizer: &Authorizer,
    bundle: &PolicyBundle,
    query: &Query,
) -> Decision {
    let names = &bundle.type_names;
    let principal = match names.uid("User", &query.principal.id) {
        Ok(p) => p,
        Err(e) => return Decision::error(format!("bad principal: {e}")),
    };
    let action = match names.uid(&query.action_type, &query.action) {
        Ok(a) => a,
        Err(e) => return Decision::error(format!("bad action: {e}")),
    };
    let resource = match names.uid(&query.resource.kind, &query.resource.id) {
        Ok(r) => r,
        Err(e) => return Decision::error(format!("bad resource: {e}")),
    };
    let prepared = bundle.principals.get_or_build(&query.principal, || {
        prepare(&query.principal, &principal, bundle)
    });
    let entities = prepared
        .as_ref()
        .map_err(String::clone)
        .and_then(|p| request_entities(query, p, &principal, &resource, &action, bundle));
    evaluate_in(
        mode,
        authorizer,
        bundle,
        Scope {
            principal,
            action,
            resource,
            ancestors: prepared.as_ref().ok().map(|p| p.ancestors.as_slice()),
        },
        &query.context,
        entities,
    )
}

/// "unknown action": with the schema's nearest action ("did you mean"), and for a name that
/// holds `::` how a namespaced action is written (issue 32).
fn unknown_action(bundle: &PolicyBundle, action: &EntityUid) -> String {
    // Compared by id among the actions of the same type: `readDocumnt` is near
    // `readDocument`, while whole uids share too much (`Action::"`) to measure by.
    let same_type: Vec<(String, String)> = bundle
        .action_closures
        .keys()
        .filter(|a| a.type_name() == action.type_name())
        .map(|a| (a.id().unescaped().to_string(), a.to_string()))
        .collect();
    let id = action.id().unescaped();
    let hint = crate::util::nearest(id, same_type.iter().map(|(id, _)| id.as_str()))
        .and_then(|near| same_type.iter().find(|(id, _)| id == near))
        .map(|(_, uid)| format!("; did you mean {uid}?"))
        .or_else(|| {
            id.contains("::").then(|| {
                "; name a namespaced action by its full uid, such as \
                 Warden::Action::\"users.read\", not as the id of an `Action`"
                    .to_string()
            })
        })
        .unwrap_or_default();
    format!("unknown action {action}: it is not in the schema{hint}")
}

/// How a request is evaluated: through the policy index (the default), or over the whole
/// set as plain Cedar does (the reference the index is checked against).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Indexed,
    WholeSet,
}

/// Evaluate one request over explicit entities (Cedar's JSON entity format). Fails closed:
/// any error on the way (a bad entity, a request that does not match the schema, an
/// evaluation error in any policy) is a deny. Cedar itself skips a policy whose condition
/// errors, so a `forbid` that errors would otherwise let a `permit` through; warden refuses
/// that: nothing may be allowed by accident.
pub fn evaluate(
    authorizer: &Authorizer,
    bundle: &PolicyBundle,
    principal: EntityUid,
    action: EntityUid,
    resource: EntityUid,
    context: &Value,
    entities: Value,
) -> Decision {
    let entities = Entities::from_json_value(entities, bundle.schema.as_ref())
        .map_err(|e| format!("bad entity data: {}", full_error(&e)));
    evaluate_in(
        Mode::Indexed,
        authorizer,
        bundle,
        Scope {
            principal,
            action,
            resource,
            ancestors: None,
        },
        context,
        entities,
    )
}

/// A request's scope, and the principal's ancestors when they are known already.
pub(super) struct Scope<'a> {
    pub(super) principal: EntityUid,
    pub(super) action: EntityUid,
    pub(super) resource: EntityUid,
    pub(super) ancestors: Option<&'a [EntityUid]>,
}

/// Evaluate a request in a given [`Mode`] (see [`evaluate`]).
pub(super) fn evaluate_in(
    mode: Mode,
    authorizer: &Authorizer,
    bundle: &PolicyBundle,
    scope: Scope<'_>,
    context: &Value,
    entities: Result<Entities, String>,
) -> Decision {
    let Scope {
        principal,
        action,
        resource,
        ancestors,
    } = scope;
    let schema = bundle.schema.as_ref();
    // Checked first: Cedar would report an unknown action as a context it cannot type.
    if schema.is_some() && !bundle.action_closures.contains_key(&action) {
        return Decision::error(unknown_action(bundle, &action));
    }
    // The context of plain values (booleans, whole numbers, strings and sets of them) is
    // converted directly, and `Request::new` checks it against the schema's context type
    // in full. Cedar's JSON parser (below) is used when that check fails: with a schema it
    // parses by type (a string where an `ipaddr` or an entity is expected, records,
    // escapes), so a request it accepts is never refused here, and one it refuses gets its
    // error. A plain context that passes the check is the value Cedar's parser would give.
    let fast = plain_context(context).and_then(|c| {
        Request::new(
            principal.clone(),
            action.clone(),
            resource.clone(),
            c,
            schema,
        )
        .ok()
    });
    let request = match fast {
        Some(r) => r,
        None => {
            let context = match Context::from_json_value(
                if context.is_null() {
                    json!({})
                } else {
                    context.clone()
                },
                schema.map(|s| (s, &action)),
            ) {
                Ok(c) => c,
                Err(e) => return Decision::error(format!("bad context: {}", full_error(&e))),
            };
            if let Err(e) = &entities {
                return Decision::error(e.clone());
            }
            match Request::new(
                principal.clone(),
                action.clone(),
                resource.clone(),
                context,
                schema,
            ) {
                Ok(r) => r,
                Err(e) => {
                    return Decision::error(format!(
                        "request does not match the schema: {}",
                        full_error(&e)
                    ))
                }
            }
        }
    };
    let entities = match entities {
        Ok(e) => e,
        Err(e) => return Decision::error(e),
    };
    let (cedar_allowed, mut reasons, errors) = match mode {
        Mode::Indexed => {
            let computed: Vec<EntityUid>;
            let ancestors = match ancestors {
                Some(a) => a,
                None => {
                    computed = entities
                        .ancestors(&principal)
                        .map(|a| a.cloned().collect())
                        .unwrap_or_default();
                    &computed
                }
            };
            let scope = index::Scope {
                principal: &principal,
                principal_ancestors: ancestors,
                action: &action,
                resource: &resource,
            };
            match bundle.index.slice(&bundle.policies, &scope) {
                Ok(set) => cedar(authorizer.is_authorized(&request, &set, &entities)),
                Err(e) => return Decision::error(format!("policy index: {e}")),
            }
        }
        Mode::WholeSet => cedar(authorizer.is_authorized(&request, &bundle.policies, &entities)),
    };
    if !errors.is_empty() && cedar_allowed {
        // The permits did not determine this deny; the errors did.
        reasons.clear();
    }
    Decision {
        allowed: cedar_allowed && errors.is_empty(),
        reasons,
        errors,
    }
}

/// A context of plain values only (booleans, whole numbers, strings, and sets of them) as
/// Cedar's; `None` for anything else (records, null, fractions, escapes), which Cedar's
/// JSON parser handles.
fn plain_context(context: &Value) -> Option<Context> {
    fn plain(v: &Value) -> Option<RestrictedExpression> {
        match v {
            Value::Bool(b) => Some(RestrictedExpression::new_bool(*b)),
            Value::Number(n) => n.as_i64().map(RestrictedExpression::new_long),
            Value::String(s) => Some(RestrictedExpression::new_string(s.clone())),
            Value::Array(items) => Some(RestrictedExpression::new_set(
                items.iter().map(plain).collect::<Option<Vec<_>>>()?,
            )),
            Value::Null | Value::Object(_) => None,
        }
    }
    match context {
        Value::Null => Some(Context::empty()),
        Value::Object(m) => Context::from_pairs(
            m.iter()
                .map(|(k, v)| Some((k.clone(), plain(v)?)))
                .collect::<Option<Vec<_>>>()?,
        )
        .ok(),
        _ => None,
    }
}

/// Cedar's answer as (allowed, sorted reasons, sorted errors).
fn cedar(response: cedar_policy::Response) -> (bool, Vec<String>, Vec<String>) {
    let mut errors: Vec<String> = response
        .diagnostics()
        .errors()
        .map(|e| full_error(e))
        .collect();
    errors.sort();
    let mut reasons: Vec<String> = response
        .diagnostics()
        .reason()
        .map(|id| id.to_string())
        .collect();
    reasons.sort();
    (
        response.decision() == cedar_policy::Decision::Allow,
        reasons,
        errors,
    )
}
