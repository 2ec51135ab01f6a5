//! The route table: every route warden serves, with its handler and its contract.
//!
//! One entry per route carries the handler function itself (so a misspelt handler is a compile
//! error, not a 404 at run time), how the caller authenticates, and the wire types of the
//! request and of each answer. [`super::router`] registers the handlers from this table and
//! [`super::openapi::document`] describes the same table, so the document cannot drift from
//! what is served. Statuses every route of a kind can answer (401 where there are credentials,
//! 413 and 415 where there is a body, ...) are added by the document builder; an entry lists
//! only its own (404, 409, 429, ...).

use super::{admin, auth, authzen, decide, ops, plan_sql, publishing, AppState};
use crate::admin_action::AdminAction;
use crate::api;
use axum::routing::MethodRouter;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::IntoParams;

/// One route.
pub struct Route {
    /// `get`, `post`, `put`, `patch` or `delete`, as the handler is registered.
    pub method: &'static str,
    pub path: &'static str,
    /// The handler, registered for `method`.
    pub handler: fn() -> MethodRouter<AppState>,
    /// The handler's name, the operation id.
    pub name: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    pub auth: Auth,
    /// For admin routes: the `Warden::Action` the caller must be allowed.
    pub admin_action: Option<AdminAction>,
    /// The request body, if the route reads one.
    pub body: Option<Body>,
    /// The query-string parameters.
    pub query: Option<fn() -> Vec<Parameter>>,
    /// The answers that are not errors (the first is the usual one).
    pub ok: &'static [Answer],
    /// Error statuses of this route beyond those of its kind (see the module doc).
    pub errors: &'static [u16],
    /// This route's own body limit in bytes, over `max_body_bytes` (publishing a policy set);
    /// `None`: `max_body_bytes`.
    pub body_limit: Option<usize>,
}

/// How a route authenticates its caller.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Auth {
    /// Nobody needs to.
    None,
    /// The bearer access token of a user.
    UserToken,
    /// A service client key.
    ClientKey,
    /// Optional: the operations key or an admin's token shows more (`/readyz`, `/metrics`).
    Operations,
}

/// A request body: its schema and the media types it may come in.
#[derive(Clone, Copy)]
pub struct Body {
    pub schema: Schema,
    pub media: &'static [&'static str],
    /// Whether the body may be left out (refresh and logout read a cookie instead).
    pub optional: bool,
}

/// A non-error answer: its status, what it means, and its body.
#[derive(Clone, Copy)]
pub struct Answer {
    pub status: u16,
    pub description: &'static str,
    pub content: Content,
}

/// The body of an answer.
#[derive(Clone, Copy)]
pub enum Content {
    Json(Schema),
    Text,
}

/// A schema of the document, registered with everything it refers to on first use.
pub type Schema =
    fn(&mut super::schemas::Schemas) -> utoipa::openapi::RefOr<utoipa::openapi::Schema>;

const JSON: &[&str] = &["application/json"];
const FORM: &[&str] = &["application/x-www-form-urlencoded"];
const JSON_OR_FORM: &[&str] = &["application/json", "application/x-www-form-urlencoded"];

const fn json(schema: Schema) -> Option<Body> {
    Some(Body {
        schema,
        media: JSON,
        optional: false,
    })
}

const fn ok(description: &'static str, schema: Schema) -> Answer {
    Answer {
        status: 200,
        description,
        content: Content::Json(schema),
    }
}

const fn created(description: &'static str, schema: Schema) -> Answer {
    Answer {
        status: 201,
        description,
        content: Content::Json(schema),
    }
}

fn query<T: IntoParams>() -> Vec<Parameter> {
    T::into_params(|| Some(ParameterIn::Query))
}

use super::schemas::{any_of, list, one as t, with_plan};

/// Entries of [`ROUTES`]: `method "path" => handler, field: value, ...`. The method names
/// both the axum routing function and the document's operation.
macro_rules! routes {
    ($($method:ident $path:literal => $module:ident :: $handler:ident { $($field:ident : $value:expr),* $(,)? })*) => {
        &[$(Route {
            method: stringify!($method),
            path: $path,
            handler: || axum::routing::$method($module::$handler),
            name: stringify!($handler),
            $($field: $value,)*
            ..Route::DEFAULT
        }),*]
    };
}

impl Route {
    const DEFAULT: Route = Route {
        method: "get",
        path: "/",
        handler: || axum::routing::get(ops::not_found),
        name: "",
        tag: "",
        summary: "",
        auth: Auth::None,
        admin_action: None,
        body: None,
        query: None,
        ok: &[],
        errors: &[],
        body_limit: None,
    };

    /// Whether this route serves `method` on `path` (a `{name}` segment matches any one).
    fn serves(&self, method: &axum::http::Method, path: &str) -> bool {
        let mut pattern = self.path.split('/');
        let mut given = path.split('/');
        self.method.eq_ignore_ascii_case(method.as_str())
            && loop {
                match (pattern.next(), given.next()) {
                    (None, None) => break true,
                    (Some(p), Some(g)) if p == g => {}
                    (Some(p), Some(g)) if p.starts_with('{') && !g.is_empty() => {}
                    _ => break false,
                }
            }
    }
}

/// The body limit of the route `method` and `path` name, where it has one of its own (see
/// [`Route::body_limit`]). The body is read before routing (see `conn::deadlines`), so the
/// limit is chosen from the request line; a request that matches no route keeps the default.
pub fn own_body_limit(method: &axum::http::Method, path: &str) -> Option<usize> {
    ROUTES
        .iter()
        .filter(|r| r.body_limit.is_some())
        .find(|r| r.serves(method, path))
        .and_then(|r| r.body_limit)
}

/// Every route warden serves.
pub const ROUTES: &[Route] = routes! {
    get "/healthz" => ops::healthz {
        tag: "operations", summary: "Liveness",
        ok: &[ok("Alive", t::<api::Health>)],
    }
    get "/readyz" => ops::readyz {
        tag: "operations",
        summary: "Readiness; the detail (store, policies, last reload error) needs the operations key or an admin token",
        auth: Auth::Operations,
        ok: &[
            ok("Ready", t::<api::Readiness>),
            Answer {
                status: 503,
                description: "Not ready (the store does not answer or no policy is loaded), or the check timed out",
                content: Content::Json(any_of::<api::Readiness, api::ErrorBody>),
            },
        ],
        errors: &[403],
    }
    get "/metrics" => ops::metrics {
        tag: "operations",
        summary: "Prometheus metrics (behind the operations key when metrics_require_key is on)",
        auth: Auth::Operations,
        ok: &[Answer { status: 200, description: "Prometheus text exposition", content: Content::Text }],
        errors: &[403],
    }
    get "/openapi.json" => ops::openapi {
        tag: "operations", summary: "This document (OpenAPI 3.1)",
        ok: &[ok("The document", super::schemas::object)],
    }
    get "/.well-known/jwks.json" => ops::jwks {
        tag: "auth", summary: "Public signing keys (JWKS)",
        ok: &[ok("The keys that verify access tokens", t::<api::Jwks>)],
    }
    get "/.well-known/openid-configuration" => ops::openid_configuration {
        tag: "auth", summary: "Discovery document",
        ok: &[ok("What is served, and where", t::<api::OpenIdConfiguration>)],
    }
    get "/.well-known/oauth-authorization-server" => ops::authorization_server_metadata {
        tag: "auth", summary: "OAuth 2.0 authorization server metadata (RFC 8414)",
        ok: &[ok("What is served, and where (the discovery document)", t::<api::OpenIdConfiguration>)],
    }
    post "/v1/auth/login" => auth::login {
        tag: "auth", summary: "Sign in with email and password",
        body: json(t::<api::Login>),
        ok: &[ok("Signed in: an access token and a refresh token", t::<api::SignedIn>)],
        errors: &[401, 429],
    }
    post "/v1/auth/exchange" => auth::exchange {
        tag: "auth",
        summary: "Token exchange (RFC 8693): a trusted identity provider's ID token for a warden session",
        body: Some(Body { schema: t::<api::TokenExchange>, media: JSON_OR_FORM, optional: false }),
        ok: &[ok("Signed in: an access token and a refresh token", t::<api::SignedIn>)],
        errors: &[429],
    }
    post "/v1/auth/token" => auth::token {
        tag: "auth",
        summary: "OAuth 2.0 token endpoint (RFC 6749): form-encoded password, refresh_token and token exchange (RFC 8693) grants",
        body: Some(Body { schema: t::<api::TokenGrant>, media: FORM, optional: false }),
        ok: &[ok("Tokens issued", t::<api::SignedIn>)],
        errors: &[429],
    }
    post "/v1/auth/refresh" => auth::refresh {
        tag: "auth", summary: "Rotate a refresh token (body or cookie)",
        body: Some(Body { schema: t::<api::Refresh>, media: JSON_OR_FORM, optional: false }),
        ok: &[ok("A new access token and the successor refresh token", t::<api::SignedIn>)],
    }
    post "/v1/auth/logout" => auth::logout {
        tag: "auth", summary: "End the session of a refresh token (body or cookie)",
        body: Some(Body { schema: t::<api::Logout>, media: JSON_OR_FORM, optional: false }),
        ok: &[ok("Whether a live session ended", t::<api::LoggedOut>)],
    }
    post "/v1/auth/revoke" => auth::revoke {
        tag: "auth", summary: "Revoke a token (RFC 7009): 200 whether or not it was valid",
        body: Some(Body { schema: t::<api::TokenQuestion>, media: JSON_OR_FORM, optional: false }),
        ok: &[ok("Revoked, or was not valid", t::<api::Empty>)],
    }
    post "/v1/auth/introspect" => auth::introspect {
        tag: "auth", summary: "Introspect an access token (RFC 7662)",
        auth: Auth::ClientKey,
        body: Some(Body { schema: t::<api::TokenQuestion>, media: JSON_OR_FORM, optional: false }),
        ok: &[ok("The token's claims, or only {\"active\": false}", t::<api::Introspection>)],
    }
    get "/v1/auth/me" => auth::me {
        tag: "auth", summary: "The signed-in user (OpenID userinfo)",
        auth: Auth::UserToken,
        ok: &[ok("The user behind the token", t::<api::Me>)],
    }
    post "/v1/auth/password" => auth::change_password {
        tag: "auth", summary: "Change your own password (current and new); your other sessions end",
        auth: Auth::UserToken,
        body: json(t::<api::ChangePassword>),
        ok: &[ok("Changed", t::<api::PasswordChanged>)],
        errors: &[429],
    }
    post "/v1/authorize" => decide::authorize {
        tag: "decisions", summary: "May the token's user do this action on this resource?",
        auth: Auth::UserToken,
        body: json(t::<api::Authorize>),
        ok: &[ok("The decision (any error denies)", t::<api::Authorization>)],
    }
    post "/v1/authorize/batch" => decide::authorize_batch {
        tag: "decisions", summary: "Several decisions for one token, in order",
        auth: Auth::UserToken,
        body: json(t::<api::AuthorizeBatch>),
        ok: &[ok("The decisions, in the order asked", t::<api::Authorizations>)],
    }
    post "/v1/authorize/plan" => decide::authorize_plan {
        tag: "decisions", summary: "Which resources of a type may the token's user do this action on? (a query plan)",
        auth: Auth::UserToken,
        body: json(t::<api::PlanRequest>),
        ok: &[ok("The plan: the condition a resource must meet", with_plan::<api::Plan>)],
    }
    post "/v1/authorize/plan/sql" => plan_sql::authorize_plan_sql {
        tag: "decisions",
        summary: "The token's user's query plan as a SQL WHERE fragment with bound parameters, over a column mapping (400 with a stable code when it cannot be exact)",
        auth: Auth::UserToken,
        body: json(t::<api::PlanSqlRequest>),
        ok: &[ok("The fragment, its parameters in placeholder order, and the plan", with_plan::<api::PlanSql>)],
    }
    get "/.well-known/authzen-configuration" => authzen::configuration {
        tag: "authzen", summary: "AuthZEN PDP metadata",
        ok: &[ok("The PDP's endpoints", t::<api::AuthZenConfiguration>)],
    }
    post "/access/v1/evaluation" => authzen::evaluation {
        tag: "authzen", summary: "AuthZEN access evaluation",
        auth: Auth::ClientKey,
        body: json(t::<api::Evaluation>),
        ok: &[ok("The decision (an unknown subject is a deny)", t::<api::EvaluationAnswer>)],
    }
    post "/access/v1/evaluations" => authzen::evaluations {
        tag: "authzen", summary: "AuthZEN batch evaluations",
        auth: Auth::ClientKey,
        body: json(t::<api::Evaluations>),
        ok: &[ok(
            "The decisions in order (a bad item is a deny); one decision when there are no items",
            any_of::<api::EvaluationsAnswer, api::EvaluationAnswer>,
        )],
    }
    post "/access/v1/search/action" => authzen::search_action {
        tag: "authzen", summary: "AuthZEN action search",
        auth: Auth::ClientKey,
        body: json(t::<api::ActionSearch>),
        ok: &[ok("A page of the actions allowed", t::<api::ActionSearchAnswer>)],
    }
    post "/access/v1/search/subject" => authzen::search_subject {
        tag: "authzen", summary: "AuthZEN subject search",
        auth: Auth::ClientKey,
        body: json(t::<api::SubjectSearch>),
        ok: &[ok("A page of the subjects allowed", t::<api::SubjectSearchAnswer>)],
    }
    post "/access/v1/search/resource" => authzen::search_resource {
        tag: "authzen", summary: "AuthZEN resource search, with the query plan",
        auth: Auth::ClientKey,
        body: json(t::<api::ResourceSearch>),
        ok: &[ok(
            "A page of the resources allowed (directory users for the type User) and the plan for every resource of the type",
            with_plan::<api::ResourceSearchAnswer>,
        )],
    }
    get "/admin/v1/users" => admin::list_users {
        summary: "List users (filter, limit, offset)", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::UsersRead),
        query: Some(query::<api::UserQuery>),
        ok: &[ok("Users, by id", list::<api::User>)],
    }
    post "/admin/v1/users" => admin::create_user {
        summary: "Create a user", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::UsersCreate),
        body: json(t::<api::CreateUser>),
        ok: &[created("Created", t::<api::User>)],
        errors: &[404, 409],
    }
    get "/admin/v1/users/{id}" => admin::show_user {
        summary: "Show a user", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::UsersRead),
        ok: &[ok("The user", t::<api::User>)],
    }
    patch "/admin/v1/users/{id}" => admin::update_user {
        summary: "Update a user's name, email or disabled flag", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::UsersUpdate),
        body: json(t::<api::UpdateUser>),
        ok: &[ok("The user as changed", t::<api::User>)],
        errors: &[409],
    }
    delete "/admin/v1/users/{id}" => admin::delete_user {
        summary: "Delete a user", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::UsersDelete),
        ok: &[ok("Deleted", t::<api::Deleted>)],
        errors: &[409],
    }
    put "/admin/v1/users/{id}/roles" => admin::set_user_roles {
        summary: "Set a user's roles", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::UsersRoles),
        body: json(t::<api::SetRoles>),
        ok: &[ok("The user with the roles set", t::<api::User>)],
        errors: &[409],
    }
    post "/admin/v1/users/{id}/password" => admin::set_user_password {
        summary: "Reset a user's password (their sessions and tokens end)", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::UsersPassword),
        body: json(t::<api::SetPassword>),
        ok: &[ok("Reset", t::<api::PasswordReset>)],
    }
    post "/admin/v1/users/{id}/revoke" => admin::revoke_user {
        summary: "Revoke every token and session of a user", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::UsersRevoke),
        ok: &[ok("Revoked", t::<api::Revoked>)],
    }
    post "/admin/v1/users/{id}/unlock" => admin::unlock_user {
        summary: "Lift a user's sign-in throttle", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::UsersUnlock),
        ok: &[ok("Unlocked", t::<api::Unlocked>)],
    }
    get "/admin/v1/users/{id}/identities" => admin::list_identities {
        summary: "List a user's links to identity providers (token exchange)", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::UsersRead),
        ok: &[ok("The user's identities, by issuer and subject", list::<api::Identity>)],
    }
    post "/admin/v1/users/{id}/identities" => admin::link_identity {
        summary: "Link an identity provider's subject to a user", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::UsersUpdate),
        body: json(t::<api::LinkIdentity>),
        ok: &[created("Linked", t::<api::Identity>)],
        errors: &[404, 409],
    }
    delete "/admin/v1/users/{id}/identities" => admin::unlink_identity {
        summary: "Remove a user's link to an identity provider (?issuer=&subject=)", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::UsersUpdate),
        query: Some(query::<api::IdentityQuery>),
        ok: &[ok("Unlinked", t::<api::Unlinked>)],
    }
    get "/admin/v1/roles" => admin::list_roles {
        summary: "List roles", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::RolesRead),
        ok: &[ok("Roles, by name", list::<api::Role>)],
    }
    post "/admin/v1/roles" => admin::create_role {
        summary: "Create a role with parents", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::RolesWrite),
        body: json(t::<api::CreateRole>),
        ok: &[created("Created", t::<api::Role>)],
        errors: &[404, 409],
    }
    put "/admin/v1/roles/{name}" => admin::update_role {
        summary: "Change a role's parents", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::RolesWrite),
        body: json(t::<api::UpdateRole>),
        ok: &[ok("The role as changed", t::<api::Role>)],
        errors: &[409],
    }
    delete "/admin/v1/roles/{name}" => admin::delete_role {
        summary: "Delete a role (?force=true while assigned)", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::RolesWrite),
        query: Some(query::<api::RoleDeleteQuery>),
        ok: &[ok("Deleted", t::<api::Deleted>)],
        errors: &[409],
    }
    get "/admin/v1/sessions" => admin::list_sessions {
        summary: "List sessions (user, active); an unknown user is 404, not an empty list", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::SessionsRead),
        query: Some(query::<api::SessionQuery>),
        ok: &[ok("Sessions", list::<api::Session>)],
        errors: &[404],
    }
    delete "/admin/v1/sessions/{id}" => admin::revoke_session {
        summary: "Revoke a session", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::SessionsRevoke),
        ok: &[ok("The session, revoked", t::<api::Session>)],
    }
    post "/admin/v1/tokens/revoke" => admin::revoke_token {
        summary: "Revoke an access token by jti", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::TokensRevoke),
        body: json(t::<api::RevokeToken>),
        ok: &[ok("Revoked", t::<api::Revoked>)],
    }
    get "/admin/v1/clients" => admin::list_clients {
        summary: "List service clients", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::ClientsRead),
        ok: &[ok("Clients", list::<api::Client>)],
    }
    post "/admin/v1/clients" => admin::create_client {
        summary: "Create a service client (key shown once)", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::ClientsWrite),
        body: json(t::<api::CreateClient>),
        ok: &[created("Created, with its key", t::<api::CreatedClient>)],
        errors: &[409],
    }
    delete "/admin/v1/clients/{id}" => admin::revoke_client {
        summary: "Revoke a service client", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::ClientsWrite),
        ok: &[ok("The client, revoked", t::<api::Client>)],
    }
    get "/admin/v1/policies" => admin::list_policies {
        summary: "List policies and the last reload error", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::PoliciesRead),
        ok: &[ok("The policies in force", t::<api::PolicyList>)],
    }
    post "/admin/v1/policies/reload" => admin::reload_policies {
        summary: "Reload the policy directory now", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::PoliciesReload),
        ok: &[ok("Reloaded: the policies now in force", t::<api::PolicyList>)],
        errors: &[422],
    }
    post "/admin/v1/policies/whatif" => admin::what_if {
        summary: "Decide for a user without acting", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::PoliciesWhatif),
        body: json(t::<api::WhatIf>),
        ok: &[ok("How the policies would decide", t::<api::DecisionAnswer>)],
        errors: &[404],
    }
    post "/admin/v1/whatif/plan" => admin::what_if_plan {
        summary: "The query plan of a resource type for a user, without acting", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::PoliciesWhatif),
        body: json(t::<api::WhatIfPlan>),
        ok: &[ok("The plan: the condition a resource must meet for the user to be allowed", with_plan::<api::Plan>)],
        errors: &[404],
    }
    get "/admin/v1/policies/versions" => publishing::list_policy_versions {
        summary: "The published policy versions, newest first, the active one marked", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::PoliciesRead),
        ok: &[ok("The versions and where this server takes its policies from", t::<api::PolicyVersionList>)],
    }
    get "/admin/v1/policies/versions/{version}" => publishing::show_policy_version {
        summary: "One published policy version with its files", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::PoliciesRead),
        ok: &[ok("The version and its files, by name", t::<api::PolicyVersionDetail>)],
    }
    get "/admin/v1/policies/diff" => publishing::diff_policy_versions {
        summary: "The per-file unified diff between two published versions (?from=&to=)", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::PoliciesRead),
        query: Some(query::<publishing::PolicyDiffQuery>),
        ok: &[ok("The files that differ, by name", t::<api::PolicyDiff>)],
        errors: &[404],
    }
    post "/admin/v1/policies/versions" => publishing::publish_policies {
        summary: "Publish a policy set: validated, its tests run, its impact on logged decisions previewed; refused (nothing activated) on any error, failing test, more flips than max_changes, or no administrator left (dry_run: preview only)",
        tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::PoliciesPublish),
        body: json(t::<api::PublishPolicies>),
        ok: &[
            created("Published: the new version is active", t::<api::PublishOutcome>),
            ok("Dry run: validated, tested and previewed; nothing activated", t::<api::PublishOutcome>),
        ],
        errors: &[409, 422],
        body_limit: Some(publishing::PUBLISH_MAX_BODY_BYTES),
    }
    post "/admin/v1/policies/rollback" => publishing::rollback_policies {
        summary: "Publish an old version's files again as a new active version, gated like a publish (dry_run: preview only)",
        tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::PoliciesPublish),
        body: json(t::<api::RollbackPolicies>),
        ok: &[
            created("Rolled back: a new version with the old files is active", t::<api::PublishOutcome>),
            ok("Dry run: validated, tested and previewed; nothing activated", t::<api::PublishOutcome>),
        ],
        errors: &[404, 409, 422],
    }
    get "/admin/v1/decisions" => admin::list_decisions {
        summary: "Query the decision log; long-poll with after_id and wait", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::DecisionsRead),
        query: Some(query::<api::DecisionQuery>),
        ok: &[ok("Decisions, newest first", list::<api::DecisionEntry>)],
    }
    get "/admin/v1/decisions/stats" => admin::decision_stats {
        summary: "Decision counts and top denied actions", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::DecisionsRead),
        query: Some(query::<api::StatsQuery>),
        ok: &[ok("Counts", t::<api::DecisionStats>)],
    }
    get "/admin/v1/audit" => admin::list_audit {
        summary: "Query the audit log", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::AuditRead),
        query: Some(query::<api::AuditQuery>),
        ok: &[ok("Audit entries, newest first", list::<api::AuditEntry>)],
    }
    get "/admin/v1/replicas" => admin::list_replicas {
        summary: "The running replicas on this database, flagging one whose policies differ", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::ReplicasRead),
        ok: &[ok("Replicas heard from in the last 30 s", list::<api::Replica>)],
    }
    get "/admin/v1/keys" => admin::list_keys {
        summary: "List signing keys (no private halves)", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::KeysRead),
        ok: &[ok("Signing keys", list::<api::SigningKey>)],
    }
    post "/admin/v1/keys/rotate" => admin::rotate_key {
        summary: "Rotate the signing key", tag: "admin", auth: Auth::UserToken, admin_action: Some(AdminAction::KeysRotate),
        ok: &[ok("The keys after the rotation", list::<api::SigningKey>)],
    }
};
