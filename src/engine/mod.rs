//! The Cedar core: load, validate and index policies, and decide.
//!
//! Pure: the engine knows no file watching, no background threads, no counters, no HTTP and
//! no database. It reads the policy directory when told to ([`Engine::load`],
//! [`Engine::reload`]) and answers queries ([`Engine::decide`]); whoever wants to know about
//! reloads (the server counts them) registers an observer ([`Engine::observe_reloads`]). The
//! directory is polled for changes outside the engine, by the server's policy watcher
//! (`src/server/watch.rs`). Loading a large bundle parses and validates on every core, on
//! threads scoped to that one call.
//!
//! A bundle is swapped atomically (readers clone an `Arc` and never see half a bundle); a
//! bundle that fails to load is refused and the old one keeps serving, with the error kept
//! for `/readyz` and the admin API.

pub mod diag;
mod index;
mod load;
pub mod plan;
pub mod prepared;
pub mod synth;

pub use diag::Diagnostic;
pub use index::{PolicyIndex, Scope as PolicyIndexScope, SLICE_CACHE_POLICIES};
pub use load::{
    create_shipped, load_dir, load_sources, policy_files, LoadError, PolicyBundle, PolicyInfo,
    LINKS_FILE, SCHEMA_FILE, SHIPPED,
};
pub use plan::{plan_with, PlanQuery};
// The one reader of `Type::"id"`, shared with the api (the CLI reaches it here).
pub use crate::entity_ref::parse_entity_ref;

use cedar_policy::{
    Authorizer, Context, Entities, Entity, EntityUid, Request, RestrictedExpression,
};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// The principal of a decision, as the identity layer resolved it.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// The user id: the principal is `User::"<id>"`.
    pub id: String,
    /// Attributes (`email`, `name`, ...).
    pub attrs: Map<String, Value>,
    /// Directly held roles.
    pub roles: Vec<String>,
    /// The parents of every role reachable from `roles` (the role hierarchy).
    pub role_parents: Vec<(String, Vec<String>)>,
}

/// The resource of a decision: a Cedar entity given by the caller.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Resource {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub properties: Map<String, Value>,
}

/// One question for the engine.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub principal: Principal,
    /// The action's entity type: `Action`, or `Warden::Action` for admin actions.
    pub action_type: String,
    pub action: String,
    pub resource: Resource,
    pub context: Value,
}

/// The answer: allowed or not, the determining policy ids and any errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub allowed: bool,
    pub reasons: Vec<String>,
    pub errors: Vec<String>,
}

impl Decision {
    /// A deny caused by an error before evaluation.
    pub fn error(message: impl Into<String>) -> Self {
        Decision {
            allowed: false,
            reasons: Vec::new(),
            errors: vec![message.into()],
        }
    }
}

/// Told the outcome of every reload: the number of policies now in force, or why the new
/// bundle was refused.
pub type ReloadObserver = Box<dyn Fn(Result<usize, &LoadError>) + Send + Sync>;

/// The engine: the current policy bundle and its reload state.
pub struct Engine {
    dir: PathBuf,
    current: RwLock<Arc<PolicyBundle>>,
    last_error: RwLock<Option<LoadError>>,
    authorizer: Authorizer,
    observers: RwLock<Vec<ReloadObserver>>,
}

impl Engine {
    /// Load the policy directory; fails if the first bundle does not load.
    pub fn load(dir: &Path) -> Result<Engine, LoadError> {
        let bundle = load_dir(dir)?;
        Ok(Engine {
            dir: dir.to_path_buf(),
            current: RwLock::new(Arc::new(bundle)),
            last_error: RwLock::new(None),
            authorizer: Authorizer::new(),
            observers: RwLock::new(Vec::new()),
        })
    }

    /// The policy directory this engine loads from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Tell `observer` the outcome of every later reload, whoever asks for it (the policy
    /// watcher, the admin API, a test).
    pub fn observe_reloads(
        &self,
        observer: impl Fn(Result<usize, &LoadError>) + Send + Sync + 'static,
    ) {
        match self.observers.write() {
            Ok(mut list) => list.push(Box::new(observer)),
            Err(poisoned) => poisoned.into_inner().push(Box::new(observer)),
        }
    }

    fn notify(&self, outcome: Result<usize, &LoadError>) {
        let observers = match self.observers.read() {
            Ok(list) => list,
            Err(poisoned) => poisoned.into_inner(),
        };
        for observer in observers.iter() {
            observer(outcome);
        }
    }

    /// The bundle in force now.
    pub fn bundle(&self) -> Arc<PolicyBundle> {
        match self.current.read() {
            Ok(b) => b.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The error of the last refused reload, if the last reload failed.
    pub fn last_error(&self) -> Option<LoadError> {
        self.last_error.read().ok().and_then(|e| e.clone())
    }

    /// Load the directory again. On success the new bundle replaces the old one atomically;
    /// on failure the old bundle keeps serving and the error is kept.
    ///
    /// A reload that would quietly weaken the policies is refused like a broken one (the
    /// attack: `rm schema.cedarschema` was accepted as a successful reload, and from then on
    /// nothing was validated, so a `readDocument` on a `User` resource was allowed):
    /// - losing the schema while one is in force: running without a schema is a choice made
    ///   at start-up (said in the log and in `/readyz`), never the side effect of a reload;
    /// - a bundle with no policies at all.
    pub fn reload(&self) -> Result<usize, LoadError> {
        let validated = self.bundle().schema.is_some();
        let loaded = load_dir(&self.dir).and_then(|bundle| {
            if validated && bundle.schema.is_none() {
                return Err(Diagnostic::file_error(
                    &self.dir.display().to_string(),
                    "the schema (*.cedarschema) is gone; refusing a reload that would turn validation off (restart warden to run without a schema)",
                )
                .into());
            }
            if bundle.info.is_empty() {
                return Err(Diagnostic::file_error(
                    &self.dir.display().to_string(),
                    "the new policies contain no policy at all; refusing a reload that would deny everything",
                )
                .into());
            }
            Ok(bundle)
        });
        match loaded {
            Ok(bundle) => {
                let count = bundle.info.len();
                match self.current.write() {
                    Ok(mut current) => *current = Arc::new(bundle),
                    Err(e) => {
                        crate::alarm::raise("engine_lock", e);
                        let err = LoadError::from(Diagnostic::file_error(
                            &self.dir.display().to_string(),
                            "internal error: the policy lock is poisoned; the previous bundle keeps serving",
                        ));
                        self.refused(&err);
                        return Err(err);
                    }
                }
                if let Ok(mut e) = self.last_error.write() {
                    *e = None;
                }
                self.notify(Ok(count));
                tracing::info!(policies = count, "policy bundle reloaded");
                Ok(count)
            }
            Err(err) => {
                self.refused(&err);
                Err(err)
            }
        }
    }

    fn refused(&self, err: &LoadError) {
        tracing::warn!(error = %err, "policy reload refused; the previous bundle keeps serving");
        match self.last_error.write() {
            Ok(mut e) => *e = Some(err.clone()),
            Err(poisoned) => *poisoned.into_inner() = Some(err.clone()),
        }
        self.notify(Err(err));
    }

    /// Whether requests are validated against a schema (decided at start-up).
    pub fn validation(&self) -> bool {
        self.bundle().schema.is_some()
    }

    /// The query plan of `query` against the current bundle (see [`plan`]).
    pub fn plan(&self, query: &PlanQuery) -> Result<crate::plan::Plan, String> {
        plan_with(&self.bundle(), query)
    }

    /// Decide a query against the current bundle.
    pub fn decide(&self, query: &Query) -> Decision {
        decide_with(&self.authorizer, &self.bundle(), query)
    }

    /// Decide an admin request about a directory entity ([`Target`]): the target's entities
    /// (a user with its roles as parents, a role with its parents, a client with its name)
    /// are added to the caller's. Admin changes are rare, so nothing here is cached.
    pub fn decide_about(
        &self,
        principal: &Principal,
        action_type: &str,
        action: &str,
        target: &Target,
        context: &Value,
    ) -> Decision {
        let bundle = self.bundle();
        let names = &bundle.type_names;
        let uids = (|| {
            Ok::<_, String>((
                names.uid("User", &principal.id)?,
                names.uid(action_type, action)?,
                target.uid()?,
            ))
        })();
        let (principal_uid, action_uid, resource) = match uids {
            Ok(u) => u,
            Err(e) => return Decision::error(format!("bad admin request: {e}")),
        };
        let entities = (|| {
            let mut list = principal_entities(principal, &principal_uid, &action_uid, &bundle)?;
            list.extend(target.entities()?);
            // The caller and the target may share entities (a user acting on itself, a role
            // both hold): they come from the same directory, so the first copy is kept.
            let mut seen = HashSet::new();
            list.retain(|e| seen.insert(e.uid()));
            Entities::from_entities(list, bundle.schema.as_ref())
                .map_err(|e| format!("bad entity data: {}", full_error(&e)))
        })();
        evaluate_in(
            Mode::Indexed,
            &self.authorizer,
            &bundle,
            Scope {
                principal: principal_uid,
                action: action_uid,
                resource,
                ancestors: None,
            },
            context,
            entities,
        )
    }
}

/// The resource of an admin request about the directory (see [`Engine::decide_about`]).
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
    fn uid(&self) -> Result<EntityUid, String> {
        match self {
            Target::User(p) => entity_uid("User", &p.id),
            Target::Role { name, .. } => entity_uid("Role", name),
            Target::Client { id, .. } => entity_uid("Warden::Client", id),
        }
    }

    fn entities(&self) -> Result<Vec<Entity>, String> {
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
struct Scope<'a> {
    principal: EntityUid,
    action: EntityUid,
    resource: EntityUid,
    ancestors: Option<&'a [EntityUid]>,
}

/// Evaluate a request in a given [`Mode`] (see [`evaluate`]).
fn evaluate_in(
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
        return Decision::error(format!("unknown action {action}: it is not in the schema"));
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

/// An error with every cause under it and its help. Cedar's top-level messages alone ("entity
/// does not conform to the schema") do not say which entity, attribute or type is at fault;
/// the causes and the help do.
pub fn full_error(e: &dyn miette::Diagnostic) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !more.is_empty() && !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    if let Some(help) = e.help() {
        let help = help.to_string();
        if !help.is_empty() && !text.contains(&help) {
            text.push_str(&format!(" ({help})"));
        }
    }
    text
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
fn prepare(
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
fn request_entities(
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
fn principal_entities(
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

#[cfg(test)]
mod tests;
