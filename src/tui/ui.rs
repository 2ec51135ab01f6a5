//! Drawing the frame around the views: header (who you are), tabs, key hints, messages,
//! dialogs and help. Drawing reads the state and changes nothing.

use super::app::{App, Screen};
use super::keys::{Binding, GLOBAL};
use super::modal;
use super::msg::ViewId;
use super::style::{centered, dim};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Tabs, Wrap};
use ratatui::Frame;

/// Smallest area the TUI draws into; below it a notice is shown instead.
const MIN_WIDTH: u16 = 40;
const MIN_HEIGHT: u16 = 10;

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

fn draw_sign_in(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let mut lines = vec![Line::raw(format!("Server: {}", app.url)), Line::raw("")];
    lines.extend(app.signin.lines());
    if app.signin.busy {
        lines.push(Line::styled("signing in…", dim()));
    }
    // The note only while there is no error: never "session ended" beside "invalid password".
    if let (Some(note), None) = (&app.signin_note, &app.signin.error) {
        lines.push(Line::styled(note.clone(), Style::new().fg(Color::Yellow)));
    }
    let rect = centered(area, 72, lines.len() as u16 + 2);
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(app.signin.title()))
            .wrap(Wrap { trim: false }),
        rect,
    );
}

/// `? help` first (it must survive a narrow screen: it lists everything), then the current
/// view's hints, then the other global ones.
fn hints(app: &App) -> Vec<&'static Binding> {
    let mut lists = vec![&GLOBAL[1..2]];
    lists.extend(app.views.get(app.current).keys());
    lists.push(GLOBAL);
    let mut out: Vec<&'static Binding> = Vec::new();
    for b in lists.into_iter().flat_map(|l| l.iter()) {
        let hidden =
            b.hint.is_empty() || (app.read_only && b.changes) || app.refuses(app.current, b.action);
        if !hidden && !out.iter().any(|o| std::ptr::eq(*o, b)) {
            out.push(b);
        }
    }
    out
}

fn header(app: &App) -> Line<'static> {
    let mut spans = vec![
        Span::styled(
            " warden ",
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ),
        Span::raw(" "),
        Span::styled(app.me.id.clone(), Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(format!(" <{}>", app.me.email)),
        Span::raw(" · roles "),
        Span::styled(
            if app.me.roles.is_empty() {
                "(none)".to_string()
            } else {
                app.me.roles.join(",")
            },
            Style::new().fg(Color::Cyan),
        ),
    ];
    // The flags before the address, so a narrow screen cuts the address first.
    if app.read_only {
        spans.push(Span::styled(" [read-only]", Style::new().fg(Color::Yellow)));
    }
    if app.connection_lost {
        spans.push(Span::styled(" ● offline", Style::new().fg(Color::Red)));
    }
    spans.push(Span::styled(format!(" · {}", app.url), dim()));
    Line::from(spans)
}

fn draw_main(frame: &mut Frame<'_>, app: &App, area: Rect) {
    // The message wraps: it is never cut (and `m` opens it in full).
    let message = app.message.as_ref();
    let message_height = message
        .map(|m| {
            (m.text
                .chars()
                .count()
                .max(1)
                .div_ceil(usize::from(area.width.max(1))))
            .min(3) as u16
        })
        .unwrap_or(0);
    let [head, tabs_area, body, hint_area, message_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(message_height),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(header(app)), head);
    let short = area.width < 100;
    let titles: Vec<String> = ViewId::ALL
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let (long, brief) = v.titles();
            // The number of the key that goes there (the tenth is 0).
            format!("{} {}", (i + 1) % 10, if short { brief } else { long })
        })
        .collect();
    frame.render_widget(
        Tabs::new(titles)
            .select(app.current.index())
            .highlight_style(Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED))
            .padding(if short { "" } else { " " }, "")
            .divider("│"),
        tabs_area,
    );
    app.views.get(app.current).draw(frame, body, &app.ctx());
    if let Some((text, cursor)) = &app.command {
        // The command line takes the hints' place while it is typed.
        let at = cursor.unwrap_or(usize::MAX);
        let before: String = text.chars().take(at).collect();
        let after: String = text.chars().skip(at).collect();
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(":", Style::new().add_modifier(Modifier::BOLD)),
                Span::raw(format!("{before}▏{after}")),
                Span::styled("  Enter go · Esc cancel · a view, then a filter", dim()),
            ])),
            hint_area,
        );
    } else {
        let hint_text: Vec<String> = hints(app)
            .iter()
            .map(|b| format!("{} {}", b.label, b.hint))
            .collect();
        frame.render_widget(
            Paragraph::new(hint_text.join(" · ")).style(dim()),
            hint_area,
        );
    }
    if let Some(m) = message {
        let style = if m.error {
            Style::new().fg(Color::Red)
        } else {
            Style::new().fg(Color::Green)
        };
        frame.render_widget(
            Paragraph::new(m.text.clone())
                .style(style)
                .wrap(Wrap { trim: false }),
            message_area,
        );
    }
    if let Some(m) = &app.modal {
        modal::draw(frame, m, area);
    }
    if app.help {
        draw_help(frame, app, area);
    }
}

fn draw_help(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let (title, _) = app.current.titles();
    let mut lines = vec![Line::styled(
        format!("Keys on {title}"),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    let mut lists = app.views.get(app.current).keys();
    lists.push(GLOBAL);
    let entries: Vec<String> = lists
        .into_iter()
        .flat_map(|l| l.iter())
        .map(|b| {
            let note = if app.read_only && b.changes {
                " (read-only)"
            } else if app.refuses(app.current, b.action) {
                " (not permitted)"
            } else {
                ""
            };
            format!("{:<7} {}{note}", b.label, b.help)
        })
        .collect();
    // Two columns when one does not fit the height.
    let two = entries.len() + 4 > usize::from(area.height);
    let width = if two {
        area.width.saturating_sub(2).min(110)
    } else {
        64
    };
    if two {
        let half = usize::from(width.saturating_sub(4)) / 2;
        for pair in entries.chunks(2) {
            let left: String = pair[0].chars().take(half.saturating_sub(1)).collect();
            let right: String = pair
                .get(1)
                .map(|r| r.chars().take(half.saturating_sub(1)).collect())
                .unwrap_or_default();
            lines.push(Line::raw(format!(" {left:<half$}{right}")));
        }
    } else {
        lines.extend(entries.iter().map(|e| Line::raw(format!("  {e}"))));
    }
    lines.push(Line::styled("Esc or ? closes this help", dim()));
    let rect = centered(area, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title("Help")),
        rect,
    );
}
