//! `/v1/auth/*`: sign-in, refresh, logout, revocation, introspection, who-am-I.

use super::error::ApiError;
use super::extract::{BearerToken, FlexibleBody, JsonBody};
use super::AppState;
use crate::accounts::Issued;
use crate::accounts::Origin;
use crate::api;
use crate::api::ErrorCode;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;

/// The refresh-token cookie (only when `refresh_cookie` is on).
const REFRESH_COOKIE: &str = "warden_refresh";

/// The sign-in/refresh answer. Its top level works unmodified as the `user` object of a
/// NextAuth CredentialsProvider (`id`, `email`, `name`, `role`, `token`) and as an OAuth
/// token response (`access_token`, `token_type`, `expires_in`, `refresh_token`).
fn issued_response(state: &AppState, issued: &Issued) -> Response {
    issued_response_of(state, issued, None)
}

/// [`issued_response`], naming the issued token's type (token exchange, RFC 8693 2.2.1).
fn issued_response_of(
    state: &AppState,
    issued: &Issued,
    issued_token_type: Option<&str>,
) -> Response {
    let u = &issued.user;
    let expires_in = issued.claims.exp - issued.claims.iat;
    let body = api::SignedIn {
        id: u.id.clone(),
        email: u.email.clone(),
        name: u.name.clone(),
        role: u.roles.first().cloned(),
        roles: u.roles.clone(),
        token: issued.access_token.clone(),
        access_token: issued.access_token.clone(),
        token_type: "Bearer".into(),
        expires_in,
        expires_at: issued.claims.exp,
        refresh_token: issued.refresh_token.clone(),
        refresh_expires_in: issued.refresh_expires_in,
        session_id: issued.session.id.clone(),
        issued_token_type: issued_token_type.map(str::to_string),
    };
    let mut response = Json(body).into_response();
    // RFC 6749 section 5.1: token responses must not be cached.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if state.config.refresh_cookie {
        // HttpOnly keeps it from scripts (XSS), Secure from plain HTTP, SameSite=Strict and
        // the /v1/auth path from cross-site requests and from every other route.
        let cookie = format!(
            "{REFRESH_COOKIE}={}; HttpOnly; Secure; SameSite=Strict; Path=/v1/auth; Max-Age={}",
            issued.refresh_token, issued.refresh_expires_in
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == REFRESH_COOKIE)
        .map(|(_, v)| v.to_string())
}

/// The refresh token from the body, else from the cookie when cookies are enabled.
fn refresh_token(
    state: &AppState,
    given: Option<String>,
    headers: &HeaderMap,
) -> Result<String, ApiError> {
    if let Some(t) = given {
        return Ok(t);
    }
    if state.config.refresh_cookie {
        if let Some(t) = cookie_token(headers) {
            return Ok(t);
        }
    }
    Err(ApiError::bad_request("missing field `refresh_token`"))
}

pub async fn login(
    State(state): State<AppState>,
    origin: Origin,
    JsonBody(body): JsonBody<api::Login>,
) -> Result<Response, ApiError> {
    if body.email.trim().is_empty() || body.password.is_empty() {
        return Err(ApiError::bad_request(
            "email and password must not be empty",
        ));
    }
    let result = state
        .accounts
        .sign_in(body.email, body.password, origin)
        .await;
    state.metrics.sign_in(&result);
    let issued = result?;
    Ok(issued_response(&state, &issued))
}

/// RFC 8693 token exchange: a trusted identity provider's OpenID Connect ID token for a
/// warden session (the answer of a sign-in, with `issued_token_type`). The verification,
/// the throttle, the replay check and the linking are
/// [`crate::accounts::Accounts::exchange`]'s. Errors carry RFC 6749 section 5.2's
/// `error_description` beside warden's `error` and `message`.
pub async fn exchange(
    State(state): State<AppState>,
    origin: Result<Origin, ApiError>,
    body: Result<FlexibleBody<api::TokenExchange>, ApiError>,
) -> Response {
    let answer = match (origin, body) {
        (Ok(origin), Ok(FlexibleBody(body))) => {
            exchanged(&state, &body.subject_token, origin).await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match answer {
        Ok(response) => response,
        Err(e) => e.with_error_description(),
    }
}

/// The exchange itself, shared by `/v1/auth/exchange` and the token endpoint's grant.
async fn exchanged(
    state: &AppState,
    subject_token: &str,
    origin: Origin,
) -> Result<Response, ApiError> {
    let accounts = state.accounts.clone();
    let result = accounts.exchange(subject_token, origin).await;
    state.metrics.sign_in(&result);
    let issued = result?;
    Ok(issued_response_of(
        state,
        &issued,
        Some(crate::accounts::exchange::ACCESS_TOKEN_TYPE),
    ))
}

pub async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    FlexibleBody(body): FlexibleBody<api::Refresh>,
) -> Result<Response, ApiError> {
    // `grant_type` is accepted for OAuth clients that send it, and must then say so.
    if let Some(grant) = &body.grant_type {
        if grant != "refresh_token" {
            return Err(ApiError::bad_request(
                "field `grant_type` must be \"refresh_token\" when given",
            ));
        }
    }
    let token = refresh_token(&state, body.refresh_token, &headers)?;
    let accounts = state.accounts.clone();
    let issued = accounts.refresh(&token).await?;
    Ok(issued_response(&state, &issued))
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    FlexibleBody(body): FlexibleBody<api::Logout>,
) -> Result<Response, ApiError> {
    let token = refresh_token(&state, body.refresh_token, &headers)?;
    let accounts = state.accounts.clone();
    let ended = accounts.logout(&token).await?;
    let mut response = Json(api::LoggedOut { logged_out: ended }).into_response();
    if state.config.refresh_cookie {
        let clear = format!(
            "{REFRESH_COOKIE}=; HttpOnly; Secure; SameSite=Strict; Path=/v1/auth; Max-Age=0"
        );
        if let Ok(v) = HeaderValue::from_str(&clear) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(response)
}

/// RFC 7009: 200 whether or not the token was valid (section 2.2).
pub async fn revoke(
    State(state): State<AppState>,
    // RFC 7009 section 2.1 and RFC 7662 section 2.1: `token`, `token_type_hint`, and the
    // `client_id` an OAuth client may send.
    FlexibleBody(body): FlexibleBody<api::TokenQuestion>,
) -> Result<Response, ApiError> {
    let token = body.token;
    let accounts = state.accounts.clone();
    accounts.revoke(&token).await?;
    Ok((StatusCode::OK, Json(api::Empty {})).into_response())
}

/// RFC 7662. The caller must be a service client (section 2.1: the endpoint needs
/// authorization, or it becomes a token-scanning oracle).
pub async fn introspect(
    State(state): State<AppState>,
    Extension(_client): Extension<crate::app::ClientRow>,
    FlexibleBody(body): FlexibleBody<api::TokenQuestion>,
) -> Result<Response, ApiError> {
    let token = body.token;
    let accounts = state.accounts.clone();
    let found = accounts.introspect(&token).await;
    let body = match found {
        Some((c, user)) => json!({
            "active": true,
            "sub": c.sub,
            "iss": c.iss,
            "aud": c.aud,
            "exp": c.exp,
            "iat": c.iat,
            "jti": c.jti,
            "sid": c.sid,
            "token_type": "Bearer",
            "username": user.email,
            "email": user.email,
            "role": user.roles.first(),
            "roles": user.roles,
        }),
        // Section 2.2: an inactive token gets exactly this, nothing more.
        None => json!({"active": false}),
    };
    Ok(Json(body).into_response())
}

/// The signed-in user, from the bearer access token.
pub async fn me(
    State(state): State<AppState>,
    BearerToken(token): BearerToken,
) -> Result<Response, ApiError> {
    let crate::identity::Verified { claims, user, .. } =
        super::decide::verified_caller(&state, token).await?;
    Ok(Json(api::Me {
        // `sub` makes this an OpenID userinfo answer (the discovery's userinfo_endpoint).
        sub: user.id.clone(),
        role: user.roles.first().cloned(),
        id: user.id,
        email: user.email,
        name: user.name,
        roles: user.roles,
        session_id: claims.sid,
        expires_at: claims.exp,
    })
    .into_response())
}

/// Change your own password: the current one is checked (and throttled like a sign-in);
/// every other session of yours ends, this one goes on.
pub async fn change_password(
    State(state): State<AppState>,
    origin: Origin,
    BearerToken(token): BearerToken,
    JsonBody(body): JsonBody<api::ChangePassword>,
) -> Result<Response, ApiError> {
    let crate::identity::Verified { claims, user, .. } =
        super::decide::verified_caller(&state, token).await?;
    let ended = state
        .accounts
        .change_own_password(
            user.id,
            claims.sid,
            body.current_password,
            body.new_password,
            origin,
        )
        .await
        .map_err(|e| match e {
            crate::accounts::AuthError::InvalidCredentials => ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidCredentials,
                "current_password is wrong",
            ),
            other => other.into(),
        })?;
    Ok(Json(api::PasswordChanged {
        password: "changed".into(),
        sessions_ended: ended as i64,
    })
    .into_response())
}

/// The OAuth 2.0 token endpoint (RFC 6749 section 3.2), for OAuth client libraries:
/// `application/x-www-form-urlencoded` with `grant_type=password` (section 4.3, `username`
/// is the email), `grant_type=refresh_token` (section 6) or the token exchange grant (RFC
/// 8693 section 2.1, `subject_token` and `subject_token_type`). It calls the same account
/// service as `/v1/auth/login` and `/v1/auth/refresh`, so throttling, refresh rotation and
/// reuse detection are the same. Errors take section 5.2's form (`error`,
/// `error_description`), with warden's `message` beside it.
pub async fn token(
    State(state): State<AppState>,
    origin: Result<Origin, ApiError>,
    request: axum::extract::Request,
) -> Response {
    let origin = match origin {
        Ok(o) => o,
        Err(e) => return oauth_error(e),
    };
    match token_grant(&state, origin, request).await {
        Ok(response) => response,
        Err(e) => oauth_error(e),
    }
}

async fn token_grant(
    state: &AppState,
    origin: Origin,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    // Read the body even to refuse it: an unread body makes the server close a kept-alive
    // connection that the client may reuse.
    let bytes = super::body::body_bytes(request, state).await?;
    if !form {
        return Err(ApiError::bad_request(
            "the token endpoint takes an application/x-www-form-urlencoded body",
        ));
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
        .map_err(|e| ApiError::bad_request(format!("malformed form body: {e}")))?;
    // Section 3.2: parameters must not be repeated.
    let mut params = std::collections::HashMap::new();
    for (k, v) in pairs {
        if params.insert(k.clone(), v).is_some() {
            return Err(ApiError::bad_request(format!(
                "parameter `{k}` is given more than once"
            )));
        }
    }
    let param = |name: &str| {
        params
            .get(name)
            .filter(|v| !v.is_empty())
            .cloned()
            .ok_or_else(|| ApiError::bad_request(format!("missing parameter `{name}`")))
    };
    let accounts = state.accounts.clone();
    let mut response = match param("grant_type")?.as_str() {
        "password" => {
            let (email, password) = (param("username")?, param("password")?);
            let result = accounts.sign_in(email, password, origin).await;
            state.metrics.sign_in(&result);
            issued_response(state, &result?)
        }
        "refresh_token" => {
            let token = param("refresh_token")?;
            issued_response(state, &accounts.refresh(&token).await?)
        }
        // RFC 8693 section 2.1, the same exchange as `/v1/auth/exchange`.
        crate::accounts::exchange::TOKEN_EXCHANGE_GRANT => {
            let token = param("subject_token")?;
            let kind = param("subject_token_type")?;
            if kind != crate::accounts::exchange::ID_TOKEN_TYPE {
                return Err(ApiError::bad_request(format!(
                    "subject_token_type must be {:?}",
                    crate::accounts::exchange::ID_TOKEN_TYPE
                )));
            }
            exchanged(state, &token, origin).await?
        }
        other => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::UnsupportedGrantType,
                format!(
                    "grant_type {other:?} is not supported: use password, refresh_token or {}",
                    crate::accounts::exchange::TOKEN_EXCHANGE_GRANT
                ),
            ))
        }
    };
    response
        .headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// An error of the token endpoint in RFC 6749 section 5.2's form.
fn oauth_error(e: ApiError) -> Response {
    let code = match e.code {
        // Wrong credentials are an invalid grant (section 5.2), never a 401: the client
        // itself (public, unauthenticated) is not at fault.
        ErrorCode::InvalidCredentials | ErrorCode::InvalidGrant => "invalid_grant",
        ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
        // Throttled, or the store is briefly unavailable: retry later, not a bad grant, so
        // that clients do not sign users out.
        ErrorCode::TooManyAttempts | ErrorCode::Unavailable | ErrorCode::Busy => {
            "temporarily_unavailable"
        }
        _ if e.status.is_server_error() => "server_error",
        _ => "invalid_request",
    };
    let status = match code {
        "invalid_grant" | "unsupported_grant_type" => StatusCode::BAD_REQUEST,
        _ => e.status,
    };
    let mut response = (
        status,
        Json(json!({"error": code, "error_description": e.message, "message": e.message})),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    if let Some(secs) = e.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}
