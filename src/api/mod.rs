//! Wire types of the HTTP API, shared by the server, the OpenAPI document and the TUI's client.
//!
//! This module imports neither the store nor the engine: these are the API's own types, and
//! `/openapi.json` is generated from them (every type derives [`utoipa::ToSchema`], every
//! query-string struct [`utoipa::IntoParams`]). The server's answers and these types are held
//! together by tests: the TUI's update-loop tests against a real server read every admin
//! answer back into them, and CI runs schemathesis, which checks every answer against its
//! schema.
//!
//! Request bodies deny unknown fields: a field the server does not know is a 400 naming
//! it, never silently dropped (a `"disabled": true` sent to the create route once made an
//! enabled user). Answers stay open to new fields, so an older client reads a newer server.
//! Free-form objects (a resource's `properties`, a decision's `context`) are JSON objects
//! whose keys are the caller's.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

mod error;
pub use error::*;

// The one reader of `Type::"id"` (Cedar's), below both the api and the engine.
pub use crate::entity_ref::parse_entity_ref;

/// A user id: 1 to 128 ASCII letters, digits or `._@-`.
pub const USER_ID_PATTERN: &str = "^[A-Za-z0-9._@-]{1,128}$";
/// A role name: 1 to 64 ASCII letters, digits or `_.-`.
pub const ROLE_NAME_PATTERN: &str = "^[A-Za-z0-9_.-]{1,64}$";
/// Free text without control characters (filters; session and client ids), in characters.
pub const TEXT_PATTERN: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]{0,256}$";

/// A string that matches `pattern` (schema only: the value is parsed where it is used).
macro_rules! text_schema {
    ($(#[$doc:meta])* $name:ident, $schema_name:literal, $pattern:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(Some($pattern))
                    .into()
            }
        }

        impl ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                $schema_name.into()
            }
        }
    };
}

text_schema!(
    /// A user id in the document.
    UserIdText,
    "UserId",
    USER_ID_PATTERN
);
text_schema!(
    /// A role name in the document.
    RoleNameText,
    "RoleName",
    ROLE_NAME_PATTERN
);

/// A free-form JSON object (resource properties, a decision context, an audit detail).
pub type Object = Map<String, Value>;

/// Read `null` as an empty object, as the decision APIs always have.
fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Object, D::Error> {
    Ok(Option::<Object>::deserialize(d)?.unwrap_or_default())
}

/// A struct read only from a JSON object. serde's derived structs also read a JSON array as
/// their fields in order (`[null, null]` as `{"token": null, "limit": null}`); the API takes
/// objects only, as its schemas say.
pub struct ObjectOnly<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fields<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Fields<T> {
            type Value = T;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }

        d.deserialize_map(Fields(std::marker::PhantomData))
            .map(ObjectOnly)
    }
}

fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    ObjectOnly::deserialize(d).map(|o| o.0)
}

fn optional_object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    Ok(Option::<ObjectOnly<T>>::deserialize(d)?.map(|o| o.0))
}

fn objects<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Vec::<ObjectOnly<T>>::deserialize(d)?
        .into_iter()
        .map(|o| o.0)
        .collect())
}

// ---- directory ----

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

// ---- admin request bodies ----

/// `POST /admin/v1/users`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// Default: derived from the email's local part.
    #[serde(default)]
    #[schema(value_type = Option<UserIdText>)]
    pub id: Option<String>,
    /// An address as RFC 5321 writes it, ASCII (look-alikes are refused).
    #[schema(min_length = 3, max_length = 254)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    /// At most 64; the primary one first; each must exist.
    #[serde(default)]
    #[schema(max_items = 64, value_type = Vec<RoleNameText>)]
    pub roles: Vec<String>,
    /// Without one the user cannot sign in until a password is set.
    #[serde(default)]
    pub password: Option<String>,
}

/// `PATCH /admin/v1/users/{id}`: the fields given change, the others stay.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub disabled: Option<bool>,
}

/// `PUT /admin/v1/users/{id}/roles`: the user's roles, the primary one first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRoles {
    #[schema(max_items = 64, value_type = Vec<RoleNameText>)]
    pub roles: Vec<String>,
}

/// `POST /admin/v1/users/{id}/password`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    pub password: String,
}

/// `POST /admin/v1/roles`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRole {
    #[schema(value_type = RoleNameText)]
    pub name: String,
    #[serde(default)]
    #[schema(max_items = 64, value_type = Vec<RoleNameText>)]
    pub parents: Vec<String>,
}

/// `PUT /admin/v1/roles/{name}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRole {
    #[schema(max_items = 64, value_type = Vec<RoleNameText>)]
    pub parents: Vec<String>,
}

/// `POST /admin/v1/clients`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClient {
    /// 1 to 128 characters, no control or invisible characters.
    #[schema(min_length = 1)]
    pub name: String,
}

/// A created client with its key (shown once).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedClient {
    pub id: String,
    pub name: String,
    /// The key, shown this once: send it as `Authorization: Bearer <key>`.
    pub key: String,
}

/// `POST /admin/v1/tokens/revoke`: revoke one access token by its `jti`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeToken {
    /// 1 to 128 bytes, no control characters.
    #[schema(min_length = 1)]
    pub jti: String,
}

/// A resource in a what-if question.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceRef {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub properties: Object,
}

impl ResourceRef {
    /// A resource written as Cedar writes an entity, `Type::"id"` (the id unescaped), without
    /// properties; read by Cedar's own parser ([`parse_entity_ref`]).
    pub fn parse(text: &str) -> Result<ResourceRef, String> {
        let (kind, id) = parse_entity_ref(text)?;
        Ok(ResourceRef {
            kind,
            id,
            properties: Map::new(),
        })
    }
}

/// `POST /admin/v1/policies/whatif`: how would the current policies decide for this user?
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIf {
    /// A user id.
    pub user: String,
    /// `name` (an `Action`) or a full `Namespace::Action::"name"`.
    pub action: String,
    #[serde(deserialize_with = "object")]
    pub resource: ResourceRef,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub context: Object,
}

/// `POST /admin/v1/whatif/plan`: which resources of a type would this user be allowed
/// `action` on? (the query plan for a directory user, without acting as them)
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIfPlan {
    /// A user id.
    pub user: String,
    /// `name` (an `Action`) or a full `Namespace::Action::"name"`.
    pub action: String,
    /// The resource's entity type (`Document`).
    pub resource_type: Name,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub context: Object,
}

/// The answer to a what-if question.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct DecisionAnswer {
    pub allowed: bool,
    /// The ids of the determining policies.
    pub reasons: Vec<String>,
    pub errors: Vec<String>,
}

// ---- admin answers ----

/// `POST /admin/v1/users/{id}/password`: what the reset did.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PasswordReset {
    /// `reset`.
    pub password: String,
    pub sessions_ended: i64,
    /// `revoked`: every access token of the user.
    pub tokens: String,
    /// `cleared`: the sign-in throttle.
    pub throttle: String,
}

/// A deletion's answer: what was deleted.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Deleted {
    pub deleted: String,
}

/// A revocation's answer: the user id or `jti` revoked.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Revoked {
    pub revoked: String,
}

/// `POST /admin/v1/users/{id}/unlock`: whose throttle was lifted, and how many counters.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Unlocked {
    pub unlocked: String,
    pub counters: i64,
}

/// `DELETE /admin/v1/users/{id}/identities`: the link removed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Unlinked {
    pub unlinked: Identity,
}

// ---- admin query strings ----

/// `GET /admin/v1/users`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Matches ids, emails and names (literally, case-insensitive).
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]{0,256}$")]
    pub filter: Option<String>,
    /// 1 to 1000 (default 100).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// `DELETE /admin/v1/roles/{name}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RoleDeleteQuery {
    /// Delete the role even while users hold it.
    pub force: Option<bool>,
}

/// `GET /admin/v1/sessions`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    /// Only this user's sessions.
    #[param(pattern = "^[A-Za-z0-9._@-]{1,128}$")]
    pub user: Option<String>,
    /// Only sessions that still count.
    pub active: Option<bool>,
}

/// `GET /admin/v1/decisions`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DecisionQuery {
    /// At most 256 bytes.
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]{0,256}$")]
    pub principal: Option<String>,
    /// At most 256 bytes.
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]{0,256}$")]
    pub action: Option<String>,
    /// Only decisions of this kind (`allow`, `deny`, or `plan` for query plans).
    pub decision: Option<DecisionKind>,
    /// Epoch seconds.
    pub since: Option<i64>,
    /// Only decisions newer than this row id.
    pub after_id: Option<i64>,
    /// 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// Long-poll: wait up to this many seconds (at most 25) for decisions newer than `after_id`.
    #[param(minimum = 0, maximum = 25)]
    pub wait: Option<u64>,
}

/// `GET /admin/v1/decisions/stats`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Seconds to look back (default 3600).
    pub window: Option<i64>,
}

/// `GET /admin/v1/audit`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// At most 256 bytes.
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]{0,256}$")]
    pub actor: Option<String>,
    /// At most 256 bytes.
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]{0,256}$")]
    pub action: Option<String>,
    /// 1 to 1000 (default 100).
    pub limit: Option<i64>,
}

// ---- sign-in and tokens ----

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

// ---- decisions ----

/// Longest name accepted in a decision body (a type, an id, an action), in characters;
/// free-form `properties` and `context` are bounded by the body limit only.
pub const MAX_NAME_CHARS: usize = 1024;

/// A non-empty name of at most [`MAX_NAME_CHARS`] characters (a type, an id, an action).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Name(String);

impl Name {
    /// The name, if it is one.
    pub fn new(text: impl Into<String>) -> Result<Name, String> {
        let text = text.into();
        if text.is_empty() {
            Err("must not be empty".into())
        } else if text.chars().count() > MAX_NAME_CHARS {
            Err(format!("is longer than {MAX_NAME_CHARS} characters"))
        } else {
            Ok(Name(text))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Name::new(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Name {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(1))
            .max_length(Some(MAX_NAME_CHARS))
            .description(Some("A non-empty name (a type, an id, an action)"))
            .into()
    }
}

impl ToSchema for Name {}

/// A resource in a decision: its type, id and properties (its attributes).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    #[serde(rename = "type")]
    pub kind: Name,
    pub id: Name,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub properties: Object,
}

/// `POST /v1/authorize`: may the token's user do `action` on `resource`?
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Authorize {
    /// An `Action` name.
    pub action: Name,
    #[serde(deserialize_with = "object")]
    pub resource: Resource,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub context: Object,
}

/// `POST /v1/authorize/plan`: which resources of a type may the token's user do `action` on?
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// An `Action` name.
    pub action: Name,
    /// The resource's entity type (`Document`).
    pub resource_type: Name,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub context: Object,
}

/// What a logged decision was (the wire form is the model's: `allow`, `deny`, `plan`).
pub use crate::model::DecisionKind;

/// The query plan (the wire format is the plan module's; see the README).
pub use crate::plan::{EntityRef, Expr, Operand, Plan, PlanKind};

/// `POST /v1/authorize/batch`: several questions for one token, answered in order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorizeBatch {
    /// At most `batch_limit` items.
    #[serde(deserialize_with = "objects")]
    pub items: Vec<Authorize>,
}

/// A decision of `POST /v1/authorize`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct Authorization {
    /// `allow` or `deny`.
    pub decision: String,
    pub allowed: bool,
    /// The ids of the determining policies.
    pub reasons: Vec<String>,
    /// Why the decision failed closed, if it did.
    pub errors: Vec<String>,
    pub request_id: String,
}

/// The answer of `POST /v1/authorize/batch`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct Authorizations {
    pub results: Vec<Authorization>,
    pub request_id: String,
}

// ---- AuthZEN 1.0 ----

/// An AuthZEN subject.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// A directory type (`user` by default).
    #[serde(rename = "type")]
    pub kind: Name,
    /// A user id or email.
    pub id: Name,
    /// Further attributes; the directory's own are never overwritten.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub properties: Object,
}

/// An AuthZEN action.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Action {
    pub name: Name,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub properties: Object,
}

/// `POST /access/v1/evaluation` (AuthZEN 1.0 section 6.1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    #[serde(deserialize_with = "object")]
    pub subject: Subject,
    #[serde(deserialize_with = "object")]
    pub action: Action,
    #[serde(deserialize_with = "object")]
    pub resource: Resource,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub context: Object,
}

/// One item of an evaluations request: each key given replaces that whole default.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationItem {
    #[serde(default, deserialize_with = "optional_object")]
    pub subject: Option<Subject>,
    #[serde(default, deserialize_with = "optional_object")]
    pub action: Option<Action>,
    #[serde(default, deserialize_with = "optional_object")]
    pub resource: Option<Resource>,
    pub context: Option<Object>,
}

/// How a batch of evaluations runs (AuthZEN 1.0 section 7.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationsSemantic {
    #[default]
    ExecuteAll,
    DenyOnFirstDeny,
    PermitOnFirstPermit,
}

/// The `options` of an evaluations request.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationsOptions {
    pub evaluations_semantic: Option<EvaluationsSemantic>,
    /// Add `context: {reasons, errors}` to every answer.
    pub explain: Option<bool>,
}

/// `POST /access/v1/evaluations`: defaults at the top level, items in `evaluations`. A bad
/// item is a deny (with the reason in the explanation), not a refused request. Without
/// items, the top level is one evaluation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Evaluations {
    #[serde(default, deserialize_with = "optional_object")]
    pub subject: Option<Subject>,
    #[serde(default, deserialize_with = "optional_object")]
    pub action: Option<Action>,
    #[serde(default, deserialize_with = "optional_object")]
    pub resource: Option<Resource>,
    pub context: Option<Object>,
    /// Each item is an [`EvaluationItem`], read on its own: a bad one (an unknown field, a
    /// wrong type) is a deny with the reason in its explanation, not a refused request.
    #[schema(value_type = Option<Vec<Value>>)]
    pub evaluations: Option<Vec<Value>>,
    #[serde(default, deserialize_with = "optional_object")]
    pub options: Option<EvaluationsOptions>,
}

/// Why a decision came out as it did (with `X-Warden-Explain: true` or `options.explain`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct Explanation {
    pub reasons: Vec<String>,
    pub errors: Vec<String>,
}

/// An AuthZEN decision.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct EvaluationAnswer {
    pub decision: bool,
    /// Only when an explanation was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Explanation>,
}

/// The answer of `POST /access/v1/evaluations` with items.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct EvaluationsAnswer {
    pub evaluations: Vec<EvaluationAnswer>,
}

/// A page request of a search (AuthZEN 1.0 section 8.2).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageRequest {
    /// The `next_token` of the previous page (opaque).
    pub token: Option<String>,
    /// Results per page (default 50, at most 1000 are given).
    #[schema(minimum = 1, maximum = 18446744073709551615_u64)]
    pub limit: Option<u64>,
}

/// Where a search continues: an empty token at the end.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct PageAnswer {
    pub next_token: String,
}

/// `POST /access/v1/search/action`: which actions may this subject do on this resource?
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionSearch {
    #[serde(deserialize_with = "object")]
    pub subject: Subject,
    #[serde(deserialize_with = "object")]
    pub resource: Resource,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub context: Object,
    #[serde(default, deserialize_with = "optional_object")]
    pub page: Option<PageRequest>,
}

/// An action found by a search.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct ActionFound {
    pub name: String,
}

/// The answer of `POST /access/v1/search/action`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct ActionSearchAnswer {
    pub results: Vec<ActionFound>,
    pub page: PageAnswer,
}

/// The subject of a subject search: a type, no id.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectKind {
    #[serde(rename = "type")]
    pub kind: Name,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub properties: Object,
}

/// `POST /access/v1/search/subject`: which users may do this action on this resource?
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectSearch {
    #[serde(deserialize_with = "object")]
    pub subject: SubjectKind,
    #[serde(deserialize_with = "object")]
    pub action: Action,
    #[serde(deserialize_with = "object")]
    pub resource: Resource,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub context: Object,
    #[serde(default, deserialize_with = "optional_object")]
    pub page: Option<PageRequest>,
}

/// A subject found by a search.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct SubjectFound {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// The answer of `POST /access/v1/search/subject`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct SubjectSearchAnswer {
    pub results: Vec<SubjectFound>,
    pub page: PageAnswer,
}

/// The resource of a resource search: its type only (AuthZEN 1.0 section 8.4).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceKind {
    /// A Cedar entity type of the schema (`Document`, `User`).
    #[serde(rename = "type")]
    pub kind: Name,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub properties: Object,
}

/// `POST /access/v1/search/resource`: which resources of a type may this subject act on?
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceSearch {
    #[serde(deserialize_with = "object")]
    pub subject: Subject,
    #[serde(deserialize_with = "object")]
    pub action: Action,
    #[serde(deserialize_with = "object")]
    pub resource: ResourceKind,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub context: Object,
    #[serde(default, deserialize_with = "optional_object")]
    pub page: Option<PageRequest>,
}

/// A resource found by a search.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct ResourceFound {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// The answer of `POST /access/v1/search/resource`: the AuthZEN page of the resources warden
/// can list (directory users, for the type `User`), and the query plan for every resource of
/// the type, which the caller applies to its own store.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct ResourceSearchAnswer {
    pub results: Vec<ResourceFound>,
    pub page: PageAnswer,
    /// Whether warden listed the resources of this type (`results`); when false, `results`
    /// is empty and `plan` is the answer: warden does not hold these resources.
    pub enumerated: bool,
    pub plan: Plan,
}

/// `GET /.well-known/authzen-configuration`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuthZenConfiguration {
    pub policy_decision_point: String,
    pub access_evaluation_endpoint: String,
    pub access_evaluations_endpoint: String,
    pub search_subject_endpoint: String,
    pub search_resource_endpoint: String,
    pub search_action_endpoint: String,
}

// ---- operations and discovery ----

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
    pub grant_types_supported: Vec<String>,
    pub response_types_supported: Vec<String>,
    pub subject_types_supported: Vec<String>,
    pub access_token_signing_alg_values_supported: Vec<String>,
}

// ---- earlier names ----
//
// The names these types had before they were the API's own; `server/admin.rs` still uses
// them and moves to the names above with the application core.

#[doc(hidden)]
pub type UserCreate = CreateUser;
#[doc(hidden)]
pub type UserUpdate = UpdateUser;
#[doc(hidden)]
pub type RoleCreate = CreateRole;
#[doc(hidden)]
pub type RoleUpdate = UpdateRole;
#[doc(hidden)]
pub type ClientCreate = CreateClient;
#[doc(hidden)]
pub type ClientCreated = CreatedClient;
#[doc(hidden)]
pub type RevokeJti = RevokeToken;
#[doc(hidden)]
pub type KeyView = SigningKey;
#[doc(hidden)]
pub type PolicyView = Policy;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_references_read_as_cedar_writes_them() {
        assert_eq!(
            parse_entity_ref(r#"Document::"d1""#).unwrap(),
            ("Document".into(), "d1".into())
        );
        assert_eq!(
            parse_entity_ref(" Warden::Resource::\"a \\\"q\\\" \\\\ \u{e9}\" ").unwrap(),
            ("Warden::Resource".into(), "a \"q\" \\ \u{e9}".into())
        );
        assert_eq!(
            parse_entity_ref(r#"Doc::"""#).unwrap(),
            ("Doc".into(), String::new())
        );
        for bad in [
            "Document",
            r#"Document::d1"#,
            r#"Document::"d1"#,
            r#"Doc ument::"d1""#,
            r#"1Doc::"d1""#,
            r#"::"d1""#,
            r#"Doc::"a"b""#,
            r#"Doc::"\q""#,
        ] {
            assert!(parse_entity_ref(bad).is_err(), "{bad}");
        }
    }

    /// The console once read references with its own reader, which took some that Cedar
    /// refuses; now it gets Cedar's answer, the one the server and the CLI give.
    #[test]
    fn the_console_gets_cedars_answer_where_the_old_reader_differed() {
        // A reserved word is not a type name; an id must be spelled as Cedar prints it
        // (`\'`, and `é` itself rather than `\u{e9}`).
        for (text, cedar_says) in [
            (r#"if::"x""#, "unexpected token"),
            (r#"Doc::"it's""#, r#"the normalized form is `Doc::"it\'s"`"#),
            (
                r#"Doc::"\u{e9}""#,
                "the normalized form is `Doc::\"\u{e9}\"`",
            ),
        ] {
            let e = ResourceRef::parse(text).unwrap_err();
            assert!(
                e.starts_with(&format!(
                    "invalid entity {text:?} (expected Type::\"id\"): "
                )),
                "{e}"
            );
            assert!(e.contains(cedar_says), "{text}: {e}");
        }
        let ok = ResourceRef::parse(r#"Doc::"it\'s""#).unwrap();
        assert_eq!((ok.kind.as_str(), ok.id.as_str()), ("Doc", "it's"));
    }

    #[test]
    fn names_are_non_empty_and_bounded_in_characters() {
        assert!(Name::new("").is_err());
        assert!(Name::new("é".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(Name::new("a".repeat(MAX_NAME_CHARS + 1)).is_err());
        let e = serde_json::from_str::<Resource>(r#"{"type":"","id":"x"}"#).unwrap_err();
        assert!(e.to_string().contains("must not be empty"), "{e}");
    }
}
