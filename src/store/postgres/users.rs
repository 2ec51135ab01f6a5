//! Users and their role assignments.

use super::sessions::revoke_user_sessions;
use super::throttle::unlock_in;
use super::*;
use crate::store::user_fields_before;

/// A user's columns with its roles in order (one query, no per-user round trip).
const USER_COLUMNS: &str =
    "u.id, u.email, u.name, u.disabled, u.tokens_valid_after, u.created_at, \
     ARRAY(SELECT r.role FROM user_roles r WHERE r.user_id = u.id ORDER BY r.position)";
const USER_SELECT: &str = "SELECT u.id, u.email, u.name, u.disabled, u.tokens_valid_after, u.created_at, \
     ARRAY(SELECT r.role FROM user_roles r WHERE r.user_id = u.id ORDER BY r.position) FROM users u";

fn user_from_row(r: &Row) -> Result<UserRow, StoreError> {
    Ok(UserRow {
        id: r.try_get(0)?,
        email: r.try_get(1)?,
        name: r.try_get(2)?,
        disabled: r.try_get(3)?,
        tokens_valid_after: r.try_get(4)?,
        created_at: r.try_get(5)?,
        roles: r.try_get(6)?,
    })
}

pub(super) async fn find_user(
    c: &impl GenericClient,
    id: &str,
) -> Result<Option<UserRow>, StoreError> {
    query_opt(c, &format!("{USER_SELECT} WHERE u.id = $1"), &[&id])
        .await?
        .map(|r| user_from_row(&r))
        .transpose()
}

pub(super) async fn must_find_user(
    c: &impl GenericClient,
    id: &str,
) -> Result<UserRow, StoreError> {
    find_user(c, id)
        .await?
        .ok_or_else(|| StoreError::not_found(Entity::User, id))
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
        .try_get(0)?;
        if !exists {
            return Err(Invalid::UnknownRole {
                role: role.to_string(),
            }
            .into());
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

/// Insert `user` with its roles inside `tx` (a directory write: under the directory lock)
/// and return it as stored.
pub(super) async fn create_user_in(
    tx: &Transaction<'_>,
    user: &NewUser,
    now: i64,
) -> Result<UserRow, StoreError> {
    refuse_case_variant(tx, LookAlike::User, user.id.as_str()).await?;
    // Under the directory lock: nothing can take the id or the email before the insert.
    // The email first: a person who has an account is the likelier mistake.
    let taken =
        "SELECT lower(email) = lower($2) FROM users WHERE id = $1 OR lower(email) = lower($2) \
                 ORDER BY lower(email) = lower($2) DESC LIMIT 1";
    if let Some(row) = query_opt(tx, taken, &[&user.id.as_str(), &user.email.as_str()]).await? {
        let email_taken: bool = row.try_get(0)?;
        return Err(if email_taken {
            Conflict::EmailTaken {
                email: user.email.to_string(),
            }
        } else {
            Conflict::UserIdTaken {
                id: user.id.to_string(),
            }
        }
        .into());
    }
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
        conflict_on_unique(e, || Conflict::UserExists {
            id: user.id.to_string(),
            email: user.email.to_string(),
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

/// Whether some enabled user passes `rule`: its witness first (one indexed read), else the
/// first user found by a scan, who becomes the witness (see [`AdminRule`]).
pub(super) async fn someone_passes(
    c: &impl GenericClient,
    rule: &AdminRule,
) -> Result<bool, StoreError> {
    let graph = super::roles::role_graph(c).await?;
    if let Some(id) = rule.witness() {
        if let Some(user) = find_user(c, &id).await? {
            if rule.passes(&user, &graph) {
                return Ok(true);
            }
        }
    }
    // A cursor would stop reading at the first pass; the rows come in pages of ids so a
    // large directory is not read whole when an early user passes.
    let mut after = String::new();
    loop {
        let rows = query(
            c,
            &format!("{USER_SELECT} WHERE NOT u.disabled AND u.id > $1 ORDER BY u.id LIMIT 256"),
            &[&after],
        )
        .await?;
        for r in &rows {
            let user = user_from_row(r)?;
            if rule.passes(&user, &graph) {
                rule.remember(&user.id);
                return Ok(true);
            }
        }
        match rows.last() {
            Some(last) if rows.len() == 256 => after = last.try_get(0)?,
            _ => return Ok(false),
        }
    }
}

impl Postgres {
    pub(super) async fn create_user(
        &self,
        user: &NewUser,
        audit: Option<&Audit>,
    ) -> Result<UserRow, StoreError> {
        let mut conn = self.conn().await?;
        let w = self.write(&mut conn, Kind::Directory, audit.into()).await?;
        let row = create_user_in(w.tx(), user, self.now()).await?;
        w.finish().await?;
        Ok(row)
    }

    pub(super) async fn user(&self, id: &str) -> Result<UserRow, StoreError> {
        let conn = self.conn().await?;
        must_find_user(&conn, id).await
    }

    pub(super) async fn user_by_email(
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
        match row {
            Some(r) => Ok(Some((user_from_row(&r)?, r.try_get(7)?))),
            None => Ok(None),
        }
    }

    pub(super) async fn list_users(
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
        rows.iter().map(user_from_row).collect()
    }

    pub(super) async fn list_users_after(
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
        rows.iter().map(user_from_row).collect()
    }

    pub(super) async fn set_user_roles(
        &self,
        id: &str,
        roles: &[RoleName],
        change: Change<'_>,
    ) -> Result<UserRow, StoreError> {
        let mut conn = self.conn().await?;
        let mut w = self.write(&mut conn, Kind::Directory, change).await?;
        let tx = w.tx();
        let before = must_find_user(tx, id).await?.roles;
        write_roles(tx, id, roles).await?;
        touch(tx, id, self.now()).await?;
        let row = must_find_user(tx, id).await?;
        w.before(before.into());
        w.finish().await?;
        Ok(row)
    }

    pub(super) async fn reset_password(
        &self,
        id: &str,
        hash: &str,
        audit: Option<&Audit>,
    ) -> Result<usize, StoreError> {
        let mut conn = self.conn().await?;
        let w = self.write(&mut conn, Kind::Revision, audit.into()).await?;
        let tx = w.tx();
        let t = self.now();
        let email: Option<String> = query_opt(
            tx,
            "UPDATE users SET password_hash = $2, tokens_valid_after = $3, updated_at = $3 WHERE id = $1 RETURNING email",
            &[&id, &hash, &t],
        )
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
        let Some(email) = email else {
            return Err(StoreError::not_found(Entity::User, id));
        };
        let ended = revoke_user_sessions(tx, id, "password_reset", t).await?;
        unlock_in(tx, &email).await?;
        w.finish().await?;
        Ok(ended)
    }

    pub(super) async fn change_own_password(
        &self,
        id: &str,
        hash: &str,
        keep: &str,
        audit: Option<&Audit>,
    ) -> Result<usize, StoreError> {
        let mut conn = self.conn().await?;
        let w = self.write(&mut conn, Kind::Revision, audit.into()).await?;
        let tx = w.tx();
        let t = self.now();
        let n = execute(
            tx,
            "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",
            &[&id, &hash, &t],
        )
        .await?;
        if n == 0 {
            return Err(StoreError::not_found(Entity::User, id));
        }
        let ended = execute(
            tx,
            "UPDATE sessions SET revoked_at = $3, revoked_reason = 'password_changed' WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL",
            &[&id, &keep, &t],
        )
        .await?;
        w.finish().await?;
        Ok(ended as usize)
    }

    pub(super) async fn password_hash(&self, id: &str) -> Result<Option<String>, StoreError> {
        let conn = self.conn().await?;
        query_opt(
            &conn,
            "SELECT password_hash FROM users WHERE id = $1",
            &[&id],
        )
        .await?
        .map(|r| r.try_get(0))
        .transpose()?
        .ok_or_else(|| StoreError::not_found(Entity::User, id))
    }

    pub(super) async fn update_user(
        &self,
        id: &str,
        email: Option<&Email>,
        name: Option<&UserName>,
        disabled: Option<bool>,
        change: Change<'_>,
    ) -> Result<UserRow, StoreError> {
        if email.is_none() && name.is_none() && disabled.is_none() {
            return self.user(id).await;
        }
        let mut conn = self.conn().await?;
        // Every writer of these columns takes the directory lock: what is read next is what
        // the change replaces.
        let mut w = self.write(&mut conn, Kind::Directory, change).await?;
        let tx = w.tx();
        let before = must_find_user(tx, id).await?;
        if let Some(email) = email {
            let statement = tx
                .prepare_cached("UPDATE users SET email = $2 WHERE id = $1")
                .await?;
            tx.execute(&statement, &[&id, &email.as_str()])
                .await
                .map_err(|e| {
                    conflict_on_unique(e, || Conflict::EmailTaken {
                        email: email.to_string(),
                    })
                })?;
        }
        if let Some(name) = name {
            execute(
                tx,
                "UPDATE users SET name = $2 WHERE id = $1",
                &[&id, &name.as_str()],
            )
            .await?;
        }
        if let Some(disabled) = disabled {
            execute(
                tx,
                "UPDATE users SET disabled = $2 WHERE id = $1",
                &[&id, &disabled],
            )
            .await?;
            if disabled {
                revoke_user_sessions(tx, id, "user_disabled", self.now()).await?;
            }
        }
        touch(tx, id, self.now()).await?;
        let row = must_find_user(tx, id).await?;
        let before = user_fields_before(&before, email, name, disabled);
        w.before(before);
        w.finish().await?;
        Ok(row)
    }

    pub(super) async fn delete_user(&self, id: &str, change: Change<'_>) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let w = self.write(&mut conn, Kind::Directory, change).await?;
        let tx = w.tx();
        let n = execute(tx, "DELETE FROM users WHERE id = $1", &[&id]).await?;
        if n == 0 {
            return Err(StoreError::not_found(Entity::User, id));
        }
        w.finish().await
    }

    pub(super) async fn revoke_user_tokens(
        &self,
        id: &str,
        audit: Option<&Audit>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let w = self.write(&mut conn, Kind::Revision, audit.into()).await?;
        let tx = w.tx();
        let t = self.now();
        let n = execute(
            tx,
            "UPDATE users SET tokens_valid_after = $2, updated_at = $2 WHERE id = $1",
            &[&id, &t],
        )
        .await?;
        if n == 0 {
            return Err(StoreError::not_found(Entity::User, id));
        }
        revoke_user_sessions(tx, id, "revoked_all", t).await?;
        w.finish().await
    }

    pub(super) async fn count_users(&self) -> Result<i64, StoreError> {
        let conn = self.conn().await?;
        Ok(query_one(&conn, "SELECT COUNT(*) FROM users", &[])
            .await?
            .try_get(0)?)
    }
}
