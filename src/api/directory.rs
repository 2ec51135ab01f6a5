//! The directory as the admin API shows it: users, roles, sessions, clients, linked
//! identities, signing keys, replicas, the audit and decision logs, policies.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::DecisionKind;

/// A user as the admin API shows it (never a password hash).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub disabled: bool,
    /// Access tokens issued before this epoch second are refused ("revoke all").
    pub tokens_valid_after: i64,
    /// Epoch seconds.
    pub created_at: i64,
    /// Directly assigned roles, the primary one first.
    pub roles: Vec<String>,
}

/// A role with its direct parents.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct Role {
    pub name: String,
    pub parents: Vec<String>,
    /// How many users hold this role directly.
    pub users: i64,
}

/// A sign-in session (one family of refresh tokens).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    pub created_at: i64,
    pub last_used_at: i64,
    /// The absolute end of the session; it never slides.
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
}

/// A service client (its key is shown once, at creation).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct Client {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A user's link to an identity provider (`GET /admin/v1/users/{id}/identities`): the
/// token exchange finds the user by this `(issuer, subject)`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct Identity {
    /// The provider's `iss`, exactly as configured in `exchange_issuers`.
    pub issuer: String,
    /// The provider's `sub` for this person (never a warden user id).
    pub subject: String,
    pub user_id: String,
    pub created_at: i64,
}

/// `POST /admin/v1/users/{id}/identities`: link an identity provider's subject to the user.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkIdentity {
    /// One of the configured `exchange_issuers`.
    #[schema(min_length = 1, max_length = 1024)]
    pub issuer: String,
    /// 1 to 1024 characters, no control characters.
    #[schema(min_length = 1, max_length = 1024)]
    pub subject: String,
}

/// `DELETE /admin/v1/users/{id}/identities?issuer=...&subject=...`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IdentityQuery {
    /// The provider's `iss`.
    #[param(min_length = 1, max_length = 1024)]
    pub issuer: String,
    /// The provider's `sub`.
    #[param(min_length = 1, max_length = 1024)]
    pub subject: String,
}

/// A signing key in `GET /admin/v1/keys` (the private half never leaves the server).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct SigningKey {
    pub kid: String,
    /// `EdDSA` or `HS256`.
    pub alg: String,
    pub created_at: i64,
    /// When it stopped signing; it verifies until its tokens have expired.
    pub retired_at: Option<i64>,
}

/// A running replica (a warden server on this database), from its last heartbeat.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct Replica {
    /// Random, chosen at start: a restarted server is a new replica.
    pub id: String,
    /// The address it serves on.
    pub address: String,
    /// warden's version.
    pub version: String,
    /// When it started (epoch seconds).
    pub started_at: i64,
    /// SHA-256 of the policy files it serves.
    pub policy_hash: String,
    /// Its last heartbeat (epoch seconds).
    pub seen_at: i64,
    /// Its policies differ from the ones most replicas serve.
    pub policy_differs: bool,
}

/// One entry of the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    /// `cli`, `user:<id>`, ...
    pub actor: String,
    /// The admin action that allowed the change (`users.create`, `roles.write`, ...), or
    /// that refused it (`detail.outcome` is then `refused`).
    pub action: String,
    /// What it changed (`user:<id>`, `role:<name>`, ...).
    pub target: String,
    /// What changed, by operation.
    pub detail: Value,
    /// The actor's address (the end user's where a trusted proxy or a service client named
    /// it); empty for the command line and warden itself.
    #[serde(default)]
    pub address: String,
}

/// One logged decision.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct DecisionEntry {
    /// The row id; increases with time.
    #[serde(default)]
    pub id: i64,
    pub at: i64,
    pub request_id: String,
    /// Who asked: `user:<id>`, `client:<name>`, `admin:<id>`.
    pub client: String,
    pub principal: String,
    pub action: String,
    pub resource: String,
    /// `allow` or `deny` for a decision, `plan` for a query plan.
    pub decision: DecisionKind,
    /// The ids of the determining policies.
    pub reasons: Vec<String>,
    pub errors: Vec<String>,
    pub latency_us: i64,
    /// The resource's properties as given (capped when logged).
    #[serde(default)]
    pub properties: Value,
    /// The context as given (capped when logged).
    #[serde(default)]
    pub context: Value,
    /// The caller's address (the end user's where a trusted proxy or a service client named
    /// it).
    #[serde(default)]
    pub address: String,
}

/// Decision counts for a dashboard.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default, ToSchema)]
pub struct DecisionStats {
    pub allowed: i64,
    pub denied: i64,
    /// `[action, denies]` pairs, most denied first.
    #[schema(schema_with = action_counts)]
    pub top_denied: Vec<(String, i64)>,
    /// The newest row id.
    pub last_id: i64,
}

/// `[[action, count], ...]`. (Written without `prefixItems`, which some OpenAPI tools do
/// not read yet: each pair is two items, a string and an integer.)
fn action_counts() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let pair =
        ArrayBuilder::new()
            .items(ObjectBuilder::new().schema_type(
                utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Integer]),
            ))
            .min_items(Some(2))
            .max_items(Some(2))
            .build();
    ArrayBuilder::new()
        .items(utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Array(
            pair,
        )))
        .build()
}

/// One policy in `GET /admin/v1/policies`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct Policy {
    pub id: String,
    pub file: String,
    pub line: usize,
    /// `permit` or `forbid`.
    pub effect: String,
    /// `active`, or `template` for a template waiting for links.
    pub status: String,
    /// The policy's source text.
    #[serde(default)]
    pub source: String,
}

/// `GET /admin/v1/policies`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct PolicyList {
    pub policies: Vec<Policy>,
    /// The error of the last refused reload, while the previous bundle keeps serving.
    pub last_error: Option<String>,
}
