//! Roles and their parent roles (a role hierarchy, cycles refused).

use super::{bump_revision, conflict_on_unique, Audit, Change, SqliteStore, StoreError};
use crate::model::{ancestors, RoleName};
use crate::store::rows::RoleRow;
use crate::store::{Conflict, Invalid, LookAlike};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;

/// Refuse a new role name that differs from an existing one only in case
/// ([`Conflict::LookAlike`] says why).
fn refuse_case_variant(conn: &Connection, name: &RoleName) -> Result<(), StoreError> {
    let existing: Option<String> = conn
        .prepare_cached(
            "SELECT name FROM roles WHERE lower(name) = lower(?1) AND name <> ?1 LIMIT 1",
        )?
        .query_row([name.as_str()], |r| r.get(0))
        .optional()?;
    match existing {
        Some(existing) => Err(Conflict::LookAlike {
            what: LookAlike::Role,
            new: name.to_string(),
            existing,
        }
        .into()),
        None => Ok(()),
    }
}

/// Every role edge `role -> parent` in the store.
pub(crate) fn role_graph(conn: &Connection) -> Result<BTreeMap<String, Vec<String>>, StoreError> {
    let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut stmt = conn.prepare_cached("SELECT name FROM roles")?;
    for name in stmt.query_map([], |r| r.get::<_, String>(0))? {
        graph.entry(name?).or_default();
    }
    let mut stmt =
        conn.prepare_cached("SELECT role, parent FROM role_parents ORDER BY role, parent")?;
    for edge in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (role, parent) = edge?;
        graph.entry(role).or_default().push(parent);
    }
    Ok(graph)
}

fn set_parents(conn: &Connection, name: &RoleName, parents: &[RoleName]) -> Result<(), StoreError> {
    let mut graph = role_graph(conn)?;
    for parent in parents {
        if !graph.contains_key(parent.as_str()) {
            return Err(Invalid::UnknownParentRole {
                role: parent.to_string(),
            }
            .into());
        }
    }
    graph.insert(
        name.to_string(),
        parents.iter().map(|p| p.to_string()).collect(),
    );
    let parent_names: Vec<String> = parents.iter().map(|p| p.to_string()).collect();
    if ancestors(&graph, &parent_names).contains(name.as_str()) {
        return Err(Invalid::RoleCycle {
            role: name.to_string(),
        }
        .into());
    }
    conn.execute("DELETE FROM role_parents WHERE role = ?1", [name.as_str()])?;
    for parent in parents {
        conn.execute(
            "INSERT OR IGNORE INTO role_parents (role, parent) VALUES (?1, ?2)",
            params![name.as_str(), parent.as_str()],
        )?;
    }
    Ok(())
}

impl SqliteStore {
    /// Create a role with parent roles.
    pub fn create_role(
        &self,
        name: &RoleName,
        parents: &[RoleName],
        audit: Option<&Audit>,
    ) -> Result<RoleRow, StoreError> {
        self.write_audited(audit, |tx| {
            refuse_case_variant(tx, name)?;
            tx.execute(
                "INSERT INTO roles (name, created_at) VALUES (?1, ?2)",
                params![name.as_str(), self.now()],
            )
            .map_err(|e| {
                conflict_on_unique(e, || Conflict::RoleExists {
                    name: name.to_string(),
                })
            })?;
            set_parents(tx, name, parents)?;
            bump_revision(tx)?;
            find_role(tx, name.as_str())
        })
    }

    /// Replace a role's parents.
    pub fn set_role_parents(
        &self,
        name: &RoleName,
        parents: &[RoleName],
        change: Change<'_>,
    ) -> Result<RoleRow, StoreError> {
        let before = |tx: &Connection| Ok(Some(find_role(tx, name.as_str())?.parents.into()));
        self.write_directory(change, before, |tx| {
            set_parents(tx, name, parents)?;
            find_role(tx, name.as_str())
        })
    }

    /// Remove a role. Refused while users hold it or other roles inherit from it, unless
    /// `force`, which also takes it away from those users and roles.
    pub fn remove_role(
        &self,
        name: &str,
        force: bool,
        change: Change<'_>,
    ) -> Result<(), StoreError> {
        self.write_directory(
            change,
            |_| Ok(None),
            |tx| {
                let role = find_role(tx, name)?;
                let children: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM role_parents WHERE parent = ?1",
                    [name],
                    |r| r.get(0),
                )?;
                if !force && (role.users > 0 || children > 0) {
                    return Err(Conflict::RoleInUse {
                        name: name.to_string(),
                        users: role.users,
                        children,
                    }
                    .into());
                }
                tx.execute("DELETE FROM roles WHERE name = ?1", [name])?;
                Ok(())
            },
        )
    }

    /// Every role, by name.
    pub fn list_roles(&self) -> Result<Vec<RoleRow>, StoreError> {
        self.read(|c| {
            let graph = role_graph(c)?;
            graph.keys().map(|name| find_role(c, name)).collect()
        })
    }

    /// One role.
    pub fn role(&self, name: &str) -> Result<RoleRow, StoreError> {
        self.read(|c| find_role(c, name))
    }

    /// The whole role graph (`role -> direct parents`).
    pub fn role_graph(&self) -> Result<BTreeMap<String, Vec<String>>, StoreError> {
        self.read(role_graph)
    }
}

fn find_role(conn: &Connection, name: &str) -> Result<RoleRow, StoreError> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM roles WHERE name = ?1)",
        [name],
        |r| r.get(0),
    )?;
    if !exists {
        return Err(StoreError::not_found(crate::store::Entity::Role, name));
    }
    let mut stmt =
        conn.prepare_cached("SELECT parent FROM role_parents WHERE role = ?1 ORDER BY parent")?;
    let parents = stmt
        .query_map([name], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    let users = conn.query_row(
        "SELECT COUNT(*) FROM user_roles WHERE role = ?1",
        [name],
        |r| r.get(0),
    )?;
    Ok(RoleRow {
        name: name.to_string(),
        parents,
        users,
    })
}
