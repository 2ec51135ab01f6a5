//! An axum extractor that guards a handler with one warden action.
//!
//! No or bad token: 401 with the reason. Deny: 403 with the determining policy ids. Allow:
//! the handler runs with the verified principal.
//!
//! ```no_run
//! use axum::{routing::delete, Router};
//! use warden::embed::Warden;
//! use warden::guard::{Action, Authorized, WardenState};
//!
//! /// `deleteUserResource` on `UserResource::"<id from the path>"`.
//! struct DeleteUserResource;
//! impl Action for DeleteUserResource {
//!     const NAME: &'static str = "deleteUserResource";
//!     const RESOURCE_TYPE: &'static str = "UserResource";
//! }
//!
//! async fn remove(allowed: Authorized<DeleteUserResource>) -> String {
//!     format!("{} deleted {}", allowed.verified.user.id, allowed.resource.id)
//! }
//!
//! # fn app(warden: Warden) -> Router {
//! Router::new()
//!     .route("/resources/{id}", delete(remove))
//!     .with_state(WardenState(warden))
//! # }
//! ```

use crate::embed::{Verified, Warden};
use crate::engine::{Decision, Resource};
use crate::tokens::Rejection;
use axum::extract::{FromRef, FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Why a guarded handler did not run: 401 (no or bad token, with `WWW-Authenticate`), 403
/// (denied, naming the determining policies) or 503 (warden's store is unavailable), as
/// warden's JSON error `{"error", "message"}`.
#[derive(Debug)]
pub struct Refusal {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    fn unauthorized(rejection: Rejection, issuer: &str) -> Refusal {
        let status = if rejection == Rejection::Unavailable {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::UNAUTHORIZED
        };
        Refusal {
            status,
            code: rejection.code(),
            message: rejection.explain(issuer),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            axum::Json(json!({"error": self.code, "message": self.message})),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            // RFC 6750 section 3: say which scheme and why.
            if let Ok(v) = HeaderValue::from_str(&format!(
                "Bearer error=\"invalid_token\", error_description=\"{}\"",
                self.code
            )) {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
        }
        response
    }
}

/// The bearer credential of a request, if any (RFC 6750 section 2.1).
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}
use std::marker::PhantomData;

/// The state a guarded router carries (or that its state provides through `FromRef`).
#[derive(Clone)]
pub struct WardenState(pub Warden);

/// An action a handler is guarded by. The resource is `RESOURCE_TYPE::"<id>"` where the id
/// is the route's `{id}` parameter (or [`Action::RESOURCE_ID`] when the route has none).
pub trait Action: Send + Sync + 'static {
    /// The Cedar action name (`Action::"<NAME>"`).
    const NAME: &'static str;
    /// The Cedar entity type of the resource.
    const RESOURCE_TYPE: &'static str;
    /// The resource id when the route has no `{id}` parameter.
    const RESOURCE_ID: &'static str = "*";
}

/// Proof that the caller was allowed `A`: extracting it runs the check.
pub struct Authorized<A: Action> {
    pub verified: Verified,
    pub resource: Resource,
    pub decision: Decision,
    _action: PhantomData<A>,
}

impl<S, A> FromRequestParts<S> for Authorized<A>
where
    S: Send + Sync,
    WardenState: FromRef<S>,
    A: Action,
{
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let WardenState(warden) = WardenState::from_ref(state);
        let issuer = warden.issuer();
        let token = bearer(&parts.headers)
            .ok_or_else(|| Refusal::unauthorized(Rejection::Missing, issuer))?;
        let verified = warden
            .verify(&token)
            .await
            .map_err(|r| Refusal::unauthorized(r, issuer))?;
        let id = match RawPathParams::from_request_parts(parts, state).await {
            Ok(params) => params
                .iter()
                .find(|(k, _)| *k == "id")
                .map(|(_, v)| v.to_string())
                .unwrap_or_else(|| A::RESOURCE_ID.to_string()),
            Err(_) => A::RESOURCE_ID.to_string(),
        };
        let resource = Resource {
            kind: A::RESOURCE_TYPE.to_string(),
            id,
            properties: Default::default(),
        };
        let decision = warden.decide(&verified.principal, A::NAME, &resource, &json!({}));
        if !decision.allowed {
            let because = if decision.reasons.is_empty() {
                "no policy permits it".to_string()
            } else {
                format!("denied by {}", decision.reasons.join(", "))
            };
            return Err(Refusal {
                status: StatusCode::FORBIDDEN,
                code: "forbidden",
                message: format!(
                    "{} may not {} {}::{:?}: {because}",
                    verified.user.id,
                    A::NAME,
                    resource.kind,
                    resource.id
                ),
            });
        }
        Ok(Authorized {
            verified,
            resource,
            decision,
            _action: PhantomData,
        })
    }
}
