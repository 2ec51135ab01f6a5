//! Roles and their parents (the role graph).

use super::*;

/// The whole role graph, read on `c`.
pub(super) async fn role_graph(c: &impl GenericClient) -> Result<RoleGraph, StoreError> {
    let mut graph = RoleGraph::new();
    for r in query(c, "SELECT name FROM roles", &[]).await? {
        graph.entry(r.try_get(0)?).or_default();
    }
    for r in query(
        c,
        "SELECT role, parent FROM role_parents ORDER BY role, parent",
        &[],
    )
    .await?
    {
        graph.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
    }
    Ok(graph)
}

async fn find_role(c: &impl GenericClient, name: &str) -> Result<RoleRow, StoreError> {
    let row = query_opt(
        c,
        "SELECT ARRAY(SELECT parent FROM role_parents WHERE role = $1 ORDER BY parent), \
         (SELECT COUNT(*) FROM user_roles WHERE role = $1) FROM roles WHERE name = $1",
        &[&name],
    )
    .await?
    .ok_or_else(|| StoreError::not_found(Entity::Role, name))?;
    Ok(RoleRow {
        name: name.to_owned(),
        parents: row.try_get(0)?,
        users: row.try_get(1)?,
    })
}

async fn set_parents(
    c: &impl GenericClient,
    name: &RoleName,
    parents: &[RoleName],
) -> Result<(), StoreError> {
    let mut graph = role_graph(c).await?;
    for parent in parents {
        if !graph.contains_key(parent.as_str()) {
            return Err(Invalid::UnknownParentRole {
                role: parent.to_string(),
            }
            .into());
        }
    }
    let parent_names: Vec<String> = parents.iter().map(|p| p.to_string()).collect();
    graph.insert(name.to_string(), parent_names.clone());
    if crate::model::ancestors(&graph, &parent_names).contains(name.as_str()) {
        return Err(Invalid::RoleCycle {
            role: name.to_string(),
        }
        .into());
    }
    execute(
        c,
        "DELETE FROM role_parents WHERE role = $1",
        &[&name.as_str()],
    )
    .await?;
    for parent in parents {
        execute(
            c,
            "INSERT INTO role_parents (role, parent) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&name.as_str(), &parent.as_str()],
        )
        .await?;
    }
    Ok(())
}

impl Postgres {
    pub(super) async fn create_role(
        &self,
        name: &RoleName,
        parents: &[RoleName],
        audit: Option<&Audit>,
    ) -> Result<RoleRow, StoreError> {
        let mut conn = self.conn().await?;
        let w = self.write(&mut conn, Kind::Directory, audit.into()).await?;
        let tx = w.tx();
        refuse_case_variant(tx, LookAlike::Role, name.as_str()).await?;
        let statement = tx
            .prepare_cached("INSERT INTO roles (name, created_at) VALUES ($1, $2)")
            .await?;
        tx.execute(&statement, &[&name.as_str(), &self.now()])
            .await
            .map_err(|e| {
                conflict_on_unique(e, || Conflict::RoleExists {
                    name: name.to_string(),
                })
            })?;
        set_parents(tx, name, parents).await?;
        let row = find_role(tx, name.as_str()).await?;
        w.finish().await?;
        Ok(row)
    }

    pub(super) async fn set_role_parents(
        &self,
        name: &RoleName,
        parents: &[RoleName],
        change: Change<'_>,
    ) -> Result<RoleRow, StoreError> {
        let mut conn = self.conn().await?;
        let mut w = self.write(&mut conn, Kind::Directory, change).await?;
        let tx = w.tx();
        let before = find_role(tx, name.as_str()).await?.parents;
        set_parents(tx, name, parents).await?;
        let row = find_role(tx, name.as_str()).await?;
        w.before(before.into());
        w.finish().await?;
        Ok(row)
    }

    pub(super) async fn remove_role(
        &self,
        name: &str,
        force: bool,
        change: Change<'_>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let w = self.write(&mut conn, Kind::Directory, change).await?;
        let tx = w.tx();
        let role = find_role(tx, name).await?;
        let children: i64 = query_one(
            tx,
            "SELECT COUNT(*) FROM role_parents WHERE parent = $1",
            &[&name],
        )
        .await?
        .try_get(0)?;
        if !force && (role.users > 0 || children > 0) {
            return Err(Conflict::RoleInUse {
                name: name.to_string(),
                users: role.users,
                children,
            }
            .into());
        }
        execute(tx, "DELETE FROM roles WHERE name = $1", &[&name]).await?;
        w.finish().await
    }

    pub(super) async fn list_roles(&self) -> Result<Vec<RoleRow>, StoreError> {
        let conn = self.conn().await?;
        let rows = query(
            &conn,
            "SELECT name, ARRAY(SELECT p.parent FROM role_parents p WHERE p.role = r.name ORDER BY p.parent), \
             (SELECT COUNT(*) FROM user_roles u WHERE u.role = r.name) FROM roles r ORDER BY name",
            &[],
        )
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RoleRow {
                    name: r.try_get(0)?,
                    parents: r.try_get(1)?,
                    users: r.try_get(2)?,
                })
            })
            .collect()
    }

    pub(super) async fn role(&self, name: &str) -> Result<RoleRow, StoreError> {
        let conn = self.conn().await?;
        find_role(&conn, name).await
    }

    pub(super) async fn role_graph(&self) -> Result<RoleGraph, StoreError> {
        let conn = self.conn().await?;
        role_graph(&conn).await
    }
}
