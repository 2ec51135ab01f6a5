//! The access layer: each route's protection, attached to that route when the router is built.
//!
//! [`super::router`] registers every entry of the route table with its handler wrapped in
//! [`guard`], carrying the entry's [`Protection`] by value. Nothing is looked up per request,
//! so three things hold by construction (STYLE.md 17):
//!
//! - a request that matches no route, or matches a path but not a method, never reaches a
//!   handler: the path is 404 ([`super::ops::not_found`]) and the method 405 with `Allow`
//!   (axum's method fallback, made JSON by [`super::limits::json_errors`]);
//! - HEAD inherits GET's guard: axum answers HEAD with the GET handler, and the guard is part
//!   of that handler (a per-request lookup of "HEAD /admin/v1/users" found no entry and let the
//!   request through unguarded, to a handler that then failed for want of the admin);
//! - the guard runs after routing and before the body is read: an unauthenticated caller gets
//!   401 and a caller the policies do not allow gets 403 before the request is parsed, so
//!   neither learns anything from validation errors, and 401 always comes before 403.

use super::error::ApiError;
use super::extract::bearer;
use super::gate::allow;
use super::routes::{Auth, Route};
use super::{AppState, RequestId};
use crate::admin_action::AdminAction;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;

/// What a route requires of its caller before its handler runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    /// A service client key (AuthZEN, introspection): the client is handed to the handler.
    ClientKey,
    /// A user's bearer token whose user the policies allow this admin action: the
    /// [`super::gate::Admin`] is handed to the handler.
    Admin(AdminAction),
}

impl Protection {
    /// The protection of a route-table entry; `None` when its handler checks its own caller
    /// (a user's token on `/v1/*`, the optional operations key) or there is none to check.
    pub fn of(route: &Route) -> Option<Protection> {
        match (route.auth, route.admin_action) {
            (_, Some(action)) => Some(Protection::Admin(action)),
            (Auth::ClientKey, None) => Some(Protection::ClientKey),
            (Auth::None | Auth::UserToken | Auth::Operations, None) => None,
        }
    }
}

/// The handler of `route` as it is served: wrapped in its guard when it has a protection.
/// `route_layer` wraps the handlers of the method router and not its fallback, so a method
/// the route does not serve is still 405, never a 401 that suggests credentials would help.
pub fn guarded(route: &Route, state: &AppState) -> MethodRouter<AppState> {
    let handler = (route.handler)();
    match Protection::of(route) {
        None => handler,
        Some(protection) => handler.route_layer(middleware::from_fn_with_state(
            Guarded {
                state: state.clone(),
                protection,
            },
            guard,
        )),
    }
}

/// The state of one route's guard: the server and that route's protection.
#[derive(Clone)]
pub struct Guarded {
    state: AppState,
    protection: Protection,
}

/// Check the caller against the route's protection before the handler (and before the body
/// is read); on success hand the handler who was checked, in the request's extensions.
pub async fn guard(
    State(Guarded { state, protection }): State<Guarded>,
    mut req: Request,
    next: Next,
) -> Response {
    let checked = match protection {
        Protection::ClientKey => super::gate::require_client(&state, req.headers())
            .await
            .map(|client| {
                req.extensions_mut().insert(client);
            }),
        Protection::Admin(action) => {
            let request_id = req
                .extensions()
                .get::<RequestId>()
                .map(|r| r.0.clone())
                .unwrap_or_default();
            allow(
                &state,
                bearer(req.headers()),
                &request_id,
                request_address(&state, &req),
                action,
            )
            .await
            .map(|admin| {
                req.extensions_mut().insert(admin);
            })
        }
    };
    match checked {
        Ok(()) => next.run(req).await,
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

/// The address of an admin call: the peer, or what a trusted proxy names (admin calls are
/// not vouched for by service clients).
fn request_address(state: &AppState, req: &Request) -> String {
    req.extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| super::origin::client_address(c.0.ip(), req.headers(), &state.proxies).to_string())
        .unwrap_or_default()
}
