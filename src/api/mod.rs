//! Wire types of the HTTP API, shared by the server and the TUI's client.
//!
//! Request bodies deny unknown fields: a field the server does not know is a 400 naming
//! it, never silently dropped (a `"disabled": true` sent to the create route once made an
//! enabled user). Answers stay open to new fields, so an older client reads a newer server.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use crate::store::{
    AuditRow, ClientRow, DecisionRow, DecisionStats, RoleRow, SessionRow, UserRow,
};

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
}

/// `GET /admin/v1/policies`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PolicyList {
    pub policies: Vec<PolicyView>,
    /// The error of the last refused reload, while the previous bundle keeps serving.
    pub last_error: Option<String>,
}
