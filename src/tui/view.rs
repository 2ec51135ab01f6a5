//! Views as components (gitui's `Component`): each draws itself, handles the actions of its
//! own key list and says what it needs loaded. Views never do I/O: they return [`Effect`]s
//! (a load, a change to send, a dialog to open) and the app carries them out through the
//! worker.
//!
//! Every list is one generic `ListView` over an `Item` (users, roles, sessions, ...; in
//! `list`, which builds on this module); the dashboard is a component of its own. What all
//! views share is here: the trait, the loading state and the "you may not read X" pane.

use super::client::{ClientError, Me};
use super::detail::Detail;
use super::form::Form;
use super::keys::{Action, Binding};
use super::modal::{Confirm, PickFor};
use super::msg::{Request, ViewId};
use super::style::{dim, spinner};
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;
use serde_json::Value;
use std::time::{Duration, Instant};

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
    Pick(PickFor, Vec<String>),
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
    /// Put a filter in force (the `:` command line's argument; empty clears it).
    fn set_filter(&mut self, _argument: &str) {}
    /// The admin action one of the view's keys needs (`users.create`), if any.
    fn needs(&self, _action: Action) -> Option<&'static str> {
        None
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
    pub(super) tail_after: Option<Instant>,
    /// A load started while a long-poll was out: that poll's rows may be of the old filter.
    pub(super) tail_stale: bool,
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
    pub(super) fn finish<T>(&mut self, result: &Result<T, ClientError>) -> bool {
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
