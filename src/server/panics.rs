//! A panic in a handler answers a JSON 500, is logged and counted; the server goes on.
//!
//! warden's request paths return errors instead of panicking (no `unwrap` on them), but a
//! panic can still come from a dependency or a broken invariant nobody foresaw. Without this
//! layer hyper would drop the connection: the caller would see a reset instead of an answer
//! it can act on, and nobody would be told. The panic is a broken invariant
//! ([`crate::alarm::raise`], kind `handler_panic`): logged at error level with the request's
//! span, and served as `warden_invariant_failures_total{kind="handler_panic"}`. The message
//! of the panic is never sent to the caller (it may hold data).

use super::error::ApiError;
use crate::api::ErrorCode;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;

/// `router` with every panic below it turned into a JSON 500.
pub fn caught<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router.layer(CatchPanicLayer::custom(answer))
}

fn answer(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    crate::alarm::raise("handler_panic", detail);
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Internal,
        "internal error: the server met a fault it did not expect; it was logged",
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;

    #[tokio::test]
    async fn a_panicking_handler_answers_a_json_500_and_is_counted() {
        async fn boom() -> &'static str {
            panic!("secret detail 1234")
        }
        let app = caught(
            Router::new()
                .route("/boom", get(boom))
                .route("/ok", get(|| async { "ok" })),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let before = crate::alarm::counts()
            .into_iter()
            .find(|(k, _)| *k == "handler_panic")
            .map_or(0, |(_, n)| n);
        let (status, body) = tokio::task::spawn_blocking(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            let mut reply = agent.get(&format!("http://{addr}/boom")).call().unwrap();
            let status = reply.status().as_u16();
            let body = reply.body_mut().read_to_string().unwrap();
            // The server goes on serving.
            let ok = agent.get(&format!("http://{addr}/ok")).call().unwrap();
            assert_eq!(ok.status().as_u16(), 200);
            (status, body)
        })
        .await
        .unwrap();
        assert_eq!(status, 500);
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["error"], "internal", "{body}");
        assert!(!body.contains("1234"), "the panic's message leaked: {body}");
        let after = crate::alarm::counts()
            .into_iter()
            .find(|(k, _)| *k == "handler_panic")
            .map_or(0, |(_, n)| n);
        assert_eq!(after, before + 1);
    }
}
