//! Federated identities (`(issuer, subject) -> user`) and the ID tokens already exchanged,
//! in PostgreSQL, with the SQLite back end's semantics.

use super::users::{create_user_in, find_user, must_find_user};
use super::{conflict_on_unique, execute, query, query_opt, Kind, Postgres};
use crate::store::{Audit, Change, Conflict, Entity, IdentityRow, NewUser, StoreError, UserRow};
use deadpool_postgres::Transaction;

async fn link_in(
    tx: &Transaction<'_>,
    user_id: &str,
    issuer: &str,
    subject: &str,
    now: i64,
) -> Result<IdentityRow, StoreError> {
    must_find_user(tx, user_id).await?;
    let statement = tx
        .prepare_cached(
            "INSERT INTO identities (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .await?;
    tx.execute(&statement, &[&issuer, &subject, &user_id, &now])
        .await
        .map_err(|e| {
            conflict_on_unique(e, || Conflict::IdentityLinked {
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

pub(super) async fn user_by_identity(
    db: &Postgres,
    issuer: &str,
    subject: &str,
) -> Result<Option<UserRow>, StoreError> {
    let conn = db.conn().await?;
    let id: Option<String> = query_opt(
        &conn,
        "SELECT user_id FROM identities WHERE issuer = $1 AND subject = $2",
        &[&issuer, &subject],
    )
    .await?
    .map(|r| r.try_get(0))
    .transpose()?;
    match id {
        Some(id) => find_user(&conn, &id).await,
        None => Ok(None),
    }
}

pub(super) async fn list(db: &Postgres, user_id: &str) -> Result<Vec<IdentityRow>, StoreError> {
    let conn = db.conn().await?;
    let rows = query(
        &conn,
        "SELECT issuer, subject, user_id, created_at FROM identities WHERE user_id = $1 ORDER BY issuer, subject",
        &[&user_id],
    )
    .await?;
    rows.iter().map(identity_from_row).collect()
}

fn identity_from_row(r: &tokio_postgres::Row) -> Result<IdentityRow, StoreError> {
    Ok(IdentityRow {
        issuer: r.try_get(0)?,
        subject: r.try_get(1)?,
        user_id: r.try_get(2)?,
        created_at: r.try_get(3)?,
    })
}

pub(super) async fn link(
    db: &Postgres,
    user_id: &str,
    issuer: &str,
    subject: &str,
    audit: Option<&Audit>,
) -> Result<IdentityRow, StoreError> {
    let mut conn = db.conn().await?;
    let w = db.write(&mut conn, Kind::Quiet, audit.into()).await?;
    let row = link_in(w.tx(), user_id, issuer, subject, db.now()).await?;
    w.finish().await?;
    Ok(row)
}

pub(super) async fn unlink(
    db: &Postgres,
    user_id: &str,
    issuer: &str,
    subject: &str,
    audit: Option<&Audit>,
) -> Result<IdentityRow, StoreError> {
    let mut conn = db.conn().await?;
    let w = db.write(&mut conn, Kind::Quiet, audit.into()).await?;
    let tx = w.tx();
    let row = query_opt(
        tx,
        "DELETE FROM identities WHERE user_id = $1 AND issuer = $2 AND subject = $3 RETURNING issuer, subject, user_id, created_at",
        &[&user_id, &issuer, &subject],
    )
    .await?
    .map(|r| identity_from_row(&r))
    .transpose()?
    .ok_or_else(|| {
        StoreError::not_found(
            Entity::Identity,
            format!("{subject:?} of {issuer} (linked to user {user_id})"),
        )
    })?;
    w.finish().await?;
    Ok(row)
}

pub(super) async fn create_linked_user(
    db: &Postgres,
    user: &NewUser,
    issuer: &str,
    subject: &str,
    audit: Option<&Audit>,
) -> Result<UserRow, StoreError> {
    let mut conn = db.conn().await?;
    let w = db.write(&mut conn, Kind::Directory, audit.into()).await?;
    let tx = w.tx();
    let row = create_user_in(tx, user, db.now()).await?;
    link_in(tx, user.id.as_str(), issuer, subject, db.now()).await?;
    w.finish().await?;
    Ok(row)
}

/// One statement decides (`ON CONFLICT DO NOTHING`): of two racing inserts of one token, the
/// second waits for the first to commit and then inserts nothing.
pub(super) async fn consume_exchanged_token(
    db: &Postgres,
    issuer: &str,
    token_hash: &str,
    expires_at: i64,
) -> Result<bool, StoreError> {
    let mut conn = db.conn().await?;
    let w = db.write(&mut conn, Kind::Quiet, Change::default()).await?;
    let tx = w.tx();
    // Rows another replica is deleting right now are skipped, not waited for.
    execute(
        tx,
        "DELETE FROM exchanged_tokens WHERE (issuer, token_hash) IN (SELECT issuer, token_hash FROM exchanged_tokens WHERE expires_at < $1 FOR UPDATE SKIP LOCKED)",
        &[&db.now()],
    )
    .await?;
    let inserted = execute(
        tx,
        "INSERT INTO exchanged_tokens (issuer, token_hash, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        &[&issuer, &token_hash, &expires_at],
    )
    .await?;
    w.finish().await?;
    Ok(inserted == 1)
}
