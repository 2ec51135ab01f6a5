//! OpenID AuthZEN Authorization API 1.0: evaluation, evaluations, search, discovery.
//!
//! Callers are services holding a client key. Subjects of a directory type are looked up in
//! warden's directory (by user id, or by email); an unknown or disabled subject is a deny,
//! not an error. Items answer exactly `{"decision": bool}` unless the caller asks for
//! explanations with the header `X-Warden-Explain: true` (or `options.explain: true` in an
//! evaluations request), which adds `context: {reasons, errors}`.

use super::decide::{decide, parse_resource, record, Asked, Caller, Fields};
use super::error::ApiError;
use super::extract::JsonBody;
use super::{AppState, RequestId};
use crate::app::ClientRow;
use crate::engine::{Decision, Principal, Query};
use crate::identity;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::{Extension, Json};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use std::sync::Arc;

const DEFAULT_PAGE: usize = 50;
const MAX_PAGE: usize = 1000;

/// A parsed evaluation request.
struct Evaluation {
    subject_type: String,
    subject_id: String,
    subject_properties: Map<String, Value>,
    action: String,
    resource: crate::engine::Resource,
    context: Map<String, Value>,
}

/// The keys of an evaluation request (AuthZEN 1.0 section 6.1); `properties` and
/// `context` are free-form by the spec, every other unknown key is refused.
const EVALUATION_KEYS: [&str; 4] = ["subject", "action", "resource", "context"];

/// Parse an evaluation; `also` lists further top-level keys the caller handles itself.
fn parse_evaluation(body: &Value, also: &[&str]) -> Result<Evaluation, ApiError> {
    let f = Fields::new(body, "")?;
    f.only(&[&EVALUATION_KEYS[..], also].concat())?;
    let subject = f.nested("subject")?;
    subject.only(&["type", "id", "properties"])?;
    let action = f.nested("action")?;
    action.only(&["name", "properties"])?;
    Ok(Evaluation {
        subject_type: subject.string("type")?,
        subject_id: subject.string("id")?,
        subject_properties: subject.object("properties")?,
        action: action.string("name")?,
        resource: parse_resource(&f.nested("resource")?)?,
        context: f.object("context")?,
    })
}

fn wants_explain(headers: &HeaderMap) -> bool {
    headers
        .get("x-warden-explain")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// The directory principal for an AuthZEN subject; `Ok(None)` when there is none (deny).
async fn subject_principal(
    state: &AppState,
    kind: &str,
    id: &str,
    properties: &Map<String, Value>,
) -> Result<Option<Principal>, String> {
    if !state
        .config
        .directory_subject_types
        .iter()
        .any(|t| t == kind)
    {
        return Err(format!("subject type {kind:?} is not a directory type"));
    }
    let Some(mut principal) = state
        .resolver
        .directory_subject(id)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(None);
    };
    // Caller-supplied properties add attributes; the directory's own never get overwritten.
    for (k, v) in properties {
        principal
            .attrs
            .entry(k.clone())
            .or_insert_with(|| v.clone());
    }
    Ok(Some(principal))
}

async fn evaluate(state: &AppState, caller: &Caller, e: &Evaluation) -> Decision {
    let started = std::time::Instant::now();
    let denied = |decision: Decision| {
        let subject = format!("{}:{}", e.subject_type, e.subject_id);
        record(
            state,
            caller,
            Asked {
                principal: &subject,
                action: &e.action,
                resource: &e.resource,
                context: &Value::Object(e.context.clone()),
            },
            &decision,
            started,
        );
        decision
    };
    match subject_principal(state, &e.subject_type, &e.subject_id, &e.subject_properties).await {
        Ok(Some(principal)) => decide(
            state,
            caller,
            &Query {
                principal,
                action_type: "Action".into(),
                action: e.action.clone(),
                resource: e.resource.clone(),
                context: Value::Object(e.context.clone()),
            },
        ),
        // Said in the explanation only (items are bare `{"decision": false}` without it).
        Ok(None) => denied(Decision::error(format!(
            "subject {}:{:?} is unknown or disabled in the directory",
            e.subject_type, e.subject_id
        ))),
        Err(error) => denied(Decision::error(error)),
    }
}

fn item(decision: &Decision, explain: bool) -> Value {
    if explain {
        json!({"decision": decision.allowed, "context": {"reasons": decision.reasons, "errors": decision.errors}})
    } else {
        json!({"decision": decision.allowed})
    }
}

/// The caller of a service route; the gate checked its key before the body was read.
fn caller(client: &ClientRow, request_id: String) -> Caller {
    Caller {
        client: format!("client:{}", client.name),
        request_id,
    }
}

pub async fn evaluation(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    Extension(client): Extension<ClientRow>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let caller = caller(&client, request_id);
    let e = parse_evaluation(&body, &[])?;
    Ok(Json(item(
        &evaluate(&state, &caller, &e).await,
        wants_explain(&headers),
    )))
}

#[derive(Clone, Copy, PartialEq)]
enum Semantic {
    ExecuteAll,
    DenyOnFirstDeny,
    PermitOnFirstPermit,
}

pub async fn evaluations(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    Extension(client): Extension<ClientRow>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let caller = caller(&client, request_id);
    let top = Fields::new(&body, "")?;
    top.only(&[&EVALUATION_KEYS[..], &["evaluations", "options"]].concat())?;
    let options = top.object("options")?;
    // Options warden does not know are refused, not skipped: a misspelt
    // `evaluations_semantic` would otherwise run every item.
    if let Some(k) = options
        .keys()
        .find(|k| !["evaluations_semantic", "explain"].contains(&k.as_str()))
    {
        return Err(ApiError::bad_request(format!(
            "unknown field `options.{}`; expected `evaluations_semantic` or `explain`",
            k.escape_debug()
        )));
    }
    let explain = wants_explain(&headers) || options.get("explain") == Some(&Value::Bool(true));
    let semantic = match options.get("evaluations_semantic") {
        None | Some(Value::Null) => Semantic::ExecuteAll,
        Some(Value::String(s)) => match s.as_str() {
            "execute_all" => Semantic::ExecuteAll,
            "deny_on_first_deny" => Semantic::DenyOnFirstDeny,
            "permit_on_first_permit" => Semantic::PermitOnFirstPermit,
            other => {
                return Err(ApiError::bad_request(format!(
                    "options.evaluations_semantic {other:?} is not one of execute_all, deny_on_first_deny, permit_on_first_permit"
                )))
            }
        },
        Some(_) => return Err(ApiError::bad_request("field `options.evaluations_semantic` must be a string")),
    };
    let items = match body.get("evaluations") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => {
            return Err(ApiError::bad_request(
                "field `evaluations` must be an array",
            ))
        }
    };
    if items.is_empty() {
        // No list: a single evaluation of the top-level request.
        let e = parse_evaluation(&body, &["evaluations", "options"])?;
        return Ok(Json(item(&evaluate(&state, &caller, &e).await, explain)));
    }
    if items.len() > state.config.batch_limit {
        return Err(ApiError::bad_request(format!(
            "field `evaluations` has {} entries; at most {} are allowed",
            items.len(),
            state.config.batch_limit
        )));
    }
    let mut results = Vec::with_capacity(items.len());
    for entry in &items {
        // Each key given in the item replaces that whole default.
        let mut merged = Map::new();
        for key in ["subject", "action", "resource", "context"] {
            let value = entry.get(key).or_else(|| body.get(key));
            if let Some(v) = value {
                merged.insert(key.into(), v.clone());
            }
        }
        let unknown = Fields::new(entry, "evaluations[]").and_then(|f| f.only(&EVALUATION_KEYS));
        let decision = match (unknown, parse_evaluation(&Value::Object(merged), &[])) {
            (Ok(()), Ok(e)) => evaluate(&state, &caller, &e).await,
            (Err(err), _) | (Ok(()), Err(err)) => Decision::error(err.message),
        };
        let stop = match semantic {
            Semantic::ExecuteAll => false,
            Semantic::DenyOnFirstDeny => !decision.allowed,
            Semantic::PermitOnFirstPermit => decision.allowed,
        };
        results.push(item(&decision, explain));
        if stop {
            break;
        }
    }
    Ok(Json(json!({"evaluations": results})))
}

/// `page: {token, limit}` → (offset, limit).
/// A page request: where to continue (decoded from the opaque token) and how many results.
struct PageRequest {
    after: Option<String>,
    limit: usize,
}

/// Page tokens are opaque to clients (AuthZEN 1.0 section 8.2): base64url of `<kind>:<key>`,
/// where `kind` names the search and `key` is where the previous page stopped. The token is
/// validated, never trusted: a token that does not decode, names another search or carries an
/// over-long key is a 400. (The old tokens were row offsets: "9223372036854775808" became a
/// negative OFFSET that SQLite treats as 0, and a search that matched no one restarted at the
/// first row forever, one request pinning a core.)
fn page(fields: &Fields<'_>, kind: &str) -> Result<PageRequest, ApiError> {
    let page = fields.object("page")?;
    if let Some(k) = page
        .keys()
        .find(|k| !["token", "limit"].contains(&k.as_str()))
    {
        return Err(ApiError::bad_request(format!(
            "unknown field `page.{}`; expected `token` or `limit`",
            k.escape_debug()
        )));
    }
    let invalid = || ApiError::bad_request("field `page.token` is not a token this server issued");
    let after = match page.get("token") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => {
            if s.len() > 512 {
                return Err(invalid());
            }
            let raw = URL_SAFE_NO_PAD.decode(s).map_err(|_| invalid())?;
            let text = String::from_utf8(raw).map_err(|_| invalid())?;
            let key = text
                .strip_prefix(kind)
                .and_then(|rest| rest.strip_prefix(':'))
                .ok_or_else(invalid)?;
            if key.is_empty() || key.len() > 256 {
                return Err(invalid());
            }
            Some(key.to_string())
        }
        Some(_) => return Err(ApiError::bad_request("field `page.token` must be a string")),
    };
    let limit = match page.get("limit") {
        None | Some(Value::Null) => DEFAULT_PAGE,
        Some(v) => match v.as_u64() {
            Some(n) if n >= 1 => (n as usize).min(MAX_PAGE),
            _ => {
                return Err(ApiError::bad_request(
                    "field `page.limit` must be a positive integer",
                ))
            }
        },
    };
    Ok(PageRequest { after, limit })
}

/// The `page` answer: the token to continue after `key`, or an empty token at the end.
fn next_token(kind: &str, key: Option<&str>) -> Value {
    let token = key
        .map(|k| URL_SAFE_NO_PAD.encode(format!("{kind}:{k}")))
        .unwrap_or_default();
    json!({"next_token": token})
}

pub async fn search_action(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    Extension(client): Extension<ClientRow>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let caller = caller(&client, request_id);
    let f = Fields::new(&body, "")?;
    f.only(&["subject", "resource", "context", "page"])?;
    let subject = f.nested("subject")?;
    subject.only(&["type", "id", "properties"])?;
    let (subject_type, subject_id) = (subject.string("type")?, subject.string("id")?);
    let properties = subject.object("properties")?;
    let resource = parse_resource(&f.nested("resource")?)?;
    let context = f.object("context")?;
    let PageRequest { after, limit } = page(&f, "action")?;
    let bundle = state.engine.bundle();
    // Candidates: the schema's actions that apply to a User and this resource type.
    let user_type: Option<cedar_policy::EntityTypeName> = "User".parse().ok();
    let resource_type: Option<cedar_policy::EntityTypeName> = resource.kind.parse().ok();
    let mut actions: Vec<String> = match (&bundle.schema, &user_type, &resource_type) {
        (Some(schema), Some(user), Some(res)) => schema
            .actions_for_principal_and_resource(user, res)
            .filter(|a| a.type_name().to_string() == "Action")
            .map(|a| a.id().unescaped().to_string())
            .collect(),
        _ => Vec::new(),
    };
    actions.sort();
    actions.dedup();
    let mut results = Vec::new();
    // Continue after the last action the previous page examined (actions are sorted).
    let mut index = match &after {
        Some(last) => actions.partition_point(|a| a.as_str() <= last.as_str()),
        None => 0,
    };
    while index < actions.len() && results.len() < limit {
        let e = Evaluation {
            subject_type: subject_type.clone(),
            subject_id: subject_id.clone(),
            subject_properties: properties.clone(),
            action: actions[index].clone(),
            resource: resource.clone(),
            context: context.clone(),
        };
        if evaluate(&state, &caller, &e).await.allowed {
            results.push(json!({"name": actions[index]}));
        }
        index += 1;
    }
    let more = index < actions.len() && index > 0;
    let last = more.then(|| actions[index - 1].as_str());
    Ok(Json(
        json!({"results": results, "page": next_token("action", last)}),
    ))
}

/// How many directory rows are read at a time during a subject search.
const SCAN_BATCH: i64 = 200;

/// AuthZEN subject search: which users may do `action` on `resource`?
///
/// Bounded work per request: at most `search_scan_limit` users are examined (then the page
/// ends early with a token to continue), the scan runs on the blocking pool rather than an
/// async worker, and it writes one decision-log row for the whole search, not one per user.
pub async fn search_subject(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    Extension(client): Extension<ClientRow>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let caller = caller(&client, request_id);
    let f = Fields::new(&body, "")?;
    f.only(&["subject", "action", "resource", "context", "page"])?;
    let subject = f.nested("subject")?;
    subject.only(&["type", "properties"])?;
    let subject_type = subject.string("type")?;
    if !state.config.directory_subject_types.contains(&subject_type) {
        return Err(ApiError::bad_request(format!(
            "subject.type {subject_type:?} is not a directory type"
        )));
    }
    let action = f.nested("action")?;
    action.only(&["name", "properties"])?;
    let action = action.string("name")?;
    let resource = parse_resource(&f.nested("resource")?)?;
    let context = Value::Object(f.object("context")?);
    let PageRequest { after, limit } = page(&f, "user")?;
    let scan_limit = state.config.search_scan_limit;
    let (logged_action, logged_resource, logged_context) =
        (action.clone(), resource.clone(), context.clone());
    let st = state.clone();
    let started = std::time::Instant::now();
    let (results, last_examined, more) = async move {
        let state = st;
        let mut results: Vec<String> = Vec::new();
        let mut cursor = after;
        let mut examined = 0usize;
        // One read of the role hierarchy for the whole scan.
        let graph = Arc::new(state.app.role_graph().await?);
        loop {
            let want = SCAN_BATCH.min((scan_limit - examined) as i64);
            let users = state.app.users_after(cursor.as_deref(), want).await?;
            let exhausted = (users.len() as i64) < want;
            // The decisions of a batch are CPU work: off the async workers.
            let (engine, graph) = (state.engine.clone(), graph.clone());
            let (action, resource, context) = (action.clone(), resource.clone(), context.clone());
            let decided: Vec<(String, bool)> = super::blocking(move || {
                Ok(users
                    .into_iter()
                    .map(|user| {
                        let allowed = !user.disabled
                            && engine
                                .decide(&Query {
                                    principal: identity::principal_from(
                                        &user.id,
                                        &user.email,
                                        &user.name,
                                        Map::new(),
                                        &user.roles,
                                        &graph,
                                    ),
                                    action_type: "Action".into(),
                                    action: action.clone(),
                                    resource: resource.clone(),
                                    context: context.clone(),
                                })
                                .allowed;
                        (user.id, allowed)
                    })
                    .collect())
            })
            .await?;
            for (id, allowed) in decided {
                examined += 1;
                cursor = Some(id.clone());
                if allowed {
                    results.push(id);
                }
                if results.len() >= limit || examined >= scan_limit {
                    // More may follow; a page that happens to end on the last user answers
                    // one more empty page, which the spec allows.
                    return Ok::<_, ApiError>((results, cursor, true));
                }
            }
            if exhausted {
                return Ok((results, cursor, false));
            }
        }
    }
    .await?;
    // One decision-log row for the search: the subjects found are its reasons.
    let summary = Decision {
        allowed: !results.is_empty(),
        reasons: results
            .iter()
            .take(20)
            .map(|id| format!("User::{id:?}"))
            .collect(),
        errors: Vec::new(),
    };
    record(
        &state,
        &caller,
        Asked {
            principal: "search:User",
            action: &logged_action,
            resource: &logged_resource,
            context: &logged_context,
        },
        &summary,
        started,
    );
    let results: Vec<Value> = results
        .into_iter()
        .map(|id| json!({"type": subject_type, "id": id}))
        .collect();
    let token = if more { last_examined } else { None };
    Ok(Json(
        json!({"results": results, "page": next_token("user", token.as_deref())}),
    ))
}

pub async fn configuration(State(state): State<AppState>) -> Json<Value> {
    let base = state.config.base_url();
    Json(json!({
        "policy_decision_point": base,
        "access_evaluation_endpoint": format!("{base}/access/v1/evaluation"),
        "access_evaluations_endpoint": format!("{base}/access/v1/evaluations"),
        "search_subject_endpoint": format!("{base}/access/v1/search/subject"),
        "search_action_endpoint": format!("{base}/access/v1/search/action"),
    }))
}
