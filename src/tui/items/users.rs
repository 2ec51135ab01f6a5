//! The users view: every account, its roles and status; new users, roles, (dis)abling,
//! password resets, revocation, unlocking and identity-provider links.

use super::common::{confirm, seg, send};
use crate::api::{Identity, UpdateUser, User};
use crate::tui::detail::Detail;
use crate::tui::form::{Form, FormKind};
use crate::tui::keys::{change, read, Action, Binding};
use crate::tui::list::Item;
use crate::tui::modal::PickFor;
use crate::tui::msg::{Request, ViewId, What};
use crate::tui::style::{dim, when};
use crate::tui::view::{Ctx, Effect};
use ratatui::crossterm::event::KeyCode::Char as C;
use ratatui::layout::Constraint;
use ratatui::style::Style;
use ratatui::text::Line;

static USER_KEYS: &[Binding] = &[
    change(&[C('n')], "n", Action::New, "new user", "new"),
    change(&[C('e')], "e", Action::EditRoles, "edit roles", "roles"),
    change(
        &[C('d')],
        "d",
        Action::ToggleDisabled,
        "disable / enable",
        "(dis)able",
    ),
    change(
        &[C('p')],
        "p",
        Action::ResetPassword,
        "reset password",
        "passwd",
    ),
    change(
        &[C('x')],
        "x",
        Action::Revoke,
        "revoke all tokens, sessions",
        "revoke",
    ),
    change(
        &[C('u')],
        "u",
        Action::Unlock,
        "unlock (clear sign-in limit)",
        "unlock",
    ),
    read(
        &[C('i')],
        "i",
        Action::Identities,
        "identity links (list)",
        "links",
    ),
    change(
        &[C('U')],
        "U",
        Action::Unlink,
        "unlink an identity",
        "unlink",
    ),
];

impl Item for User {
    const VIEW: ViewId = ViewId::Users;
    const NOUN: &'static str = "users";
    const PATH: &'static str = "/admin/v1/users";
    const QUERY: &'static [(&'static str, &'static str)] = &[("limit", "1000")];
    const WORDS: Option<&'static str> = Some("filter");

    fn header() -> Vec<(&'static str, Constraint)> {
        vec![
            ("ID", Constraint::Percentage(18)),
            ("EMAIL", Constraint::Percentage(30)),
            ("NAME", Constraint::Percentage(18)),
            ("ROLES", Constraint::Percentage(20)),
            ("STATUS", Constraint::Min(8)),
        ]
    }

    fn cells(&self, ctx: &Ctx<'_>) -> Vec<String> {
        let me = if self.id == ctx.me.id { " (you)" } else { "" };
        vec![
            format!("{}{me}", self.id),
            self.email.clone(),
            self.name.clone(),
            self.roles.join(","),
            if self.disabled { "disabled" } else { "active" }.to_string(),
        ]
    }

    fn style(&self) -> Style {
        if self.disabled {
            dim()
        } else {
            Style::new()
        }
    }

    fn detail(&self, _ctx: &Ctx<'_>) -> Detail {
        Detail::fields(
            format!("User {}", self.id),
            &[
                ("id", self.id.clone()),
                ("email", self.email.clone()),
                ("name", self.name.clone()),
                ("roles", self.roles.join(", ")),
                (
                    "status",
                    if self.disabled { "disabled" } else { "active" }.into(),
                ),
                ("created", when(self.created_at)),
                (
                    "tokens from",
                    if self.tokens_valid_after == 0 {
                        "any time".into()
                    } else {
                        format!("{} (older ones revoked)", when(self.tokens_valid_after))
                    },
                ),
            ],
        )
    }

    fn keys() -> &'static [Binding] {
        USER_KEYS
    }

    fn needs(action: Action) -> Option<&'static str> {
        Some(match action {
            Action::New => "users.create",
            Action::EditRoles => "users.roles",
            Action::ToggleDisabled | Action::Unlink => "users.update",
            Action::ResetPassword => "users.password",
            Action::Revoke => "users.revoke",
            Action::Unlock => "users.unlock",
            _ => return None,
        })
    }

    fn act(action: Action, row: Option<&Self>, ctx: &Ctx<'_>) -> Vec<Effect> {
        if action == Action::New {
            return vec![Effect::Form(Form::new(FormKind::CreateUser))];
        }
        let Some(u) = row else {
            return Vec::new();
        };
        let you = u.id == ctx.me.id;
        let id = seg(&u.id);
        match action {
            Action::EditRoles => vec![Effect::Pick(
                PickFor::UserRoles(u.id.clone()),
                u.roles.clone(),
            )],
            Action::ToggleDisabled => {
                let disable = !u.disabled;
                confirm(
                    if disable {
                        format!("Disable {}? Their sessions end.", u.id)
                    } else {
                        format!("Enable {}?", u.id)
                    },
                    (you && disable).then(|| {
                        "This is you: you will be signed out and cannot sign back in.".into()
                    }),
                    send(
                        "PATCH",
                        format!("/admin/v1/users/{id}"),
                        serde_json::to_value(UpdateUser {
                            disabled: Some(disable),
                            ..Default::default()
                        })
                        .ok(),
                        format!(
                            "{} is now {}",
                            u.id,
                            if disable { "disabled" } else { "enabled" }
                        ),
                    ),
                )
            }
            Action::ResetPassword => vec![Effect::Form(Form::new(FormKind::ResetPassword(
                u.id.clone(),
            )))],
            Action::Revoke => confirm(
                format!("Revoke every token and session of {}?", u.id),
                you.then(|| "This is you: this console's session ends too.".into()),
                send(
                    "POST",
                    format!("/admin/v1/users/{id}/revoke"),
                    None,
                    format!("revoked every token and session of {}", u.id),
                ),
            ),
            Action::Unlock => vec![Effect::Request(send(
                "POST",
                format!("/admin/v1/users/{id}/unlock"),
                None,
                format!("{} may sign in again (throttle cleared)", u.id),
            ))],
            Action::Identities => vec![Effect::Request(Request::Send {
                method: "GET",
                path: format!("/admin/v1/users/{id}/identities"),
                body: None,
                what: What::Identities(u.id.clone()),
            })],
            Action::Unlink => vec![Effect::Form(Form::new(FormKind::Unlink(u.id.clone())))],
            _ => Vec::new(),
        }
    }
}

/// A user's identity-provider links, in a popup.
pub fn identities_detail(user: &str, links: &[Identity]) -> Detail {
    let mut lines = vec![Line::raw(format!("{:<40} SUBJECT", "ISSUER"))];
    lines.extend(
        links
            .iter()
            .map(|l| Line::raw(format!("{:<40} {}", l.issuer, l.subject))),
    );
    if links.is_empty() {
        lines.push(Line::raw("(no identity provider is linked)"));
    }
    Detail::new(format!("Identity providers linked to {user}"), lines)
}
