//! Users: list, create, update, roles, passwords, revocation, deletion.

use super::*;

impl App {
    /// Users ordered by id, optionally filtered (substring of id, email or name).
    pub async fn list_users(
        &self,
        filter: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<UserRow>, AppError> {
        let filter = filter
            .map(SearchText::parse)
            .transpose()
            .map_err(field("filter"))?;
        Ok(self
            .store
            .list_users(filter.as_ref(), limit.clamp(1, 1000), offset.max(0))
            .await?)
    }

    /// One user.
    pub async fn user(&self, id: &str) -> Result<UserRow, AppError> {
        Ok(self.store.user(user_id(id)?.as_str()).await?)
    }

    /// Create a user (`users.create`). The new user may hold nothing the actor does not.
    pub async fn create_user(&self, actor: &Actor, input: UserInput) -> Result<UserRow, AppError> {
        let email = Email::parse(&input.email).map_err(field("email"))?;
        let id = match &input.id {
            Some(id) => UserId::new_id(id).map_err(field("id"))?,
            None => UserId::from_email(&email).map_err(field("email"))?,
        };
        let name = UserName::parse(&input.name).map_err(field("name"))?;
        let roles = role_names("roles", &input.roles)?;
        let role_list: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        let graph = self.store.role_graph().await?;
        let new = identity::principal_from(
            id.as_str(),
            email.as_str(),
            name.as_str(),
            Default::default(),
            &role_list,
            &graph,
        );
        self.authorize(
            actor,
            Check {
                action: AdminAction::UsersCreate,
                target: Some(crate::engine::Target::User(new.clone())),
                audit_target: format!("user:{id}"),
                grants: role_list.clone(),
                acted_on: Vec::new(),
                changes: vec![(None, new)],
            },
        )
        .await?;
        let has_password = input.password.is_some();
        let password_hash = match input.password {
            Some(p) => Some(self.hash_password(p).await?),
            None => None,
        };
        let audit = Self::audit(
            actor,
            AdminAction::UsersCreate,
            format!("user:{id}"),
            json!({
                "email": email.as_str(),
                "roles": role_list,
                "password": if has_password { "set" } else { "none" },
            }),
        );
        let new = NewUser {
            id,
            email,
            name,
            roles,
            password_hash,
        };
        Ok(self.store.create_user(&new, Some(&audit)).await?)
    }

    /// Change a user's email, name or enabled state (`users.update`): the user may hold
    /// nothing the actor does not, and the change may give it nothing either (policies may
    /// read `principal.email`).
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: &str,
        change: UserChange,
    ) -> Result<UserRow, AppError> {
        let id = user_id(id)?;
        let email = change
            .email
            .as_deref()
            .map(Email::parse)
            .transpose()
            .map_err(field("email"))?;
        let name = change
            .name
            .as_deref()
            .map(UserName::parse)
            .transpose()
            .map_err(field("name"))?;
        let (user, before) = self.target_user(&id).await?;
        let mut after = before.clone();
        if let Some(e) = &email {
            after.attrs.insert("email".into(), json!(e.as_str()));
        }
        if let Some(n) = &name {
            after.attrs.insert("name".into(), json!(n.as_str()));
        }
        // Enabling a disabled user gives back everything it holds.
        let had = if user.disabled && change.disabled == Some(false) {
            None
        } else {
            Some(before.clone())
        };
        self.authorize(
            actor,
            Check {
                changes: vec![(had, after)],
                ..Check::on_user(AdminAction::UsersUpdate, before)
            },
        )
        .await?;
        // The store adds `before` (the same fields as they were) inside the transaction.
        let mut after = serde_json::Map::new();
        if let Some(e) = &email {
            after.insert("email".into(), json!(e.as_str()));
        }
        if let Some(n) = &name {
            after.insert("name".into(), json!(n.as_str()));
        }
        if let Some(d) = change.disabled {
            after.insert("disabled".into(), json!(d));
        }
        let audit = Self::audit(
            actor,
            AdminAction::UsersUpdate,
            format!("user:{id}"),
            json!({ "after": after }),
        );
        Ok(self
            .store
            .update_user(
                id.as_str(),
                email.as_ref(),
                name.as_ref(),
                change.disabled,
                self.directory_change(&audit),
            )
            .await?)
    }

    /// Replace a user's roles, the first being the primary one (`users.roles`). The user may
    /// hold nothing the actor does not, before or after.
    pub async fn set_roles(
        &self,
        actor: &Actor,
        id: &str,
        roles: &[String],
    ) -> Result<UserRow, AppError> {
        let id = user_id(id)?;
        let roles = role_names("roles", roles)?;
        let (user, before) = self.target_user(&id).await?;
        let after_roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        let graph = self.store.role_graph().await?;
        let after = identity::principal_from(
            &user.id,
            &user.email,
            &user.name,
            Default::default(),
            &after_roles,
            &graph,
        );
        let grants = after_roles
            .iter()
            .filter(|r| !user.roles.contains(r))
            .cloned()
            .collect();
        self.authorize(
            actor,
            Check {
                grants,
                changes: vec![(Some(before.clone()), after)],
                ..Check::on_user(AdminAction::UsersRoles, before)
            },
        )
        .await?;
        let audit = Self::audit(
            actor,
            AdminAction::UsersRoles,
            format!("user:{id}"),
            json!({"after": after_roles}),
        );
        Ok(self
            .store
            .set_user_roles(id.as_str(), &roles, self.directory_change(&audit))
            .await?)
    }

    /// Set a new password for a user (`users.password`): every session and access token of
    /// the user ends and the sign-in throttle of the account is lifted.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        id: &str,
        password: String,
    ) -> Result<PasswordReset, AppError> {
        let id = user_id(id)?;
        self.check_on_user(actor, AdminAction::UsersPassword, &id)
            .await?;
        let hash = self.hash_password(password).await?;
        let audit = Self::audit(
            actor,
            AdminAction::UsersPassword,
            format!("user:{id}"),
            json!({"password": "reset", "tokens": "revoked", "throttle": "cleared"}),
        );
        let sessions_ended = self
            .store
            .reset_password(id.as_str(), &hash, Some(&audit))
            .await?;
        Ok(PasswordReset { sessions_ended })
    }

    /// End every session and access token of a user (`users.revoke`).
    pub async fn revoke_user_tokens(&self, actor: &Actor, id: &str) -> Result<(), AppError> {
        let id = user_id(id)?;
        self.check_on_user(actor, AdminAction::UsersRevoke, &id)
            .await?;
        let audit = Self::audit(
            actor,
            AdminAction::UsersRevoke,
            format!("user:{id}"),
            json!({}),
        );
        Ok(self
            .store
            .revoke_user_tokens(id.as_str(), Some(&audit))
            .await?)
    }

    /// Lift the sign-in throttle of a user's account, from every address (`users.unlock`).
    /// Returns how many counters were cleared.
    pub async fn unlock_user(&self, actor: &Actor, id: &str) -> Result<usize, AppError> {
        let id = user_id(id)?;
        let user = self
            .check_on_user(actor, AdminAction::UsersUnlock, &id)
            .await?;
        let audit = Self::audit(
            actor,
            AdminAction::UsersUnlock,
            format!("user:{id}"),
            json!({"throttle": "cleared"}),
        );
        Ok(self.store.unlock_account(&user.email, Some(&audit)).await?)
    }

    /// Delete a user (`users.delete`); nobody deletes themselves.
    pub async fn delete_user(&self, actor: &Actor, id: &str) -> Result<(), AppError> {
        let id = user_id(id)?;
        if actor.is_user(id.as_str()) {
            return Err(Conflict::SelfDelete.into());
        }
        self.check_on_user(actor, AdminAction::UsersDelete, &id)
            .await?;
        let audit = Self::audit(
            actor,
            AdminAction::UsersDelete,
            format!("user:{id}"),
            json!({}),
        );
        Ok(self
            .store
            .delete_user(id.as_str(), self.directory_change(&audit))
            .await?)
    }
}
