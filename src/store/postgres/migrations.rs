//! Versioned schema migrations for PostgreSQL, with the SQLite rules: each entry moves the
//! schema one version up, a database from a newer build is refused, and several replicas
//! starting at once are safe (they take turns on an advisory lock).

use super::StoreError;
use tokio_postgres::Client;

/// The advisory-lock key that migrators take turns on ("warden" in ASCII, as a number).
const MIGRATION_LOCK: i64 = 0x7761_7264_656e;

/// Each entry moves the schema from version `i` to `i + 1`. Never edit a shipped entry: add
/// one. Version 1 is SQLite's schema 3 in PostgreSQL's types; ids and names use the "C"
/// collation so that ordering and keyset paging agree with SQLite's byte order.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO meta (key, value) VALUES ('revision', 0);

CREATE TABLE users (
    id TEXT COLLATE "C" PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    password_hash TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    tokens_valid_after BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE roles (
    name TEXT COLLATE "C" PRIMARY KEY,
    created_at BIGINT NOT NULL
);

CREATE TABLE role_parents (
    role TEXT COLLATE "C" NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
    parent TEXT COLLATE "C" NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
    PRIMARY KEY (role, parent)
);

CREATE TABLE user_roles (
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT COLLATE "C" NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_role ON user_roles(role);

CREATE TABLE sessions (
    id TEXT COLLATE "C" PRIMARY KEY,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    revoked_reason TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE refresh_tokens (
    hash TEXT COLLATE "C" PRIMARY KEY,
    session_id TEXT COLLATE "C" NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    used_at BIGINT,
    successor_hash TEXT
);
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);

CREATE TABLE revoked_tokens (
    jti TEXT COLLATE "C" PRIMARY KEY,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens(expires_at);

CREATE TABLE signing_keys (
    seq BIGSERIAL NOT NULL,
    kid TEXT COLLATE "C" PRIMARY KEY,
    alg TEXT NOT NULL,
    private_der BYTEA NOT NULL,
    public_raw BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);

CREATE TABLE secrets (
    name TEXT COLLATE "C" PRIMARY KEY,
    value BYTEA NOT NULL
);

CREATE TABLE clients (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE decision_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    request_id TEXT,
    client TEXT,
    principal TEXT,
    action TEXT,
    resource TEXT,
    decision TEXT NOT NULL,
    reasons TEXT NOT NULL DEFAULT '[]',
    errors TEXT NOT NULL DEFAULT '[]',
    latency_us BIGINT NOT NULL DEFAULT 0,
    properties TEXT NOT NULL DEFAULT '{}',
    context TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE login_throttle (
    scope TEXT COLLATE "C" NOT NULL,
    account TEXT COLLATE "C" NOT NULL,
    address TEXT COLLATE "C" NOT NULL,
    failures BIGINT NOT NULL,
    window_start_ms BIGINT NOT NULL,
    PRIMARY KEY (scope, account, address)
);
CREATE INDEX login_throttle_window ON login_throttle(window_start_ms);
CREATE INDEX login_throttle_account ON login_throttle(account);
"#,
    // 2: running replicas and their heartbeats.
    r#"
CREATE TABLE replicas (
    id TEXT COLLATE "C" PRIMARY KEY,
    address TEXT NOT NULL,
    version TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    policy_hash TEXT NOT NULL,
    seen_at BIGINT NOT NULL
);
"#,
    // 3: federated identities, `(issuer, subject) -> user`, compared exactly ("C"), gone with
    // their user; and the ID tokens already exchanged (replay refused) until they expire.
    r#"
CREATE TABLE identities (
    issuer TEXT COLLATE "C" NOT NULL,
    subject TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX identities_user ON identities(user_id);

CREATE TABLE exchanged_tokens (
    issuer TEXT COLLATE "C" NOT NULL,
    token_hash TEXT COLLATE "C" NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, token_hash)
);
CREATE INDEX exchanged_tokens_expiry ON exchanged_tokens(expires_at);
"#,
    // 4: the end user's address of each audited change and logged decision.
    r#"
ALTER TABLE audit_log ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE decision_log ADD COLUMN address TEXT NOT NULL DEFAULT '';
"#,
    // 5: the decision log indexed on what it is filtered by (the admin API, the console's
    // long-poll, `warden decisions`): each filter column with the id, so a filtered page
    // newest first (`col = ? [AND id > ?] ORDER BY id DESC LIMIT n`) is one index range
    // read from its end; `at` for `since` and the dashboard's counts. The id is the key.
    r#"
CREATE INDEX decision_log_principal ON decision_log(principal, id);
CREATE INDEX decision_log_action ON decision_log(action, id);
CREATE INDEX decision_log_decision ON decision_log(decision, id);
CREATE INDEX decision_log_at ON decision_log(at);
"#,
    // 6: published policy sets (issue 29), as SQLite's 8: immutable versions with their
    // files (a JSON object, name -> text) and the names apart (a JSON array, sorted), so a
    // listing never reads the texts; the active version in a one-row table that a publish
    // locks (`FOR UPDATE`) before it reads it; and what each replica serves from them. The
    // JSON is kept as TEXT, not JSONB: nothing queries inside it, and JSONB refuses a
    // `\u0000` that SQLite keeps, so a set would publish on one back end and not the other.
    r#"
CREATE TABLE policy_versions (
    version BIGINT PRIMARY KEY,
    hash TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    message TEXT NOT NULL,
    rollback_of BIGINT REFERENCES policy_versions(version),
    file_names TEXT NOT NULL,
    files TEXT NOT NULL
);
CREATE TABLE policy_active (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT REFERENCES policy_versions(version)
);
INSERT INTO policy_active (id, version) VALUES (1, NULL);
ALTER TABLE replicas ADD COLUMN policy_version BIGINT;
ALTER TABLE replicas ADD COLUMN policy_error TEXT;
"#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Bring the database up to [`SCHEMA_VERSION`], one transaction per step.
///
/// Concurrent migrators (replicas started together) take turns on a session-level advisory
/// lock: the second waits until the first is done, then finds nothing left to do. A database
/// from a newer build is refused: running old code on a newer schema could lose data.
pub(super) async fn apply(client: &mut Client, location: &str) -> Result<(), StoreError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let result = apply_locked(client, location).await;
    // Unlocked whatever happened; a lost connection releases it anyway.
    let _ = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await;
    result
}

async fn apply_locked(client: &mut Client, location: &str) -> Result<(), StoreError> {
    client
        .batch_execute("CREATE TABLE IF NOT EXISTS warden_schema (version BIGINT NOT NULL)")
        .await?;
    let found: i64 = client
        .query_opt("SELECT version FROM warden_schema", &[])
        .await?
        .map_or(Ok(0), |r| r.try_get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerVersion {
            path: location.to_owned(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = client.transaction().await?;
        tx.batch_execute(sql).await?;
        tx.execute("DELETE FROM warden_schema", &[]).await?;
        tx.execute(
            "INSERT INTO warden_schema (version) VALUES ($1)",
            &[&(index as i64 + 1)],
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}
