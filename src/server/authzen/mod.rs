//! OpenID AuthZEN Authorization API 1.0: evaluation, evaluations, search, discovery.
//!
//! Callers are services holding a client key. Subjects of a directory type are looked up in
//! warden's directory (by email when the subject id holds `@`, else by user id: see
//! [`crate::identity::Resolver::directory_subject`]); an unknown or disabled subject is a deny,
//! not an error. Items answer exactly `{"decision": bool}` unless the caller asks for
//! explanations with the header `X-Warden-Explain: true` (or `options.explain: true` in an
//! evaluations request), which adds `context: {reasons, errors}`.

mod search;

use super::decide::{action_of, decide, record, resource, Asked, Caller};
use super::error::ApiError;
use super::extract::{from_value, JsonBody};
use super::origin::CallerAddress;
use super::{AppState, RequestId};
use crate::api;
use crate::app::ClientRow;
use crate::engine::{Decision, Principal, Query};
use crate::identity;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::{Extension, Json};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
pub use search::{search_action, search_resource, search_subject};
use serde_json::{Map, Value};
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

impl From<api::Evaluation> for Evaluation {
    fn from(e: api::Evaluation) -> Self {
        Evaluation {
            subject_type: e.subject.kind.into_string(),
            subject_id: e.subject.id.into_string(),
            subject_properties: e.subject.properties,
            action: e.action.name.into_string(),
            resource: resource(e.resource),
            context: e.context,
        }
    }
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

/// An action a service client may ask about: the app's own, by a bare name or a full uid,
/// never warden's admin actions (`Warden::Action::"..."`).
///
/// Security: a client key is for the app's decisions. Answers about warden's own actions
/// would tell any service who may administer warden (who may rotate keys, change roles),
/// and resource search would list the directory's users and roles, which the admin API
/// refuses the same key. A signed-in user may still ask `/v1/authorize` about their own
/// admin permissions (the console does, to hide what it may not do).
fn service_action(text: &str) -> Result<(String, String), String> {
    let (action_type, action) = action_of(text)?;
    if action_type == crate::admin_action::ACTION_TYPE || action_type.starts_with("Warden::") {
        return Err(format!(
            "{action_type}::{action:?} is one of warden's own admin actions, which AuthZEN \
             callers may not ask about: a client key is for the app's actions"
        ));
    }
    Ok((action_type, action))
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
    // A bare name is an `Action`, a full uid is taken as written; a name that is neither, or
    // one of warden's own admin actions, is a deny that says why (fail closed).
    let (action_type, action) = match service_action(&e.action) {
        Ok(named) => named,
        Err(error) => return denied(Decision::error(error)),
    };
    match subject_principal(state, &e.subject_type, &e.subject_id, &e.subject_properties).await {
        Ok(Some(principal)) => decide(
            state,
            caller,
            &Query {
                principal,
                context: crate::admin_action::with_default_context(
                    &action_type,
                    Value::Object(e.context.clone()),
                ),
                action_type,
                action,
                resource: e.resource.clone(),
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

fn item(decision: &Decision, explain: bool) -> api::EvaluationAnswer {
    api::EvaluationAnswer {
        decision: decision.allowed,
        context: explain.then(|| api::Explanation {
            reasons: decision.reasons.clone(),
            errors: decision.errors.clone(),
        }),
    }
}

/// The caller of a service route; the gate checked its key before the body was read.
fn caller(client: &ClientRow, request_id: String, address: &str) -> Caller {
    Caller {
        client: format!("client:{}", client.name),
        request_id,
        address: address.to_string(),
    }
}

pub async fn evaluation(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    Extension(client): Extension<ClientRow>,
    CallerAddress(address): CallerAddress,
    headers: HeaderMap,
    JsonBody(body): JsonBody<api::Evaluation>,
) -> Result<Json<api::EvaluationAnswer>, ApiError> {
    let caller = caller(&client, request_id, &address);
    Ok(Json(item(
        &evaluate(&state, &caller, &body.into()).await,
        wants_explain(&headers),
    )))
}

/// The answer of `POST /access/v1/evaluations`: a list, or one decision without items.
#[derive(serde::Serialize)]
#[serde(untagged)]
pub enum EvaluationsReply {
    Many(api::EvaluationsAnswer),
    One(api::EvaluationAnswer),
}

pub async fn evaluations(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    Extension(client): Extension<ClientRow>,
    CallerAddress(address): CallerAddress,
    headers: HeaderMap,
    JsonBody(body): JsonBody<api::Evaluations>,
) -> Result<Json<EvaluationsReply>, ApiError> {
    let caller = caller(&client, request_id, &address);
    // Options warden does not know were refused with the body, not skipped: a misspelt
    // `evaluations_semantic` would otherwise run every item.
    let options = body.options.clone().unwrap_or_default();
    let explain = wants_explain(&headers) || options.explain == Some(true);
    let semantic = options.evaluations_semantic.unwrap_or_default();
    let api::Evaluations {
        subject,
        action,
        resource,
        context,
        evaluations,
        ..
    } = body;
    let defaults = api::EvaluationItem {
        subject,
        action,
        resource,
        context,
    };
    let items = evaluations.unwrap_or_default();
    if items.is_empty() {
        // No list: a single evaluation of the top-level request.
        let e = complete(defaults, "").map_err(|e| ApiError::bad_request(e.message))?;
        return Ok(Json(EvaluationsReply::One(item(
            &evaluate(&state, &caller, &e).await,
            explain,
        ))));
    }
    if items.len() > state.config.batch_limit {
        return Err(ApiError::bad_request(format!(
            "field `evaluations` has {} entries; at most {} are allowed",
            items.len(),
            state.config.batch_limit
        )));
    }
    let mut results = Vec::with_capacity(items.len());
    for (i, entry) in items.into_iter().enumerate() {
        // A bad item is a deny with its reason, not a refused batch.
        let prefix = format!("evaluations[{i}]");
        let parsed = from_value::<api::EvaluationItem>(entry, &prefix).and_then(|given| {
            // Each key given in the item replaces that whole default.
            let merged = api::EvaluationItem {
                subject: given.subject.or_else(|| defaults.subject.clone()),
                action: given.action.or_else(|| defaults.action.clone()),
                resource: given.resource.or_else(|| defaults.resource.clone()),
                context: given.context.or_else(|| defaults.context.clone()),
            };
            complete(merged, &prefix)
        });
        let decision = match parsed {
            Ok(e) => evaluate(&state, &caller, &e).await,
            Err(err) => Decision::error(err.message),
        };
        let stop = match semantic {
            api::EvaluationsSemantic::ExecuteAll => false,
            api::EvaluationsSemantic::DenyOnFirstDeny => !decision.allowed,
            api::EvaluationsSemantic::PermitOnFirstPermit => decision.allowed,
        };
        results.push(item(&decision, explain));
        if stop {
            break;
        }
    }
    Ok(Json(EvaluationsReply::Many(api::EvaluationsAnswer {
        evaluations: results,
    })))
}

/// An evaluation from an item with its defaults filled in; a 400 naming the missing part.
fn complete(item: api::EvaluationItem, prefix: &str) -> Result<Evaluation, ApiError> {
    let missing = |field: &str| {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        ApiError::bad_request(format!("missing field `{path}`"))
    };
    Ok(api::Evaluation {
        subject: item.subject.ok_or_else(|| missing("subject"))?,
        action: item.action.ok_or_else(|| missing("action"))?,
        resource: item.resource.ok_or_else(|| missing("resource"))?,
        context: item.context.unwrap_or_default(),
    }
    .into())
}

pub async fn configuration(State(state): State<AppState>) -> Json<api::AuthZenConfiguration> {
    let base = state.config.base_url();
    Json(api::AuthZenConfiguration {
        access_evaluation_endpoint: format!("{base}/access/v1/evaluation"),
        access_evaluations_endpoint: format!("{base}/access/v1/evaluations"),
        search_subject_endpoint: format!("{base}/access/v1/search/subject"),
        search_resource_endpoint: format!("{base}/access/v1/search/resource"),
        search_action_endpoint: format!("{base}/access/v1/search/action"),
        policy_decision_point: base,
    })
}
