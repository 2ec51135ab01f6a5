//! Dialogs over the current view: forms, typed confirmations, the role picker and
//! scrollable detail popups.

use super::ui::{centered, dim};
use super::worker::Request;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// One text field of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: &'static str,
    pub value: String,
    pub secret: bool,
}

/// What a form does when submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    SignIn,
    CreateUser,
    ResetPassword(String),
    CreateRole,
    WhatIf,
    CreateClient,
    /// Unlink an identity provider's subject from a user.
    Unlink(String),
}

/// A form: fields, the focused one, its own error (it stays with the form, never in the
/// status bar) and whether it waits for the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub kind: FormKind,
    pub title: &'static str,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    pub busy: bool,
}

impl Form {
    pub fn new(kind: FormKind, title: &'static str, fields: &[(&'static str, bool)]) -> Form {
        Form {
            kind,
            title,
            fields: fields
                .iter()
                .map(|(label, secret)| Field {
                    label,
                    value: String::new(),
                    secret: *secret,
                })
                .collect(),
            focus: 0,
            error: None,
            busy: false,
        }
    }

    /// The value of the field labelled `label`, trimmed (secrets as typed).
    pub fn value(&self, label: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map(|f| {
                if f.secret {
                    f.value.clone()
                } else {
                    f.value.trim().to_string()
                }
            })
            .unwrap_or_default()
    }

    pub fn sign_in() -> Form {
        Form::new(
            FormKind::SignIn,
            "Sign in to warden",
            &[("Email", false), ("Password", true)],
        )
    }

    /// Edit with a key; true when the form is submitted (Enter on the last field).
    pub fn edit(&mut self, key: KeyEvent) -> bool {
        if self.busy {
            return false;
        }
        let last = self.fields.len().saturating_sub(1);
        match key.code {
            KeyCode::Enter if self.focus >= last => return true,
            KeyCode::Enter | KeyCode::Tab | KeyCode::Down => {
                self.focus = (self.focus + 1).min(last)
            }
            KeyCode::BackTab | KeyCode::Up => self.focus = self.focus.saturating_sub(1),
            KeyCode::Backspace => {
                if let Some(f) = self.fields.get_mut(self.focus) {
                    f.value.pop();
                }
            }
            KeyCode::Char(c) => {
                if let Some(f) = self.fields.get_mut(self.focus) {
                    f.value.push(c);
                }
            }
            _ => {}
        }
        false
    }

    /// The form's lines (fields, error, keys).
    pub fn lines(&self) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        for (i, f) in self.fields.iter().enumerate() {
            let shown = if f.secret {
                "•".repeat(f.value.chars().count())
            } else {
                f.value.clone()
            };
            let cursor = if i == self.focus { "▏" } else { "" };
            let style = if i == self.focus {
                Style::new().add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<24}", f.label), style),
                Span::raw(format!("{shown}{cursor}")),
            ]));
        }
        lines.push(Line::raw(""));
        if self.busy {
            lines.push(Line::styled("waiting for the server…", dim()));
        }
        if let Some(e) = &self.error {
            lines.push(Line::styled(e.clone(), Style::new().fg(Color::Red)));
        }
        lines.push(Line::styled(
            "Tab/↓ next field · Enter on the last field submits · Esc cancels",
            dim(),
        ));
        lines
    }
}

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

/// The what-if form's resource field: `Type::"id"` asks for a decision, a type alone for
/// the type's query plan.
pub const WHAT_IF_RESOURCE: &str = "Resource (Type::\"id\"; a Type alone: its plan)";

/// A scrollable popup of lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub title: String,
    pub lines: Vec<Line<'static>>,
    pub scroll: usize,
}

impl Detail {
    pub fn new(title: impl Into<String>, lines: Vec<Line<'static>>) -> Detail {
        Detail {
            title: title.into(),
            lines,
            scroll: 0,
        }
    }

    /// A popup of `label value` pairs, values wrapped under their label.
    pub fn fields(title: impl Into<String>, pairs: &[(&str, String)]) -> Detail {
        let mut lines = Vec::new();
        for (label, value) in pairs {
            let mut first = true;
            for part in value.split('\n') {
                let head = if first { *label } else { "" };
                first = false;
                lines.push(Line::from(vec![
                    Span::styled(format!("{head:<12}"), dim()),
                    Span::raw(part.to_string()),
                ]));
            }
        }
        Detail::new(title, lines)
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
        Modal::Form(f) => (f.title.to_string(), f.lines(), 0),
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

/// Scroll a detail popup with a key; false when the key closes it.
pub fn scroll(detail: &mut Detail, key: KeyEvent) -> bool {
    let last = detail.lines.len().saturating_sub(1);
    match key.code {
        KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => return false,
        KeyCode::Down | KeyCode::Char('j') => detail.scroll = (detail.scroll + 1).min(last),
        KeyCode::Up | KeyCode::Char('k') => detail.scroll = detail.scroll.saturating_sub(1),
        KeyCode::PageDown | KeyCode::Char(' ') => detail.scroll = (detail.scroll + 10).min(last),
        KeyCode::PageUp => detail.scroll = detail.scroll.saturating_sub(10),
        KeyCode::Home | KeyCode::Char('g') => detail.scroll = 0,
        KeyCode::End | KeyCode::Char('G') => detail.scroll = last,
        _ => {}
    }
    true
}
