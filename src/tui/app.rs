//! The console's state and update. Keys and worker events come in; jobs for the worker go
//! out through [`App::take_jobs`]. Nothing here waits on the network, and nothing here
//! reads the clock: the time arrives as an argument of [`App::tick`].

use super::client::{ClientError, Me};
use super::dashboard::Dashboard;
use super::keys::{lookup, tab_number, Action, GLOBAL};
use super::modal::{self, Detail, Form, FormKind, Modal, PickFor, WHAT_IF_RESOURCE};
use super::view::{Component, Ctx, Effect, ListView, Phase, ViewId};
use super::worker::{Event, Job, Reply, Request, What};
use crate::api::*;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use serde_json::Value;
use std::time::{Duration, Instant};

/// How long a message stays: errors longer, so they can be read (or opened with `m`).
const INFO_FOR: Duration = Duration::from_secs(5);
const ERROR_FOR: Duration = Duration::from_secs(15);

/// Which screen is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    SignIn,
    Main,
}

/// A status-bar message; it expires, or the next one replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
    pub until: Instant,
}

/// One component per tab, typed so tests can look inside.
#[derive(Default)]
pub struct Views {
    pub dashboard: Dashboard,
    pub users: ListView<User>,
    pub roles: ListView<Role>,
    pub sessions: ListView<Session>,
    pub decisions: ListView<DecisionEntry>,
    pub policies: ListView<Policy>,
    pub audit: ListView<AuditEntry>,
    pub clients: ListView<Client>,
    pub keys: ListView<SigningKey>,
}

impl Views {
    pub fn get(&self, id: ViewId) -> &dyn Component {
        match id {
            ViewId::Dashboard => &self.dashboard,
            ViewId::Users => &self.users,
            ViewId::Roles => &self.roles,
            ViewId::Sessions => &self.sessions,
            ViewId::Decisions => &self.decisions,
            ViewId::Policies => &self.policies,
            ViewId::Audit => &self.audit,
            ViewId::Clients => &self.clients,
            ViewId::Keys => &self.keys,
        }
    }

    pub fn get_mut(&mut self, id: ViewId) -> &mut dyn Component {
        match id {
            ViewId::Dashboard => &mut self.dashboard,
            ViewId::Users => &mut self.users,
            ViewId::Roles => &mut self.roles,
            ViewId::Sessions => &mut self.sessions,
            ViewId::Decisions => &mut self.decisions,
            ViewId::Policies => &mut self.policies,
            ViewId::Audit => &mut self.audit,
            ViewId::Clients => &mut self.clients,
            ViewId::Keys => &mut self.keys,
        }
    }
}

/// The whole console state.
pub struct App {
    pub url: String,
    pub read_only: bool,
    pub screen: Screen,
    pub signin: Form,
    /// Why the sign-in screen is up again ("session ended"); gone once the person types.
    pub signin_note: Option<String>,
    /// Who is signed in (empty on the sign-in screen).
    pub me: Me,
    /// Counts sign-ins and sign-outs; replies of an earlier one are dropped.
    pub epoch: u64,
    pub views: Views,
    pub current: ViewId,
    pub modal: Option<Modal>,
    pub help: bool,
    pub message: Option<Message>,
    pub connection_lost: bool,
    pub quit: bool,
    pub now: Instant,
    /// Frames so far (the spinner).
    pub tick: u64,
    jobs: Vec<Job>,
    /// The role picker waiting for the role list.
    picking: Option<(PickFor, Vec<String>)>,
}

impl App {
    /// A new console for the server at `url`, on the sign-in screen.
    pub fn new(url: &str, read_only: bool, now: Instant) -> App {
        App {
            url: url.to_string(),
            read_only,
            screen: Screen::SignIn,
            signin: Form::sign_in(),
            signin_note: None,
            me: Me::default(),
            epoch: 0,
            views: Views::default(),
            current: ViewId::Dashboard,
            modal: None,
            help: false,
            message: None,
            connection_lost: false,
            quit: false,
            now,
            tick: 0,
            jobs: Vec::new(),
            picking: None,
        }
    }

    /// The jobs queued for the worker since the last call.
    pub fn take_jobs(&mut self) -> Vec<Job> {
        std::mem::take(&mut self.jobs)
    }

    fn submit(&mut self, request: Request) {
        self.jobs.push(Job {
            epoch: self.epoch,
            request,
        });
    }

    /// What views read.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            me: &self.me,
            read_only: self.read_only,
            tick: self.tick,
        }
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: false,
            until: self.now + INFO_FOR,
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: true,
            until: self.now + ERROR_FOR,
        });
    }

    /// Time passes: messages expire, the current view is polled when due, the decision log
    /// is long-polled while it is shown.
    pub fn tick(&mut self, now: Instant) {
        self.now = now;
        self.tick = self.tick.wrapping_add(1);
        if self.message.as_ref().is_some_and(|m| now >= m.until) {
            self.message = None;
        }
        if self.screen != Screen::Main {
            return;
        }
        let id = self.current;
        if self.views.get_mut(id).loader().due(now) {
            self.load(id);
        }
        if let Some(path) = self.views.get(id).tail_path(now) {
            self.views.get_mut(id).loader().tail_in_flight = true;
            self.submit(Request::Tail { path });
        }
    }

    /// Load view `id` now (a denied view too: this is how a refresh by hand retries).
    fn load(&mut self, id: ViewId) {
        self.load_parts(id, false);
    }

    /// Load view `id` and its parts; `by_hand` retries parts refused earlier.
    fn load_parts(&mut self, id: ViewId, by_hand: bool) {
        let now = self.now;
        let view = self.views.get_mut(id);
        let path = view.load_path();
        let parts = view.parts(by_hand);
        view.loader().started(now);
        self.submit(Request::Load { view: id, path });
        for path in parts {
            self.submit(Request::LoadPart { view: id, path });
        }
    }

    fn go(&mut self, id: ViewId) {
        self.current = id;
        // Show fresh data on arrival, unless the view was refused (then R retries).
        let loader = self.views.get_mut(id).loader();
        if !loader.in_flight && !matches!(loader.phase, Phase::Denied(_)) {
            self.load(id);
        }
    }

    /// Back to the sign-in screen: every view is cleared, so nothing of this session stays
    /// on screen for the next person.
    fn back_to_sign_in(&mut self, note: &str) {
        self.epoch += 1;
        self.screen = Screen::SignIn;
        self.signin = Form::sign_in();
        self.signin_note = Some(note.to_string());
        self.me = Me::default();
        self.views = Views::default();
        self.current = ViewId::Dashboard;
        self.modal = None;
        self.help = false;
        self.message = None;
        self.picking = None;
        self.connection_lost = false;
    }

    /// Handle one key.
    pub fn on_key(&mut self, key: KeyEvent) {
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return;
        }
        if self.screen == Screen::SignIn {
            return self.sign_in_key(key);
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
            return self.modal_key(modal, key);
        }
        let id = self.current;
        if self.views.get(id).editing() {
            let effects = self.views.get_mut(id).edit(key);
            return self.apply(effects);
        }
        let lists = self.views.get(id).keys();
        let mut all = lists.clone();
        all.push(GLOBAL);
        let Some(binding) = lookup(&key, &all) else {
            return;
        };
        if self.read_only && binding.changes {
            self.error("read-only: changes are disabled");
            return;
        }
        match binding.action {
            Action::Quit => self.quit = true,
            Action::Help => self.help = true,
            Action::NextTab => self.go(ViewId::ALL[(id.index() + 1) % ViewId::ALL.len()]),
            Action::PrevTab => {
                self.go(ViewId::ALL[(id.index() + ViewId::ALL.len() - 1) % ViewId::ALL.len()])
            }
            Action::GoTab => {
                if let Some(v) = tab_number(&key).and_then(|n| ViewId::ALL.get(n)) {
                    self.go(*v);
                }
            }
            Action::Refresh => {
                self.load_parts(id, true);
                self.info("refreshing…");
            }
            Action::SignOut => {
                self.submit(Request::SignOut);
                self.back_to_sign_in("signed out");
            }
            Action::Messages => {
                if let Some(m) = self.message.clone() {
                    self.modal = Some(Modal::Detail(Detail::new(
                        if m.error { "Error" } else { "Message" },
                        m.text.lines().map(|l| Line::raw(l.to_string())).collect(),
                    )));
                }
            }
            action => {
                let ctx = Ctx {
                    me: &self.me,
                    read_only: self.read_only,
                    tick: self.tick,
                };
                let effects = self.views.get_mut(id).handle(action, &ctx);
                self.apply(effects);
            }
        }
    }

    fn apply(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Request(r) => self.submit(r),
                Effect::Reload => self.load(self.current),
                Effect::Confirm(c) => self.modal = Some(Modal::Confirm(c)),
                Effect::Form(f) => self.modal = Some(Modal::Form(f)),
                Effect::Detail(d) => self.modal = Some(Modal::Detail(d)),
                Effect::Pick(target, chosen) => {
                    self.picking = Some((target, chosen));
                    self.submit(Request::Send {
                        method: "GET",
                        path: "/admin/v1/roles".into(),
                        body: None,
                        what: What::PickerRoles,
                    });
                }
                Effect::Message(text, true) => self.error(text),
                Effect::Message(text, false) => self.info(text),
            }
        }
    }

    fn sign_in_key(&mut self, key: KeyEvent) {
        if key.code == KeyCode::Esc {
            self.quit = true;
            return;
        }
        if self.signin.busy {
            return;
        }
        self.signin_note = None;
        if !self.signin.edit(key) {
            return;
        }
        let (email, password) = (self.signin.value("Email"), self.signin.value("Password"));
        if email.is_empty() || password.is_empty() {
            self.signin.error = Some("enter your email and password".into());
            return;
        }
        self.signin.error = None;
        self.signin.busy = true;
        // A new epoch: anything still in flight for an earlier session is dropped.
        self.epoch += 1;
        self.submit(Request::SignIn { email, password });
    }

    fn modal_key(&mut self, modal: Modal, key: KeyEvent) {
        match modal {
            Modal::Detail(mut d) => {
                if modal::scroll(&mut d, key) {
                    self.modal = Some(Modal::Detail(d));
                }
            }
            Modal::Confirm(c) => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    self.submit(c.request);
                    self.info("sending…");
                }
                KeyCode::Char('n') | KeyCode::Esc => self.info("cancelled"),
                _ => self.modal = Some(Modal::Confirm(c)),
            },
            Modal::Pick {
                target,
                mut options,
                mut cursor,
            } => {
                match key.code {
                    KeyCode::Esc => return self.info("cancelled"),
                    KeyCode::Up | KeyCode::Char('k') => cursor = cursor.saturating_sub(1),
                    KeyCode::Down | KeyCode::Char('j') => {
                        cursor = (cursor + 1).min(options.len().saturating_sub(1))
                    }
                    KeyCode::Char(' ') => {
                        if let Some(o) = options.get_mut(cursor) {
                            o.1 = !o.1;
                        }
                    }
                    KeyCode::Enter => return self.save_pick(target, options),
                    _ => {}
                }
                self.modal = Some(Modal::Pick {
                    target,
                    options,
                    cursor,
                });
            }
            Modal::Form(mut form) => {
                if key.code == KeyCode::Esc {
                    return self.info("cancelled");
                }
                if form.edit(key) {
                    self.submit_form(form);
                } else {
                    self.modal = Some(Modal::Form(form));
                }
            }
        }
    }

    fn save_pick(&mut self, target: PickFor, options: Vec<(String, bool)>) {
        let chosen: Vec<String> = options.into_iter().filter(|o| o.1).map(|o| o.0).collect();
        // Taking a role from yourself can end your own access: ask first.
        let dropped: Vec<String> = match &target {
            PickFor::UserRoles(id) if *id == self.me.id => self
                .me
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
        let (path, body, done) = match &target {
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
        if dropped.is_empty() {
            self.submit(request);
        } else {
            self.modal = Some(Modal::Confirm(super::modal::Confirm {
                prompt: format!("Set your own roles to {list}?"),
                warning: Some(format!(
                    "This is you: without {} you may lose access to this console.",
                    dropped.join(", ")
                )),
                request,
            }));
        }
    }

    fn submit_form(&mut self, mut form: Form) {
        let list = |s: String| -> Vec<String> {
            s.split(',')
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect()
        };
        let built: Result<(&'static str, String, Value, What), String> = match &form.kind {
            FormKind::CreateUser => {
                let email = form.value("Email");
                let password = form.value("Password");
                let id = form.value("Id (optional)");
                if !email.contains('@') {
                    Err("email must look like name@domain".into())
                } else {
                    serde_json::to_value(CreateUser {
                        id: (!id.is_empty()).then_some(id),
                        email,
                        name: form.value("Name"),
                        roles: list(form.value("Roles (comma-separated)")),
                        password: (!password.is_empty()).then_some(password),
                    })
                    .map(|b| {
                        (
                            "POST",
                            "/admin/v1/users".into(),
                            b,
                            What::Form("created user".into()),
                        )
                    })
                    .map_err(|e| e.to_string())
                }
            }
            FormKind::ResetPassword(id) => {
                let password = form.value("New password");
                if password.is_empty() {
                    Err("enter a new password".into())
                } else {
                    serde_json::to_value(SetPassword { password })
                        .map(|b| {
                            (
                                "POST",
                                format!("/admin/v1/users/{id}/password"),
                                b,
                                What::Form(format!("password of {id} reset")),
                            )
                        })
                        .map_err(|e| e.to_string())
                }
            }
            FormKind::CreateRole => {
                let name = form.value("Name");
                if name.is_empty() {
                    Err("a role needs a name".into())
                } else {
                    serde_json::to_value(CreateRole {
                        name: name.clone(),
                        parents: list(form.value("Parents (comma-separated)")),
                    })
                    .map(|b| {
                        (
                            "POST",
                            "/admin/v1/roles".into(),
                            b,
                            What::Form(format!("created role {name}")),
                        )
                    })
                    .map_err(|e| e.to_string())
                }
            }
            FormKind::Unlink(id) => {
                let (issuer, subject) = (form.value("Issuer"), form.value("Subject"));
                if issuer.is_empty() || subject.is_empty() {
                    Err("give the issuer and the subject (i lists them)".into())
                } else {
                    let query = serde_urlencoded::to_string([
                        ("issuer", issuer.as_str()),
                        ("subject", subject.as_str()),
                    ])
                    .unwrap_or_default();
                    Ok((
                        "DELETE",
                        format!("/admin/v1/users/{id}/identities?{query}"),
                        Value::Object(Default::default()),
                        What::Form(format!("unlinked {subject} at {issuer} from {id}")),
                    ))
                }
            }
            FormKind::CreateClient => {
                let name = form.value("Name");
                if name.is_empty() {
                    Err("a client needs a name".into())
                } else {
                    serde_json::to_value(CreateClient { name })
                        .map(|b| ("POST", "/admin/v1/clients".into(), b, What::ClientCreated))
                        .map_err(|e| e.to_string())
                }
            }
            FormKind::WhatIf => {
                what_if_body(&form).map(|(path, b, what)| ("POST", path.into(), b, what))
            }
            FormKind::SignIn => Err("sign in from the sign-in screen".into()),
        };
        match built {
            Ok((method, path, body, what)) => {
                form.error = None;
                form.busy = true;
                self.submit(Request::Send {
                    method,
                    path,
                    body: Some(body),
                    what,
                });
            }
            Err(e) => form.error = Some(e),
        }
        self.modal = Some(Modal::Form(form));
    }

    /// Handle one event of the worker.
    pub fn on_event(&mut self, event: Event) {
        if event.epoch != self.epoch {
            return;
        }
        match event.reply {
            Reply::SignedIn(result) => self.signed_in(result),
            Reply::Loaded { view, result } => {
                if let Err(e) = &result {
                    self.failed(e.clone());
                    if self.screen != Screen::Main {
                        return;
                    }
                } else {
                    self.restored();
                }
                self.views.get_mut(view).loaded(result);
            }
            Reply::LoadedPart { view, path, result } => {
                // The part shows its own error in place; only a lost connection or an ended
                // session concerns the whole console.
                if let Err(e @ (ClientError::Connection(_) | ClientError::SessionEnded(_))) =
                    &result
                {
                    self.failed(e.clone());
                    if self.screen != Screen::Main {
                        return;
                    }
                }
                self.views.get_mut(view).part_loaded(&path, result);
            }
            Reply::Tailed(result) => {
                if let Err(e) = &result {
                    self.failed(e.clone());
                    if self.screen != Screen::Main {
                        return;
                    }
                } else {
                    self.restored();
                }
                let now = self.now;
                self.views.decisions.tailed(result, now);
            }
            Reply::Sent { what, result } => self.sent(what, result),
        }
    }

    fn signed_in(&mut self, result: Result<Me, ClientError>) {
        match result {
            Ok(me) => {
                // A new person: nothing of the previous session may remain.
                let keep_read_only = self.read_only;
                self.views = Views::default();
                self.screen = Screen::Main;
                self.signin = Form::sign_in();
                self.signin_note = None;
                self.read_only = keep_read_only;
                self.current = ViewId::Dashboard;
                self.modal = None;
                self.info(format!("signed in as {}", me.id));
                self.me = me;
                self.load(ViewId::Dashboard);
            }
            Err(e) => {
                self.signin.busy = false;
                self.signin.error = Some(match e {
                    ClientError::Api { message, .. } => message,
                    other => other.to_string(),
                });
                if let Some(f) = self.signin.fields.get_mut(1) {
                    f.value.clear();
                }
                self.signin.focus = 1;
            }
        }
    }

    fn restored(&mut self) {
        if self.connection_lost {
            self.connection_lost = false;
            self.info("connection restored");
        }
    }

    /// A failed call: a lost connection is shown and retried by the polls; an ended session
    /// returns to sign-in; a refusal is the view's business (its pane says so).
    fn failed(&mut self, e: ClientError) {
        match e {
            ClientError::Connection(m) => {
                self.connection_lost = true;
                self.error(format!("connection lost: {m} (retrying)"));
            }
            ClientError::SessionEnded(_) => self.back_to_sign_in("session ended: sign in again"),
            ClientError::Stale => {}
            ClientError::Api { status: 403, .. } => {}
            api @ ClientError::Api { .. } => self.error(api.to_string()),
        }
    }

    fn sent(&mut self, what: What, result: Result<Value, ClientError>) {
        let form_open = matches!(self.modal, Some(Modal::Form(_)));
        match (what, result) {
            (What::PickerRoles, Ok(v)) => {
                let roles: Vec<Role> = serde_json::from_value(v).unwrap_or_default();
                if let Some((target, chosen)) = self.picking.take() {
                    let options = roles
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
            }
            (What::Identities(user), Ok(v)) => {
                let links: Vec<Identity> = serde_json::from_value(v).unwrap_or_default();
                let mut lines = vec![Line::raw(format!("{:<40} SUBJECT", "ISSUER"))];
                lines.extend(
                    links
                        .iter()
                        .map(|l| Line::raw(format!("{:<40} {}", l.issuer, l.subject))),
                );
                if links.is_empty() {
                    lines.push(Line::raw("(no identity provider is linked)"));
                }
                self.modal = Some(Modal::Detail(Detail::new(
                    format!("Identity providers linked to {user}"),
                    lines,
                )));
            }
            (What::Change(done), Ok(_)) => {
                self.info(done);
                self.load(self.current);
            }
            (What::Form(done), Ok(v)) if form_open => {
                self.modal = None;
                let id = v.get("id").and_then(Value::as_str).unwrap_or_default();
                self.info(if done == "created user" {
                    format!("created user {id}")
                } else {
                    done
                });
                self.load(self.current);
            }
            (What::WhatIfPlan, Ok(v)) if form_open => {
                self.modal = match serde_json::from_value::<Plan>(v) {
                    Ok(p) => Some(Modal::Detail(what_if_plan_detail(&p))),
                    Err(e) => {
                        self.error(format!("unexpected answer: {e}"));
                        None
                    }
                };
            }
            (What::WhatIf, Ok(v)) if form_open => {
                self.modal = match serde_json::from_value::<DecisionAnswer>(v) {
                    Ok(d) => Some(Modal::Detail(what_if_detail(&d))),
                    Err(e) => {
                        self.error(format!("unexpected answer: {e}"));
                        None
                    }
                };
            }
            (What::ClientCreated, Ok(v)) if form_open => {
                self.modal = match serde_json::from_value::<CreatedClient>(v) {
                    Ok(c) => Some(Modal::Detail(Detail::new(
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
                    ))),
                    Err(e) => {
                        self.error(format!("unexpected answer: {e}"));
                        None
                    }
                };
                self.load(self.current);
            }
            // The form's error stays with the form.
            (What::Form(_) | What::WhatIf | What::WhatIfPlan | What::ClientCreated, Err(e))
                if form_open =>
            {
                if let Some(Modal::Form(form)) = &mut self.modal {
                    form.busy = false;
                    form.error = Some(match &e {
                        ClientError::Api { message, .. } => message.clone(),
                        other => other.to_string(),
                    });
                }
                if matches!(e, ClientError::SessionEnded(_)) {
                    self.failed(e);
                }
            }
            (_, Ok(_)) => {}
            (_, Err(e)) => {
                self.picking = None;
                match e {
                    ClientError::Api { message, .. } => self.error(message),
                    other => self.failed(other),
                }
            }
        }
    }
}

/// The what-if form as a request: a decision for `Type::"id"`, the type's query plan for a
/// type alone (no id).
fn what_if_body(form: &Form) -> Result<(&'static str, Value, What), String> {
    let object = |text: String| -> Result<serde_json::Map<String, Value>, String> {
        if text.is_empty() {
            return Ok(Default::default());
        }
        match serde_json::from_str(&text) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(format!("not a JSON object: {text}")),
        }
    };
    let typed = form.value(WHAT_IF_RESOURCE);
    let typed = typed.trim();
    if !typed.is_empty() && !typed.contains('"') {
        let resource_type =
            Name::new(typed.trim_end_matches("::")).map_err(|e| format!("resource type: {e}"))?;
        if !form.value("Properties (JSON)").is_empty() {
            return Err("a plan is for every resource of the type: leave Properties empty".into());
        }
        let body = WhatIfPlan {
            user: form.value("User"),
            action: form.value("Action"),
            resource_type,
            context: object(form.value("Context (JSON)"))?,
        };
        return serde_json::to_value(body)
            .map(|b| ("/admin/v1/whatif/plan", b, What::WhatIfPlan))
            .map_err(|e| e.to_string());
    }
    let mut resource = ResourceRef::parse(typed).map_err(|_| {
        "resource must look like Type::\"id\" (or a type alone for its plan)".to_string()
    })?;
    resource.properties = object(form.value("Properties (JSON)"))?;
    let body = WhatIf {
        user: form.value("User"),
        action: form.value("Action"),
        resource,
        context: object(form.value("Context (JSON)"))?,
    };
    serde_json::to_value(body)
        .map(|b| ("/admin/v1/policies/whatif", b, What::WhatIf))
        .map_err(|e| e.to_string())
}

/// A what-if plan: its kind in words, the condition in Cedar's syntax (the plan's own
/// renderer, the one `warden decide --plan` prints), what could not be expressed, and the
/// policies behind it.
fn what_if_plan_detail(p: &Plan) -> Detail {
    let (word, colour) = match p.kind {
        PlanKind::AlwaysAllowed => ("always allowed", Color::Green),
        PlanKind::AlwaysDenied => ("always denied", Color::Red),
        PlanKind::Conditional => ("conditional", Color::Yellow),
    };
    let condition = match (&p.condition, p.kind) {
        (Some(c), _) => c.to_string(),
        (None, _) => "(no exact condition: decide each resource)".into(),
    };
    let mut pairs = vec![("condition", condition)];
    if !p.unsupported.is_empty() {
        pairs.push(("unsupported", p.unsupported.join("\n")));
    }
    pairs.push((
        "policies",
        if p.reasons.is_empty() {
            "(none)".into()
        } else {
            p.reasons.join("\n")
        },
    ));
    let mut detail = Detail::fields("What if: plan", &pairs);
    detail.lines.insert(
        0,
        Line::from(vec![
            Span::raw(format!("{:<12}", "plan")),
            Span::styled(word, Style::new().fg(colour).add_modifier(Modifier::BOLD)),
        ]),
    );
    detail
}

fn what_if_detail(d: &DecisionAnswer) -> Detail {
    let (word, colour) = if d.allowed {
        ("allow", Color::Green)
    } else {
        ("deny", Color::Red)
    };
    let mut detail = Detail::fields(
        "What if",
        &[(
            "policies",
            if d.reasons.is_empty() {
                "(none)".into()
            } else {
                d.reasons.join("\n")
            },
        )],
    );
    detail.lines.insert(
        0,
        Line::from(vec![
            Span::raw(format!("{:<12}", "decision")),
            Span::styled(word, Style::new().fg(colour).add_modifier(Modifier::BOLD)),
        ]),
    );
    for e in &d.errors {
        detail.lines.push(Line::styled(
            format!("{:<12}{e}", "error"),
            Style::new().fg(Color::Red),
        ));
    }
    detail
}
