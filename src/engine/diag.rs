//! Diagnostics with locations: turn Cedar's miette diagnostics into `file:line:col` records.

use serde::Serialize;
use std::fmt;

/// One problem found in a policy bundle, located in its file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Diagnostic {
    /// `error` or `warning`.
    pub severity: &'static str,
    pub file: String,
    /// 1-based line; 0 when the problem has no location.
    pub line: usize,
    /// 1-based column; 0 when the problem has no location.
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
    /// The source line the caret points into, when there is one.
    pub source_line: Option<String>,
    /// The policy concerned, when there is one.
    pub policy_id: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}: {}",
                self.file, self.line, self.column, self.severity, self.message
            )?;
        } else {
            write!(f, "{}: {}: {}", self.file, self.severity, self.message)?;
        }
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

impl Diagnostic {
    /// A problem with a whole file (no position).
    pub fn file_error(file: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: "error",
            file: file.to_string(),
            line: 0,
            column: 0,
            message: message.into(),
            help: None,
            source_line: None,
            policy_id: None,
        }
    }

    /// Render in the style of rustc: the location, the source line and a caret.
    pub fn render(&self) -> String {
        let mut out = format!("{}: {}\n", self.severity, self.message);
        if self.line > 0 {
            out.push_str(&format!(
                "  --> {}:{}:{}\n",
                self.file, self.line, self.column
            ));
            if let Some(src) = &self.source_line {
                let gutter = self.line.to_string().len();
                out.push_str(&format!("{:gutter$} |\n", ""));
                out.push_str(&format!("{} | {}\n", self.line, src));
                out.push_str(&format!(
                    "{:gutter$} | {}^\n",
                    "",
                    " ".repeat(self.column.saturating_sub(1))
                ));
            }
        } else {
            out.push_str(&format!("  --> {}\n", self.file));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("  = help: {help}\n"));
        }
        out
    }
}

/// Line and column (1-based) of a byte offset in `src`, and the text of that line.
pub fn locate(src: &str, offset: usize) -> (usize, usize, String) {
    let offset = offset.min(src.len());
    let before = &src[..floor_char_boundary(src, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    let text = src[line_start..].lines().next().unwrap_or("").to_string();
    (line, column, text)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Flatten a miette diagnostic (and its related ones) into located diagnostics for `file`.
pub fn from_miette(
    severity: &'static str,
    file: &str,
    src: &str,
    diag: &dyn miette::Diagnostic,
    policy_id: Option<String>,
) -> Vec<Diagnostic> {
    let mut out = vec![one(severity, file, src, diag, policy_id.clone())];
    if let Some(related) = diag.related() {
        for r in related {
            out.push(one(severity, file, src, r, policy_id.clone()));
        }
    }
    out
}

fn one(
    severity: &'static str,
    file: &str,
    src: &str,
    diag: &dyn miette::Diagnostic,
    policy_id: Option<String>,
) -> Diagnostic {
    let offset = diag
        .labels()
        .and_then(|mut labels| labels.next())
        .map(|l| l.offset());
    let (line, column, source_line) = match offset {
        Some(o) => {
            let (l, c, t) = locate(src, o);
            (l, c, Some(t))
        }
        None => (0, 0, None),
    };
    Diagnostic {
        severity,
        file: file.to_string(),
        line,
        column,
        message: diag.to_string(),
        help: diag.help().map(|h| h.to_string()),
        source_line,
        policy_id,
    }
}
