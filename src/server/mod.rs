//! The HTTP server (axum): the router, shared state, and start-up.
//!
//! Handlers are thin: they parse, call the library, and map errors. [`router`] builds the app
//! so tests can start it on `127.0.0.1:0` with [`start`].

mod admin;
mod auth;
mod authzen;
mod conn;
mod decide;
pub mod decision_log;
pub mod error;
pub mod extract;
pub mod limits;
mod openapi;
mod ops;
pub mod watch;

use crate::accounts::bootstrap::Bootstrapped;
use crate::accounts::Accounts;
use crate::config::Config;
use crate::engine::Engine;
use crate::tokens::Tokens;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, patch, post, put, MethodRouter};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;

/// Everything a handler may need. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
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
        );
        AppState {
            config: app.config.clone(),
            app,
            resolver,
            engine,
            tokens,
            accounts,
            metrics,
            decision_log,
        }
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

/// The handler of a route of [`openapi::ROUTES`].
fn handler(method: &str, path: &str) -> MethodRouter<AppState> {
    let route: MethodRouter<AppState> = match (method, path) {
        ("get", "/healthz") => get(ops::healthz),
        ("get", "/readyz") => get(ops::readyz),
        ("get", "/metrics") => get(ops::metrics),
        ("get", "/openapi.json") => get(ops::openapi),
        ("get", "/.well-known/jwks.json") => get(ops::jwks),
        ("get", "/.well-known/openid-configuration") => get(ops::openid_configuration),
        ("post", "/v1/auth/login") => post(auth::login),
        ("post", "/v1/auth/token") => post(auth::token),
        ("post", "/v1/auth/refresh") => post(auth::refresh),
        ("post", "/v1/auth/logout") => post(auth::logout),
        ("post", "/v1/auth/revoke") => post(auth::revoke),
        ("post", "/v1/auth/introspect") => post(auth::introspect),
        ("get", "/v1/auth/me") => get(auth::me),
        ("post", "/v1/auth/password") => post(auth::change_password),
        ("post", "/v1/authorize") => post(decide::authorize),
        ("post", "/v1/authorize/batch") => post(decide::authorize_batch),
        ("get", "/.well-known/authzen-configuration") => get(authzen::configuration),
        ("post", "/access/v1/evaluation") => post(authzen::evaluation),
        ("post", "/access/v1/evaluations") => post(authzen::evaluations),
        ("post", "/access/v1/search/action") => post(authzen::search_action),
        ("post", "/access/v1/search/subject") => post(authzen::search_subject),
        ("get", "/admin/v1/users") => get(admin::list_users),
        ("post", "/admin/v1/users") => post(admin::create_user),
        ("get", "/admin/v1/users/{id}") => get(admin::show_user),
        ("patch", "/admin/v1/users/{id}") => patch(admin::update_user),
        ("delete", "/admin/v1/users/{id}") => delete(admin::delete_user),
        ("put", "/admin/v1/users/{id}/roles") => put(admin::set_user_roles),
        ("post", "/admin/v1/users/{id}/password") => post(admin::set_user_password),
        ("post", "/admin/v1/users/{id}/revoke") => post(admin::revoke_user),
        ("post", "/admin/v1/users/{id}/unlock") => post(admin::unlock_user),
        ("get", "/admin/v1/roles") => get(admin::list_roles),
        ("post", "/admin/v1/roles") => post(admin::create_role),
        ("put", "/admin/v1/roles/{name}") => put(admin::update_role),
        ("delete", "/admin/v1/roles/{name}") => delete(admin::delete_role),
        ("get", "/admin/v1/sessions") => get(admin::list_sessions),
        ("delete", "/admin/v1/sessions/{id}") => delete(admin::revoke_session),
        ("post", "/admin/v1/tokens/revoke") => post(admin::revoke_token),
        ("get", "/admin/v1/clients") => get(admin::list_clients),
        ("post", "/admin/v1/clients") => post(admin::create_client),
        ("delete", "/admin/v1/clients/{id}") => delete(admin::revoke_client),
        ("get", "/admin/v1/policies") => get(admin::list_policies),
        ("post", "/admin/v1/policies/reload") => post(admin::reload_policies),
        ("post", "/admin/v1/policies/whatif") => post(admin::what_if),
        ("get", "/admin/v1/decisions") => get(admin::list_decisions),
        ("get", "/admin/v1/decisions/stats") => get(admin::decision_stats),
        ("get", "/admin/v1/audit") => get(admin::list_audit),
        ("get", "/admin/v1/keys") => get(admin::list_keys),
        ("post", "/admin/v1/keys/rotate") => post(admin::rotate_key),
        // A table entry without a handler is served as 404, which the route test catches.
        _ => get(ops::not_found),
    };
    route
}

/// How many routes the router serves (the length of the route table).
pub fn route_count() -> usize {
    openapi::ROUTES.len()
}

/// The whole HTTP surface, built from the route table that `/openapi.json` describes.
pub fn router(state: AppState) -> Router {
    let limit = state.config.max_body_bytes;
    let deadlines = conn::RequestLimits {
        request_timeout: std::time::Duration::from_secs(state.config.request_timeout),
        body_timeout: std::time::Duration::from_secs(state.config.body_timeout),
    };
    let mut router = Router::new();
    for route in openapi::ROUTES {
        router = router.route(route.path, handler(route.method, route.path));
    }
    router
        .route_layer(middleware::from_fn_with_state(state.clone(), admin::gate))
        .fallback(ops::not_found)
        .layer(middleware::from_fn_with_state(deadlines, conn::deadlines))
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(limits::request_limits))
        .layer(middleware::from_fn(request_id))
        .layer(middleware::from_fn(limits::json_errors))
        .with_state(state)
}

/// The request id of a request: the caller's `X-Request-ID` when it is sane, else a new one.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(crate::util::random_id);
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(req).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), value);
    }
    response
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
    let app = router(state);
    let handle = tokio::spawn(conn::serve(
        listener,
        app,
        limits,
        std::future::pending(),
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

/// Serve on `listener` (from [`bind`]) until SIGTERM or Ctrl-C, then finish in-flight
/// requests and stop.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> Result<(), StartError> {
    let addr = state.config.listen.clone();
    let local = listener
        .local_addr()
        .map_err(|e| StartError::Bind(addr.clone(), e))?;
    spawn_background(&state);
    let issuer = state.config.base_url();
    eprintln!("warden listening on http://{local}");
    eprintln!("issuer (public_url): {issuer}");
    tracing::info!(%local, %issuer, "listening");
    let decision_log = state.decision_log.clone();
    let limits = limits(&state.config);
    tracing::info!(
        max_connections = limits.max_connections,
        header_timeout_s = limits.header_timeout.as_secs(),
        "connection limits"
    );
    let app = router(state);
    conn::serve(
        listener,
        app,
        limits,
        shutdown_signal(),
        std::time::Duration::from_secs(30),
    )
    .await;
    // In-flight requests are done; write the decisions they logged before exiting.
    decision_log.drain(std::time::Duration::from_secs(5)).await;
    eprintln!("warden stopped");
    Ok(())
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
/// command line in another process is picked up within a minute).
fn spawn_background(state: &AppState) {
    state
        .decision_log
        .spawn_writer(state.app.clone(), state.config.decision_log_retention);
    if state.config.watch_policies {
        watch::spawn(&state.engine, std::time::Duration::from_millis(500));
    }
    let app = state.app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
        loop {
            tick.tick().await;
            // A failed reload keeps the keys already loaded (tokens they signed still verify,
            // a rotation elsewhere is picked up at the next tick), and is logged and counted.
            if let Err(e) = app.reload_keys().await {
                crate::alarm::raise("key_reload", e);
            }
        }
    });
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
