//! Roles and their parents.

use super::*;

impl App {
    /// Every role with its parents and holders.
    pub async fn list_roles(&self) -> Result<Vec<RoleRow>, AppError> {
        Ok(self.store.list_roles().await?)
    }

    /// The users whose roles reach `role` in `graph`, with their principals under `graph`
    /// and under `after` (their roles passed through `keep`).
    pub(super) async fn holders_of(
        &self,
        role: &str,
        graph: &BTreeMap<String, Vec<String>>,
        after: &BTreeMap<String, Vec<String>>,
        keep: impl Fn(&str) -> bool,
    ) -> Result<Vec<(Option<crate::engine::Principal>, crate::engine::Principal)>, AppError> {
        let mut changes = Vec::new();
        let mut last: Option<String> = None;
        loop {
            let page = self.store.list_users_after(last.as_deref(), 500).await?;
            let Some(end) = page.last() else { break };
            last = Some(end.id.clone());
            for user in page {
                if !crate::model::ancestors(graph, &user.roles).contains(role) {
                    continue;
                }
                let principal = |g: &BTreeMap<String, Vec<String>>, roles: &[String]| {
                    identity::principal_from(
                        &user.id,
                        &user.email,
                        &user.name,
                        Default::default(),
                        roles,
                        g,
                    )
                };
                let kept: Vec<String> = user.roles.iter().filter(|r| keep(r)).cloned().collect();
                changes.push((Some(principal(graph, &user.roles)), principal(after, &kept)));
            }
        }
        Ok(changes)
    }

    /// The role `name` as a target: its parents (`parents`) and the hierarchy above them.
    pub(super) fn role_target(
        name: &RoleName,
        parents: &[String],
        graph: &BTreeMap<String, Vec<String>>,
    ) -> crate::engine::Target {
        let mut graph = graph.clone();
        graph.insert(name.to_string(), parents.to_vec());
        let role_parents = crate::model::ancestors(&graph, &[name.to_string()])
            .into_iter()
            .map(|r| {
                let p = graph.get(&r).cloned().unwrap_or_default();
                (r, p)
            })
            .collect();
        crate::engine::Target::Role {
            name: name.to_string(),
            role_parents,
        }
    }

    /// Create a role (`roles.write`). What the role carries through its parents must be held
    /// by the actor.
    pub async fn create_role(
        &self,
        actor: &Actor,
        name: &str,
        parents: &[String],
    ) -> Result<RoleRow, AppError> {
        let name = RoleName::parse(name).map_err(field("name"))?;
        let parents = role_names("parents", parents)?;
        let parent_list: Vec<String> = parents.iter().map(|r| r.to_string()).collect();
        let graph = self.store.role_graph().await?;
        let mut after = graph.clone();
        after.insert(name.to_string(), parent_list.clone());
        self.authorize(
            actor,
            Check {
                action: AdminAction::RolesWrite,
                target: Some(Self::role_target(&name, &parent_list, &graph)),
                audit_target: format!("role:{name}"),
                grants: parent_list.clone(),
                acted_on: Vec::new(),
                changes: vec![(None, delegation::role_holder(name.as_str(), &after))],
            },
        )
        .await?;
        let audit = Self::audit(
            actor,
            AdminAction::RolesWrite,
            format!("role:{name}"),
            json!({"change": "create", "parents": parent_list}),
        );
        Ok(self
            .store
            .create_role(&name, &parents, Some(&audit))
            .await?)
    }

    /// Replace a role's parents (`roles.write`). Neither the role on its own nor any user
    /// holding it (directly or through a role below it) may gain what the actor lacks.
    pub async fn update_role(
        &self,
        actor: &Actor,
        name: &str,
        parents: &[String],
    ) -> Result<RoleRow, AppError> {
        let name = RoleName::parse(name).map_err(field("name"))?;
        let parents = role_names("parents", parents)?;
        let before = self.store.role(name.as_str()).await?.parents;
        let after_list: Vec<String> = parents.iter().map(|r| r.to_string()).collect();
        let graph = self.store.role_graph().await?;
        let mut after = graph.clone();
        after.insert(name.to_string(), after_list.clone());
        let mut changes = vec![(
            Some(delegation::role_holder(name.as_str(), &graph)),
            delegation::role_holder(name.as_str(), &after),
        )];
        changes.extend(
            self.holders_of(name.as_str(), &graph, &after, |_| true)
                .await?,
        );
        self.authorize(
            actor,
            Check {
                action: AdminAction::RolesWrite,
                target: Some(Self::role_target(&name, &before, &graph)),
                audit_target: format!("role:{name}"),
                grants: after_list
                    .iter()
                    .filter(|p| !before.contains(p))
                    .cloned()
                    .collect(),
                acted_on: Vec::new(),
                changes,
            },
        )
        .await?;
        let audit = Self::audit(
            actor,
            AdminAction::RolesWrite,
            format!("role:{name}"),
            json!({"change": "update", "after": after_list}),
        );
        Ok(self
            .store
            .set_role_parents(&name, &parents, self.directory_change(&audit))
            .await?)
    }

    /// Remove a role (`roles.write`); one still held or inherited needs `force`. Losing a
    /// role may also give (a `forbid` on it), so its holders are checked like any change.
    pub async fn remove_role(
        &self,
        actor: &Actor,
        name: &str,
        force: bool,
    ) -> Result<(), AppError> {
        let name = RoleName::parse(name).map_err(field("name"))?;
        let role = self.store.role(name.as_str()).await?;
        let graph = self.store.role_graph().await?;
        let mut after = graph.clone();
        after.remove(name.as_str());
        for parents in after.values_mut() {
            parents.retain(|p| p != name.as_str());
        }
        let changes = self
            .holders_of(name.as_str(), &graph, &after, |r| r != name.as_str())
            .await?;
        self.authorize(
            actor,
            Check {
                action: AdminAction::RolesWrite,
                target: Some(Self::role_target(&name, &role.parents, &graph)),
                audit_target: format!("role:{name}"),
                grants: Vec::new(),
                acted_on: Vec::new(),
                changes,
            },
        )
        .await?;
        let audit = Self::audit(
            actor,
            AdminAction::RolesWrite,
            format!("role:{name}"),
            json!({"change": "delete", "force": force}),
        );
        Ok(self
            .store
            .remove_role(name.as_str(), force, self.directory_change(&audit))
            .await?)
    }
}
