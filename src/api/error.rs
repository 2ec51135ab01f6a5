//! Error answers: a stable code, a sentence for people, and where the error has one, the
//! specific kind (`reason`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Every error answer: a stable code and a sentence for people.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// A stable, machine-readable code (`invalid_request`, `forbidden`, `not_found`, ...).
    pub error: String,
    /// What went wrong, for people (never an internal detail).
    pub message: String,
}

/// An error of the OAuth 2.0 token endpoint (RFC 6749 section 5.2), with warden's `message`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_grant`, `unsupported_grant_type`,
    /// `temporarily_unavailable` or `server_error`.
    pub error: String,
    pub error_description: String,
    pub message: String,
}

