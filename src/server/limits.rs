//! Limits on the request head, and JSON for every error answer.
//!
//! Every error warden answers is `{"error", "message"}` with the right status. Handlers and
//! warden's own extractors already answer so; [`json_errors`] catches the rest: axum's
//! built-in rejections (a path that is not UTF-8 after decoding, a method the route does
//! not serve) and anything a layer answers in plain text, keeping their headers (405 keeps
//! `Allow`). A client that parses error bodies as JSON never meets an empty or text body.
//!
//! hyper answers 400, 414 and 431 itself, with an empty body, when it cannot parse a request
//! head (raw non-ASCII bytes in the request line) or the head is beyond its own limits (a
//! URI over 64 KiB, more than `max_headers` headers, a head larger than `max_buf_size`).
//! [`request_limits`] enforces smaller limits first, so ordinary oversized requests get a
//! JSON answer; hyper's limits stay the hard ceiling above them. The connection builder
//! must therefore keep hyper's limits above these: `max_buf_size` at least 64 KiB (the
//! default, about 400 KiB, is fine) and `max_headers` above [`MAX_HEADERS`] (the default
//! 100 is fine; 128 leaves room).

use super::error::ApiError;
use super::routes::ROUTES;
use crate::api::ErrorCode;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Longest request target (path and query) accepted, in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most header fields in one request.
pub const MAX_HEADERS: usize = 64;
/// Most bytes of header names and values in one request (cookies and tokens included).
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuse a request whose head is beyond the limits above: 414 or 431, as JSON, before any
/// routing or authentication.
pub async fn request_limits(req: Request, next: Next) -> Response {
    let uri_len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            ErrorCode::UriTooLong,
            format!("the request target is {uri_len} bytes; at most {MAX_URI_BYTES} are accepted"),
        )
        .into_response();
    }
    let headers = req.headers();
    let header_bytes: usize = headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    if headers.len() > MAX_HEADERS || header_bytes > MAX_HEADER_BYTES {
        return ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorCode::HeaderFieldsTooLarge,
            format!(
                "{} header fields, {header_bytes} bytes; at most {MAX_HEADERS} fields and {MAX_HEADER_BYTES} bytes are accepted",
                headers.len()
            ),
        )
        .into_response();
    }
    next.run(req).await
}

/// Turn any error answer that is not JSON into warden's JSON error shape.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let uri = req.uri().clone();
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    // The text of axum's 4xx rejections says what was wrong and holds nothing internal; a
    // 5xx body may, so it is replaced by the generic message.
    let text = if status.is_client_error() {
        axum::body::to_bytes(body, 1024)
            .await
            .ok()
            .and_then(|b| String::from_utf8(b.to_vec()).ok())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    } else {
        None
    };
    let (code, fallback) = describe(status);
    let mut message = text.unwrap_or_else(|| fallback.to_string());
    let mut headers = parts.headers;
    if status == StatusCode::METHOD_NOT_ALLOWED {
        if !headers.contains_key(header::ALLOW) {
            if let Ok(v) = HeaderValue::from_str(&allowed_methods(&uri)) {
                headers.insert(header::ALLOW, v);
            }
        }
        let allow = headers
            .get(header::ALLOW)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        message = format!("method not allowed on this route; allowed: {allow}");
    }
    let mut answer = ApiError::new(status, code, message).into_response();
    for (name, value) in headers.iter() {
        if name != header::CONTENT_TYPE
            && name != header::CONTENT_LENGTH
            && name != header::TRANSFER_ENCODING
        {
            answer.headers_mut().append(name.clone(), value.clone());
        }
    }
    answer
}

fn is_json(response: &Response<Body>) -> bool {
    super::body::is_json(response.headers())
}

/// The error code and a default message for a status.
fn describe(status: StatusCode) -> (ErrorCode, &'static str) {
    match status {
        StatusCode::BAD_REQUEST => (ErrorCode::InvalidRequest, "bad request"),
        StatusCode::UNAUTHORIZED => (ErrorCode::Unauthorized, "credentials are required"),
        StatusCode::FORBIDDEN => (ErrorCode::Forbidden, "forbidden"),
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "no such route"),
        StatusCode::METHOD_NOT_ALLOWED => (ErrorCode::MethodNotAllowed, "method not allowed"),
        StatusCode::REQUEST_TIMEOUT => (ErrorCode::RequestTimeout, "the request took too long"),
        StatusCode::PAYLOAD_TOO_LARGE => (ErrorCode::PayloadTooLarge, "request body is too large"),
        StatusCode::URI_TOO_LONG => (ErrorCode::UriTooLong, "the request target is too long"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            ErrorCode::UnsupportedMediaType,
            "Content-Type must be application/json",
        ),
        StatusCode::UNPROCESSABLE_ENTITY => {
            (ErrorCode::InvalidRequest, "the request cannot be processed")
        }
        StatusCode::TOO_MANY_REQUESTS => {
            (ErrorCode::TooManyRequests, "too many requests; retry later")
        }
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => (
            ErrorCode::HeaderFieldsTooLarge,
            "the request's header fields are too large",
        ),
        StatusCode::SERVICE_UNAVAILABLE => {
            (ErrorCode::Unavailable, "the service is unavailable; retry")
        }
        s if s.is_server_error() => (ErrorCode::InternalError, "internal error"),
        _ => (ErrorCode::InvalidRequest, "the request was refused"),
    }
}

/// The methods the route table serves on the path of `uri`, for an `Allow` header.
fn allowed_methods(uri: &Uri) -> String {
    let path: Vec<&str> = uri.path().split('/').collect();
    let mut methods: Vec<String> = ROUTES
        .iter()
        .filter(|r| {
            let pattern: Vec<&str> = r.path.split('/').collect();
            pattern.len() == path.len()
                && pattern
                    .iter()
                    .zip(&path)
                    .all(|(p, s)| p == s || (p.starts_with('{') && p.ends_with('}')))
        })
        .map(|r| r.method.to_ascii_uppercase())
        .collect();
    if methods.iter().any(|m| m == Method::GET.as_str()) {
        methods.push(Method::HEAD.to_string());
    }
    methods.dedup();
    methods.join(", ")
}

/// Middleware: the body limit of the request's route (its own, else `max_body_bytes`, the
/// `default`), for the body reading of `conn::deadlines` and the extractors (413 beyond it).
pub(super) async fn body_limit(
    axum::extract::State(limits): axum::extract::State<BodyLimits>,
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    use tower::{Layer as _, Service as _};
    let own = super::routes::own_body_limit(req.method(), req.uri().path());
    // Attack answered: bodies are read in full before a route's guard runs (the deadline
    // layer), so a route with a large limit of its own (publishing a policy set: tens of MiB)
    // would let anyone, signed in or not, make the server hold that much per connection, up
    // to the connection cap. Such a body is only read with a bearer token at hand (checked
    // for real by the route's guard afterwards) and at most BIG_BODY_READS at a time; the others
    // are told to retry (503 busy) before a byte of their body is read.
    let _permit = match own {
        None => None,
        Some(_) => {
            let bearer = req
                .headers()
                .get(axum::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "));
            if !bearer {
                return ApiError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    ErrorCode::MissingToken,
                    "this route needs an admin's bearer token",
                )
                .into_response();
            }
            match limits.big_reads.clone().try_acquire_owned() {
                Ok(permit) => Some(permit),
                Err(_) => {
                    return ApiError::new(
                        axum::http::StatusCode::SERVICE_UNAVAILABLE,
                        ErrorCode::Busy,
                        "another large upload is being read; retry in a moment",
                    )
                    .into_response()
                }
            }
        }
    };
    let limit = own.unwrap_or(limits.default);
    let mut limited = axum::extract::DefaultBodyLimit::max(limit).layer(next);
    match limited.call(req).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// How many bodies over `max_body_bytes` (a route's own limit) a server reads at once.
const BIG_BODY_READS: usize = 2;

/// The body limits of a router: `max_body_bytes`, and the permits to read a larger body.
#[derive(Clone)]
pub(super) struct BodyLimits {
    default: usize,
    big_reads: std::sync::Arc<tokio::sync::Semaphore>,
}

impl BodyLimits {
    /// `max_body_bytes` as `default`.
    pub(super) fn new(default: usize) -> BodyLimits {
        BodyLimits {
            default,
            big_reads: std::sync::Arc::new(tokio::sync::Semaphore::new(BIG_BODY_READS)),
        }
    }
}
