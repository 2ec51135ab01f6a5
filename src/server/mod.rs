//! The HTTP server (axum): the router, shared state, and start-up.
//!
//! Handlers are thin: they parse, call the library, and map errors. [`router`] builds the app
//! from the route table (`routes.rs`: each entry carries its handler, its wire types and its
//! statuses; `openapi.rs` turns the same table into `/openapi.json`), so tests can start it on
//! `127.0.0.1:0` with [`start`]. Every request gets an `X-Request-ID` (the caller's when sane,
//! else a new one; tower-http's request-id layers) and a tracing span that carries it.

mod access;
mod access_log;
mod admin;
mod auth;
mod authzen;
mod body;
mod conn;
mod decide;
pub mod decision_log;
mod doc_shape;
pub mod error;
pub mod extract;
mod gate;
pub mod limits;
pub mod openapi;
mod ops;
pub mod origin;
#[cfg(feature = "otel")]
pub mod otel;
mod panics;
mod plan_sql;
mod publishing;
mod routes;
mod schemas;
pub mod watch;
mod wire;

use crate::accounts::bootstrap::Bootstrapped;
use crate::accounts::Accounts;
use crate::config::Config;
use crate::engine::Engine;
use crate::tokens::Tokens;
use axum::extract::Request;
use axum::http::HeaderName;
use axum::middleware;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId as TowerRequestId, SetRequestIdLayer,
};

/// Everything a handler may need. Cheap to clone.
///
/// One `Arc` around the parts: every middleware layer and handler clones the state for each
/// request, and one reference count is cheaper than one per part (the load profile showed
/// the clones and drops at about 2% of a decision request).
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

/// What [`AppState`] holds (read through it: `state.engine`, `state.config`, ...).
pub struct Parts {
    pub config: Arc<Config>,
    pub engine: Arc<Engine>,
    pub tokens: Arc<Tokens>,
    pub accounts: Arc<Accounts>,
    /// Bearer tokens to verified callers, cached while the store's revision holds.
    pub resolver: Arc<crate::identity::Resolver>,
    pub metrics: Arc<crate::metrics::Metrics>,
    pub decision_log: decision_log::DecisionLog,
    /// The application core: every admin operation once.
    pub app: crate::app::App,
    /// `trusted_proxies`, parsed (checked when the configuration was).
    pub proxies: Vec<ipnet::IpNet>,
    /// `/openapi.json`, made once from the route table and the configuration.
    pub openapi: Arc<serde_json::Value>,
    /// On between SIGTERM and closing the listener (`drain_seconds`): `/readyz` says 503.
    pub drain: Arc<conn::Drain>,
}

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Open(#[from] crate::app::OpenError),
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
}

impl AppState {
    /// Open the store (bootstrapping a new one), load the policies and the keys.
    pub async fn build(config: Config) -> Result<(AppState, Bootstrapped), StartError> {
        Self::build_with_clock(config, crate::clock::system()).await
    }

    /// [`AppState::build`] with a given clock (tests move time by hand).
    pub async fn build_with_clock(
        config: Config,
        clock: crate::clock::SharedClock,
    ) -> Result<(AppState, Bootstrapped), StartError> {
        let (opened, boot) = crate::app::App::open(config, clock).await?;
        Ok((AppState::serving(opened), boot))
    }

    /// The server around an opened warden: its metrics and its decision log.
    pub fn serving(opened: crate::app::Opened) -> AppState {
        let crate::app::Opened {
            app,
            engine,
            tokens,
            accounts,
            resolver,
        } = opened;
        let metrics = Arc::new(crate::metrics::Metrics::new());
        metrics.set_policies_loaded(engine.bundle().info.len());
        let counted = metrics.clone();
        engine.observe_reloads(move |outcome| counted.policy_reload(outcome));
        let decision_log = decision_log::DecisionLog::counted(
            metrics.decision_log_dropped.clone(),
            metrics.decision_log_written.clone(),
        )
        .with_sink_metrics(metrics.log_sinks.clone());
        AppState(Arc::new(Parts {
            proxies: app.config.proxies().unwrap_or_else(|e| {
                // Unreachable: `App::open` checked the configuration. Trust nobody.
                tracing::error!(error = %e, "trusted_proxies");
                Vec::new()
            }),
            openapi: Arc::new(openapi::document(&app.config)),
            config: app.config.clone(),
            app,
            resolver,
            engine,
            tokens,
            accounts,
            metrics,
            decision_log,
            drain: Arc::default(),
        }))
    }

    /// The embedding facade over this server's warden (one store, engine and cache).
    pub fn warden(&self) -> crate::embed::Warden {
        crate::embed::Warden::from_opened(crate::app::Opened {
            app: self.app.clone(),
            engine: self.engine.clone(),
            tokens: self.tokens.clone(),
            accounts: self.accounts.clone(),
            resolver: self.resolver.clone(),
        })
    }
}

/// How many routes the router serves (the length of the route table).
pub fn route_count() -> usize {
    routes::ROUTES.len()
}

/// The whole HTTP surface, built from the route table that `/openapi.json` describes.
pub fn router(state: AppState) -> Router {
    let limit = state.config.max_body_bytes;
    let deadlines = conn::RequestLimits {
        request_timeout: std::time::Duration::from_secs(state.config.request_timeout),
        body_timeout: std::time::Duration::from_secs(state.config.body_timeout),
    };
    // Each route carries its own guard (`access.rs`): nothing unmatched reaches a handler,
    // and HEAD, served by the GET handler, passes GET's guard.
    let mut router = Router::new();
    for route in routes::ROUTES {
        router = router.route(route.path, access::guarded(route, &state));
    }
    // A span per matched request, child of the caller's `traceparent` (issue 31).
    #[cfg(feature = "otel")]
    {
        router = router.route_layer(middleware::from_fn(otel::trace));
    }
    panics::caught(router.fallback(ops::not_found))
        .layer(middleware::from_fn_with_state(deadlines, conn::deadlines))
        .layer(middleware::from_fn_with_state(
            limits::BodyLimits::new(limit),
            limits::body_limit,
        ))
        .layer(middleware::from_fn(limits::request_limits))
        .layer(middleware::map_request(request_id_extension))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_failure(()),
        )
        // Inside the request id layers (the line carries the id), outside the limits (a 413
        // or 431 is logged and counted too).
        .layer(middleware::from_fn_with_state(
            state.clone(),
            access_log::layer,
        ))
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID.clone()))
        .layer(SetRequestIdLayer::new(X_REQUEST_ID.clone(), NewRequestId))
        .layer(middleware::map_request(drop_odd_request_id))
        .layer(middleware::from_fn(limits::json_errors))
        .with_state(state)
}

/// The request id of a request: the caller's `X-Request-ID` when it is sane, else a new one.
/// Echoed in the answer's `X-Request-ID`, carried by the request's tracing span, and written
/// with every decision it made.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Whether a caller's request id is worth keeping: 1 to 128 visible ASCII characters (it is
/// logged and echoed, so no control characters and no unbounded length).
fn sane_request_id(value: &[u8]) -> bool {
    !value.is_empty() && value.len() <= 128 && value.iter().all(|b| b.is_ascii_graphic())
}

/// Remove a request id that is not sane, so that [`SetRequestIdLayer`] makes a new one.
async fn drop_odd_request_id(mut req: Request) -> Request {
    if let Some(value) = req.headers().get(&X_REQUEST_ID) {
        if !sane_request_id(value.as_bytes()) {
            req.headers_mut().remove(&X_REQUEST_ID);
        }
    }
    req
}

/// New request ids: 128 random bits in hex, from the thread's generator (seeded once from
/// the OS, so a request costs no system call).
#[derive(Clone, Copy)]
struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<TowerRequestId> {
        use rand::Rng;
        let id = format!("{:032x}", rand::thread_rng().gen::<u128>());
        axum::http::HeaderValue::from_str(&id)
            .ok()
            .map(TowerRequestId::new)
    }
}

/// The span of a request: method, route and request id.
fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let request_id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        method = %req.method(),
        path = %req.uri().path(),
        request_id,
    )
}

/// The request id as handlers read it ([`RequestId`] in the extensions).
async fn request_id_extension(mut req: Request) -> Request {
    let id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    req.extensions_mut().insert(RequestId(id));
    req
}

/// Bind `addr` and serve in the background; returns the bound address (use port 0 in tests).
pub async fn start(
    state: AppState,
    addr: &str,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), StartError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| StartError::Bind(addr.to_string(), e))?;
    let local = listener
        .local_addr()
        .map_err(|e| StartError::Bind(addr.to_string(), e))?;
    spawn_background(&state);
    let limits = limits(&state.config);
    let drain = state.drain.clone();
    let app = router(state);
    let handle = tokio::spawn(conn::serve(
        listener,
        app,
        limits,
        std::future::pending(),
        drain,
        std::time::Duration::from_secs(5),
    ));
    Ok((local, handle))
}

/// Bind `config.listen` and set it to the address actually bound (port 0 becomes the real
/// port), so that an unset `public_url` derives the issuer and discovery URLs from where the
/// server really answers. Call before [`AppState::build`].
pub async fn bind(config: &mut Config) -> Result<tokio::net::TcpListener, StartError> {
    let addr = config.listen.clone();
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| StartError::Bind(addr.clone(), e))?;
    let local = listener
        .local_addr()
        .map_err(|e| StartError::Bind(addr.clone(), e))?;
    config.listen = local.to_string();
    Ok(listener)
}

/// Serve on `listener` (from [`bind`]) until SIGTERM or Ctrl-C, drain for `drain_seconds`
/// (`/readyz` 503, requests still served; a second signal ends the drain), then close the
/// listener, finish in-flight requests and stop.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> Result<(), StartError> {
    let addr = state.config.listen.clone();
    let local = listener
        .local_addr()
        .map_err(|e| StartError::Bind(addr.clone(), e))?;
    #[cfg(feature = "otel")]
    let traces = otel::init().unwrap_or_else(|e| {
        tracing::error!(error = %e, "OpenTelemetry traces off");
        None
    });
    let replica = spawn_background(&state);
    let app_core = state.app.clone();
    let issuer = state.config.base_url();
    eprint!("{}", banner(&state, &local.to_string()));
    tracing::info!(%local, %issuer, "listening");
    let decision_log = state.decision_log.clone();
    let limits = limits(&state.config);
    tracing::info!(
        max_connections = limits.max_connections,
        header_timeout_s = limits.header_timeout.as_secs(),
        "connection limits"
    );
    let drain = state.drain.clone();
    let drain_for = std::time::Duration::from_secs(state.config.drain_seconds);
    let app = router(state);
    let stop = {
        let drain = drain.clone();
        async move {
            shutdown_signal().await;
            if drain_for.is_zero() {
                return;
            }
            drain.start();
            eprintln!(
                "warden draining: /readyz answers 503 for {} s while requests are served; \
                 a second signal stops at once",
                drain_for.as_secs()
            );
            tracing::info!(seconds = drain_for.as_secs(), "draining");
            tokio::select! {
                _ = tokio::time::sleep(drain_for) => {},
                _ = shutdown_signal() => {},
            }
        }
    };
    conn::serve(
        listener,
        app,
        limits,
        stop,
        drain,
        std::time::Duration::from_secs(30),
    )
    .await;
    // In-flight requests are done; write the decisions they logged before exiting.
    decision_log.drain(std::time::Duration::from_secs(5)).await;
    // A stopped server is not a running one: its heartbeat goes, so `warden replicas` and
    // `warden db copy` stop counting it at once instead of 30 s later. A failure only leaves
    // the row to age out as after a crash.
    let (replica, heartbeat) = replica;
    heartbeat.abort();
    let _ = heartbeat.await;
    if let Err(e) = app_core.forget_replica(&replica).await {
        tracing::warn!(error = %e, "heartbeat not removed");
    }
    #[cfg(feature = "otel")]
    if let Some(provider) = traces {
        // The last spans, sent off the async workers.
        let _ = tokio::task::spawn_blocking(move || provider.shutdown()).await;
    }
    eprintln!("warden stopped");
    Ok(())
}

/// What a server runs on, said once at start-up in one block (issue 32): where it listens
/// (the first line, which scripts and tests wait for), the database, the policies and how
/// many loaded, and the issuer its tokens carry.
pub fn banner(state: &AppState, local: &str) -> String {
    let config = &state.config;
    let db = config.db.to_string_lossy();
    let backend = state.app.backend_name();
    let bundle = state.engine.bundle();
    let templates = bundle.info.iter().filter(|p| p.template).count();
    let policies = bundle.info.len() - templates;
    let schema = if state.engine.validation() {
        "schema on"
    } else {
        "no schema: validation off"
    };
    let issuer_from = if config.public_url.trim().is_empty() {
        "public_url unset: the listen address"
    } else {
        "public_url"
    };
    let source = match bundle.version {
        Some(v) => format!("store, version {v}"),
        None => bundle.dir.display().to_string(),
    };
    format!(
        "warden listening on http://{local}\n  \
         database  {} ({backend})\n  \
         policies  {}: {policies} {}, {templates} {}, {schema}\n  \
         issuer    {} ({issuer_from})\n",
        crate::app::shown_db(&db),
        source,
        if policies == 1 { "policy" } else { "policies" },
        if templates == 1 {
            "template"
        } else {
            "templates"
        },
        config.base_url(),
    )
}

fn limits(config: &Config) -> conn::Limits {
    let max_connections = conn::connection_cap(config.max_connections);
    conn::Limits {
        header_timeout: std::time::Duration::from_secs(config.header_timeout),
        max_connections,
        max_per_address: match config.max_connections_per_address {
            0 => (max_connections / 2).max(1),
            n => n,
        },
    }
}

/// Background work: the policy watcher and periodic key refresh (a rotation made by the
/// command line in another process is picked up within a minute). Returns this server's
/// replica id and its heartbeat's task.
fn spawn_background(state: &AppState) -> (String, tokio::task::JoinHandle<()>) {
    state
        .decision_log
        .spawn_writer(state.app.clone(), state.config.decision_log_retention);
    if state.config.policy_source == crate::publishing::PolicySource::Store {
        spawn_policy_follower(state.app.clone());
    } else if state.config.watch_policies {
        watch::spawn(
            &state.engine,
            std::time::Duration::from_millis(500),
            state.app.policy_guard(),
        );
    }
    let replica = spawn_heartbeat(state);
    let app = state.app.clone();
    tokio::spawn(async move {
        // A rotation bumps the revision: the keys are reloaded within a second of it being
        // heard (on PostgreSQL, by NOTIFY), so another replica's new tokens verify here at
        // once; and every 30 s in any case.
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        let mut loaded_at: Option<(i64, std::time::Instant)> = None;
        loop {
            tick.tick().await;
            let revision = app.current_revision().ok();
            let due = match loaded_at {
                None => true,
                Some((seen, at)) => {
                    revision.is_some_and(|now| now != seen)
                        || at.elapsed() >= std::time::Duration::from_secs(30)
                }
            };
            if !due {
                continue;
            }
            // Tried once per revision (or per 30 s while the revision is unknown).
            loaded_at = Some((revision.unwrap_or(i64::MIN), std::time::Instant::now()));
            // A failed reload keeps the keys already loaded (tokens they signed still verify,
            // a rotation elsewhere is picked up at the next tick), and is logged and counted.
            if let Err(e) = app.reload_keys().await {
                crate::alarm::raise("key_reload", e);
            }
        }
    });
    replica
}

/// Store mode: follow the active published version. The revision is an in-memory read
/// (exact on SQLite; on PostgreSQL carried by LISTEN/NOTIFY), so it is looked at every
/// 10 ms, and the store is asked only when it moved: a publish on any replica is served here
/// within the notification's delay plus a tick and a load. A version that does not load
/// here is retried every second while it stays active (the old one keeps serving; `/readyz`
/// and the heartbeat carry the error), and the store is asked every 30 s in any case.
fn spawn_policy_follower(app: crate::app::App) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(10));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut seen: Option<i64> = None;
        let mut asked = std::time::Instant::now();
        let mut failing = false;
        loop {
            tick.tick().await;
            let revision = app.current_revision().ok();
            let moved = revision.is_none() || revision != seen;
            let wait = if failing { 1 } else { 30 };
            if !moved && asked.elapsed() < std::time::Duration::from_secs(wait) {
                continue;
            }
            seen = revision;
            asked = std::time::Instant::now();
            match app.follow_published().await {
                Ok(Some(version)) => {
                    failing = false;
                    tracing::info!(version, "now serving the published policy version");
                }
                Ok(None) => failing = false,
                Err(e) => {
                    if !failing {
                        tracing::error!(error = %e, "the active published policy version is not served here; the previous one keeps serving");
                    }
                    failing = true;
                }
            }
        }
    });
}

/// Record this server in the replicas table now and every [`crate::app::HEARTBEAT_PERIOD`],
/// with the hash of the policies it serves at that moment.
fn spawn_heartbeat(state: &AppState) -> (String, tokio::task::JoinHandle<()>) {
    let app = state.app.clone();
    let engine = state.engine.clone();
    let id = crate::util::random_id();
    let replica = id.clone();
    let address = state.config.listen.clone();
    let started_at = app.now();
    let store_mode = state.config.policy_source == crate::publishing::PolicySource::Store;
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(crate::app::HEARTBEAT_PERIOD);
        loop {
            tick.tick().await;
            let bundle = engine.bundle();
            // Store mode: why the active version is not served here (a refused directory
            // reload is the directory's business, said in `/readyz`).
            let error = engine
                .last_error()
                .filter(|_| store_mode)
                .map(|e| e.to_string());
            if let Err(e) = app
                .heartbeat_serving(&id, &address, started_at, &bundle, error)
                .await
            {
                tracing::warn!(error = %e, "heartbeat not recorded");
            }
        }
    });
    (replica, task)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// Run blocking work (argon2, SQLite writes) off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, error::ApiError> + Send + 'static,
) -> Result<T, error::ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(error::ApiError::internal)?
}
