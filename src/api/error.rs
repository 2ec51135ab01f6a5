//! Error answers: a stable code, a sentence for people, and where the error has one, the
//! specific kind (`reason`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Every error answer: a stable code, the specific kind where there is one, and a sentence
/// for people. Clients branch on `error` and `reason`, never on `message`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// A stable, machine-readable code (`invalid_request`, `forbidden`, `not_found`, ...).
    /// Read as a string, so that a code added by a newer server still reads.
    #[schema(value_type = ErrorCode)]
    pub error: String,
    /// Which conflict or refused value (`email_taken`, `role_in_use`, `last_administrator`,
    /// `unknown_role`, ...), when the error has a specific kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Reason>)]
    pub reason: Option<String>,
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

pub use crate::refusal::Reason;

/// Defines [`ErrorCode`]: each variant with its wire name written once (serde writes the
/// variant's name in snake case; a test holds the two to be the same).
macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, )*) => {
        /// The `error` of an error answer: a stable, machine-readable code. Codes are only
        /// ever added; a client reads an unknown one as a generic failure of the status.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, for the contract's tests.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The code as it appears on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)*
                }
            }
        }
    };
}

error_codes! {
    /// 400: the request is malformed or a field is refused (the message names it).
    InvalidRequest = "invalid_request",
    /// 401: the email or the password is wrong (one answer for both).
    InvalidCredentials = "invalid_credentials",
    /// 429: too many failed sign-ins for this account or address.
    TooManyAttempts = "too_many_attempts",
    /// 503: too many sign-ins at once.
    Busy = "busy",
    /// 500: something failed inside warden (details only in its log).
    InternalError = "internal_error",
    /// 500: a handler failed unexpectedly (details only in warden's log).
    Internal = "internal",
    /// 503: the store or a provider cannot be reached; retry.
    Unavailable = "unavailable",
    /// 404.
    NotFound = "not_found",
    /// 409: the change conflicts with what is stored; `reason` says which conflict.
    Conflict = "conflict",
    /// 403: the policies do not allow this admin action.
    Forbidden = "forbidden",
    /// 403: the change would give an admin permission the actor lacks.
    EscalationRefused = "escalation_refused",
    /// 422: the policies did not load; the previous ones keep serving.
    PolicyError = "policy_error",
    /// 422: the policy set does not parse or validate (the message holds the diagnostics);
    /// nothing was activated.
    PolicyInvalid = "policy_invalid",
    /// 422: a policy test of the set failed (the message lists them); nothing was activated.
    PolicyTestsFailed = "policy_tests_failed",
    /// 409: nobody could administer warden under these policies; nothing was activated.
    NoAdministrator = "no_administrator",
    /// 409: the set would flip more replayed decisions than `max_changes`; nothing was
    /// activated.
    TooManyChanges = "too_many_changes",
    /// 409: this server takes its policies from a directory (`policy_source = "dir"`).
    WrongPolicySource = "wrong_policy_source",
    /// 400 (RFC 6749): the grant (refresh token, code) is invalid.
    InvalidGrant = "invalid_grant",
    /// 401: the service client's key is wrong or missing.
    InvalidClient = "invalid_client",
    /// 400 (RFC 6749): the grant type is not supported.
    UnsupportedGrantType = "unsupported_grant_type",
    /// 401: no credentials where they are required.
    Unauthorized = "unauthorized",
    /// 405: the route exists, with other methods (the `Allow` header lists them).
    MethodNotAllowed = "method_not_allowed",
    /// 429: too many requests; retry later.
    TooManyRequests = "too_many_requests",
    /// 413.
    PayloadTooLarge = "payload_too_large",
    /// 415.
    UnsupportedMediaType = "unsupported_media_type",
    /// 414.
    UriTooLong = "uri_too_long",
    /// 431.
    HeaderFieldsTooLarge = "header_fields_too_large",
    /// 408: the request body did not arrive in time.
    RequestTimeout = "request_timeout",
    /// 503: the request took too long.
    Timeout = "timeout",
    /// 401: the bearer token is larger than allowed.
    TokenTooLarge = "token_too_large",
    /// 401: the bearer token is not a JWT.
    MalformedToken = "malformed_token",
    /// 401: the token's `typ` is not `at+jwt`.
    WrongTokenType = "wrong_token_type",
    /// 401: the token has a `crit` header.
    UnsupportedCrit = "unsupported_crit",
    /// 401: the token's algorithm is not its key's.
    WrongAlgorithm = "wrong_algorithm",
    /// 401: the token's `kid` is unknown.
    UnknownKid = "unknown_kid",
    /// 401: the token's signature is invalid.
    BadSignature = "bad_signature",
    /// 401: the token has expired.
    TokenExpired = "token_expired",
    /// 401: the token is not valid yet.
    TokenNotYetValid = "token_not_yet_valid",
    /// 401: the token was issued in the future.
    TokenIssuedInFuture = "token_issued_in_future",
    /// 401: the token's issuer is not this deployment's.
    WrongIssuer = "wrong_issuer",
    /// 401: the token's audience is wrong.
    WrongAudience = "wrong_audience",
    /// 401: a claim is missing or has the wrong type.
    BadClaims = "bad_claims",
    /// 401: the token was revoked.
    TokenRevoked = "token_revoked",
    /// 401: the token's session ended.
    SessionEnded = "session_ended",
    /// 401: the token's user is disabled.
    UserDisabled = "user_disabled",
    /// 401: the token's user does not exist.
    UnknownUser = "unknown_user",
    /// 401: the user's tokens were revoked after this one was issued.
    TokenRevokedForUser = "token_revoked_for_user",
    /// 401: no bearer token was given.
    MissingToken = "missing_token",
    /// 503: the token could not be checked (the store is unavailable).
    TokenCheckUnavailable = "token_check_unavailable",
    /// 400: the query plan cannot be written as SQL exactly (it is `unsupported`, or SQL
    /// cannot say a condition): check each resource with `/v1/authorize`.
    UnsupportedPlan = "unsupported_plan",
    /// 400: the plan tests an attribute the column mapping has no column for.
    UnmappedAttribute = "unmapped_attribute",
    /// 400: a column mapping's key is not an attribute path of the resource.
    UnknownAttribute = "unknown_attribute",
    /// 400: a column mapping names a table or column that is not a plain identifier.
    UnsafeIdentifier = "unsafe_identifier",
    /// 400: the SQL dialect is neither `sqlite` nor `postgres`.
    UnknownDialect = "unknown_dialect",
    /// 400: the column mapping is too large or inconsistent (the message says how).
    InvalidMapping = "invalid_mapping",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
