//! Operations routes: health, readiness, metrics, discovery documents.

use super::error::ApiError;
use super::extract::bearer;
use super::{AppState, RequestId};
use crate::store::ClientRow;
use crate::tokens::Rejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds (seconds) of the decision latency histogram buckets.
const LATENCY_BUCKETS: [f64; 10] = [
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25,
];

/// Counters for `/metrics`.
#[derive(Default)]
pub struct Metrics {
    pub logins_ok: AtomicU64,
    pub logins_failed: AtomicU64,
    pub rejections: [AtomicU64; Rejection::ALL.len()],
    pub allowed: AtomicU64,
    pub denied: AtomicU64,
    pub errored: AtomicU64,
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_ns: AtomicU64,
}

impl Metrics {
    /// Count a sign-in.
    pub fn login(&self, ok: bool) {
        let c = if ok {
            &self.logins_ok
        } else {
            &self.logins_failed
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// Count a decision and its latency.
    pub fn decision(&self, allowed: bool, had_errors: bool, latency: std::time::Duration) {
        let c = if allowed { &self.allowed } else { &self.denied };
        c.fetch_add(1, Ordering::Relaxed);
        if had_errors {
            self.errored.fetch_add(1, Ordering::Relaxed);
        }
        let secs = latency.as_secs_f64();
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            if secs <= *bound {
                self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_ns
            .fetch_add(latency.as_nanos() as u64, Ordering::Relaxed);
    }

    /// Count a refused token.
    pub fn rejected(&self, r: Rejection) {
        if let Some(i) = Rejection::ALL.iter().position(|x| *x == r) {
            self.rejections[i].fetch_add(1, Ordering::Relaxed);
        }
    }
}

pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
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
    let (state, request_id) = (state.clone(), request_id.to_string());
    super::blocking(move || {
        super::admin::allow(&state, Some(token), &request_id, "operations.read").map(|_| true)
    })
    .await
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
/// state, the policy count and the last refused reload's error.
pub async fn readyz(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    headers: HeaderMap,
) -> Response {
    let detail = match operations_access(&state, &headers, &request_id).await {
        Ok(detail) => detail,
        Err(e) => return e.into_response(),
    };
    let store_ok = state.store.revision().is_ok();
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
        body["last_reload_error"] = json!(state.engine.last_error().map(|e| e.to_string()));
    }
    (status, Json(body)).into_response()
}

/// Append one Prometheus metric family: its help, its type and one line per labelled value.
fn family(out: &mut String, name: &str, kind: &str, help: &str, samples: &[(String, f64)]) {
    out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
    for (labels, value) in samples {
        out.push_str(&format!("{name}{labels} {value}\n"));
    }
}

fn count(c: &AtomicU64) -> f64 {
    c.load(Ordering::Relaxed) as f64
}

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
                    "unauthorized",
                    "/metrics needs the operations key: Authorization: Bearer <operations_key>",
                );
                e.www_authenticate = Some("Bearer realm=\"warden\"".into());
                return e.into_response();
            }
            Err(e) => return e.into_response(),
        }
    }
    let m = &state.metrics;
    let e = &state.engine;
    let log = &state.decision_log;
    let label = |k: &str, v: &str| format!("{{{k}=\"{v}\"}}");
    let mut out = String::new();
    family(
        &mut out,
        "warden_logins_total",
        "counter",
        "Sign-ins by result.",
        &[
            (label("result", "ok"), count(&m.logins_ok)),
            (label("result", "failed"), count(&m.logins_failed)),
        ],
    );
    let rejections: Vec<(String, f64)> = Rejection::ALL
        .iter()
        .enumerate()
        .map(|(i, r)| (label("reason", r.code()), count(&m.rejections[i])))
        .collect();
    family(
        &mut out,
        "warden_token_rejections_total",
        "counter",
        "Refused tokens by reason.",
        &rejections,
    );
    let invariants: Vec<(String, f64)> = crate::alarm::counts()
        .into_iter()
        .map(|(kind, n)| (label("kind", kind), n as f64))
        .collect();
    family(
        &mut out,
        "warden_invariant_failures_total",
        "counter",
        "Broken invariants by kind (each failed closed and was logged).",
        &invariants,
    );
    family(
        &mut out,
        "warden_policy_reloads_total",
        "counter",
        "Policy reloads by result.",
        &[
            (label("result", "ok"), count(&e.reloads_ok)),
            (label("result", "refused"), count(&e.reloads_failed)),
        ],
    );
    family(
        &mut out,
        "warden_decisions_total",
        "counter",
        "Decisions by outcome.",
        &[
            (label("decision", "allow"), count(&m.allowed)),
            (label("decision", "deny"), count(&m.denied)),
        ],
    );
    family(
        &mut out,
        "warden_decision_errors_total",
        "counter",
        "Decisions denied because of an error.",
        &[(String::new(), count(&m.errored))],
    );
    let mut histogram: Vec<(String, f64)> = LATENCY_BUCKETS
        .iter()
        .enumerate()
        .map(|(i, bound)| {
            (
                format!("_bucket{}", label("le", &bound.to_string())),
                count(&m.latency_buckets[i]),
            )
        })
        .collect();
    histogram.push((
        format!("_bucket{}", label("le", "+Inf")),
        count(&m.latency_count),
    ));
    histogram.push((
        "_sum".to_string(),
        m.latency_sum_ns.load(Ordering::Relaxed) as f64 / 1e9,
    ));
    histogram.push(("_count".to_string(), count(&m.latency_count)));
    family(
        &mut out,
        "warden_decision_duration_seconds",
        "histogram",
        "Time to decide, from request to answer.",
        &histogram,
    );
    family(
        &mut out,
        "warden_decision_log_dropped_total",
        "counter",
        "Decision-log entries dropped because the writer was behind.",
        &[(String::new(), count(&log.dropped))],
    );
    family(
        &mut out,
        "warden_decision_log_written_total",
        "counter",
        "Decision-log entries written.",
        &[(String::new(), count(&log.written))],
    );
    family(
        &mut out,
        "warden_policies_loaded",
        "gauge",
        "Policies in the bundle in force.",
        &[(String::new(), e.bundle().info.len() as f64)],
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}

pub async fn jwks(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(state.tokens.jwks())
}

pub async fn openid_configuration(State(state): State<AppState>) -> Json<serde_json::Value> {
    let base = state.config.base_url();
    Json(json!({
        "issuer": base,
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "token_endpoint": format!("{base}/v1/auth/token"),
        "revocation_endpoint": format!("{base}/v1/auth/revoke"),
        "introspection_endpoint": format!("{base}/v1/auth/introspect"),
        "userinfo_endpoint": format!("{base}/v1/auth/me"),
        // Only what is served: no authorization endpoint (so no response types) and no ID
        // tokens; access tokens are signed with this algorithm.
        "token_endpoint_auth_methods_supported": ["none"],
        "grant_types_supported": ["password", "refresh_token"],
        "response_types_supported": [],
        "subject_types_supported": ["public"],
        "access_token_signing_alg_values_supported": [state.config.jwt_algorithm],
    }))
}

pub async fn openapi(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(super::openapi::document(&state.config))
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
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
        let mut e = ApiError::new(StatusCode::UNAUTHORIZED, "invalid_client", message);
        e.www_authenticate = Some("Bearer realm=\"warden\"".into());
        e
    };
    let Some(key) = key else {
        return Err(unauthorized("a service client key is required"));
    };
    let store = state.store.clone();
    let client = super::blocking(move || store.client_by_key(&key).map_err(ApiError::from)).await?;
    client.ok_or_else(|| unauthorized("unknown or revoked client key"))
}
