//! Policies: reload, what-if, and the rule every policy change keeps (someone can still
//! administer warden).

use super::*;
use crate::engine::PolicyBundle;

impl App {
    /// "Someone can still administer" for a policy change: refuse `candidate` when no
    /// enabled user would pass the admin rule ([`identity::bundle_admin_rule`]) under it.
    ///
    /// Attack (or accident) answered: deleting `warden.cedar` from the policy directory (or
    /// publishing a set without it, or one whose admin policy names a role nobody holds) was
    /// accepted, and from the next request on nobody could use the admin API: not to put the
    /// policy back, not to roll back. The rule of a directory change (see
    /// [`crate::store::AdminRule`]) now holds for policy changes too: asked of the candidate
    /// before it takes effect. As there, when nobody passes under the policies in force
    /// either (a broken directory), the change goes through, so an operator can repair.
    ///
    /// Fail closed: a store that cannot answer refuses the change.
    pub(crate) async fn check_administrable(
        &self,
        candidate: &Arc<PolicyBundle>,
    ) -> Result<(), AppError> {
        let rule = identity::bundle_admin_rule(candidate.clone());
        if self.store.any_user_passes(&rule).await? {
            return Ok(());
        }
        if let Some(engine) = &self.engine {
            let now = identity::bundle_admin_rule(engine.bundle());
            if !self.store.any_user_passes(&now).await? {
                tracing::warn!("nobody can administer warden under the policies in force either: the policy change is accepted so that it can repair");
                return Ok(());
            }
        }
        Err(AppError::policy(
            PolicyRefusal::NoAdministrator,
            "refused: nobody could administer warden under these policies (no enabled user \
             would hold users.roles and users.update); keep the admin policies (warden.cedar) \
             or grant them to a role someone holds",
        ))
    }

    /// [`App::check_administrable`] as the engine's [`crate::engine::BundleGuard`], for
    /// code that is not async (the policy watcher's thread, a reload on the blocking pool):
    /// it waits for the store on the runtime it was made on. Call it from a runtime; use the
    /// closure only outside the runtime's async workers (a plain or blocking-pool thread).
    pub fn policy_guard(
        &self,
    ) -> impl Fn(&Arc<PolicyBundle>) -> Result<(), String> + Send + Sync + 'static {
        let app = self.clone();
        let runtime = tokio::runtime::Handle::try_current();
        move |candidate: &Arc<PolicyBundle>| match &runtime {
            Ok(handle) => handle
                .block_on(app.check_administrable(candidate))
                .map_err(|e| e.to_string()),
            // Fail closed: without a runtime the store cannot be asked.
            Err(_) => Err(
                "cannot check that someone can still administer warden (no runtime); refused"
                    .into(),
            ),
        }
    }

    /// Load the policy directory again (`policies.reload`): a bundle that does not parse or
    /// validate, or that loses the schema or every policy, or under which nobody could
    /// administer warden ([`App::check_administrable`]), is refused and the previous one
    /// keeps serving. The attempt is audited either way. Returns the number of policies.
    pub async fn reload_policies(&self, actor: &Actor) -> Result<usize, AppError> {
        let engine = self.engine()?.clone();
        self.authorize(actor, Check::area(AdminAction::PoliciesReload, "policies"))
            .await?;
        let guard = self.policy_guard();
        let result = tokio::task::spawn_blocking(move || engine.reload_with(&guard))
            .await
            .map_err(|e| {
                crate::alarm::raise("reload_task", &e);
                AppError::Reload("the reload was lost".into())
            })?;
        let audit = Self::audit(
            actor,
            AdminAction::PoliciesReload,
            "policies".into(),
            json!({"ok": result.is_ok()}),
        );
        self.store.audit(&audit).await?;
        result.map_err(|e| AppError::Reload(e.to_string()))
    }

    /// What the policies would decide for a directory user: a question, not an access, so
    /// it is neither logged nor audited. A disabled user is denied with the reason.
    pub async fn what_if(
        &self,
        user: &str,
        action: &str,
        resource: Resource,
        context: Value,
    ) -> Result<Decision, AppError> {
        let principal = match identity::directory_principal(&self.store, user).await {
            Ok(p) => p,
            Err(IdentityError::Disabled(u)) => {
                return Ok(Decision::error(format!("user {u} is disabled")))
            }
            Err(e) => return Err(e.into()),
        };
        let (action_type, action) =
            crate::engine::parse_action(action).map_err(AppError::Invalid)?;
        let context = crate::admin_action::with_default_context(&action_type, context);
        Ok(self.engine()?.decide(&Query {
            principal,
            action_type,
            action,
            resource,
            context,
        }))
    }

    /// The query plan of `resource_type` for a directory user (what-if: a question, not an
    /// access, so neither logged nor audited): the condition a resource must meet for `user`
    /// to be allowed `action` on it. A disabled user is allowed nothing (fail closed: the
    /// plan is `always_denied`, with no policy as its reason). `warden decide --plan --user` and
    /// `POST /admin/v1/whatif/plan` both answer through here.
    pub async fn what_if_plan(
        &self,
        user: &str,
        action: &str,
        resource_type: &str,
        context: Value,
    ) -> Result<crate::plan::Plan, AppError> {
        let principal = match identity::directory_principal(&self.store, user).await {
            Ok(p) => p,
            Err(IdentityError::Disabled(_)) => {
                return Ok(crate::plan::Plan::of(crate::plan::Expr::False, Vec::new()))
            }
            Err(e) => return Err(e.into()),
        };
        let (action_type, action) =
            crate::engine::parse_action(action).map_err(AppError::Invalid)?;
        let context = crate::admin_action::with_default_context(&action_type, context);
        self.engine()?
            .plan(&crate::engine::PlanQuery {
                principal,
                action_type,
                action,
                resource_type: resource_type.to_string(),
                context,
            })
            .map_err(AppError::Invalid)
    }
}
