//! Sign-in and tokens: login, refresh and token exchange, logout, revocation and
//! introspection (RFC 7009, RFC 7662), the signed-in user.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /v1/auth/login`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    #[schema(min_length = 1)]
    pub email: String,
    #[schema(min_length = 1)]
    pub password: String,
}

/// The sign-in and refresh answer. Its top level works unmodified as the `user` object of a
/// NextAuth CredentialsProvider (`id`, `email`, `name`, `role`, `token`) and as an OAuth
/// token response (`access_token`, `token_type`, `expires_in`, `refresh_token`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignedIn {
    pub id: String,
    pub email: String,
    #[serde(default)]
    pub name: String,
    /// The primary role.
    pub role: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    /// The access token (the same as `access_token`, for NextAuth).
    #[serde(default)]
    pub token: String,
    pub access_token: String,
    /// `Bearer`.
    #[serde(default)]
    pub token_type: String,
    /// Seconds.
    pub expires_in: i64,
    /// Epoch seconds.
    pub expires_at: i64,
    pub refresh_token: String,
    /// Seconds until the refresh token's session ends.
    #[serde(default)]
    pub refresh_expires_in: i64,
    /// The session the refresh token belongs to.
    #[serde(default)]
    pub session_id: String,
    /// Token exchange answers only (RFC 8693 section 2.2.1):
    /// `urn:ietf:params:oauth:token-type:access_token`, the type of `access_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<String>,
}

/// `POST /v1/auth/token` (RFC 6749, form-encoded): `grant_type=password` with `username`
/// (the email) and `password`, `grant_type=refresh_token` with `refresh_token`, or the token
/// exchange grant (RFC 8693) with `subject_token` and `subject_token_type`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenGrant {
    #[schema(value_type = GrantType)]
    pub grant_type: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub refresh_token: Option<String>,
    /// The identity provider's ID token (token exchange).
    pub subject_token: Option<String>,
    /// `urn:ietf:params:oauth:token-type:id_token` (token exchange).
    pub subject_token_type: Option<String>,
}

/// An OAuth 2.0 grant type warden serves.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    Password,
    RefreshToken,
    /// RFC 8693 token exchange.
    #[serde(rename = "urn:ietf:params:oauth:grant-type:token-exchange")]
    TokenExchange,
}

/// The one grant type `/v1/auth/refresh` accepts by name.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RefreshGrant {
    RefreshToken,
}

/// `POST /v1/auth/refresh` (JSON or form): the refresh token, else the cookie's.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Refresh {
    /// Required unless the `warden_refresh` cookie carries it (when `refresh_cookie` is on).
    #[schema(value_type = String, required = true)]
    pub refresh_token: Option<String>,
    /// Accepted for OAuth clients; must then be `refresh_token`.
    #[schema(value_type = Option<RefreshGrant>)]
    pub grant_type: Option<String>,
}

/// The grant of `POST /v1/auth/exchange` (RFC 8693 section 2.1).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub enum TokenExchangeGrant {
    #[serde(rename = "urn:ietf:params:oauth:grant-type:token-exchange")]
    TokenExchange,
}

/// The subject token types `POST /v1/auth/exchange` accepts (RFC 8693 section 3).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub enum SubjectTokenType {
    /// An OpenID Connect ID token.
    #[serde(rename = "urn:ietf:params:oauth:token-type:id_token")]
    IdToken,
}

/// `POST /v1/auth/exchange` (JSON or form, RFC 8693 section 2.1): a trusted identity
/// provider's ID token for a warden session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenExchange {
    /// `urn:ietf:params:oauth:grant-type:token-exchange`.
    pub grant_type: TokenExchangeGrant,
    /// The ID token (a signed JWT, at most 8 KiB).
    pub subject_token: String,
    /// `urn:ietf:params:oauth:token-type:id_token`.
    pub subject_token_type: SubjectTokenType,
}

/// `POST /v1/auth/logout` (JSON or form): the refresh token, else the cookie's.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Logout {
    /// Required unless the `warden_refresh` cookie carries it (when `refresh_cookie` is on).
    #[schema(value_type = String, required = true)]
    pub refresh_token: Option<String>,
}

/// The answer of `POST /v1/auth/logout`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoggedOut {
    /// Whether a live session ended.
    pub logged_out: bool,
}

/// `POST /v1/auth/revoke` (RFC 7009) and `POST /v1/auth/introspect` (RFC 7662), JSON or form.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenQuestion {
    pub token: String,
    pub token_type_hint: Option<String>,
    pub client_id: Option<String>,
}

/// An empty JSON object: the answer of RFC 7009 revocation, valid token or not.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Empty {}

/// RFC 7662 section 2.2: an inactive token gets `{"active": false}` and nothing more.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Introspection {
    pub active: bool,
    pub sub: Option<String>,
    pub iss: Option<String>,
    pub aud: Option<String>,
    pub exp: Option<i64>,
    pub iat: Option<i64>,
    pub jti: Option<String>,
    pub sid: Option<String>,
    pub token_type: Option<String>,
    pub username: Option<String>,
    pub email: Option<String>,
    pub role: Option<String>,
    pub roles: Option<Vec<String>>,
}

/// `GET /v1/auth/me`: the signed-in user (an OpenID userinfo answer).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub sub: String,
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Option<String>,
    pub roles: Vec<String>,
    pub session_id: String,
    pub expires_at: i64,
}

/// `POST /v1/auth/password`: change your own password.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// The answer of `POST /v1/auth/password`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PasswordChanged {
    /// `changed`.
    pub password: String,
    /// Your other sessions, ended.
    pub sessions_ended: i64,
}
