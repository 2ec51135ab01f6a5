//! The policies view: the policies in force with their source, reload, and the what-if
//! question.

use super::common::send;
use crate::api::{Policy, PolicyList};
use crate::tui::detail::Detail;
use crate::tui::form::{Form, FormKind};
use crate::tui::keys::{change, read, Action, Binding};
use crate::tui::list::Item;
use crate::tui::msg::ViewId;
use crate::tui::style::dim;
use crate::tui::view::{Ctx, Effect};
use ratatui::crossterm::event::KeyCode::Char as C;
use ratatui::layout::Constraint;
use ratatui::text::{Line, Span};
use serde_json::Value;

static POLICY_KEYS: &[Binding] = &[
    change(&[C('r')], "r", Action::Reload, "reload policies", "reload"),
    read(&[C('w')], "w", Action::WhatIf, "what-if", "what-if"),
    read(
        &[C('E')],
        "E",
        Action::ReloadError,
        "last refused reload in full",
        "",
    ),
];

impl Item for Policy {
    const VIEW: ViewId = ViewId::Policies;
    const NOUN: &'static str = "policies";
    const PATH: &'static str = "/admin/v1/policies";

    fn header() -> Vec<(&'static str, Constraint)> {
        vec![
            ("ID", Constraint::Percentage(45)),
            ("EFFECT", Constraint::Length(7)),
            ("WHERE", Constraint::Percentage(30)),
            ("STATUS", Constraint::Min(6)),
        ]
    }

    fn cells(&self, _ctx: &Ctx<'_>) -> Vec<String> {
        vec![
            self.id.clone(),
            self.effect.clone(),
            format!("{}:{}", self.file, self.line),
            self.status.clone(),
        ]
    }

    fn detail(&self, _ctx: &Ctx<'_>) -> Detail {
        let mut lines = vec![
            Line::styled(
                format!(
                    "{}:{} · {} · {}",
                    self.file, self.line, self.effect, self.status
                ),
                dim(),
            ),
            Line::raw(""),
        ];
        if self.source.is_empty() {
            lines.push(Line::raw("(the server did not send the source)"));
        }
        for (n, text) in self.source.lines().enumerate() {
            lines.push(Line::from(vec![
                Span::styled(format!("{:>4} ", self.line + n), dim()),
                Span::raw(text.to_string()),
            ]));
        }
        Detail::new(format!("Policy {}", self.id), lines)
    }

    fn keys() -> &'static [Binding] {
        POLICY_KEYS
    }

    fn needs(action: Action) -> Option<&'static str> {
        Some(match action {
            Action::Reload => "policies.reload",
            Action::WhatIf => "policies.whatif",
            _ => return None,
        })
    }

    fn act(action: Action, _row: Option<&Self>, _ctx: &Ctx<'_>) -> Vec<Effect> {
        match action {
            Action::Reload => vec![Effect::Request(send(
                "POST",
                "/admin/v1/policies/reload".into(),
                None,
                "policies reloaded".into(),
            ))],
            Action::WhatIf => vec![Effect::Form(Form::new(FormKind::WhatIf))],
            _ => Vec::new(),
        }
    }

    fn listing(value: Value) -> Result<(Vec<Self>, Option<String>), String> {
        let list: PolicyList = serde_json::from_value(value).map_err(|e| e.to_string())?;
        Ok((list.policies, list.last_error))
    }
}
