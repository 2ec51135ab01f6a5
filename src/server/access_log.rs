//! One access-log line per request, and the HTTP series of `/metrics`.
//!
//! The line is an `info` event of target `warden::access` (so `log_level = "warn,
//! warden::access=info"` keeps only it): method, matched route, status, latency in
//! microseconds, request id, and for decision routes the principal, the service client and
//! the decision. With `log_format = "json"` each is a field of one JSON object per line.
//!
//! Cost: the series are counted on every request (one counter and one histogram of a
//! family, looked up under a read lock); the line only when `info` is on for the target.
//! When it is off, nothing is allocated here and the decision path notes nothing: what the
//! handlers note ([`note_decision`]) goes to a task-local that exists only while a line is
//! to be written.
//!
//! Security: the route is the route table's pattern (`/admin/v1/users/{id}`), never the
//! raw path, so neither the log nor a metric label carries ids, emails or whatever a caller
//! puts in a path (and a scanner cannot grow the metric families without bound). Neither a
//! token nor a body is logged.

use super::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Instant;

/// The target of access-log lines.
pub const TARGET: &str = "warden::access";

/// The route label of a request that matched no route.
const UNMATCHED: &str = "unmatched";

/// What the handlers of one request tell its access-log line.
#[derive(Default)]
struct Facts {
    /// The principal decided for (`User::"alice"`), the last one when several were.
    principal: Option<String>,
    /// The service client that asked, when one did.
    client: Option<String>,
    allowed: u32,
    denied: u32,
}

tokio::task_local! {
    static FACTS: RefCell<Facts>;
}

/// Note a decision made for the request being served (for its access-log line). Does
/// nothing unless the line will be written.
pub(crate) fn note_decision(principal: &str, client: &str, allowed: bool) {
    note_decision_of(|| principal.to_string(), client, allowed);
}

/// [`note_decision`] with the principal's name made only when the line will be written.
pub(crate) fn note_decision_of(principal: impl FnOnce() -> String, client: &str, allowed: bool) {
    let _ = FACTS.try_with(|facts| {
        let principal = principal();
        let principal = principal.as_str();
        let mut facts = facts.borrow_mut();
        if allowed {
            facts.allowed += 1;
        } else {
            facts.denied += 1;
        }
        if facts.principal.as_deref() != Some(principal) {
            facts.principal = Some(principal.to_string());
        }
        if !client.is_empty() && facts.client.is_none() {
            facts.client = Some(client.to_string());
        }
    });
}

/// Middleware: count the request by route and status, time it, and log it at `info`.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = route_of(&req);
    let method = method_label(req.method());
    if !tracing::enabled!(target: TARGET, tracing::Level::INFO) {
        let response = next.run(req).await;
        state
            .metrics
            .http_request(route, method, response.status().as_u16(), started.elapsed());
        return response;
    }
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    FACTS
        .scope(RefCell::new(Facts::default()), async move {
            let response = next.run(req).await;
            let latency = started.elapsed();
            let status = response.status().as_u16();
            state.metrics.http_request(route, method, status, latency);
            let facts = FACTS.with(|f| std::mem::take(&mut *f.borrow_mut()));
            let decision = match (facts.allowed, facts.denied) {
                (0, 0) => None,
                (_, 0) => Some("allow"),
                (0, _) => Some("deny"),
                _ => Some("mixed"),
            };
            tracing::info!(
                target: TARGET,
                method,
                route,
                status,
                latency_us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
                request_id = request_id.as_str(),
                user = facts.principal.as_deref(),
                client = facts.client.as_deref(),
                decision,
                "request"
            );
            response
        })
        .await
}

/// The route table's pattern of the request (a `&'static str`, so that metrics need no
/// allocation per request), or `unmatched`.
fn route_of(req: &Request) -> &'static str {
    static ROUTES: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    let Some(matched) = req.extensions().get::<MatchedPath>() else {
        return UNMATCHED;
    };
    let routes = ROUTES.get_or_init(|| {
        super::routes::ROUTES
            .iter()
            .map(|r| (r.path, r.path))
            .collect()
    });
    routes.get(matched.as_str()).copied().unwrap_or(UNMATCHED)
}

/// The method as a label: the standard ones by name, any other as `other` (a label value
/// chosen by the caller would grow the family without bound).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_outside_a_logged_request_is_dropped_and_inside_one_is_kept() {
        note_decision("User::\"a\"", "", true);
        let facts = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(FACTS.scope(RefCell::new(Facts::default()), async {
                note_decision("User::\"a\"", "svc", true);
                note_decision("User::\"a\"", "", false);
                FACTS.with(|f| std::mem::take(&mut *f.borrow_mut()))
            }));
        assert_eq!((facts.allowed, facts.denied), (1, 1));
        assert_eq!(facts.principal.as_deref(), Some("User::\"a\""));
        assert_eq!(facts.client.as_deref(), Some("svc"));
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "other");
    }
}
