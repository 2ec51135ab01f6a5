//! The decision log view: newest first, kept live by a long-poll, filtered on the server.

use crate::api::{DecisionEntry, DecisionKind};
use crate::tui::detail::Detail;
use crate::tui::keys::{read, Action, Binding};
use crate::tui::list::Item;
use crate::tui::msg::ViewId;
use crate::tui::style::{dim, when};
use crate::tui::view::Ctx;
use ratatui::crossterm::event::KeyCode::Char as C;
use ratatui::layout::Constraint;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use std::time::Duration;

/// Allows green, denies red, plans (neither) in the default colour of text.
fn decision_colour(kind: DecisionKind) -> Color {
    match kind {
        DecisionKind::Allow => Color::Green,
        DecisionKind::Deny => Color::Red,
        DecisionKind::Plan => Color::Reset,
    }
}

static DECISION_KEYS: &[Binding] = &[read(
    &[C('f')],
    "f",
    Action::DeniesOnly,
    "only denies (toggle)",
    "denies only",
)];

impl Item for DecisionEntry {
    const VIEW: ViewId = ViewId::Decisions;
    const NOUN: &'static str = "the decision log";
    const PATH: &'static str = "/admin/v1/decisions";
    const QUERY: &'static [(&'static str, &'static str)] = &[("limit", "200")];
    const PARAMS: &'static [&'static str] = &["principal", "action"];
    /// The long-poll keeps it live; this is only the fallback.
    const POLL: Duration = Duration::from_secs(60);

    fn header() -> Vec<(&'static str, Constraint)> {
        vec![
            ("TIME", Constraint::Length(19)),
            ("DECISION", Constraint::Length(8)),
            ("PRINCIPAL", Constraint::Percentage(25)),
            ("ACTION", Constraint::Percentage(25)),
            ("RESOURCE", Constraint::Min(8)),
        ]
    }

    fn cells(&self, _ctx: &Ctx<'_>) -> Vec<String> {
        vec![
            when(self.at),
            self.decision.to_string(),
            self.principal.clone(),
            self.action.clone(),
            self.resource.clone(),
        ]
    }

    fn style(&self) -> Style {
        Style::new().fg(decision_colour(self.decision))
    }

    fn detail(&self, _ctx: &Ctx<'_>) -> Detail {
        let mut d = Detail::fields(
            format!("Decision {}", self.id),
            &[
                ("time", when(self.at)),
                ("decision", self.decision.to_string()),
                ("principal", self.principal.clone()),
                ("action", self.action.clone()),
                ("resource", self.resource.clone()),
                ("properties", json_or_none(&self.properties)),
                ("context", json_or_none(&self.context)),
                (
                    "policies",
                    if self.reasons.is_empty() && !self.errors.is_empty() {
                        "(none: the errors below denied it)".into()
                    } else if self.reasons.is_empty() {
                        "(none: no policy applied, so the default deny)".into()
                    } else {
                        self.reasons.join("\n")
                    },
                ),
                ("client", self.client.clone()),
                ("request", self.request_id.clone()),
                ("latency", format!("{} µs", self.latency_us)),
            ],
        );
        let colour = decision_colour(self.decision);
        if let Some(line) = d.lines.get_mut(1) {
            *line = Line::from(vec![
                Span::styled(format!("{:<12}", "decision"), dim()),
                Span::styled(
                    self.decision.to_string(),
                    Style::new().fg(colour).add_modifier(Modifier::BOLD),
                ),
            ]);
        }
        for e in &self.errors {
            d.lines.push(Line::from(vec![
                Span::styled(format!("{:<12}", "error"), dim()),
                Span::styled(e.clone(), Style::new().fg(Color::Red)),
            ]));
        }
        d
    }

    fn keys() -> &'static [Binding] {
        DECISION_KEYS
    }

    fn params(filter: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for term in filter.split_whitespace() {
            match term.split_once(':') {
                Some((k, v)) if Self::PARAMS.contains(&k) => out.push((k.to_string(), v.into())),
                _ if DecisionKind::parse(term).is_ok() => {
                    out.push(("decision".into(), term.into()))
                }
                _ => {}
            }
        }
        out
    }

    fn row_id(&self) -> i64 {
        self.id
    }
}

/// A logged JSON object in full (pretty), or a word when there is none.
fn json_or_none(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(m) if m.is_empty() => "(none)".into(),
        serde_json::Value::Null => "(none)".into(),
        v => serde_json::to_string_pretty(v).unwrap_or_default(),
    }
}
