//! OpenTelemetry traces over OTLP/HTTP (the `otel` feature): a server span per matched
//! request, child of the caller's W3C `traceparent` when it sends one, with the route, the
//! method and the status as attributes; the answer carries the span's own `traceparent`, so
//! a caller can find the request in its trace.
//!
//! Set up by [`init`] from the standard OpenTelemetry environment
//! (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
//! `OTEL_SERVICE_NAME`); without an endpoint nothing is exported and the layer costs one
//! header parse. Spans are made with the OpenTelemetry API directly rather than through a
//! `tracing` subscriber layer, so the logging set-up stays as it is and the default build
//! carries none of this.
//!
//! Security decision: an incoming `traceparent` only names a parent; it is parsed by the
//! W3C propagator (a malformed one is ignored and a new trace starts), it never changes what
//! is decided, and no request content (token, properties, context) goes into a span.

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{SpanKind, TraceContextExt, Tracer as _};
use opentelemetry::{global, Context, KeyValue};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;

/// Start exporting to the OTLP/HTTP endpoint the environment names; `None` when it names
/// none. Keep the provider until shutdown and call its `shutdown` to send the last spans.
pub fn init() -> Result<Option<SdkTracerProvider>, String> {
    let named = [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|var| std::env::var(var).is_ok_and(|v| !v.trim().is_empty()));
    if !named {
        return Ok(None);
    }
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()
        .map_err(|e| format!("OTLP exporter: {e}"))?;
    Ok(Some(install(exporter)))
}

/// A provider exporting in batches through `exporter`, made the global one.
pub fn install(exporter: opentelemetry_otlp::SpanExporter) -> SdkTracerProvider {
    let service = std::env::var("OTEL_SERVICE_NAME").unwrap_or_else(|_| "warden".into());
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            opentelemetry_sdk::Resource::builder()
                .with_service_name(service)
                .build(),
        )
        .build();
    global::set_tracer_provider(provider.clone());
    provider
}

struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }
}

struct HeadersMut<'a>(&'a mut HeaderMap);

impl Injector for HeadersMut<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

/// The span of one request (a route layer: it sees the matched route).
pub async fn trace(req: Request, next: Next) -> Response {
    let propagator = TraceContextPropagator::new();
    let parent = propagator.extract(&Headers(req.headers()));
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let tracer = global::tracer("warden");
    let span = tracer
        .span_builder(format!("{method} {route}"))
        .with_kind(SpanKind::Server)
        .with_attributes([
            KeyValue::new("http.request.method", method),
            KeyValue::new("http.route", route),
        ])
        .start_with_context(&tracer, &parent);
    let cx = Context::current_with_span(span);
    let mut response = next.run(req).await;
    let status = response.status();
    let span = cx.span();
    span.set_attribute(KeyValue::new(
        "http.response.status_code",
        i64::from(status.as_u16()),
    ));
    if status.is_server_error() {
        span.set_status(opentelemetry::trace::Status::error(
            status.as_str().to_string(),
        ));
    }
    propagator.inject_context(&cx, &mut HeadersMut(response.headers_mut()));
    span.end();
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_otlp::WithExportConfig;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::sync::{Arc, Mutex};
    use tower::ServiceExt;

    /// An OTLP/HTTP receiver on 127.0.0.1:0: keeps each request's path and body.
    fn receiver() -> (String, Arc<Mutex<Vec<(String, Vec<u8>)>>>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1/traces", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let kept = got.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let mut stream = stream.unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                let mut length = 0;
                loop {
                    let mut header = String::new();
                    reader.read_line(&mut header).unwrap();
                    let header = header.trim().to_ascii_lowercase();
                    if header.is_empty() {
                        break;
                    }
                    if let Some(v) = header.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                kept.lock().unwrap().push((path, body));
                stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .unwrap();
            }
        });
        (url, got)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn otel_a_span_per_request_is_exported_as_a_child_of_the_callers_trace() {
        let (url, got) = receiver();
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(url)
            .build()
            .unwrap();
        let provider = install(exporter);
        let app = axum::Router::new()
            .route("/items/{id}", axum::routing::get(|| async { "ok" }))
            .route_layer(axum::middleware::from_fn(trace));
        let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
        let request = axum::http::Request::get("/items/7")
            .header("traceparent", format!("00-{trace_id}-00f067aa0ba902b7-01"))
            .body(axum::body::Body::empty())
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        let answered = response.headers()["traceparent"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            answered.starts_with(&format!("00-{trace_id}-")),
            "{answered}"
        );
        assert!(
            !answered.contains("00f067aa0ba902b7"),
            "a span of its own: {answered}"
        );
        // A malformed traceparent starts a new trace rather than failing the request.
        let request = axum::http::Request::get("/items/8")
            .header("traceparent", "00-zz-yy-01")
            .body(axum::body::Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(!response.headers()["traceparent"]
            .to_str()
            .unwrap()
            .contains(trace_id));
        tokio::task::spawn_blocking(move || provider.force_flush().unwrap())
            .await
            .unwrap();
        let got = got.lock().unwrap();
        assert!(!got.is_empty(), "nothing exported");
        assert_eq!(got[0].0, "/v1/traces");
        let all: Vec<u8> = got.iter().flat_map(|(_, b)| b.clone()).collect();
        let id: Vec<u8> = (0..16)
            .map(|i| u8::from_str_radix(&trace_id[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        assert!(
            all.windows(16).any(|w| w == id),
            "the caller's trace id is exported"
        );
        assert!(
            all.windows(11).any(|w| w == b"/items/{id}"),
            "the route is an attribute"
        );
    }
}
