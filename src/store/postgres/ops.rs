//! Every store operation in PostgreSQL, with the semantics of the SQLite back end. Each
//! atomic one says why it is atomic here (READ COMMITTED, see the module above).

use super::{
    audit_row, conflict_on_unique, execute, query, query_one, query_opt, Postgres, DIRECTORY_LOCK,
    KEYS_LOCK,
};
use crate::model::{ClientName, Email, RoleName, SearchText, UserName};
use crate::store::rows::{capped_json, like_escape};
use crate::store::user_fields_before;
use crate::store::{
    AdminProbe, Audit, AuditRow, Backend, ClientRow, DecisionFilter, DecisionRow, DecisionStats,
    Entity, IdentityRow, KeyRow, LookAlike, NewUser, RefreshLimits, RefreshOutcome, ReplicaRow,
    Reservation, RoleRow, SessionRow, StoreError, ThrottleKey, UserRow,
};
use crate::util::{random_id, sha256_hex};
use deadpool_postgres::{GenericClient, Transaction};
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use tokio_postgres::Row;

/// A user's columns with its roles in order (one query, no per-user round trip).
const USER_COLUMNS: &str =
    "u.id, u.email, u.name, u.disabled, u.tokens_valid_after, u.created_at, \
     ARRAY(SELECT r.role FROM user_roles r WHERE r.user_id = u.id ORDER BY r.position)";
const USER_SELECT: &str = "SELECT u.id, u.email, u.name, u.disabled, u.tokens_valid_after, u.created_at, \
     ARRAY(SELECT r.role FROM user_roles r WHERE r.user_id = u.id ORDER BY r.position) FROM users u";

fn user_from_row(r: &Row) -> UserRow {
    UserRow {
        id: r.get(0),
        email: r.get(1),
        name: r.get(2),
        disabled: r.get(3),
        tokens_valid_after: r.get(4),
        created_at: r.get(5),
        roles: r.get(6),
    }
}

pub(super) async fn find_user(
    c: &impl GenericClient,
    id: &str,
) -> Result<Option<UserRow>, StoreError> {
    Ok(
        query_opt(c, &format!("{USER_SELECT} WHERE u.id = $1"), &[&id])
            .await?
            .map(|r| user_from_row(&r)),
    )
}

pub(super) async fn must_find_user(
    c: &impl GenericClient,
    id: &str,
) -> Result<UserRow, StoreError> {
    find_user(c, id)
        .await?
        .ok_or_else(|| StoreError::not_found(Entity::User, id))
}

const SESSION_COLUMNS: &str =
    "id, user_id, created_at, last_used_at, expires_at, revoked_at, revoked_reason";

fn session_from_row(r: &Row) -> SessionRow {
    SessionRow {
        id: r.get(0),
        user_id: r.get(1),
        created_at: r.get(2),
        last_used_at: r.get(3),
        expires_at: r.get(4),
        revoked_at: r.get(5),
        revoked_reason: r.get(6),
    }
}

async fn find_session(c: &impl GenericClient, id: &str) -> Result<Option<SessionRow>, StoreError> {
    Ok(query_opt(
        c,
        &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1"),
        &[&id],
    )
    .await?
    .map(|r| session_from_row(&r)))
}

async fn revoke_user_sessions(
    c: &impl GenericClient,
    user_id: &str,
    reason: &str,
    at: i64,
) -> Result<usize, StoreError> {
    Ok(execute(
        c,
        "UPDATE sessions SET revoked_at = $2, revoked_reason = $3 WHERE user_id = $1 AND revoked_at IS NULL",
        &[&user_id, &at, &reason],
    )
    .await? as usize)
}

async fn role_graph(c: &impl GenericClient) -> Result<BTreeMap<String, Vec<String>>, StoreError> {
    let mut graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in query(c, "SELECT name FROM roles", &[]).await? {
        graph.entry(r.get(0)).or_default();
    }
    for r in query(
        c,
        "SELECT role, parent FROM role_parents ORDER BY role, parent",
        &[],
    )
    .await?
    {
        graph.entry(r.get(0)).or_default().push(r.get(1));
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
        parents: row.get(0),
        users: row.get(1),
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
            return Err(StoreError::Invalid(format!("unknown parent role {parent}")));
        }
    }
    let parent_names: Vec<String> = parents.iter().map(|p| p.to_string()).collect();
    graph.insert(name.to_string(), parent_names.clone());
    if crate::model::ancestors(&graph, &parent_names).contains(name.as_str()) {
        return Err(StoreError::Invalid(format!(
            "role {name} cannot have these parents: that would make a cycle"
        )));
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

async fn write_roles(
    c: &impl GenericClient,
    id: &str,
    roles: &[RoleName],
) -> Result<(), StoreError> {
    for role in roles {
        let exists: bool = query_one(
            c,
            "SELECT EXISTS(SELECT 1 FROM roles WHERE name = $1)",
            &[&role.as_str()],
        )
        .await?
        .get(0);
        if !exists {
            return Err(StoreError::Invalid(format!("unknown role {role}")));
        }
    }
    execute(c, "DELETE FROM user_roles WHERE user_id = $1", &[&id]).await?;
    for (position, role) in roles.iter().enumerate() {
        execute(
            c,
            "INSERT INTO user_roles (user_id, role, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&id, &role.as_str(), &(position as i64)],
        )
        .await?;
    }
    Ok(())
}

/// Insert `user` with its roles inside `tx` (under the directory lock, taken here) and
/// return it as stored.
pub(super) async fn create_user_in(
    tx: &Transaction<'_>,
    user: &NewUser,
    now: i64,
) -> Result<UserRow, StoreError> {
    execute(tx, "SELECT pg_advisory_xact_lock($1)", &[&DIRECTORY_LOCK]).await?;
    refuse_case_variant(tx, LookAlike::User, user.id.as_str()).await?;
    let statement = tx
        .prepare_cached("INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
        .await?;
    tx.execute(
        &statement,
        &[
            &user.id.as_str(),
            &user.email.as_str(),
            &user.name.as_str(),
            &user.password_hash,
            &now,
        ],
    )
    .await
    .map_err(|e| {
        conflict_on_unique(e, || {
            format!(
                "a user with id {} or email {} already exists",
                user.id, user.email
            )
        })
    })?;
    write_roles(tx, user.id.as_str(), &user.roles).await?;
    must_find_user(tx, user.id.as_str()).await
}

async fn touch(c: &impl GenericClient, id: &str, at: i64) -> Result<(), StoreError> {
    execute(
        c,
        "UPDATE users SET updated_at = $2 WHERE id = $1",
        &[&id, &at],
    )
    .await?;
    Ok(())
}

/// Whether some enabled user passes `probe` (stops at the first).
pub(super) async fn someone_passes(
    c: &impl GenericClient,
    probe: &AdminProbe,
) -> Result<bool, StoreError> {
    let graph = role_graph(c).await?;
    let rows = query(
        c,
        &format!("{USER_SELECT} WHERE NOT u.disabled ORDER BY u.id"),
        &[],
    )
    .await?;
    Ok(rows.iter().any(|r| probe(&user_from_row(r), &graph)))
}

async fn unlock_in(c: &impl GenericClient, email: &str) -> Result<usize, StoreError> {
    Ok(execute(
        c,
        "DELETE FROM login_throttle WHERE account = $1",
        &[&crate::model::email_key(email)],
    )
    .await? as usize)
}

fn client_from_row(r: &Row) -> ClientRow {
    ClientRow {
        id: r.get(0),
        name: r.get(1),
        created_at: r.get(2),
        revoked_at: r.get(3),
    }
}

impl Postgres {
    pub(super) async fn begin<'a>(
        conn: &'a mut deadpool_postgres::Object,
    ) -> Result<Transaction<'a>, StoreError> {
        Ok(conn.transaction().await?)
    }
}

#[async_trait::async_trait]
impl Backend for Postgres {
    fn set_admin_probe(&self, probe: AdminProbe) {
        match self.admin_probe.write() {
            Ok(mut p) => *p = Some(probe),
            Err(poisoned) => *poisoned.into_inner() = Some(probe),
        }
    }

    async fn revision(&self) -> Result<i64, StoreError> {
        let conn = self.conn().await?;
        let value: i64 = query_one(&conn, "SELECT value FROM meta WHERE key = 'revision'", &[])
            .await?
            .get(0);
        self.revision.saw(value);
        Ok(value)
    }

    fn current_revision(&self) -> Result<i64, StoreError> {
        // Fail closed while the notification connection is down (see `listener`).
        if !self.revision.live.load(Ordering::Acquire) {
            return Err(StoreError::Unavailable);
        }
        Ok(self.revision.known.load(Ordering::Acquire))
    }

    async fn secret(&self, name: &str, fresh: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        // The insert either lands or meets the row of whoever won; both read that row.
        let conn = self.conn().await?;
        execute(
            &conn,
            "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            &[&name, &fresh],
        )
        .await?;
        Ok(
            query_one(&conn, "SELECT value FROM secrets WHERE name = $1", &[&name])
                .await?
                .get(0),
        )
    }

    async fn replace_secret(&self, name: &str, value: Vec<u8>) -> Result<(), StoreError> {
        let conn = self.conn().await?;
        execute(
            &conn,
            "INSERT INTO secrets (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
            &[&name, &value],
        )
        .await?;
        Ok(())
    }

    async fn audit(&self, audit: &Audit) -> Result<(), StoreError> {
        let conn = self.conn().await?;
        audit_row(&conn, audit, self.now()).await
    }

    async fn create_user(
        &self,
        user: &NewUser,
        audit: Option<&Audit>,
    ) -> Result<UserRow, StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        let row = create_user_in(&tx, user, self.now()).await?;
        self.audit_in(&tx, audit).await?;
        self.commit(tx, true).await?;
        Ok(row)
    }

    async fn user(&self, id: &str) -> Result<UserRow, StoreError> {
        let conn = self.conn().await?;
        must_find_user(&conn, id).await
    }

    async fn user_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<(UserRow, Option<String>)>, StoreError> {
        let conn = self.conn().await?;
        // The key is ASCII lower case and stored addresses are ASCII: `lower()` of a stored
        // address is its key, never a Unicode folding of a look-alike (the input is one).
        let row = query_opt(
            &conn,
            &format!(
                "SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE lower(u.email) = $1"
            ),
            &[&email.key()],
        )
        .await?;
        Ok(row.map(|r| (user_from_row(&r), r.get(7))))
    }

    async fn list_users(
        &self,
        filter: Option<&SearchText>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<UserRow>, StoreError> {
        let conn = self.conn().await?;
        let pattern = format!("%{}%", like_escape(filter.map_or("", SearchText::as_str)));
        let rows = query(
            &conn,
            &format!("{USER_SELECT} WHERE u.id ILIKE $1 ESCAPE '\\' OR u.email ILIKE $1 ESCAPE '\\' OR u.name ILIKE $1 ESCAPE '\\' ORDER BY u.id LIMIT $2 OFFSET $3"),
            &[&pattern, &limit.max(0), &offset.max(0)],
        )
        .await?;
        Ok(rows.iter().map(user_from_row).collect())
    }

    async fn list_users_after(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UserRow>, StoreError> {
        let conn = self.conn().await?;
        let rows = query(
            &conn,
            &format!("{USER_SELECT} WHERE u.id > $1 ORDER BY u.id LIMIT $2"),
            &[&after.unwrap_or(""), &limit.max(0)],
        )
        .await?;
        Ok(rows.iter().map(user_from_row).collect())
    }

    async fn set_user_roles(
        &self,
        id: &str,
        roles: &[RoleName],
        audit: Option<&Audit>,
    ) -> Result<UserRow, StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        let guard = self.directory_begin(&tx).await?;
        let before = must_find_user(&tx, id).await?.roles;
        write_roles(&tx, id, roles).await?;
        touch(&tx, id, self.now()).await?;
        self.directory_checked(&tx, guard).await?;
        let row = must_find_user(&tx, id).await?;
        self.record(&tx, audit, Some(before.into())).await?;
        self.commit(tx, true).await?;
        Ok(row)
    }

    async fn set_password_hash(&self, id: &str, hash: &str) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        let n = execute(
            &tx,
            "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",
            &[&id, &hash, &self.now()],
        )
        .await?;
        if n == 0 {
            return Err(StoreError::not_found(Entity::User, id));
        }
        self.commit(tx, true).await
    }

    async fn reset_password(
        &self,
        id: &str,
        hash: &str,
        audit: Option<&Audit>,
    ) -> Result<usize, StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        let t = self.now();
        let email: Option<String> = query_opt(
            &tx,
            "UPDATE users SET password_hash = $2, tokens_valid_after = $3, updated_at = $3 WHERE id = $1 RETURNING email",
            &[&id, &hash, &t],
        )
        .await?
        .map(|r| r.get(0));
        let Some(email) = email else {
            return Err(StoreError::not_found(Entity::User, id));
        };
        let ended = revoke_user_sessions(&tx, id, "password_reset", t).await?;
        unlock_in(&tx, &email).await?;
        self.audit_in(&tx, audit).await?;
        self.commit(tx, true).await?;
        Ok(ended)
    }

    async fn change_own_password(
        &self,
        id: &str,
        hash: &str,
        keep: &str,
        audit: Option<&Audit>,
    ) -> Result<usize, StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        let t = self.now();
        let n = execute(
            &tx,
            "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",
            &[&id, &hash, &t],
        )
        .await?;
        if n == 0 {
            return Err(StoreError::not_found(Entity::User, id));
        }
        let ended = execute(
            &tx,
            "UPDATE sessions SET revoked_at = $3, revoked_reason = 'password_changed' WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL",
            &[&id, &keep, &t],
        )
        .await?;
        self.audit_in(&tx, audit).await?;
        self.commit(tx, true).await?;
        Ok(ended as usize)
    }

    async fn password_hash(&self, id: &str) -> Result<Option<String>, StoreError> {
        let conn = self.conn().await?;
        query_opt(
            &conn,
            "SELECT password_hash FROM users WHERE id = $1",
            &[&id],
        )
        .await?
        .map(|r| r.get(0))
        .ok_or_else(|| StoreError::not_found(Entity::User, id))
    }

    async fn update_user(
        &self,
        id: &str,
        email: Option<&Email>,
        name: Option<&UserName>,
        disabled: Option<bool>,
        audit: Option<&Audit>,
    ) -> Result<UserRow, StoreError> {
        if email.is_none() && name.is_none() && disabled.is_none() {
            return self.user(id).await;
        }
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        // Every writer of these columns takes the directory lock: what is read next is what
        // the change replaces.
        let guard = self.directory_begin(&tx).await?;
        let before = must_find_user(&tx, id).await?;
        if let Some(email) = email {
            let statement = tx
                .prepare_cached("UPDATE users SET email = $2 WHERE id = $1")
                .await?;
            tx.execute(&statement, &[&id, &email.as_str()])
                .await
                .map_err(|e| conflict_on_unique(e, || format!("email {email} is already taken")))?;
        }
        if let Some(name) = name {
            execute(
                &tx,
                "UPDATE users SET name = $2 WHERE id = $1",
                &[&id, &name.as_str()],
            )
            .await?;
        }
        if let Some(disabled) = disabled {
            execute(
                &tx,
                "UPDATE users SET disabled = $2 WHERE id = $1",
                &[&id, &disabled],
            )
            .await?;
            if disabled {
                revoke_user_sessions(&tx, id, "user_disabled", self.now()).await?;
            }
        }
        touch(&tx, id, self.now()).await?;
        self.directory_checked(&tx, guard).await?;
        let row = must_find_user(&tx, id).await?;
        let before = user_fields_before(&before, email, name, disabled);
        self.record(&tx, audit, Some(before)).await?;
        self.commit(tx, true).await?;
        Ok(row)
    }

    async fn delete_user(&self, id: &str, audit: Option<&Audit>) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        let guard = self.directory_begin(&tx).await?;
        let n = execute(&tx, "DELETE FROM users WHERE id = $1", &[&id]).await?;
        if n == 0 {
            return Err(StoreError::not_found(Entity::User, id));
        }
        self.directory_checked(&tx, guard).await?;
        self.audit_in(&tx, audit).await?;
        self.commit(tx, true).await
    }

    async fn revoke_user_tokens(&self, id: &str, audit: Option<&Audit>) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        let t = self.now();
        let n = execute(
            &tx,
            "UPDATE users SET tokens_valid_after = $2, updated_at = $2 WHERE id = $1",
            &[&id, &t],
        )
        .await?;
        if n == 0 {
            return Err(StoreError::not_found(Entity::User, id));
        }
        revoke_user_sessions(&tx, id, "revoked_all", t).await?;
        self.audit_in(&tx, audit).await?;
        self.commit(tx, true).await
    }

    async fn count_users(&self) -> Result<i64, StoreError> {
        let conn = self.conn().await?;
        Ok(query_one(&conn, "SELECT COUNT(*) FROM users", &[])
            .await?
            .get(0))
    }

    async fn create_role(
        &self,
        name: &RoleName,
        parents: &[RoleName],
        audit: Option<&Audit>,
    ) -> Result<RoleRow, StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        execute(&tx, "SELECT pg_advisory_xact_lock($1)", &[&DIRECTORY_LOCK]).await?;
        refuse_case_variant(&tx, LookAlike::Role, name.as_str()).await?;
        let statement = tx
            .prepare_cached("INSERT INTO roles (name, created_at) VALUES ($1, $2)")
            .await?;
        tx.execute(&statement, &[&name.as_str(), &self.now()])
            .await
            .map_err(|e| conflict_on_unique(e, || format!("role {name} already exists")))?;
        set_parents(&tx, name, parents).await?;
        let row = find_role(&tx, name.as_str()).await?;
        self.audit_in(&tx, audit).await?;
        self.commit(tx, true).await?;
        Ok(row)
    }

    async fn set_role_parents(
        &self,
        name: &RoleName,
        parents: &[RoleName],
        audit: Option<&Audit>,
    ) -> Result<RoleRow, StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        let guard = self.directory_begin(&tx).await?;
        let before = find_role(&tx, name.as_str()).await?.parents;
        set_parents(&tx, name, parents).await?;
        self.directory_checked(&tx, guard).await?;
        let row = find_role(&tx, name.as_str()).await?;
        self.record(&tx, audit, Some(before.into())).await?;
        self.commit(tx, true).await?;
        Ok(row)
    }

    async fn remove_role(
        &self,
        name: &str,
        force: bool,
        audit: Option<&Audit>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        let guard = self.directory_begin(&tx).await?;
        let role = find_role(&tx, name).await?;
        let children: i64 = query_one(
            &tx,
            "SELECT COUNT(*) FROM role_parents WHERE parent = $1",
            &[&name],
        )
        .await?
        .get(0);
        if !force && (role.users > 0 || children > 0) {
            return Err(StoreError::Conflict(format!(
                "role {name} is still held by {} user(s) and inherited by {children} role(s)",
                role.users
            )));
        }
        execute(&tx, "DELETE FROM roles WHERE name = $1", &[&name]).await?;
        self.directory_checked(&tx, guard).await?;
        self.audit_in(&tx, audit).await?;
        self.commit(tx, true).await
    }

    async fn list_roles(&self) -> Result<Vec<RoleRow>, StoreError> {
        let conn = self.conn().await?;
        let rows = query(
            &conn,
            "SELECT name, ARRAY(SELECT p.parent FROM role_parents p WHERE p.role = r.name ORDER BY p.parent), \
             (SELECT COUNT(*) FROM user_roles u WHERE u.role = r.name) FROM roles r ORDER BY name",
            &[],
        )
        .await?;
        Ok(rows
            .iter()
            .map(|r| RoleRow {
                name: r.get(0),
                parents: r.get(1),
                users: r.get(2),
            })
            .collect())
    }

    async fn role(&self, name: &str) -> Result<RoleRow, StoreError> {
        let conn = self.conn().await?;
        find_role(&conn, name).await
    }

    async fn role_graph(&self) -> Result<BTreeMap<String, Vec<String>>, StoreError> {
        let conn = self.conn().await?;
        role_graph(&conn).await
    }

    async fn create_session(
        &self,
        user_id: &str,
        refresh_hash: &str,
        absolute_secs: i64,
    ) -> Result<SessionRow, StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        let t = self.now();
        let id = random_id();
        let row = query_one(
            &tx,
            &format!("INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at) VALUES ($1, $2, $3, $3, $4) RETURNING {SESSION_COLUMNS}"),
            &[&id, &user_id, &t, &(t + absolute_secs)],
        )
        .await?;
        execute(
            &tx,
            "INSERT INTO refresh_tokens (hash, session_id, created_at) VALUES ($1, $2, $3)",
            &[&refresh_hash, &id, &t],
        )
        .await?;
        self.commit(tx, false).await?;
        Ok(session_from_row(&row))
    }

    /// The concurrency argument: every token of a family belongs to one session, and the
    /// session row is locked (`FOR UPDATE`) before the presented token is read again under
    /// its own lock. So all refreshes of one family, on any replica, run one after the other;
    /// each statement at READ COMMITTED reads what the previous one committed. Of 16 racing
    /// refreshes of one token the first finds it unused and rotates it; every later one finds
    /// it used with its successor live (a replay within the grace window: the same successor)
    /// or not (a reuse: the family is revoked). The lock order (session, then token, then the
    /// revision row at commit) is the order every other writer uses, so no deadlock.
    async fn rotate_refresh(
        &self,
        presented_hash: &str,
        successor_hash: &str,
        limits: RefreshLimits,
    ) -> Result<RefreshOutcome, StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        let t = self.now();
        let Some(family) = query_opt(
            &tx,
            "SELECT session_id FROM refresh_tokens WHERE hash = $1",
            &[&presented_hash],
        )
        .await?
        else {
            return Ok(RefreshOutcome::Dead("unknown refresh token"));
        };
        let session_id: String = family.get(0);
        let Some(session) = query_opt(
            &tx,
            &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1 FOR UPDATE"),
            &[&session_id],
        )
        .await?
        .map(|r| session_from_row(&r)) else {
            return Ok(RefreshOutcome::Dead("session not found"));
        };
        let Some(token) = query_opt(
            &tx,
            "SELECT used_at, successor_hash FROM refresh_tokens WHERE hash = $1 FOR UPDATE",
            &[&presented_hash],
        )
        .await?
        else {
            return Ok(RefreshOutcome::Dead("unknown refresh token"));
        };
        let used_at: Option<i64> = token.get(0);
        let recorded_successor: Option<String> = token.get(1);
        if session.revoked_at.is_some() {
            return Ok(RefreshOutcome::Dead("session revoked"));
        }
        if t >= session.expires_at {
            return Ok(RefreshOutcome::Dead("session expired"));
        }
        if t >= session.last_used_at + limits.idle_secs {
            execute(
                &tx,
                "UPDATE sessions SET revoked_at = $2, revoked_reason = 'idle_timeout' WHERE id = $1 AND revoked_at IS NULL",
                &[&session.id, &t],
            )
            .await?;
            self.commit(tx, true).await?;
            return Ok(RefreshOutcome::Dead("session idle too long"));
        }
        let disabled: bool = query_one(
            &tx,
            "SELECT disabled FROM users WHERE id = $1",
            &[&session.user_id],
        )
        .await?
        .get(0);
        if disabled {
            return Ok(RefreshOutcome::Dead("user disabled"));
        }
        if used_at.is_none() {
            execute(
                &tx,
                "UPDATE refresh_tokens SET used_at = $2, successor_hash = $3 WHERE hash = $1",
                &[&presented_hash, &t, &successor_hash],
            )
            .await?;
            execute(
                &tx,
                "INSERT INTO refresh_tokens (hash, session_id, created_at) VALUES ($1, $2, $3)",
                &[&successor_hash, &session.id, &t],
            )
            .await?;
            let row = query_one(
                &tx,
                &format!("UPDATE sessions SET last_used_at = $2 WHERE id = $1 RETURNING {SESSION_COLUMNS}"),
                &[&session.id, &t],
            )
            .await?;
            self.commit(tx, false).await?;
            return Ok(RefreshOutcome::Rotated(session_from_row(&row)));
        }
        // Already used. Within the grace window, and only if its successor is the live
        // token of the family, this is a browser's concurrent refresh: answer the same
        // successor. Anything else is reuse of a stolen token (OAuth 2.0 Security BCP,
        // RFC 9700 section 4.14.2): revoke the whole family.
        let successor_live: bool = query_one(
            &tx,
            "SELECT EXISTS(SELECT 1 FROM refresh_tokens WHERE hash = $1 AND used_at IS NULL)",
            &[&successor_hash],
        )
        .await?
        .get(0);
        // A grace of 0 turns the window off: every replay is a reuse.
        let within_grace =
            limits.grace_secs > 0 && used_at.is_some_and(|used| t - used <= limits.grace_secs);
        if within_grace && successor_live && recorded_successor.as_deref() == Some(successor_hash) {
            return Ok(RefreshOutcome::Replayed(session));
        }
        let row = query_one(
            &tx,
            &format!("UPDATE sessions SET revoked_at = $2, revoked_reason = 'refresh_token_reuse' WHERE id = $1 RETURNING {SESSION_COLUMNS}"),
            &[&session.id, &t],
        )
        .await?;
        audit_row(
            &tx,
            &crate::store::reuse_audit(&session.id, &session.user_id),
            t,
        )
        .await?;
        self.commit(tx, true).await?;
        Ok(RefreshOutcome::Reused(session_from_row(&row)))
    }

    async fn session(&self, id: &str) -> Result<Option<SessionRow>, StoreError> {
        let conn = self.conn().await?;
        find_session(&conn, id).await
    }

    async fn list_sessions(
        &self,
        user_id: Option<&str>,
        active_only: bool,
    ) -> Result<Vec<SessionRow>, StoreError> {
        let conn = self.conn().await?;
        let rows = query(
            &conn,
            &format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE ($1::text IS NULL OR user_id = $1) \
                 AND (NOT $2 OR (revoked_at IS NULL AND expires_at > $3)) ORDER BY created_at DESC, id LIMIT 1000"
            ),
            &[&user_id, &active_only, &self.now()],
        )
        .await?;
        Ok(rows.iter().map(session_from_row).collect())
    }

    async fn revoke_session(
        &self,
        id: &str,
        reason: &str,
        audit: Option<&Audit>,
    ) -> Result<SessionRow, StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        if find_session(&tx, id).await?.is_none() {
            return Err(StoreError::not_found(Entity::Session, id));
        }
        execute(
            &tx,
            "UPDATE sessions SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL",
            &[&id, &self.now(), &reason],
        )
        .await?;
        let row = find_session(&tx, id)
            .await?
            .ok_or_else(|| StoreError::not_found(Entity::Session, id))?;
        self.audit_in(&tx, audit).await?;
        self.commit(tx, true).await?;
        Ok(row)
    }

    async fn session_of_refresh(&self, hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let conn = self.conn().await?;
        Ok(query_opt(
            &conn,
            &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = (SELECT session_id FROM refresh_tokens WHERE hash = $1 AND used_at IS NULL)"),
            &[&hash],
        )
        .await?
        .map(|r| session_from_row(&r)))
    }

    async fn revoke_jti(
        &self,
        jti: &str,
        expires_at: i64,
        audit: Option<&Audit>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        let t = self.now();
        execute(
            &tx,
            "INSERT INTO revoked_tokens (jti, expires_at, revoked_at) VALUES ($1, $2, $3) ON CONFLICT (jti) DO NOTHING",
            &[&jti, &expires_at, &t],
        )
        .await?;
        // Expired entries can go: their tokens fail the expiry check on their own. Rows
        // another replica is deleting right now are skipped, not waited for (no deadlock).
        execute(
            &tx,
            "DELETE FROM revoked_tokens WHERE jti IN (SELECT jti FROM revoked_tokens WHERE expires_at < $1 FOR UPDATE SKIP LOCKED)",
            &[&(t - 3600)],
        )
        .await?;
        self.audit_in(&tx, audit).await?;
        self.commit(tx, true).await
    }

    async fn is_jti_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        let conn = self.conn().await?;
        Ok(query_one(
            &conn,
            "SELECT EXISTS(SELECT 1 FROM revoked_tokens WHERE jti = $1)",
            &[&jti],
        )
        .await?
        .get(0))
    }

    async fn create_client(
        &self,
        name: &str,
        audit: Option<&Audit>,
    ) -> Result<(ClientRow, String), StoreError> {
        let name = ClientName::parse(name).map_err(|e| StoreError::Invalid(e.0))?;
        let id = random_id();
        let key = format!("wdn_{}", crate::util::random_token(32));
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        let row = query_one(
            &tx,
            "INSERT INTO clients (id, name, key_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id, name, created_at, revoked_at",
            &[&id, &name.as_str(), &sha256_hex(&key), &self.now()],
        )
        .await?;
        self.audit_in(&tx, audit).await?;
        self.commit(tx, false).await?;
        Ok((client_from_row(&row), key))
    }

    async fn client(&self, id: &str) -> Result<ClientRow, StoreError> {
        let conn = self.conn().await?;
        query_opt(
            &conn,
            "SELECT id, name, created_at, revoked_at FROM clients WHERE id = $1",
            &[&id],
        )
        .await?
        .map(|r| client_from_row(&r))
        .ok_or_else(|| StoreError::not_found(Entity::Client, id))
    }

    async fn list_clients(&self) -> Result<Vec<ClientRow>, StoreError> {
        let conn = self.conn().await?;
        let rows = query(
            &conn,
            "SELECT id, name, created_at, revoked_at FROM clients ORDER BY created_at, id",
            &[],
        )
        .await?;
        Ok(rows.iter().map(client_from_row).collect())
    }

    async fn revoke_client(
        &self,
        id: &str,
        audit: Option<&Audit>,
    ) -> Result<ClientRow, StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        let n = execute(
            &tx,
            "UPDATE clients SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            &[&id, &self.now()],
        )
        .await?;
        let row = query_opt(
            &tx,
            "SELECT id, name, created_at, revoked_at FROM clients WHERE id = $1",
            &[&id],
        )
        .await?
        .map(|r| client_from_row(&r))
        .ok_or_else(|| StoreError::not_found(Entity::Client, id))?;
        self.audit_in(&tx, audit).await?;
        // Live client keys are cached while the revision holds (see
        // `identity::Resolver::client`): a revoked key must stop working at once.
        self.commit(tx, n > 0).await?;
        Ok(row)
    }

    async fn client_by_key(&self, key: &str) -> Result<Option<ClientRow>, StoreError> {
        let conn = self.conn().await?;
        Ok(query_opt(
            &conn,
            "SELECT id, name, created_at, revoked_at FROM clients WHERE key_hash = $1 AND revoked_at IS NULL",
            &[&sha256_hex(key)],
        )
        .await?
        .map(|r| client_from_row(&r)))
    }

    async fn keys(&self) -> Result<Vec<KeyRow>, StoreError> {
        let conn = self.conn().await?;
        let rows = query(
            &conn,
            "SELECT kid, alg, private_der, public_raw, created_at, retired_at FROM signing_keys ORDER BY created_at DESC, seq DESC",
            &[],
        )
        .await?;
        Ok(rows
            .iter()
            .map(|r| KeyRow {
                kid: r.get(0),
                alg: r.get(1),
                private_der: r.get(2),
                public_raw: r.get(3),
                created_at: r.get(4),
                retired_at: r.get(5),
            })
            .collect())
    }

    /// Two replicas rotating at once take turns on an advisory lock, so the second retires
    /// the first's key and exactly one key stays active (an UPDATE alone would not see a
    /// row inserted by a transaction that committed after the statement began).
    async fn add_key(
        &self,
        kid: &str,
        alg: &str,
        private_der: &[u8],
        public_raw: &[u8],
        audit: Option<&Audit>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        execute(&tx, "SELECT pg_advisory_xact_lock($1)", &[&KEYS_LOCK]).await?;
        let t = self.now();
        execute(
            &tx,
            "UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL",
            &[&t],
        )
        .await?;
        execute(
            &tx,
            "INSERT INTO signing_keys (kid, alg, private_der, public_raw, created_at) VALUES ($1, $2, $3, $4, $5)",
            &[&kid, &alg, &private_der, &public_raw, &t],
        )
        .await?;
        self.audit_in(&tx, audit).await?;
        // Other replicas reload their keys when the revision moves (NOTIFY).
        self.commit(tx, true).await
    }

    async fn list_audit(
        &self,
        actor: Option<&str>,
        action: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let conn = self.conn().await?;
        let rows = query(
            &conn,
            "SELECT id, at, actor, action, target, detail, address FROM audit_log \
             WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2) ORDER BY id DESC LIMIT $3",
            &[&actor, &action, &limit.max(0)],
        )
        .await?;
        Ok(rows
            .iter()
            .map(|r| AuditRow {
                id: r.get(0),
                at: r.get(1),
                actor: r.get(2),
                action: r.get(3),
                target: r.get(4),
                detail: serde_json::from_str(r.get(5)).unwrap_or(serde_json::Value::Null),
                address: r.get(6),
            })
            .collect())
    }

    async fn append_decisions(&self, rows: &[DecisionRow], retain: i64) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        // One statement for the whole batch (the columns as arrays, unnested in order): a
        // statement per row would be a round trip per decision, awaited one after another,
        // and the load run showed that cost on every replica's CPU.
        let mut at = Vec::with_capacity(rows.len());
        let mut request_id = Vec::with_capacity(rows.len());
        let mut client = Vec::with_capacity(rows.len());
        let mut principal = Vec::with_capacity(rows.len());
        let mut action = Vec::with_capacity(rows.len());
        let mut resource = Vec::with_capacity(rows.len());
        let mut decision = Vec::with_capacity(rows.len());
        let mut reasons = Vec::with_capacity(rows.len());
        let mut errors = Vec::with_capacity(rows.len());
        let mut latency_us = Vec::with_capacity(rows.len());
        let mut properties = Vec::with_capacity(rows.len());
        let mut context = Vec::with_capacity(rows.len());
        let mut address = Vec::with_capacity(rows.len());
        for d in rows {
            address.push(d.address.as_str());
            at.push(d.at);
            request_id.push(d.request_id.as_str());
            client.push(d.client.as_str());
            principal.push(d.principal.as_str());
            action.push(d.action.as_str());
            resource.push(d.resource.as_str());
            decision.push(d.decision.as_str());
            reasons.push(serde_json::to_string(&d.reasons).unwrap_or_default());
            errors.push(serde_json::to_string(&d.errors).unwrap_or_default());
            latency_us.push(d.latency_us);
            properties.push(capped_json(&d.properties));
            context.push(capped_json(&d.context));
        }
        execute(
            &tx,
            "INSERT INTO decision_log (at, request_id, client, principal, action, resource, decision, reasons, errors, latency_us, properties, context, address) \
             SELECT at, request_id, client, principal, action, resource, decision, reasons, errors, latency_us, properties, context, address \
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::text[], $12::text[], $13::text[]) \
             WITH ORDINALITY AS b(at, request_id, client, principal, action, resource, decision, reasons, errors, latency_us, properties, context, address, n) \
             ORDER BY n",
            &[
                &at,
                &request_id,
                &client,
                &principal,
                &action,
                &resource,
                &decision,
                &reasons,
                &errors,
                &latency_us,
                &properties,
                &context,
                &address,
            ],
        )
        .await?;
        // Every replica trims the shared log to the same bound; rows being trimmed by
        // another replica are skipped rather than waited for.
        execute(
            &tx,
            "DELETE FROM decision_log WHERE id IN (SELECT id FROM decision_log WHERE id <= (SELECT MAX(id) FROM decision_log) - $1 FOR UPDATE SKIP LOCKED)",
            &[&retain],
        )
        .await?;
        self.commit(tx, false).await
    }

    async fn list_decisions(
        &self,
        principal: Option<&str>,
        action: Option<&str>,
        decision: Option<&str>,
        since: Option<i64>,
        limit: i64,
    ) -> Result<Vec<DecisionRow>, StoreError> {
        self.query_decisions(&DecisionFilter {
            principal: principal.map(str::to_owned),
            action: action.map(str::to_owned),
            decision: decision.map(str::to_owned),
            since,
            after_id: None,
            limit,
        })
        .await
    }

    async fn query_decisions(&self, f: &DecisionFilter) -> Result<Vec<DecisionRow>, StoreError> {
        let conn = self.conn().await?;
        let rows = query(
            &conn,
            "SELECT at, request_id, client, principal, action, resource, decision, reasons, errors, latency_us, id, properties, context, address FROM decision_log \
             WHERE ($1::text IS NULL OR principal = $1) AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR decision = $3) \
             AND ($4::bigint IS NULL OR at >= $4) AND ($5::bigint IS NULL OR id > $5) ORDER BY id DESC LIMIT $6",
            &[&f.principal, &f.action, &f.decision, &f.since, &f.after_id, &f.limit.max(0)],
        )
        .await?;
        Ok(rows
            .iter()
            .map(|r| DecisionRow {
                id: r.get(10),
                at: r.get(0),
                request_id: r.get::<_, Option<String>>(1).unwrap_or_default(),
                client: r.get::<_, Option<String>>(2).unwrap_or_default(),
                principal: r.get::<_, Option<String>>(3).unwrap_or_default(),
                action: r.get::<_, Option<String>>(4).unwrap_or_default(),
                resource: r.get::<_, Option<String>>(5).unwrap_or_default(),
                decision: r.get(6),
                reasons: serde_json::from_str(r.get(7)).unwrap_or_default(),
                errors: serde_json::from_str(r.get(8)).unwrap_or_default(),
                latency_us: r.get(9),
                properties: serde_json::from_str(r.get(11)).unwrap_or_default(),
                context: serde_json::from_str(r.get(12)).unwrap_or_default(),
                address: r.get(13),
            })
            .collect())
    }

    async fn decision_stats(&self, since: i64) -> Result<DecisionStats, StoreError> {
        let conn = self.conn().await?;
        let counts = query_one(
            &conn,
            "SELECT COUNT(*) FILTER (WHERE decision = 'allow'), COUNT(*) FILTER (WHERE decision = 'deny'), \
             (SELECT COALESCE(MAX(id), 0) FROM decision_log) FROM decision_log WHERE at >= $1",
            &[&since],
        )
        .await?;
        let top = query(
            &conn,
            "SELECT COALESCE(action, ''), COUNT(*) AS n FROM decision_log WHERE decision = 'deny' AND at >= $1 \
             GROUP BY action ORDER BY n DESC, action LIMIT 5",
            &[&since],
        )
        .await?;
        Ok(DecisionStats {
            allowed: counts.get(0),
            denied: counts.get(1),
            top_denied: top.iter().map(|r| (r.get(0), r.get(1))).collect(),
            last_id: counts.get(2),
        })
    }

    /// The concurrency argument: each key's row is created-or-locked by one `INSERT ... ON
    /// CONFLICT DO UPDATE` (which takes the row lock whether it inserted or not), always in
    /// the caller's key order. While one attempt holds the locks, every other attempt on the
    /// same account or address, on any replica, waits, then reads the count the first one
    /// left. So "is it blocked?" and "count this attempt" are one step, and 50 concurrent
    /// wrong passwords reach the hash at most `limit` times. A blocked attempt rolls back
    /// (nothing charged).
    async fn reserve_login(
        &self,
        keys: &[ThrottleKey],
        window_ms: i64,
        now_ms: i64,
    ) -> Result<Reservation, StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        let window_start = now_ms - window_ms;
        let mut counts = Vec::with_capacity(keys.len());
        let mut wait_ms: i64 = 0;
        for key in keys {
            let row = query_one(
                &tx,
                "INSERT INTO login_throttle (scope, account, address, failures, window_start_ms) VALUES ($1, $2, $3, 0, $4) \
                 ON CONFLICT (scope, account, address) DO UPDATE SET failures = login_throttle.failures \
                 RETURNING failures, window_start_ms",
                &[&key.scope, &key.account, &key.address, &now_ms],
            )
            .await?;
            let (failures, start): (i64, i64) = (row.get(0), row.get(1));
            // A window that ended counts as none: the next failure starts a new one.
            let (failures, start) = if start <= window_start {
                (0, now_ms)
            } else {
                (failures, start)
            };
            let ends = start + window_ms;
            if now_ms < ends && failures >= i64::from(key.limit) {
                wait_ms = wait_ms.max(ends - now_ms);
            }
            counts.push((failures, start));
        }
        if wait_ms > 0 {
            drop(tx);
            // Round up: a client that waits exactly Retry-After seconds must get through.
            let secs = (wait_ms + 999) / 1000;
            return Ok(Reservation::Blocked {
                retry_after_secs: secs.max(1) as u64,
            });
        }
        for (key, (failures, start)) in keys.iter().zip(counts) {
            execute(
                &tx,
                "UPDATE login_throttle SET failures = $4, window_start_ms = $5 WHERE scope = $1 AND account = $2 AND address = $3",
                &[&key.scope, &key.account, &key.address, &(failures + 1), &start],
            )
            .await?;
        }
        // Forget windows that ended, skipping rows another attempt holds (no waiting).
        execute(
            &tx,
            "DELETE FROM login_throttle WHERE (scope, account, address) IN \
             (SELECT scope, account, address FROM login_throttle WHERE window_start_ms <= $1 FOR UPDATE SKIP LOCKED)",
            &[&window_start],
        )
        .await?;
        self.commit(tx, false).await?;
        Ok(Reservation::Granted)
    }

    async fn login_succeeded(&self, keys: &[ThrottleKey]) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        for key in keys {
            let sql = if key.scope == "address" {
                "UPDATE login_throttle SET failures = GREATEST(failures - 1, 0) WHERE scope = $1 AND account = $2 AND address = $3"
            } else {
                "DELETE FROM login_throttle WHERE scope = $1 AND account = $2 AND address = $3"
            };
            execute(&tx, sql, &[&key.scope, &key.account, &key.address]).await?;
        }
        self.commit(tx, false).await
    }

    async fn refund_login(&self, keys: &[ThrottleKey]) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        for key in keys {
            execute(
                &tx,
                "UPDATE login_throttle SET failures = GREATEST(failures - 1, 0) WHERE scope = $1 AND account = $2 AND address = $3",
                &[&key.scope, &key.account, &key.address],
            )
            .await?;
        }
        self.commit(tx, false).await
    }

    async fn unlock_account(
        &self,
        email: &str,
        audit: Option<&Audit>,
    ) -> Result<usize, StoreError> {
        let mut conn = self.conn().await?;
        let tx = Self::begin(&mut conn).await?;
        let n = unlock_in(&tx, email).await?;
        self.audit_in(&tx, audit).await?;
        self.commit(tx, false).await?;
        Ok(n)
    }

    async fn account_failures(
        &self,
        email: &str,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let conn = self.conn().await?;
        Ok(query_one(
            &conn,
            "SELECT COALESCE(MAX(failures), 0) FROM login_throttle WHERE scope = 'account' AND account = $1 AND window_start_ms > $2",
            &[&crate::model::email_key(email), &(now_ms - window_ms)],
        )
        .await?
        .get(0))
    }

    async fn user_by_identity(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<UserRow>, StoreError> {
        super::identities::user_by_identity(self, issuer, subject).await
    }

    async fn list_identities(&self, user_id: &str) -> Result<Vec<IdentityRow>, StoreError> {
        super::identities::list(self, user_id).await
    }

    async fn link_identity(
        &self,
        user_id: &str,
        issuer: &str,
        subject: &str,
        audit: Option<&Audit>,
    ) -> Result<IdentityRow, StoreError> {
        super::identities::link(self, user_id, issuer, subject, audit).await
    }

    async fn unlink_identity(
        &self,
        user_id: &str,
        issuer: &str,
        subject: &str,
        audit: Option<&Audit>,
    ) -> Result<IdentityRow, StoreError> {
        super::identities::unlink(self, user_id, issuer, subject, audit).await
    }

    async fn create_linked_user(
        &self,
        user: &NewUser,
        issuer: &str,
        subject: &str,
        audit: Option<&Audit>,
    ) -> Result<UserRow, StoreError> {
        super::identities::create_linked_user(self, user, issuer, subject, audit).await
    }

    async fn consume_exchanged_token(
        &self,
        issuer: &str,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<bool, StoreError> {
        super::identities::consume_exchanged_token(self, issuer, token_hash, expires_at).await
    }

    async fn heartbeat(&self, r: &ReplicaRow) -> Result<(), StoreError> {
        // One upsert per replica (its own row): nothing to race with but itself.
        let conn = self.conn().await?;
        execute(
            &conn,
            "INSERT INTO replicas (id, address, version, started_at, policy_hash, seen_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (id) DO UPDATE SET address = $2, version = $3, started_at = $4, policy_hash = $5, seen_at = $6",
            &[&r.id, &r.address, &r.version, &r.started_at, &r.policy_hash, &r.seen_at],
        )
        .await?;
        execute(
            &conn,
            "DELETE FROM replicas WHERE id IN (SELECT id FROM replicas WHERE seen_at < $1 FOR UPDATE SKIP LOCKED)",
            &[&(r.seen_at - 3600)],
        )
        .await?;
        Ok(())
    }

    async fn list_replicas(&self, seen_since: i64) -> Result<Vec<ReplicaRow>, StoreError> {
        let conn = self.conn().await?;
        let rows = query(
            &conn,
            "SELECT id, address, version, started_at, policy_hash, seen_at FROM replicas WHERE seen_at >= $1 ORDER BY id",
            &[&seen_since],
        )
        .await?;
        Ok(rows
            .iter()
            .map(|r| ReplicaRow {
                id: r.get(0),
                address: r.get(1),
                version: r.get(2),
                started_at: r.get(3),
                policy_hash: r.get(4),
                seen_at: r.get(5),
            })
            .collect())
    }
}

/// Refuse a new user id or role name that differs from an existing one only in case
/// ([`crate::store::case_variant`] says why); run under the directory lock.
async fn refuse_case_variant(
    tx: &Transaction<'_>,
    kind: LookAlike,
    new: &str,
) -> Result<(), StoreError> {
    let sql = match kind {
        LookAlike::User => "SELECT id FROM users WHERE lower(id) = lower($1) AND id <> $1 LIMIT 1",
        LookAlike::Role => {
            "SELECT name FROM roles WHERE lower(name) = lower($1) AND name <> $1 LIMIT 1"
        }
    };
    match query_opt(tx, sql, &[&new]).await? {
        Some(row) => Err(crate::store::case_variant(
            kind,
            new,
            &row.get::<_, String>(0),
        )),
        None => Ok(()),
    }
}
