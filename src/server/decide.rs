//! `/v1/authorize` and `/v1/authorize/batch`: decisions for the holder of an access token.

use super::error::ApiError;
use super::extract::{from_value, BearerToken, JsonBody};
use super::origin::CallerAddress;
use super::{AppState, RequestId};
use crate::api;
use crate::app::DecisionRow;
use crate::engine::{Decision, PlanQuery, Principal, Query, Resource};
use crate::tokens::Rejection;
use axum::extract::State;
use axum::{Extension, Json};
use serde_json::Value;
use std::time::Instant;

/// A decision body's resource as the engine's.
pub(crate) fn resource(r: api::Resource) -> Resource {
    Resource {
        kind: r.kind.into_string(),
        id: r.id.into_string(),
        properties: r.properties,
    }
}

/// An action as the decision APIs take it, the rule `warden decide` follows (issue 32): a
/// bare name (`readDocument`, meaning `Action::"readDocument"`) or a full uid
/// (`Warden::Action::"users.read"`). A name with `::` that is no uid is refused with the two
/// forms, never looked up as the id of an `Action` (which only ever answered "unknown action").
///
/// Security: a caller may so ask about warden's own admin actions too. The answer is about
/// the token's own user (or the service's directory subject), what the admin API would tell
/// it by refusing or not, and it acts on nothing: no admin route takes its protection from
/// these answers. A malformed name is an error (400, or an AuthZEN deny), never a guess.
pub(crate) fn action_of(text: &str) -> Result<(String, String), String> {
    crate::engine::parse_action(text).map_err(|e| {
        format!(
            "`action` is neither an action name (readDocument) nor a full action uid \
             (Warden::Action::\"users.read\"): {e}"
        )
    })
}

/// How the decision log names an action: a plain name of the app's `Action` type by its id
/// (`readDocument`), anything else by its full uid. An id that holds `::` or a quote is
/// written as a uid too (`Action::"Warden::Action::\"keys.rotate\""`), so an app action
/// whose id mimics warden's own cannot pass for it in the log (an audit trail that can be
/// spoofed is no audit trail).
pub(crate) fn logged_action(action_type: &str, action: &str) -> String {
    if action_type == "Action" && !action.contains("::") && !action.contains('"') {
        action.to_string()
    } else {
        format!("{action_type}::{action:?}")
    }
}

/// Who asked, for the decision log.
pub(crate) struct Caller {
    pub client: String,
    pub request_id: String,
    /// The caller's address (see [`super::origin`]).
    pub address: String,
}

/// Decide, count, and log. The one path every HTTP decision takes.
pub(crate) fn decide(state: &AppState, caller: &Caller, query: &Query) -> Decision {
    let started = Instant::now();
    let decision = state.engine.decide(query);
    let action = logged_action(&query.action_type, &query.action);
    record(
        state,
        caller,
        Asked {
            principal: &format!("User::{:?}", query.principal.id),
            action: &action,
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
    super::access_log::note_decision(principal, &caller.client, decision.allowed);
    state.decision_log.record(DecisionRow {
        id: 0,
        at: state.app.now(),
        request_id: caller.request_id.clone(),
        client: caller.client.clone(),
        principal: principal.to_string(),
        action: action.to_string(),
        resource: format!("{}::{:?}", resource.kind, resource.id),
        decision: crate::model::DecisionKind::of(decision.allowed),
        reasons: decision.reasons.clone(),
        errors: decision.errors.clone(),
        latency_us: latency.as_micros() as i64,
        properties: serde_json::Value::Object(resource.properties.clone()),
        context: context.clone(),
        address: caller.address.clone(),
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
        ApiError::unauthorized(r, state.tokens.issuer())
    };
    let token = token.ok_or_else(|| reject(Rejection::Missing))?;
    state.resolver.resolve(&token).await.map_err(reject)
}

async fn token_principal(state: &AppState, token: Option<String>) -> Result<Principal, ApiError> {
    verified_caller(state, token).await.map(|v| v.principal)
}

fn query_from(principal: &Principal, item: api::Authorize) -> Result<Query, String> {
    let (action_type, action) = action_of(item.action.as_str())?;
    let context =
        crate::admin_action::with_default_context(&action_type, Value::Object(item.context));
    Ok(Query {
        principal: principal.clone(),
        action_type,
        action,
        resource: resource(item.resource),
        context,
    })
}

fn answer(decision: &Decision, request_id: &str) -> api::Authorization {
    api::Authorization {
        decision: if decision.allowed { "allow" } else { "deny" }.into(),
        allowed: decision.allowed,
        reasons: decision.reasons.clone(),
        errors: decision.errors.clone(),
        request_id: request_id.to_string(),
    }
}

pub async fn authorize(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    CallerAddress(address): CallerAddress,
    BearerToken(token): BearerToken,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<api::Authorization>, ApiError> {
    // The token first: a caller without one learns nothing from validation errors.
    let principal = token_principal(&state, token).await?;
    let query = query_from(&principal, from_value::<api::Authorize>(body, "")?)
        .map_err(ApiError::bad_request)?;
    let caller = Caller {
        client: format!("user:{}", principal.id),
        request_id: request_id.clone(),
        address: address.clone(),
    };
    let decision = decide(&state, &caller, &query);
    Ok(Json(answer(&decision, &request_id)))
}

pub async fn authorize_batch(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    CallerAddress(address): CallerAddress,
    BearerToken(token): BearerToken,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<api::Authorizations>, ApiError> {
    // The token first: a caller without one learns nothing from validation errors.
    let principal = token_principal(&state, token).await?;
    let body = from_value::<api::AuthorizeBatch>(body, "")?;
    if body.items.len() > state.config.batch_limit {
        return Err(ApiError::bad_request(format!(
            "field `items` has {} entries; at most {} are allowed",
            body.items.len(),
            state.config.batch_limit
        )));
    }
    // Every item was parsed with the body: a bad item failed the whole batch, its index named.
    let caller = Caller {
        client: format!("user:{}", principal.id),
        request_id: request_id.clone(),
        address: address.clone(),
    };
    // Every item's action is read before any is decided: a bad one fails the whole batch,
    // its index named, as a bad item of the body does.
    let queries = body
        .items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            query_from(&principal, item)
                .map_err(|e| ApiError::bad_request(format!("items[{i}]: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let results = queries
        .iter()
        .map(|query| answer(&decide(&state, &caller, query), &request_id))
        .collect();
    Ok(Json(api::Authorizations {
        results,
        request_id,
    }))
}

/// `POST /v1/authorize/plan`: the query plan of the token's user for an action on a resource
/// type. Fail closed: no plan (a bad action or type, no schema) is an error answer, never an
/// empty or permissive condition.
pub async fn authorize_plan(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    CallerAddress(address): CallerAddress,
    BearerToken(token): BearerToken,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<api::Plan>, ApiError> {
    // The token first: a caller without one learns nothing from validation errors.
    let principal = token_principal(&state, token).await?;
    let body = from_value::<api::PlanRequest>(body, "")?;
    let plan = user_plan(
        &state,
        principal,
        body.action.as_str(),
        body.resource_type.into_string(),
        body.context,
        Caller {
            client: String::new(),
            request_id,
            address,
        },
    )?;
    Ok(Json(plan))
}

/// The plan of a signed-in user (`/v1/authorize/plan` and its SQL form): the action read as
/// decisions read it, the plan made and logged (as the user's own question). No plan is a
/// 400, never an empty or permissive condition.
pub(crate) fn user_plan(
    state: &AppState,
    principal: Principal,
    action: &str,
    resource_type: String,
    context: serde_json::Map<String, Value>,
    caller: Caller,
) -> Result<crate::plan::Plan, ApiError> {
    let (action_type, action) = action_of(action).map_err(ApiError::bad_request)?;
    let context = crate::admin_action::with_default_context(&action_type, Value::Object(context));
    let query = PlanQuery {
        principal,
        action_type,
        action,
        resource_type,
        context,
    };
    let started = Instant::now();
    let plan = state.engine.plan(&query);
    let caller = Caller {
        client: format!("user:{}", query.principal.id),
        ..caller
    };
    record_plan(state, &caller, &query, &plan, started);
    plan.map_err(ApiError::bad_request)
}

/// Queue a plan for the decision log: decision `plan`, the resource `Type::"*"`, the
/// condition's kind as a reason and what the plan could not express as errors.
pub(crate) fn record_plan(
    state: &AppState,
    caller: &Caller,
    query: &PlanQuery,
    plan: &Result<crate::plan::Plan, String>,
    started: Instant,
) {
    let latency = started.elapsed();
    let (reasons, errors) = match plan {
        Ok(p) => {
            let kind = serde_json::to_value(p.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let mut reasons = vec![format!("plan:{kind}")];
            reasons.extend(p.reasons.iter().cloned());
            (reasons, p.unsupported.clone())
        }
        Err(e) => (Vec::new(), vec![e.clone()]),
    };
    state.decision_log.record(DecisionRow {
        id: 0,
        at: state.app.now(),
        request_id: caller.request_id.clone(),
        client: caller.client.clone(),
        principal: format!("User::{:?}", query.principal.id),
        action: logged_action(&query.action_type, &query.action),
        resource: format!("{}::\"*\"", query.resource_type),
        decision: crate::model::DecisionKind::Plan,
        reasons,
        errors,
        latency_us: latency.as_micros() as i64,
        properties: Value::Object(Default::default()),
        context: query.context.clone(),
        address: caller.address.clone(),
    });
}
