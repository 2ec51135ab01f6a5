//! Who is asking: the one place that turns a caller into a Cedar principal.
//!
//! A directory principal is read from the store on every decision (roles included, with the
//! role hierarchy resolved), so a role removed by an admin stops counting on the next decision.

mod resolver;

pub use resolver::Resolver;

use crate::engine::Principal;
use crate::store::{Store, StoreError, UserRow};
use crate::tokens::{AccessClaims, Rejection, Tokens};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A caller whose access token verified, with its current principal.
#[derive(Debug, Clone)]
pub struct Verified {
    pub claims: AccessClaims,
    pub user: UserRow,
    pub principal: Principal,
}

/// Why a principal could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("unknown user {0}")]
    UnknownUser(String),
    #[error("user {0} is disabled")]
    Disabled(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The principal for a directory user, with its current roles and their ancestors.
pub async fn directory_principal(store: &Store, user_id: &str) -> Result<Principal, IdentityError> {
    let user = match store.user(user_id).await {
        Ok(u) => u,
        Err(StoreError::NotFound { .. }) => {
            return Err(IdentityError::UnknownUser(user_id.to_string()))
        }
        Err(e) => return Err(e.into()),
    };
    if user.disabled {
        return Err(IdentityError::Disabled(user.id));
    }
    principal_for(store, &user).await
}

/// The principal for a user row already read.
pub async fn principal_for(store: &Store, user: &UserRow) -> Result<Principal, IdentityError> {
    let graph = store.role_graph().await?;
    Ok(principal_from(
        &user.id,
        &user.email,
        &user.name,
        Map::new(),
        &user.roles,
        &graph,
    ))
}

/// Build a principal from its parts: `email` and `name` attributes (plus `extra`), the
/// directly held roles, and every reachable role with its parents from `graph`. The one
/// mapping from a user to Cedar, used by the server and by `warden policy test` alike, so a
/// passing policy test means the live server decides the same.
pub fn principal_from(
    id: &str,
    email: &str,
    name: &str,
    extra: Map<String, Value>,
    roles: &[String],
    graph: &BTreeMap<String, Vec<String>>,
) -> Principal {
    let role_parents = crate::model::ancestors(graph, roles)
        .into_iter()
        .map(|r| {
            let parents = graph.get(&r).cloned().unwrap_or_default();
            (r, parents)
        })
        .collect();
    let mut attrs = extra;
    attrs.insert("email".into(), Value::String(email.to_string()));
    attrs.insert("name".into(), Value::String(name.to_string()));
    Principal {
        id: id.to_string(),
        attrs,
        roles: roles.to_vec(),
        role_parents,
    }
}

/// Verify an access token completely: signature and claims (strict, see [`crate::tokens`]),
/// then that it is still good now: its jti is not revoked, its session is live, its user
/// exists and is enabled, and it was issued after the user's last revoke-all. Checked on
/// every use, so a revocation takes effect on the very next request.
pub async fn verify_access_token(
    store: &Store,
    tokens: &Tokens,
    token: &str,
) -> Result<(AccessClaims, UserRow), Rejection> {
    let claims = tokens.verify(token)?;
    check_current(store, claims)
        .await
        .map(|(claims, user, _)| (claims, user))
}

/// The checks of [`verify_access_token`] after the signature and claims verified: the jti is
/// not revoked, the session is live, the user exists, is enabled and did not revoke all its
/// tokens after this one was issued. Also returns the session's end.
pub(crate) async fn check_current(
    store: &Store,
    claims: AccessClaims,
) -> Result<(AccessClaims, UserRow, i64), Rejection> {
    let unavailable = |e: StoreError| {
        tracing::error!(error = %e, "token check failed");
        Rejection::Unavailable
    };
    if store
        .is_jti_revoked(&claims.jti)
        .await
        .map_err(unavailable)?
    {
        return Err(Rejection::Revoked);
    }
    let session = store.session(&claims.sid).await.map_err(unavailable)?;
    let session_expires_at = match session {
        Some(s)
            if s.user_id == claims.sub && s.revoked_at.is_none() && s.expires_at > store.now() =>
        {
            s.expires_at
        }
        _ => return Err(Rejection::SessionEnded),
    };
    let user = match store.user(&claims.sub).await {
        Ok(u) => u,
        Err(StoreError::NotFound { .. }) => return Err(Rejection::UnknownUser),
        Err(e) => return Err(unavailable(e)),
    };
    if user.disabled {
        return Err(Rejection::UserDisabled);
    }
    if claims.iat < user.tokens_valid_after {
        return Err(Rejection::Stale);
    }
    Ok((claims, user, session_expires_at))
}

/// The admin actions that make someone able to administer warden: whoever holds both can
/// give any right back to anyone (roles) and re-enable anyone (update).
const ADMINISTER: [crate::admin_action::AdminAction; 2] = [
    crate::admin_action::AdminAction::UsersRoles,
    crate::admin_action::AdminAction::UsersUpdate,
];

/// The rule that keeps an administrator ([`crate::store::AdminRule`]): "may this user
/// administer warden?", asked of the policies in force (who holds the admin actions is a
/// Cedar question, not a role name). The engine reloads in place, so the rule follows the
/// policies as they change.
pub fn admin_rule(engine: std::sync::Arc<crate::engine::Engine>) -> crate::store::AdminRule {
    crate::store::AdminRule::new(
        move |user: &UserRow, graph: &BTreeMap<String, Vec<String>>| {
            administers(user, graph, |query| engine.decide(query).allowed)
        },
    )
}

/// The same rule asked of one given bundle (a candidate not yet in force: a reloaded
/// directory, a set to publish), so a policy change can be refused before it takes effect
/// when nobody could administer warden under it.
pub fn bundle_admin_rule(
    bundle: std::sync::Arc<crate::engine::PolicyBundle>,
) -> crate::store::AdminRule {
    let authorizer = cedar_policy::Authorizer::new();
    crate::store::AdminRule::new(
        move |user: &UserRow, graph: &BTreeMap<String, Vec<String>>| {
            administers(user, graph, |query| {
                crate::engine::decide_with(&authorizer, &bundle, query).allowed
            })
        },
    )
}

/// Whether `user` holds every action of [`ADMINISTER`], as `allowed` decides.
fn administers(
    user: &UserRow,
    graph: &BTreeMap<String, Vec<String>>,
    allowed: impl Fn(&crate::engine::Query) -> bool,
) -> bool {
    let principal = principal_from(
        &user.id,
        &user.email,
        &user.name,
        Map::new(),
        &user.roles,
        graph,
    );
    ADMINISTER
        .iter()
        .all(|action| allowed(&admin_area_query(principal.clone(), *action)))
}

/// The question about an admin action's area with nothing granted
/// (`Warden::Resource::"users"`, `context.grants` empty): what the server's gate asks before
/// it reads a body, and what "holds this admin action" means.
pub fn admin_area_query(
    principal: Principal,
    action: crate::admin_action::AdminAction,
) -> crate::engine::Query {
    use crate::admin_action::{ACTION_TYPE, AREA_TYPE};
    crate::engine::Query {
        principal,
        action_type: ACTION_TYPE.into(),
        action: action.name().into(),
        resource: crate::engine::Resource {
            kind: AREA_TYPE.into(),
            id: action.area().into(),
            properties: Default::default(),
        },
        context: serde_json::json!({"grants": []}),
    }
}
