//! The impact preview (issue 29): replay logged decisions against a candidate policy set and
//! say what would change. SKELETON: the signature the publish path calls.

use super::*;
use crate::engine::PolicyBundle;
use crate::publishing::ImpactReport;

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
    let _ = (rows, principal_of, active, candidate);
    todo!("issue 29: replay")
}

impl App {
    /// The impact of `candidate` on the latest `limit` logged decisions: reads them and the
    /// directory (each principal once), then [`replay`]s them on the blocking pool.
    #[allow(dead_code)] // SKELETON: the publish path calls it once written
    pub(crate) async fn impact_of(
        &self,
        candidate: Arc<PolicyBundle>,
        limit: usize,
    ) -> Result<ImpactReport, AppError> {
        let _ = (candidate, limit);
        todo!("issue 29: impact")
    }
}
