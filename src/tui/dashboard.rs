//! The dashboard: decision counts of the last hour, their rate, the most denied actions, and
//! the running replicas (one serving other policies than the rest is flagged).

use super::client::ClientError;
use super::keys::{Action, Binding};
use super::msg::ViewId;
use super::style::{dim, when};
use super::view::{draw_denied, draw_loading, Component, Ctx, Effect, Loader, Phase};
use crate::api::{DecisionStats, Replica};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Row, Sparkline, Table, Wrap};
use ratatui::Frame;
use serde_json::Value;
use std::time::Duration;

/// How often the counters are polled.
pub const DASHBOARD_POLL: Duration = Duration::from_secs(3);

/// The replicas' list path.
pub const REPLICAS_PATH: &str = "/admin/v1/replicas";

/// Where the replicas pane stands: loaded apart from the counters, so that either failing
/// leaves the other shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replicas {
    Loading,
    Ready(Vec<Replica>),
    /// The server refused the list: not polled again until a refresh by hand (every try
    /// would be a deny in the decision log).
    Denied(String),
    /// Any other failure: shown, and tried again at the next poll.
    Failed(String),
}

/// The dashboard view.
pub struct Dashboard {
    pub stats: DecisionStats,
    pub replicas: Replicas,
    /// Decisions per poll, newest last (the sparkline).
    pub rate: Vec<u64>,
    last_total: Option<i64>,
    loader: Loader,
}

impl Default for Dashboard {
    fn default() -> Self {
        Dashboard {
            stats: DecisionStats::default(),
            rate: Vec::new(),
            last_total: None,
            replicas: Replicas::Loading,
            loader: Loader::new(DASHBOARD_POLL),
        }
    }
}

impl Dashboard {
    /// Show `stats` (tests and loads).
    pub fn set(&mut self, stats: DecisionStats) {
        let total = stats.allowed + stats.denied;
        if let Some(last) = self.last_total {
            self.rate.push((total - last).max(0) as u64);
            if self.rate.len() > 200 {
                self.rate.remove(0);
            }
        }
        self.last_total = Some(total);
        self.stats = stats;
        self.loader.phase = Phase::Ready;
    }

    /// Show `replicas` (tests and loads).
    pub fn set_replicas(&mut self, replicas: Vec<Replica>) {
        self.replicas = Replicas::Ready(replicas);
    }
}

/// The replicas pane: a table, the differing ones marked `≠ DIFFERS` (a word and a sign, not
/// only a colour) and counted in the title.
fn draw_replicas(frame: &mut Frame<'_>, area: Rect, replicas: &Replicas) {
    let rows = match replicas {
        Replicas::Ready(rows) => rows,
        Replicas::Loading => {
            frame.render_widget(
                Paragraph::new(Line::styled("loading…", dim()))
                    .block(Block::bordered().title("Replicas")),
                area,
            );
            return;
        }
        Replicas::Denied(why) | Replicas::Failed(why) => {
            let head = if matches!(replicas, Replicas::Denied(_)) {
                "You may not read the replicas."
            } else {
                "Cannot list the replicas."
            };
            frame.render_widget(
                Paragraph::new(vec![
                    Line::styled(
                        head,
                        Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
                    ),
                    Line::raw(why.clone()),
                ])
                .wrap(Wrap { trim: true })
                .block(Block::bordered().title("Replicas")),
                area,
            );
            return;
        }
    };
    let differing = rows.iter().filter(|r| r.policy_differs).count();
    let title = match differing {
        0 => format!("Replicas ({}) · same policies", rows.len()),
        n => format!("Replicas ({}) · {n} serving different policies", rows.len()),
    };
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new("no replica has sent a heartbeat lately")
                .block(Block::bordered().title(title)),
            area,
        );
        return;
    }
    // Narrow terminals get short ids, hashes and times.
    let wide = area.width >= 120;
    let (id_len, hash_len) = if wide { (32, 16) } else { (10, 8) };
    let short = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let time = |t: i64| {
        let full = when(t);
        if wide {
            full
        } else {
            full.get(5..16).unwrap_or(&full).to_string()
        }
    };
    let seen = |t: i64| {
        let full = when(t);
        full.get(11..).unwrap_or(&full).to_string()
    };
    let body: Vec<Row> = rows
        .iter()
        .map(|r| {
            let flag = if r.policy_differs {
                "≠ DIFFERS"
            } else {
                "same"
            };
            let row = Row::new(vec![
                short(&r.id, id_len),
                r.address.clone(),
                r.version.clone(),
                time(r.started_at),
                short(&r.policy_hash, hash_len),
                seen(r.seen_at),
                flag.to_string(),
            ]);
            if r.policy_differs {
                row.style(Style::new().fg(Color::Red).add_modifier(Modifier::BOLD))
            } else {
                row
            }
        })
        .collect();
    let widths = [
        Constraint::Length(id_len as u16),
        Constraint::Fill(1),
        Constraint::Length(8),
        Constraint::Length(if wide { 19 } else { 11 }),
        Constraint::Length(hash_len as u16),
        Constraint::Length(8),
        Constraint::Length(9),
    ];
    frame.render_widget(
        Table::new(body, widths)
            .header(
                Row::new(vec![
                    "ID", "ADDRESS", "VERSION", "STARTED", "POLICY", "SEEN", "POLICIES",
                ])
                .style(Style::new().add_modifier(Modifier::BOLD)),
            )
            .block(Block::bordered().title(title)),
        area,
    );
}

impl Component for Dashboard {
    fn id(&self) -> ViewId {
        ViewId::Dashboard
    }

    fn keys(&self) -> Vec<&'static [Binding]> {
        Vec::new()
    }

    fn draw(&self, frame: &mut Frame<'_>, area: Rect, ctx: &Ctx<'_>) {
        match &self.loader.phase {
            Phase::Loading => return draw_loading(frame, area, "Dashboard", ctx.tick),
            Phase::Denied(why) => {
                return draw_denied(frame, area, "Dashboard", "decision statistics", why)
            }
            Phase::Ready => {}
        }
        let [top, bottom] =
            Layout::vertical([Constraint::Length(5), Constraint::Min(0)]).areas(area);
        let [counts, spark] =
            Layout::horizontal([Constraint::Length(24), Constraint::Min(10)]).areas(top);
        let s = &self.stats;
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled(
                    format!("allowed  {:>8}", s.allowed),
                    Style::new().fg(Color::Green),
                ),
                Line::styled(
                    format!("denied   {:>8}", s.denied),
                    Style::new().fg(Color::Red),
                ),
                Line::raw(format!("total    {:>8}", s.allowed + s.denied)),
            ])
            .block(Block::bordered().title("Last hour")),
            counts,
        );
        frame.render_widget(
            Sparkline::default().data(&self.rate).block(
                Block::bordered().title(format!("Decisions per {} s", DASHBOARD_POLL.as_secs())),
            ),
            spark,
        );
        let mut lines: Vec<Line> = s
            .top_denied
            .iter()
            .map(|(a, n)| Line::raw(format!("{n:>8}  {a}")))
            .collect();
        if lines.is_empty() {
            lines.push(Line::raw("no denies in the last hour"));
        }
        let denied_height = lines.len().min(5) as u16 + 2;
        let [denied, replicas] =
            Layout::vertical([Constraint::Length(denied_height), Constraint::Min(3)]).areas(bottom);
        frame.render_widget(
            Paragraph::new(lines).block(Block::bordered().title("Top denied actions")),
            denied,
        );
        draw_replicas(frame, replicas, &self.replicas);
    }

    fn handle(&mut self, _action: Action, _ctx: &Ctx<'_>) -> Vec<Effect> {
        Vec::new()
    }

    fn load_path(&self) -> String {
        "/admin/v1/decisions/stats".into()
    }

    fn parts(&self, by_hand: bool) -> Vec<String> {
        if by_hand || !matches!(self.replicas, Replicas::Denied(_)) {
            vec![REPLICAS_PATH.into()]
        } else {
            Vec::new()
        }
    }

    fn part_loaded(&mut self, path: &str, result: Result<Value, ClientError>) {
        if path != REPLICAS_PATH {
            return;
        }
        self.replicas = match result {
            Ok(v) => match serde_json::from_value::<Vec<Replica>>(v) {
                Ok(rows) => Replicas::Ready(rows),
                Err(e) => Replicas::Failed(format!("unexpected answer: {e}")),
            },
            Err(ClientError::Api {
                status: 403,
                message,
                ..
            }) => Replicas::Denied(message),
            Err(e) => Replicas::Failed(e.to_string()),
        };
    }

    fn loader(&mut self) -> &mut Loader {
        &mut self.loader
    }

    fn loaded(&mut self, result: Result<Value, ClientError>) {
        self.loader.in_flight = false;
        match result {
            Ok(v) => {
                if let Ok(stats) = serde_json::from_value(v) {
                    self.set(stats);
                }
            }
            Err(e) if e.is_forbidden() => {
                self.stats = DecisionStats::default();
                self.rate.clear();
                self.loader.phase = Phase::Denied(match e {
                    ClientError::Api { message, .. } => message,
                    other => other.to_string(),
                });
            }
            Err(_) => {}
        }
    }
}
