//! `/admin/v1/*`: the admin API behind the TUI.
//!
//! Every call is itself a Cedar decision: the caller (the holder of the bearer token) must be
//! allowed `Warden::Action::"<area>.<verb>"` on `Warden::Resource::"<area>"` by
//! `policies/warden.cedar`, so operators can delegate (a SUPPORT role that may revoke
//! sessions but not change roles). A denied call is 403 naming the action; every change
//! writes an audit row (who, what, target, when).

use super::decide::{decide, record, Asked, Caller};
use super::error::ApiError;
use super::extract::{bearer, JsonBody, PathParam, QueryParams};
use super::{blocking, AppState, RequestId};
use crate::api::*;
use crate::engine::{Query, Resource};
use crate::identity;
use crate::model::{Email, InvalidValue, RoleName, SearchText, UserId, UserName};
use crate::store::{
    AuditRow, ClientRow, DecisionFilter, DecisionRow, DecisionStats, NewUser, RoleRow, SessionRow,
    UserRow,
};
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

/// The signed-in admin making a call, allowed by the gate.
#[derive(Clone)]
pub struct Admin {
    id: String,
    state: AppState,
}

impl Admin {
    fn audit(&self, action: &str, target: &str, detail: Value) -> Result<(), ApiError> {
        Ok(self
            .state
            .store
            .audit(&format!("user:{}", self.id), action, target, &detail)?)
    }
}

/// The gate in front of every admin and service route, run after routing and before any
/// body is read: an unauthenticated caller gets 401 and a caller the policies do not allow
/// gets 403 before the request is parsed, so neither learns anything from validation errors.
pub async fn gate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|p| super::openapi::route(req.method().as_str(), p.as_str()));
    let Some(route) = route else {
        return next.run(req).await;
    };
    // Service routes (AuthZEN, introspection): the client key comes first, too.
    if route.auth == super::openapi::Auth::ClientKey {
        return match super::ops::require_client(&state, req.headers()).await {
            Ok(client) => {
                req.extensions_mut().insert(client);
                next.run(req).await
            }
            Err(e) => refuse_unread(req, e, state.config.max_body_bytes).await,
        };
    }
    let Some(action) = route.admin_action else {
        return next.run(req).await;
    };
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    match allow(&state, bearer(req.headers()), &request_id, action) {
        Ok(admin) => {
            req.extensions_mut().insert(admin);
            next.run(req).await
        }
        Err(e) => refuse_unread(req, e, state.config.max_body_bytes).await,
    }
}

/// Refuse a request whose body was not looked at. The body is read (at most `limit` bytes,
/// within the body deadline) and dropped, unparsed: a response sent while the client is still
/// sending makes the server close the connection with data unread, and the kernel then
/// resets it, so the client may lose the very answer that says why it was refused.
async fn refuse_unread(req: Request, e: ApiError, limit: usize) -> Response {
    let _ = axum::body::to_bytes(req.into_body(), limit).await;
    e.into_response()
}

/// Check the bearer token, then ask the policies whether its user may `action`.
pub(super) fn allow(
    state: &AppState,
    token: Option<String>,
    request_id: &str,
    action: &str,
) -> Result<Admin, ApiError> {
    let verified = super::decide::verified_caller(state, token)?;
    let (principal, user) = (verified.principal, verified.user);
    let area = action.split('.').next().unwrap_or(action);
    let query = Query {
        principal,
        action_type: "Warden::Action".into(),
        action: action.to_string(),
        resource: Resource {
            kind: "Warden::Resource".into(),
            id: area.to_string(),
            properties: Default::default(),
        },
        context: json!({}),
    };
    let caller = Caller {
        client: format!("admin:{}", user.id),
        request_id: request_id.to_string(),
    };
    // Every admin call is a decision. Allowed reads are not written to the decision log:
    // the TUI polls them every few seconds and would drown the log (and its own Decisions
    // tab) in its own traffic. Denied calls and every change are logged.
    let decision = if action.ends_with(".read") {
        let started = std::time::Instant::now();
        let d = state.engine.decide(&query);
        if d.allowed {
            state.metrics.decision(true, false, started.elapsed());
        } else {
            record(
                state,
                &caller,
                Asked {
                    principal: &format!("User::{:?}", user.id),
                    action,
                    resource: &query.resource,
                    context: &query.context,
                },
                &d,
                started,
            );
        }
        d
    } else {
        decide(state, &caller, &query)
    };
    if !decision.allowed {
        let why = if decision.errors.is_empty() {
            "no policy permits it".to_string()
        } else {
            decision.errors.join("; ")
        };
        let mut e = ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("{} may not Warden::Action::\"{action}\": {why}", user.id),
        );
        if !decision.reasons.is_empty() {
            e.message
                .push_str(&format!(" (denied by {})", decision.reasons.join(", ")));
        }
        return Err(e);
    }
    Ok(Admin {
        id: user.id,
        state: state.clone(),
    })
}

fn bad(e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(e.to_string())
}

/// A 400 naming the body field a refused value came from.
fn field(name: &'static str) -> impl Fn(InvalidValue) -> ApiError {
    move |e| ApiError::bad_request(format!("field `{name}`: {e}"))
}

/// A user id from the path. An id that cannot exist is refused (400), not looked up.
fn path_user(id: &str) -> Result<UserId, ApiError> {
    UserId::parse(id).map_err(|e| ApiError::bad_request(format!("path: {e}")))
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

fn role_names(names: &[String]) -> Result<Vec<RoleName>, ApiError> {
    if names.len() > 64 {
        return Err(ApiError::bad_request(
            "field `roles`: at most 64 roles are allowed",
        ));
    }
    names
        .iter()
        .map(|r| RoleName::parse(r).map_err(field("roles")))
        .collect()
}

// ---- users ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserListQuery {
    filter: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

pub async fn list_users(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
    QueryParams(q): QueryParams<UserListQuery>,
) -> Result<Json<Vec<UserRow>>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let filter = q
        .filter
        .as_deref()
        .map(SearchText::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request(format!("query parameter `filter`: {e}")))?;
    Ok(Json(state.store.list_users(
        filter.as_ref(),
        limit,
        q.offset.unwrap_or(0).max(0),
    )?))
}

pub async fn show_user(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
    PathParam(id): PathParam,
) -> Result<Json<UserRow>, ApiError> {
    Ok(Json(state.store.user(path_user(&id)?.as_str())?))
}

pub async fn create_user(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    JsonBody(body): JsonBody<UserCreate>,
) -> Result<Response, ApiError> {
    let email = Email::parse(&body.email).map_err(field("email"))?;
    let id = match &body.id {
        Some(id) => UserId::parse(id).map_err(field("id"))?,
        None => UserId::from_email(&email).map_err(field("email"))?,
    };
    let name = UserName::parse(&body.name).map_err(field("name"))?;
    let roles = role_names(&body.roles)?;
    let password_hash = match body.password {
        Some(p) => Some(state.accounts.hash_password(p).await?),
        None => None,
    };
    let user = state.store.create_user(&NewUser {
        id,
        email,
        name,
        roles,
        password_hash,
    })?;
    admin.audit(
        "users.create",
        &format!("user:{}", user.id),
        json!({"roles": user.roles}),
    )?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

pub async fn update_user(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
    JsonBody(body): JsonBody<UserUpdate>,
) -> Result<Json<UserRow>, ApiError> {
    let id = path_user(&id)?.to_string();
    let email = body
        .email
        .as_deref()
        .map(Email::parse)
        .transpose()
        .map_err(field("email"))?;
    let name = body
        .name
        .as_deref()
        .map(UserName::parse)
        .transpose()
        .map_err(field("name"))?;
    let mut user = state
        .store
        .update_user(&id, email.as_ref(), name.as_ref())?;
    if let Some(disabled) = body.disabled {
        user = state.store.set_user_disabled(&id, disabled)?;
    }
    // One row per kind of change, so that disabling and enabling read apart in the log.
    if body.email.is_some() || body.name.is_some() {
        admin.audit(
            "users.update",
            &format!("user:{id}"),
            json!({"email": body.email, "name": body.name}),
        )?;
    }
    if let Some(disabled) = body.disabled {
        let action = if disabled {
            "users.disable"
        } else {
            "users.enable"
        };
        admin.audit(action, &format!("user:{id}"), json!({}))?;
    }
    Ok(Json(user))
}

pub async fn set_user_roles(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
    JsonBody(body): JsonBody<SetRoles>,
) -> Result<Json<UserRow>, ApiError> {
    let id = path_user(&id)?.to_string();
    // The audit entry says what changed: the roles before and after.
    let before = state.store.user(&id)?.roles;
    let user = state.store.set_user_roles(&id, &role_names(&body.roles)?)?;
    admin.audit(
        "users.roles",
        &format!("user:{id}"),
        json!({"roles": user.roles, "before": before, "after": user.roles}),
    )?;
    Ok(Json(user))
}

pub async fn set_user_password(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
    JsonBody(body): JsonBody<SetPassword>,
) -> Result<Json<Value>, ApiError> {
    let id = path_user(&id)?.to_string();
    state.store.user(&id)?;
    let hash = state.accounts.hash_password(body.password).await?;
    let ended = state.store.reset_password(&id, &hash)?;
    let detail = json!({"password": "reset", "sessions_ended": ended, "tokens": "revoked", "throttle": "cleared"});
    admin.audit("users.password", &format!("user:{id}"), detail.clone())?;
    Ok(Json(detail))
}

pub async fn revoke_user(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
) -> Result<Json<Value>, ApiError> {
    let id = path_user(&id)?.to_string();
    state.store.revoke_user_tokens(&id)?;
    admin.audit("users.revoke", &format!("user:{id}"), json!({}))?;
    Ok(Json(json!({"revoked": id})))
}

/// Lift the sign-in throttle of a user's account (every address).
pub async fn unlock_user(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
) -> Result<Json<Value>, ApiError> {
    let user = state.store.user(&id)?;
    let cleared = state.store.unlock_account(&user.email)?;
    admin.audit(
        "users.unlock",
        &format!("user:{id}"),
        json!({"throttle": "cleared", "counters": cleared}),
    )?;
    Ok(Json(json!({"unlocked": id, "counters": cleared})))
}

pub async fn delete_user(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
) -> Result<Json<Value>, ApiError> {
    let id = path_user(&id)?.to_string();
    if id == admin.id {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "you cannot delete yourself",
        ));
    }
    state.store.delete_user(&id)?;
    admin.audit("users.delete", &format!("user:{id}"), json!({}))?;
    Ok(Json(json!({"deleted": id})))
}

// ---- roles ----

pub async fn list_roles(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
) -> Result<Json<Vec<RoleRow>>, ApiError> {
    Ok(Json(state.store.list_roles()?))
}

pub async fn create_role(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    JsonBody(body): JsonBody<RoleCreate>,
) -> Result<Response, ApiError> {
    let role = state.store.create_role(
        &RoleName::parse(&body.name).map_err(field("name"))?,
        &role_names(&body.parents)?,
    )?;
    admin.audit(
        "roles.create",
        &format!("role:{}", role.name),
        json!({"parents": role.parents}),
    )?;
    Ok((StatusCode::CREATED, Json(role)).into_response())
}

pub async fn update_role(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(name): PathParam,
    JsonBody(body): JsonBody<RoleUpdate>,
) -> Result<Json<RoleRow>, ApiError> {
    let before = state.store.role(&name)?.parents;
    let role = state.store.set_role_parents(
        &RoleName::parse(&name).map_err(|e| ApiError::bad_request(format!("path: {e}")))?,
        &role_names(&body.parents)?,
    )?;
    admin.audit(
        "roles.update",
        &format!("role:{name}"),
        json!({"parents": role.parents, "before": before, "after": role.parents}),
    )?;
    Ok(Json(role))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForceQuery {
    #[serde(default)]
    force: bool,
}

pub async fn delete_role(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(name): PathParam,
    QueryParams(q): QueryParams<ForceQuery>,
) -> Result<Json<Value>, ApiError> {
    RoleName::parse(&name).map_err(|e| ApiError::bad_request(format!("path: {e}")))?;
    state
        .store
        .remove_role(&name, q.force)
        .map_err(|e| match e {
            // The store's message serves every caller; over HTTP the way out is the query.
            crate::store::StoreError::Conflict(m) if !q.force => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("{m}; remove it anyway with DELETE /admin/v1/roles/{name}?force=true"),
            ),
            other => other.into(),
        })?;
    admin.audit(
        "roles.delete",
        &format!("role:{name}"),
        json!({"force": q.force}),
    )?;
    Ok(Json(json!({"deleted": name})))
}

// ---- sessions and tokens ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionQuery {
    user: Option<String>,
    #[serde(default)]
    active: bool,
}

pub async fn list_sessions(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
    QueryParams(q): QueryParams<SessionQuery>,
) -> Result<Json<Vec<SessionRow>>, ApiError> {
    let user = q
        .user
        .as_deref()
        .map(UserId::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request(format!("query parameter `user`: {e}")))?;
    Ok(Json(state.store.list_sessions(
        user.as_ref().map(UserId::as_str),
        q.active,
    )?))
}

pub async fn revoke_session(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
) -> Result<Json<SessionRow>, ApiError> {
    short_text("path: session id", &id)?;
    let session = state.store.revoke_session(&id, "revoked_by_admin")?;
    admin.audit(
        "sessions.revoke",
        &format!("session:{id}"),
        json!({"user": session.user_id}),
    )?;
    Ok(Json(session))
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    JsonBody(body): JsonBody<RevokeJti>,
) -> Result<Json<Value>, ApiError> {
    if body.jti.is_empty() || body.jti.len() > 128 || body.jti.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "field `jti` must be 1 to 128 characters",
        ));
    }
    let until = crate::util::now() + state.config.access_token_ttl + state.config.leeway as i64;
    state.store.revoke_jti(&body.jti, until)?;
    admin.audit("tokens.revoke", &format!("jti:{}", body.jti), json!({}))?;
    Ok(Json(json!({"revoked": body.jti})))
}

// ---- clients ----

pub async fn list_clients(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
) -> Result<Json<Vec<ClientRow>>, ApiError> {
    Ok(Json(state.store.list_clients()?))
}

pub async fn create_client(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    JsonBody(body): JsonBody<ClientCreate>,
) -> Result<Response, ApiError> {
    let (client, key) = state.store.create_client(&body.name)?;
    admin.audit(
        "clients.create",
        &format!("client:{}", client.id),
        json!({"name": client.name}),
    )?;
    Ok((
        StatusCode::CREATED,
        Json(ClientCreated {
            id: client.id,
            name: client.name,
            key,
        }),
    )
        .into_response())
}

pub async fn revoke_client(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(id): PathParam,
) -> Result<Json<ClientRow>, ApiError> {
    short_text("path: client id", &id)?;
    let client = state.store.revoke_client(&id)?;
    admin.audit("clients.revoke", &format!("client:{id}"), json!({}))?;
    Ok(Json(client))
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
    let engine = state.engine.clone();
    let result = blocking(move || Ok(engine.reload())).await?;
    admin.audit("policies.reload", "policies", json!({"ok": result.is_ok()}))?;
    match result {
        Ok(_) => Ok(Json(policy_list(&state)).into_response()),
        Err(e) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "policy_error",
            format!("reload refused; the previous policies keep serving: {e}"),
        )),
    }
}

pub async fn what_if(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
    JsonBody(body): JsonBody<WhatIf>,
) -> Result<Json<DecisionAnswer>, ApiError> {
    let principal = match identity::directory_principal(&state.store, &body.user) {
        Ok(p) => p,
        Err(identity::IdentityError::UnknownUser(u)) => {
            return Err(ApiError::not_found(format!("user {u} not found")))
        }
        Err(identity::IdentityError::Disabled(u)) => {
            return Ok(Json(DecisionAnswer {
                allowed: false,
                reasons: vec![],
                errors: vec![format!("user {u} is disabled")],
            }))
        }
        Err(identity::IdentityError::Store(e)) => return Err(e.into()),
    };
    let (action_type, action) = crate::engine::parse_action(&body.action).map_err(bad)?;
    let query = Query {
        principal,
        action_type,
        action,
        resource: Resource {
            kind: body.resource.kind,
            id: body.resource.id,
            properties: body.resource.properties,
        },
        context: Value::Object(body.context),
    };
    // A what-if is a question, not an access: it is not written to the decision log.
    let d = state.engine.decide(&query);
    Ok(Json(DecisionAnswer {
        allowed: d.allowed,
        reasons: d.reasons,
        errors: d.errors,
    }))
}

// ---- decisions and audit ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionQuery {
    principal: Option<String>,
    action: Option<String>,
    decision: Option<String>,
    since: Option<i64>,
    after_id: Option<i64>,
    limit: Option<i64>,
    /// Long-poll: wait up to this many seconds (max 25, inside the request timeout) for decisions newer than `after_id`.
    wait: Option<u64>,
}

pub async fn list_decisions(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
    QueryParams(q): QueryParams<DecisionQuery>,
) -> Result<Json<Vec<DecisionRow>>, ApiError> {
    if let Some(d) = &q.decision {
        if d != "allow" && d != "deny" {
            return Err(ApiError::bad_request("decision must be allow or deny"));
        }
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(q.wait.unwrap_or(0).min(25));
    loop {
        let rows = state.store.query_decisions(&DecisionFilter {
            principal: query_text("principal", &q.principal)?,
            action: query_text("action", &q.action)?,
            decision: q.decision.as_deref(),
            since: q.since,
            after_id: q.after_id,
            limit: q.limit.unwrap_or(100).clamp(1, 1000),
        })?;
        if !rows.is_empty() || tokio::time::Instant::now() >= deadline {
            return Ok(Json(rows));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// Seconds to look back (default 3600).
    window: Option<i64>,
}

pub async fn decision_stats(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
    QueryParams(q): QueryParams<StatsQuery>,
) -> Result<Json<DecisionStats>, ApiError> {
    let since = crate::util::now() - q.window.unwrap_or(3600).max(1);
    Ok(Json(state.store.decision_stats(since)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    limit: Option<i64>,
}

pub async fn list_audit(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
    QueryParams(q): QueryParams<AuditQuery>,
) -> Result<Json<Vec<AuditRow>>, ApiError> {
    Ok(Json(state.store.list_audit(
        query_text("actor", &q.actor)?,
        query_text("action", &q.action)?,
        q.limit.unwrap_or(100).clamp(1, 1000),
    )?))
}

// ---- signing keys ----

pub async fn list_keys(
    State(state): State<AppState>,
    Extension(_gated): Extension<Admin>,
) -> Result<Json<Vec<KeyView>>, ApiError> {
    Ok(Json(key_views(&state.store.keys()?)))
}

/// Rotate the signing key: new tokens are signed with a fresh key; the previous one keeps
/// verifying until its tokens expire (the same operation as `warden keys rotate`).
pub async fn rotate_key(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
) -> Result<Json<Vec<KeyView>>, ApiError> {
    let (store, tokens) = (state.store.clone(), state.tokens.clone());
    let kid = blocking(move || {
        let kid = crate::tokens::rotate_key(&store).map_err(ApiError::internal)?;
        tokens.reload_keys(&store).map_err(ApiError::internal)?;
        Ok(kid)
    })
    .await?;
    admin.audit("keys.rotate", &format!("kid:{kid}"), json!({}))?;
    Ok(Json(key_views(&state.store.keys()?)))
}

fn key_views(keys: &[crate::store::KeyRow]) -> Vec<KeyView> {
    keys.iter()
        .map(|k| KeyView {
            kid: k.kid.clone(),
            alg: k.alg.clone(),
            created_at: k.created_at,
            retired_at: k.retired_at,
        })
        .collect()
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
