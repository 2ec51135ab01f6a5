//! The roles view: every role, its parents and how many users hold it.

use super::common::{confirm, seg, send};
use crate::api::Role;
use crate::tui::detail::Detail;
use crate::tui::form::{Form, FormKind};
use crate::tui::keys::{change, Action, Binding};
use crate::tui::list::Item;
use crate::tui::modal::PickFor;
use crate::tui::msg::ViewId;
use crate::tui::view::{Ctx, Effect};
use ratatui::crossterm::event::KeyCode::Char as C;
use ratatui::layout::Constraint;

static ROLE_KEYS: &[Binding] = &[
    change(&[C('n')], "n", Action::New, "new role", "new"),
    change(&[C('e')], "e", Action::EditRoles, "edit parents", "parents"),
    change(&[C('D')], "D", Action::Delete, "delete role", "delete"),
];

impl Item for Role {
    const VIEW: ViewId = ViewId::Roles;
    const NOUN: &'static str = "roles";
    const PATH: &'static str = "/admin/v1/roles";

    fn header() -> Vec<(&'static str, Constraint)> {
        vec![
            ("ROLE", Constraint::Percentage(35)),
            ("PARENTS", Constraint::Percentage(50)),
            ("USERS", Constraint::Min(5)),
        ]
    }

    fn cells(&self, _ctx: &Ctx<'_>) -> Vec<String> {
        vec![
            self.name.clone(),
            self.parents.join(", "),
            self.users.to_string(),
        ]
    }

    fn detail(&self, _ctx: &Ctx<'_>) -> Detail {
        Detail::fields(
            format!("Role {}", self.name),
            &[
                ("name", self.name.clone()),
                (
                    "parents",
                    if self.parents.is_empty() {
                        "(none)".into()
                    } else {
                        self.parents.join(", ")
                    },
                ),
                ("users", format!("{} hold it directly", self.users)),
            ],
        )
    }

    fn keys() -> &'static [Binding] {
        ROLE_KEYS
    }

    fn needs(action: Action) -> Option<&'static str> {
        Some(match action {
            Action::New | Action::EditRoles | Action::Delete => "roles.write",
            _ => return None,
        })
    }

    fn act(action: Action, row: Option<&Self>, ctx: &Ctx<'_>) -> Vec<Effect> {
        if action == Action::New {
            return vec![Effect::Form(Form::new(FormKind::CreateRole))];
        }
        let Some(r) = row else {
            return Vec::new();
        };
        match action {
            Action::EditRoles => vec![Effect::Pick(
                PickFor::RoleParents(r.name.clone()),
                r.parents.clone(),
            )],
            Action::Delete => confirm(
                format!("Delete role {}? It is taken from every user.", r.name),
                ctx.me
                    .roles
                    .contains(&r.name)
                    .then(|| format!("You hold {}: you may lose your own access.", r.name)),
                send(
                    "DELETE",
                    format!("/admin/v1/roles/{}?force=true", seg(&r.name)),
                    None,
                    format!("deleted role {}", r.name),
                ),
            ),
            _ => Vec::new(),
        }
    }
}
