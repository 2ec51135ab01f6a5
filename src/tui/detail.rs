//! The scrollable popup of lines that every "show me more" opens: a row's details, a
//! what-if answer, a message in full.

use super::style::dim;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::text::{Line, Span};

/// A scrollable popup of lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub title: String,
    pub lines: Vec<Line<'static>>,
    pub scroll: usize,
}

impl Detail {
    pub fn new(title: impl Into<String>, lines: Vec<Line<'static>>) -> Detail {
        Detail {
            title: title.into(),
            lines,
            scroll: 0,
        }
    }

    /// A popup of `label value` pairs, values wrapped under their label.
    pub fn fields(title: impl Into<String>, pairs: &[(&str, String)]) -> Detail {
        let mut lines = Vec::new();
        for (label, value) in pairs {
            let mut first = true;
            for part in value.split('\n') {
                let head = if first { *label } else { "" };
                first = false;
                lines.push(Line::from(vec![
                    Span::styled(format!("{head:<12}"), dim()),
                    Span::raw(part.to_string()),
                ]));
            }
        }
        Detail::new(title, lines)
    }

    /// A popup of plain text, a line per line.
    pub fn text(title: impl Into<String>, text: &str) -> Detail {
        Detail::new(
            title,
            text.lines().map(|l| Line::raw(l.to_string())).collect(),
        )
    }

    /// Scroll with a key; false when the key closes the popup.
    pub fn on_key(&mut self, key: KeyEvent) -> bool {
        let last = self.lines.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => return false,
            KeyCode::Down | KeyCode::Char('j') => self.scroll = (self.scroll + 1).min(last),
            KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') => self.scroll = (self.scroll + 10).min(last),
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(10),
            KeyCode::Home | KeyCode::Char('g') => self.scroll = 0,
            KeyCode::End | KeyCode::Char('G') => self.scroll = last,
            _ => {}
        }
        true
    }
}
