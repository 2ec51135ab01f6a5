//! The impact report: the counts, the groups of flips by policy, and the caveats in words.

use super::{DecisionKind, DecisionRow, Skipped, Tally, REQUESTS_PER_GROUP};
use crate::publishing::{ImpactGroup, ImpactReport, ReplayedDecision};

fn word(allowed: bool) -> String {
    DecisionKind::of(allowed).as_str().to_string()
}

/// The report: counts, the groups (most flips first, then by id; each with its newest
/// [`REQUESTS_PER_GROUP`] requests) and the caveats in words.
pub(super) fn report(rows: &[DecisionRow], tally: Tally, skipped: Skipped) -> ImpactReport {
    let mut groups: Vec<ImpactGroup> = tally
        .groups
        .iter()
        .map(|(policy, g)| {
            let mut listed = g.rows.clone();
            // Newest first: by time, then by row id (ids grow with time), then log order.
            listed.sort_unstable_by_key(|&(i, _)| std::cmp::Reverse((rows[i].at, rows[i].id, i)));
            listed.truncate(REQUESTS_PER_GROUP);
            ImpactGroup {
                policy: policy.clone(),
                allow_to_deny: g.allow_to_deny,
                deny_to_allow: g.deny_to_allow,
                requests: listed
                    .into_iter()
                    .map(|(i, allowed_before)| {
                        let row = &rows[i];
                        ReplayedDecision {
                            decision_id: row.id,
                            at: row.at,
                            principal: row.principal.clone(),
                            action: row.action.clone(),
                            resource: row.resource.clone(),
                            before: word(allowed_before),
                            after: word(!allowed_before),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        (b.allow_to_deny + b.deny_to_allow)
            .cmp(&(a.allow_to_deny + a.deny_to_allow))
            .then_with(|| a.policy.cmp(&b.policy))
    });
    let caveats = caveats(&tally, &skipped);
    ImpactReport {
        replayed: tally.replayed,
        allow_to_deny: tally.allow_to_deny,
        deny_to_allow: tally.deny_to_allow,
        drifted: tally.drifted,
        capped: tally.capped,
        groups,
        caveats,
    }
}

/// What replay cannot know, in words; an `error:` caveat for rows that could not be rebuilt.
fn caveats(tally: &Tally, skipped: &Skipped) -> Vec<String> {
    let mut caveats = Vec::new();
    if tally.replayed == 0 {
        caveats.push(
            "no logged decision could be replayed: an empty preview is no evidence that the \
             change is harmless"
                .to_string(),
        );
    } else {
        caveats.push(
            "callers are replayed as the directory has them now (their roles and attributes \
             today, not when they asked)"
                .to_string(),
        );
    }
    if tally.unknown_rows > 0 {
        caveats.push(format!(
            "{} replayed decisions of {} users no longer in the directory (deleted or \
             disabled since) were replayed as denied under both sets",
            tally.unknown_rows, tally.unknown_users
        ));
    }
    if tally.capped > 0 {
        caveats.push(format!(
            "{} decisions had their properties or context capped when logged (over 4096 \
             bytes of JSON): replayed as logged, not as asked",
            tally.capped
        ));
    }
    if tally.drifted > 0 {
        caveats.push(format!(
            "{} decisions replay differently under the active set than they were logged (the \
             directory or the policies changed since): their flips are measured against the \
             active set's answer today",
            tally.drifted
        ));
    }
    if skipped.searches > 0 {
        caveats.push(format!(
            "{} resource searches (AuthZEN) are not replayed",
            skipped.searches
        ));
    }
    if skipped.plans > 0 {
        caveats.push(format!("{} query plans are not replayed", skipped.plans));
    }
    if tally.lost > 0 {
        caveats.push(format!(
            "error: the replay of {} logged decisions failed (an internal error): the counts \
             leave them out",
            tally.lost
        ));
    }
    if let Some((id, error)) = &skipped.first_failure {
        caveats.push(format!(
            "error: {} logged decisions could not be rebuilt and were not replayed (decision \
             {id}: {error})",
            skipped.failed
        ));
    }
    caveats
}
