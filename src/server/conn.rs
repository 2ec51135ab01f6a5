//! Accepting connections: a cap on open connections and timeouts on every phase of a request.
//!
//! Attacks answered (slowloris and descriptor exhaustion): without limits a stalled header
//! kept a connection open for 70 s, a body sent at 1 byte/s for 40 s, 2,000 idle sockets for
//! 65 s, and under `ulimit -n 1024` 1,100 idle sockets starved `/healthz` and the policy
//! watcher ("Too many open files"). Here:
//! - `header_timeout`: hyper closes a connection whose request head has not arrived in time;
//!   the same timer runs while a keep-alive connection waits idle for its next request.
//! - `body_timeout`: a deadline for the whole body, not per chunk (a per-chunk timer never
//!   fires on a 1 byte/s drip); the read fails with 408.
//! - `request_timeout`: a deadline for the whole request; 503 after it.
//! - `max_connections`: connections beyond the cap wait in the kernel's accept queue instead of
//!   taking descriptors; by default the cap leaves 64 descriptors of the open-file limit for
//!   the database, the policy files and the logs.
//!
//! Stopping (issue 31): on SIGTERM the server first drains for `drain_seconds` ([`Drain`]):
//! `/readyz` answers 503 `draining` so that a load balancer stops sending new requests, while
//! every request that still comes is served, each answer with `Connection: close` so that
//! keep-alive clients reconnect (to another replica, through the balancer) instead of
//! holding a connection that is about to close. Then the listener closes and in-flight
//! requests get a bounded time to finish. Closing the listener at once refused hundreds of
//! requests in a measured run: balancers notice a stopped replica only at their next probe.

use super::body::BodyTimeout;
use super::error::ApiError;
use crate::api::ErrorCode;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Whether the server is draining (between SIGTERM and closing its listener).
#[derive(Debug, Default)]
pub struct Drain(std::sync::atomic::AtomicBool);

impl Drain {
    /// From now on `/readyz` says 503 `draining` and answers close their connections.
    pub fn start(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether [`Drain::start`] was called.
    pub fn is_draining(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The limits of the connection loop.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_timeout: Duration,
    pub max_connections: usize,
    /// Connections one client address may hold open at once.
    pub max_per_address: usize,
}

/// Descriptors kept free of connections for the database, policy files and logs.
const RESERVED_DESCRIPTORS: u64 = 64;

/// The connection cap: the configured one, or the open-file limit less the reserve.
pub fn connection_cap(configured: usize) -> usize {
    if configured > 0 {
        return configured;
    }
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own; no other memory is touched.
    let soft = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
        limit.rlim_cur
    } else {
        1024
    };
    soft.saturating_sub(RESERVED_DESCRIPTORS).clamp(16, 65_536) as usize
}

/// Serve `app` on `listener` until `shutdown` resolves (it resolves after the drain period,
/// see [`Drain`]; while `draining` is on, every answer closes its connection), then let
/// open requests finish (for at most `finish`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
    draining: Arc<Drain>,
    finish: Duration,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    // Open connections per client address: one address (an attacker reopening idle sockets
    // as fast as they are closed) must not hold every slot and starve everyone else.
    let per_address: Arc<std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>> =
        Arc::default();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning; the connection stays
                    // in the kernel's queue until a descriptor frees up.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let ip = peer.ip();
        {
            let mut open = match per_address.lock() {
                Ok(o) => o,
                Err(poisoned) => poisoned.into_inner(),
            };
            let count = open.entry(ip).or_insert(0);
            if *count >= limits.max_per_address {
                // Closed at once: the descriptor goes back, and the slot to others.
                drop(stream);
                continue;
            }
            *count += 1;
        }
        let _ = stream.set_nodelay(true);
        let service = hyper::service::service_fn({
            let app = app.clone();
            let draining = draining.clone();
            move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                let mut app = app.clone();
                let draining = draining.clone();
                async move {
                    use tower::Service;
                    let mut response = app.call(req.map(Body::new)).await;
                    if let Ok(response) = &mut response {
                        if draining.is_draining() {
                            response.headers_mut().insert(
                                axum::http::header::CONNECTION,
                                axum::http::HeaderValue::from_static("close"),
                            );
                        }
                    }
                    response
                }
            }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        let per_address = per_address.clone();
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            let mut open = match per_address.lock() {
                Ok(o) => o,
                Err(poisoned) => poisoned.into_inner(),
            };
            if let Some(count) = open.get_mut(&ip) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    open.remove(&ip);
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(finish, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("open connections did not finish in time; closing them");
    }
}

/// The deadlines and size limit of a request (the state of [`deadlines`]).
#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    pub request_timeout: Duration,
    pub body_timeout: Duration,
}

/// Middleware: the whole request within `request_timeout` (503 after it), the body within
/// `body_timeout` (408 after it) and the body limit (413 beyond it).
///
/// The body is read in full before any handler runs. A handler that answers without reading
/// the body (an unlock with `{}`, say) would otherwise leave hyper to drain it after the
/// answer: when the body's bytes were still in flight (Nagle and delayed ACK hold a small
/// second segment back by up to 40 ms) hyper closes a connection whose answer promised
/// keep-alive, and the client's next request on it fails with a reset. Every body is small
/// (`max_body_bytes`, enforced by the `DefaultBodyLimit` layer outside this one), so reading it here costs no more than the JSON extractor did.
pub async fn deadlines(
    axum::extract::State(limits): axum::extract::State<RequestLimits>,
    req: Request,
    next: Next,
) -> Response {
    let run = async move {
        let (parts, body) = req.into_parts();
        let body = Body::new(DeadlineBody::new(body, limits.body_timeout));
        // The size limit comes from the `DefaultBodyLimit` layer outside this one.
        let bytes =
            match super::body::body_bytes(Request::from_parts(parts.clone(), body), &()).await {
                Ok(bytes) => bytes,
                Err(e) => return e.into_response(),
            };
        next.run(Request::from_parts(parts, Body::from(bytes)))
            .await
    };
    match tokio::time::timeout(limits.request_timeout, run).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Timeout,
            format!(
                "the request did not finish within {} s",
                limits.request_timeout.as_secs()
            ),
        )
        .into_response(),
    }
}

/// A body that fails once its deadline has passed.
struct DeadlineBody {
    inner: Body,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl DeadlineBody {
    fn new(inner: Body, limit: Duration) -> DeadlineBody {
        DeadlineBody {
            inner,
            deadline: Box::pin(tokio::time::sleep(limit)),
        }
    }
}

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(axum::Error::new(BodyTimeout)))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
