//! The signing keys view: the token signing keys, the active one and the retired ones.

use super::common::{confirm, send};
use crate::api::SigningKey;
use crate::tui::detail::Detail;
use crate::tui::keys::{change, Action, Binding};
use crate::tui::list::Item;
use crate::tui::msg::ViewId;
use crate::tui::style::{dim, when};
use crate::tui::view::{Ctx, Effect};
use ratatui::crossterm::event::KeyCode::Char as C;
use ratatui::layout::Constraint;
use ratatui::style::Style;
use std::time::Duration;

static SIGNING_KEYS: &[Binding] = &[change(
    &[C('r')],
    "r",
    Action::Rotate,
    "rotate the signing key",
    "rotate",
)];

impl Item for SigningKey {
    const VIEW: ViewId = ViewId::Keys;
    const NOUN: &'static str = "signing keys";
    const PATH: &'static str = "/admin/v1/keys";
    const POLL: Duration = Duration::from_secs(30);

    fn header() -> Vec<(&'static str, Constraint)> {
        vec![
            ("KID", Constraint::Length(18)),
            ("ALG", Constraint::Length(7)),
            ("CREATED", Constraint::Length(19)),
            ("STATUS", Constraint::Min(8)),
        ]
    }

    fn cells(&self, _ctx: &Ctx<'_>) -> Vec<String> {
        vec![
            self.kid.clone(),
            self.alg.clone(),
            when(self.created_at),
            match self.retired_at {
                Some(at) => format!("retired {}", when(at)),
                None => "active (signing)".into(),
            },
        ]
    }

    fn style(&self) -> Style {
        if self.retired_at.is_some() {
            dim()
        } else {
            Style::new()
        }
    }

    fn detail(&self, _ctx: &Ctx<'_>) -> Detail {
        Detail::fields(
            format!("Signing key {}", self.kid),
            &[
                ("kid", self.kid.clone()),
                ("algorithm", self.alg.clone()),
                ("created", when(self.created_at)),
                (
                    "retired",
                    match self.retired_at {
                        Some(at) => {
                            format!("{} (still verifies its tokens until they expire)", when(at))
                        }
                        None => "no: new tokens are signed with it".into(),
                    },
                ),
            ],
        )
    }

    fn keys() -> &'static [Binding] {
        SIGNING_KEYS
    }

    fn needs(action: Action) -> Option<&'static str> {
        Some(match action {
            Action::Rotate => "keys.rotate",
            _ => return None,
        })
    }

    fn act(action: Action, _row: Option<&Self>, _ctx: &Ctx<'_>) -> Vec<Effect> {
        match action {
            Action::Rotate => confirm(
                "Rotate the signing key? New tokens get a new key; the old one keeps verifying until its tokens expire.".into(),
                None,
                send(
                    "POST",
                    "/admin/v1/keys/rotate".into(),
                    None,
                    "signing key rotated".into(),
                ),
            ),
            _ => Vec::new(),
        }
    }
}
