// Generated from warden's OpenAPI document by scripts/generate.mjs (`npm run generate`).
// Do not edit: CI regenerates it and fails when it differs.

export interface paths {
    "/.well-known/authzen-configuration": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * AuthZEN PDP metadata
         * @description AuthZEN PDP metadata.
         *
         *     Public: no credentials.
         */
        get: operations["configuration"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Public signing keys (JWKS)
         * @description Public signing keys (JWKS).
         *
         *     Public: no credentials.
         */
        get: operations["jwks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/oauth-authorization-server": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * OAuth 2.0 authorization server metadata (RFC 8414)
         * @description OAuth 2.0 authorization server metadata (RFC 8414).
         *
         *     Public: no credentials.
         */
        get: operations["authorization_server_metadata"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/openid-configuration": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Discovery document
         * @description Discovery document.
         *
         *     Public: no credentials.
         */
        get: operations["openid_configuration"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/access/v1/evaluation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * AuthZEN access evaluation
         * @description AuthZEN access evaluation.
         *
         *     A service client's key as a bearer token.
         */
        post: operations["evaluation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/access/v1/evaluations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * AuthZEN batch evaluations
         * @description AuthZEN batch evaluations.
         *
         *     A service client's key as a bearer token.
         */
        post: operations["evaluations"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/access/v1/search/action": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * AuthZEN action search
         * @description AuthZEN action search.
         *
         *     A service client's key as a bearer token.
         */
        post: operations["search_action"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/access/v1/search/resource": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * AuthZEN resource search, with the query plan
         * @description AuthZEN resource search, with the query plan.
         *
         *     A service client's key as a bearer token.
         */
        post: operations["search_resource"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/access/v1/search/subject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * AuthZEN subject search
         * @description AuthZEN subject search.
         *
         *     A service client's key as a bearer token.
         */
        post: operations["search_subject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Query the audit log
         * @description Query the audit log.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"audit.read"`.
         */
        get: operations["list_audit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/clients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List service clients
         * @description List service clients.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"clients.read"`.
         */
        get: operations["list_clients"];
        put?: never;
        /**
         * Create a service client (key shown once)
         * @description Create a service client (key shown once).
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"clients.write"`.
         */
        post: operations["create_client"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/clients/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke a service client
         * @description Revoke a service client.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"clients.write"`.
         */
        delete: operations["revoke_client"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/decisions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Query the decision log; long-poll with after_id and wait
         * @description Query the decision log; long-poll with after_id and wait.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"decisions.read"`.
         */
        get: operations["list_decisions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/decisions/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Decision counts and top denied actions
         * @description Decision counts and top denied actions.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"decisions.read"`.
         */
        get: operations["decision_stats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List signing keys (no private halves)
         * @description List signing keys (no private halves).
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"keys.read"`.
         */
        get: operations["list_keys"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/keys/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate the signing key
         * @description Rotate the signing key.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"keys.rotate"`.
         */
        post: operations["rotate_key"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/policies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List policies and the last reload error
         * @description List policies and the last reload error.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"policies.read"`.
         */
        get: operations["list_policies"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/policies/diff": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The per-file unified diff between two published versions (?from=&to=)
         * @description The per-file unified diff between two published versions (?from=&to=).
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"policies.read"`.
         */
        get: operations["diff_policy_versions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/policies/reload": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reload the policy directory now
         * @description Reload the policy directory now.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"policies.reload"`.
         */
        post: operations["reload_policies"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/policies/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Publish an old version's files again as a new active version, gated like a publish (dry_run: preview only)
         * @description Publish an old version's files again as a new active version, gated like a publish (dry_run: preview only).
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"policies.publish"`.
         */
        post: operations["rollback_policies"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/policies/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The published policy versions, newest first, the active one marked
         * @description The published policy versions, newest first, the active one marked.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"policies.read"`.
         */
        get: operations["list_policy_versions"];
        put?: never;
        /**
         * Publish a policy set: validated, its tests run, its impact on logged decisions previewed; refused (nothing activated) on any error, failing test, more flips than max_changes, or no administrator left (dry_run: preview only)
         * @description Publish a policy set: validated, its tests run, its impact on logged decisions previewed; refused (nothing activated) on any error, failing test, more flips than max_changes, or no administrator left (dry_run: preview only).
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"policies.publish"`.
         */
        post: operations["publish_policies"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/policies/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One published policy version with its files
         * @description One published policy version with its files.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"policies.read"`.
         */
        get: operations["show_policy_version"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/policies/whatif": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Decide for a user without acting
         * @description Decide for a user without acting.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"policies.whatif"`.
         */
        post: operations["what_if"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/replicas": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The running replicas on this database, flagging one whose policies differ
         * @description The running replicas on this database, flagging one whose policies differ.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"replicas.read"`.
         */
        get: operations["list_replicas"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/roles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List roles
         * @description List roles.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"roles.read"`.
         */
        get: operations["list_roles"];
        put?: never;
        /**
         * Create a role with parents
         * @description Create a role with parents.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"roles.write"`.
         */
        post: operations["create_role"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/roles/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Change a role's parents
         * @description Change a role's parents.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"roles.write"`.
         */
        put: operations["update_role"];
        post?: never;
        /**
         * Delete a role (?force=true while assigned)
         * @description Delete a role (?force=true while assigned).
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"roles.write"`.
         */
        delete: operations["delete_role"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List sessions (user, active); an unknown user is 404, not an empty list
         * @description List sessions (user, active); an unknown user is 404, not an empty list.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"sessions.read"`.
         */
        get: operations["list_sessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke a session
         * @description Revoke a session.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"sessions.revoke"`.
         */
        delete: operations["revoke_session"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/tokens/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revoke an access token by jti
         * @description Revoke an access token by jti.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"tokens.revoke"`.
         */
        post: operations["revoke_token"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List users (filter, limit, offset)
         * @description List users (filter, limit, offset).
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"users.read"`.
         */
        get: operations["list_users"];
        put?: never;
        /**
         * Create a user
         * @description Create a user.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"users.create"`.
         */
        post: operations["create_user"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Show a user
         * @description Show a user.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"users.read"`.
         */
        get: operations["show_user"];
        put?: never;
        post?: never;
        /**
         * Delete a user
         * @description Delete a user.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"users.delete"`.
         */
        delete: operations["delete_user"];
        options?: never;
        head?: never;
        /**
         * Update a user's name, email or disabled flag
         * @description Update a user's name, email or disabled flag.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"users.update"`.
         */
        patch: operations["update_user"];
        trace?: never;
    };
    "/admin/v1/users/{id}/identities": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List a user's links to identity providers (token exchange)
         * @description List a user's links to identity providers (token exchange).
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"users.read"`.
         */
        get: operations["list_identities"];
        put?: never;
        /**
         * Link an identity provider's subject to a user
         * @description Link an identity provider's subject to a user.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"users.update"`.
         */
        post: operations["link_identity"];
        /**
         * Remove a user's link to an identity provider (?issuer=&subject=)
         * @description Remove a user's link to an identity provider (?issuer=&subject=).
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"users.update"`.
         */
        delete: operations["unlink_identity"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{id}/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reset a user's password (their sessions and tokens end)
         * @description Reset a user's password (their sessions and tokens end).
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"users.password"`.
         */
        post: operations["set_user_password"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revoke every token and session of a user
         * @description Revoke every token and session of a user.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"users.revoke"`.
         */
        post: operations["revoke_user"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{id}/roles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set a user's roles
         * @description Set a user's roles.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"users.roles"`.
         */
        put: operations["set_user_roles"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{id}/unlock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Lift a user's sign-in throttle
         * @description Lift a user's sign-in throttle.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"users.unlock"`.
         */
        post: operations["unlock_user"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/whatif/plan": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * The query plan of a resource type for a user, without acting
         * @description The query plan of a resource type for a user, without acting.
         *
         *     A user's bearer access token; the policies must allow the user `Warden::Action::"policies.whatif"`.
         */
        post: operations["what_if_plan"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness
         * @description Liveness.
         *
         *     Public: no credentials.
         */
        get: operations["healthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics (behind the operations key when metrics_require_key is on)
         * @description Prometheus metrics (behind the operations key when metrics_require_key is on).
         *
         *     Public; the operations key or an admin's access token shows the detail.
         */
        get: operations["metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This document (OpenAPI 3.1)
         * @description This document (OpenAPI 3.1).
         *
         *     Public: no credentials.
         */
        get: operations["openapi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness; the detail (store, policies, last reload error) needs the operations key or an admin token
         * @description Readiness; the detail (store, policies, last reload error) needs the operations key or an admin token.
         *
         *     Public; the operations key or an admin's access token shows the detail.
         */
        get: operations["readyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/exchange": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Token exchange (RFC 8693): a trusted identity provider's ID token for a warden session
         * @description Token exchange (RFC 8693): a trusted identity provider's ID token for a warden session.
         *
         *     Public: no credentials.
         */
        post: operations["exchange"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/introspect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Introspect an access token (RFC 7662)
         * @description Introspect an access token (RFC 7662).
         *
         *     A service client's key as a bearer token.
         */
        post: operations["introspect"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign in with email and password
         * @description Sign in with email and password.
         *
         *     Public: no credentials.
         */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End the session of a refresh token (body or cookie)
         * @description End the session of a refresh token (body or cookie).
         *
         *     Public: no credentials.
         */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The signed-in user (OpenID userinfo)
         * @description The signed-in user (OpenID userinfo).
         *
         *     A user's bearer access token.
         */
        get: operations["me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Change your own password (current and new); your other sessions end
         * @description Change your own password (current and new); your other sessions end.
         *
         *     A user's bearer access token.
         */
        post: operations["change_password"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate a refresh token (body or cookie)
         * @description Rotate a refresh token (body or cookie).
         *
         *     Public: no credentials.
         */
        post: operations["refresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revoke a token (RFC 7009): 200 whether or not it was valid
         * @description Revoke a token (RFC 7009): 200 whether or not it was valid.
         *
         *     Public: no credentials.
         */
        post: operations["revoke"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * OAuth 2.0 token endpoint (RFC 6749): form-encoded password, refresh_token and token exchange (RFC 8693) grants
         * @description OAuth 2.0 token endpoint (RFC 6749): form-encoded password, refresh_token and token exchange (RFC 8693) grants.
         *
         *     Public: no credentials.
         */
        post: operations["token"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/authorize": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * May the token's user do this action on this resource?
         * @description May the token's user do this action on this resource?.
         *
         *     A user's bearer access token.
         */
        post: operations["authorize"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/authorize/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Several decisions for one token, in order
         * @description Several decisions for one token, in order.
         *
         *     A user's bearer access token.
         */
        post: operations["authorize_batch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/authorize/plan": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Which resources of a type may the token's user do this action on? (a query plan)
         * @description Which resources of a type may the token's user do this action on? (a query plan).
         *
         *     A user's bearer access token.
         */
        post: operations["authorize_plan"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/authorize/plan/sql": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * The token's user's query plan as a SQL WHERE fragment with bound parameters, over a column mapping (400 with a stable code when it cannot be exact)
         * @description The token's user's query plan as a SQL WHERE fragment with bound parameters, over a column mapping (400 with a stable code when it cannot be exact).
         *
         *     A user's bearer access token.
         */
        post: operations["authorize_plan_sql"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description An AuthZEN action. */
        Action: {
            name: components["schemas"]["Name"];
            properties?: Record<string, unknown> | null;
        };
        /** @description An action found by a search. */
        ActionFound: {
            name: string;
        };
        /** @description `POST /access/v1/search/action`: which actions may this subject do on this resource? */
        ActionSearch: {
            context?: Record<string, unknown> | null;
            page?: null | components["schemas"]["PageRequest"];
            resource: components["schemas"]["Resource"];
            subject: components["schemas"]["Subject"];
        };
        /** @description The answer of `POST /access/v1/search/action`. */
        ActionSearchAnswer: {
            page: components["schemas"]["PageAnswer"];
            results: components["schemas"]["ActionFound"][];
        };
        /** @description One entry of the audit log. */
        AuditEntry: {
            /**
             * @description The admin action that allowed the change (`users.create`, `roles.write`, ...), or
             *     that refused it (`detail.outcome` is then `refused`).
             */
            action: string;
            /** @description `cli`, `user:<id>`, ... */
            actor: string;
            /**
             * @description The actor's address (the end user's where a trusted proxy or a service client named
             *     it); empty for the command line and warden itself.
             */
            address?: string;
            /** Format: int64 */
            at: number;
            /** @description What changed, by operation. */
            detail: unknown;
            /** Format: int64 */
            id: number;
            /** @description What it changed (`user:<id>`, `role:<name>`, ...). */
            target: string;
        };
        /** @description A decision of `POST /v1/authorize`. */
        Authorization: {
            allowed: boolean;
            /** @description `allow` or `deny`. */
            decision: string;
            /** @description Why the decision failed closed, if it did. */
            errors: string[];
            /** @description The ids of the determining policies. */
            reasons: string[];
            request_id: string;
        };
        /** @description The answer of `POST /v1/authorize/batch`. */
        Authorizations: {
            request_id: string;
            results: components["schemas"]["Authorization"][];
        };
        /** @description `POST /v1/authorize`: may the token's user do `action` on `resource`? */
        Authorize: {
            /**
             * @description An action: a name of the app's `Action` type (`readDocument`) or a full action uid
             *     (`Warden::Action::"users.read"`).
             */
            action: components["schemas"]["Name"];
            context?: Record<string, unknown> | null;
            resource: components["schemas"]["Resource"];
        };
        /** @description `POST /v1/authorize/batch`: several questions for one token, answered in order. */
        AuthorizeBatch: {
            /** @description At most `batch_limit` items. */
            items: components["schemas"]["Authorize"][];
        };
        /** @description `GET /.well-known/authzen-configuration`. */
        AuthZenConfiguration: {
            access_evaluation_endpoint: string;
            access_evaluations_endpoint: string;
            policy_decision_point: string;
            search_action_endpoint: string;
            search_resource_endpoint: string;
            search_subject_endpoint: string;
        };
        /** @description `POST /v1/auth/password`: change your own password. */
        ChangePassword: {
            current_password: string;
            new_password: string;
        };
        /** @description A service client (its key is shown once, at creation). */
        Client: {
            /** Format: int64 */
            created_at: number;
            id: string;
            name: string;
            /** Format: int64 */
            revoked_at?: number | null;
        };
        /**
         * @description Where a resource's attributes are held in the caller's database, and the SQL dialect: the
         *     column mapping of a SQL fragment (docs/query-plans.md, "SQL without Rust").
         */
        ColumnMapping: {
            /**
             * @description Attribute paths (`resource` for the resource's id, `resource.owner`, ...) to the
             *     column that holds each, or for a set attribute the join table that holds its members
             *     (at most 64 entries).
             */
            columns: {
                [key: string]: components["schemas"]["ColumnTarget"];
            };
            /**
             * @description `sqlite` (`?N` placeholders, sets in JSON array columns) or `postgres` (`$N`, sets in
             *     array columns).
             */
            dialect: components["schemas"]["SqlDialect"];
            /**
             * Format: int64
             * @description The number of the first placeholder: 1 (the default) unless the query binds
             *     parameters of its own before the fragment.
             */
            first_param?: number;
        };
        /**
         * @description Where an attribute is held: a column (for a set, a JSON array column on SQLite or an
         *     array column on PostgreSQL), or a join table.
         */
        ColumnTarget: string | components["schemas"]["JoinTable"];
        /** @description `POST /admin/v1/clients`. */
        CreateClient: {
            /** @description 1 to 128 characters, no control or invisible characters. */
            name: string;
        };
        /** @description A created client with its key (shown once). */
        CreatedClient: {
            id: string;
            /** @description The key, shown this once: send it as `Authorization: Bearer <key>`. */
            key: string;
            name: string;
        };
        /** @description `POST /admin/v1/roles`. */
        CreateRole: {
            name: components["schemas"]["RoleName"];
            parents?: components["schemas"]["RoleName"][];
        };
        /** @description `POST /admin/v1/users`. */
        CreateUser: {
            /** @description An address as RFC 5321 writes it, ASCII (look-alikes are refused). */
            email: string;
            id?: null | components["schemas"]["UserId"];
            name?: string;
            /** @description Without one the user cannot sign in until a password is set. */
            password?: string | null;
            /** @description At most 64; the primary one first; each must exist. */
            roles?: components["schemas"]["RoleName"][];
        };
        /** @description The answer to a what-if question. */
        DecisionAnswer: {
            allowed: boolean;
            errors: string[];
            /** @description The ids of the determining policies. */
            reasons: string[];
        };
        /** @description One logged decision. */
        DecisionEntry: {
            action: string;
            /**
             * @description The caller's address (the end user's where a trusted proxy or a service client named
             *     it).
             */
            address?: string;
            /** Format: int64 */
            at: number;
            /** @description Who asked: `user:<id>`, `client:<name>`, `admin:<id>`. */
            client: string;
            /** @description The context as given (capped when logged). */
            context?: unknown;
            /** @description `allow` or `deny` for a decision, `plan` for a query plan. */
            decision: components["schemas"]["DecisionKind"];
            errors: string[];
            /**
             * Format: int64
             * @description The row id; increases with time.
             */
            id?: number;
            /** Format: int64 */
            latency_us: number;
            principal: string;
            /** @description The resource's properties as given (capped when logged). */
            properties?: unknown;
            /** @description The ids of the determining policies. */
            reasons: string[];
            request_id: string;
            resource: string;
        };
        /**
         * @description What a logged decision was: `allow` or `deny` (a decision's answer), or `plan` (a query
         *     plan asked for: `POST /v1/authorize/plan` and AuthZEN searches log one row per plan).
         * @enum {string}
         */
        DecisionKind: "allow" | "deny" | "plan";
        /** @description Decision counts for a dashboard. */
        DecisionStats: {
            /** Format: int64 */
            allowed: number;
            /** Format: int64 */
            denied: number;
            /**
             * Format: int64
             * @description The newest row id.
             */
            last_id: number;
            top_denied: (string | number)[][];
        };
        /** @description A deletion's answer: what was deleted. */
        Deleted: {
            deleted: string;
        };
        /** @description An empty JSON object: the answer of RFC 7009 revocation, valid token or not. */
        Empty: Record<string, unknown>;
        /** @description `{"type": "User", "id": "alice"}`. */
        EntityRef: {
            id: string;
            type: string;
        };
        /**
         * @description Every error answer: a stable code, the specific kind where there is one, and a sentence
         *     for people. Clients branch on `error` and `reason`, never on `message`.
         */
        Error: {
            /**
             * @description A stable, machine-readable code (`invalid_request`, `forbidden`, `not_found`, ...).
             *     Read as a string, so that a code added by a newer server still reads.
             */
            error: components["schemas"]["ErrorCode"];
            /** @description What went wrong, for people (never an internal detail). */
            message: string;
            reason?: null | components["schemas"]["Reason"];
        };
        /**
         * @description The `error` of an error answer: a stable, machine-readable code. Codes are only
         *     ever added; a client reads an unknown one as a generic failure of the status.
         * @enum {string}
         */
        ErrorCode: "invalid_request" | "invalid_credentials" | "too_many_attempts" | "busy" | "internal_error" | "internal" | "unavailable" | "not_found" | "conflict" | "forbidden" | "escalation_refused" | "policy_error" | "policy_invalid" | "policy_tests_failed" | "no_administrator" | "too_many_changes" | "wrong_policy_source" | "invalid_grant" | "invalid_client" | "unsupported_grant_type" | "unauthorized" | "method_not_allowed" | "too_many_requests" | "payload_too_large" | "unsupported_media_type" | "uri_too_long" | "header_fields_too_large" | "request_timeout" | "timeout" | "token_too_large" | "malformed_token" | "wrong_token_type" | "unsupported_crit" | "wrong_algorithm" | "unknown_kid" | "bad_signature" | "token_expired" | "token_not_yet_valid" | "token_issued_in_future" | "wrong_issuer" | "wrong_audience" | "bad_claims" | "token_revoked" | "session_ended" | "user_disabled" | "unknown_user" | "token_revoked_for_user" | "missing_token" | "token_check_unavailable" | "unsupported_plan" | "unmapped_attribute" | "unknown_attribute" | "unsafe_identifier" | "unknown_dialect" | "invalid_mapping";
        /** @description `POST /access/v1/evaluation` (AuthZEN 1.0 section 6.1). */
        Evaluation: {
            action: components["schemas"]["Action"];
            context?: Record<string, unknown> | null;
            resource: components["schemas"]["Resource"];
            subject: components["schemas"]["Subject"];
        };
        /** @description An AuthZEN decision. */
        EvaluationAnswer: {
            context?: null | components["schemas"]["Explanation"];
            decision: boolean;
        };
        /** @description One item of an evaluations request: each key given replaces that whole default. */
        EvaluationItem: {
            action?: null | components["schemas"]["Action"];
            context?: Record<string, unknown> | null;
            resource?: null | components["schemas"]["Resource"];
            subject?: null | components["schemas"]["Subject"];
        };
        /**
         * @description `POST /access/v1/evaluations`: defaults at the top level, items in `evaluations`. A bad
         *     item is a deny (with the reason in the explanation), not a refused request. Without
         *     items, the top level is one evaluation.
         */
        Evaluations: components["schemas"]["EvaluationsBatch"] | components["schemas"]["EvaluationsSingle"];
        /** @description The answer of `POST /access/v1/evaluations` with items. */
        EvaluationsAnswer: {
            evaluations: components["schemas"]["EvaluationAnswer"][];
        };
        /** @description A batch: defaults at the top level, the items in `evaluations`. */
        EvaluationsBatch: {
            action?: null | components["schemas"]["Action"];
            context?: Record<string, unknown> | null;
            /** @description The evaluations, each completed by the top-level defaults. An item that does not read (an unknown field, a wrong type) is a deny with the reason in its explanation, not a refused request. */
            evaluations: components["schemas"]["EvaluationItem"][];
            options?: null | components["schemas"]["EvaluationsOptions"];
            resource?: null | components["schemas"]["Resource"];
            subject?: null | components["schemas"]["Subject"];
        };
        /** @description The `options` of an evaluations request. */
        EvaluationsOptions: {
            evaluations_semantic?: null | components["schemas"]["EvaluationsSemantic"];
            /** @description Add `context: {reasons, errors}` to every answer. */
            explain?: boolean | null;
        };
        /**
         * @description How a batch of evaluations runs (AuthZEN 1.0 section 7.1.2).
         * @enum {string}
         */
        EvaluationsSemantic: "execute_all" | "deny_on_first_deny" | "permit_on_first_permit";
        /** @description One evaluation at the top level (no items). */
        EvaluationsSingle: {
            action: components["schemas"]["Action"];
            context?: Record<string, unknown> | null;
            evaluations?: null | components["schemas"]["EvaluationItem"][];
            options?: null | components["schemas"]["EvaluationsOptions"];
            resource: components["schemas"]["Resource"];
            subject: components["schemas"]["Subject"];
        };
        /** @description Why a decision came out as it did (with `X-Warden-Explain: true` or `options.explain`). */
        Explanation: {
            errors: string[];
            reasons: string[];
        };
        /** @description The condition tree of a query plan (docs/query-plans.md): `op` names the variant. A client that meets an `op` it does not know must fail closed. */
        Expr: components["schemas"]["ExprTrue"] | components["schemas"]["ExprFalse"] | components["schemas"]["ExprAnd"] | components["schemas"]["ExprOr"] | components["schemas"]["ExprNot"] | components["schemas"]["ExprEq"] | components["schemas"]["ExprNe"] | components["schemas"]["ExprLt"] | components["schemas"]["ExprLe"] | components["schemas"]["ExprGt"] | components["schemas"]["ExprGe"] | components["schemas"]["ExprIn"] | components["schemas"]["ExprContains"] | components["schemas"]["ExprHas"] | components["schemas"]["ExprLike"];
        ExprAnd: {
            args: components["schemas"]["Expr"][];
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            op: "and";
        };
        /** @description The set `left` contains the value `right`. */
        ExprContains: {
            left: components["schemas"]["Operand"];
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            op: "contains";
            right: components["schemas"]["Operand"];
        };
        ExprEq: {
            left: components["schemas"]["Operand"];
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            op: "==";
            right: components["schemas"]["Operand"];
        };
        ExprFalse: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            op: "false";
        };
        ExprGe: {
            left: components["schemas"]["Operand"];
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            op: ">=";
            right: components["schemas"]["Operand"];
        };
        ExprGt: {
            left: components["schemas"]["Operand"];
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            op: ">";
            right: components["schemas"]["Operand"];
        };
        /** @description The (optional) attribute is present. */
        ExprHas: {
            attr: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            op: "has";
        };
        /** @description `left` is one of the values of the set `right`. */
        ExprIn: {
            left: components["schemas"]["Operand"];
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            op: "in";
            right: components["schemas"]["Operand"];
        };
        ExprLe: {
            left: components["schemas"]["Operand"];
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            op: "<=";
            right: components["schemas"]["Operand"];
        };
        /** @description Cedar `like`: `*` any run of characters, `\*` a literal star, `\\` a literal backslash. */
        ExprLike: {
            left: components["schemas"]["Operand"];
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            op: "like";
            pattern: string;
        };
        ExprLt: {
            left: components["schemas"]["Operand"];
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            op: "<";
            right: components["schemas"]["Operand"];
        };
        ExprNe: {
            left: components["schemas"]["Operand"];
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            op: "!=";
            right: components["schemas"]["Operand"];
        };
        ExprNot: {
            arg: components["schemas"]["Expr"];
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            op: "not";
        };
        ExprOr: {
            args: components["schemas"]["Expr"][];
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            op: "or";
        };
        ExprTrue: {
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            op: "true";
        };
        /**
         * @description How a file differs between two versions.
         * @enum {string}
         */
        FileChange: "added" | "removed" | "changed";
        /**
         * @description An OAuth 2.0 grant type warden serves.
         * @enum {string}
         */
        GrantType: "password" | "refresh_token" | "urn:ietf:params:oauth:grant-type:token-exchange";
        /** @description `GET /healthz`. */
        Health: {
            /** @description `ok`. */
            status: string;
        };
        /**
         * @description A user's link to an identity provider (`GET /admin/v1/users/{id}/identities`): the
         *     token exchange finds the user by this `(issuer, subject)`.
         */
        Identity: {
            /** Format: int64 */
            created_at: number;
            /** @description The provider's `iss`, exactly as configured in `exchange_issuers`. */
            issuer: string;
            /** @description The provider's `sub` for this person (never a warden user id). */
            subject: string;
            user_id: string;
        };
        /** @description Flips attributed to one policy. */
        ImpactGroup: {
            /** Format: int64 */
            allow_to_deny: number;
            /** Format: int64 */
            deny_to_allow: number;
            /** @description The policy id. */
            policy: string;
            /** @description The flipped requests (at most 20 per group, newest first). */
            requests: components["schemas"]["ReplayedDecision"][];
        };
        /** @description What a candidate set would have decided differently for logged decisions. */
        ImpactReport: {
            /**
             * Format: int64
             * @description Allowed by the active set, denied by the candidate.
             */
            allow_to_deny: number;
            /**
             * Format: int64
             * @description Rows whose properties or context were capped when logged: replayed as logged.
             */
            capped: number;
            /** @description What replay cannot know, in words. */
            caveats: string[];
            /**
             * Format: int64
             * @description Denied by the active set, allowed by the candidate.
             */
            deny_to_allow: number;
            /**
             * Format: int64
             * @description Rows whose replay under the active set differs from what was logged (the directory
             *     or the policies changed since): the replay cannot know what they were asked under.
             */
            drifted: number;
            /**
             * @description The flips grouped by the policy that decides them (the candidate's determining
             *     policies for deny->allow and allow->deny-by-forbid, the active set's permits that no
             *     longer allow otherwise), most flips first.
             */
            groups: components["schemas"]["ImpactGroup"][];
            /**
             * Format: int64
             * @description Logged decisions replayed (allow/deny rows; plans are not replayed).
             */
            replayed: number;
        };
        /** @description RFC 7662 section 2.2: an inactive token gets `{"active": false}` and nothing more. */
        Introspection: {
            active: boolean;
            aud?: string | null;
            email?: string | null;
            /** Format: int64 */
            exp?: number | null;
            /** Format: int64 */
            iat?: number | null;
            iss?: string | null;
            jti?: string | null;
            role?: string | null;
            roles?: string[] | null;
            sid?: string | null;
            sub?: string | null;
            token_type?: string | null;
            username?: string | null;
        };
        /**
         * @description A set attribute held in a join table: a row `(key, value)` for each member, `key` being
         *     the resource's id. `resource.tags.contains("x")` becomes
         *     `EXISTS (SELECT 1 FROM table AS warden_set WHERE warden_set.key = <resource id column>
         *     AND warden_set.value = ?1)`.
         */
        JoinTable: {
            /** @description Its column holding the resource's id. */
            key: string;
            /** @description The join table: `document_tags`, or qualified, `public.document_tags`. */
            table: string;
            /** @description Its column holding one member of the set. */
            value: string;
        };
        /** @description One public key of the JWKS. */
        Jwk: {
            alg: string;
            /** @description `Ed25519`. */
            crv: string;
            kid: string;
            /** @description `OKP`. */
            kty: string;
            use: string;
            /** @description The public key, base64url. */
            x: string;
        };
        /** @description `GET /.well-known/jwks.json` (empty with HS256, whose key is a shared secret). */
        Jwks: {
            keys: components["schemas"]["Jwk"][];
        };
        /** @description `POST /admin/v1/users/{id}/identities`: link an identity provider's subject to the user. */
        LinkIdentity: {
            /** @description One of the configured `exchange_issuers`. */
            issuer: string;
            /** @description 1 to 1024 characters, no control characters. */
            subject: string;
        };
        /** @description The answer of `POST /v1/auth/logout`. */
        LoggedOut: {
            /** @description Whether a live session ended. */
            logged_out: boolean;
        };
        /** @description `POST /v1/auth/login`. */
        Login: {
            email: string;
            password: string;
        };
        /** @description `POST /v1/auth/logout` (JSON or form): the refresh token, else the cookie's. */
        Logout: {
            /** @description Required unless the `warden_refresh` cookie carries it (when `refresh_cookie` is on). */
            refresh_token: string;
        };
        /** @description `GET /v1/auth/me`: the signed-in user (an OpenID userinfo answer). */
        Me: {
            email: string;
            /** Format: int64 */
            expires_at: number;
            id: string;
            name: string;
            role?: string | null;
            roles: string[];
            session_id: string;
            sub: string;
        };
        /** @description A non-empty name (a type, an id, an action) */
        Name: string;
        /** @description An error of the OAuth 2.0 token endpoint (RFC 6749 section 5.2), with warden's `message`. */
        OAuthError: {
            /**
             * @description `invalid_request`, `invalid_grant`, `unsupported_grant_type`,
             *     `temporarily_unavailable` or `server_error`.
             */
            error: string;
            error_description: string;
            message: string;
        };
        /** @description `GET /.well-known/openid-configuration`: only what is served. */
        OpenIdConfiguration: {
            access_token_signing_alg_values_supported: string[];
            grant_types_supported: string[];
            introspection_endpoint: string;
            /** @description `client_secret_basic` (the client id and key, RFC 7662's examples) and `bearer`. */
            introspection_endpoint_auth_methods_supported: string[];
            issuer: string;
            jwks_uri: string;
            response_types_supported: string[];
            revocation_endpoint: string;
            subject_types_supported: string[];
            token_endpoint: string;
            token_endpoint_auth_methods_supported: string[];
            userinfo_endpoint: string;
        };
        /** @description One side of a comparison. */
        Operand: components["schemas"]["OperandAttr"] | components["schemas"]["OperandValue"] | components["schemas"]["OperandEntity"];
        /**
         * @description An attribute path: `resource`, then dotted names (`resource.owner`). `resource` alone
         *     is the resource itself (compared with an entity reference).
         */
        OperandAttr: {
            attr: string;
        };
        /** @description An entity reference. */
        OperandEntity: {
            entity: components["schemas"]["EntityRef"];
        };
        /**
         * @description A literal: string, whole number, boolean, or a list of those; or, on the right of
         *     `in`, a list of entity references `{"type", "id"}` of one type.
         */
        OperandValue: {
            /**
             * @description Any JSON value (a string, whole number, boolean, or a list of those; or a list
             *     of entity references `{"type", "id"}`).
             */
            value: unknown;
        };
        /** @description Where a search continues: an empty token at the end. */
        PageAnswer: {
            next_token: string;
        };
        /** @description A page request of a search (AuthZEN 1.0 section 8.2). */
        PageRequest: {
            /**
             * Format: int64
             * @description Results per page (default 50, at most 1000 are given).
             */
            limit?: number | null;
            /** @description The `next_token` of the previous page (opaque). */
            token?: string | null;
        };
        /** @description The answer of `POST /v1/auth/password`. */
        PasswordChanged: {
            /** @description `changed`. */
            password: string;
            /**
             * Format: int64
             * @description Your other sessions, ended.
             */
            sessions_ended: number;
        };
        /** @description `POST /admin/v1/users/{id}/password`: what the reset did. */
        PasswordReset: {
            /** @description `reset`. */
            password: string;
            /** Format: int64 */
            sessions_ended: number;
            /** @description `cleared`: the sign-in throttle. */
            throttle: string;
            /** @description `revoked`: every access token of the user. */
            tokens: string;
        };
        /** @description A query plan (the answer of `POST /v1/authorize/plan`). */
        Plan: {
            condition?: null | components["schemas"]["Expr"];
            kind: components["schemas"]["PlanKind"];
            /** @description The ids of the policies that contributed. */
            reasons: string[];
            /**
             * @description Why the condition could not be written as a tree (empty when it is exact). When not
             *     empty, `condition` is null and the caller must check each resource with
             *     `/v1/authorize`.
             */
            unsupported: string[];
        };
        /**
         * @description What a plan says about every resource of the type.
         * @enum {string}
         */
        PlanKind: "always_allowed" | "always_denied" | "conditional";
        /** @description `POST /v1/authorize/plan`: which resources of a type may the token's user do `action` on? */
        PlanRequest: {
            /**
             * @description An action: a name of the app's `Action` type (`readDocument`) or a full action uid
             *     (`Warden::Action::"users.read"`).
             */
            action: components["schemas"]["Name"];
            context?: Record<string, unknown> | null;
            /** @description The resource's entity type (`Document`). */
            resource_type: components["schemas"]["Name"];
        };
        /** @description The answer of `POST /v1/authorize/plan/sql`. */
        PlanSql: {
            /**
             * @description The values of the placeholders, in order from `first_param`: bind them, never paste
             *     them into the SQL.
             */
            params: components["schemas"]["SqlParam"][];
            /** @description The plan the fragment says. */
            plan: components["schemas"]["Plan"];
            /**
             * @description The `WHERE` fragment, parenthesised (`(owner_id = ?1)`; `(1 = 1)` when every
             *     resource is allowed, `(1 = 0)` when none is). Values are only ever placeholders.
             */
            sql: string;
        };
        /**
         * @description `POST /v1/authorize/plan/sql`: the plan of `/v1/authorize/plan` as a SQL `WHERE` fragment
         *     over the columns `mapping` names.
         */
        PlanSqlRequest: {
            /**
             * @description An action: a name of the app's `Action` type (`readDocument`) or a full action uid
             *     (`Warden::Action::"users.read"`).
             */
            action: components["schemas"]["Name"];
            context?: Record<string, unknown> | null;
            /** @description Where the resource's attributes are held, and the SQL dialect. */
            mapping: components["schemas"]["ColumnMapping"];
            /** @description The resource's entity type (`Document`). */
            resource_type: components["schemas"]["Name"];
        };
        /** @description One policy in `GET /admin/v1/policies`. */
        Policy: {
            /** @description `permit` or `forbid`. */
            effect: string;
            file: string;
            id: string;
            line: number;
            /** @description The policy's source text. */
            source?: string;
            /** @description `active`, or `template` for a template waiting for links. */
            status: string;
        };
        /** @description `GET /admin/v1/policies/diff?from=A&to=B`: the files that differ, by name. */
        PolicyDiff: {
            files: components["schemas"]["PolicyFileDiff"][];
            /** Format: int64 */
            from: number;
            /** Format: int64 */
            to: number;
        };
        /** @description One file's difference: a unified diff (`---`/`+++` headers, `@@` hunks). */
        PolicyFileDiff: {
            change: components["schemas"]["FileChange"];
            diff: string;
            file: string;
        };
        /** @description `GET /admin/v1/policies`. */
        PolicyList: {
            /** @description The error of the last refused reload, while the previous bundle keeps serving. */
            last_error?: string | null;
            policies: components["schemas"]["Policy"][];
        };
        /**
         * @description Where a server takes its policies from (`policy_source`).
         * @enum {string}
         */
        PolicySource: "dir" | "store";
        /** @description One version with its files. */
        PolicyVersionDetail: {
            /** @description File name -> text. */
            files: {
                [key: string]: string;
            };
            version: components["schemas"]["PolicyVersionInfo"];
        };
        /** @description One published version, without its files' texts. */
        PolicyVersionInfo: {
            /** @description Whether this is the active version. */
            active: boolean;
            /** @description Who published it: `cli` or the admin user's id. */
            author: string;
            /**
             * Format: int64
             * @description When (epoch seconds).
             */
            created_at: number;
            /** @description The file names, sorted. */
            files: string[];
            /**
             * @description SHA-256 (hex) of the files, names and texts in name order (the same hash a replica
             *     reports for the bundle it serves).
             */
            hash: string;
            message: string;
            /**
             * Format: int64
             * @description For a rollback: the version whose files it restored.
             */
            rollback_of?: number | null;
            /**
             * Format: int64
             * @description 1, 2, 3...: the order of publication.
             */
            version: number;
        };
        /** @description `GET /admin/v1/policies/versions`: newest first. */
        PolicyVersionList: {
            /**
             * Format: int64
             * @description The active version (none before the first publish).
             */
            active?: number | null;
            /** @description Where this server takes its policies from. */
            source: components["schemas"]["PolicySource"];
            versions: components["schemas"]["PolicyVersionInfo"][];
        };
        /** @description The answer to a publish or a rollback (also to a dry run, with `activated: false`). */
        PublishOutcome: {
            /** @description Whether the set is now active (false on a dry run). */
            activated: boolean;
            /** @description The set's content hash. */
            hash: string;
            /** @description What the set would have changed in the replayed decisions. */
            impact: components["schemas"]["ImpactReport"];
            /** @description Policies and templates in the set. */
            policies: number;
            /** @description The set's policy tests: all passed (a failing test refuses the publish). */
            tests_passed: number;
            /**
             * Format: int64
             * @description The new version (none on a dry run).
             */
            version?: number | null;
        };
        /** @description `POST /admin/v1/policies/versions`: publish a set (`warden policy publish`). */
        PublishPolicies: {
            /** @description Validate, test and preview, but do not activate. */
            dry_run?: boolean;
            /**
             * @description File name -> text, as in a policy directory (see [`PolicyFiles`]): `*.cedar`,
             *     `schema.cedarschema`, `links.json`, `tests/*.toml` and `tests/*.json`.
             */
            files: {
                [key: string]: string;
            };
            /**
             * Format: int64
             * @description Refuse (nothing activated) when more than this many replayed decisions would flip.
             */
            max_changes?: number | null;
            /** @description Why (kept with the version and in the audit row). */
            message: string;
            /**
             * Format: int64
             * @description How many of the latest logged decisions to replay (default 10,000).
             */
            replay?: number | null;
        };
        /** @description `GET /readyz`: the status for anyone; the detail for the operations key or an admin. */
        Readiness: {
            /** @description The error of the last refused reload (detail). */
            last_reload_error?: string | null;
            /**
             * Format: int64
             * @description Policies loaded (detail).
             */
            policies?: number | null;
            /**
             * @description Why the active version is not served here (store mode: the previous one still
             *     serves, and the server stays ready; detail).
             */
            policy_error?: string | null;
            policy_source?: null | components["schemas"]["PolicySource"];
            /**
             * Format: int64
             * @description The published version served (store mode; detail).
             */
            policy_version?: number | null;
            /** @description `ready`, or `not_ready` or `draining` (stopping after SIGTERM) with status 503. */
            status: string;
            /** @description `ok` or `unavailable` (detail). */
            store?: string | null;
            /** @description `on` or `off` (without a schema); said to anyone when it is off. */
            validation?: string | null;
        };
        /**
         * @description The stable code of a refusal kind: the `reason` of an error answer, beside its broader
         *     `error` code (`conflict`, `invalid_request`). Codes are only ever added.
         * @enum {string}
         */
        Reason: "email_taken" | "user_id_taken" | "user_exists" | "look_alike" | "role_exists" | "role_in_use" | "last_administrator" | "identity_linked" | "self_delete" | "user_disabled" | "shared_secret_keys" | "target_not_empty" | "copy_incomplete" | "unknown_role" | "role_cycle" | "invalid_name" | "publish_race";
        /** @description `POST /v1/auth/refresh` (JSON or form): the refresh token, else the cookie's. */
        Refresh: {
            grant_type?: null | components["schemas"]["RefreshGrant"];
            /** @description Required unless the `warden_refresh` cookie carries it (when `refresh_cookie` is on). */
            refresh_token: string;
        };
        /**
         * @description The one grant type `/v1/auth/refresh` accepts by name.
         * @enum {string}
         */
        RefreshGrant: "refresh_token";
        /** @description One logged decision that would flip. */
        ReplayedDecision: {
            action: string;
            /** @description `allow` or `deny` under the candidate. */
            after: string;
            /** Format: int64 */
            at: number;
            /** @description `allow` or `deny` under the active set. */
            before: string;
            /**
             * Format: int64
             * @description The decision log row id.
             */
            decision_id: number;
            principal: string;
            resource: string;
        };
        /** @description A running replica (a warden server on this database), from its last heartbeat. */
        Replica: {
            /** @description The address it serves on. */
            address: string;
            /** @description Random, chosen at start: a restarted server is a new replica. */
            id: string;
            /** @description Its policies differ from the ones most replicas serve. */
            policy_differs: boolean;
            /** @description SHA-256 of the policy files it serves. */
            policy_hash: string;
            /**
             * Format: int64
             * @description Its last heartbeat (epoch seconds).
             */
            seen_at: number;
            /**
             * Format: int64
             * @description When it started (epoch seconds).
             */
            started_at: number;
            /** @description warden's version. */
            version: string;
        };
        /** @description A resource in a decision: its type, id and properties (its attributes). */
        Resource: {
            id: components["schemas"]["Name"];
            properties?: Record<string, unknown> | null;
            type: components["schemas"]["Name"];
        };
        /** @description A resource found by a search. */
        ResourceFound: {
            id: string;
            type: string;
        };
        /** @description The resource of a resource search: its type only (AuthZEN 1.0 section 8.4). */
        ResourceKind: {
            properties?: Record<string, unknown> | null;
            /** @description A Cedar entity type of the schema (`Document`, `User`). */
            type: components["schemas"]["Name"];
        };
        /** @description A resource in a what-if question. */
        ResourceRef: {
            id: string;
            properties?: Record<string, unknown> | null;
            type: string;
        };
        /** @description `POST /access/v1/search/resource`: which resources of a type may this subject act on? */
        ResourceSearch: {
            action: components["schemas"]["Action"];
            context?: Record<string, unknown> | null;
            page?: null | components["schemas"]["PageRequest"];
            resource: components["schemas"]["ResourceKind"];
            subject: components["schemas"]["Subject"];
        };
        /**
         * @description The answer of `POST /access/v1/search/resource`: the AuthZEN page of the resources warden
         *     can list (directory users, for the type `User`, and roles, for `Role`), and the query plan
         *     for every resource of the type, which the caller applies to its own store.
         */
        ResourceSearchAnswer: {
            /**
             * @description Whether warden listed the resources of this type (`results`); when false, `results`
             *     is empty and `plan` is the answer: warden does not hold these resources.
             */
            enumerated: boolean;
            page: components["schemas"]["PageAnswer"];
            plan: components["schemas"]["Plan"];
            results: components["schemas"]["ResourceFound"][];
        };
        /** @description A revocation's answer: the user id or `jti` revoked. */
        Revoked: {
            revoked: string;
        };
        /** @description `POST /admin/v1/tokens/revoke`: revoke one access token by its `jti`. */
        RevokeToken: {
            /** @description 1 to 128 bytes, no control characters. */
            jti: string;
        };
        /** @description A role with its direct parents. */
        Role: {
            name: string;
            parents: string[];
            /**
             * Format: int64
             * @description How many users hold this role directly.
             */
            users: number;
        };
        RoleName: string;
        /** @description `POST /admin/v1/policies/rollback` (`warden policy rollback VERSION`). */
        RollbackPolicies: {
            dry_run?: boolean;
            /** Format: int64 */
            max_changes?: number | null;
            /** @description Why (default: "rollback to version N"). */
            message?: string | null;
            /** Format: int64 */
            replay?: number | null;
            /**
             * Format: int64
             * @description The version whose files become a new active version.
             */
            version: number;
        };
        /** @description A sign-in session (one family of refresh tokens). */
        Session: {
            /** Format: int64 */
            created_at: number;
            /**
             * Format: int64
             * @description The absolute end of the session; it never slides.
             */
            expires_at: number;
            id: string;
            /** Format: int64 */
            last_used_at: number;
            /** Format: int64 */
            revoked_at?: number | null;
            revoked_reason?: string | null;
            user_id: string;
        };
        /** @description `POST /admin/v1/users/{id}/password`. */
        SetPassword: {
            password: string;
        };
        /** @description `PUT /admin/v1/users/{id}/roles`: the user's roles, the primary one first. */
        SetRoles: {
            roles: components["schemas"]["RoleName"][];
        };
        /**
         * @description The sign-in and refresh answer. Its top level works unmodified as the `user` object of a
         *     NextAuth CredentialsProvider (`id`, `email`, `name`, `role`, `token`) and as an OAuth
         *     token response (`access_token`, `token_type`, `expires_in`, `refresh_token`).
         */
        SignedIn: {
            access_token: string;
            email: string;
            /**
             * Format: int64
             * @description Epoch seconds.
             */
            expires_at: number;
            /**
             * Format: int64
             * @description Seconds.
             */
            expires_in: number;
            id: string;
            /**
             * @description Token exchange answers only (RFC 8693 section 2.2.1):
             *     `urn:ietf:params:oauth:token-type:access_token`, the type of `access_token`.
             */
            issued_token_type?: string | null;
            name?: string;
            /**
             * Format: int64
             * @description Seconds until the refresh token's session ends.
             */
            refresh_expires_in?: number;
            refresh_token: string;
            /** @description The primary role. */
            role?: string | null;
            roles?: string[];
            /** @description The session the refresh token belongs to. */
            session_id?: string;
            /** @description The access token (the same as `access_token`, for NextAuth). */
            token?: string;
            /** @description `Bearer`. */
            token_type?: string;
        };
        /** @description A signing key in `GET /admin/v1/keys` (the private half never leaves the server). */
        SigningKey: {
            /** @description `EdDSA` or `HS256`. */
            alg: string;
            /** Format: int64 */
            created_at: number;
            kid: string;
            /**
             * Format: int64
             * @description When it stopped signing; it verifies until its tokens have expired.
             */
            retired_at?: number | null;
        };
        /**
         * @description The SQL dialects a mapping can name.
         * @enum {string}
         */
        SqlDialect: "sqlite" | "postgres";
        /** @description A bound parameter: a string, a whole number or a boolean */
        SqlParam: string | number | boolean;
        /** @description An AuthZEN subject. */
        Subject: {
            /** @description A user id or email. */
            id: components["schemas"]["Name"];
            /** @description Further attributes; the directory's own are never overwritten. */
            properties?: Record<string, unknown> | null;
            /** @description A directory type (`user` by default). */
            type: components["schemas"]["Name"];
        };
        /** @description A subject found by a search. */
        SubjectFound: {
            id: string;
            type: string;
        };
        /** @description The subject of a subject search: a type, no id. */
        SubjectKind: {
            properties?: Record<string, unknown> | null;
            /**
             * @description A directory subject type (the configured directory_subject_types)
             * @enum {string}
             */
            type: "user" | "identity";
        };
        /** @description `POST /access/v1/search/subject`: which users may do this action on this resource? */
        SubjectSearch: {
            action: components["schemas"]["Action"];
            context?: Record<string, unknown> | null;
            page?: null | components["schemas"]["PageRequest"];
            resource: components["schemas"]["Resource"];
            subject: components["schemas"]["SubjectKind"];
        };
        /** @description The answer of `POST /access/v1/search/subject`. */
        SubjectSearchAnswer: {
            page: components["schemas"]["PageAnswer"];
            results: components["schemas"]["SubjectFound"][];
        };
        /**
         * @description The subject token types `POST /v1/auth/exchange` accepts (RFC 8693 section 3).
         * @enum {string}
         */
        SubjectTokenType: "urn:ietf:params:oauth:token-type:id_token";
        /**
         * @description `POST /v1/auth/exchange` (JSON or form, RFC 8693 section 2.1): a trusted identity
         *     provider's ID token for a warden session.
         */
        TokenExchange: {
            /** @description `urn:ietf:params:oauth:grant-type:token-exchange`. */
            grant_type: components["schemas"]["TokenExchangeGrant"];
            /** @description The ID token (a signed JWT, at most 8 KiB). */
            subject_token: string;
            /** @description `urn:ietf:params:oauth:token-type:id_token`. */
            subject_token_type: components["schemas"]["SubjectTokenType"];
        };
        /**
         * @description The grant of `POST /v1/auth/exchange` (RFC 8693 section 2.1).
         * @enum {string}
         */
        TokenExchangeGrant: "urn:ietf:params:oauth:grant-type:token-exchange";
        /**
         * @description `POST /v1/auth/token` (RFC 6749, form-encoded): `grant_type=password` with `username`
         *     (the email) and `password`, `grant_type=refresh_token` with `refresh_token`, or the token
         *     exchange grant (RFC 8693) with `subject_token` and `subject_token_type`.
         */
        TokenGrant: {
            grant_type: components["schemas"]["GrantType"];
            password?: string | null;
            refresh_token?: string | null;
            /** @description The identity provider's ID token (token exchange). */
            subject_token?: string | null;
            /** @description `urn:ietf:params:oauth:token-type:id_token` (token exchange). */
            subject_token_type?: string | null;
            username?: string | null;
        };
        /** @description `POST /v1/auth/revoke` (RFC 7009) and `POST /v1/auth/introspect` (RFC 7662), JSON or form. */
        TokenQuestion: {
            client_id?: string | null;
            token: string;
            token_type_hint?: string | null;
        };
        /** @description `DELETE /admin/v1/users/{id}/identities`: the link removed. */
        Unlinked: {
            unlinked: components["schemas"]["Identity"];
        };
        /** @description `POST /admin/v1/users/{id}/unlock`: whose throttle was lifted, and how many counters. */
        Unlocked: {
            /** Format: int64 */
            counters: number;
            unlocked: string;
        };
        /** @description `PUT /admin/v1/roles/{name}`. */
        UpdateRole: {
            parents: components["schemas"]["RoleName"][];
        };
        /** @description `PATCH /admin/v1/users/{id}`: the fields given change, the others stay. */
        UpdateUser: {
            disabled?: boolean | null;
            email?: string | null;
            name?: string | null;
        };
        /** @description A user as the admin API shows it (never a password hash). */
        User: {
            /**
             * Format: int64
             * @description Epoch seconds.
             */
            created_at: number;
            disabled: boolean;
            email: string;
            id: string;
            name: string;
            /** @description Directly assigned roles, the primary one first. */
            roles: string[];
            /**
             * Format: int64
             * @description Access tokens issued before this epoch second are refused ("revoke all").
             */
            tokens_valid_after: number;
        };
        UserId: string;
        /** @description `POST /admin/v1/policies/whatif`: how would the current policies decide for this user? */
        WhatIf: {
            /** @description `name` (an `Action`) or a full `Namespace::Action::"name"`. */
            action: string;
            context?: Record<string, unknown> | null;
            resource: components["schemas"]["ResourceRef"];
            /** @description A user id. */
            user: string;
        };
        /**
         * @description `POST /admin/v1/whatif/plan`: which resources of a type would this user be allowed
         *     `action` on? (the query plan for a directory user, without acting as them)
         */
        WhatIfPlan: {
            /** @description `name` (an `Action`) or a full `Namespace::Action::"name"`. */
            action: string;
            context?: Record<string, unknown> | null;
            /** @description The resource's entity type (`Document`). */
            resource_type: components["schemas"]["Name"];
            /** @description A user id. */
            user: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    configuration: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The PDP's endpoints */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuthZenConfiguration"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    jwks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The keys that verify access tokens */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Jwks"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authorization_server_metadata: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What is served, and where (the discovery document) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenIdConfiguration"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    openid_configuration: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What is served, and where */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OpenIdConfiguration"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    evaluation: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Evaluation"];
            };
        };
        responses: {
            /** @description The decision (an unknown subject is a deny) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EvaluationAnswer"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    evaluations: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Evaluations"];
            };
        };
        responses: {
            /** @description The decisions in order (a bad item is a deny); one decision when there are no items */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EvaluationsAnswer"] | components["schemas"]["EvaluationAnswer"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    search_action: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ActionSearch"];
            };
        };
        responses: {
            /** @description A page of the actions allowed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ActionSearchAnswer"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    search_resource: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ResourceSearch"];
            };
        };
        responses: {
            /** @description A page of the resources allowed (directory users for the type User) and the plan for every resource of the type */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ResourceSearchAnswer"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    search_subject: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SubjectSearch"];
            };
        };
        responses: {
            /** @description A page of the subjects allowed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SubjectSearchAnswer"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    list_audit: {
        parameters: {
            query?: {
                /** @description At most 256 bytes. */
                action?: string;
                /** @description At most 256 bytes. */
                actor?: string;
                /** @description 1 or more (default 100); more than 1000 gives 1000. */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Audit entries, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditEntry"][];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    list_clients: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Clients */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Client"][];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    create_client: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateClient"];
            };
        };
        responses: {
            /** @description Created, with its key */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedClient"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    revoke_client: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The client, revoked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Client"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    list_decisions: {
        parameters: {
            query?: {
                /** @description At most 256 bytes. */
                action?: string;
                /** @description Only decisions newer than this row id (0 or more). */
                after_id?: number;
                /** @description Only decisions of this kind (`allow`, `deny`, or `plan` for query plans). */
                decision?: components["schemas"]["DecisionKind"];
                /** @description 1 or more (default 100); more than 1000 gives 1000. */
                limit?: number;
                /** @description At most 256 bytes. */
                principal?: string;
                /** @description Epoch seconds. */
                since?: number;
                /** @description Long-poll: wait up to this many seconds (at most 25) for decisions newer than `after_id`. */
                wait?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Decisions, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DecisionEntry"][];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    decision_stats: {
        parameters: {
            query?: {
                /** @description Seconds to look back (default 3600). */
                window?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Counts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DecisionStats"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    list_keys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Signing keys */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SigningKey"][];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rotate_key: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The keys after the rotation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SigningKey"][];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    list_policies: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The policies in force */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PolicyList"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    diff_policy_versions: {
        parameters: {
            query: {
                /** @description The version to diff from. */
                from: number;
                /** @description The version to diff to. */
                to: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The files that differ, by name */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PolicyDiff"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    reload_policies: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Reloaded: the policies now in force */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PolicyList"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not load; the previous ones keep serving */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rollback_policies: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RollbackPolicies"];
            };
        };
        responses: {
            /** @description Dry run: validated, tested and previewed; nothing activated */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PublishOutcome"];
                };
            };
            /** @description Rolled back: a new version with the old files is active */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PublishOutcome"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not load; the previous ones keep serving */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    list_policy_versions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The versions and where this server takes its policies from */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PolicyVersionList"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    publish_policies: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PublishPolicies"];
            };
        };
        responses: {
            /** @description Dry run: validated, tested and previewed; nothing activated */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PublishOutcome"];
                };
            };
            /** @description Published: the new version is active */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PublishOutcome"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not load; the previous ones keep serving */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    show_policy_version: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A published policy version's number */
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The version and its files, by name */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PolicyVersionDetail"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    what_if: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WhatIf"];
            };
        };
        responses: {
            /** @description How the policies would decide */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DecisionAnswer"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    list_replicas: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Replicas heard from in the last 30 s */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Replica"][];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    list_roles: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Roles, by name */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Role"][];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    create_role: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateRole"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Role"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    update_role: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The role's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateRole"];
            };
        };
        responses: {
            /** @description The role as changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Role"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    delete_role: {
        parameters: {
            query?: {
                /** @description Delete the role even while users hold it. */
                force?: boolean;
            };
            header?: never;
            path: {
                /** @description The role's name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deleted"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    list_sessions: {
        parameters: {
            query?: {
                /** @description Only sessions that still count. */
                active?: boolean;
                /** @description Only this user's sessions. */
                user?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Sessions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"][];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    revoke_session: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session, revoked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    revoke_token: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RevokeToken"];
            };
        };
        responses: {
            /** @description Revoked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Revoked"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    list_users: {
        parameters: {
            query?: {
                /** @description Matches ids, emails and names (literally, case-insensitive). */
                filter?: string;
                /** @description 1 to 1000 (default 100). */
                limit?: number;
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Users, by id */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"][];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    create_user: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateUser"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    show_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    delete_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deleted"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    update_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateUser"];
            };
        };
        responses: {
            /** @description The user as changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    list_identities: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The user's identities, by issuer and subject */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Identity"][];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    link_identity: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LinkIdentity"];
            };
        };
        responses: {
            /** @description Linked */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Identity"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    unlink_identity: {
        parameters: {
            query: {
                /** @description The provider's `iss`. */
                issuer: string;
                /** @description The provider's `sub`. */
                subject: string;
            };
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Unlinked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Unlinked"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    set_user_password: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SetPassword"];
            };
        };
        responses: {
            /** @description Reset */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PasswordReset"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    revoke_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Revoked"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    set_user_roles: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SetRoles"];
            };
        };
        responses: {
            /** @description The user with the roles set */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    unlock_user: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Unlocked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Unlocked"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    what_if_plan: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WhatIfPlan"];
            };
        };
        responses: {
            /** @description The plan: the condition a resource must meet for the user to be allowed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Plan"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    healthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Alive */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    openapi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    readyz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The policies do not allow the caller this action */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not ready (the store does not answer or no policy is loaded), draining (stopping after SIGTERM: requests are still served), or the check timed out */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"] | components["schemas"]["Error"];
                };
            };
        };
    };
    exchange: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TokenExchange"];
                "application/x-www-form-urlencoded": components["schemas"]["TokenExchange"];
            };
        };
        responses: {
            /** @description Signed in: an access token and a refresh token */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignedIn"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many failed sign-ins; retry after the Retry-After seconds */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    introspect: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TokenQuestion"];
                "application/x-www-form-urlencoded": components["schemas"]["TokenQuestion"];
            };
        };
        responses: {
            /** @description The token's claims, or only {"active": false} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Introspection"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Login"];
            };
        };
        responses: {
            /** @description Signed in: an access token and a refresh token */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignedIn"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many failed sign-ins; retry after the Retry-After seconds */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Logout"];
                "application/x-www-form-urlencoded": components["schemas"]["Logout"];
            };
        };
        responses: {
            /** @description Whether a live session ended */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoggedOut"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The user behind the token */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    change_password: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChangePassword"];
            };
        };
        responses: {
            /** @description Changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PasswordChanged"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many failed sign-ins; retry after the Retry-After seconds */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    refresh: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Refresh"];
                "application/x-www-form-urlencoded": components["schemas"]["Refresh"];
            };
        };
        responses: {
            /** @description A new access token and the successor refresh token */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignedIn"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    revoke: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TokenQuestion"];
                "application/x-www-form-urlencoded": components["schemas"]["TokenQuestion"];
            };
        };
        responses: {
            /** @description Revoked, or was not valid */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Empty"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    token: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/x-www-form-urlencoded": components["schemas"]["TokenGrant"];
            };
        };
        responses: {
            /** @description Tokens issued */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignedIn"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OAuthError"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OAuthError"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OAuthError"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OAuthError"];
                };
            };
            /** @description Too many failed sign-ins; retry after the Retry-After seconds */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OAuthError"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OAuthError"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OAuthError"];
                };
            };
        };
    };
    authorize: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Authorize"];
            };
        };
        responses: {
            /** @description The decision (any error denies) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Authorization"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authorize_batch: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AuthorizeBatch"];
            };
        };
        responses: {
            /** @description The decisions, in the order asked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Authorizations"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authorize_plan: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PlanRequest"];
            };
        };
        responses: {
            /** @description The plan: the condition a resource must meet */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Plan"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    authorize_plan_sql: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PlanSqlRequest"];
            };
        };
        responses: {
            /** @description The fragment, its parameters in placeholder order, and the plan */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PlanSql"];
                };
            };
            /** @description Bad input; the message names the field or parameter at fault */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, invalid or expired credentials (or wrong email or password) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body did not arrive in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request target is too long */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unsupported Content-Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Too many or too large header fields */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unavailable for a moment (storage, overload, or the request took too long); retry */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
