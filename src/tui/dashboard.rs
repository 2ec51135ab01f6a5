//! The dashboard: decision counts of the last hour, their rate, the most denied actions.

use super::client::ClientError;
use super::keys::{Action, Binding};
use super::view::{draw_denied, draw_loading, Component, Ctx, Effect, Loader, Phase, ViewId};
use crate::api::DecisionStats;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Sparkline};
use ratatui::Frame;
use serde_json::Value;
use std::time::Duration;

/// How often the counters are polled.
pub const DASHBOARD_POLL: Duration = Duration::from_secs(3);

/// The dashboard view.
pub struct Dashboard {
    pub stats: DecisionStats,
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
        frame.render_widget(
            Paragraph::new(lines).block(Block::bordered().title("Top denied actions")),
            bottom,
        );
    }

    fn handle(&mut self, _action: Action, _ctx: &Ctx<'_>) -> Vec<Effect> {
        Vec::new()
    }

    fn load_path(&self) -> String {
        "/admin/v1/decisions/stats".into()
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
