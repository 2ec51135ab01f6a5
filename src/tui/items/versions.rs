//! The policy versions view (issue 29): the published sets, newest first, the active one
//! marked, the server's policy source in the title. Enter opens a version's files, `d` the
//! diff against the active version (or the one marked with Space), `b` rolls back to the
//! selected version and `p` publishes a directory of this machine; both changes show their
//! impact preview (a dry run) and then ask.
//!
//! The view is the generic list of [`PolicyVersionInfo`] rows inside a component of its
//! own, which keeps what the list answer says besides its rows (the source, the active
//! version) and the version marked for a diff.

use super::common::seg;
use crate::api::{PolicySource, PolicyVersionInfo, PolicyVersionList};
use crate::tui::client::ClientError;
use crate::tui::detail::Detail;
use crate::tui::form::{Form, FormKind};
use crate::tui::keys::{change, read, Action, Binding, LIST};
use crate::tui::list::{Item, ListView};
use crate::tui::msg::{PolicyChange, Request, ViewId, What};
use crate::tui::review::short_hash;
use crate::tui::style::{dim, when};
use crate::tui::view::{Component, Ctx, Effect, Loader, Phase};
use ratatui::crossterm::event::KeyCode::Char as C;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;
use serde_json::Value;

static VERSION_KEYS: &[Binding] = &[
    read(
        &[C('d')],
        "d",
        Action::Diff,
        "diff against active/marked",
        "diff",
    ),
    read(
        &[C(' ')],
        "Space",
        Action::Mark,
        "mark the diff's other side",
        "",
    ),
    change(
        &[C('b')],
        "b",
        Action::Rollback,
        "roll back (preview first)",
        "rollback",
    ),
    change(
        &[C('p')],
        "p",
        Action::Publish,
        "publish dir (preview first)",
        "publish",
    ),
];

/// What the empty list says when the server reads its policies from its directory.
pub const DIR_MODE: &str = "This server takes its policies from its policy directory \
(policy_source = \"dir\"): nothing is published here. To publish, preview, diff and roll \
back policies, set policy_source = \"store\" in the servers' configuration and restart them; \
`warden init` then publishes the shipped policies as version 1, and `warden policy publish \
DIR -m MESSAGE` (or p here) publishes a directory.";

impl Item for PolicyVersionInfo {
    const VIEW: ViewId = ViewId::Versions;
    const NOUN: &'static str = "policy versions";
    const PATH: &'static str = "/admin/v1/policies/versions";
    const POLL: std::time::Duration = std::time::Duration::from_secs(10);

    fn header() -> Vec<(&'static str, Constraint)> {
        vec![
            ("VERSION", Constraint::Length(7)),
            ("ACTIVE", Constraint::Length(6)),
            ("CREATED", Constraint::Length(19)),
            ("AUTHOR", Constraint::Length(8)),
            ("MESSAGE", Constraint::Min(8)),
            ("HASH", Constraint::Length(8)),
            ("ROLLBACK OF", Constraint::Length(11)),
        ]
    }

    fn cells(&self, _ctx: &Ctx<'_>) -> Vec<String> {
        vec![
            self.version.to_string(),
            if self.active { "●" } else { "" }.into(),
            when(self.created_at),
            self.author.clone(),
            self.message.clone(),
            short_hash(&self.hash).chars().take(8).collect(),
            self.rollback_of.map(|v| v.to_string()).unwrap_or_default(),
        ]
    }

    fn style(&self) -> Style {
        if self.active {
            Style::new().fg(Color::Green).add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        }
    }

    /// What a row holds without asking the server (Enter asks for the files' texts).
    fn detail(&self, _ctx: &Ctx<'_>) -> Detail {
        Detail::fields(
            format!("Version {}", self.version),
            &[
                ("created", when(self.created_at)),
                ("author", self.author.clone()),
                ("message", self.message.clone()),
                ("hash", self.hash.clone()),
                ("files", self.files.join("\n")),
            ],
        )
    }

    fn listing(value: Value) -> Result<(Vec<Self>, Option<String>), String> {
        let list: PolicyVersionList = serde_json::from_value(value).map_err(|e| e.to_string())?;
        Ok((list.versions, None))
    }
}

/// The versions view.
#[derive(Default)]
pub struct VersionsView {
    pub list: ListView<PolicyVersionInfo>,
    /// Where the server takes its policies from, as its last answer said.
    pub source: Option<PolicySource>,
    /// The active version, as the last answer said.
    pub active: Option<i64>,
    /// The version marked (Space) as the other side of a diff, instead of the active one.
    pub marked: Option<i64>,
}

impl VersionsView {
    /// Take a list answer (also how tests fill the view).
    pub fn set(&mut self, list: PolicyVersionList) {
        self.source = Some(list.source);
        self.active = list.active;
        self.list.set_rows(list.versions);
        self.caption();
    }

    /// What the title says besides the count.
    fn caption(&mut self) {
        let mut c = String::new();
        if let Some(source) = self.source {
            c.push_str(&format!(" · source {}", source.as_str()));
        }
        match self.active {
            Some(v) => c.push_str(&format!(" · active {v}")),
            None if self.source == Some(PolicySource::Store) => c.push_str(" · none active"),
            None => {}
        }
        if let Some(m) = self.marked {
            c.push_str(&format!(" · diff from {m}"));
        }
        self.list.caption = c;
    }

    fn selected(&self, ctx: &Ctx<'_>) -> Option<i64> {
        self.list.selected_row(ctx).map(|r| r.version)
    }
}

impl Component for VersionsView {
    fn id(&self) -> ViewId {
        ViewId::Versions
    }

    fn keys(&self) -> Vec<&'static [Binding]> {
        vec![VERSION_KEYS, LIST]
    }

    fn draw(&self, frame: &mut Frame<'_>, area: Rect, ctx: &Ctx<'_>) {
        let dir_and_empty = self.source == Some(PolicySource::Dir)
            && self.list.rows().is_empty()
            && self.list.input.is_none();
        if !dir_and_empty {
            return self.list.draw(frame, area, ctx);
        }
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled(
                    "No published versions.",
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Line::raw(""),
                Line::raw(DIR_MODE),
                Line::raw(""),
                Line::styled("The Policies tab (6) shows the policies in force.", dim()),
            ])
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title("Versions (0) · source dir")),
            area,
        );
    }

    fn handle(&mut self, action: Action, ctx: &Ctx<'_>) -> Vec<Effect> {
        let selected = self.selected(ctx);
        match (action, selected) {
            (Action::Enter, Some(v)) => vec![Effect::Request(Request::Send {
                method: "GET",
                path: format!("/admin/v1/policies/versions/{}", seg(&v.to_string())),
                body: None,
                what: What::VersionFiles,
            })],
            (Action::Diff, Some(to)) => {
                let Some(from) = self.marked.or(self.active) else {
                    return vec![Effect::Message(
                        "no active version to diff against: mark one with Space".into(),
                        true,
                    )];
                };
                if from == to {
                    return vec![Effect::Message(
                        format!("this is version {from} itself: choose another row, or mark another with Space"),
                        true,
                    )];
                }
                let query =
                    serde_urlencoded::to_string([("from", from), ("to", to)]).unwrap_or_default();
                vec![Effect::Request(Request::Send {
                    method: "GET",
                    path: format!("/admin/v1/policies/diff?{query}"),
                    body: None,
                    what: What::Diff,
                })]
            }
            (Action::Mark, Some(v)) => {
                self.marked = if self.marked == Some(v) {
                    None
                } else {
                    Some(v)
                };
                self.caption();
                Vec::new()
            }
            (Action::Rollback, Some(v)) if Some(v) == self.active => vec![Effect::Message(
                format!("version {v} is the active one already"),
                true,
            )],
            (Action::Rollback, Some(version)) => vec![
                Effect::Request(Request::Preview(PolicyChange::Rollback { version })),
                Effect::Message(
                    format!("previewing a rollback to version {version}…"),
                    false,
                ),
            ],
            (Action::Publish, _) => vec![Effect::Form(Form::new(FormKind::Publish))],
            (Action::Enter | Action::Diff | Action::Mark | Action::Rollback, None) => Vec::new(),
            (other, _) => self.list.handle(other, ctx),
        }
    }

    fn editing(&self) -> bool {
        self.list.editing()
    }

    fn edit(&mut self, key: KeyEvent) -> Vec<Effect> {
        self.list.edit(key)
    }

    fn set_filter(&mut self, argument: &str) {
        self.list.set_filter(argument);
    }

    fn needs(&self, action: Action) -> Option<&'static str> {
        match action {
            Action::Rollback | Action::Publish => Some("policies.publish"),
            _ => None,
        }
    }

    fn load_path(&self) -> String {
        self.list.load_path()
    }

    fn loader(&mut self) -> &mut Loader {
        self.list.loader()
    }

    fn loaded(&mut self, result: Result<Value, ClientError>) {
        if let Ok(v) = &result {
            self.source = serde_json::from_value(v["source"].clone()).ok();
            self.active = v["active"].as_i64();
        }
        self.list.loaded(result);
        if matches!(self.list.loader().phase, Phase::Denied(_)) {
            self.source = None;
            self.active = None;
        }
        self.caption();
    }
}
