//! Published policy sets (issue 29): publish (validated, tested, previewed, gated), the
//! versions, one version, the diff of two, rollback. See [`crate::publishing`].
//!
//! SKELETON: the signatures the edges build against; the bodies are being written.

use super::*;
use crate::publishing::{
    PolicyDiff, PolicyVersionDetail, PolicyVersionList, PublishOutcome, PublishPolicies,
    RollbackPolicies,
};

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
        let _ = (actor, request);
        todo!("issue 29: publish")
    }

    /// Publish an old version's files again as a new version (`policies.publish`), gated
    /// like any publish.
    pub async fn rollback_policies(
        &self,
        actor: &Actor,
        request: RollbackPolicies,
    ) -> Result<PublishOutcome, AppError> {
        let _ = (actor, request);
        todo!("issue 29: rollback")
    }

    /// The published versions, newest first (`policies.read`).
    pub async fn policy_versions(&self, actor: &Actor) -> Result<PolicyVersionList, AppError> {
        let _ = actor;
        todo!("issue 29: versions")
    }

    /// One version with its files (`policies.read`); `AppError::NotFound` when there is none.
    pub async fn policy_version(
        &self,
        actor: &Actor,
        version: i64,
    ) -> Result<PolicyVersionDetail, AppError> {
        let _ = (actor, version);
        todo!("issue 29: show")
    }

    /// The per-file unified diff from version `from` to version `to` (`policies.read`).
    pub async fn policy_diff(
        &self,
        actor: &Actor,
        from: i64,
        to: i64,
    ) -> Result<PolicyDiff, AppError> {
        let _ = (actor, from, to);
        todo!("issue 29: diff")
    }
}
