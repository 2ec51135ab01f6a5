//! Wire types of the HTTP API, shared by the server and the TUI's client.
//!
//! This module imports neither the store nor the engine: the rows below are what travels over
//! HTTP (the server serialises its store rows into the same JSON; the TUI's update-loop tests
//! against a real server read every one of them back, so the two cannot drift apart unseen).
//!
//! Request bodies deny unknown fields: a field the server does not know is a 400 naming
//! it, never silently dropped (a `"disabled": true` sent to the create route once made an
//! enabled user). Answers stay open to new fields, so an older client reads a newer server.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A user as the admin API shows it (never a password hash).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub disabled: bool,
    /// Access tokens issued before this epoch second are refused ("revoke all").
    pub tokens_valid_after: i64,
    pub created_at: i64,
    /// Directly assigned roles, the primary one first.
    pub roles: Vec<String>,
}

/// A role with its direct parents.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RoleRow {
    pub name: String,
    pub parents: Vec<String>,
    /// How many users hold this role directly.
    pub users: i64,
}

/// A sign-in session.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub created_at: i64,
    pub last_used_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
}

/// A service client (its key is shown once, at creation).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A signing key in `GET /admin/v1/keys` (the private half never leaves the server).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct KeyView {
    pub kid: String,
    pub alg: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

/// One entry of the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: Value,
}

/// One logged decision.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DecisionRow {
    #[serde(default)]
    pub id: i64,
    pub at: i64,
    pub request_id: String,
    pub client: String,
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub decision: String,
    pub reasons: Vec<String>,
    pub errors: Vec<String>,
    pub latency_us: i64,
    /// The resource's properties as given.
    #[serde(default)]
    pub properties: Value,
    /// The context as given.
    #[serde(default)]
    pub context: Value,
}

/// Decision counts for a dashboard.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct DecisionStats {
    pub allowed: i64,
    pub denied: i64,
    /// (action, denies), most denied first.
    pub top_denied: Vec<(String, i64)>,
    /// The newest row id.
    pub last_id: i64,
}

/// `POST /v1/auth/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// The sign-in and refresh answer (the fields a client needs).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenResponse {
    pub id: String,
    pub email: String,
    #[serde(default)]
    pub name: String,
    pub role: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    pub access_token: String,
    pub expires_in: i64,
    pub expires_at: i64,
    pub refresh_token: String,
    /// The session the refresh token belongs to.
    #[serde(default)]
    pub session_id: String,
}

/// An error answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
}

/// `POST /admin/v1/users`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserCreate {
    /// Default: derived from the email's local part.
    #[serde(default)]
    pub id: Option<String>,
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub roles: Vec<String>,
    /// Without one the user cannot sign in until a password is set.
    #[serde(default)]
    pub password: Option<String>,
}

/// `PATCH /admin/v1/users/{id}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub disabled: Option<bool>,
}

/// `PUT /admin/v1/users/{id}/roles`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetRoles {
    pub roles: Vec<String>,
}

/// `POST /admin/v1/users/{id}/password`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    pub password: String,
}

/// `POST /admin/v1/roles`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleCreate {
    pub name: String,
    #[serde(default)]
    pub parents: Vec<String>,
}

/// `PUT /admin/v1/roles/{name}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleUpdate {
    pub parents: Vec<String>,
}

/// `POST /admin/v1/clients`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientCreate {
    pub name: String,
}

/// A created client with its key (shown once).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientCreated {
    pub id: String,
    pub name: String,
    pub key: String,
}

/// `POST /admin/v1/tokens/revoke`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeJti {
    pub jti: String,
}

/// A resource in a what-if question.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceRef {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    #[serde(default)]
    pub properties: Map<String, Value>,
}

impl ResourceRef {
    /// A resource written as Cedar writes an entity, `Type::"id"` (the id unescaped), without
    /// properties. Cedar's own parser reads it, so the console and the server agree on quoting.
    pub fn parse(text: &str) -> Result<ResourceRef, String> {
        use std::str::FromStr;
        let uid = cedar_policy::EntityUid::from_str(text.trim())
            .map_err(|e| format!("invalid entity {text:?} (expected Type::\"id\"): {e}"))?;
        Ok(ResourceRef {
            kind: uid.type_name().to_string(),
            id: uid.id().unescaped().to_string(),
            properties: Map::new(),
        })
    }
}

/// `POST /admin/v1/policies/whatif`: how would the current policies decide for this user?
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhatIf {
    pub user: String,
    pub action: String,
    pub resource: ResourceRef,
    #[serde(default)]
    pub context: Map<String, Value>,
}

/// A decision answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DecisionAnswer {
    pub allowed: bool,
    pub reasons: Vec<String>,
    pub errors: Vec<String>,
}

/// One policy in `GET /admin/v1/policies`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PolicyView {
    pub id: String,
    pub file: String,
    pub line: usize,
    pub effect: String,
    /// `active`, or `template` for a template waiting for links.
    pub status: String,
    /// The policy's source text.
    #[serde(default)]
    pub source: String,
}

/// `GET /admin/v1/policies`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PolicyList {
    pub policies: Vec<PolicyView>,
    /// The error of the last refused reload, while the previous bundle keeps serving.
    pub last_error: Option<String>,
}
