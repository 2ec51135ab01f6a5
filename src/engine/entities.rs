//! Cedar entities from warden's: the caller with its roles, the resource with its
//! properties, an admin request's target, and action names as people write them.

use cedar_policy::{Entities, Entity, EntityUid, RestrictedExpression};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

use super::{full_error, parse_entity_ref, prepared, PolicyBundle, Principal, Query};

/// The resource of an admin request about the directory (see [`super::Engine::decide_about`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A user, `User::"<id>"`: its attributes, its roles as parents, and the role hierarchy
    /// above them (a [`Principal`] holds exactly that).
    User(Principal),
    /// A role, `Role::"<name>"`, with `role_parents`: the parents of the role and of every
    /// role above it (the role's own entry included).
    Role {
        name: String,
        role_parents: Vec<(String, Vec<String>)>,
    },
    /// A service client, `Warden::Client::"<id>"`, with its name.
    Client { id: String, name: String },
}

impl Target {
    pub(super) fn uid(&self) -> Result<EntityUid, String> {
        match self {
            Target::User(p) => entity_uid("User", &p.id),
            Target::Role { name, .. } => entity_uid("Role", name),
            Target::Client { id, .. } => entity_uid("Warden::Client", id),
        }
    }

    pub(super) fn entities(&self) -> Result<Vec<Entity>, String> {
        match self {
            Target::User(p) => caller_entities(p, &entity_uid("User", &p.id)?),
            Target::Role { role_parents, .. } => role_parents
                .iter()
                .map(|(name, parents)| {
                    Ok(Entity::new_no_attrs(
                        entity_uid("Role", name)?,
                        parents
                            .iter()
                            .map(|p| entity_uid("Role", p))
                            .collect::<Result<_, String>>()?,
                    ))
                })
                .collect(),
            Target::Client { id, name } => Ok(vec![Entity::new(
                entity_uid("Warden::Client", id)?,
                HashMap::from([(
                    "name".to_string(),
                    RestrictedExpression::new_string(name.clone()),
                )]),
                HashSet::new(),
            )
            .map_err(|e| format!("bad client: {}", full_error(&e)))?]),
        }
    }
}

/// An action as people write it: a bare name (`deleteUserResource`, meaning
/// `Action::"deleteUserResource"`) or a full uid (`Warden::Action::"users.read"`), as
/// (action type, action id).
pub fn parse_action(text: &str) -> Result<(String, String), String> {
    if text.contains("::") {
        parse_entity_ref(text)
    } else {
        Ok(("Action".to_string(), text.trim().to_string()))
    }
}

/// The entity uid `Type::"id"`.
pub fn entity_uid(kind: &str, id: &str) -> Result<EntityUid, String> {
    let type_name = kind
        .parse()
        .map_err(|e: cedar_policy::ParseErrors| format!("invalid entity type {kind:?}: {e}"))?;
    Ok(EntityUid::from_type_name_and_id(
        type_name,
        cedar_policy::EntityId::new(id),
    ))
}

/// A caller's entities, built once per bundle (see [`prepared`]): the principal with its
/// roles as parents and every reachable role with its parents, checked against the schema.
pub(super) fn prepare(
    p: &Principal,
    principal: &EntityUid,
    bundle: &PolicyBundle,
) -> Result<prepared::Prepared, String> {
    let entities = Entities::empty()
        .add_entities(caller_entities(p, principal)?, bundle.schema.as_ref())
        .map_err(|e| format!("bad entity data: {}", full_error(&e)))?;
    let ancestors = entities
        .ancestors(principal)
        .map(|a| a.cloned().collect())
        .unwrap_or_default();
    Ok(prepared::Prepared::new(p, entities, ancestors))
}

/// The request's entities: the caller's prepared ones, the action with its groups, and
/// the resource with its properties as attributes (checked against the schema: they come
/// from the caller). The action's entities are added unchecked: they were taken from the
/// schema itself when the bundle loaded.
pub(super) fn request_entities(
    query: &Query,
    prepared: &prepared::Prepared,
    principal: &EntityUid,
    resource: &EntityUid,
    action: &EntityUid,
    bundle: &PolicyBundle,
) -> Result<Entities, String> {
    let bad = |e: cedar_policy::entities_errors::EntitiesError| {
        format!("bad entity data: {}", full_error(&e))
    };
    let mut entities = prepared.entities.clone();
    if let Some(closure) = bundle.action_closures.get(action) {
        entities = entities
            .add_entities(closure.iter().cloned(), None)
            .map_err(bad)?;
    }
    let p = &query.principal;
    let resource_is_known = resource == principal
        || (query.resource.kind == "Role"
            && p.role_parents.iter().any(|(r, _)| *r == query.resource.id));
    if resource_is_known {
        return Ok(entities);
    }
    // A resource without an attribute the schema requires is refused by Cedar below in
    // words about conformance; said first as what the request lacks and how to give it.
    if let Some(missing) = bundle.required.missing(
        &query.resource.kind,
        &query.resource.id,
        &query.resource.properties,
    ) {
        return Err(missing);
    }
    let entity = Entity::new(
        resource.clone(),
        attrs(&query.resource.properties)?,
        HashSet::new(),
    )
    .map_err(|e| format!("bad resource properties: {}", full_error(&e)))?;
    entities
        .add_entities([entity], bundle.schema.as_ref())
        .map_err(bad)
}

/// JSON attributes as Cedar attributes.
fn attrs(m: &Map<String, Value>) -> Result<HashMap<String, RestrictedExpression>, String> {
    m.iter()
        .map(|(k, v)| Ok((k.clone(), restricted(v)?)))
        .collect()
}

/// The entities every request of `p` holds, whatever its resource (shared by decisions and
/// plans, so both see the same principal): the principal with its roles as parents, every
/// reachable role with its parents, and the action with its groups.
pub(super) fn principal_entities(
    p: &Principal,
    principal: &EntityUid,
    action: &EntityUid,
    bundle: &PolicyBundle,
) -> Result<Vec<Entity>, String> {
    let mut list = caller_entities(p, principal)?;
    // Only the request's own action and its groups, not the whole action hierarchy of the
    // schema (which `from_entities` would add, at a cost that grows with the schema).
    if let Some(closure) = bundle.action_closures.get(action) {
        list.extend(closure.iter().cloned());
    }
    Ok(list)
}

/// The principal with its roles as parents, and every reachable role with its parents.
fn caller_entities(p: &Principal, principal: &EntityUid) -> Result<Vec<Entity>, String> {
    let role = |name: &str| entity_uid("Role", name);
    let parents = |names: &[String]| -> Result<HashSet<EntityUid>, String> {
        names.iter().map(|n| role(n)).collect()
    };
    let mut list = vec![
        Entity::new(principal.clone(), attrs(&p.attrs)?, parents(&p.roles)?)
            .map_err(|e| format!("bad principal attributes: {}", full_error(&e)))?,
    ];
    for (name, role_parents) in &p.role_parents {
        list.push(Entity::new_no_attrs(role(name)?, parents(role_parents)?));
    }
    Ok(list)
}

/// A JSON value as a Cedar value, following Cedar's JSON entity format: `{"__entity":
/// {"type", "id"}}` (or an object of exactly `type` and `id`) is an entity reference,
/// `{"__extn": {"fn", "arg"}}` an extension value (`ip`, `decimal`, `datetime`,
/// `duration`). Anything Cedar cannot hold (null, a fraction) is an error, so a decision
/// over it denies.
fn restricted(v: &Value) -> Result<RestrictedExpression, String> {
    match v {
        Value::Null => Err("null is not a Cedar value".into()),
        Value::Bool(b) => Ok(RestrictedExpression::new_bool(*b)),
        Value::Number(n) => n
            .as_i64()
            .map(RestrictedExpression::new_long)
            .ok_or_else(|| format!("{n} is not a whole number Cedar can hold")),
        Value::String(s) => Ok(RestrictedExpression::new_string(s.clone())),
        Value::Array(items) => Ok(RestrictedExpression::new_set(
            items
                .iter()
                .map(restricted)
                .collect::<Result<Vec<_>, _>>()?,
        )),
        Value::Object(m) => {
            let uid_of = |o: &Map<String, Value>| match (
                o.get("type").and_then(Value::as_str),
                o.get("id").and_then(Value::as_str),
            ) {
                (Some(t), Some(id)) => entity_uid(t, id).map(RestrictedExpression::new_entity_uid),
                _ => Err("an entity reference needs string `type` and `id`".to_string()),
            };
            if let Some(Value::Object(e)) = m.get("__entity") {
                return uid_of(e);
            }
            if let Some(Value::Object(x)) = m.get("__extn") {
                let arg = x.get("arg").and_then(Value::as_str).unwrap_or_default();
                return match x.get("fn").and_then(Value::as_str) {
                    Some("ip") => Ok(RestrictedExpression::new_ip(arg)),
                    Some("decimal") => Ok(RestrictedExpression::new_decimal(arg)),
                    Some("datetime") => Ok(RestrictedExpression::new_datetime(arg)),
                    Some("duration") => Ok(RestrictedExpression::new_duration(arg)),
                    other => Err(format!("unknown extension function {other:?}")),
                };
            }
            if m.len() == 2
                && m.get("type").is_some_and(Value::is_string)
                && m.get("id").is_some_and(Value::is_string)
            {
                return uid_of(m);
            }
            let fields = m
                .iter()
                .map(|(k, v)| Ok((k.clone(), restricted(v)?)))
                .collect::<Result<Vec<_>, String>>()?;
            RestrictedExpression::new_record(fields).map_err(|e| e.to_string())
        }
    }
}
