//! Views as components (gitui's `Component`): each draws itself, handles the actions of its
//! own key list and says what it needs loaded. Views never do I/O: they return [`Effect`]s
//! (a load, a change to send, a dialog to open) and the app carries them out through the
//! worker.
//!
//! Every list is one generic [`ListView`] over an [`Item`] (users, roles, sessions, ...):
//! selection, paging, filtering, the loading state and the "you may not read X" pane are
//! written once.

use super::client::{ClientError, Me};
use super::keys::{Action, Binding, LIST};
use super::modal::{Confirm, Detail, Form};
use super::ui::{dim, spinner};
use super::worker::Request;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The views, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViewId {
    Dashboard,
    Users,
    Roles,
    Sessions,
    Decisions,
    Policies,
    Audit,
    Clients,
    Keys,
}

impl ViewId {
    /// Every view, in tab order.
    pub const ALL: [ViewId; 9] = [
        ViewId::Dashboard,
        ViewId::Users,
        ViewId::Roles,
        ViewId::Sessions,
        ViewId::Decisions,
        ViewId::Policies,
        ViewId::Audit,
        ViewId::Clients,
        ViewId::Keys,
    ];

    /// The tab's title, and a short one for narrow terminals.
    pub fn titles(self) -> (&'static str, &'static str) {
        match self {
            ViewId::Dashboard => ("Dashboard", "Dash"),
            ViewId::Users => ("Users", "Users"),
            ViewId::Roles => ("Roles", "Roles"),
            ViewId::Sessions => ("Sessions", "Sess"),
            ViewId::Decisions => ("Decisions", "Decis"),
            ViewId::Policies => ("Policies", "Pol"),
            ViewId::Audit => ("Audit", "Audit"),
            ViewId::Clients => ("Clients", "Clients"),
            ViewId::Keys => ("Signing keys", "Keys"),
        }
    }

    /// Position in [`ViewId::ALL`].
    pub fn index(self) -> usize {
        ViewId::ALL.iter().position(|v| *v == self).unwrap_or(0)
    }
}

/// What a view reads while drawing or handling a key.
pub struct Ctx<'a> {
    /// Who is signed in.
    pub me: &'a Me,
    pub read_only: bool,
    /// Frames drawn so far (the spinner).
    pub tick: u64,
}

/// What a view asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send a job to the worker.
    Request(Request),
    /// Reload this view now.
    Reload,
    /// Ask before a change.
    Confirm(Confirm),
    Form(Form),
    Detail(Detail),
    /// Open the role picker for a user's roles or a role's parents.
    Pick(super::modal::PickFor, Vec<String>),
    /// A message in the status bar (error when true).
    Message(String, bool),
}

/// One view of the console.
pub trait Component {
    fn id(&self) -> ViewId;
    /// The view's key lists, before the global keys (they win on a clash).
    fn keys(&self) -> Vec<&'static [Binding]>;
    fn draw(&self, frame: &mut Frame<'_>, area: Rect, ctx: &Ctx<'_>);
    fn handle(&mut self, action: Action, ctx: &Ctx<'_>) -> Vec<Effect>;
    /// Whether the view is taking text (its filter): keys go to [`Component::edit`].
    fn editing(&self) -> bool {
        false
    }
    fn edit(&mut self, _key: KeyEvent) -> Vec<Effect> {
        Vec::new()
    }
    /// The path that loads the view.
    fn load_path(&self) -> String;
    fn loader(&mut self) -> &mut Loader;
    fn loaded(&mut self, result: Result<Value, ClientError>);
    /// More paths loaded with the view, each answered apart through [`Component::part_loaded`]
    /// (`by_hand`: the user pressed refresh, so parts refused earlier are tried again).
    fn parts(&self, _by_hand: bool) -> Vec<String> {
        Vec::new()
    }
    fn part_loaded(&mut self, _path: &str, _result: Result<Value, ClientError>) {}
    /// The decision log's long-poll, when the view has one and it is due.
    fn tail_path(&self, _now: Instant) -> Option<String> {
        None
    }
    fn tailed(&mut self, _result: Result<Value, ClientError>, _now: Instant) {}
}

/// Where a view's data stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Nothing loaded yet.
    Loading,
    Ready,
    /// The server refused the caller this view: no polling until a refresh by hand.
    Denied(String),
}

/// A view's loading state and polling schedule.
#[derive(Debug, Clone)]
pub struct Loader {
    pub phase: Phase,
    pub in_flight: bool,
    pub tail_in_flight: bool,
    /// After a failed long-poll, no new one before this instant.
    tail_after: Option<Instant>,
    /// A load started while a long-poll was out: that poll's rows may be of the old filter.
    tail_stale: bool,
    last: Option<Instant>,
    every: Duration,
}

impl Loader {
    pub fn new(every: Duration) -> Loader {
        Loader {
            phase: Phase::Loading,
            in_flight: false,
            tail_in_flight: false,
            tail_after: None,
            tail_stale: false,
            last: None,
            every,
        }
    }

    /// Whether a poll is due at `now`. A denied view is never polled: every poll would be
    /// another deny in the decision log (the console of a non-admin flooded the statistics).
    pub fn due(&self, now: Instant) -> bool {
        !self.in_flight
            && !matches!(self.phase, Phase::Denied(_))
            && self
                .last
                .is_none_or(|t| now.duration_since(t) >= self.every)
    }

    /// A load was sent at `now`.
    pub fn started(&mut self, now: Instant) {
        self.tail_stale = self.tail_in_flight;
        self.in_flight = true;
        self.last = Some(now);
    }

    /// A load answered: true when the rows should be taken; a deny replaces them.
    fn finish<T>(&mut self, result: &Result<T, ClientError>) -> bool {
        match result {
            Ok(_) => {
                self.phase = Phase::Ready;
                true
            }
            Err(e) if e.is_forbidden() => {
                let message = match e {
                    ClientError::Api { message, .. } => message.clone(),
                    other => other.to_string(),
                };
                self.phase = Phase::Denied(message);
                false
            }
            Err(_) => false,
        }
    }
}

/// The pane of a view the caller may not read.
pub fn draw_denied(frame: &mut Frame<'_>, area: Rect, title: &str, noun: &str, why: &str) {
    frame.render_widget(
        Paragraph::new(vec![
            Line::styled(
                format!("You may not read {noun}."),
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            ),
            Line::raw(""),
            Line::raw(why.to_string()),
            Line::raw(""),
            Line::styled(
                "Nothing is polled here until you press R (each try is logged as a deny).",
                dim(),
            ),
        ])
        .wrap(Wrap { trim: true })
        .block(Block::bordered().title(title.to_string())),
        area,
    );
}

/// The pane of a view waiting for its first answer.
pub fn draw_loading(frame: &mut Frame<'_>, area: Rect, title: &str, tick: u64) {
    frame.render_widget(
        Paragraph::new(format!("{} loading…", spinner(tick)))
            .block(Block::bordered().title(title.to_string())),
        area,
    );
}

/// A row type of a list view.
pub trait Item: DeserializeOwned + Clone + 'static {
    const VIEW: ViewId;
    /// What the view shows, for "you may not read ...".
    const NOUN: &'static str;
    /// The list's path.
    const PATH: &'static str;
    /// Query parameters always sent.
    const QUERY: &'static [(&'static str, &'static str)] = &[];
    /// Filter terms `key:value` passed to the server as `key=value`.
    const PARAMS: &'static [&'static str] = &[];
    /// The server parameter for the filter's plain words, if the API has one.
    const WORDS: Option<&'static str> = None;
    /// How often the view is reloaded while shown.
    const POLL: Duration = Duration::from_secs(5);
    /// The columns.
    fn header() -> Vec<(&'static str, Constraint)>;
    fn cells(&self, ctx: &Ctx<'_>) -> Vec<String>;
    fn style(&self) -> Style {
        Style::new()
    }
    fn detail(&self, ctx: &Ctx<'_>) -> Detail;
    /// The view's own keys.
    fn keys() -> &'static [Binding] {
        &[]
    }
    /// Carry out one of the view's own keys on the selected row.
    fn act(_action: Action, _row: Option<&Self>, _ctx: &Ctx<'_>) -> Vec<Effect> {
        Vec::new()
    }
    /// The rows of a load answer, and a note shown under the list.
    fn listing(value: Value) -> Result<(Vec<Self>, Option<String>), String> {
        serde_json::from_value(value)
            .map(|rows| (rows, None))
            .map_err(|e| e.to_string())
    }
    /// The server parameters of a filter (plain words go to [`Item::WORDS`]).
    fn params(filter: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut words = Vec::new();
        for term in filter.split_whitespace() {
            match term.split_once(':') {
                Some((k, v)) if Self::PARAMS.contains(&k) => out.push((k.to_string(), v.into())),
                _ => words.push(term),
            }
        }
        if let (Some(param), false) = (Self::WORDS, words.is_empty()) {
            out.push((param.to_string(), words.join(" ")));
        }
        out
    }
    /// The row's id for the tail (decisions only).
    fn row_id(&self) -> i64 {
        0
    }
}

/// The local part of a filter: plain words, all of which a row must contain.
fn local_words<T: Item>(filter: &str) -> Vec<String> {
    filter
        .split_whitespace()
        .filter(|t| !matches!(t.split_once(':'), Some((k, _)) if T::PARAMS.contains(&k)))
        .map(str::to_lowercase)
        .collect()
}

/// A list view of `T` rows.
pub struct ListView<T: Item> {
    rows: Vec<T>,
    note: Option<String>,
    selected: usize,
    /// The filter in force (sent to the server on Enter).
    pub filter: String,
    /// The filter being typed, narrowing the shown rows as it grows.
    pub input: Option<String>,
    loader: Loader,
    /// Rows per page, as last drawn.
    page: std::cell::Cell<usize>,
}

impl<T: Item> Default for ListView<T> {
    fn default() -> Self {
        ListView {
            rows: Vec::new(),
            note: None,
            selected: 0,
            filter: String::new(),
            input: None,
            loader: Loader::new(T::POLL),
            page: std::cell::Cell::new(10),
        }
    }
}

impl<T: Item> ListView<T> {
    /// The rows as fetched.
    pub fn rows(&self) -> &[T] {
        &self.rows
    }

    /// Replace the rows (tests and loads).
    pub fn set_rows(&mut self, rows: Vec<T>) {
        self.rows = rows;
        self.loader.phase = Phase::Ready;
    }

    /// The rows passing the local filter.
    pub fn visible(&self, ctx: &Ctx<'_>) -> Vec<&T> {
        let words = local_words::<T>(self.input.as_deref().unwrap_or(&self.filter));
        if words.is_empty() {
            return self.rows.iter().collect();
        }
        self.rows
            .iter()
            .filter(|r| {
                let text = r.cells(ctx).join(" ").to_lowercase();
                words.iter().all(|w| text.contains(w.as_str()))
            })
            .collect()
    }

    /// The selected row index among the visible ones.
    pub fn selected(&self) -> usize {
        self.selected
    }

    pub fn select(&mut self, index: usize) {
        self.selected = index;
    }

    fn selected_row(&self, ctx: &Ctx<'_>) -> Option<T> {
        let visible = self.visible(ctx);
        visible
            .get(self.selected.min(visible.len().saturating_sub(1)))
            .map(|r| (*r).clone())
    }

    fn title(&self, count: usize) -> String {
        let (title, _) = T::VIEW.titles();
        let mut t = format!("{title} ({count})");
        if !self.filter.is_empty() && self.input.is_none() {
            t.push_str(&format!(" /{}", self.filter));
        }
        if self.loader.in_flight && self.loader.phase == Phase::Ready {
            t.push_str(" ⟳");
        }
        t
    }
}

impl<T: Item> Component for ListView<T> {
    fn id(&self) -> ViewId {
        T::VIEW
    }

    fn keys(&self) -> Vec<&'static [Binding]> {
        vec![T::keys(), LIST]
    }

    fn draw(&self, frame: &mut Frame<'_>, area: Rect, ctx: &Ctx<'_>) {
        let (title, _) = T::VIEW.titles();
        let filter_height = u16::from(self.input.is_some());
        let note_height = match &self.note {
            Some(n) => (n.lines().count() as u16 + 2).min(6),
            None => 0,
        };
        let [filter_area, list_area, note_area] = Layout::vertical([
            Constraint::Length(filter_height),
            Constraint::Min(0),
            Constraint::Length(note_height),
        ])
        .areas(area);
        if let Some(input) = &self.input {
            frame.render_widget(
                Paragraph::new(Line::from(vec![
                    Span::styled("/", Style::new().add_modifier(Modifier::BOLD)),
                    Span::raw(format!("{input}▏")),
                    Span::styled(
                        "  Enter apply · Esc clear · terms: words".to_string()
                            + &T::PARAMS
                                .iter()
                                .map(|p| format!(" {p}:"))
                                .collect::<String>(),
                        dim(),
                    ),
                ])),
                filter_area,
            );
        }
        match &self.loader.phase {
            Phase::Loading => return draw_loading(frame, list_area, title, ctx.tick),
            Phase::Denied(why) => return draw_denied(frame, list_area, title, T::NOUN, why),
            Phase::Ready => {}
        }
        let visible = self.visible(ctx);
        let header = T::header();
        let rows: Vec<Row> = visible
            .iter()
            .map(|r| Row::new(r.cells(ctx).into_iter().map(Cell::from)).style(r.style()))
            .collect();
        let table = Table::new(rows, header.iter().map(|(_, c)| *c))
            .header(
                Row::new(header.iter().map(|(h, _)| Cell::from(*h)))
                    .style(Style::new().add_modifier(Modifier::BOLD)),
            )
            .block(Block::bordered().title(self.title(visible.len())))
            .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
            .highlight_symbol("▶ ");
        let mut state = TableState::default();
        if !visible.is_empty() {
            state.select(Some(self.selected.min(visible.len() - 1)));
        }
        self.page
            .set(usize::from(list_area.height.saturating_sub(3)).max(1));
        frame.render_stateful_widget(table, list_area, &mut state);
        if visible.is_empty() {
            let inner = Rect {
                x: list_area.x + 2,
                y: list_area.y + 2,
                width: list_area.width.saturating_sub(4),
                height: list_area.height.saturating_sub(3).min(1),
            };
            let text = if self.filter.is_empty() && self.input.is_none() {
                "nothing here yet".to_string()
            } else {
                "no row matches the filter (Esc clears it)".to_string()
            };
            frame.render_widget(Paragraph::new(text).style(dim()), inner);
        }
        if let Some(note) = &self.note {
            frame.render_widget(
                Paragraph::new(note.clone())
                    .style(Style::new().fg(Color::Red))
                    .wrap(Wrap { trim: true })
                    .block(Block::bordered().title("Last reload refused (E: in full)")),
                note_area,
            );
        }
    }

    fn handle(&mut self, action: Action, ctx: &Ctx<'_>) -> Vec<Effect> {
        let count = self.visible(ctx).len();
        let last = count.saturating_sub(1);
        let page = self.page.get();
        let current = self.selected.min(last);
        match action {
            Action::Up => self.selected = current.saturating_sub(1),
            Action::Down => self.selected = (current + 1).min(last),
            Action::PageUp => self.selected = current.saturating_sub(page),
            Action::PageDown => self.selected = (current + page).min(last),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            Action::Filter => self.input = Some(self.filter.clone()),
            Action::Back => {
                if !self.filter.is_empty() {
                    self.filter.clear();
                    self.selected = 0;
                    return vec![Effect::Reload];
                }
            }
            Action::Enter => {
                if let Some(row) = self.selected_row(ctx) {
                    return vec![Effect::Detail(row.detail(ctx))];
                }
            }
            Action::ReloadError => {
                if let Some(note) = &self.note {
                    return vec![Effect::Detail(Detail::new(
                        "Last reload refused",
                        note.lines().map(|l| Line::raw(l.to_string())).collect(),
                    ))];
                }
            }
            other => return T::act(other, self.selected_row(ctx).as_ref(), ctx),
        }
        Vec::new()
    }

    fn editing(&self) -> bool {
        self.input.is_some()
    }

    fn edit(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(input) = &mut self.input else {
            return Vec::new();
        };
        self.selected = 0;
        match key.code {
            KeyCode::Enter => {
                self.filter = input.trim().to_string();
                self.input = None;
                return vec![Effect::Reload];
            }
            KeyCode::Esc => {
                self.input = None;
                if !self.filter.is_empty() {
                    self.filter.clear();
                    return vec![Effect::Reload];
                }
            }
            KeyCode::Backspace => {
                input.pop();
            }
            KeyCode::Char(c) => input.push(c),
            _ => {}
        }
        Vec::new()
    }

    fn load_path(&self) -> String {
        let mut params: Vec<(String, String)> = T::QUERY
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        params.extend(T::params(&self.filter));
        if params.is_empty() {
            return T::PATH.to_string();
        }
        format!(
            "{}?{}",
            T::PATH,
            serde_urlencoded::to_string(&params).unwrap_or_default()
        )
    }

    fn loader(&mut self) -> &mut Loader {
        &mut self.loader
    }

    fn loaded(&mut self, result: Result<Value, ClientError>) {
        self.loader.in_flight = false;
        if !self.loader.finish(&result) {
            if matches!(self.loader.phase, Phase::Denied(_)) {
                self.rows.clear();
                self.note = None;
            }
            return;
        }
        if let Ok(value) = result {
            match T::listing(value) {
                Ok((rows, note)) => {
                    self.rows = rows;
                    self.note = note;
                }
                Err(e) => {
                    self.note = Some(format!("unexpected answer: {e}"));
                }
            }
        }
    }

    fn tail_path(&self, now: Instant) -> Option<String> {
        if T::VIEW != ViewId::Decisions
            || self.loader.phase != Phase::Ready
            || self.loader.in_flight
            || self.loader.tail_in_flight
            || self.loader.tail_after.is_some_and(|t| now < t)
        {
            return None;
        }
        let after = self.rows.iter().map(Item::row_id).max().unwrap_or(0);
        let mut params: Vec<(String, String)> = T::QUERY
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        params.extend(T::params(&self.filter));
        params.push(("after_id".into(), after.to_string()));
        params.push(("wait".into(), super::client::LONG_POLL_SECS.to_string()));
        Some(format!(
            "{}?{}",
            T::PATH,
            serde_urlencoded::to_string(&params).unwrap_or_default()
        ))
    }

    fn tailed(&mut self, result: Result<Value, ClientError>, now: Instant) {
        self.loader.tail_in_flight = false;
        self.loader.tail_after = result.is_err().then(|| now + Duration::from_secs(3));
        if std::mem::take(&mut self.loader.tail_stale) && result.is_ok() {
            return;
        }
        if !self.loader.finish(&result) {
            if matches!(self.loader.phase, Phase::Denied(_)) {
                self.rows.clear();
            }
            return;
        }
        if let Ok(Ok((new, _))) = result.map(T::listing) {
            // Newest first: new rows go on top; a selection below the top stays on its row.
            if self.selected > 0 {
                self.selected += new.len();
            }
            let mut rows = new;
            rows.append(&mut self.rows);
            rows.truncate(1000);
            self.rows = rows;
        }
    }
}
