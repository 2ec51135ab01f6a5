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

use super::error::ApiError;
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

/// Serve `app` on `listener` until `shutdown` resolves, then let open requests finish (for at
/// most `drain`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
    drain: Duration,
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
            move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                let mut app = app.clone();
                async move {
                    use tower::Service;
                    app.call(req.map(Body::new)).await
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
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("open connections did not finish in time; closing them");
    }
}

/// Middleware: the whole request within `request_timeout` (503 after it), the body within
/// `body_timeout` (408 after it).
pub async fn deadlines(
    axum::extract::State((request_timeout, body_timeout)): axum::extract::State<(
        Duration,
        Duration,
    )>,
    req: Request,
    next: Next,
) -> Response {
    let req = req.map(|body| Body::new(DeadlineBody::new(body, body_timeout)));
    match tokio::time::timeout(request_timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the request did not finish within {} s",
                request_timeout.as_secs()
            ),
        )
        .into_response(),
    }
}

/// The body was not received before its deadline.
#[derive(Debug, thiserror::Error)]
#[error("the request body was not received in time")]
pub struct BodyTimeout;

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

/// Whether an error (or one of its causes) is a [`BodyTimeout`].
pub fn is_body_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.is::<BodyTimeout>() {
            return true;
        }
        current = e.source();
    }
    false
}
