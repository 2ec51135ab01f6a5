//! Federated identities: a provider's `(issuer, subject)` linked to a user.

use super::*;

impl App {
    /// A user's links to identity providers (`users.read`, checked by the caller's route).
    pub async fn list_identities(&self, id: &str) -> Result<Vec<IdentityRow>, AppError> {
        let id = user_id(id)?;
        // An unknown user is a 404, not an empty list.
        self.store.user(id.as_str()).await?;
        Ok(self.store.list_identities(id.as_str()).await?)
    }

    /// Link an identity provider's `(issuer, subject)` to a user (`users.update`, audited as
    /// `change: link`): the explicit link an issuer with `link_claim = "sub"` relies on. The
    /// issuer must be one of `exchange_issuers`; the identity must not be linked already.
    pub async fn link_identity(
        &self,
        actor: &Actor,
        id: &str,
        issuer: &str,
        subject: &str,
    ) -> Result<IdentityRow, AppError> {
        let id = user_id(id)?;
        identity_part("issuer", issuer)?;
        identity_part("subject", subject)?;
        if !self
            .config
            .exchange_issuers
            .iter()
            .any(|t| t.issuer == issuer)
        {
            return Err(AppError::Invalid(format!(
                "field `issuer`: {issuer:?} is not one of exchange_issuers"
            )));
        }
        self.check_on_user(actor, AdminAction::UsersUpdate, &id)
            .await?;
        let audit = Self::audit(
            actor,
            AdminAction::UsersUpdate,
            format!("user:{id}"),
            json!({"change": "link", "issuer": issuer, "subject": subject}),
        );
        Ok(self
            .store
            .link_identity(id.as_str(), issuer, subject, Some(&audit))
            .await?)
    }

    /// Remove a user's link to `(issuer, subject)` (`users.update`, audited as `change:
    /// unlink`): the next exchange of that identity links it afresh, by the issuer's rules.
    pub async fn unlink_identity(
        &self,
        actor: &Actor,
        id: &str,
        issuer: &str,
        subject: &str,
    ) -> Result<IdentityRow, AppError> {
        let id = user_id(id)?;
        identity_part("issuer", issuer)?;
        identity_part("subject", subject)?;
        self.check_on_user(actor, AdminAction::UsersUpdate, &id)
            .await?;
        let audit = Self::audit(
            actor,
            AdminAction::UsersUpdate,
            format!("user:{id}"),
            json!({"change": "unlink", "issuer": issuer, "subject": subject}),
        );
        Ok(self
            .store
            .unlink_identity(id.as_str(), issuer, subject, Some(&audit))
            .await?)
    }
}
