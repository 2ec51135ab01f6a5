//! The rows and arguments of the storage seam, shared by both back ends.

use crate::model::{DecisionKind, Email, RoleName, UserId, UserName};
use serde::Serialize;

/// A user as stored, without the password hash.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub disabled: bool,
    /// Access tokens issued before this epoch second are refused ("revoke all").
    pub tokens_valid_after: i64,
    pub created_at: i64,
    /// Directly assigned roles, the primary one first.
    pub roles: Vec<String>,
}

/// What is needed to create a user.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: UserId,
    pub email: Email,
    pub name: UserName,
    pub roles: Vec<RoleName>,
    pub password_hash: Option<String>,
}

/// A federated identity: an identity provider's `(issuer, subject)` linked to a warden user.
/// The subject is the provider's, never a warden user id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdentityRow {
    pub issuer: String,
    pub subject: String,
    pub user_id: String,
    pub created_at: i64,
}

/// A LIKE pattern that matches `text` literally, with a backslash as the escape character.
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A role with its direct parents.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct RoleRow {
    pub name: String,
    pub parents: Vec<String>,
    /// How many users hold this role directly.
    pub users: i64,
}

/// A sign-in session: one family of refresh tokens.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub created_at: i64,
    pub last_used_at: i64,
    /// The absolute end of the session; it never slides.
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
}

impl SessionRow {
    /// Whether the session still counts at `at`, given the idle limit in seconds.
    pub fn is_live(&self, at: i64, idle_secs: i64) -> bool {
        self.revoked_at.is_none() && at < self.expires_at && at < self.last_used_at + idle_secs
    }
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The token was live: it is now used and its successor is stored.
    Rotated(SessionRow),
    /// The immediate predecessor of the live token, within the grace window: the caller
    /// hands out the same successor again.
    Replayed(SessionRow),
    /// A used token presented again outside the grace window: the session was revoked.
    Reused(SessionRow),
    /// Unknown token, or its session is over.
    Dead(&'static str),
}

/// Limits that a refresh is checked against.
#[derive(Debug, Clone, Copy)]
pub struct RefreshLimits {
    pub idle_secs: i64,
    pub grace_secs: i64,
}

/// A service client; the key itself is shown once at creation and never stored.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A signing key. The private half never leaves the store and the token layer.
#[derive(Clone, Serialize)]
pub struct KeyRow {
    pub kid: String,
    pub alg: String,
    #[serde(skip)]
    pub private_der: Vec<u8>,
    #[serde(skip)]
    pub public_raw: Vec<u8>,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

impl std::fmt::Debug for KeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRow")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("created_at", &self.created_at)
            .field("retired_at", &self.retired_at)
            .finish_non_exhaustive()
    }
}

/// One audit entry.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: serde_json::Value,
    /// The actor's address (the end user's, see `server::origin`); empty for the command
    /// line and warden itself.
    #[serde(default)]
    pub address: String,
}

/// One logged decision.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct DecisionRow {
    /// The row id (0 for a row not written yet); increases with time.
    #[serde(default)]
    pub id: i64,
    pub at: i64,
    pub request_id: String,
    pub client: String,
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub decision: DecisionKind,
    pub reasons: Vec<String>,
    pub errors: Vec<String>,
    pub latency_us: i64,
    /// The resource's properties as given (`{}` when none; capped when written).
    #[serde(default)]
    pub properties: serde_json::Value,
    /// The context as given (`{}` when none; capped when written).
    #[serde(default)]
    pub context: serde_json::Value,
    /// The caller's address (the end user's where a trusted proxy or a service client
    /// named it, see `server::origin`).
    #[serde(default)]
    pub address: String,
}

/// Filters for [`Store::query_decisions`].
#[derive(Debug, Clone, Default)]
pub struct DecisionFilter {
    pub principal: Option<String>,
    pub action: Option<String>,
    pub decision: Option<DecisionKind>,
    pub since: Option<i64>,
    pub after_id: Option<i64>,
    pub limit: i64,
}

/// A value a [`DecisionFilter`] predicate compares with, bound as a parameter by each back
/// end (never written into the SQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound<'a> {
    Text(&'a str),
    Int(i64),
}

impl DecisionFilter {
    /// The predicates of the filters present, in order, as `(column and operator, value)`.
    /// A filter left out is no predicate at all (not `(? IS NULL OR col = ?)`, which no
    /// index serves), so the planner can use the index of the column it names, or the key
    /// alone for a long-poll's `id > ?`.
    fn predicates(&self) -> Vec<(&'static str, Bound<'_>)> {
        let mut p = Vec::with_capacity(5);
        if let Some(principal) = &self.principal {
            p.push(("principal =", Bound::Text(principal)));
        }
        if let Some(action) = &self.action {
            p.push(("action =", Bound::Text(action)));
        }
        if let Some(decision) = self.decision {
            p.push(("decision =", Bound::Text(decision.as_str())));
        }
        if let Some(since) = self.since {
            p.push(("at >=", Bound::Int(since)));
        }
        if let Some(after) = self.after_id {
            p.push(("id >", Bound::Int(after)));
        }
        p
    }

    /// The query of this filter, newest first, as SQL with the `n`th parameter written by
    /// `placeholder(n)` (1-based: `?n` for SQLite, `$n` for PostgreSQL), and the values to
    /// bind, in order (the last is the limit). One text for both back ends; each shape of
    /// filter is its own statement, prepared and cached once per connection.
    pub(crate) fn sql(&self, placeholder: impl Fn(usize) -> String) -> (String, Vec<Bound<'_>>) {
        let mut values = Vec::with_capacity(6);
        let mut sql = String::from(
            "SELECT at, request_id, client, principal, action, resource, decision, reasons, errors, \
             latency_us, id, properties, context, address FROM decision_log",
        );
        for (i, (predicate, value)) in self.predicates().into_iter().enumerate() {
            sql.push_str(if i == 0 { " WHERE " } else { " AND " });
            sql.push_str(predicate);
            sql.push(' ');
            values.push(value);
            sql.push_str(&placeholder(values.len()));
        }
        values.push(Bound::Int(self.limit.max(0)));
        sql.push_str(" ORDER BY id DESC LIMIT ");
        sql.push_str(&placeholder(values.len()));
        (sql, values)
    }
}

/// Decision counts for a dashboard.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, Default)]
pub struct DecisionStats {
    pub allowed: i64,
    pub denied: i64,
    /// (action, denies), most denied first.
    pub top_denied: Vec<(String, i64)>,
    /// The newest row id.
    pub last_id: i64,
}

/// Most bytes of a logged properties or context object; a larger one is logged as
/// `{"truncated": <its size>}` so that the log's size stays bounded.
pub(crate) const MAX_LOGGED_JSON: usize = 4096;

/// `value` as [`capped_json`] stores it, as a value: what a log sink is sent (a sink must not
/// hold more of a request than the database keeps).
pub fn capped_log_value(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Null => serde_json::json!({}),
        v => {
            let len = v.to_string().len();
            if len > MAX_LOGGED_JSON {
                serde_json::json!({"truncated": len})
            } else {
                v.clone()
            }
        }
    }
}

pub(crate) fn capped_json(value: &serde_json::Value) -> String {
    let text = match value {
        serde_json::Value::Null => return "{}".into(),
        v => v.to_string(),
    };
    if text.len() > MAX_LOGGED_JSON {
        return serde_json::json!({"truncated": text.len()}).to_string();
    }
    text
}

/// One counter a sign-in attempt is charged to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleKey {
    /// `pair` (account and address), `account` or `address`.
    pub scope: &'static str,
    /// The normalised email, or `""` for the address scope.
    pub account: String,
    /// The client address, or `""` for the account scope.
    pub address: String,
    /// Failures allowed in one window before the key blocks.
    pub limit: u32,
}

/// The answer of [`Store::reserve_login`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// The attempt is counted; go ahead and check the password.
    Granted,
    /// A key is at its limit: wait this many whole seconds (rounded up).
    Blocked { retry_after_secs: u64 },
}

/// A running warden replica, as its last heartbeat described it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct ReplicaRow {
    /// Chosen at start, random: a restarted process is a new replica.
    pub id: String,
    /// The address it serves on.
    pub address: String,
    /// warden's version.
    pub version: String,
    /// When it started (epoch seconds).
    pub started_at: i64,
    /// SHA-256 of the policy bundle it serves (file names and contents).
    pub policy_hash: String,
    /// Its last heartbeat (epoch seconds).
    pub seen_at: i64,
    /// The published policy version it serves (`policy_source = "store"`); none in
    /// directory mode.
    #[serde(default)]
    pub policy_version: Option<i64>,
    /// Why it could not load the active published version, while it keeps serving the
    /// one it has (none when it serves the active one).
    #[serde(default)]
    pub policy_error: Option<String>,
}

/// A published policy set's version, without its files' texts (SKELETON, issue 29).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct PolicyVersionRow {
    pub version: i64,
    /// SHA-256 of the files (see `PolicyBundle::content_hash`).
    pub hash: String,
    /// The actor's label (`cli`, `user:<id>`).
    pub author: String,
    pub created_at: i64,
    pub message: String,
    /// For a rollback: the version whose files it restored.
    pub rollback_of: Option<i64>,
    /// The file names, sorted.
    pub file_names: Vec<String>,
}

/// A policy set to publish (SKELETON, issue 29).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPolicyVersion {
    pub hash: String,
    pub author: String,
    pub created_at: i64,
    pub message: String,
    pub rollback_of: Option<i64>,
    pub files: crate::publishing::PolicyFiles,
}
