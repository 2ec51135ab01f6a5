//! Published policy sets (issue 29): publish (validated, tested, previewed, gated), the
//! versions, one version, the diff of two, rollback; and how a server in store mode loads
//! and follows the active version. See [`crate::publishing`].
//!
//! Decided here: publishing is refused by a server that takes its policies from a directory
//! (`policy_source = "dir"`, [`PolicyRefusal::WrongSource`]). Such a server would store a
//! version it does not serve, so "activated" would be true nowhere its caller can see, and a
//! deployment half on directories and half on the store would drift without anyone being
//! told. The command line publishes with `WARDEN_POLICY_SOURCE=store` (it serves nothing,
//! so it can publish for the replicas before they switch to the store).

use super::*;
use crate::engine::{LoadError, PolicyBundle};
use crate::publishing::{
    ImpactReport, PolicyDiff, PolicyFiles, PolicySource, PolicyVersionDetail, PolicyVersionInfo,
    PolicyVersionList, PublishOutcome, PublishPolicies, RollbackPolicies,
};
use crate::store::{NewPolicyVersion, PolicyVersionRow};

/// How many logged decisions a publish replays when the request does not say.
pub const DEFAULT_REPLAY: u64 = 10_000;
/// The most logged decisions a publish may replay.
pub const MAX_REPLAY: u64 = 100_000;
/// The longest publish message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 1_000;

/// Diagnostics as `warden policy check` prints them, one a line.
fn diagnostics_text(diagnostics: &[crate::engine::Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn invalid_set(err: &LoadError) -> AppError {
    AppError::policy(
        PolicyRefusal::Invalid,
        format!(
            "the policy set is invalid; nothing was activated:\n{}",
            diagnostics_text(&err.diagnostics)
        ),
    )
}

/// Run blocking work (parsing, validating, testing Cedar) on the blocking pool.
async fn off_workers<T: Send + 'static>(
    what: &'static str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        crate::alarm::raise(what, &e);
        AppError::Store(StoreError::Unavailable)
    })
}

/// Load published version `version` from the store into a bundle (its files' hash checked
/// against the stored one: a row changed behind warden's back is not served).
pub(crate) async fn load_version(store: &Store, version: i64) -> Result<PolicyBundle, AppError> {
    let (row, files) = store.policy_version_files(version).await?;
    let loaded = off_workers("policy_load", move || {
        let hash = crate::engine::hash_files(&files);
        if hash != row.hash {
            return Err(LoadError::from(crate::engine::Diagnostic::file_error(
                &format!("version {version}"),
                format!(
                    "the stored files hash to {hash}, not to the version's {}: refusing to serve them",
                    row.hash
                ),
            )));
        }
        crate::engine::load_files(&files)
    })
    .await?;
    let mut bundle = loaded.map_err(|e| {
        AppError::policy(
            PolicyRefusal::Invalid,
            format!(
                "published version {version} does not load here:\n{}",
                diagnostics_text(&e.diagnostics)
            ),
        )
    })?;
    bundle.version = Some(version);
    Ok(bundle)
}

/// The engine of a server in store mode: the active version, or a start-up error saying how
/// to publish one.
///
/// When the active version does not load here, a server (`repair` false) refuses to start.
/// Fail closed (found in review): the newest older version that loads is often the very set
/// a rollback or a revocation replaced. (A running replica keeps the set in force.) The
/// command line (`repair` true) opens on that older version, the active one's error kept, so
/// that an operator can still publish a fix or roll back.
pub(crate) async fn store_engine(store: &Store, repair: bool) -> Result<Engine, OpenError> {
    let none = || {
        OpenError::Policies(LoadError::from(crate::engine::Diagnostic::file_error(
            "policy store",
            "policy_source is \"store\" but no policy set is published in this database: run \
             `warden init` (publishes the shipped policies as version 1) or `warden policy \
             publish DIR -m MESSAGE`",
        )))
    };
    let as_open = |e: AppError| match e {
        AppError::Store(s) => OpenError::Store(s),
        other => OpenError::Policies(LoadError::from(crate::engine::Diagnostic::file_error(
            "policy store",
            other.to_string(),
        ))),
    };
    let active = store.active_policy_version().await?.ok_or_else(none)?;
    let failed = match load_version(store, active).await {
        Ok(bundle) => return Ok(Engine::new(bundle)),
        Err(AppError::Store(s)) => return Err(OpenError::Store(s)),
        Err(e) => e,
    };
    if !repair {
        return Err(as_open(AppError::Invalid(format!(
            "the active policy version {active} does not load here ({failed}); refusing to \
             start on an older one: publish a fix (`warden policy publish DIR -m MESSAGE`) or \
             roll back (`warden policy rollback VERSION`)"
        ))));
    }
    for row in store.list_policy_versions().await? {
        if row.version >= active {
            continue;
        }
        if let Ok(bundle) = load_version(store, row.version).await {
            tracing::error!(active, serving = row.version, error = %failed, "the active policy version does not load here; an older one serves");
            let engine = Engine::new(bundle);
            engine.refuse(&LoadError::from(crate::engine::Diagnostic::file_error(
                &format!("version {active}"),
                failed.to_string(),
            )));
            return Ok(engine);
        }
    }
    Err(as_open(failed))
}

fn info(row: PolicyVersionRow, active: Option<i64>) -> PolicyVersionInfo {
    PolicyVersionInfo {
        active: active == Some(row.version),
        version: row.version,
        hash: row.hash,
        author: row.author,
        created_at: row.created_at,
        message: row.message,
        rollback_of: row.rollback_of,
        files: row.file_names,
    }
}

/// A set's files to publish, with where they come from.
struct Candidate {
    files: PolicyFiles,
    message: String,
    rollback_of: Option<i64>,
    dry_run: bool,
    max_changes: Option<u64>,
    replay: Option<u64>,
}

impl App {
    /// Publish a policy set (`policies.publish`): validate it strictly against its schema
    /// (the same diagnostics as `warden policy check`), run its tests (as `warden policy
    /// test`), refuse a set under which nobody could administer warden, replay the latest
    /// logged decisions against it ([`ImpactReport`](crate::publishing::ImpactReport)),
    /// refuse more flips than `max_changes`, and (unless `dry_run`) store it as the next
    /// version and activate it, with its audit row, in one transaction. This server
    /// switches to it before answering; the others follow the revision.
    pub async fn publish_policies(
        &self,
        actor: &Actor,
        request: PublishPolicies,
    ) -> Result<PublishOutcome, AppError> {
        self.authorize(actor, Check::area(AdminAction::PoliciesPublish, "policies"))
            .await?;
        self.publish_candidate(
            actor,
            Candidate {
                files: request.files,
                message: request.message,
                rollback_of: None,
                dry_run: request.dry_run,
                max_changes: request.max_changes,
                replay: request.replay,
            },
        )
        .await
    }

    /// Publish an old version's files again as a new version (`policies.publish`), gated
    /// like any publish.
    pub async fn rollback_policies(
        &self,
        actor: &Actor,
        request: RollbackPolicies,
    ) -> Result<PublishOutcome, AppError> {
        self.authorize(actor, Check::area(AdminAction::PoliciesPublish, "policies"))
            .await?;
        self.require_store_source()?;
        let (_, files) = self.store.policy_version_files(request.version).await?;
        let message = match request.message {
            Some(m) if !m.trim().is_empty() => m,
            _ => format!("rollback to version {}", request.version),
        };
        self.publish_candidate(
            actor,
            Candidate {
                files,
                message,
                rollback_of: Some(request.version),
                dry_run: request.dry_run,
                max_changes: request.max_changes,
                replay: request.replay,
            },
        )
        .await
    }

    fn require_store_source(&self) -> Result<(), AppError> {
        match self.config.policy_source {
            PolicySource::Store => Ok(()),
            PolicySource::Dir => Err(AppError::policy(
                PolicyRefusal::WrongSource,
                "this server takes its policies from a directory; set policy_source = \"store\" \
                 (WARDEN_POLICY_SOURCE=store) to publish, roll back and serve published sets",
            )),
        }
    }

    /// The gates of a publish, in order (each refusal leaves nothing activated): where
    /// policies come from, the input's shape and size, validation, the set's tests, the
    /// weakening rules, someone can still administer, the impact and `max_changes`; then,
    /// unless a dry run, the store (one transaction, only over the version this server
    /// serves, else the store's publish race) and this server's engine.
    async fn publish_candidate(
        &self,
        actor: &Actor,
        candidate: Candidate,
    ) -> Result<PublishOutcome, AppError> {
        self.require_store_source()?;
        // Attack answered (found in review): a policy set can grant anything, the admin
        // actions included, so a delegated policy author holding `policies.publish` alone
        // published `permit(principal == User::"me", action in Warden::Action::"admin",
        // resource)` and held every admin right on the next request. Writing the rules that
        // grant rights is the escalation Kubernetes RBAC reserves to `escalate`: a publish or
        // a rollback also needs `Warden::Action::"escalate"`.
        self.authorize(
            actor,
            Check::area(AdminAction::Escalate, AdminAction::Escalate.area()),
        )
        .await?;
        let engine = self.engine()?.clone();
        // The set this publish starts from, taken once: the impact is measured against it and
        // the store write is made only over it. (Read again at the end, a version another
        // replica published meanwhile, installed here by the follower, would be overwritten
        // without a publish race.)
        let base = engine.bundle();
        // A server that cannot load the active version (every server, for a broken one)
        // publishes over the active version instead, as it was when this publish started:
        // else a fix could never be published.
        let expected = match engine.last_error() {
            Some(_) => self.store.active_policy_version().await?,
            None => base.version,
        };
        let message = candidate.message.trim().to_string();
        if message.is_empty() {
            return Err(AppError::Invalid(
                "field `message`: say why the policies change".into(),
            ));
        }
        if message.chars().count() > MAX_MESSAGE_CHARS {
            return Err(AppError::Invalid(format!(
                "field `message`: at most {MAX_MESSAGE_CHARS} characters"
            )));
        }
        let replay = candidate.replay.unwrap_or(DEFAULT_REPLAY);
        if replay > MAX_REPLAY {
            return Err(AppError::Invalid(format!(
                "field `replay`: at most {MAX_REPLAY} logged decisions"
            )));
        }
        if candidate.files.is_empty() {
            return Err(AppError::policy(
                PolicyRefusal::Invalid,
                "the policy set is empty: give its files (*.cedar, schema.cedarschema, \
                 links.json, tests/*.toml, tests/*.json); nothing was activated",
            ));
        }
        // Attack answered: an upload of millions of files or gigabytes (the body limit of
        // the admin route is the first cap; this one holds for every edge, the command line
        // and the embedding facade included).
        let bytes: usize = candidate.files.iter().map(|(n, t)| n.len() + t.len()).sum();
        if candidate.files.len() > crate::engine::MAX_SET_FILES
            || bytes > crate::engine::MAX_SET_BYTES
        {
            return Err(AppError::policy(
                PolicyRefusal::TooLarge,
                format!(
                    "the policy set has {} files and {bytes} bytes: at most {} files and {} bytes \
                     (32 MiB); nothing was activated",
                    candidate.files.len(),
                    crate::engine::MAX_SET_FILES,
                    crate::engine::MAX_SET_BYTES
                ),
            ));
        }

        let files = candidate.files.clone();
        let (bundle, tests) = off_workers("policy_publish", move || {
            let bundle = crate::engine::load_files(&files).map_err(|e| invalid_set(&e))?;
            let suites = crate::engine::test_suites(&files);
            let passed = if suites.is_empty() {
                0
            } else {
                let report = crate::policytest::run_sources(
                    &bundle,
                    &suites,
                    &crate::policytest::Options::default(),
                )
                .map_err(|d| tests_failed(&d, &[]))?;
                if report.failed() > 0 || !report.problems.is_empty() {
                    return Err(tests_failed(&report.problems, &report.results));
                }
                report.passed()
            };
            Ok::<_, AppError>((bundle, passed))
        })
        .await??;
        if engine.validation() && bundle.schema.is_none() {
            return Err(AppError::policy(
                PolicyRefusal::Invalid,
                "the set has no schema (schema.cedarschema) while the policies in force have one: \
                 refusing a set that would turn validation off; nothing was activated",
            ));
        }
        if bundle.info.is_empty() {
            return Err(AppError::policy(
                PolicyRefusal::Invalid,
                "the set holds no policy at all (it would deny everything); nothing was activated",
            ));
        }
        let bundle = Arc::new(bundle);
        self.check_administrable(&bundle).await?;

        let impact = self
            .impact_against(
                base.clone(),
                bundle.clone(),
                usize::try_from(replay).unwrap_or(usize::MAX),
            )
            .await?;
        let impact = self.visible_impact(actor, impact).await?;
        let flips = impact.allow_to_deny + impact.deny_to_allow;
        if let Some(max) = candidate.max_changes {
            if flips > max {
                return Err(AppError::policy(
                    PolicyRefusal::TooManyChanges,
                    format!(
                        "the set would flip {flips} of the {} replayed decisions ({} allow->deny, \
                         {} deny->allow), more than max_changes = {max}; nothing was activated",
                        impact.replayed, impact.allow_to_deny, impact.deny_to_allow
                    ),
                ));
            }
        }
        let mut outcome = PublishOutcome {
            activated: false,
            version: None,
            hash: bundle.hash.clone(),
            policies: bundle.info.len(),
            tests_passed: tests,
            impact,
        };
        if candidate.dry_run {
            return Ok(outcome);
        }

        // Only over the version this publish started from (`expected`, above): the impact
        // was measured against it, so a version published meanwhile by another replica makes
        // this one a publish race (the store's conflict, naming the version now active), not
        // a silent overwrite.
        let new = NewPolicyVersion {
            hash: bundle.hash.clone(),
            author: actor.label(),
            created_at: self.now(),
            message: message.clone(),
            rollback_of: candidate.rollback_of,
            files: candidate.files,
        };
        let audit = Self::audit(
            actor,
            AdminAction::PoliciesPublish,
            "policies".into(),
            publish_detail(expected.map_or(1, |v| v + 1), &new, &outcome.impact),
        );
        let version = self
            .store
            .publish_policy_version(&new, expected, Some(&audit))
            .await?;
        outcome.activated = true;
        outcome.version = Some(version);
        // This server switches before it answers. The bundle was checked above; it is
        // unique here unless the impact preview kept a clone, when it is loaded again.
        let mut own = match Arc::try_unwrap(bundle) {
            Ok(b) => b,
            Err(_) => crate::engine::load_files(&new.files).map_err(|e| invalid_set(&e))?,
        };
        own.version = Some(version);
        if let Err(e) = engine.install(own, &crate::engine::no_guard) {
            // Stored and active: the follower retries (see `follow_published`).
            tracing::error!(error = %e, version, "published version not installed here yet");
        }
        Ok(outcome)
    }

    /// Follow the store (store mode): when the active version is not the one this server
    /// serves, load and install it. A version that cannot be loaded here leaves the old one
    /// serving, with the error kept for `/readyz` and the heartbeat (and returned). Returns
    /// the version installed, if one was.
    pub async fn follow_published(&self) -> Result<Option<i64>, AppError> {
        let engine = self.engine()?.clone();
        let Some(active) = self.store.active_policy_version().await? else {
            return Ok(None);
        };
        if engine.version() == Some(active) {
            return Ok(None);
        }
        let bundle = match load_version(&self.store, active).await {
            Ok(b) => b,
            Err(e) => {
                engine.refuse(&LoadError::from(crate::engine::Diagnostic::file_error(
                    &format!("version {active}"),
                    e.to_string(),
                )));
                return Err(e);
            }
        };
        // Checked by its publisher (tests, administrator, weakening): every replica takes
        // what is active, all or none, so the engine's own weakening rules are the only
        // check here.
        let installed = off_workers("policy_install", move || {
            engine.install(bundle, &crate::engine::no_guard)
        })
        .await?;
        installed.map_err(|e| invalid_set(&e))?;
        Ok(Some(active))
    }

    /// Record this server's heartbeat with what it serves: the bundle's hash, its published
    /// version (store mode) and why the active version is not served here, if it is not.
    pub async fn heartbeat_serving(
        &self,
        id: &str,
        address: &str,
        started_at: i64,
        bundle: &PolicyBundle,
        policy_error: Option<String>,
    ) -> Result<(), AppError> {
        let replica = ReplicaRow {
            id: id.to_owned(),
            address: address.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at,
            policy_hash: bundle.content_hash(),
            seen_at: self.store.now(),
            policy_version: bundle.version,
            policy_error,
        };
        Ok(self.store.heartbeat(&replica).await?)
    }

    /// The published versions, newest first (`policies.read`).
    pub async fn policy_versions(&self, actor: &Actor) -> Result<PolicyVersionList, AppError> {
        self.authorize(actor, Check::area(AdminAction::PoliciesRead, "policies"))
            .await?;
        let active = self.store.active_policy_version().await?;
        let rows = self.store.list_policy_versions().await?;
        Ok(PolicyVersionList {
            source: self.config.policy_source,
            active,
            versions: rows.into_iter().map(|r| info(r, active)).collect(),
        })
    }

    /// One version with its files (`policies.read`); `AppError::NotFound` when there is none.
    pub async fn policy_version(
        &self,
        actor: &Actor,
        version: i64,
    ) -> Result<PolicyVersionDetail, AppError> {
        self.authorize(actor, Check::area(AdminAction::PoliciesRead, "policies"))
            .await?;
        let active = self.store.active_policy_version().await?;
        let (row, files) = self.store.policy_version_files(version).await?;
        Ok(PolicyVersionDetail {
            version: info(row, active),
            files,
        })
    }

    /// The per-file unified diff from version `from` to version `to` (`policies.read`).
    pub async fn policy_diff(
        &self,
        actor: &Actor,
        from: i64,
        to: i64,
    ) -> Result<PolicyDiff, AppError> {
        self.authorize(actor, Check::area(AdminAction::PoliciesRead, "policies"))
            .await?;
        let (_, old) = self.store.policy_version_files(from).await?;
        let (_, new) = self.store.policy_version_files(to).await?;
        let files = off_workers("policy_diff", move || diff_files(&old, &new)).await?;
        Ok(PolicyDiff { from, to, files })
    }
}

/// The audit row's detail of a publish or rollback.
fn publish_detail(version: i64, new: &NewPolicyVersion, impact: &ImpactReport) -> Value {
    json!({
        "version": version,
        "hash": new.hash,
        "message": new.message,
        "rollback_of": new.rollback_of,
        "impact": {
            "replayed": impact.replayed,
            "allow_to_deny": impact.allow_to_deny,
            "deny_to_allow": impact.deny_to_allow,
        },
    })
}

/// The refusal of a set whose tests failed: the problems, then each failed case as
/// `warden policy test` names it.
fn tests_failed(
    problems: &[crate::engine::Diagnostic],
    results: &[crate::policytest::CaseResult],
) -> AppError {
    let mut lines: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
    let verdict = |allowed: bool| if allowed { "allow" } else { "deny" };
    for r in results.iter().filter(|r| !r.passed) {
        lines.push(format!(
            "{}:{}: {}: expected {}, got {} (reasons {:?}, errors {:?})",
            r.file,
            r.line,
            r.name,
            verdict(r.expected.allowed),
            verdict(r.actual.allowed),
            r.actual.reasons,
            r.actual.errors
        ));
    }
    AppError::policy(
        PolicyRefusal::TestsFailed,
        format!(
            "the set's policy tests failed; nothing was activated:\n{}",
            lines.join("\n")
        ),
    )
}

/// Publish the shipped policies as version 1 when no version is active (`warden init` in
/// store mode). Returns the version published, if one was.
pub(crate) async fn publish_shipped(store: &Store) -> Result<Option<i64>, OpenError> {
    if store.active_policy_version().await?.is_some() {
        return Ok(None);
    }
    let files = crate::engine::shipped_files();
    let new = NewPolicyVersion {
        hash: crate::engine::hash_files(&files),
        author: Actor::Cli.label(),
        created_at: store.now(),
        message: "shipped policies".into(),
        rollback_of: None,
        files,
    };
    let audit = App::audit(
        &Actor::Cli,
        AdminAction::PoliciesPublish,
        "policies".into(),
        publish_detail(1, &new, &ImpactReport::default()),
    );
    match store.publish_policy_version(&new, None, Some(&audit)).await {
        Ok(v) => Ok(Some(v)),
        // Another `init` published first: what is active stays.
        Err(StoreError::Conflict(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[path = "publish_diff.rs"]
mod diff;
pub use diff::diff_files;

#[cfg(test)]
#[path = "publish_tests.rs"]
mod tests;
