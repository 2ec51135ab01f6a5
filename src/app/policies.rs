//! Policies: reload and what-if.

use super::*;

impl App {
    /// Load the policy directory again (`policies.reload`): a bundle that does not parse or
    /// validate, or that loses the schema or every policy, is refused and the previous one
    /// keeps serving. The attempt is audited either way. Returns the number of policies.
    pub async fn reload_policies(&self, actor: &Actor) -> Result<usize, AppError> {
        let engine = self.engine()?.clone();
        self.authorize(actor, Check::area(AdminAction::PoliciesReload, "policies"))
            .await?;
        let result = tokio::task::spawn_blocking(move || engine.reload())
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
