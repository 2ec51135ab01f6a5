//! Published policy versions in popups (issue 29): a version's files, the difference
//! between two versions (added lines green, removed red), and a change's impact preview
//! (what the candidate set would have decided differently for logged decisions), which
//! comes before every publish and rollback.

use super::detail::Detail;
use super::msg::PolicyChange;
use super::style::{dim, when};
use crate::api::{FileChange, PolicyDiff, PolicyVersionDetail, PolicyVersionInfo, PublishOutcome};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

/// `n files`, or `1 file`.
fn files(n: usize) -> String {
    if n == 1 {
        "1 file".into()
    } else {
        format!("{n} files")
    }
}

fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

/// The first characters of a content hash (as `git` shows a commit).
pub fn short_hash(hash: &str) -> String {
    hash.chars().take(12).collect()
}

/// A version's facts on one line: when, who, hash, what it restored.
fn about(v: &PolicyVersionInfo) -> String {
    let mut text = format!(
        "{} · by {} · {}",
        when(v.created_at),
        v.author,
        short_hash(&v.hash)
    );
    if let Some(of) = v.rollback_of {
        text.push_str(&format!(" · rollback of {of}"));
    }
    if v.active {
        text.push_str(" · active");
    }
    text
}

/// A version with its files, each under its name, numbered.
pub fn files_detail(d: &PolicyVersionDetail) -> Detail {
    let v = &d.version;
    let mut lines = vec![Line::styled(about(v), dim()), Line::raw(v.message.clone())];
    if d.files.is_empty() {
        lines.push(Line::raw("(no files)"));
    }
    for (name, text) in &d.files {
        lines.push(Line::raw(""));
        lines.push(Line::styled(format!("── {name}"), bold()));
        for (n, line) in text.lines().enumerate() {
            lines.push(Line::from(vec![
                Span::styled(format!("{:>4} ", n + 1), dim()),
                Span::raw(line.to_string()),
            ]));
        }
    }
    Detail::new(
        format!("Version {} ({})", v.version, files(d.files.len())),
        lines,
    )
}

/// One line of a unified diff, coloured by its kind.
fn diff_line(line: &str) -> Line<'static> {
    let style = if line.starts_with("+++") || line.starts_with("---") {
        bold()
    } else if line.starts_with("@@") {
        Style::new().fg(Color::Cyan)
    } else if line.starts_with('+') {
        Style::new().fg(Color::Green)
    } else if line.starts_with('-') {
        Style::new().fg(Color::Red)
    } else {
        Style::new()
    };
    Line::styled(line.to_string(), style)
}

/// The per-file unified diffs from one version to another.
pub fn diff_detail(d: &PolicyDiff) -> Detail {
    let mut lines = Vec::new();
    if d.files.is_empty() {
        lines.push(Line::raw("The two versions hold the same files."));
    }
    for f in &d.files {
        let word = match f.change {
            FileChange::Added => "added",
            FileChange::Removed => "removed",
            FileChange::Changed => "changed",
        };
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(format!("── {} ({word})", f.file), bold()));
        lines.extend(f.diff.lines().map(diff_line));
    }
    Detail::new(
        format!("Diff {} → {} ({})", d.from, d.to, files(d.files.len())),
        lines,
    )
}

/// A count in the colour of what it means (none: plain).
fn count(n: u64, colour: Color) -> Span<'static> {
    if n == 0 {
        Span::raw("0")
    } else {
        Span::styled(
            n.to_string(),
            Style::new().fg(colour).add_modifier(Modifier::BOLD),
        )
    }
}

fn label(text: &str) -> Span<'static> {
    Span::styled(format!("{text:<12}"), dim())
}

/// A change's dry run: the set's facts, the counts of flipped decisions, the flips by
/// policy with the requests themselves, and what replay cannot know.
pub fn preview_detail(change: &PolicyChange, o: &PublishOutcome) -> Detail {
    let i = &o.impact;
    let mut lines = vec![
        Line::styled("Dry run: nothing is active yet.", dim()),
        Line::from(vec![
            label("set"),
            Span::raw(format!(
                "{} · {} policies · {} tests passed",
                short_hash(&o.hash),
                o.policies,
                o.tests_passed
            )),
        ]),
        Line::from(vec![
            label("replayed"),
            Span::raw(format!("{} logged decisions", i.replayed)),
        ]),
        Line::from(vec![
            label("would flip"),
            Span::raw("allow→deny "),
            count(i.allow_to_deny, Color::Red),
            Span::raw(" · deny→allow "),
            count(i.deny_to_allow, Color::Yellow),
        ]),
    ];
    if i.drifted > 0 || i.capped > 0 {
        lines.push(Line::from(vec![
            label("uncertain"),
            Span::raw(format!(
                "{} drifted (decided otherwise when logged) · {} capped",
                i.drifted, i.capped
            )),
        ]));
    }
    if i.allow_to_deny + i.deny_to_allow == 0 {
        lines.push(Line::styled(
            "No replayed decision would change.",
            Style::new().fg(Color::Green),
        ));
    }
    for g in &i.groups {
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![
            Span::styled(g.policy.clone(), bold()),
            Span::raw("  allow→deny "),
            count(g.allow_to_deny, Color::Red),
            Span::raw(" · deny→allow "),
            count(g.deny_to_allow, Color::Yellow),
        ]));
        for r in &g.requests {
            let colour = if r.after == "allow" {
                Color::Yellow
            } else {
                Color::Red
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  #{} {} ", r.decision_id, when(r.at)), dim()),
                Span::raw(format!("{} {} {} ", r.principal, r.action, r.resource)),
                Span::styled(format!("{}→{}", r.before, r.after), Style::new().fg(colour)),
            ]));
        }
    }
    if !i.caveats.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("What replay cannot know", bold()));
        for c in &i.caveats {
            lines.push(Line::styled(
                format!("• {c}"),
                Style::new().fg(Color::Yellow),
            ));
        }
    }
    let mut title = change.label();
    if let Some(first) = title.get(..1) {
        title = first.to_uppercase() + &title[1..];
    }
    Detail::new(format!("Preview: {title}"), lines)
}
