//! Operations routes: health, readiness, metrics, discovery documents.

use super::error::ApiError;
use super::extract::bearer;
use super::{AppState, RequestId};
use crate::api::ErrorCode;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;

pub async fn healthz() -> Json<crate::api::Health> {
    Json(crate::api::Health {
        status: "ok".into(),
    })
}

/// Whether the caller may see operational detail (`/readyz` detail, `/metrics` when
/// `metrics_require_key` is on).
///
/// Why: a refused reload's error quotes policy source and file paths, and the policy count
/// and store state map the deployment; anyone who can reach the port could read them. So
/// the detail needs either the configured `operations_key` (for probes and scrapers, which
/// cannot hold a 15-minute user token) or the bearer token of a user the policies allow
/// `Warden::Action::"operations.read"` (the admin console). No credential: `Ok(false)`,
/// the public answer. A credential that is neither: 401 or 403, never the public answer,
/// so a misconfigured scraper is told rather than quietly given less.
async fn operations_access(
    state: &AppState,
    headers: &HeaderMap,
    request_id: &str,
) -> Result<bool, ApiError> {
    let Some(token) = bearer(headers) else {
        return Ok(false);
    };
    if let Some(key) = &state.config.operations_key {
        if same_secret(&token, key) {
            return Ok(true);
        }
    }
    super::gate::allow(
        state,
        Some(token),
        request_id,
        String::new(),
        crate::admin_action::AdminAction::OperationsRead,
    )
    .await
    .map(|_| true)
}

/// Compare two secrets without an early exit on the first differing byte (the digests
/// have a fixed length, so neither length nor prefix leaks through timing).
fn same_secret(given: &str, expected: &str) -> bool {
    let (a, b) = (
        crate::util::sha256_hex(given),
        crate::util::sha256_hex(expected),
    );
    a.bytes()
        .zip(b.bytes())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// Ready when the store answers and policies are loaded; a refused reload is reported (the
/// previous bundle still serves, so the server stays ready).
///
/// Without credentials the answer is the status only (and `"validation": "off"` when the
/// server runs without a schema, which a deployment check should see): no paths, no
/// policy text, no counts. With the operations key or an admin token it adds the store
/// state, the policy count and the last refused reload's error, where the policies come from
/// (`policy_source`) and the published version served (`policy_version`, store mode).
///
/// Store mode: a replica that cannot load the active version keeps serving the one it has
/// and stays ready (200), with `policy_error` saying why and `policy_version` which version
/// it serves. Decided so because its old set is whole and validated, and a version that
/// fails everywhere (a Cedar feature this build lacks) would otherwise take every replica
/// out of the load balancer at once; the replicas view flags it (its heartbeat carries the
/// error), which is where an operator looks for replicas that disagree.
pub async fn readyz(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    headers: HeaderMap,
) -> Response {
    let detail = match operations_access(&state, &headers, &request_id).await {
        Ok(detail) => detail,
        Err(e) => return e.into_response(),
    };
    let store_ok = state.app.store_ready().await;
    let bundle = state.engine.bundle();
    let ready = store_ok && !bundle.info.is_empty();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut body = json!({"status": if ready { "ready" } else { "not_ready" }});
    let validation = if bundle.schema.is_some() { "on" } else { "off" };
    if bundle.schema.is_none() || detail {
        body["validation"] = json!(validation);
    }
    if detail {
        body["store"] = json!(if store_ok { "ok" } else { "unavailable" });
        body["policies"] = json!(bundle.info.len());
        let error = state.engine.last_error().map(|e| e.to_string());
        body["last_reload_error"] = json!(error);
        body["policy_source"] = json!(state.config.policy_source);
        body["policy_version"] = json!(bundle.version);
        body["policy_error"] = json!(error);
    }
    (status, Json(body)).into_response()
}

/// The registry's series ([`crate::metrics`]), behind the operations key when
/// `metrics_require_key` is on.
pub async fn metrics(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    headers: HeaderMap,
) -> Response {
    if state.config.metrics_require_key {
        match operations_access(&state, &headers, &request_id).await {
            Ok(true) => {}
            Ok(false) => {
                let mut e = ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    ErrorCode::Unauthorized,
                    "/metrics needs the operations key: Authorization: Bearer <operations_key>",
                );
                e.www_authenticate = Some("Bearer realm=\"warden\"".into());
                return e.into_response();
            }
            Err(e) => return e.into_response(),
        }
    }
    (
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        state.metrics.encode(),
    )
        .into_response()
}

pub async fn jwks(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(state.tokens.jwks())
}

pub async fn openid_configuration(
    State(state): State<AppState>,
) -> Json<crate::api::OpenIdConfiguration> {
    Json(discovery(&state))
}

/// RFC 8414's metadata: the same document, where OAuth 2.0 clients look for it.
pub async fn authorization_server_metadata(
    State(state): State<AppState>,
) -> Json<crate::api::OpenIdConfiguration> {
    Json(discovery(&state))
}

/// What is served, and where: OpenID discovery and RFC 8414 alike.
fn discovery(state: &AppState) -> crate::api::OpenIdConfiguration {
    let base = state.config.base_url();
    // The token exchange grant (RFC 8693) is served by the token endpoint once an identity
    // provider is trusted.
    let mut grants = vec!["password", "refresh_token"];
    if !state.config.exchange_issuers.is_empty() {
        grants.push(crate::accounts::exchange::TOKEN_EXCHANGE_GRANT);
    }
    let owned = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
    crate::api::OpenIdConfiguration {
        jwks_uri: format!("{base}/.well-known/jwks.json"),
        token_endpoint: format!("{base}/v1/auth/token"),
        revocation_endpoint: format!("{base}/v1/auth/revoke"),
        introspection_endpoint: format!("{base}/v1/auth/introspect"),
        userinfo_endpoint: format!("{base}/v1/auth/me"),
        issuer: base,
        // Only what is served: no authorization endpoint (so no response types) and no ID
        // tokens; access tokens are signed with this algorithm.
        // Introspection takes the client key as a bearer token or as HTTP Basic (RFC 7662's
        // examples use Basic: the client id and the key).
        token_endpoint_auth_methods_supported: owned(&["none"]),
        introspection_endpoint_auth_methods_supported: owned(&["client_secret_basic", "bearer"]),
        grant_types_supported: owned(&grants),
        response_types_supported: Vec::new(),
        subject_types_supported: owned(&["public"]),
        access_token_signing_alg_values_supported: vec![state.config.jwt_algorithm.to_string()],
    }
}

pub async fn openapi(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::Value::clone(&state.openapi))
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}
