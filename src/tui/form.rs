//! Forms as components: a [`Form`] owns its fields, takes its keys, draws its lines and,
//! when submitted, turns what was typed into the [`Request`] it stands for. What each form
//! asks and what it sends is its [`FormKind`]: its fields are read by position, next to the
//! list that defines them, never looked up by their label.

use super::client::ClientError;
use super::msg::{PolicyChange, Request, What};
use super::style::dim;
use super::whatif::{Question, RESOURCE_LABEL};
use crate::api::{CreateClient, CreateRole, CreateUser, SetPassword};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use serde::Serialize;

/// Which form it is, and what it sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    SignIn,
    CreateUser,
    /// A new password for the user of this id.
    ResetPassword(String),
    CreateRole,
    WhatIf,
    CreateClient,
    /// Unlink an identity provider's subject from the user of this id.
    Unlink(String),
    /// Publish a policy directory of the console's machine (a preview comes first).
    Publish,
}

impl FormKind {
    /// The form's title.
    pub fn title(&self) -> &'static str {
        match self {
            FormKind::SignIn => "Sign in to warden",
            FormKind::CreateUser => "New user",
            FormKind::ResetPassword(_) => "Reset password",
            FormKind::CreateRole => "New role",
            FormKind::WhatIf => "What if (no change is made)",
            FormKind::CreateClient => "New service client",
            FormKind::Unlink(_) => "Unlink an identity provider",
            FormKind::Publish => "Publish policies (a dry run and its preview come first)",
        }
    }

    /// The fields, in order: their labels, and whether they are secret (shown as dots,
    /// never trimmed).
    pub fn fields(&self) -> &'static [(&'static str, bool)] {
        match self {
            FormKind::SignIn => &[("Email", false), ("Password", true)],
            FormKind::CreateUser => &[
                ("Email", false),
                ("Id (optional)", false),
                ("Name", false),
                ("Password", true),
                ("Roles (comma-separated)", false),
            ],
            FormKind::ResetPassword(_) => &[("New password", true)],
            FormKind::CreateRole => &[("Name", false), ("Parents (comma-separated)", false)],
            FormKind::WhatIf => &[
                ("User", false),
                ("Action", false),
                (RESOURCE_LABEL, false),
                ("Properties (JSON)", false),
                ("Context (JSON)", false),
            ],
            FormKind::CreateClient => &[("Name", false)],
            FormKind::Unlink(_) => &[("Issuer", false), ("Subject", false)],
            FormKind::Publish => &[("Directory", false), ("Message", false)],
        }
    }

    /// The request for `values` (one per field of [`FormKind::fields`], in order), or why
    /// the form cannot be sent as it is.
    pub fn request(&self, values: &[String]) -> Result<Request, String> {
        match self {
            FormKind::SignIn => {
                let [email, password] = take(values);
                if email.is_empty() || password.is_empty() {
                    return Err("enter your email and password".into());
                }
                Ok(Request::SignIn { email, password })
            }
            FormKind::CreateUser => {
                let [email, id, name, password, roles] = take(values);
                if !email.contains('@') {
                    return Err("email must look like name@domain".into());
                }
                let body = CreateUser {
                    id: (!id.is_empty()).then_some(id),
                    email,
                    name,
                    roles: list(&roles),
                    password: (!password.is_empty()).then_some(password),
                };
                send("POST", "/admin/v1/users".into(), &body, What::UserCreated)
            }
            FormKind::ResetPassword(id) => {
                let [password] = take(values);
                if password.is_empty() {
                    return Err("enter a new password".into());
                }
                send(
                    "POST",
                    format!("/admin/v1/users/{id}/password"),
                    &SetPassword { password },
                    What::Form(format!("password of {id} reset")),
                )
            }
            FormKind::CreateRole => {
                let [name, parents] = take(values);
                if name.is_empty() {
                    return Err("a role needs a name".into());
                }
                let done = What::Form(format!("created role {name}"));
                let body = CreateRole {
                    name,
                    parents: list(&parents),
                };
                send("POST", "/admin/v1/roles".into(), &body, done)
            }
            FormKind::WhatIf => {
                let [user, action, resource, properties, context] = take(values);
                Question {
                    user,
                    action,
                    resource,
                    properties,
                    context,
                }
                .request()
            }
            FormKind::CreateClient => {
                let [name] = take(values);
                if name.is_empty() {
                    return Err("a client needs a name".into());
                }
                send(
                    "POST",
                    "/admin/v1/clients".into(),
                    &CreateClient { name },
                    What::ClientCreated,
                )
            }
            FormKind::Unlink(id) => {
                let [issuer, subject] = take(values);
                if issuer.is_empty() || subject.is_empty() {
                    return Err("give the issuer and the subject (i lists them)".into());
                }
                let query = serde_urlencoded::to_string([
                    ("issuer", issuer.as_str()),
                    ("subject", subject.as_str()),
                ])
                .unwrap_or_default();
                Ok(Request::Send {
                    method: "DELETE",
                    path: format!("/admin/v1/users/{id}/identities?{query}"),
                    body: Some(serde_json::Value::Object(Default::default())),
                    what: What::Form(format!("unlinked {subject} at {issuer} from {id}")),
                })
            }
            FormKind::Publish => {
                let [dir, message] = take(values);
                if dir.is_empty() {
                    return Err("give the policy directory to publish".into());
                }
                if message.is_empty() {
                    return Err("say why (the message is kept with the version)".into());
                }
                Ok(Request::Preview(PolicyChange::Publish { dir, message }))
            }
        }
    }
}

/// The first `N` values (missing ones empty), to be named by destructuring.
fn take<const N: usize>(values: &[String]) -> [String; N] {
    std::array::from_fn(|i| values.get(i).cloned().unwrap_or_default())
}

/// A comma-separated list, blanks dropped.
fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect()
}

/// A change with a JSON body.
fn send(
    method: &'static str,
    path: String,
    body: &impl Serialize,
    what: What,
) -> Result<Request, String> {
    let body = serde_json::to_value(body).map_err(|e| e.to_string())?;
    Ok(Request::Send {
        method,
        path,
        body: Some(body),
        what,
    })
}

/// One text field of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: &'static str,
    pub value: String,
    pub secret: bool,
    /// Where typing goes, in characters; `None` is the end (also after a value is set).
    pub cursor: Option<usize>,
}

/// Edit one line of text with a key, as readline does (issue 32: Ctrl+letter typed the
/// letter, so Ctrl-U in a password field added a `u` nobody saw). Ctrl-A / Home start,
/// Ctrl-E / End end, ←/→ move, Ctrl-U deletes to the start, Ctrl-W the word before the
/// cursor, Ctrl-K to the end, Backspace / Delete one character. Any other key with Ctrl or
/// Alt types nothing. True when the key was one of these (taken), false for the rest
/// (Enter, Tab, Esc, ...), which the caller handles.
pub fn edit_line(value: &mut String, cursor: &mut Option<usize>, key: KeyEvent) -> bool {
    let len = value.chars().count();
    let at = cursor.unwrap_or(len).min(len);
    let byte = |i: usize| value.char_indices().nth(i).map_or(value.len(), |(b, _)| b);
    let control = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    let place = |i: usize| if i >= len { None } else { Some(i) };
    match key.code {
        KeyCode::Char('a') if control => *cursor = Some(0),
        KeyCode::Home => *cursor = Some(0),
        KeyCode::Char('e') if control => *cursor = None,
        KeyCode::End => *cursor = None,
        KeyCode::Left => *cursor = Some(at.saturating_sub(1)),
        KeyCode::Right => *cursor = place(at + 1),
        KeyCode::Char('u') if control => {
            value.replace_range(..byte(at), "");
            *cursor = Some(0);
        }
        KeyCode::Char('k') if control => value.truncate(byte(at)),
        KeyCode::Char('w') if control => {
            let chars: Vec<char> = value.chars().collect();
            let mut start = at;
            while start > 0 && chars[start - 1].is_whitespace() {
                start -= 1;
            }
            while start > 0 && !chars[start - 1].is_whitespace() {
                start -= 1;
            }
            value.replace_range(byte(start)..byte(at), "");
            *cursor = Some(start).filter(|_| at < len);
        }
        KeyCode::Backspace if at > 0 => {
            value.replace_range(byte(at - 1)..byte(at), "");
            *cursor = cursor.map(|_| at - 1);
        }
        KeyCode::Backspace => {}
        KeyCode::Delete if at < len => value.replace_range(byte(at)..byte(at + 1), ""),
        KeyCode::Delete => {}
        // Another Ctrl or Alt combination: a command this field does not have, not text
        // (both at once is AltGr on some terminals, which types a character).
        KeyCode::Char(_) if control != alt => {}
        KeyCode::Char(c) => {
            value.insert(byte(at), c);
            *cursor = cursor.map(|_| at + 1);
        }
        _ => return false,
    }
    true
}

/// What a key did to a form.
#[derive(Debug, Clone, PartialEq)]
pub enum FormKey {
    /// Still being filled in (or waiting for the server, or showing why it was not sent).
    Editing,
    /// Esc: the form is given up.
    Cancel,
    /// Submitted: this request goes out, and the form waits for its answer.
    Submit(Request),
}

/// A form: its fields, the focused one, its own error (it stays with the form, never in the
/// status bar) and whether it waits for the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub kind: FormKind,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    pub busy: bool,
}

impl Form {
    /// An empty form of `kind`.
    pub fn new(kind: FormKind) -> Form {
        let fields = kind
            .fields()
            .iter()
            .map(|(label, secret)| Field {
                label,
                value: String::new(),
                secret: *secret,
                cursor: None,
            })
            .collect();
        Form {
            kind,
            fields,
            focus: 0,
            error: None,
            busy: false,
        }
    }

    pub fn sign_in() -> Form {
        Form::new(FormKind::SignIn)
    }

    pub fn title(&self) -> &'static str {
        self.kind.title()
    }

    /// The values in field order, trimmed (secrets as typed).
    pub fn values(&self) -> Vec<String> {
        self.fields
            .iter()
            .map(|f| {
                if f.secret {
                    f.value.clone()
                } else {
                    f.value.trim().to_string()
                }
            })
            .collect()
    }

    /// Take a key. Esc cancels; Enter on the last field submits: the form's request goes
    /// out, or the form keeps its error and stays.
    pub fn on_key(&mut self, key: KeyEvent) -> FormKey {
        if key.code == KeyCode::Esc {
            return FormKey::Cancel;
        }
        if !self.edit(key) {
            return FormKey::Editing;
        }
        match self.kind.request(&self.values()) {
            Ok(request) => {
                self.error = None;
                self.busy = true;
                FormKey::Submit(request)
            }
            Err(e) => {
                self.error = Some(e);
                FormKey::Editing
            }
        }
    }

    /// Edit with a key; true when the form is submitted (Enter on the last field).
    fn edit(&mut self, key: KeyEvent) -> bool {
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
            _ => {
                if let Some(f) = self.fields.get_mut(self.focus) {
                    edit_line(&mut f.value, &mut f.cursor, key);
                }
            }
        }
        false
    }

    /// Esc on the sign-in form steps back instead of quitting (issue 32: Esc there ended
    /// the program): it clears the focused field, or when that is empty goes to the one
    /// before. False when there is nothing left to clear (every field empty, the first
    /// focused): the form stays as it is.
    pub fn step_back(&mut self) -> bool {
        let Some(f) = self.fields.get_mut(self.focus) else {
            return false;
        };
        if !f.value.is_empty() {
            f.value.clear();
            f.cursor = None;
            self.error = None;
            return true;
        }
        if self.focus > 0 {
            self.focus -= 1;
            return true;
        }
        false
    }

    /// The server refused the form's request: it stays open with the reason.
    pub fn failed(&mut self, e: &ClientError) {
        self.busy = false;
        self.error = Some(match e {
            ClientError::Api { message, .. } => message.clone(),
            other => other.to_string(),
        });
    }

    /// Clear the secrets and focus the first of them, to be typed again.
    pub fn retype_secrets(&mut self) {
        for f in self.fields.iter_mut().filter(|f| f.secret) {
            f.value.clear();
        }
        if let Some(first) = self.fields.iter().position(|f| f.secret) {
            self.focus = first;
        }
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
            let style = if i == self.focus {
                Style::new().add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            };
            let text = if i == self.focus {
                let at = f.cursor.unwrap_or(usize::MAX);
                let before: String = shown.chars().take(at).collect();
                let after: String = shown.chars().skip(at).collect();
                format!("{before}▏{after}")
            } else {
                shown
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<24}", f.label), style),
                Span::raw(text),
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
            if self.kind == FormKind::SignIn {
                "Tab/↓ next field · Enter signs in · Esc clears · Ctrl-C quits"
            } else {
                "Tab/↓ next field · Enter on the last field submits · Esc cancels"
            },
            dim(),
        ));
        lines
    }
}
