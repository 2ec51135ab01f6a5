//! The console's look, written once: the time format, secondary text, the spinner and
//! centring. It imports nothing of the console, so every module may use it.

use ratatui::layout::Rect;
use ratatui::style::{Color, Style};

/// The one time format of the console, everywhere: UTC `YYYY-MM-DD HH:MM:SS`.
pub fn when(epoch: i64) -> String {
    let secs = epoch.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(epoch.div_euclid(86_400));
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
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

/// Secondary text.
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// A spinner frame.
pub fn spinner(tick: u64) -> char {
    const FRAMES: [char; 4] = ['⠋', '⠙', '⠸', '⠴'];
    FRAMES[(tick / 2 % 4) as usize]
}

/// A `width` x `height` rectangle in the middle of `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// `text` in at most `width` columns: cut with "…" as its last column when it does not fit,
/// so a cut value reads as cut (issue 32: a narrow terminal cut ids and emails silently).
pub fn fit(text: &str, width: u16) -> String {
    let width = usize::from(width);
    let columns = |s: &str| ratatui::text::Span::raw(s).width();
    if columns(text) <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    for c in text.chars() {
        let mut next = out.clone();
        next.push(c);
        if columns(&next) > width - 1 {
            break;
        }
        out = next;
    }
    out.push('…');
    out
}
