//! The diff of two published versions: per file, a unified diff (the `similar` crate).

use crate::publishing::{FileChange, PolicyFileDiff, PolicyFiles};

/// Each file that differs from `old` to `new`, by name, as a unified diff.
pub fn diff_files(old: &PolicyFiles, new: &PolicyFiles) -> Vec<PolicyFileDiff> {
    let names: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    names
        .into_iter()
        .filter_map(|name| {
            let (before, after, change) = match (old.get(name), new.get(name)) {
                (Some(a), Some(b)) if a == b => return None,
                (Some(a), Some(b)) => (a.as_str(), b.as_str(), FileChange::Changed),
                (Some(a), None) => (a.as_str(), "", FileChange::Removed),
                (None, Some(b)) => ("", b.as_str(), FileChange::Added),
                (None, None) => return None,
            };
            let (from, to) = match change {
                FileChange::Added => ("/dev/null".to_string(), format!("b/{name}")),
                FileChange::Removed => (format!("a/{name}"), "/dev/null".to_string()),
                FileChange::Changed => (format!("a/{name}"), format!("b/{name}")),
            };
            let diff = similar::TextDiff::from_lines(before, after)
                .unified_diff()
                .context_radius(3)
                .header(&from, &to)
                .to_string();
            Some(PolicyFileDiff {
                file: name.clone(),
                change,
                diff,
            })
        })
        .collect()
}
