//! Drawing: every view reads the [`App`] and changes nothing.

use super::app::{App, Modal, Screen, Tab};
use super::keys::bindings_for;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, Clear, Paragraph, Row, Sparkline, Table, TableState, Tabs, Wrap,
};
use ratatui::Frame;

/// Smallest area the TUI draws into; below it a notice is shown instead.
const MIN_WIDTH: u16 = 40;
const MIN_HEIGHT: u16 = 10;

fn selected_style() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

fn when(epoch: i64) -> String {
    // Seconds since the epoch as UTC "MM-DD HH:MM:SS" without a date library.
    let secs = epoch.rem_euclid(86_400);
    let days = epoch.div_euclid(86_400);
    let (_, m, d) = civil_from_days(days);
    format!(
        "{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Draw the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        frame.render_widget(
            Paragraph::new(format!(
                "warden: the terminal is too small ({}x{}); {}x{} is needed",
                area.width, area.height, MIN_WIDTH, MIN_HEIGHT
            ))
            .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    match app.screen {
        Screen::SignIn => draw_sign_in(frame, app, area),
        Screen::Main => draw_main(frame, app, area),
    }
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn form_lines(form: &super::app::Form) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (i, f) in form.fields.iter().enumerate() {
        let shown = if f.secret {
            "•".repeat(f.value.chars().count())
        } else {
            f.value.clone()
        };
        let cursor = if i == form.focus { "▏" } else { "" };
        let style = if i == form.focus {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:<26}", f.label), style),
            Span::raw(format!("{shown}{cursor}")),
        ]));
    }
    lines.push(Line::raw(""));
    if let Some(e) = &form.error {
        lines.push(Line::styled(e.clone(), Style::new().fg(Color::Red)));
    }
    lines.push(Line::styled(
        "Tab/↓ next field · Enter on the last field submits · Esc cancels",
        Style::new().fg(Color::DarkGray),
    ));
    lines
}

fn draw_sign_in(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let box_area = centered(area, 70, 12);
    let mut lines = vec![Line::raw(format!("Server: {}", app.url)), Line::raw("")];
    lines.extend(form_lines(&app.signin));
    if let Some((m, is_error)) = &app.status {
        lines.push(Line::styled(
            m.clone(),
            Style::new().fg(if *is_error { Color::Red } else { Color::Green }),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(app.signin.title),
            )
            .wrap(Wrap { trim: false }),
        box_area,
    );
}

fn draw_main(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let [tabs_area, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(2),
    ])
    .areas(area);
    let titles: Vec<String> = Tab::ALL
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{} {}", i + 1, t.title()))
        .collect();
    frame.render_widget(
        Tabs::new(titles)
            .select(app.tab.index())
            .highlight_style(Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED))
            .padding(" ", "")
            .divider("│"),
        tabs_area,
    );
    match app.tab {
        Tab::Dashboard => draw_dashboard(frame, app, body),
        Tab::Users => draw_users(frame, app, body),
        Tab::Roles => table(
            frame,
            app,
            body,
            "Roles",
            &["ROLE", "PARENTS", "USERS"],
            &[
                Constraint::Percentage(35),
                Constraint::Percentage(50),
                Constraint::Percentage(15),
            ],
            app.roles
                .iter()
                .map(|r| vec![r.name.clone(), r.parents.join(", "), r.users.to_string()])
                .collect(),
        ),
        Tab::Sessions => table(
            frame,
            app,
            body,
            "Sessions",
            &["SESSION", "USER", "CREATED", "STATUS"],
            &[
                Constraint::Length(12),
                Constraint::Min(10),
                Constraint::Length(15),
                Constraint::Min(8),
            ],
            app.sessions
                .iter()
                .map(|s| {
                    let status = match &s.revoked_reason {
                        Some(r) => format!("revoked ({r})"),
                        None => "active".to_string(),
                    };
                    vec![
                        s.id.chars().take(10).collect(),
                        s.user_id.clone(),
                        when(s.created_at),
                        status,
                    ]
                })
                .collect(),
        ),
        Tab::Decisions => table(
            frame,
            app,
            body,
            if app.denies_only {
                "Decisions (denies only, live)"
            } else {
                "Decisions (live)"
            },
            &["TIME", "DECISION", "PRINCIPAL", "ACTION", "RESOURCE"],
            &[
                Constraint::Length(15),
                Constraint::Length(8),
                Constraint::Percentage(25),
                Constraint::Percentage(25),
                Constraint::Min(8),
            ],
            app.decisions
                .iter()
                .map(|d| {
                    vec![
                        when(d.at),
                        d.decision.clone(),
                        d.principal.clone(),
                        d.action.clone(),
                        d.resource.clone(),
                    ]
                })
                .collect(),
        ),
        Tab::Policies => draw_policies(frame, app, body),
        Tab::Audit => table(
            frame,
            app,
            body,
            "Audit",
            &["TIME", "ACTOR", "ACTION", "TARGET"],
            &[
                Constraint::Length(15),
                Constraint::Percentage(25),
                Constraint::Percentage(25),
                Constraint::Min(8),
            ],
            app.audit
                .iter()
                .map(|a| {
                    vec![
                        when(a.at),
                        a.actor.clone(),
                        a.action.clone(),
                        a.target.clone(),
                    ]
                })
                .collect(),
        ),
    }
    draw_status(frame, app, status);
    if let Some(modal) = &app.modal {
        draw_modal(frame, modal, area);
    }
    if app.help {
        draw_help(frame, app, area);
    }
}

#[allow(clippy::too_many_arguments)]
fn table(
    frame: &mut Frame<'_>,
    app: &App,
    area: Rect,
    title: &str,
    header: &[&str],
    widths: &[Constraint],
    rows: Vec<Vec<String>>,
) {
    let count = rows.len();
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|r| Row::new(r.into_iter().map(Cell::from)))
        .collect();
    let table = Table::new(rows, widths.to_vec())
        .header(
            Row::new(header.iter().map(|h| Cell::from(*h)))
                .style(Style::new().add_modifier(Modifier::BOLD)),
        )
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!("{title} ({count})")),
        )
        .row_highlight_style(selected_style())
        .highlight_symbol("▶ ");
    let mut state = TableState::default();
    if count > 0 {
        state.select(Some(app.selected()));
    }
    frame.render_stateful_widget(table, area, &mut state);
}

fn draw_users(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let [filter, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let text = if app.filter_editing {
        format!("filter: {}▏ (Enter to finish)", app.filter)
    } else if app.filter.is_empty() {
        "filter: (press / to filter)".to_string()
    } else {
        format!("filter: {}", app.filter)
    };
    frame.render_widget(Paragraph::new(text), filter);
    table(
        frame,
        app,
        list,
        "Users",
        &["ID", "EMAIL", "NAME", "ROLES", "STATUS"],
        &[
            Constraint::Percentage(18),
            Constraint::Percentage(30),
            Constraint::Percentage(18),
            Constraint::Percentage(20),
            Constraint::Min(8),
        ],
        app.users
            .iter()
            .map(|u| {
                vec![
                    u.id.clone(),
                    u.email.clone(),
                    u.name.clone(),
                    u.roles.join(","),
                    if u.disabled { "disabled" } else { "active" }.to_string(),
                ]
            })
            .collect(),
    );
}

fn draw_dashboard(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let [top, bottom] = Layout::vertical([Constraint::Length(7), Constraint::Min(0)]).areas(area);
    let [counts, spark] =
        Layout::horizontal([Constraint::Length(28), Constraint::Min(10)]).areas(top);
    let s = &app.stats;
    frame.render_widget(
        Paragraph::new(vec![
            Line::raw(format!("allowed   {}", s.allowed)),
            Line::raw(format!("denied    {}", s.denied)),
            Line::raw(format!("total     {}", s.allowed + s.denied)),
        ])
        .block(Block::default().borders(Borders::ALL).title("Last hour")),
        counts,
    );
    frame.render_widget(
        Sparkline::default().data(&app.rate).block(
            Block::default()
                .borders(Borders::ALL)
                .title("Decisions per refresh"),
        ),
        spark,
    );
    let [denied, policies] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(bottom);
    let mut lines: Vec<Line> = s
        .top_denied
        .iter()
        .map(|(a, n)| Line::raw(format!("{n:>6}  {a}")))
        .collect();
    if lines.is_empty() {
        lines.push(Line::raw("no denies"));
    }
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title("Top denied actions"),
        ),
        denied,
    );
    let policy_lines = match &app.policies {
        Some(p) => {
            let mut l = vec![Line::raw(format!("{} policies loaded", p.policies.len()))];
            match &p.last_error {
                Some(e) => l.push(Line::styled(
                    format!("last reload refused: {e}"),
                    Style::new().fg(Color::Red),
                )),
                None => l.push(Line::styled(
                    "last reload ok",
                    Style::new().fg(Color::Green),
                )),
            }
            l
        }
        None => vec![Line::raw("loading…")],
    };
    frame.render_widget(
        Paragraph::new(policy_lines)
            .wrap(Wrap { trim: true })
            .block(Block::default().borders(Borders::ALL).title("Policies")),
        policies,
    );
}

fn draw_policies(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let error = app.policies.as_ref().and_then(|p| p.last_error.clone());
    let [list, err] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(if error.is_some() { 4 } else { 0 }),
    ])
    .areas(area);
    let rows = app
        .policies
        .as_ref()
        .map(|p| {
            p.policies
                .iter()
                .map(|x| {
                    vec![
                        x.id.clone(),
                        x.effect.clone(),
                        format!("{}:{}", x.file, x.line),
                        x.status.clone(),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    table(
        frame,
        app,
        list,
        "Policies",
        &["ID", "EFFECT", "WHERE", "STATUS"],
        &[
            Constraint::Percentage(45),
            Constraint::Length(7),
            Constraint::Percentage(30),
            Constraint::Min(6),
        ],
        rows,
    );
    if let Some(e) = error {
        frame.render_widget(
            Paragraph::new(e)
                .style(Style::new().fg(Color::Red))
                .wrap(Wrap { trim: true })
                .block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title("Last reload refused"),
                ),
            err,
        );
    }
}

fn draw_status(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let [hints, message] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    // This tab's keys first, then the global ones, so the useful part survives a narrow screen.
    let (global, local): (Vec<_>, Vec<_>) = bindings_for(app.tab)
        .filter(|b| !b.hint.is_empty())
        .filter(|b| !(app.read_only && b.changes))
        .partition(|b| b.scope == super::keys::Scope::Everywhere);
    let hint_text: Vec<String> = local
        .iter()
        .chain(global.iter().rev())
        .map(|b| format!("{} {}", b.key, b.hint))
        .collect();
    frame.render_widget(
        Paragraph::new(hint_text.join(" · ")).style(Style::new().fg(Color::DarkGray)),
        hints,
    );
    let who = app
        .signed_in_as
        .clone()
        .map(|u| format!("{u}@{}", app.url))
        .unwrap_or_default();
    let mode = if app.read_only { " [read-only]" } else { "" };
    let (text, style) = match (&app.status, app.connection_lost) {
        (Some((m, true)), _) => (m.clone(), Style::new().fg(Color::Red)),
        (_, true) => (
            "connection lost (retrying)".to_string(),
            Style::new().fg(Color::Red),
        ),
        (Some((m, false)), _) => (m.clone(), Style::new().fg(Color::Green)),
        (None, false) => (String::new(), Style::new()),
    };
    let [left, right] = Layout::horizontal([
        Constraint::Min(0),
        Constraint::Length((who.len() + mode.len()) as u16 + 1),
    ])
    .areas(message);
    frame.render_widget(Paragraph::new(text).style(style), left);
    frame.render_widget(
        Paragraph::new(format!("{who}{mode}")).alignment(Alignment::Right),
        right,
    );
}

fn draw_modal(frame: &mut Frame<'_>, modal: &Modal, area: Rect) {
    let (title, lines, height): (String, Vec<Line>, u16) = match modal {
        Modal::Confirm(p) => (
            "Confirm".into(),
            vec![
                Line::raw(p.prompt()),
                Line::raw(""),
                Line::styled(
                    "y confirm · n / Esc cancel",
                    Style::new().fg(Color::DarkGray),
                ),
            ],
            5,
        ),
        Modal::Form(f) => {
            let l = form_lines(f);
            let h = l.len() as u16 + 2;
            (f.title.to_string(), l, h)
        }
        Modal::Pick {
            target,
            options,
            cursor,
        } => {
            let title = match target {
                super::app::PickFor::UserRoles(u) => format!("Roles of {u}"),
                super::app::PickFor::RoleParents(r) => format!("Parents of {r}"),
            };
            let mut l: Vec<Line> = options
                .iter()
                .enumerate()
                .map(|(i, (name, on))| {
                    let line = format!("[{}] {name}", if *on { "x" } else { " " });
                    if i == *cursor {
                        Line::styled(line, selected_style())
                    } else {
                        Line::raw(line)
                    }
                })
                .collect();
            l.push(Line::styled(
                "Space toggle · Enter save · Esc cancel",
                Style::new().fg(Color::DarkGray),
            ));
            let h = l.len() as u16 + 2;
            (title, l, h)
        }
        Modal::Detail { title, lines } => {
            let mut l: Vec<Line> = lines.iter().map(|s| Line::raw(s.clone())).collect();
            l.push(Line::styled("Esc close", Style::new().fg(Color::DarkGray)));
            let h = l.len() as u16 + 2;
            (title.clone(), l, h)
        }
    };
    let rect = centered(area, area.width.saturating_sub(8).min(76), height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(title)),
        rect,
    );
}

fn draw_help(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let mut lines = vec![Line::styled(
        format!("Keys on {}", app.tab.title()),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    for b in bindings_for(app.tab) {
        let note = if app.read_only && b.changes {
            " (disabled: read-only)"
        } else {
            ""
        };
        lines.push(Line::raw(format!("  {:<7} {}{note}", b.key, b.help)));
    }
    lines.push(Line::styled(
        "Esc or ? closes this help",
        Style::new().fg(Color::DarkGray),
    ));
    let rect = centered(area, 60, lines.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title("Help")),
        rect,
    );
}
