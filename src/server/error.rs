//! Errors as HTTP responses: `{"error": code, "message": text}` with the right status, and
//! never an internal detail (SQL, paths, key material) in a 5xx body.

use crate::accounts::AuthError;
use crate::api::{ErrorCode, Reason};
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
    pub code: ErrorCode,
    /// The specific kind, where the error has one (a conflict, a refused value).
    pub reason: Option<Reason>,
    pub message: String,
    pub retry_after: Option<u64>,
    pub www_authenticate: Option<String>,
}

impl ApiError {
    /// Any status, code and message.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            reason: None,
            message: message.into(),
            retry_after: None,
            www_authenticate: None,
        }
    }

    /// 409: the change conflicts with what is stored, saying which conflict.
    pub fn conflict(conflict: crate::refusal::Conflict) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            ErrorCode::Conflict,
            conflict.to_string(),
        )
        .because(conflict.reason())
    }

    /// 400: the change names something that does not exist or cannot be.
    pub fn invalid(invalid: crate::refusal::Invalid) -> Self {
        Self::bad_request(invalid.to_string()).because(invalid.reason())
    }

    /// This answer with its specific kind.
    pub fn because(mut self, reason: Reason) -> Self {
        self.reason = Some(reason);
        self
    }

    /// 400 bad input.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest, message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }

    /// 500 without details; the details go to the log.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "internal error",
        )
    }

    /// 401 for a bad or missing bearer credential (RFC 6750 section 3); `issuer` is the
    /// one this server accepts, named when a token's issuer is wrong.
    pub fn unauthorized(rejection: Rejection, issuer: &str) -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            token_code(rejection),
            rejection.explain(issuer),
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
        let mut body = json!({"error": self.code, "message": self.message});
        if let Some(reason) = self.reason {
            body["reason"] = json!(reason);
        }
        if description {
            body["error_description"] = json!(self.message);
        }
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
            StoreError::Conflict(c) => ApiError::conflict(c),
            StoreError::Invalid(i) => ApiError::invalid(i),
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Unavailable,
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
                ErrorCode::InvalidCredentials,
                "invalid email or password",
            ),
            AuthError::Throttled(secs) => {
                let mut e = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::TooManyAttempts,
                    format!("too many failed sign-ins; retry in {secs} s"),
                );
                e.retry_after = Some(secs);
                e
            }
            AuthError::Busy(secs) => {
                let mut e = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Busy,
                    format!("too many sign-ins at once; retry in {secs} s"),
                );
                e.retry_after = Some(secs);
                e
            }
            AuthError::Internal => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::InternalError,
                "internal error",
            ),
            AuthError::InvalidGrant(why) => {
                ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidGrant, why)
            }
            AuthError::BadRequest(m) => ApiError::bad_request(m),
            AuthError::Store(s) => s.into(),
            AuthError::Token(t) => ApiError::internal(t),
            // RFC 8693 section 2.2.2: an unacceptable subject token is `invalid_request`.
            AuthError::ExchangeRefused(why) => {
                ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest, why)
            }
            AuthError::IssuerUnavailable(why) => {
                let mut e =
                    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable, why);
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
            AppError::Conflict(c) => ApiError::conflict(c),
            AppError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, m),
            AppError::Escalation { message, .. } => {
                ApiError::new(StatusCode::FORBIDDEN, ErrorCode::EscalationRefused, message)
            }
            AppError::Reload(m) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::PolicyError,
                format!("reload refused; the previous policies keep serving: {m}"),
            ),
            AppError::Policy { refusal, message } => {
                use crate::app::PolicyRefusal as R;
                let (status, code) = match refusal {
                    R::Invalid => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::PolicyInvalid),
                    R::TestsFailed => (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        ErrorCode::PolicyTestsFailed,
                    ),
                    R::NoAdministrator => (StatusCode::CONFLICT, ErrorCode::NoAdministrator),
                    R::TooManyChanges => (StatusCode::CONFLICT, ErrorCode::TooManyChanges),
                    R::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge),
                    R::WrongSource => (StatusCode::CONFLICT, ErrorCode::WrongPolicySource),
                };
                ApiError::new(status, code, message)
            }
            AppError::Store(s) => s.into(),
            AppError::Auth(a) => a.into(),
            AppError::Tokens(t) => ApiError::internal(t),
        }
    }
}

/// The answer's code for a refused token: the same name as the rejection's metric label.
pub fn token_code(rejection: Rejection) -> ErrorCode {
    match rejection {
        Rejection::TooLarge => ErrorCode::TokenTooLarge,
        Rejection::Malformed => ErrorCode::MalformedToken,
        Rejection::WrongType => ErrorCode::WrongTokenType,
        Rejection::CriticalHeader => ErrorCode::UnsupportedCrit,
        Rejection::WrongAlgorithm => ErrorCode::WrongAlgorithm,
        Rejection::UnknownKey => ErrorCode::UnknownKid,
        Rejection::BadSignature => ErrorCode::BadSignature,
        Rejection::Expired => ErrorCode::TokenExpired,
        Rejection::NotYetValid => ErrorCode::TokenNotYetValid,
        Rejection::IssuedInFuture => ErrorCode::TokenIssuedInFuture,
        Rejection::WrongIssuer => ErrorCode::WrongIssuer,
        Rejection::WrongAudience => ErrorCode::WrongAudience,
        Rejection::BadClaims => ErrorCode::BadClaims,
        Rejection::Revoked => ErrorCode::TokenRevoked,
        Rejection::SessionEnded => ErrorCode::SessionEnded,
        Rejection::UserDisabled => ErrorCode::UserDisabled,
        Rejection::UnknownUser => ErrorCode::UnknownUser,
        Rejection::Stale => ErrorCode::TokenRevokedForUser,
        Rejection::Missing => ErrorCode::MissingToken,
        Rejection::Unavailable => ErrorCode::TokenCheckUnavailable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_token_rejection_answers_with_its_metric_name() {
        for rejection in Rejection::ALL {
            assert_eq!(token_code(rejection).as_str(), rejection.code());
        }
    }

    #[test]
    fn every_code_reads_on_the_wire_as_its_name() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert_eq!(json!(code), json!(code.as_str()));
            assert!(seen.insert(code.as_str()), "{code} twice");
        }
    }
}
