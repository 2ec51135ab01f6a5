//! Operations and discovery: health, readiness, the JWKS, OpenID configuration.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `GET /healthz`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

/// `GET /readyz`: the status for anyone; the detail for the operations key or an admin.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `not_ready` (then the status is 503).
    pub status: String,
    /// `on` or `off` (without a schema); said to anyone when it is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<String>,
    /// `ok` or `unavailable` (detail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    /// Policies loaded (detail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<i64>,
    /// The error of the last refused reload (detail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reload_error: Option<String>,
    /// Where the policies come from: `dir` or `store` (detail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_source: Option<crate::publishing::PolicySource>,
    /// The published version served (store mode; detail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_version: Option<i64>,
    /// Why the active version is not served here (store mode: the previous one still
    /// serves, and the server stays ready; detail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_error: Option<String>,
}

/// One public key of the JWKS.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Jwk {
    /// `OKP`.
    pub kty: String,
    /// `Ed25519`.
    pub crv: String,
    /// The public key, base64url.
    pub x: String,
    pub kid: String,
    pub alg: String,
    #[serde(rename = "use")]
    pub key_use: String,
}

/// `GET /.well-known/jwks.json` (empty with HS256, whose key is a shared secret).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// `GET /.well-known/openid-configuration`: only what is served.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OpenIdConfiguration {
    pub issuer: String,
    pub jwks_uri: String,
    pub token_endpoint: String,
    pub revocation_endpoint: String,
    pub introspection_endpoint: String,
    pub userinfo_endpoint: String,
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// `client_secret_basic` (the client id and key, RFC 7662's examples) and `bearer`.
    pub introspection_endpoint_auth_methods_supported: Vec<String>,
    pub grant_types_supported: Vec<String>,
    pub response_types_supported: Vec<String>,
    pub subject_types_supported: Vec<String>,
    pub access_token_signing_alg_values_supported: Vec<String>,
}
