//! Versioned schema migrations, tracked in `PRAGMA user_version`.

use super::StoreError;
use rusqlite::Connection;
use std::path::Path;

/// Each entry moves the schema from version `i` to `i + 1`. Never edit a shipped entry: add one.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta (key, value) VALUES ('revision', 0);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL DEFAULT '',
    password_hash TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    tokens_valid_after INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE roles (
    name TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);

CREATE TABLE role_parents (
    role TEXT NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
    parent TEXT NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
    PRIMARY KEY (role, parent)
);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    revoked_reason TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE refresh_tokens (
    hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    used_at INTEGER,
    successor_hash TEXT
);
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);

CREATE TABLE revoked_tokens (
    jti TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER NOT NULL
);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL,
    private_der BLOB NOT NULL,
    public_raw BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER
);

CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TABLE clients (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE decision_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    request_id TEXT,
    client TEXT,
    principal TEXT,
    action TEXT,
    resource TEXT,
    decision TEXT NOT NULL,
    reasons TEXT NOT NULL DEFAULT '[]',
    errors TEXT NOT NULL DEFAULT '[]',
    latency_us INTEGER NOT NULL DEFAULT 0
);
"#,
    // 2: sign-in throttle counters shared by every process on the file and kept across restarts.
    r#"
CREATE TABLE login_throttle (
    scope TEXT NOT NULL,
    account TEXT NOT NULL,
    address TEXT NOT NULL,
    failures INTEGER NOT NULL,
    window_start_ms INTEGER NOT NULL,
    PRIMARY KEY (scope, account, address)
);
CREATE INDEX login_throttle_window ON login_throttle(window_start_ms);
CREATE INDEX login_throttle_account ON login_throttle(account);
"#,
    // 3: the decision log keeps what a decision was asked about: the resource's properties
    // and the context (each capped when written).
    r#"
ALTER TABLE decision_log ADD COLUMN properties TEXT NOT NULL DEFAULT '{}';
ALTER TABLE decision_log ADD COLUMN context TEXT NOT NULL DEFAULT '{}';
"#,
    // 4: running replicas (servers on one file) and their heartbeats.
    r#"
CREATE TABLE replicas (
    id TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    version TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    policy_hash TEXT NOT NULL,
    seen_at INTEGER NOT NULL
);
"#,
    // 5: federated identities, `(issuer, subject) -> user`, compared exactly (BINARY), gone
    // with their user; and the ID tokens already exchanged (replay refused) until they expire.
    r#"
CREATE TABLE identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX identities_user ON identities(user_id);

CREATE TABLE exchanged_tokens (
    issuer TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (issuer, token_hash)
);
CREATE INDEX exchanged_tokens_expiry ON exchanged_tokens(expires_at);
"#,
    // 6: the end user's address (see `server::origin`) of each audited change and logged
    // decision; empty where there is none (the command line, warden itself).
    r#"
ALTER TABLE audit_log ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE decision_log ADD COLUMN address TEXT NOT NULL DEFAULT '';
"#,
    // 7: the decision log indexed on what it is filtered by (the admin API, the console's
    // long-poll, `warden decisions`): each filter column with the id, so a filtered page
    // newest first (`col = ? [AND id > ?] ORDER BY id DESC LIMIT n`) is one index range
    // read from its end; `at` for `since` and the dashboard's counts. The id is the key.
    r#"
CREATE INDEX decision_log_principal ON decision_log(principal, id);
CREATE INDEX decision_log_action ON decision_log(action, id);
CREATE INDEX decision_log_decision ON decision_log(decision, id);
CREATE INDEX decision_log_at ON decision_log(at);
"#,
    // 8: published policy sets (issue 29). Each version is immutable: its files as one JSON
    // object (name -> text) and their names apart (a JSON array, sorted), so a listing
    // never reads the texts. The active version lives in a one-row table (`id` is always 1)
    // that a publish reads and moves in its write transaction. And what each replica serves
    // from them: the version, and why it could not load the active one.
    r#"
CREATE TABLE policy_versions (
    version INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    message TEXT NOT NULL,
    rollback_of INTEGER REFERENCES policy_versions(version),
    file_names TEXT NOT NULL,
    files TEXT NOT NULL
);
CREATE TABLE policy_active (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER REFERENCES policy_versions(version)
);
INSERT INTO policy_active (id, version) VALUES (1, NULL);
ALTER TABLE replicas ADD COLUMN policy_version INTEGER;
ALTER TABLE replicas ADD COLUMN policy_error TEXT;
"#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Bring the database up to [`SCHEMA_VERSION`], one transaction per step. A database from a
/// newer build is refused: running old code on a newer schema could silently lose data.
pub(super) fn apply(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerVersion {
            path: path.display().to_string(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the write lock.
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now > index as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
