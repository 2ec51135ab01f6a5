//! Published policy sets (issue 29): the types the application core answers with and the
//! admin API carries as they are (a leaf module, like [`crate::model`]: it knows neither the
//! store nor the engine nor HTTP).
//!
//! A published set is the files of a policy directory (policies, schema, `links.json`,
//! policy tests) stored together, immutable, under a version number that only grows; exactly
//! one version is active. A rollback is a new version whose files are an old one's, so the
//! history only grows.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The files of a policy set: name -> text. Names are those of a policy directory:
/// `*.cedar`, `schema.cedarschema` and `links.json` at the top, policy test suites as
/// `tests/NAME.toml` or `tests/NAME.json`; nothing else.
pub type PolicyFiles = BTreeMap<String, String>;

/// Where a server takes its policies from (`policy_source`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PolicySource {
    /// The policy directory, watched (one machine; the default).
    #[default]
    Dir,
    /// The active published set in the database, followed by every replica.
    Store,
}

impl PolicySource {
    /// The word used in configuration and answers.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicySource::Dir => "dir",
            PolicySource::Store => "store",
        }
    }
}

/// One published version, without its files' texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PolicyVersionInfo {
    /// 1, 2, 3...: the order of publication.
    pub version: i64,
    /// SHA-256 (hex) of the files, names and texts in name order (the same hash a replica
    /// reports for the bundle it serves).
    pub hash: String,
    /// Who published it: `cli` or the admin user's id.
    pub author: String,
    /// When (epoch seconds).
    pub created_at: i64,
    pub message: String,
    /// For a rollback: the version whose files it restored.
    pub rollback_of: Option<i64>,
    /// Whether this is the active version.
    pub active: bool,
    /// The file names, sorted.
    pub files: Vec<String>,
}

/// `GET /admin/v1/policies/versions`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PolicyVersionList {
    /// Where this server takes its policies from.
    pub source: PolicySource,
    /// The active version (none before the first publish).
    pub active: Option<i64>,
    pub versions: Vec<PolicyVersionInfo>,
}

/// One version with its files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PolicyVersionDetail {
    pub version: PolicyVersionInfo,
    /// File name -> text.
    pub files: BTreeMap<String, String>,
}

/// How a file differs between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileChange {
    Added,
    Removed,
    Changed,
}

/// One file's difference: a unified diff (`---`/`+++` headers, `@@` hunks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PolicyFileDiff {
    pub file: String,
    pub change: FileChange,
    pub diff: String,
}

/// `GET /admin/v1/policies/diff?from=A&to=B`: the files that differ, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PolicyDiff {
    pub from: i64,
    pub to: i64,
    pub files: Vec<PolicyFileDiff>,
}

/// `POST /admin/v1/policies/versions`: publish a set (`warden policy publish`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishPolicies {
    /// File name -> text, as in a policy directory (see [`PolicyFiles`]): `*.cedar`,
    /// `schema.cedarschema`, `links.json`, `tests/*.toml` and `tests/*.json`.
    pub files: BTreeMap<String, String>,
    /// Why (kept with the version and in the audit row).
    pub message: String,
    /// Validate, test and preview, but do not activate.
    #[serde(default)]
    pub dry_run: bool,
    /// Refuse (nothing activated) when more than this many replayed decisions would flip.
    #[serde(default)]
    pub max_changes: Option<u64>,
    /// How many of the latest logged decisions to replay (default 10,000).
    #[serde(default)]
    pub replay: Option<u64>,
}

/// `POST /admin/v1/policies/rollback` (`warden policy rollback VERSION`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RollbackPolicies {
    /// The version whose files become a new active version.
    pub version: i64,
    /// Why (default: "rollback to version N").
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub dry_run: bool,
    #[serde(default)]
    pub max_changes: Option<u64>,
    #[serde(default)]
    pub replay: Option<u64>,
}

/// The answer to a publish or a rollback (also to a dry run, with `activated: false`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublishOutcome {
    /// Whether the set is now active (false on a dry run).
    pub activated: bool,
    /// The new version (none on a dry run).
    pub version: Option<i64>,
    /// The set's content hash.
    pub hash: String,
    /// Policies and templates in the set.
    pub policies: usize,
    /// The set's policy tests: all passed (a failing test refuses the publish).
    pub tests_passed: usize,
    /// What the set would have changed in the replayed decisions.
    pub impact: ImpactReport,
}

/// What a candidate set would have decided differently for logged decisions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImpactReport {
    /// Logged decisions replayed (allow/deny rows; plans are not replayed).
    pub replayed: u64,
    /// Allowed by the active set, denied by the candidate.
    pub allow_to_deny: u64,
    /// Denied by the active set, allowed by the candidate.
    pub deny_to_allow: u64,
    /// Rows whose replay under the active set differs from what was logged (the directory
    /// or the policies changed since): the replay cannot know what they were asked under.
    pub drifted: u64,
    /// Rows whose properties or context were capped when logged: replayed as logged.
    pub capped: u64,
    /// The flips grouped by the policy that decides them (the candidate's determining
    /// policies for deny->allow and allow->deny-by-forbid, the active set's permits that no
    /// longer allow otherwise), most flips first.
    pub groups: Vec<ImpactGroup>,
    /// What replay cannot know, in words.
    pub caveats: Vec<String>,
}

/// Flips attributed to one policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImpactGroup {
    /// The policy id.
    pub policy: String,
    pub allow_to_deny: u64,
    pub deny_to_allow: u64,
    /// The flipped requests (at most 20 per group, newest first).
    pub requests: Vec<ReplayedDecision>,
}

/// One logged decision that would flip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReplayedDecision {
    /// The decision log row id.
    pub decision_id: i64,
    pub at: i64,
    pub principal: String,
    pub action: String,
    pub resource: String,
    /// `allow` or `deny` under the active set.
    pub before: String,
    /// `allow` or `deny` under the candidate.
    pub after: String,
}
