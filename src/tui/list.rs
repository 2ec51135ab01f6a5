//! Every list of the console is one [`ListView`] over an [`Item`] (users, roles, sessions,
//! ...): selection, paging, filtering, the loading state, the "you may not read X" pane and
//! the notice of a cut list are written once; each row type says only what is its own.

use super::client::{ClientError, LONG_POLL_SECS};
use super::detail::Detail;
use super::form::edit_line;
use super::keys::{Action, Binding, LIST};
use super::msg::ViewId;
use super::style::{dim, fit};
use super::view::{draw_denied, draw_loading, Component, Ctx, Effect, Loader, Phase};
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::{Duration, Instant};

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
    /// The filter term a bare argument of the `:` command line means (`:sessions alice`
    /// is `user:alice`); without one the argument is the filter as typed.
    const SUBJECT: Option<&'static str> = None;
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
    /// The admin action (`users.create`) one of the view's keys needs, asked of the server
    /// once per view so the console can hide what the policies refuse.
    fn needs(_action: Action) -> Option<&'static str> {
        None
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

/// Most rows a list keeps: the decision log's live tail stops growing here.
pub const MAX_ROWS: usize = 1000;

/// The `limit` a list asks the server for, if it asks for one.
fn server_limit<T: Item>() -> Option<usize> {
    T::QUERY
        .iter()
        .find(|(k, _)| *k == "limit")
        .and_then(|(_, v)| v.parse().ok())
}

/// A list view of `T` rows.
pub struct ListView<T: Item> {
    rows: Vec<T>,
    note: Option<String>,
    /// More rows exist than are shown (the server's limit was reached, or the tail dropped
    /// the oldest): the view says so instead of cutting silently.
    cut: bool,
    selected: usize,
    /// The filter in force (sent to the server on Enter).
    pub filter: String,
    /// The filter being typed, narrowing the shown rows as it grows.
    pub input: Option<String>,
    loader: Loader,
    /// Rows per page, as last drawn.
    page: std::cell::Cell<usize>,
    /// Said after the title (a view that wraps the list adds what its answer told it).
    pub caption: String,
}

impl<T: Item> Default for ListView<T> {
    fn default() -> Self {
        ListView {
            rows: Vec::new(),
            note: None,
            cut: false,
            selected: 0,
            filter: String::new(),
            input: None,
            loader: Loader::new(T::POLL),
            page: std::cell::Cell::new(10),
            caption: String::new(),
        }
    }
}

impl<T: Item> ListView<T> {
    /// The rows as fetched.
    pub fn rows(&self) -> &[T] {
        &self.rows
    }

    /// Replace the rows (tests and loads). As many rows as the server's limit means the
    /// list is cut there.
    pub fn set_rows(&mut self, rows: Vec<T>) {
        self.cut = server_limit::<T>().is_some_and(|limit| rows.len() >= limit);
        self.rows = rows;
        self.loader.phase = Phase::Ready;
    }

    /// The notice under a cut list, if it is cut.
    pub fn cut_notice(&self) -> Option<String> {
        self.cut
            .then(|| format!("showing the first {}; type / to filter", self.rows.len()))
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

    /// The selected row, if any is shown.
    pub fn selected_row(&self, ctx: &Ctx<'_>) -> Option<T> {
        let visible = self.visible(ctx);
        visible
            .get(self.selected.min(visible.len().saturating_sub(1)))
            .map(|r| (*r).clone())
    }

    fn title(&self, count: usize) -> String {
        let (title, _) = T::VIEW.titles();
        let mut t = format!("{title} ({count}){}", self.caption);
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
        let notice = self.cut_notice();
        let [filter_area, list_area, notice_area, note_area] = Layout::vertical([
            Constraint::Length(filter_height),
            Constraint::Min(0),
            Constraint::Length(u16::from(notice.is_some())),
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
        // The columns' widths as the table would lay them out (inside the border, after the
        // selection mark when a row is selected), fixed, so every cell is cut to its own
        // column with an ellipsis instead of silently.
        let mark = if visible.is_empty() { 0 } else { 2 };
        let widths: Vec<u16> = Layout::horizontal(header.iter().map(|(_, c)| *c))
            .flex(ratatui::layout::Flex::Start)
            .spacing(1)
            .split(Rect::new(0, 0, list_area.width.saturating_sub(2 + mark), 1))
            .iter()
            .map(|r| r.width)
            .collect();
        let fitted = |cells: Vec<String>| -> Vec<Cell<'static>> {
            cells
                .into_iter()
                .zip(widths.iter().chain(std::iter::repeat(&u16::MAX)))
                .map(|(text, w)| Cell::from(fit(&text, *w)))
                .collect()
        };
        let rows: Vec<Row> = visible
            .iter()
            .map(|r| Row::new(fitted(r.cells(ctx))).style(r.style()))
            .collect();
        let table = Table::new(rows, widths.iter().map(|w| Constraint::Length(*w)))
            .header(
                Row::new(fitted(header.iter().map(|(h, _)| h.to_string()).collect()))
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
        if let Some(notice) = notice {
            frame.render_widget(
                Paragraph::new(notice).style(Style::new().fg(Color::Yellow)),
                notice_area,
            );
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
                    return vec![Effect::Detail(Detail::text("Last reload refused", note))];
                }
            }
            other => return T::act(other, self.selected_row(ctx).as_ref(), ctx),
        }
        Vec::new()
    }

    fn editing(&self) -> bool {
        self.input.is_some()
    }

    fn needs(&self, action: Action) -> Option<&'static str> {
        T::needs(action)
    }

    fn set_filter(&mut self, argument: &str) {
        let argument = argument.trim();
        self.filter = match T::SUBJECT {
            Some(key) if !argument.is_empty() && !argument.contains(':') => {
                format!("{key}:{argument}")
            }
            _ => argument.to_string(),
        };
        self.input = None;
        self.selected = 0;
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
            // The filter is typed at its end: Ctrl-U / Ctrl-W delete, other Ctrl keys type
            // nothing (as in a form's field).
            _ => {
                edit_line(input, &mut None, key);
            }
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
                self.cut = false;
            }
            return;
        }
        if let Ok(value) = result {
            match T::listing(value) {
                Ok((rows, note)) => {
                    self.set_rows(rows);
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
        params.push(("wait".into(), LONG_POLL_SECS.to_string()));
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
                self.cut = false;
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
            if rows.len() > MAX_ROWS {
                rows.truncate(MAX_ROWS);
                self.cut = true;
            }
            self.rows = rows;
        }
    }
}
