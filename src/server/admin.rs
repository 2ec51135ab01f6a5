//! `/admin/v1/*`: the admin API behind the TUI.
//!
//! Every call is itself a Cedar decision: the caller (the holder of the bearer token) must be
//! allowed `Warden::Action::"<area>.<verb>"` on `Warden::Resource::"<area>"` by
//! `policies/warden.cedar`, so operators can delegate (a SUPPORT role that may revoke
//! sessions but not change roles). A denied call is 403 naming the action; every change
//! writes an audit row (who, what, target, when).

use super::error::ApiError;
use super::extract::{JsonBody, PathParam, QueryParams};
use super::gate::Admin;
use super::wire;
use super::AppState;
use crate::api::*;
use crate::app::{AppError, Conflict, DecisionFilter, StoreError, UserChange, UserInput};
use crate::engine::Resource;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::Value;
use std::time::Duration;

fn bad(e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(e.to_string())
}

/// Longest opaque id (session, client) or free-text query filter accepted.
const MAX_QUERY_TEXT: usize = 256;

/// An opaque id or a filter value: at most [`MAX_QUERY_TEXT`] bytes, no control characters.
fn short_text<'a>(what: &str, value: &'a str) -> Result<&'a str, ApiError> {
    if value.len() > MAX_QUERY_TEXT || value.chars().any(char::is_control) {
        return Err(ApiError::bad_request(format!(
            "{what}: at most {MAX_QUERY_TEXT} bytes without control characters"
        )));
    }
    Ok(value)
}

/// An optional query filter, checked by [`short_text`].
fn query_text<'a>(name: &str, value: &'a Option<String>) -> Result<Option<&'a str>, ApiError> {
    value
        .as_deref()
        .map(|v| short_text(&format!("query parameter `{name}`"), v))
        .transpose()
}

// ---- users ----

pub async fn list_users(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
    QueryParams(q): QueryParams<UserQuery>,
) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(wire::all(
        state
            .app
            .list_users(
                q.filter.as_deref(),
                q.limit.unwrap_or(100),
                q.offset.unwrap_or(0),
            )
            .await?,
    )))
}

pub async fn show_user(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
    PathParam(id): PathParam,
) -> Result<Json<User>, ApiError> {
    Ok(Json(state.app.user(&id).await?.into()))
}

pub async fn create_user(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    JsonBody(body): JsonBody<UserCreate>,
) -> Result<Response, ApiError> {
    let input = UserInput {
        id: body.id,
        email: body.email,
        name: body.name,
        roles: body.roles,
        password: body.password,
    };
    let user = state.app.create_user(&admin.actor(), input).await?;
    Ok((StatusCode::CREATED, Json(User::from(user))).into_response())
}

pub async fn update_user(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
    JsonBody(body): JsonBody<UserUpdate>,
) -> Result<Json<User>, ApiError> {
    let change = UserChange {
        email: body.email,
        name: body.name,
        disabled: body.disabled,
    };
    Ok(Json(
        state
            .app
            .update_user(&admin.actor(), &id, change)
            .await?
            .into(),
    ))
}

pub async fn set_user_roles(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
    JsonBody(body): JsonBody<SetRoles>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(
        state
            .app
            .set_roles(&admin.actor(), &id, &body.roles)
            .await?
            .into(),
    ))
}

pub async fn set_user_password(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
    JsonBody(body): JsonBody<SetPassword>,
) -> Result<Json<PasswordReset>, ApiError> {
    let reset = state
        .app
        .reset_password(&admin.actor(), &id, body.password)
        .await?;
    Ok(Json(PasswordReset {
        password: "reset".into(),
        sessions_ended: i64::try_from(reset.sessions_ended).unwrap_or(i64::MAX),
        tokens: "revoked".into(),
        throttle: "cleared".into(),
    }))
}

pub async fn revoke_user(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
) -> Result<Json<Revoked>, ApiError> {
    state.app.revoke_user_tokens(&admin.actor(), &id).await?;
    Ok(Json(Revoked { revoked: id }))
}

/// Lift the sign-in throttle of a user's account (every address).
pub async fn unlock_user(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
) -> Result<Json<Unlocked>, ApiError> {
    let cleared = state.app.unlock_user(&admin.actor(), &id).await?;
    Ok(Json(Unlocked {
        unlocked: id,
        counters: i64::try_from(cleared).unwrap_or(i64::MAX),
    }))
}

pub async fn delete_user(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
) -> Result<Json<Deleted>, ApiError> {
    state.app.delete_user(&admin.actor(), &id).await?;
    Ok(Json(Deleted { deleted: id }))
}

// ---- federated identities ----

pub async fn list_identities(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
    PathParam(id): PathParam,
) -> Result<Json<Vec<Identity>>, ApiError> {
    Ok(Json(wire::all(state.app.list_identities(&id).await?)))
}

pub async fn link_identity(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
    JsonBody(body): JsonBody<LinkIdentity>,
) -> Result<Response, ApiError> {
    let linked = state
        .app
        .link_identity(&admin.actor(), &id, &body.issuer, &body.subject)
        .await?;
    Ok((StatusCode::CREATED, Json(Identity::from(linked))).into_response())
}

pub async fn unlink_identity(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
    QueryParams(q): QueryParams<IdentityQuery>,
) -> Result<Json<Unlinked>, ApiError> {
    let unlinked = state
        .app
        .unlink_identity(&admin.actor(), &id, &q.issuer, &q.subject)
        .await?;
    Ok(Json(Unlinked {
        unlinked: unlinked.into(),
    }))
}

// ---- roles ----

pub async fn list_roles(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
) -> Result<Json<Vec<Role>>, ApiError> {
    Ok(Json(wire::all(state.app.list_roles().await?)))
}

pub async fn create_role(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    JsonBody(body): JsonBody<RoleCreate>,
) -> Result<Response, ApiError> {
    let role = state
        .app
        .create_role(&admin.actor(), &body.name, &body.parents)
        .await?;
    Ok((StatusCode::CREATED, Json(Role::from(role))).into_response())
}

pub async fn update_role(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(name): PathParam,
    JsonBody(body): JsonBody<RoleUpdate>,
) -> Result<Json<Role>, ApiError> {
    Ok(Json(
        state
            .app
            .update_role(&admin.actor(), &name, &body.parents)
            .await?
            .into(),
    ))
}

pub async fn delete_role(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(name): PathParam,
    QueryParams(q): QueryParams<RoleDeleteQuery>,
) -> Result<Json<Deleted>, ApiError> {
    state
        .app
        .remove_role(&admin.actor(), &name, q.force.unwrap_or(false))
        .await
        .map_err(|e| match e {
            // The core's message serves every caller; over HTTP the way out of a role in
            // use (and only of that: `force` cannot keep an administrator) is the query.
            AppError::Store(StoreError::Conflict(c @ Conflict::RoleInUse { .. })) => {
                let mut e = ApiError::conflict(c);
                e.message.push_str(&format!(
                    "; remove it anyway with DELETE /admin/v1/roles/{name}?force=true"
                ));
                e
            }
            other => other.into(),
        })?;
    Ok(Json(Deleted { deleted: name }))
}

// ---- sessions and tokens ----

pub async fn list_sessions(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
    QueryParams(q): QueryParams<SessionQuery>,
) -> Result<Json<Vec<Session>>, ApiError> {
    Ok(Json(wire::all(
        state
            .app
            .list_sessions(q.user.as_deref(), q.active.unwrap_or(false))
            .await?,
    )))
}

pub async fn revoke_session(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
) -> Result<Json<Session>, ApiError> {
    Ok(Json(
        state.app.revoke_session(&admin.actor(), &id).await?.into(),
    ))
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    JsonBody(body): JsonBody<RevokeJti>,
) -> Result<Json<Revoked>, ApiError> {
    state.app.revoke_token(&admin.actor(), &body.jti).await?;
    Ok(Json(Revoked { revoked: body.jti }))
}

// ---- clients ----

pub async fn list_clients(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
) -> Result<Json<Vec<Client>>, ApiError> {
    Ok(Json(wire::all(state.app.list_clients().await?)))
}

pub async fn create_client(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    JsonBody(body): JsonBody<ClientCreate>,
) -> Result<Response, ApiError> {
    let created = state.app.create_client(&admin.actor(), &body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(ClientCreated {
            id: created.client.id,
            name: created.client.name,
            key: created.key,
        }),
    )
        .into_response())
}

pub async fn revoke_client(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
) -> Result<Json<Client>, ApiError> {
    Ok(Json(
        state.app.revoke_client(&admin.actor(), &id).await?.into(),
    ))
}

// ---- policies ----

fn policy_list(state: &AppState) -> PolicyList {
    let bundle = state.engine.bundle();
    PolicyList {
        policies: bundle
            .info
            .iter()
            .map(|p| PolicyView {
                id: p.id.clone(),
                file: p.file.clone(),
                line: p.line,
                effect: p.effect.to_string(),
                status: if p.template { "template" } else { "active" }.to_string(),
                source: policy_source(&bundle.policies, p),
            })
            .collect(),
        last_error: state.engine.last_error().map(|e| e.to_string()),
    }
}

pub async fn list_policies(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
) -> Result<Json<PolicyList>, ApiError> {
    Ok(Json(policy_list(&state)))
}

pub async fn reload_policies(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
) -> Result<Response, ApiError> {
    state.app.reload_policies(&admin.actor()).await?;
    Ok(Json(policy_list(&state)).into_response())
}

pub async fn what_if(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
    JsonBody(body): JsonBody<WhatIf>,
) -> Result<Json<DecisionAnswer>, ApiError> {
    let resource = Resource {
        kind: body.resource.kind,
        id: body.resource.id,
        properties: body.resource.properties,
    };
    let d = state
        .app
        .what_if(
            &body.user,
            &body.action,
            resource,
            Value::Object(body.context),
        )
        .await?;
    Ok(Json(DecisionAnswer {
        allowed: d.allowed,
        reasons: d.reasons,
        errors: d.errors,
    }))
}

/// `POST /admin/v1/whatif/plan`: the core's what-if plan, as the wire plan.
pub async fn what_if_plan(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
    JsonBody(body): JsonBody<WhatIfPlan>,
) -> Result<Json<Plan>, ApiError> {
    let plan = state
        .app
        .what_if_plan(
            &body.user,
            &body.action,
            body.resource_type.as_str(),
            Value::Object(body.context),
        )
        .await?;
    Ok(Json(plan))
}

// ---- decisions and audit ----

/// A number below its bound is refused with the bound, as the OpenAPI document states it
/// (`minimum`), instead of being clamped or passed on (issue 32: `limit=-9223372036854775808`
/// and a negative `after_id` were answered as if they made sense).
fn at_least(name: &str, value: Option<i64>, min: i64) -> Result<Option<i64>, ApiError> {
    match value {
        Some(v) if v < min => Err(ApiError::bad_request(format!(
            "query parameter `{name}`: at least {min}, not {v}"
        ))),
        _ => Ok(value),
    }
}

/// The longest long-poll, inside the request timeout.
const MAX_WAIT_SECS: u64 = 25;

pub async fn list_decisions(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
    QueryParams(q): QueryParams<DecisionQuery>,
) -> Result<Json<Vec<DecisionEntry>>, ApiError> {
    let filter = DecisionFilter {
        principal: query_text("principal", &q.principal)?.map(str::to_owned),
        action: query_text("action", &q.action)?.map(str::to_owned),
        decision: q.decision,
        since: q.since,
        after_id: at_least("after_id", q.after_id, 0)?,
        limit: at_least("limit", q.limit, 1)?.unwrap_or(100).min(1000),
    };
    let wait = q.wait.unwrap_or(0);
    if wait > MAX_WAIT_SECS {
        return Err(ApiError::bad_request(format!(
            "query parameter `wait`: at most {MAX_WAIT_SECS} seconds"
        )));
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(wait);
    // Woken by this server's log writer after each batch it commits, and every
    // `FALLBACK_PERIOD` for rows other replicas wrote: an idle long-poll costs no query
    // between the two.
    let rows = super::decision_log::wait_for_rows(
        state.decision_log.committed(),
        deadline,
        super::decision_log::FALLBACK_PERIOD,
        || state.app.decisions(filter.clone()),
    )
    .await?;
    Ok(Json(wire::all(rows)))
}

pub async fn decision_stats(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
    QueryParams(q): QueryParams<StatsQuery>,
) -> Result<Json<crate::api::DecisionStats>, ApiError> {
    Ok(Json(
        state
            .app
            .decision_stats(q.window.unwrap_or(3600))
            .await?
            .into(),
    ))
}

pub async fn list_audit(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
    QueryParams(q): QueryParams<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    Ok(Json(wire::all(
        state
            .app
            .list_audit(
                query_text("actor", &q.actor)?,
                query_text("action", &q.action)?,
                at_least("limit", q.limit, 1)?.unwrap_or(100),
            )
            .await?,
    )))
}

// ---- replicas ----

pub async fn list_replicas(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
) -> Result<Json<Vec<crate::api::Replica>>, ApiError> {
    Ok(Json(wire::all(state.app.replicas().await?)))
}

// ---- signing keys ----

pub async fn list_keys(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
) -> Result<Json<Vec<SigningKey>>, ApiError> {
    Ok(Json(wire::all(state.app.list_keys().await?)))
}

/// Rotate the signing key: new tokens are signed with a fresh key; the previous one keeps
/// verifying until its tokens expire (the same operation as `warden keys rotate`).
pub async fn rotate_key(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
) -> Result<Json<Vec<SigningKey>>, ApiError> {
    state.app.rotate_key(&admin.actor()).await?;
    Ok(Json(wire::all(state.app.list_keys().await?)))
}

/// The source text of a policy, as Cedar keeps it (empty when it cannot be found).
fn policy_source(set: &cedar_policy::PolicySet, info: &crate::engine::PolicyInfo) -> String {
    let id = cedar_policy::PolicyId::new(&info.id);
    set.policy(&id)
        .map(|p| p.to_string())
        .or_else(|| set.template(&id).map(|t| t.to_string()))
        .unwrap_or_default()
}

impl From<crate::model::InvalidValue> for ApiError {
    fn from(e: crate::model::InvalidValue) -> Self {
        bad(e)
    }
}
