//! The service clients view: the API keys of services calling the decision API.

use super::common::{confirm, seg, send};
use crate::api::{Client, CreatedClient};
use crate::tui::detail::Detail;
use crate::tui::form::{Form, FormKind};
use crate::tui::keys::{change, Action, Binding};
use crate::tui::list::Item;
use crate::tui::msg::ViewId;
use crate::tui::style::{dim, when};
use crate::tui::view::{Ctx, Effect};
use ratatui::crossterm::event::KeyCode::Char as C;
use ratatui::layout::Constraint;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;

static CLIENT_KEYS: &[Binding] = &[
    change(
        &[C('n')],
        "n",
        Action::New,
        "new client (key shown once)",
        "new",
    ),
    change(&[C('x')], "x", Action::Revoke, "revoke client", "revoke"),
];

impl Item for Client {
    const VIEW: ViewId = ViewId::Clients;
    const NOUN: &'static str = "service clients";
    const PATH: &'static str = "/admin/v1/clients";

    fn header() -> Vec<(&'static str, Constraint)> {
        vec![
            ("ID", Constraint::Percentage(30)),
            ("NAME", Constraint::Percentage(30)),
            ("CREATED", Constraint::Length(19)),
            ("STATUS", Constraint::Min(8)),
        ]
    }

    fn cells(&self, _ctx: &Ctx<'_>) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            when(self.created_at),
            match self.revoked_at {
                Some(at) => format!("revoked {}", when(at)),
                None => "active".into(),
            },
        ]
    }

    fn style(&self) -> Style {
        if self.revoked_at.is_some() {
            dim()
        } else {
            Style::new()
        }
    }

    fn detail(&self, _ctx: &Ctx<'_>) -> Detail {
        Detail::fields(
            format!("Client {}", self.id),
            &[
                ("id", self.id.clone()),
                ("name", self.name.clone()),
                ("created", when(self.created_at)),
                (
                    "revoked",
                    self.revoked_at.map(when).unwrap_or_else(|| "no".into()),
                ),
                (
                    "key",
                    "shown once at creation; warden keeps only its hash".into(),
                ),
            ],
        )
    }

    fn keys() -> &'static [Binding] {
        CLIENT_KEYS
    }

    fn needs(action: Action) -> Option<&'static str> {
        Some(match action {
            Action::New | Action::Revoke => "clients.write",
            _ => return None,
        })
    }

    fn act(action: Action, row: Option<&Self>, _ctx: &Ctx<'_>) -> Vec<Effect> {
        match (action, row) {
            (Action::New, _) => vec![Effect::Form(Form::new(FormKind::CreateClient))],
            (Action::Revoke, Some(c)) => confirm(
                format!(
                    "Revoke client {} ({})? Services using its key are refused.",
                    c.name, c.id
                ),
                None,
                send(
                    "DELETE",
                    format!("/admin/v1/clients/{}", seg(&c.id)),
                    None,
                    format!("revoked client {}", c.name),
                ),
            ),
            _ => Vec::new(),
        }
    }
}

/// A created client: its key, shown this once.
pub fn created_detail(c: CreatedClient) -> Detail {
    Detail::new(
        format!("Client {} created", c.name),
        vec![
            Line::raw(format!("id   {}", c.id)),
            Line::raw(""),
            Line::styled(
                "Copy the key now: it is shown once, warden keeps only its hash.",
                Style::new().fg(Color::Yellow),
            ),
            Line::raw(""),
            Line::styled(c.key, Style::new().add_modifier(Modifier::BOLD)),
        ],
    )
}
