//! The route table and the OpenAPI document built from it. The router is built from the
//! same table (see `super::router`), so the document cannot drift from what is served.

use serde_json::{json, Map, Value};

/// One route: method, path, tag, summary, and how the caller authenticates.
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    pub auth: Auth,
    /// For admin routes: the `Warden::Action` the caller must be allowed.
    pub admin_action: Option<&'static str>,
}

/// How a route authenticates its caller.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    None,
    UserToken,
    ClientKey,
}

const fn r(
    method: &'static str,
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    auth: Auth,
) -> Route {
    Route {
        method,
        path,
        tag,
        summary,
        auth,
        admin_action: None,
    }
}

/// An admin route, allowed by the Cedar action `Warden::Action::"<action>"`.
const fn a(
    method: &'static str,
    path: &'static str,
    action: &'static str,
    summary: &'static str,
) -> Route {
    Route {
        method,
        path,
        tag: "admin",
        summary,
        auth: Auth::UserToken,
        admin_action: Some(action),
    }
}

/// Every route warden serves.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    r("get", "/healthz", "operations", "Liveness", Auth::None),
    r(
        "get",
        "/readyz",
        "operations",
        "Readiness; the detail (store, policies, last reload error) needs the operations key or an admin token",
        Auth::None,
    ),
    r(
        "get",
        "/metrics",
        "operations",
        "Prometheus metrics (behind the operations key when metrics_require_key is on)",
        Auth::None,
    ),
    r(
        "get",
        "/openapi.json",
        "operations",
        "This document",
        Auth::None,
    ),
    r(
        "get",
        "/.well-known/jwks.json",
        "auth",
        "Public signing keys (JWKS)",
        Auth::None,
    ),
    r(
        "get",
        "/.well-known/openid-configuration",
        "auth",
        "Discovery document",
        Auth::None,
    ),
    r(
        "post",
        "/v1/auth/login",
        "auth",
        "Sign in with email and password",
        Auth::None,
    ),
    r(
        "post",
        "/v1/auth/token",
        "auth",
        "OAuth 2.0 token endpoint (RFC 6749): form-encoded password and refresh_token grants",
        Auth::None,
    ),
    r(
        "post",
        "/v1/auth/refresh",
        "auth",
        "Rotate a refresh token (body or cookie)",
        Auth::None,
    ),
    r(
        "post",
        "/v1/auth/logout",
        "auth",
        "End the session of a refresh token",
        Auth::None,
    ),
    r(
        "post",
        "/v1/auth/revoke",
        "auth",
        "Revoke a token (RFC 7009)",
        Auth::None,
    ),
    r(
        "post",
        "/v1/auth/introspect",
        "auth",
        "Introspect an access token (RFC 7662)",
        Auth::ClientKey,
    ),
    r(
        "get",
        "/v1/auth/me",
        "auth",
        "The signed-in user",
        Auth::UserToken,
    ),
    r(
        "post",
        "/v1/auth/password",
        "auth",
        "Change your own password (current and new); your other sessions end",
        Auth::UserToken,
    ),
    r(
        "post",
        "/v1/authorize",
        "decisions",
        "May the token's user do this action on this resource?",
        Auth::UserToken,
    ),
    r(
        "post",
        "/v1/authorize/batch",
        "decisions",
        "Several decisions for one token, in order",
        Auth::UserToken,
    ),
    r(
        "get",
        "/.well-known/authzen-configuration",
        "authzen",
        "AuthZEN PDP metadata",
        Auth::None,
    ),
    r(
        "post",
        "/access/v1/evaluation",
        "authzen",
        "AuthZEN access evaluation",
        Auth::ClientKey,
    ),
    r(
        "post",
        "/access/v1/evaluations",
        "authzen",
        "AuthZEN batch evaluations",
        Auth::ClientKey,
    ),
    r(
        "post",
        "/access/v1/search/action",
        "authzen",
        "AuthZEN action search",
        Auth::ClientKey,
    ),
    r(
        "post",
        "/access/v1/search/subject",
        "authzen",
        "AuthZEN subject search",
        Auth::ClientKey,
    ),
    a("get", "/admin/v1/users", "users.read", "List users (filter, limit, offset)"),
    a("post", "/admin/v1/users", "users.create", "Create a user"),
    a("get", "/admin/v1/users/{id}", "users.read", "Show a user"),
    a("patch", "/admin/v1/users/{id}", "users.update", "Update a user's name, email or disabled flag"),
    a("delete", "/admin/v1/users/{id}", "users.delete", "Delete a user"),
    a("put", "/admin/v1/users/{id}/roles", "users.roles", "Set a user's roles"),
    a("post", "/admin/v1/users/{id}/password", "users.update", "Reset a user's password"),
    a("post", "/admin/v1/users/{id}/revoke", "users.revoke", "Revoke every token and session of a user"),
    a("post", "/admin/v1/users/{id}/unlock", "users.unlock", "Lift a user's sign-in throttle"),
    a("get", "/admin/v1/roles", "roles.read", "List roles"),
    a("post", "/admin/v1/roles", "roles.write", "Create a role with parents"),
    a("put", "/admin/v1/roles/{name}", "roles.write", "Change a role's parents"),
    a("delete", "/admin/v1/roles/{name}", "roles.write", "Delete a role (?force=true while assigned)"),
    a("get", "/admin/v1/sessions", "sessions.read", "List sessions (user, active)"),
    a("delete", "/admin/v1/sessions/{id}", "sessions.revoke", "Revoke a session"),
    a("post", "/admin/v1/tokens/revoke", "tokens.revoke", "Revoke an access token by jti"),
    a("get", "/admin/v1/clients", "clients.read", "List service clients"),
    a("post", "/admin/v1/clients", "clients.write", "Create a service client (key shown once)"),
    a("delete", "/admin/v1/clients/{id}", "clients.write", "Revoke a service client"),
    a("get", "/admin/v1/policies", "policies.read", "List policies and the last reload error"),
    a("post", "/admin/v1/policies/reload", "policies.reload", "Reload the policy directory now"),
    a("post", "/admin/v1/policies/whatif", "policies.whatif", "Decide for a user without acting"),
    a("get", "/admin/v1/decisions", "decisions.read", "Query the decision log; long-poll with after_id and wait"),
    a("get", "/admin/v1/decisions/stats", "decisions.read", "Decision counts and top denied actions"),
    a("get", "/admin/v1/audit", "audit.read", "Query the audit log"),
    a("get", "/admin/v1/keys", "keys.read", "List signing keys (no private halves)"),
    a("post", "/admin/v1/keys/rotate", "keys.rotate", "Rotate the signing key"),
];

/// The route `method path` of the table.
pub fn route(method: &str, path: &str) -> Option<&'static Route> {
    ROUTES
        .iter()
        .find(|r| r.path == path && r.method.eq_ignore_ascii_case(method))
}

/// The OpenAPI 3.1 document.
pub fn document(public_url: &str) -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for route in ROUTES {
        let mut op = json!({
            "tags": [route.tag],
            "summary": route.summary,
            "responses": {
                "200": {"description": "OK"},
                "400": {"$ref": "#/components/responses/Error"},
                "401": {"$ref": "#/components/responses/Error"},
                "413": {"$ref": "#/components/responses/Error"},
                "415": {"$ref": "#/components/responses/Error"},
                "429": {"$ref": "#/components/responses/Error"},
            }
        });
        match route.auth {
            Auth::None => {}
            Auth::UserToken => op["security"] = json!([{"userToken": []}]),
            Auth::ClientKey => op["security"] = json!([{"clientKey": []}]),
        }
        if let Some(action) = route.admin_action {
            op["x-warden-action"] = json!(format!("Warden::Action::\"{action}\""));
            op["responses"]["403"] = json!({"$ref": "#/components/responses/Error"});
        }
        if matches!(route.method, "post" | "put" | "patch") {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object"}}}});
        }
        let entry = paths
            .entry(route.path.to_string())
            .or_insert_with(|| json!({}));
        entry[route.method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "warden", "version": env!("CARGO_PKG_VERSION"), "description": "Sign-in, tokens and Cedar policy decisions"},
        "servers": [{"url": public_url}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "userToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "clientKey": {"type": "http", "scheme": "bearer", "description": "A service client key (warden client add)"},
            },
            "responses": {
                "Error": {
                    "description": "An error",
                    "content": {"application/json": {"schema": {
                        "type": "object",
                        "required": ["error", "message"],
                        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
                    }}},
                }
            }
        }
    })
}
