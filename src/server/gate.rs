//! The gates a request passes before its handler: an admin user the policies allow the
//! route's admin action, or a service client with a live key. The route table attaches them
//! ([`super::access`]); a handler that needs one more check (operations detail) calls them.

use super::decide::{decide, record, Asked, Caller};
use super::error::ApiError;
use super::extract::bearer;
use super::AppState;
use crate::admin_action::AdminAction;
use crate::api::ErrorCode;
use crate::app::{Actor, ClientRow};
use axum::http::{header, HeaderMap, StatusCode};

/// The signed-in admin making a call, allowed by the route's guard ([`super::access`]).
#[derive(Clone)]
pub struct Admin {
    id: String,
    /// Where the call came from (see [`super::origin`]), for its audit rows.
    address: String,
}

impl Admin {
    /// The admin as the actor of an application-core operation.
    pub(super) fn actor(&self) -> Actor {
        Actor::User {
            id: self.id.clone(),
            address: self.address.clone(),
        }
    }
}

/// Check the bearer token, then ask the policies whether its user may `action`.
pub(super) async fn allow(
    state: &AppState,
    token: Option<String>,
    request_id: &str,
    address: String,
    action: AdminAction,
) -> Result<Admin, ApiError> {
    let verified = super::decide::verified_caller(state, token).await?;
    let (principal, user) = (verified.principal, verified.user);
    let query = crate::identity::admin_area_query(principal, action);
    let caller = Caller {
        client: format!("admin:{}", user.id),
        request_id: request_id.to_string(),
        address: address.clone(),
    };
    // Every admin call is a decision. Allowed reads are not written to the decision log:
    // the TUI polls them every few seconds and would drown the log (and its own Decisions
    // tab) in its own traffic. Denied calls and every change are logged.
    let decision = if action.is_read() {
        let started = std::time::Instant::now();
        let d = state.engine.decide(&query);
        if d.allowed {
            state.metrics.decision(true, false, started.elapsed());
            super::access_log::note_decision_of(
                || format!("User::{:?}", user.id),
                &caller.client,
                true,
            );
        } else {
            record(
                state,
                &caller,
                Asked {
                    principal: &format!("User::{:?}", user.id),
                    action: action.name(),
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
            ErrorCode::Forbidden,
            format!("{} may not {}: {why}", user.id, action.uid()),
        );
        if !decision.reasons.is_empty() {
            e.message
                .push_str(&format!(" (denied by {})", decision.reasons.join(", ")));
        }
        return Err(e);
    }
    Ok(Admin {
        id: user.id,
        address,
    })
}

/// The service client calling, from `Authorization: Bearer <key>` or the bare key.
/// 401 with `WWW-Authenticate` otherwise.
pub async fn require_client(state: &AppState, headers: &HeaderMap) -> Result<ClientRow, ApiError> {
    let key = bearer(headers).or_else(|| {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty() && !v.contains(' '))
    });
    let unauthorized = |message: &str| {
        let mut e = ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::InvalidClient, message);
        e.www_authenticate = Some("Bearer realm=\"warden\"".into());
        e
    };
    let basic = basic_credentials(headers);
    let key = key.or_else(|| basic.as_ref().map(|(_, secret)| secret.clone()));
    let Some(key) = key else {
        return Err(unauthorized("a service client key is required"));
    };
    let client = state
        .resolver
        .client(&key)
        .await?
        .ok_or_else(|| unauthorized("unknown or revoked client key"))?;
    // HTTP Basic names the client too: the key must be that client's.
    match basic {
        Some((id, _)) if id != client.id => Err(unauthorized("unknown or revoked client key")),
        _ => Ok(client),
    }
}

/// `Authorization: Basic base64(client_id ":" key)`, each part form-urlencoded first (RFC 6749
/// section 2.3.1, which RFC 7662's introspection examples use).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine as _;
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |s: &str| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}"))
            .ok()
            .and_then(|mut v| v.pop())
            .map(|(_, v)| v)
    };
    Some((unescape(id)?, unescape(secret)?))
}
