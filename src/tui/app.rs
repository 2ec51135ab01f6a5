//! TUI state and update: keys become actions, actions change state and call the admin API.
//! Views (in `view.rs`) only read this state.

use super::client::{Client, ClientError};
use super::keys::{action_for, changes, Action};
use crate::api::*;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::Value;

/// The tabs, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Dashboard,
    Users,
    Roles,
    Sessions,
    Decisions,
    Policies,
    Audit,
}

impl Tab {
    /// Every tab, in display order.
    pub const ALL: [Tab; 7] = [
        Tab::Dashboard,
        Tab::Users,
        Tab::Roles,
        Tab::Sessions,
        Tab::Decisions,
        Tab::Policies,
        Tab::Audit,
    ];

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Dashboard => "Dashboard",
            Tab::Users => "Users",
            Tab::Roles => "Roles",
            Tab::Sessions => "Sessions",
            Tab::Decisions => "Decisions",
            Tab::Policies => "Policies",
            Tab::Audit => "Audit",
        }
    }

    /// Position in [`Tab::ALL`].
    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// Which screen is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    SignIn,
    Main,
}

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
}

/// A form: fields, the focused one, and the last validation error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub kind: FormKind,
    pub title: &'static str,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
}

impl Form {
    fn new(kind: FormKind, title: &'static str, fields: &[(&'static str, bool)]) -> Form {
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
        }
    }

    /// The value of the field labelled `label`, trimmed.
    pub fn value(&self, label: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.value.trim().to_string())
            .unwrap_or_default()
    }

    fn sign_in() -> Form {
        Form::new(
            FormKind::SignIn,
            "Sign in to warden",
            &[("Email", false), ("Password", true)],
        )
    }
}

/// A destructive change waiting for confirmation. Typed: the dialog can only confirm the
/// change it was opened for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    RevokeSession(String),
    RevokeUser(String),
    SetDisabled(String, bool),
    DeleteRole(String),
}

impl Pending {
    /// The question the dialog asks.
    pub fn prompt(&self) -> String {
        match self {
            Pending::RevokeSession(id) => format!("Revoke session {id}?"),
            Pending::RevokeUser(id) => format!("Revoke every token and session of {id}?"),
            Pending::SetDisabled(id, true) => format!("Disable {id}? Their sessions end."),
            Pending::SetDisabled(id, false) => format!("Enable {id}?"),
            Pending::DeleteRole(name) => {
                format!("Delete role {name}? It is taken from every user.")
            }
        }
    }
}

/// What a role picker edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickFor {
    UserRoles(String),
    RoleParents(String),
}

/// A modal dialog over the current tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modal {
    Confirm(Pending),
    Form(Form),
    Pick {
        target: PickFor,
        options: Vec<(String, bool)>,
        cursor: usize,
    },
    Detail {
        title: String,
        lines: Vec<String>,
    },
}

/// The whole TUI state.
#[derive(Debug, Clone)]
pub struct App {
    pub url: String,
    pub read_only: bool,
    pub screen: Screen,
    pub tab: Tab,
    pub signin: Form,
    pub modal: Option<Modal>,
    pub help: bool,
    /// The last result or error, shown in the status bar.
    pub status: Option<(String, bool)>,
    pub connection_lost: bool,
    pub quit: bool,
    pub signed_in_as: Option<String>,
    pub users: Vec<UserRow>,
    pub roles: Vec<RoleRow>,
    pub sessions: Vec<SessionRow>,
    pub decisions: Vec<DecisionRow>,
    pub policies: Option<PolicyList>,
    pub audit: Vec<AuditRow>,
    pub stats: DecisionStats,
    /// Decisions per refresh, newest last (the dashboard sparkline).
    pub rate: Vec<u64>,
    last_total: Option<i64>,
    pub selected: [usize; 7],
    pub filter: String,
    pub filter_editing: bool,
    pub denies_only: bool,
}

impl App {
    /// A new app for the server at `url`, on the sign-in screen.
    pub fn new(url: &str, read_only: bool) -> App {
        App {
            url: url.to_string(),
            read_only,
            screen: Screen::SignIn,
            tab: Tab::Dashboard,
            signin: Form::sign_in(),
            modal: None,
            help: false,
            status: None,
            connection_lost: false,
            quit: false,
            signed_in_as: None,
            users: Vec::new(),
            roles: Vec::new(),
            sessions: Vec::new(),
            decisions: Vec::new(),
            policies: None,
            audit: Vec::new(),
            stats: DecisionStats::default(),
            rate: Vec::new(),
            last_total: None,
            selected: [0; 7],
            filter: String::new(),
            filter_editing: false,
            denies_only: false,
        }
    }

    fn ok(&mut self, message: impl Into<String>) {
        self.status = Some((message.into(), false));
    }

    fn error(&mut self, message: impl Into<String>) {
        self.status = Some((message.into(), true));
    }

    /// Handle a failed call: a lost connection is shown and retried on the next tick; an
    /// ended session returns to sign-in.
    fn failed(&mut self, e: ClientError) {
        match e {
            ClientError::Connection(m) => {
                self.connection_lost = true;
                self.error(format!("connection lost: {m} (retrying)"));
            }
            ClientError::SessionEnded(_) => {
                self.screen = Screen::SignIn;
                self.signin = Form::sign_in();
                self.modal = None;
                self.signed_in_as = None;
                self.error("session ended: sign in again");
            }
            api @ ClientError::Api { .. } => self.error(api.to_string()),
        }
    }

    /// The length of the current tab's list.
    pub fn rows(&self) -> usize {
        match self.tab {
            Tab::Dashboard => 0,
            Tab::Users => self.users.len(),
            Tab::Roles => self.roles.len(),
            Tab::Sessions => self.sessions.len(),
            Tab::Decisions => self.decisions.len(),
            Tab::Policies => self
                .policies
                .as_ref()
                .map(|p| p.policies.len())
                .unwrap_or(0),
            Tab::Audit => self.audit.len(),
        }
    }

    /// The selected row of the current tab.
    pub fn selected(&self) -> usize {
        self.selected[self.tab.index()].min(self.rows().saturating_sub(1))
    }

    fn selected_user(&self) -> Option<UserRow> {
        self.users.get(self.selected()).cloned()
    }

    /// Load what the current tab shows (and the dashboard counters).
    pub fn refresh(&mut self, client: &mut Client) {
        if self.screen != Screen::Main {
            return;
        }
        let result = self.load(client);
        match result {
            Ok(()) => {
                if self.connection_lost {
                    self.connection_lost = false;
                    self.ok("connection restored");
                }
            }
            Err(e) => self.failed(e),
        }
    }

    fn load(&mut self, client: &mut Client) -> Result<(), ClientError> {
        match self.tab {
            Tab::Dashboard => {
                self.stats = client.get("/admin/v1/decisions/stats")?;
                let total = self.stats.allowed + self.stats.denied;
                if let Some(last) = self.last_total {
                    self.rate.push((total - last).max(0) as u64);
                    if self.rate.len() > 120 {
                        self.rate.remove(0);
                    }
                }
                self.last_total = Some(total);
                self.policies = Some(client.get("/admin/v1/policies")?);
            }
            Tab::Users => {
                let query = serde_urlencoded::to_string([
                    ("filter", self.filter.as_str()),
                    ("limit", "1000"),
                ])
                .unwrap_or_default();
                self.users = client.get(&format!("/admin/v1/users?{query}"))?;
                self.roles = client.get("/admin/v1/roles")?;
            }
            Tab::Roles => self.roles = client.get("/admin/v1/roles")?,
            Tab::Sessions => self.sessions = client.get("/admin/v1/sessions")?,
            Tab::Decisions => {
                let path = if self.denies_only {
                    "/admin/v1/decisions?limit=200&decision=deny"
                } else {
                    "/admin/v1/decisions?limit=200"
                };
                self.decisions = client.get(path)?;
            }
            Tab::Policies => self.policies = Some(client.get("/admin/v1/policies")?),
            Tab::Audit => self.audit = client.get("/admin/v1/audit?limit=200")?,
        }
        Ok(())
    }

    /// Handle one key.
    pub fn on_key(&mut self, key: KeyEvent, client: &mut Client) {
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return;
        }
        if self.screen == Screen::SignIn {
            let mut form = self.signin.clone();
            if key.code == KeyCode::Esc {
                self.quit = true;
                return;
            }
            if edit_form(&mut form, key) {
                self.sign_in(&form, client);
            } else {
                self.signin = form;
            }
            return;
        }
        if self.help {
            if matches!(
                key.code,
                KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q')
            ) {
                self.help = false;
            }
            return;
        }
        if let Some(modal) = self.modal.take() {
            self.modal_key(modal, key, client);
            return;
        }
        if self.filter_editing {
            match key.code {
                KeyCode::Enter | KeyCode::Esc => self.filter_editing = false,
                KeyCode::Backspace => {
                    self.filter.pop();
                }
                KeyCode::Char(c) => self.filter.push(c),
                _ => {}
            }
            self.selected[self.tab.index()] = 0;
            self.refresh(client);
            return;
        }
        if let Some(action) = action_for(key, self.tab) {
            self.update(action, client);
        }
    }

    fn sign_in(&mut self, form: &Form, client: &mut Client) {
        let (email, password) = (
            form.value("Email"),
            form.fields
                .get(1)
                .map(|f| f.value.clone())
                .unwrap_or_default(),
        );
        if email.is_empty() || password.is_empty() {
            self.signin = Form {
                error: Some("enter your email and password".into()),
                ..form.clone()
            };
            return;
        }
        match client.login(&email, &password) {
            Ok(()) => {
                self.screen = Screen::Main;
                self.signin = Form::sign_in();
                self.signed_in_as = client.session().map(|s| s.user.clone());
                self.ok(format!(
                    "signed in as {}",
                    self.signed_in_as.clone().unwrap_or_default()
                ));
                self.refresh(client);
            }
            Err(e) => {
                let message = match &e {
                    ClientError::Api { message, .. } => message.clone(),
                    other => other.to_string(),
                };
                self.signin = Form {
                    error: Some(message),
                    fields: vec![
                        form.fields[0].clone(),
                        Field {
                            value: String::new(),
                            ..form.fields[1].clone()
                        },
                    ],
                    focus: 1,
                    ..form.clone()
                };
            }
        }
    }

    /// Apply an action.
    pub fn update(&mut self, action: Action, client: &mut Client) {
        if self.read_only && changes(action, self.tab) {
            self.error("read-only: changes are disabled (started with --read-only)");
            return;
        }
        let rows = self.rows();
        let i = self.tab.index();
        match action {
            Action::Quit => self.quit = true,
            Action::NextTab => self.go(Tab::ALL[(i + 1) % Tab::ALL.len()], client),
            Action::PrevTab => self.go(Tab::ALL[(i + Tab::ALL.len() - 1) % Tab::ALL.len()], client),
            Action::GoTab(n) => {
                if let Some(t) = Tab::ALL.get(n) {
                    self.go(*t, client);
                }
            }
            Action::Up => self.selected[i] = self.selected().saturating_sub(1),
            Action::Down => self.selected[i] = (self.selected() + 1).min(rows.saturating_sub(1)),
            Action::Back => {
                self.status = None;
            }
            Action::Help => self.help = true,
            Action::Refresh => {
                self.refresh(client);
                if !self.connection_lost {
                    self.ok("refreshed");
                }
            }
            Action::Filter => self.filter_editing = true,
            Action::Enter => self.detail(),
            Action::New => {
                self.modal = Some(Modal::Form(match self.tab {
                    Tab::Roles => Form::new(
                        FormKind::CreateRole,
                        "New role",
                        &[("Name", false), ("Parents (comma-separated)", false)],
                    ),
                    _ => Form::new(
                        FormKind::CreateUser,
                        "New user",
                        &[
                            ("Email", false),
                            ("Id (optional)", false),
                            ("Name", false),
                            ("Password", true),
                            ("Roles (comma-separated)", false),
                        ],
                    ),
                }))
            }
            Action::EditRoles => self.open_picker(client),
            Action::ToggleDisabled => {
                if let Some(u) = self.selected_user() {
                    self.modal = Some(Modal::Confirm(Pending::SetDisabled(u.id, !u.disabled)));
                }
            }
            Action::ResetPassword => {
                if let Some(u) = self.selected_user() {
                    self.modal = Some(Modal::Form(Form::new(
                        FormKind::ResetPassword(u.id),
                        "Reset password",
                        &[("New password", true)],
                    )));
                }
            }
            Action::Revoke => {
                let pending = match self.tab {
                    Tab::Sessions => self
                        .sessions
                        .get(self.selected())
                        .map(|s| Pending::RevokeSession(s.id.clone())),
                    _ => self.selected_user().map(|u| Pending::RevokeUser(u.id)),
                };
                self.modal = pending.map(Modal::Confirm);
            }
            Action::Delete => {
                if let Some(r) = self.roles.get(self.selected()) {
                    self.modal = Some(Modal::Confirm(Pending::DeleteRole(r.name.clone())));
                }
            }
            Action::Reload => {
                match client.call::<PolicyList>("POST", "/admin/v1/policies/reload", None::<&Value>)
                {
                    Ok(list) => {
                        self.ok(format!("reloaded: {} policies", list.policies.len()));
                        self.policies = Some(list);
                    }
                    Err(e) => {
                        self.failed(e);
                        self.refresh(client);
                    }
                }
            }
            Action::WhatIf => {
                self.modal = Some(Modal::Form(Form::new(
                    FormKind::WhatIf,
                    "What if",
                    &[
                        ("User", false),
                        ("Action", false),
                        ("Resource (Type::\"id\")", false),
                        ("Properties (JSON)", false),
                        ("Context (JSON)", false),
                    ],
                )))
            }
            Action::DeniesOnly => {
                self.denies_only = !self.denies_only;
                self.refresh(client);
            }
        }
    }

    fn go(&mut self, tab: Tab, client: &mut Client) {
        self.tab = tab;
        self.refresh(client);
    }

    fn detail(&mut self) {
        let sel = self.selected();
        let (title, lines) = match self.tab {
            Tab::Users => match self.users.get(sel) {
                Some(u) => (
                    format!("User {}", u.id),
                    vec![
                        format!("email     {}", u.email),
                        format!("name      {}", u.name),
                        format!("roles     {}", u.roles.join(", ")),
                        format!(
                            "status    {}",
                            if u.disabled { "disabled" } else { "active" }
                        ),
                        format!("created   {}", u.created_at),
                    ],
                ),
                None => return,
            },
            Tab::Decisions => match self.decisions.get(sel) {
                Some(d) => {
                    let mut lines = vec![
                        format!("decision  {}", d.decision),
                        format!("principal {}", d.principal),
                        format!("action    {}", d.action),
                        format!("resource  {}", d.resource),
                        format!("client    {}", d.client),
                        format!("request   {}", d.request_id),
                        format!("latency   {} us", d.latency_us),
                        format!(
                            "reasons   {}",
                            if d.reasons.is_empty() {
                                "(none)".to_string()
                            } else {
                                d.reasons.join(", ")
                            }
                        ),
                    ];
                    for e in &d.errors {
                        lines.push(format!("error     {e}"));
                    }
                    (format!("Decision {}", d.id), lines)
                }
                None => return,
            },
            Tab::Sessions => match self.sessions.get(sel) {
                Some(s) => (
                    format!("Session {}", s.id),
                    vec![
                        format!("user      {}", s.user_id),
                        format!("created   {}", s.created_at),
                        format!("last used {}", s.last_used_at),
                        format!("expires   {}", s.expires_at),
                        format!(
                            "revoked   {}",
                            s.revoked_reason.clone().unwrap_or_else(|| "no".into())
                        ),
                    ],
                ),
                None => return,
            },
            Tab::Audit => match self.audit.get(sel) {
                Some(a) => (
                    format!("Audit {}", a.id),
                    vec![
                        format!("actor     {}", a.actor),
                        format!("action    {}", a.action),
                        format!("target    {}", a.target),
                        format!("detail    {}", a.detail),
                    ],
                ),
                None => return,
            },
            _ => return,
        };
        self.modal = Some(Modal::Detail { title, lines });
    }

    fn open_picker(&mut self, client: &mut Client) {
        if self.roles.is_empty() {
            match client.get::<Vec<RoleRow>>("/admin/v1/roles") {
                Ok(r) => self.roles = r,
                Err(e) => return self.failed(e),
            }
        }
        let (target, chosen): (PickFor, Vec<String>) = match self.tab {
            Tab::Users => match self.selected_user() {
                Some(u) => (PickFor::UserRoles(u.id), u.roles),
                None => return,
            },
            Tab::Roles => match self.roles.get(self.selected()) {
                Some(r) => (PickFor::RoleParents(r.name.clone()), r.parents.clone()),
                None => return,
            },
            _ => return,
        };
        let options = self
            .roles
            .iter()
            .filter(|r| !matches!(&target, PickFor::RoleParents(n) if *n == r.name))
            .map(|r| (r.name.clone(), chosen.contains(&r.name)))
            .collect();
        self.modal = Some(Modal::Pick {
            target,
            options,
            cursor: 0,
        });
    }

    fn modal_key(&mut self, modal: Modal, key: KeyEvent, client: &mut Client) {
        match modal {
            Modal::Detail { .. } => {
                if !matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) {
                    self.modal = Some(modal);
                }
            }
            Modal::Confirm(pending) => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => self.confirm(pending, client),
                KeyCode::Char('n') | KeyCode::Esc => self.ok("cancelled"),
                _ => self.modal = Some(Modal::Confirm(pending)),
            },
            Modal::Pick {
                target,
                mut options,
                mut cursor,
            } => match key.code {
                KeyCode::Esc => self.ok("cancelled"),
                KeyCode::Up | KeyCode::Char('k') => {
                    cursor = cursor.saturating_sub(1);
                    self.modal = Some(Modal::Pick {
                        target,
                        options,
                        cursor,
                    });
                }
                KeyCode::Down | KeyCode::Char('j') => {
                    cursor = (cursor + 1).min(options.len().saturating_sub(1));
                    self.modal = Some(Modal::Pick {
                        target,
                        options,
                        cursor,
                    });
                }
                KeyCode::Char(' ') => {
                    if let Some(o) = options.get_mut(cursor) {
                        o.1 = !o.1;
                    }
                    self.modal = Some(Modal::Pick {
                        target,
                        options,
                        cursor,
                    });
                }
                KeyCode::Enter => {
                    let chosen: Vec<String> = options
                        .iter()
                        .filter(|o| o.1)
                        .map(|o| o.0.clone())
                        .collect();
                    let result = match &target {
                        PickFor::UserRoles(id) => client
                            .call::<UserRow>(
                                "PUT",
                                &format!("/admin/v1/users/{id}/roles"),
                                Some(&SetRoles {
                                    roles: chosen.clone(),
                                }),
                            )
                            .map(|u| format!("{} now has roles: {}", u.id, u.roles.join(", "))),
                        PickFor::RoleParents(name) => client
                            .call::<RoleRow>(
                                "PUT",
                                &format!("/admin/v1/roles/{name}"),
                                Some(&RoleUpdate {
                                    parents: chosen.clone(),
                                }),
                            )
                            .map(|r| format!("{} now inherits: {}", r.name, r.parents.join(", "))),
                    };
                    match result {
                        Ok(m) => self.ok(m),
                        Err(e) => self.failed(e),
                    }
                    self.refresh(client);
                }
                _ => {
                    self.modal = Some(Modal::Pick {
                        target,
                        options,
                        cursor,
                    })
                }
            },
            Modal::Form(mut form) => {
                if key.code == KeyCode::Esc {
                    self.ok("cancelled");
                    return;
                }
                if edit_form(&mut form, key) {
                    self.submit(form, client);
                } else {
                    self.modal = Some(Modal::Form(form));
                }
            }
        }
    }

    fn confirm(&mut self, pending: Pending, client: &mut Client) {
        let result = match &pending {
            Pending::RevokeSession(id) => client
                .call::<SessionRow>(
                    "DELETE",
                    &format!("/admin/v1/sessions/{id}"),
                    None::<&Value>,
                )
                .map(|_| format!("revoked session {id}")),
            Pending::RevokeUser(id) => client
                .call::<Value>(
                    "POST",
                    &format!("/admin/v1/users/{id}/revoke"),
                    None::<&Value>,
                )
                .map(|_| format!("revoked every token and session of {id}")),
            Pending::SetDisabled(id, disabled) => client
                .call::<UserRow>(
                    "PATCH",
                    &format!("/admin/v1/users/{id}"),
                    Some(&UserUpdate {
                        disabled: Some(*disabled),
                        ..Default::default()
                    }),
                )
                .map(|u| {
                    format!(
                        "{} is now {}",
                        u.id,
                        if u.disabled { "disabled" } else { "enabled" }
                    )
                }),
            Pending::DeleteRole(name) => client
                .call::<Value>(
                    "DELETE",
                    &format!("/admin/v1/roles/{name}?force=true"),
                    None::<&Value>,
                )
                .map(|_| format!("deleted role {name}")),
        };
        match result {
            Ok(m) => self.ok(m),
            Err(e) => self.failed(e),
        }
        self.refresh(client);
    }

    fn submit(&mut self, form: Form, client: &mut Client) {
        let list = |s: String| -> Vec<String> {
            s.split(',')
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect()
        };
        let invalid = |form: &Form, message: &str| {
            Some(Modal::Form(Form {
                error: Some(message.to_string()),
                ..form.clone()
            }))
        };
        let result: Result<String, ClientError> = match &form.kind {
            FormKind::CreateUser => {
                let email = form.value("Email");
                let password = form.value("Password");
                if !email.contains('@') {
                    self.modal = invalid(&form, "email must look like name@domain");
                    return;
                }
                if !password.is_empty() && password.chars().count() < 12 {
                    self.modal = invalid(&form, "password must be at least 12 characters");
                    return;
                }
                let id = form.value("Id (optional)");
                let body = UserCreate {
                    id: (!id.is_empty()).then_some(id),
                    email,
                    name: form.value("Name"),
                    roles: list(form.value("Roles (comma-separated)")),
                    password: (!password.is_empty()).then_some(password),
                };
                client
                    .call::<UserRow>("POST", "/admin/v1/users", Some(&body))
                    .map(|u| format!("created user {}", u.id))
            }
            FormKind::ResetPassword(id) => {
                let password = form.value("New password");
                if password.chars().count() < 12 {
                    self.modal = invalid(&form, "password must be at least 12 characters");
                    return;
                }
                client
                    .call::<Value>(
                        "POST",
                        &format!("/admin/v1/users/{id}/password"),
                        Some(&SetPassword { password }),
                    )
                    .map(|_| format!("password of {id} reset"))
            }
            FormKind::CreateRole => {
                let name = form.value("Name");
                if name.is_empty() {
                    self.modal = invalid(&form, "a role needs a name");
                    return;
                }
                let body = RoleCreate {
                    name,
                    parents: list(form.value("Parents (comma-separated)")),
                };
                client
                    .call::<RoleRow>("POST", "/admin/v1/roles", Some(&body))
                    .map(|r| format!("created role {}", r.name))
            }
            FormKind::WhatIf => {
                let parse_obj = |text: String| -> Result<serde_json::Map<String, Value>, String> {
                    if text.is_empty() {
                        return Ok(Default::default());
                    }
                    match serde_json::from_str(&text) {
                        Ok(Value::Object(m)) => Ok(m),
                        _ => Err(format!("not a JSON object: {text}")),
                    }
                };
                let resource = form.value("Resource (Type::\"id\")");
                let (kind, id) = match crate::engine::parse_entity_ref(&resource) {
                    Ok(r) => r,
                    Err(_) => {
                        self.modal = invalid(&form, "resource must look like Type::\"id\"");
                        return;
                    }
                };
                let (properties, context) = match (
                    parse_obj(form.value("Properties (JSON)")),
                    parse_obj(form.value("Context (JSON)")),
                ) {
                    (Ok(p), Ok(c)) => (p, c),
                    (Err(e), _) | (_, Err(e)) => {
                        self.modal = invalid(&form, &e);
                        return;
                    }
                };
                let body = WhatIf {
                    user: form.value("User"),
                    action: form.value("Action"),
                    resource: ResourceRef {
                        kind,
                        id,
                        properties,
                    },
                    context,
                };
                match client.call::<DecisionAnswer>(
                    "POST",
                    "/admin/v1/policies/whatif",
                    Some(&body),
                ) {
                    Ok(d) => {
                        let mut lines = vec![
                            format!("decision  {}", if d.allowed { "allow" } else { "deny" }),
                            format!(
                                "reasons   {}",
                                if d.reasons.is_empty() {
                                    "(none)".into()
                                } else {
                                    d.reasons.join(", ")
                                }
                            ),
                        ];
                        lines.extend(d.errors.iter().map(|e| format!("error     {e}")));
                        self.modal = Some(Modal::Detail {
                            title: "What if".into(),
                            lines,
                        });
                        return;
                    }
                    Err(e) => Err(e),
                }
            }
            FormKind::SignIn => return,
        };
        match result {
            Ok(m) => {
                self.ok(m);
                self.refresh(client);
            }
            Err(ClientError::Api { message, .. }) => self.modal = invalid(&form, &message),
            Err(e) => self.failed(e),
        }
    }
}

/// Edit a form with a key; true when the form is submitted (Enter on the last field).
fn edit_form(form: &mut Form, key: KeyEvent) -> bool {
    let last = form.fields.len().saturating_sub(1);
    match key.code {
        KeyCode::Enter if form.focus >= last => return true,
        KeyCode::Enter | KeyCode::Tab | KeyCode::Down => form.focus = (form.focus + 1).min(last),
        KeyCode::BackTab | KeyCode::Up => form.focus = form.focus.saturating_sub(1),
        KeyCode::Backspace => {
            if let Some(f) = form.fields.get_mut(form.focus) {
                f.value.pop();
            }
        }
        KeyCode::Char(c) => {
            if let Some(f) = form.fields.get_mut(form.focus) {
                f.value.push(c);
            }
        }
        _ => {}
    }
    false
}
