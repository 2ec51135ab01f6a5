//! Errors as HTTP responses: `{"error": code, "message": text}` with the right status, and
//! never an internal detail (SQL, paths, key material) in a 5xx body.

use crate::accounts::AuthError;
use crate::app::StoreError;
use crate::tokens::Rejection;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub retry_after: Option<u64>,
    pub www_authenticate: Option<String>,
}

impl ApiError {
    /// Any status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
            www_authenticate: None,
        }
    }

    /// 400 bad input.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 500 without details; the details go to the log.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "internal error",
        )
    }

    /// 401 for a bad or missing bearer credential (RFC 6750 section 3).
    pub fn unauthorized(rejection: Rejection) -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            rejection.code(),
            rejection.to_string(),
        );
        if rejection == Rejection::Unavailable {
            e.status = StatusCode::SERVICE_UNAVAILABLE;
            return e;
        }
        e.www_authenticate = Some(format!(
            "Bearer error=\"invalid_token\", error_description=\"{}\"",
            rejection.code()
        ));
        e
    }
}

impl ApiError {
    /// This answer with RFC 6749 section 5.2's `error_description` (the same text as
    /// `message`) for endpoints that OAuth clients call, such as the token exchange.
    pub fn with_error_description(self) -> Response {
        self.respond(true)
    }

    fn respond(self, description: bool) -> Response {
        let body = if description {
            json!({"error": self.code, "message": self.message, "error_description": self.message})
        } else {
            json!({"error": self.code, "message": self.message})
        };
        let mut response = (self.status, Json(body)).into_response();
        let headers = response.headers_mut();
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(value) = self
            .www_authenticate
            .and_then(|v| HeaderValue::from_str(&v).ok())
        {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.respond(false)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            e @ StoreError::NotFound { .. } => ApiError::not_found(e.to_string()),
            StoreError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            StoreError::Invalid(m) => ApiError::bad_request(m),
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "storage is unavailable; retry",
                )
            }
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidCredentials => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "invalid email or password",
            ),
            AuthError::Throttled(secs) => {
                let mut e = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_attempts",
                    format!("too many failed sign-ins; retry in {secs} s"),
                );
                e.retry_after = Some(secs);
                e
            }
            AuthError::Busy(secs) => {
                let mut e = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    format!("too many sign-ins at once; retry in {secs} s"),
                );
                e.retry_after = Some(secs);
                e
            }
            AuthError::Internal => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "internal error",
            ),
            AuthError::InvalidGrant(why) => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_grant", why)
            }
            AuthError::BadRequest(m) => ApiError::bad_request(m),
            AuthError::Store(s) => s.into(),
            AuthError::Token(t) => ApiError::internal(t),
            // RFC 8693 section 2.2.2: an unacceptable subject token is `invalid_request`.
            AuthError::ExchangeRefused(why) => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", why)
            }
            AuthError::IssuerUnavailable(why) => {
                let mut e = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", why);
                e.retry_after = Some(5);
                e
            }
        }
    }
}

impl From<crate::app::AppError> for ApiError {
    fn from(e: crate::app::AppError) -> Self {
        use crate::app::AppError;
        match e {
            AppError::Invalid(m) => ApiError::bad_request(m),
            AppError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            AppError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", m),
            AppError::Escalation { message, .. } => {
                ApiError::new(StatusCode::FORBIDDEN, "escalation_refused", message)
            }
            AppError::Reload(m) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "policy_error",
                format!("reload refused; the previous policies keep serving: {m}"),
            ),
            AppError::Store(s) => s.into(),
            AppError::Auth(a) => a.into(),
            AppError::Tokens(t) => ApiError::internal(t),
        }
    }
}
