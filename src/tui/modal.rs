//! Dialogs over the current view: forms, typed confirmations, the role picker and
//! scrollable detail popups. A dialog takes the keys while it is up and tells the app what
//! follows through a [`Step`]; it never sends anything itself.

use super::client::Me;
use super::detail::Detail;
use super::form::{Form, FormKey};
use super::msg::{Request, What};
use super::style::{centered, dim};
use crate::api::{Role, SetRoles, UpdateRole};
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// A change waiting for "y". Typed: the dialog can only send the request it was opened
/// for. A warning (you are about to lock yourself out) is shown in red above the question.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub prompt: String,
    pub warning: Option<String>,
    pub request: Request,
}

/// What a role picker edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickFor {
    UserRoles(String),
    RoleParents(String),
}

impl PickFor {
    /// Save `chosen`: a confirmation first, as for every change (issue 32: the picker saved
    /// at Enter, where docs/admin.md promises that changes ask), with a warning when `me`
    /// would lose a role of their own (taking a role from yourself can end your own access).
    fn save(&self, chosen: Vec<String>, me: &Me) -> Step {
        let dropped: Vec<String> = match self {
            PickFor::UserRoles(id) if *id == me.id => me
                .roles
                .iter()
                .filter(|r| !chosen.contains(r))
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        let list = if chosen.is_empty() {
            "(none)".to_string()
        } else {
            chosen.join(", ")
        };
        let (path, body, done) = match self {
            PickFor::UserRoles(id) => (
                format!("/admin/v1/users/{id}/roles"),
                serde_json::to_value(SetRoles { roles: chosen }),
                format!("{id} now has roles: {list}"),
            ),
            PickFor::RoleParents(name) => (
                format!("/admin/v1/roles/{name}"),
                serde_json::to_value(UpdateRole { parents: chosen }),
                format!("{name} now inherits: {list}"),
            ),
        };
        let request = Request::Send {
            method: "PUT",
            path,
            body: body.ok(),
            what: What::Change(done),
        };
        let prompt = match self {
            PickFor::UserRoles(id) if *id == me.id => format!("Set your own roles to {list}?"),
            PickFor::UserRoles(id) => format!("Set the roles of {id} to {list}?"),
            PickFor::RoleParents(name) => format!("Make {name} inherit {list}?"),
        };
        Step::Stay(Modal::Confirm(Confirm {
            prompt,
            warning: (!dropped.is_empty()).then(|| {
                format!(
                    "This is you: without {} you may lose access to this console.",
                    dropped.join(", ")
                )
            }),
            request,
        }))
    }
}

/// A modal dialog over the current view.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    Confirm(Confirm),
    Form(Form),
    Pick {
        target: PickFor,
        options: Vec<(String, bool)>,
        cursor: usize,
    },
    Detail(Detail),
    /// A policy change's impact preview (its dry run): `y` goes on to the change's
    /// confirmation, so a publish or rollback takes a preview read and a second yes.
    Review {
        detail: Detail,
        confirm: Confirm,
    },
}

/// What follows a key in a dialog.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The dialog stays up (changed or not).
    Stay(Modal),
    /// The dialog stays up while its request goes out (a form waits for its answer).
    StayAndSend(Modal, Request),
    /// Closed without a word (a popup read).
    Close,
    /// Closed: "cancelled".
    Cancel,
    /// Closed, and the confirmed change goes out: "sending…".
    Confirmed(Request),
}

impl Modal {
    /// The role picker for `target` over the server's `roles`, those in `chosen` ticked. A
    /// role is not offered as its own parent.
    pub fn picker(target: PickFor, chosen: &[String], roles: &[Role]) -> Modal {
        let options = roles
            .iter()
            .filter(|r| !matches!(&target, PickFor::RoleParents(n) if *n == r.name))
            .map(|r| (r.name.clone(), chosen.contains(&r.name)))
            .collect();
        Modal::Pick {
            target,
            options,
            cursor: 0,
        }
    }

    /// Take a key (`me`: who is signed in, for the picker's warning).
    pub fn on_key(self, key: KeyEvent, me: &Me) -> Step {
        match self {
            Modal::Detail(mut d) => {
                if d.on_key(key) {
                    Step::Stay(Modal::Detail(d))
                } else {
                    Step::Close
                }
            }
            Modal::Review {
                mut detail,
                confirm,
            } => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => Step::Stay(Modal::Confirm(confirm)),
                KeyCode::Char('n') | KeyCode::Char('q') | KeyCode::Esc => Step::Cancel,
                _ => {
                    // Scroll; Enter does not close a preview (only y or n/Esc leave it).
                    detail.on_key(key);
                    Step::Stay(Modal::Review { detail, confirm })
                }
            },
            Modal::Confirm(c) => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => Step::Confirmed(c.request),
                KeyCode::Char('n') | KeyCode::Esc => Step::Cancel,
                _ => Step::Stay(Modal::Confirm(c)),
            },
            Modal::Pick {
                target,
                mut options,
                mut cursor,
            } => {
                match key.code {
                    KeyCode::Esc => return Step::Cancel,
                    KeyCode::Up | KeyCode::Char('k') => cursor = cursor.saturating_sub(1),
                    KeyCode::Down | KeyCode::Char('j') => {
                        cursor = (cursor + 1).min(options.len().saturating_sub(1))
                    }
                    KeyCode::Char(' ') => {
                        if let Some(o) = options.get_mut(cursor) {
                            o.1 = !o.1;
                        }
                    }
                    KeyCode::Enter => {
                        let chosen = options.into_iter().filter(|o| o.1).map(|o| o.0);
                        return target.save(chosen.collect(), me);
                    }
                    _ => {}
                }
                Step::Stay(Modal::Pick {
                    target,
                    options,
                    cursor,
                })
            }
            Modal::Form(mut form) => match form.on_key(key) {
                FormKey::Cancel => Step::Cancel,
                FormKey::Editing => Step::Stay(Modal::Form(form)),
                FormKey::Submit(request) => Step::StayAndSend(Modal::Form(form), request),
            },
        }
    }
}

/// Draw a modal over `area`.
pub fn draw(frame: &mut Frame<'_>, modal: &Modal, area: Rect) {
    let width = area.width.saturating_sub(4).min(100);
    let inner_width = usize::from(width.saturating_sub(2)).max(1);
    let (title, lines, scroll): (String, Vec<Line>, usize) = match modal {
        Modal::Confirm(c) => {
            let mut l = Vec::new();
            if let Some(w) = &c.warning {
                l.push(Line::styled(
                    format!("⚠ {w}"),
                    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
                ));
                l.push(Line::raw(""));
            }
            l.push(Line::raw(c.prompt.clone()));
            l.push(Line::raw(""));
            l.push(Line::styled("y confirm · n / Esc cancel", dim()));
            ("Confirm".into(), l, 0)
        }
        Modal::Form(f) => (f.title().to_string(), f.lines(), 0),
        Modal::Pick {
            target,
            options,
            cursor,
        } => {
            let title = match target {
                PickFor::UserRoles(u) => format!("Roles of {u}"),
                PickFor::RoleParents(r) => format!("Parents of {r}"),
            };
            let mut l: Vec<Line> = options
                .iter()
                .enumerate()
                .map(|(i, (name, on))| {
                    let line = format!("[{}] {name}", if *on { "x" } else { " " });
                    if i == *cursor {
                        Line::styled(line, Style::new().add_modifier(Modifier::REVERSED))
                    } else {
                        Line::raw(line)
                    }
                })
                .collect();
            l.push(Line::styled(
                "Space toggle · Enter save · Esc cancel",
                dim(),
            ));
            (title, l, 0)
        }
        Modal::Detail(d) => {
            let mut l = d.lines.clone();
            l.push(Line::styled("↑↓/PgUp/PgDn/g/G scroll · Esc close", dim()));
            (d.title.clone(), l, d.scroll)
        }
        Modal::Review { detail, .. } => {
            // The keys first: a long preview must not scroll its only way on out of sight.
            let mut l = vec![Line::styled(
                "y go on (then confirm) · n / Esc cancel · ↑↓/PgUp/PgDn scroll",
                Style::new().add_modifier(Modifier::BOLD),
            )];
            l.extend(detail.lines.iter().cloned());
            (detail.title.clone(), l, detail.scroll)
        }
    };
    // Height from the wrapped length, so nothing is cut that fits on the screen.
    let wrapped: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_width))
        .sum();
    let height = (wrapped as u16).saturating_add(2).min(area.height);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(u16::MAX as usize) as u16, 0))
            .block(Block::bordered().title(title)),
        rect,
    );
}
