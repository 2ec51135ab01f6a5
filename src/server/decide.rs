//! `/v1/authorize` and `/v1/authorize/batch`: decisions for the holder of an access token.

use super::error::ApiError;
use super::extract::{BearerToken, JsonBody};
use super::{AppState, RequestId};
use crate::app::DecisionRow;
use crate::engine::{Decision, Principal, Query, Resource};
use crate::tokens::Rejection;
use axum::extract::State;
use axum::{Extension, Json};
use serde_json::{json, Map, Value};
use std::time::Instant;

/// Longest string accepted in a named field of a decision body (a type, an id, an action
/// name); free-form `properties` and `context` are bounded by the body limit only.
pub(crate) const MAX_FIELD_BYTES: usize = 1024;

/// A field of a JSON body, with errors that name it.
pub(crate) struct Fields<'a> {
    value: &'a Value,
    prefix: String,
}

impl<'a> Fields<'a> {
    pub fn new(value: &'a Value, prefix: &str) -> Result<Self, ApiError> {
        if !value.is_object() {
            let what = if prefix.is_empty() {
                "request body"
            } else {
                prefix
            };
            return Err(ApiError::bad_request(format!(
                "{what} must be a JSON object"
            )));
        }
        Ok(Fields {
            value,
            prefix: prefix.to_string(),
        })
    }

    /// Refuse a key outside `known` (400 naming it): an ignored field is a request the
    /// caller believes was honoured and was not. Free-form objects (`properties`,
    /// `context`) are never checked with this.
    pub fn only(&self, known: &[&str]) -> Result<(), ApiError> {
        let Some(map) = self.value.as_object() else {
            return Ok(());
        };
        match map.keys().find(|k| !known.contains(&k.as_str())) {
            None => Ok(()),
            Some(k) => Err(ApiError::bad_request(format!(
                "unknown field `{}`; expected one of {}",
                self.name(&k.escape_debug().to_string()),
                known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    fn name(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.prefix)
        }
    }

    /// A required, non-empty string.
    pub fn string(&self, key: &str) -> Result<String, ApiError> {
        match self.value.get(key) {
            None | Some(Value::Null) => Err(ApiError::bad_request(format!(
                "missing field `{}`",
                self.name(key)
            ))),
            Some(Value::String(s)) if s.len() > MAX_FIELD_BYTES => {
                Err(ApiError::bad_request(format!(
                    "field `{}` is longer than {MAX_FIELD_BYTES} bytes",
                    self.name(key)
                )))
            }
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(Value::String(_)) => Err(ApiError::bad_request(format!(
                "field `{}` must not be empty",
                self.name(key)
            ))),
            Some(_) => Err(ApiError::bad_request(format!(
                "field `{}` must be a string",
                self.name(key)
            ))),
        }
    }

    /// An optional object (absent or null is empty).
    pub fn object(&self, key: &str) -> Result<Map<String, Value>, ApiError> {
        match self.value.get(key) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(m)) => Ok(m.clone()),
            Some(_) => Err(ApiError::bad_request(format!(
                "field `{}` must be an object",
                self.name(key)
            ))),
        }
    }

    /// A required nested object.
    pub fn nested(&self, key: &str) -> Result<Fields<'a>, ApiError> {
        match self.value.get(key) {
            None | Some(Value::Null) => Err(ApiError::bad_request(format!(
                "missing field `{}`",
                self.name(key)
            ))),
            Some(v) if v.is_object() => Ok(Fields {
                value: v,
                prefix: self.name(key),
            }),
            Some(_) => Err(ApiError::bad_request(format!(
                "field `{}` must be an object",
                self.name(key)
            ))),
        }
    }
}

/// `{type, id, properties?}` as a resource.
pub(crate) fn parse_resource(fields: &Fields<'_>) -> Result<Resource, ApiError> {
    fields.only(&["type", "id", "properties"])?;
    Ok(Resource {
        kind: fields.string("type")?,
        id: fields.string("id")?,
        properties: fields.object("properties")?,
    })
}

/// Who asked, for the decision log.
pub(crate) struct Caller {
    pub client: String,
    pub request_id: String,
}

/// Decide, count, and log. The one path every HTTP decision takes.
pub(crate) fn decide(state: &AppState, caller: &Caller, query: &Query) -> Decision {
    let started = Instant::now();
    let decision = state.engine.decide(query);
    record(
        state,
        caller,
        Asked {
            principal: &format!("User::{:?}", query.principal.id),
            action: &query.action,
            resource: &query.resource,
            context: &query.context,
        },
        &decision,
        started,
    );
    decision
}

/// What a logged decision was about.
pub(crate) struct Asked<'a> {
    pub principal: &'a str,
    pub action: &'a str,
    pub resource: &'a Resource,
    pub context: &'a serde_json::Value,
}

/// Count a decision and queue it for the decision log (also decisions made without the
/// engine, such as an unknown subject's deny).
pub(crate) fn record(
    state: &AppState,
    caller: &Caller,
    asked: Asked<'_>,
    decision: &Decision,
    started: Instant,
) {
    let Asked {
        principal,
        action,
        resource,
        context,
    } = asked;
    let latency = started.elapsed();
    state
        .metrics
        .decision(decision.allowed, !decision.errors.is_empty(), latency);
    state.decision_log.record(DecisionRow {
        id: 0,
        at: crate::util::now(),
        request_id: caller.request_id.clone(),
        client: caller.client.clone(),
        principal: principal.to_string(),
        action: action.to_string(),
        resource: format!("{}::{:?}", resource.kind, resource.id),
        decision: if decision.allowed { "allow" } else { "deny" }.into(),
        reasons: decision.reasons.clone(),
        errors: decision.errors.clone(),
        latency_us: latency.as_micros() as i64,
        properties: serde_json::Value::Object(resource.properties.clone()),
        context: context.clone(),
    });
}

/// The verified caller behind a bearer access token; 401 with the reason (counted in the
/// metrics) otherwise. Cached while nothing changed (see [`crate::identity::Resolver`]).
pub(crate) async fn verified_caller(
    state: &AppState,
    token: Option<String>,
) -> Result<crate::identity::Verified, ApiError> {
    let reject = |r: Rejection| {
        state.metrics.rejected(r);
        ApiError::unauthorized(r)
    };
    let token = token.ok_or_else(|| reject(Rejection::Missing))?;
    state.resolver.resolve(&token).await.map_err(reject)
}

async fn token_principal(state: &AppState, token: Option<String>) -> Result<Principal, ApiError> {
    verified_caller(state, token).await.map(|v| v.principal)
}

fn query_from(principal: &Principal, item: &Fields<'_>) -> Result<Query, ApiError> {
    item.only(&["action", "resource", "context"])?;
    let context = item.object("context")?;
    Ok(Query {
        principal: principal.clone(),
        action_type: "Action".into(),
        action: item.string("action")?,
        resource: parse_resource(&item.nested("resource")?)?,
        context: Value::Object(context),
    })
}

fn answer(decision: &Decision, request_id: &str) -> Value {
    json!({
        "decision": if decision.allowed { "allow" } else { "deny" },
        "allowed": decision.allowed,
        "reasons": decision.reasons,
        "errors": decision.errors,
        "request_id": request_id,
    })
}

pub async fn authorize(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    BearerToken(token): BearerToken,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let principal = token_principal(&state, token).await?;
    let query = query_from(&principal, &Fields::new(&body, "")?)?;
    let caller = Caller {
        client: format!("user:{}", principal.id),
        request_id: request_id.clone(),
    };
    let decision = decide(&state, &caller, &query);
    Ok(Json(answer(&decision, &request_id)))
}

pub async fn authorize_batch(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    BearerToken(token): BearerToken,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let principal = token_principal(&state, token).await?;
    Fields::new(&body, "")?.only(&["items"])?;
    let items = match body.get("items") {
        Some(Value::Array(items)) => items,
        None => return Err(ApiError::bad_request("missing field `items`")),
        Some(_) => return Err(ApiError::bad_request("field `items` must be an array")),
    };
    if items.len() > state.config.batch_limit {
        return Err(ApiError::bad_request(format!(
            "field `items` has {} entries; at most {} are allowed",
            items.len(),
            state.config.batch_limit
        )));
    }
    // Parse every item first: a bad item fails the whole batch with its index named.
    let queries = items
        .iter()
        .enumerate()
        .map(|(i, item)| query_from(&principal, &Fields::new(item, &format!("items[{i}]"))?))
        .collect::<Result<Vec<_>, _>>()?;
    let caller = Caller {
        client: format!("user:{}", principal.id),
        request_id: request_id.clone(),
    };
    let results: Vec<Value> = queries
        .iter()
        .map(|q| answer(&decide(&state, &caller, q), &request_id))
        .collect();
    Ok(Json(json!({"results": results, "request_id": request_id})))
}
