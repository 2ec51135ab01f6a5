//! The console's state and update. Keys and worker events come in; jobs for the worker go
//! out through [`App::take_jobs`]. Nothing here waits on the network, and nothing here
//! reads the clock: the time arrives as an argument of [`App::tick`].
//!
//! Keys are handled here, by the current dialog, the sign-in form or the current view (each
//! a component that says what follows); the worker's answers are handled in [`reply`].

mod reply;

use crate::api::{AuditEntry, Client, DecisionEntry, Policy, Role, Session, SigningKey, User};
use crate::tui::client::Me;
use crate::tui::dashboard::Dashboard;
use crate::tui::detail::Detail;
use crate::tui::form::FormKind;
use crate::tui::form::{edit_line, Form, FormKey};
use crate::tui::items::versions::VersionsView;
use crate::tui::keys::{lookup, tab_number, Action, GLOBAL};
use crate::tui::list::ListView;
use crate::tui::modal::{Modal, PickFor, Step};
use crate::tui::msg::{Job, Request, ViewId, What};
use crate::tui::view::{Component, Ctx, Effect, Phase};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
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
    pub versions: VersionsView,
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
            ViewId::Versions => &self.versions,
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
            ViewId::Versions => &mut self.versions,
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
    /// The `:` command line being typed (k9s-style), and where its cursor is.
    pub command: Option<(String, Option<usize>)>,
    pub message: Option<Message>,
    pub connection_lost: bool,
    pub quit: bool,
    pub now: Instant,
    /// Frames so far (the spinner).
    pub tick: u64,
    jobs: Vec<Job>,
    /// The role picker waiting for the role list.
    picking: Option<(PickFor, Vec<String>)>,
    /// The keys the policies refuse the signed-in person, by view: hidden from the hints
    /// and refused with a word instead of opening a form the server would refuse (issue
    /// 32). Asked once per view and sign-in; the server still decides every change.
    pub refused: std::collections::HashMap<ViewId, Vec<Action>>,
    asked: std::collections::HashSet<ViewId>,
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
            command: None,
            message: None,
            connection_lost: false,
            quit: false,
            now,
            tick: 0,
            jobs: Vec::new(),
            picking: None,
            refused: Default::default(),
            asked: Default::default(),
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

    /// Ask once which of view `id`'s keys the policies allow (the admin action each needs,
    /// on its area), in one batch of decisions.
    fn ask_permissions(&mut self, id: ViewId) {
        if !self.asked.insert(id) {
            return;
        }
        let view = self.views.get(id);
        let mut asked: Vec<(Action, &'static str)> = Vec::new();
        for binding in view.keys().into_iter().flat_map(|l| l.iter()) {
            if let Some(needs) = view.needs(binding.action) {
                if !asked.iter().any(|(a, _)| *a == binding.action) {
                    asked.push((binding.action, needs));
                }
            }
        }
        if asked.is_empty() {
            return;
        }
        let items: Vec<serde_json::Value> = asked
            .iter()
            .map(|(_, needs)| {
                let area = needs.split('.').next().unwrap_or_default();
                serde_json::json!({
                    "action": format!("Warden::Action::{needs:?}"),
                    "resource": {"type": "Warden::Resource", "id": area},
                })
            })
            .collect();
        self.submit(Request::Send {
            method: "POST",
            path: "/v1/authorize/batch".into(),
            body: Some(serde_json::json!({ "items": items })),
            what: What::Permissions(id, asked.into_iter().map(|(a, _)| a).collect()),
        });
    }

    /// Whether the policies refuse the key `action` on view `id` (as far as asked).
    pub fn refuses(&self, id: ViewId, action: Action) -> bool {
        self.refused.get(&id).is_some_and(|r| r.contains(&action))
    }

    fn go(&mut self, id: ViewId) {
        self.current = id;
        self.ask_permissions(id);
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
        self.command = None;
        self.message = None;
        self.picking = None;
        self.refused.clear();
        self.asked.clear();
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
        if let Some((text, cursor)) = self.command.as_mut() {
            match key.code {
                KeyCode::Esc => self.command = None,
                KeyCode::Enter => {
                    let text = text.clone();
                    self.command = None;
                    self.run_command(&text);
                }
                _ => {
                    edit_line(text, cursor, key);
                }
            }
            return;
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
        if self.refuses(id, binding.action) {
            self.error(format!(
                "not permitted: {} (the policies refuse it; R asks again)",
                binding.help
            ));
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
                self.asked.remove(&id);
                self.ask_permissions(id);
                self.load_parts(id, true);
                self.info("refreshing…");
            }
            Action::SignOut => {
                self.submit(Request::SignOut);
                self.back_to_sign_in("signed out");
            }
            Action::Command => self.command = Some((String::new(), None)),
            Action::Messages => {
                if let Some(m) = self.message.clone() {
                    self.modal = Some(Modal::Detail(Detail::text(
                        if m.error { "Error" } else { "Message" },
                        &m.text,
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

    /// Run a `:` command: a view by name or the start of one (`:users`, `:sess`), with the
    /// rest as that view's filter (`:sessions alice` shows alice's sessions); `:q` quits;
    /// `:publish DIR` opens the publish form on the versions view with DIR filled in.
    fn run_command(&mut self, text: &str) {
        let mut words = text.trim().trim_start_matches(':').splitn(2, ' ');
        let name = words.next().unwrap_or_default().to_lowercase();
        let argument = words.next().unwrap_or_default().trim().to_string();
        if name.is_empty() {
            return;
        }
        if name == "q" || name == "quit" {
            self.quit = true;
            return;
        }
        if name == "publish" {
            return self.publish_command(&argument);
        }
        let names = |v: &ViewId| {
            let (long, brief) = v.titles();
            [long.to_lowercase().replace(' ', ""), brief.to_lowercase()]
        };
        let exact = ViewId::ALL.iter().find(|v| names(v).contains(&name));
        let started: Vec<ViewId> = ViewId::ALL
            .iter()
            .filter(|v| names(v).iter().any(|n| n.starts_with(&name)))
            .copied()
            .collect();
        let view = match (exact, started.as_slice()) {
            (Some(v), _) | (None, [v]) => *v,
            _ => {
                let all: Vec<String> = ViewId::ALL.iter().map(|v| names(v)[0].clone()).collect();
                return self.error(format!(
                    ":{name} is not a view; one of: {} (then a filter), or :q",
                    all.join(", ")
                ));
            }
        };
        self.views.get_mut(view).set_filter(&argument);
        self.go(view);
    }

    /// `:publish [DIR]`: the versions view, and its publish form (DIR filled in, the
    /// message to type). Refused like the `p` key: in read-only, or when the policies
    /// refuse it; the server decides the publish itself either way.
    fn publish_command(&mut self, dir: &str) {
        if self.read_only {
            return self.error("read-only: changes are disabled");
        }
        self.go(ViewId::Versions);
        if self.refuses(ViewId::Versions, Action::Publish) {
            return self.error("not permitted: publish (the policies refuse it; R asks again)");
        }
        let mut form = Form::new(FormKind::Publish);
        if !dir.is_empty() {
            form.fields[0].value = dir.to_string();
            form.focus = 1;
        }
        self.modal = Some(Modal::Form(form));
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
        if self.signin.busy {
            return;
        }
        // Esc steps back (clears the field, then the one before), never quits: a person
        // clearing a mistyped password lost the console (issue 32). Ctrl-C quits.
        if key.code == KeyCode::Esc {
            if !self.signin.step_back() {
                self.signin_note = Some("Ctrl-C quits".into());
            }
            return;
        }
        self.signin_note = None;
        if let FormKey::Submit(request) = self.signin.on_key(key) {
            // A new epoch: anything still in flight for an earlier session is dropped.
            self.epoch += 1;
            self.submit(request);
        }
    }

    fn modal_key(&mut self, modal: Modal, key: KeyEvent) {
        match modal.on_key(key, &self.me) {
            Step::Stay(modal) => self.modal = Some(modal),
            Step::StayAndSend(modal, request) => {
                self.modal = Some(modal);
                self.submit(request);
            }
            Step::Close => {}
            Step::Cancel => self.info("cancelled"),
            Step::Confirmed(request) => {
                self.submit(request);
                self.info("sending…");
            }
        }
    }
}
