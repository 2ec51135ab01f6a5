//! Federated identities (`(issuer, subject) -> user`) and the ID tokens already exchanged.

use super::users::{create_user_in, find_user};
use super::{Audit, SqliteStore, StoreError};
use crate::store::rows::{IdentityRow, NewUser, UserRow};
use crate::store::{Conflict, Entity};
use rusqlite::{params, Connection, OptionalExtension};

fn identity_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<IdentityRow> {
    Ok(IdentityRow {
        issuer: r.get(0)?,
        subject: r.get(1)?,
        user_id: r.get(2)?,
        created_at: r.get(3)?,
    })
}

/// Insert the link inside a transaction; a conflict when the identity is linked already.
fn link_in(
    tx: &Connection,
    user_id: &str,
    issuer: &str,
    subject: &str,
    now: i64,
) -> Result<IdentityRow, StoreError> {
    if find_user(tx, user_id)?.is_none() {
        return Err(StoreError::not_found(Entity::User, user_id));
    }
    tx.execute(
        "INSERT INTO identities (issuer, subject, user_id, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![issuer, subject, user_id, now],
    )
    .map_err(|e| {
        super::conflict_on_unique(e, || Conflict::IdentityLinked {
            issuer: issuer.to_string(),
            subject: subject.to_string(),
        })
    })?;
    Ok(IdentityRow {
        issuer: issuer.into(),
        subject: subject.into(),
        user_id: user_id.into(),
        created_at: now,
    })
}

impl SqliteStore {
    /// The user `(issuer, subject)` is linked to, if any.
    pub fn user_by_identity(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<UserRow>, StoreError> {
        self.read(|c| {
            let id: Option<String> = c
                .prepare_cached(
                    "SELECT user_id FROM identities WHERE issuer = ?1 AND subject = ?2",
                )?
                .query_row([issuer, subject], |r| r.get(0))
                .optional()?;
            match id {
                Some(id) => find_user(c, &id),
                None => Ok(None),
            }
        })
    }

    /// A user's identities, by issuer and subject.
    pub fn list_identities(&self, user_id: &str) -> Result<Vec<IdentityRow>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT issuer, subject, user_id, created_at FROM identities WHERE user_id = ?1 ORDER BY issuer, subject",
            )?;
            let rows = stmt
                .query_map([user_id], identity_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// Link `(issuer, subject)` to a user.
    pub fn link_identity(
        &self,
        user_id: &str,
        issuer: &str,
        subject: &str,
        audit: Option<&Audit>,
    ) -> Result<IdentityRow, StoreError> {
        self.write_audited(audit, |tx| {
            link_in(tx, user_id, issuer, subject, self.now())
        })
    }

    /// Remove a user's link to `(issuer, subject)`.
    pub fn unlink_identity(
        &self,
        user_id: &str,
        issuer: &str,
        subject: &str,
        audit: Option<&Audit>,
    ) -> Result<IdentityRow, StoreError> {
        self.write_audited(audit, |tx| {
            tx.prepare_cached(
                "DELETE FROM identities WHERE user_id = ?1 AND issuer = ?2 AND subject = ?3 RETURNING issuer, subject, user_id, created_at",
            )?
            .query_row(params![user_id, issuer, subject], identity_from_row)
            .optional()?
            .ok_or_else(|| {
                StoreError::not_found(
                    Entity::Identity,
                    format!("{subject:?} of {issuer} (linked to user {user_id})"),
                )
            })
        })
    }

    /// Create a user already linked to `(issuer, subject)`.
    pub fn create_linked_user(
        &self,
        user: &NewUser,
        issuer: &str,
        subject: &str,
        audit: Option<&Audit>,
    ) -> Result<UserRow, StoreError> {
        self.write_audited(audit, |tx| {
            let row = create_user_in(tx, user, self.now())?;
            link_in(tx, user.id.as_str(), issuer, subject, self.now())?;
            Ok(row)
        })
    }

    /// Remember an exchanged token until `expires_at`; `false` when it was already.
    pub fn consume_exchanged_token(
        &self,
        issuer: &str,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM exchanged_tokens WHERE expires_at < ?1",
                [self.now()],
            )?;
            let inserted = tx.execute(
                "INSERT OR IGNORE INTO exchanged_tokens (issuer, token_hash, expires_at) VALUES (?1, ?2, ?3)",
                params![issuer, token_hash, expires_at],
            )?;
            Ok(inserted == 1)
        })
    }
}
