//! Delegation that cannot escalate.
//!
//! The admin API is governed by Cedar policies so that operators can delegate (a support role
//! that resets passwords, a team lead that manages users). Policies alone cannot stop a
//! delegate from making itself an administrator: a `users.create` delegate could create a
//! user with role `ADMIN` and sign in as it, a `roles.write` delegate could make its own role
//! inherit `ADMIN`, a `users.password` delegate could reset the administrator's password.
//!
//! So every admin change by a user passes three checks here, whatever the policies say:
//!
//! 1. **The area**: the policies allow the actor the action on its area
//!    (`Warden::Resource::"users"`). The server's gate asks the same before reading the body;
//!    it is asked again here so that every edge gets it.
//! 2. **The target**: the policies allow the actor the action on the target itself
//!    (`User::"bob"` with its roles as parents, `Role::"SUPPORT"` with its parents,
//!    `Warden::Client::"<id>"`), with `context.grants` the roles the change gives. This is
//!    what lets a policy say "support may reset the passwords of users who are not admins".
//! 3. **No escalation** (Kubernetes RBAC's rule: you may only grant what you hold, see
//!    <https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping>):
//!    the change must not give anyone (directly, through role parents, or by re-enabling
//!    them) an admin action the actor does not hold, and must not act on a user who holds an
//!    admin action the actor lacks (a stronger user: password, email, disable, roles,
//!    sessions, delete). An actor the policies allow `Warden::Action::"escalate"` is exempt;
//!    the shipped `ADMIN` role has it.
//!
//! "Holds" is asked of the engine: the admin actions the policies allow a principal on their
//! areas ([`held`]), so the rule follows custom policies, forbids included. The command line
//! (actor `cli`) is not checked: whoever can open the database is its owner.
//!
//! The checks read the directory before the change is written: two concurrent changes by the
//! same delegate are each checked against the state before the other. The role check also
//! bounds a role on its own (what anyone holding only that role would hold), so a role given
//! away in one change and strengthened in another still cannot carry more than the actor
//! holds.

use super::{Actor, App, AppError};
use crate::admin_action::{AdminAction, ACTION_TYPE, AREA_TYPE};
use crate::engine::{Engine, Principal, Target};
use crate::store::Audit;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

pub use crate::identity::admin_area_query as area_query;

/// The admin actions the policies allow `principal` on their areas.
pub fn held(engine: &Engine, principal: &Principal) -> BTreeSet<AdminAction> {
    AdminAction::ALL
        .into_iter()
        .filter(|a| engine.decide(&area_query(principal.clone(), *a)).allowed)
        .collect()
}

/// The context of a target question: `grants`, the roles the change gives.
fn grants_context(grants: &[String]) -> Value {
    let roles: Vec<Value> = grants
        .iter()
        .map(|r| json!({"__entity": {"type": "Role", "id": r}}))
        .collect();
    json!({ "grants": roles })
}

/// A principal that holds exactly one role (and its ancestors): what a role carries on its
/// own. Its id cannot be a user's (`:` is not allowed in user ids).
pub(crate) fn role_holder(role: &str, graph: &BTreeMap<String, Vec<String>>) -> Principal {
    crate::identity::principal_from(
        &format!("role:{role}"),
        "",
        "",
        Default::default(),
        &[role.to_string()],
        graph,
    )
}

/// An admin change as the checks see it.
pub(crate) struct Check {
    pub action: AdminAction,
    /// The resource of the target question; `None` when the change has no single target
    /// (a new client, a key rotation, a jti): the area question is then the only one.
    pub target: Option<Target>,
    /// The audit row's target (`user:bob`), for a refusal.
    pub audit_target: String,
    /// The roles the change gives (`context.grants`).
    pub grants: Vec<String>,
    /// Users the change acts on: none may hold an admin action the actor lacks.
    pub acted_on: Vec<Principal>,
    /// Principals whose admin actions the change may alter, before (none: a new user or
    /// role) and after: what they gain must be held by the actor.
    pub changes: Vec<(Option<Principal>, Principal)>,
}

impl Check {
    /// A change with no target but its area.
    pub fn area(action: AdminAction, audit_target: impl Into<String>) -> Check {
        Check {
            action,
            target: None,
            audit_target: audit_target.into(),
            grants: Vec::new(),
            acted_on: Vec::new(),
            changes: Vec::new(),
        }
    }

    /// A change that acts on one existing user and alters nothing it holds.
    pub fn on_user(action: AdminAction, user: Principal) -> Check {
        Check {
            action,
            audit_target: format!("user:{}", user.id),
            target: Some(Target::User(user.clone())),
            grants: Vec::new(),
            acted_on: vec![user],
            changes: Vec::new(),
        }
    }
}

impl App {
    /// Run the three checks of this module for `actor`'s change. A refusal is audited (the
    /// attempt, with the reason) and nothing is changed.
    pub(crate) async fn authorize(&self, actor: &Actor, check: Check) -> Result<(), AppError> {
        let Actor::User { id: actor_id, .. } = actor else {
            return Ok(());
        };
        let refusal = match self.refusal(actor_id, &check).await? {
            None => return Ok(()),
            Some(r) => r,
        };
        let audit = Audit {
            actor: actor.label(),
            address: actor.address().into(),
            action: check.action.name().into(),
            target: check.audit_target.clone(),
            detail: json!({"outcome": "refused", "reason": refusal.to_string()}),
        };
        if let Err(e) = self.store.audit(&audit).await {
            tracing::error!(error = %e, "cannot audit a refused admin change");
        }
        Err(refusal)
    }

    /// Why `check` is refused for `actor_id`, or `None` when it is allowed.
    pub(super) async fn refusal(
        &self,
        actor_id: &str,
        check: &Check,
    ) -> Result<Option<AppError>, AppError> {
        // Fail closed: without the policies, nothing a user asks can be checked.
        let engine = self.engine()?.clone();
        let actor = match crate::identity::directory_principal(&self.store, actor_id).await {
            Ok(p) => p,
            Err(crate::identity::IdentityError::Disabled(u)) => {
                return Ok(Some(AppError::Forbidden(format!("user {u} is disabled"))))
            }
            Err(e) => return Err(e.into()),
        };
        let action = check.action;
        let area = engine.decide(&area_query(actor.clone(), action));
        if !area.allowed {
            return Ok(Some(AppError::Forbidden(denied(
                actor_id,
                action,
                &format!("{AREA_TYPE}::\"{}\"", action.area()),
                &area,
            ))));
        }
        if let Some(target) = &check.target {
            let d = engine.decide_about(
                &actor,
                ACTION_TYPE,
                action.name(),
                target,
                &grants_context(&check.grants),
            );
            if !d.allowed {
                return Ok(Some(AppError::Forbidden(denied(
                    actor_id,
                    action,
                    &target_name(target),
                    &d,
                ))));
            }
        }
        let mine = held(&engine, &actor);
        if mine.contains(&AdminAction::Escalate) {
            return Ok(None);
        }
        let escalate = AdminAction::Escalate.uid();
        for user in &check.acted_on {
            if let Some(missing) = held(&engine, user).difference(&mine).next() {
                return Ok(Some(AppError::Escalation {
                    missing: *missing,
                    message: format!(
                        "{actor_id} may not {} on user {}: {} holds {}, which {actor_id} does \
                         not (acting on a stronger user needs {escalate})",
                        action.uid(),
                        user.id,
                        user.id,
                        missing.uid()
                    ),
                }));
            }
        }
        for (before, after) in &check.changes {
            let had = before
                .as_ref()
                .map(|p| held(&engine, p))
                .unwrap_or_default();
            let gained = held(&engine, after);
            if let Some(missing) = gained.difference(&had).find(|a| !mine.contains(a)) {
                let who = match after.id.strip_prefix("role:") {
                    Some(role) => format!("whoever holds role {role}"),
                    None => format!("user {}", after.id),
                };
                return Ok(Some(AppError::Escalation {
                    missing: *missing,
                    message: format!(
                        "{actor_id} may not {}: it would give {who} {}, which {actor_id} does \
                         not hold (granting it needs {escalate})",
                        action.uid(),
                        missing.uid()
                    ),
                }));
            }
        }
        Ok(None)
    }
}

/// A target as Cedar writes it.
fn target_name(target: &Target) -> String {
    match target {
        Target::User(p) => format!("User::{:?}", p.id),
        Target::Role { name, .. } => format!("Role::{name:?}"),
        Target::Client { id, .. } => format!("Warden::Client::{id:?}"),
    }
}

/// "alice may not Warden::Action::"users.password" on User::"admin": no policy permits it".
fn denied(actor: &str, action: AdminAction, on: &str, d: &crate::engine::Decision) -> String {
    let mut why = if d.errors.is_empty() {
        "no policy permits it".to_string()
    } else {
        d.errors.join("; ")
    };
    if !d.reasons.is_empty() {
        why.push_str(&format!(" (denied by {})", d.reasons.join(", ")));
    }
    format!("{actor} may not {} on {on}: {why}", action.uid())
}
