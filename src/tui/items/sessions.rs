//! The sessions view: every session (the console's own marked), revocable one by one.

use super::common::{confirm, seg, send};
use crate::api::Session;
use crate::tui::detail::Detail;
use crate::tui::keys::{change, Action, Binding};
use crate::tui::list::Item;
use crate::tui::msg::ViewId;
use crate::tui::style::{dim, when};
use crate::tui::view::{Ctx, Effect};
use ratatui::crossterm::event::KeyCode::Char as C;
use ratatui::layout::Constraint;
use ratatui::style::Style;

static SESSION_KEYS: &[Binding] = &[change(
    &[C('x')],
    "x",
    Action::Revoke,
    "revoke session",
    "revoke",
)];

impl Item for Session {
    const VIEW: ViewId = ViewId::Sessions;
    const NOUN: &'static str = "sessions";
    const PATH: &'static str = "/admin/v1/sessions";
    const PARAMS: &'static [&'static str] = &["user", "active"];
    const SUBJECT: Option<&'static str> = Some("user");

    fn header() -> Vec<(&'static str, Constraint)> {
        vec![
            ("SESSION", Constraint::Length(12)),
            ("USER", Constraint::Min(10)),
            ("CREATED", Constraint::Length(19)),
            ("STATUS", Constraint::Min(8)),
        ]
    }

    fn cells(&self, ctx: &Ctx<'_>) -> Vec<String> {
        let status = match &self.revoked_reason {
            Some(r) => format!("revoked ({r})"),
            None if self.id == ctx.me.session_id => "active (this console)".into(),
            None => "active".to_string(),
        };
        vec![
            self.id.chars().take(10).collect(),
            self.user_id.clone(),
            when(self.created_at),
            status,
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
            format!("Session {}", self.id),
            &[
                ("session", self.id.clone()),
                ("user", self.user_id.clone()),
                ("created", when(self.created_at)),
                ("last used", when(self.last_used_at)),
                ("expires", when(self.expires_at)),
                (
                    "revoked",
                    match (self.revoked_at, &self.revoked_reason) {
                        (Some(at), r) => {
                            format!("{} ({})", when(at), r.clone().unwrap_or_default())
                        }
                        (None, _) => "no".into(),
                    },
                ),
            ],
        )
    }

    fn keys() -> &'static [Binding] {
        SESSION_KEYS
    }

    fn needs(action: Action) -> Option<&'static str> {
        Some(match action {
            Action::Revoke => "sessions.revoke",
            _ => return None,
        })
    }

    fn act(action: Action, row: Option<&Self>, ctx: &Ctx<'_>) -> Vec<Effect> {
        let (Action::Revoke, Some(s)) = (action, row) else {
            return Vec::new();
        };
        let warning = if s.id == ctx.me.session_id {
            Some("This is the session of this console: you will be signed out.".into())
        } else if s.user_id == ctx.me.id {
            Some("This is one of your own sessions.".into())
        } else {
            None
        };
        confirm(
            format!("Revoke session {} of {}?", s.id, s.user_id),
            warning,
            send(
                "DELETE",
                format!("/admin/v1/sessions/{}", seg(&s.id)),
                None,
                format!("revoked session {}", s.id),
            ),
        )
    }
}
