//! The impact preview (issue 29): replay logged decisions against a candidate policy set and
//! say what would change.
//!
//! Each allow/deny row of the decision log is rebuilt into the question it was (the caller
//! as the directory has them now, the action, the resource with its logged properties, the
//! logged context) and decided twice: under the active bundle and under the candidate. A
//! flip is a row whose two answers differ. The active set's answer is the baseline, not the
//! logged one: a row whose active replay differs from its log line (the directory or the
//! policies changed since) is counted as drifted, so the preview measures what the change
//! of policies does, not what time did.
//!
//! Fail closed, as the engine: any error on the way to a decision (a user deleted since, a
//! property the schema refuses) is a deny under that set. A row that cannot be rebuilt at
//! all (a malformed logged resource) is not replayed; it is counted and said as an error
//! caveat, never a crash.
//!
//! Speed (100k rows in a few seconds, `cargo bench --bench impact`): the rows are bucketed
//! by caller, each caller is looked up once (`principal_of`), and its [`Query`] is built once
//! and reused for all of its rows (only the action, resource and context change); the
//! bundles are borrowed, never cloned, and each keeps the caller's prepared Cedar entities
//! (see [`crate::engine::prepared`]). Buckets are decided on a few scoped threads.

use super::*;
use crate::admin_action::{with_default_context, AdminAction, ACTION_TYPE, AREA_TYPE};
use crate::engine::{decide_with, PolicyBundle, Principal};
use crate::publishing::ImpactReport;
use cedar_policy::Authorizer;
use std::collections::HashMap;

mod report;
use report::report;

/// Most flipped requests listed per group (the counts cover them all).
pub const REQUESTS_PER_GROUP: usize = 20;
/// Most logged decisions one preview replays, whatever is asked: a bound on the memory and
/// time a publish request can make the server spend (a `replay` of 10^9 would otherwise
/// read the whole log into memory).
pub const MAX_REPLAY: usize = 1_000_000;
/// Most threads one replay decides on.
const MAX_THREADS: usize = 4;

/// Replay `rows` (allow/deny rows of the decision log, newest first) against the `active` and
/// the `candidate` bundles and report the flips. `principal_of` gives the caller as the
/// directory has it now (its roles), `None` for a user who no longer exists (replayed as an
/// unknown caller: denied). Pure: no store, no clock.
pub fn replay(
    rows: &[DecisionRow],
    principal_of: &dyn Fn(&str) -> Option<crate::engine::Principal>,
    active: &PolicyBundle,
    candidate: &PolicyBundle,
) -> ImpactReport {
    let mut skipped = Skipped::default();
    // Bucket the rows by the caller's directory key, in order of first appearance.
    let mut buckets: Vec<Bucket> = Vec::new();
    let mut bucket_of: HashMap<&str, usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        if row.decision == DecisionKind::Plan {
            skipped.plans += 1;
            continue;
        }
        let key = match logged_user(&row.principal) {
            Ok(Some(key)) => key,
            Ok(None) => {
                skipped.searches += 1;
                continue;
            }
            Err(e) => {
                skipped.failed(row, e);
                continue;
            }
        };
        let rebuilt = match rebuild(row) {
            Ok(r) => r,
            Err(e) => {
                skipped.failed(row, e);
                continue;
            }
        };
        let b = *bucket_of.entry(key).or_insert_with(|| {
            // One directory look-up per distinct caller.
            buckets.push((principal_of(key), Vec::new()));
            buckets.len() - 1
        });
        buckets[b].1.push((i, rebuilt));
    }
    let tally = decide_buckets(rows, buckets, active, candidate);
    report(rows, tally, skipped)
}

/// The directory key of a logged principal: `Some(user id or email)`, `None` for a row that
/// is no single caller's question (an AuthZEN resource search, `search:User`).
///
/// How the log names callers (see `server::decide::record`): `User::"<id>"` for every
/// decision the engine made (the token's user, an AuthZEN subject found in the directory,
/// an admin call); `<subject type>:<id or email>` for an AuthZEN subject denied before the
/// engine (unknown or disabled); older rows may hold a bare id.
pub(crate) fn logged_user(principal: &str) -> Result<Option<&str>, String> {
    if let Some(rest) = principal.strip_prefix("search:") {
        if !rest.contains("::") {
            return Ok(None);
        }
    }
    if principal.contains("::") {
        // Read by Cedar's parser; the id is then found again as a slice of the text, so the
        // key borrows the row. An id that needed escapes (a quote, a backslash) cannot be a
        // slice and is refused: user ids are plain (see `model::UserId`).
        let (kind, id) = crate::entity_ref::parse_entity_ref(principal)?;
        if kind != "User" {
            return Err(format!(
                "principal {principal:?} is not a User (expected User::\"id\")"
            ));
        }
        return principal
            .trim()
            .strip_prefix("User::\"")
            .and_then(|rest| rest.strip_suffix('"'))
            .filter(|text| *text == id)
            .map(Some)
            .ok_or_else(|| format!("principal {principal:?}: the user id holds escapes"));
    }
    let key = match principal.split_once(':') {
        Some((_subject_type, key)) => key,
        None => principal,
    };
    if key.trim().is_empty() {
        return Err(format!("principal {principal:?} names nobody"));
    }
    Ok(Some(key))
}

/// A logged row's question, without its caller.
struct Rebuilt {
    action_type: String,
    action: String,
    resource: Resource,
    context: Value,
}

/// Rebuild the question of `row` from its text: the action (a bare name is an `Action`, a
/// full uid as written), the resource `Type::"id"` with the logged properties, and the
/// logged context (with an admin action's default `grants`, as the server asks it).
fn rebuild(row: &DecisionRow) -> Result<Rebuilt, String> {
    let (kind, id) =
        crate::entity_ref::parse_entity_ref(&row.resource).map_err(|e| format!("resource: {e}"))?;
    let (mut action_type, action) =
        crate::engine::parse_action(&row.action).map_err(|e| format!("action: {e}"))?;
    // A denied admin read is logged by its bare name (`users.read`) on its area: it is
    // warden's own action, not an app `Action` of the same name.
    if action_type == "Action" && kind == AREA_TYPE && AdminAction::parse(&action).is_some() {
        action_type = ACTION_TYPE.to_string();
    }
    let properties = match &row.properties {
        Value::Object(m) => m.clone(),
        Value::Null => Default::default(),
        other => return Err(format!("properties are not an object: {other}")),
    };
    let context = with_default_context(&action_type, row.context.clone());
    Ok(Rebuilt {
        action_type,
        action,
        resource: Resource {
            kind,
            id,
            properties,
        },
        context,
    })
}

/// Whether a logged properties or context value is the log's cap marker: when a value's
/// JSON is over the store's limit (4096 bytes) it is written as `{"truncated": <its size>}`
/// instead (see `store::rows::capped_json`). A caller could send that very object; it would
/// then be counted as capped too, which only adds a caveat.
fn is_capped(value: &Value) -> bool {
    match value {
        Value::Object(m) if m.len() == 1 => m
            .get("truncated")
            .and_then(Value::as_u64)
            .is_some_and(|size| size > 4096),
        _ => false,
    }
}

/// Rows not replayed, by why.
#[derive(Default)]
struct Skipped {
    plans: u64,
    searches: u64,
    /// Rows that could not be rebuilt, and the newest one's row id and error.
    failed: u64,
    first_failure: Option<(i64, String)>,
}

impl Skipped {
    fn failed(&mut self, row: &DecisionRow, error: String) {
        self.failed += 1;
        if self.first_failure.is_none() {
            self.first_failure = Some((row.id, error));
        }
    }
}

/// The flips of one policy, by row index.
#[derive(Default)]
struct GroupTally {
    allow_to_deny: u64,
    deny_to_allow: u64,
    /// (row index, whether the active set allowed it): the direction of its flip.
    rows: Vec<(usize, bool)>,
}

/// What the replayed rows came to.
#[derive(Default)]
struct Tally {
    replayed: u64,
    allow_to_deny: u64,
    deny_to_allow: u64,
    drifted: u64,
    capped: u64,
    /// Rows, and distinct callers, no longer in the directory (deleted or disabled).
    unknown_rows: u64,
    unknown_users: u64,
    /// Rows whose replay was lost (a replay thread panicked): reported as an error.
    lost: u64,
    groups: HashMap<String, GroupTally>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.replayed += other.replayed;
        self.allow_to_deny += other.allow_to_deny;
        self.deny_to_allow += other.deny_to_allow;
        self.drifted += other.drifted;
        self.capped += other.capped;
        self.unknown_rows += other.unknown_rows;
        self.unknown_users += other.unknown_users;
        self.lost += other.lost;
        for (policy, g) in other.groups {
            let mine = self.groups.entry(policy).or_default();
            mine.allow_to_deny += g.allow_to_deny;
            mine.deny_to_allow += g.deny_to_allow;
            mine.rows.extend(g.rows);
        }
    }

    /// Count one row's two answers.
    fn count(&mut self, i: usize, row: &DecisionRow, before: &Decision, after: &Decision) {
        self.replayed += 1;
        if before.allowed != (row.decision == DecisionKind::Allow) {
            self.drifted += 1;
        }
        if is_capped(&row.properties) || is_capped(&row.context) {
            self.capped += 1;
        }
        // Attribution, as `ImpactGroup` documents it: a new allow to the candidate's
        // permits; a new deny to the candidate's forbids when they decided it, else to the
        // active set's permits that no longer allow (removed, narrowed, or erroring now).
        let (policies, to_deny) = match (before.allowed, after.allowed) {
            (true, false) if !after.reasons.is_empty() => (&after.reasons, true),
            (true, false) => (&before.reasons, true),
            (false, true) => (&after.reasons, false),
            _ => return,
        };
        if to_deny {
            self.allow_to_deny += 1;
        } else {
            self.deny_to_allow += 1;
        }
        let unnamed = [String::from("(no policy)")];
        let names = if policies.is_empty() {
            &unnamed[..]
        } else {
            &policies[..]
        };
        for policy in names {
            let g = self.groups.entry(policy.clone()).or_default();
            if to_deny {
                g.allow_to_deny += 1;
            } else {
                g.deny_to_allow += 1;
            }
            g.rows.push((i, to_deny));
        }
    }
}

/// One caller (none: no longer in the directory) and its rows, as (row index, question).
type Bucket = (Option<Principal>, Vec<(usize, Rebuilt)>);

/// Decide every bucket under both bundles, on up to [`MAX_THREADS`] scoped threads (the
/// buckets dealt out by size so the threads get similar work). A thread that panics loses
/// its rows: they are counted as lost (an error caveat), never as unchanged.
fn decide_buckets(
    rows: &[DecisionRow],
    mut buckets: Vec<Bucket>,
    active: &PolicyBundle,
    candidate: &PolicyBundle,
) -> Tally {
    let total: usize = buckets.iter().map(|b| b.1.len()).sum();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, MAX_THREADS)
        .min(total.div_ceil(2_000).max(1));
    if threads == 1 {
        return decide_share(rows, buckets, active, candidate);
    }
    buckets.sort_by_key(|b| std::cmp::Reverse(b.1.len()));
    let mut shares: Vec<(usize, Vec<Bucket>)> = (0..threads).map(|_| (0, Vec::new())).collect();
    for bucket in buckets {
        if let Some(lightest) = shares.iter_mut().min_by_key(|s| s.0) {
            lightest.0 += bucket.1.len();
            lightest.1.push(bucket);
        }
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .into_iter()
            .map(|(n, share)| {
                (
                    n,
                    scope.spawn(move || decide_share(rows, share, active, candidate)),
                )
            })
            .collect();
        let mut tally = Tally::default();
        for (n, handle) in handles {
            match handle.join() {
                Ok(part) => tally.merge(part),
                Err(_) => {
                    crate::alarm::raise("impact_replay", "a replay thread panicked");
                    tally.lost += n as u64;
                }
            }
        }
        tally
    })
}

/// Decide one thread's buckets: each caller's query is built once and reused.
fn decide_share(
    rows: &[DecisionRow],
    share: Vec<Bucket>,
    active: &PolicyBundle,
    candidate: &PolicyBundle,
) -> Tally {
    let authorizer = Authorizer::new();
    let mut tally = Tally::default();
    for (principal, questions) in share {
        let Some(principal) = principal else {
            // Deleted or disabled since: no principal, so a deny under both sets.
            let deny = Decision::error("the user is no longer in the directory (or disabled)");
            tally.unknown_users += 1;
            for (i, _) in questions {
                tally.unknown_rows += 1;
                tally.count(i, &rows[i], &deny, &deny);
            }
            continue;
        };
        let mut query = Query {
            principal,
            action_type: String::new(),
            action: String::new(),
            resource: Resource {
                kind: String::new(),
                id: String::new(),
                properties: Default::default(),
            },
            context: Value::Null,
        };
        for (i, rebuilt) in questions {
            query.action_type = rebuilt.action_type;
            query.action = rebuilt.action;
            query.resource = rebuilt.resource;
            query.context = rebuilt.context;
            let before = decide_with(&authorizer, active, &query);
            let after = decide_with(&authorizer, candidate, &query);
            tally.count(i, &rows[i], &before, &after);
        }
    }
    tally
}

impl App {
    /// The impact of `candidate` on the latest `limit` logged decisions: reads them and the
    /// directory (each principal once), then [`replay`]s them on the blocking pool.
    ///
    /// Security: the report lists logged requests (who asked what about which resource, at
    /// most [`REQUESTS_PER_GROUP`] per policy), so whoever may preview a publish reads that
    /// much of the decision log: the publish path is governed by its own admin action.
    /// `limit` is bounded by [`MAX_REPLAY`] (a caller cannot make the server read the whole
    /// log into memory). Public (not `pub(crate)`) so that it is no dead code before the
    /// publish path calls it.
    pub async fn impact_of(
        &self,
        candidate: Arc<PolicyBundle>,
        limit: usize,
    ) -> Result<ImpactReport, AppError> {
        let active = self.engine()?.bundle();
        self.impact_against(active, candidate, limit).await
    }

    /// [`App::impact_of`] against a given `active` bundle: the one a publish started from
    /// (the follower may install another one while the publish runs).
    pub(super) async fn impact_against(
        &self,
        active: Arc<PolicyBundle>,
        candidate: Arc<PolicyBundle>,
        limit: usize,
    ) -> Result<ImpactReport, AppError> {
        let asked = limit;
        let limit = limit.min(MAX_REPLAY);
        let rows = self.latest_decisions(limit).await?;
        let principals = self.directory_principals(&rows).await?;
        let mut report = tokio::task::spawn_blocking(move || {
            replay(
                &rows,
                &|key| principals.get(key).cloned().flatten(),
                &active,
                &candidate,
            )
        })
        .await
        .map_err(|e| {
            // A lost replay is an error, never an empty (harmless-looking) report.
            crate::alarm::raise("impact_task", &e);
            AppError::Auth(AuthError::Internal)
        })?;
        if asked > limit {
            report.caveats.push(format!(
                "{asked} decisions were asked for; at most {MAX_REPLAY} are replayed"
            ));
        }
        Ok(report)
    }

    /// The newest `limit` allow/deny rows of the decision log, newest first. Asked by kind
    /// (one query for allows, one for denies, each at most `limit` rows, merged by id) so
    /// that query plans, which are not replayed, do not take the place of decisions.
    async fn latest_decisions(&self, limit: usize) -> Result<Vec<DecisionRow>, AppError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let of = |decision| DecisionFilter {
            decision: Some(decision),
            limit: i64::try_from(limit).unwrap_or(i64::MAX),
            ..DecisionFilter::default()
        };
        let mut rows = self.store.query_decisions(&of(DecisionKind::Allow)).await?;
        rows.extend(self.store.query_decisions(&of(DecisionKind::Deny)).await?);
        rows.sort_unstable_by_key(|r| std::cmp::Reverse(r.id));
        rows.truncate(limit);
        Ok(rows)
    }

    /// The directory principal of every caller the rows name, read once each (the role
    /// graph once for all): `None` for a user deleted or disabled since. A store error fails
    /// the preview (never a caller silently treated as unknown).
    async fn directory_principals(
        &self,
        rows: &[DecisionRow],
    ) -> Result<HashMap<String, Option<Principal>>, AppError> {
        let mut keys: Vec<&str> = rows
            .iter()
            .filter(|r| r.decision != DecisionKind::Plan)
            .filter_map(|r| logged_user(&r.principal).ok().flatten())
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let graph = self.store.role_graph().await?;
        let mut principals = HashMap::with_capacity(keys.len());
        for key in keys {
            let user = if key.contains('@') {
                // As AuthZEN finds a subject by email: an address that is not one names
                // nobody.
                match crate::model::Email::parse(key) {
                    Ok(email) => self.store.user_by_email(&email).await?.map(|(u, _)| u),
                    Err(_) => None,
                }
            } else {
                match self.store.user(key).await {
                    Ok(u) => Some(u),
                    Err(StoreError::NotFound { .. }) => None,
                    Err(e) => return Err(e.into()),
                }
            };
            let principal = user.filter(|u| !u.disabled).map(|u| {
                identity::principal_from(
                    &u.id,
                    &u.email,
                    &u.name,
                    Default::default(),
                    &u.roles,
                    &graph,
                )
            });
            principals.insert(key.to_string(), principal);
        }
        Ok(principals)
    }
}

#[cfg(test)]
#[path = "impact_tests.rs"]
mod tests;

impl App {
    /// The preview as `actor` may see it. The flipped requests are rows of the decision log
    /// (who asked what, on which resource): a delegated policy author who may publish but not
    /// read the log (`decisions.read`) gets the counts and the groups without them, else
    /// publishing would be a way around the log's own protection.
    pub(super) async fn visible_impact(
        &self,
        actor: &Actor,
        mut impact: ImpactReport,
    ) -> Result<ImpactReport, AppError> {
        let Actor::User { id, .. } = actor else {
            return Ok(impact);
        };
        let check = Check::area(AdminAction::DecisionsRead, "decisions");
        if self.refusal(id, &check).await?.is_none() {
            return Ok(impact);
        }
        if impact.groups.iter().any(|g| !g.requests.is_empty()) {
            for group in &mut impact.groups {
                group.requests.clear();
            }
            impact.caveats.push(
                "the flipped requests are not listed: they are decision log rows, and you may \
                 not read the decision log (Warden::Action::\"decisions.read\")"
                    .into(),
            );
        }
        Ok(impact)
    }
}
