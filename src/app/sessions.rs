//! Sessions and access tokens: listing and revocation.

use super::*;

impl App {
    /// Sessions, newest first, of one user or everyone; `active_only` leaves out ended ones.
    pub async fn list_sessions(
        &self,
        user: Option<&str>,
        active_only: bool,
    ) -> Result<Vec<SessionRow>, AppError> {
        let user = user.map(UserId::parse).transpose().map_err(field("user"))?;
        if let Some(u) = &user {
            // An unknown user is said, not shown as an empty list.
            self.store.user(u.as_str()).await?;
        }
        Ok(self
            .store
            .list_sessions(user.as_ref().map(UserId::as_str), active_only)
            .await?)
    }

    /// End a session and the access tokens issued in it (`sessions.revoke`).
    pub async fn revoke_session(&self, actor: &Actor, id: &str) -> Result<SessionRow, AppError> {
        opaque("session", id)?;
        // The session's user is the target: ending a stronger user's sessions is refused.
        let check = match self.store.session(id).await? {
            Some(session) => {
                let (_, owner) = self.target_user(&user_id(&session.user_id)?).await?;
                Check {
                    audit_target: format!("session:{id}"),
                    ..Check::on_user(AdminAction::SessionsRevoke, owner)
                }
            }
            None => Check::area(AdminAction::SessionsRevoke, format!("session:{id}")),
        };
        self.authorize(actor, check).await?;
        let audit = Self::audit(
            actor,
            AdminAction::SessionsRevoke,
            format!("session:{id}"),
            json!({"reason": "revoked_by_admin"}),
        );
        Ok(self
            .store
            .revoke_session(id, "revoked_by_admin", Some(&audit))
            .await?)
    }

    /// Refuse one access token by its `jti` from now on (`tokens.revoke`).
    pub async fn revoke_token(&self, actor: &Actor, jti: &str) -> Result<(), AppError> {
        opaque("jti", jti)?;
        // Kept until every token it could name has expired.
        let until = self.store.now() + self.config.access_token_ttl + self.config.leeway as i64;
        self.authorize(
            actor,
            Check::area(AdminAction::TokensRevoke, format!("jti:{jti}")),
        )
        .await?;
        let audit = Self::audit(
            actor,
            AdminAction::TokensRevoke,
            format!("jti:{jti}"),
            json!({}),
        );
        Ok(self.store.revoke_jti(jti, until, Some(&audit)).await?)
    }
}
