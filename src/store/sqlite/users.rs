//! The users table and their role assignments.

use super::{bump_revision, conflict_on_unique, AdminRule, Audit, Change, SqliteStore, StoreError};
use crate::model::{Email, RoleName, SearchText, UserName};
use crate::store::rows::{like_escape, NewUser, UserRow};
use crate::store::{user_fields_before, Conflict, Invalid, LookAlike};
use rusqlite::{params, Connection, OptionalExtension, Row};

const USER_COLUMNS: &str = "id, email, name, disabled, tokens_valid_after, created_at";

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: row.get(0)?,
        email: row.get(1)?,
        name: row.get(2)?,
        disabled: row.get(3)?,
        tokens_valid_after: row.get(4)?,
        created_at: row.get(5)?,
        roles: Vec::new(),
    })
}

fn roles_of(conn: &Connection, id: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT role FROM user_roles WHERE user_id = ?1 ORDER BY position")?;
    let roles = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(roles)
}

/// Find a user by id on any connection.
pub(crate) fn find_user(conn: &Connection, id: &str) -> Result<Option<UserRow>, StoreError> {
    let user = conn
        .prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"))?
        .query_row([id], user_from_row)
        .optional()?;
    match user {
        Some(mut u) => {
            u.roles = roles_of(conn, &u.id)?;
            Ok(Some(u))
        }
        None => Ok(None),
    }
}

/// [`find_user`], a missing user being an error.
fn must_find_user(conn: &Connection, id: &str) -> Result<UserRow, StoreError> {
    find_user(conn, id)?.ok_or_else(|| StoreError::not_found(crate::store::Entity::User, id))
}

fn check_roles_exist(conn: &Connection, roles: &[RoleName]) -> Result<(), StoreError> {
    for role in roles {
        let exists: bool = conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM roles WHERE name = ?1)",
            [role.as_str()],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(Invalid::UnknownRole {
                role: role.to_string(),
            }
            .into());
        }
    }
    Ok(())
}

fn write_roles(conn: &Connection, id: &str, roles: &[RoleName]) -> Result<(), StoreError> {
    check_roles_exist(conn, roles)?;
    conn.execute("DELETE FROM user_roles WHERE user_id = ?1", [id])?;
    for (position, role) in roles.iter().enumerate() {
        conn.execute(
            "INSERT OR IGNORE INTO user_roles (user_id, role, position) VALUES (?1, ?2, ?3)",
            params![id, role.as_str(), position as i64],
        )?;
    }
    Ok(())
}

/// Refuse a new user id that differs from an existing one only in case
/// ([`Conflict::LookAlike`] says why). A scan of the ids: creations are rare, and an
/// index on `lower(id)` could not be unique on a database that already holds look-alikes.
fn refuse_case_variant(conn: &Connection, id: &str) -> Result<(), StoreError> {
    let existing: Option<String> = conn
        .prepare_cached("SELECT id FROM users WHERE lower(id) = lower(?1) AND id <> ?1 LIMIT 1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    match existing {
        Some(existing) => Err(Conflict::LookAlike {
            what: LookAlike::User,
            new: id.to_string(),
            existing,
        }
        .into()),
        None => Ok(()),
    }
}

/// Refuse a new user whose id or email is taken, saying which: the email first, since a
/// person who has an account is the likelier mistake (an id derived from that email is
/// taken too). Under SQLite's one writer, so nothing can take either between this check
/// and the insert.
fn refuse_taken(conn: &Connection, user: &NewUser) -> Result<(), StoreError> {
    let email_taken: Option<bool> = conn
        .prepare_cached(
            "SELECT email = ?2 FROM users WHERE id = ?1 OR email = ?2 \
             ORDER BY email = ?2 DESC LIMIT 1",
        )?
        .query_row([user.id.as_str(), user.email.as_str()], |r| r.get(0))
        .optional()?;
    match email_taken {
        Some(true) => Err(Conflict::EmailTaken {
            email: user.email.to_string(),
        }
        .into()),
        Some(false) => Err(Conflict::UserIdTaken {
            id: user.id.to_string(),
        }
        .into()),
        None => Ok(()),
    }
}

impl SqliteStore {
    /// Create a user with its roles in one transaction.
    pub fn create_user(
        &self,
        user: &NewUser,
        audit: Option<&Audit>,
    ) -> Result<UserRow, StoreError> {
        self.write_audited(audit, |tx| create_user_in(tx, user, self.now()))
    }

    /// A user by id.
    pub fn user(&self, id: &str) -> Result<UserRow, StoreError> {
        self.read(|c| find_user(c, id))?
            .ok_or_else(|| StoreError::not_found(crate::store::Entity::User, id))
    }

    /// A user and password hash by email (case-insensitive), for sign-in.
    pub fn user_by_email(
        &self,
        email: &str,
    ) -> Result<Option<(UserRow, Option<String>)>, StoreError> {
        self.read(|c| {
            let found: Option<(String, Option<String>)> = c
                // `email` is an email key (ASCII lower case); the column's NOCASE folds ASCII
                // only, the same folding.
                .prepare_cached("SELECT id, password_hash FROM users WHERE email = ?1")?
                .query_row([email], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            match found {
                Some((id, hash)) => Ok(find_user(c, &id)?.map(|u| (u, hash))),
                None => Ok(None),
            }
        })
    }

    /// Users ordered by id; `filter` matches id, email or name (substring, case-insensitive
    /// for ASCII). The filter is matched literally: `%`, `_` and backslash in it are escaped, so a
    /// caller cannot turn a substring search into a wildcard scan.
    pub fn list_users(
        &self,
        filter: Option<&SearchText>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<UserRow>, StoreError> {
        self.read(|c| {
            let pattern = format!("%{}%", like_escape(filter.map_or("", SearchText::as_str)));
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users WHERE id LIKE ?1 ESCAPE '\\' OR email LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\' ORDER BY id LIMIT ?2 OFFSET ?3"
            ))?;
            let mut users = stmt
                .query_map(params![pattern, limit, offset], user_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            for u in &mut users {
                u.roles = roles_of(c, &u.id)?;
            }
            Ok(users)
        })
    }

    /// Up to `limit` users with an id after `after` (keyset paging: a page costs the same
    /// wherever it starts, and no client-supplied offset reaches SQL).
    pub fn list_users_after(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UserRow>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users WHERE id > ?1 ORDER BY id LIMIT ?2"
            ))?;
            let mut users = stmt
                .query_map(params![after.unwrap_or(""), limit.max(0)], user_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            for u in &mut users {
                u.roles = roles_of(c, &u.id)?;
            }
            Ok(users)
        })
    }

    /// Replace a user's roles (the first is the primary role).
    pub fn set_user_roles(
        &self,
        id: &str,
        roles: &[RoleName],
        change: Change<'_>,
    ) -> Result<UserRow, StoreError> {
        let before = |tx: &Connection| Ok(Some(must_find_user(tx, id)?.roles.into()));
        self.write_directory(change, before, |tx| {
            write_roles(tx, id, roles)?;
            touch(tx, id, self.now())?;
            must_find_user(tx, id)
        })
    }

    /// Reset a user's password (an administrator did it): every session and access token of
    /// the user ends, as with [`Store::revoke_user_tokens`], and the sign-in throttle of the
    /// account is lifted, all in one transaction. Whoever knew the old password (or holds a
    /// token got with it) is locked out the moment the reset is acknowledged.
    pub fn reset_password(
        &self,
        id: &str,
        hash: &str,
        audit: Option<&Audit>,
    ) -> Result<usize, StoreError> {
        self.write_audited(audit, |tx| {
            let email: Option<String> = tx
                .query_row("SELECT email FROM users WHERE id = ?1", [id], |r| r.get(0))
                .optional()?;
            let Some(email) = email else {
                return Err(StoreError::not_found(crate::store::Entity::User, id));
            };
            tx.execute(
                "UPDATE users SET password_hash = ?2, tokens_valid_after = ?3 WHERE id = ?1",
                params![id, hash, self.now()],
            )?;
            let ended =
                super::sessions::revoke_user_sessions(tx, id, "password_reset", self.now())?;
            super::throttle::unlock_in(tx, &email)?;
            touch(tx, id, self.now())?;
            Ok(ended)
        })
    }

    /// A user changed their own password: every other session of the user ends; the
    /// session that made the change (`keep`) goes on. Returns how many sessions ended.
    pub fn change_own_password(
        &self,
        id: &str,
        hash: &str,
        keep: &str,
        audit: Option<&Audit>,
    ) -> Result<usize, StoreError> {
        self.write_audited(audit, |tx| {
            let n = tx.execute(
                "UPDATE users SET password_hash = ?2 WHERE id = ?1",
                params![id, hash],
            )?;
            if n == 0 {
                return Err(StoreError::not_found(crate::store::Entity::User, id));
            }
            let ended = tx.execute(
                "UPDATE sessions SET revoked_at = ?3, revoked_reason = 'password_changed' WHERE user_id = ?1 AND id != ?2 AND revoked_at IS NULL",
                params![id, keep, self.now()],
            )?;
            touch(tx, id, self.now())?;
            Ok(ended)
        })
    }

    /// The stored password hash of a user, if any.
    pub fn password_hash(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.read(|c| {
            c.query_row("SELECT password_hash FROM users WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::not_found(crate::store::Entity::User, id))
        })
    }

    /// Change a user's email, name and enabled state (each when given) in one directory
    /// change; disabling also ends every session of the user.
    pub fn update_user(
        &self,
        id: &str,
        email: Option<&Email>,
        name: Option<&UserName>,
        disabled: Option<bool>,
        change: Change<'_>,
    ) -> Result<UserRow, StoreError> {
        if email.is_none() && name.is_none() && disabled.is_none() {
            return self.user(id);
        }
        let before = |tx: &Connection| {
            let user = must_find_user(tx, id)?;
            Ok(Some(user_fields_before(&user, email, name, disabled)))
        };
        self.write_directory(change, before, |tx| {
            if let Some(email) = email {
                tx.execute(
                    "UPDATE users SET email = ?2 WHERE id = ?1",
                    params![id, email.as_str()],
                )
                .map_err(|e| {
                    conflict_on_unique(e, || Conflict::EmailTaken {
                        email: email.to_string(),
                    })
                })?;
            }
            if let Some(name) = name {
                tx.execute(
                    "UPDATE users SET name = ?2 WHERE id = ?1",
                    params![id, name.as_str()],
                )?;
            }
            if let Some(disabled) = disabled {
                tx.execute(
                    "UPDATE users SET disabled = ?2 WHERE id = ?1",
                    params![id, disabled],
                )?;
                if disabled {
                    super::sessions::revoke_user_sessions(tx, id, "user_disabled", self.now())?;
                }
            }
            touch(tx, id, self.now())?;
            must_find_user(tx, id)
        })
    }

    /// Delete a user; sessions and refresh tokens go with it (foreign keys cascade).
    pub fn delete_user(&self, id: &str, change: Change<'_>) -> Result<(), StoreError> {
        let found = |tx: &Connection| must_find_user(tx, id).map(|_| None);
        self.write_directory(change, found, |tx| {
            tx.execute("DELETE FROM users WHERE id = ?1", [id])?;
            Ok(())
        })
    }

    /// Revoke every token and session of a user: access tokens issued before this second stop
    /// verifying (the tokens-valid-after epoch), and every session ends, which also kills
    /// tokens minted earlier within this same second (they carry the session id).
    pub fn revoke_user_tokens(&self, id: &str, audit: Option<&Audit>) -> Result<(), StoreError> {
        self.write_audited(audit, |tx| {
            let n = tx.execute(
                "UPDATE users SET tokens_valid_after = ?2 WHERE id = ?1",
                params![id, self.now()],
            )?;
            if n == 0 {
                return Err(StoreError::not_found(crate::store::Entity::User, id));
            }
            super::sessions::revoke_user_sessions(tx, id, "revoked_all", self.now())?;
            touch(tx, id, self.now())
        })
    }

    /// How many users exist.
    pub fn count_users(&self) -> Result<i64, StoreError> {
        self.read(|c| Ok(c.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?))
    }
}

/// Insert `user` with its roles inside a transaction, and return it as stored.
pub(crate) fn create_user_in(
    tx: &Connection,
    user: &NewUser,
    now: i64,
) -> Result<UserRow, StoreError> {
    refuse_case_variant(tx, user.id.as_str())?;
    refuse_taken(tx, user)?;
    tx.execute(
        "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![user.id.as_str(), user.email.as_str(), user.name.as_str(), user.password_hash, now],
    )
    .map_err(|e| {
        conflict_on_unique(e, || Conflict::UserExists {
            id: user.id.to_string(),
            email: user.email.to_string(),
        })
    })?;
    write_roles(tx, user.id.as_str(), &user.roles)?;
    bump_revision(tx)?;
    find_user(tx, user.id.as_str())?
        .ok_or_else(|| StoreError::not_found(crate::store::Entity::User, user.id.as_str()))
}

fn touch(tx: &Connection, id: &str, at: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE users SET updated_at = ?2 WHERE id = ?1",
        params![id, at],
    )?;
    bump_revision(tx)
}

/// Whether some enabled user passes `rule`: its witness first (one read), else the first
/// user found by a scan, who becomes the witness (see [`AdminRule`]).
pub(crate) fn someone_passes(conn: &Connection, rule: &AdminRule) -> Result<bool, StoreError> {
    let graph = super::roles::role_graph(conn)?;
    if let Some(id) = rule.witness() {
        if let Some(user) = find_user(conn, &id)? {
            if rule.passes(&user, &graph) {
                return Ok(true);
            }
        }
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE disabled = 0 ORDER BY id"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let mut user = user_from_row(row)?;
        user.roles = roles_of(conn, &user.id)?;
        if rule.passes(&user, &graph) {
            rule.remember(&user.id);
            return Ok(true);
        }
    }
    Ok(false)
}
