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
    /// Every labelled span of the problem, the primary one (`line`, `column`) first.
    pub labels: Vec<Label>,
}

/// A labelled span of source: where it starts, how much of its first line it covers, and
/// what the label says.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Label {
    pub line: usize,
    pub column: usize,
    /// Characters underlined on `line` (a span running past the line ends at its end).
    pub width: usize,
    pub source_line: String,
    pub text: Option<String>,
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
            labels: Vec::new(),
        }
    }

    /// Render in the style of rustc: the location, then each labelled source line with a
    /// caret under the whole span and the label's text.
    pub fn render(&self) -> String {
        let mut out = format!("{}: {}\n", self.severity, self.message);
        if self.line > 0 {
            out.push_str(&format!(
                "  --> {}:{}:{}\n",
                self.file, self.line, self.column
            ));
            let fallback;
            let labels = if self.labels.is_empty() {
                fallback = self
                    .source_line
                    .iter()
                    .map(|src| Label {
                        line: self.line,
                        column: self.column,
                        width: 1,
                        source_line: src.clone(),
                        text: None,
                    })
                    .collect::<Vec<_>>();
                &fallback
            } else {
                &self.labels
            };
            let gutter = labels
                .iter()
                .map(|l| l.line.to_string().len())
                .max()
                .unwrap_or(1);
            if !labels.is_empty() {
                out.push_str(&format!("{:gutter$} |\n", ""));
            }
            for label in labels {
                out.push_str(&format!(
                    "{:>gutter$} | {}\n",
                    label.line, label.source_line
                ));
                let mut marks = format!(
                    "{:gutter$} | {}{}",
                    "",
                    " ".repeat(label.column.saturating_sub(1)),
                    "^".repeat(label.width.max(1))
                );
                if let Some(text) = &label.text {
                    marks.push(' ');
                    marks.push_str(text);
                }
                out.push_str(marks.trim_end());
                out.push('\n');
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

/// The label of the span `offset..offset + len` of `src`.
fn label_at(src: &str, offset: usize, len: usize, text: Option<String>) -> Label {
    let (line, column, source_line) = locate(src, offset);
    let start = floor_char_boundary(src, offset.min(src.len()));
    let end = floor_char_boundary(src, offset.saturating_add(len).min(src.len()));
    let covered = src[start..end.max(start)].lines().next().unwrap_or("");
    Label {
        line,
        column,
        width: covered.chars().count().max(1),
        source_line,
        text,
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Flatten a miette diagnostic (and its related ones) into located diagnostics for `file`.
/// `base` is the byte offset in `src` of the text the diagnostic's spans are relative to
/// (a policy parsed on its own reports offsets into its statement, not into its file).
pub fn from_miette(
    severity: &'static str,
    file: &str,
    src: &str,
    base: usize,
    diag: &dyn miette::Diagnostic,
    policy_id: Option<String>,
) -> Vec<Diagnostic> {
    let mut out = vec![one(severity, file, src, base, diag, policy_id.clone())];
    if let Some(related) = diag.related() {
        for r in related {
            out.push(one(severity, file, src, base, r, policy_id.clone()));
        }
    }
    out
}

fn one(
    severity: &'static str,
    file: &str,
    src: &str,
    base: usize,
    diag: &dyn miette::Diagnostic,
    policy_id: Option<String>,
) -> Diagnostic {
    let labels: Vec<Label> = diag
        .labels()
        .map(|labels| {
            labels
                .map(|l| {
                    label_at(
                        src,
                        base.saturating_add(l.offset()),
                        l.len(),
                        l.label().map(str::to_string),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let (line, column, source_line) = match labels.first() {
        Some(l) => (l.line, l.column, Some(l.source_line.clone())),
        None => (0, 0, None),
    };
    let message = diag.to_string();
    let mut labels = labels;
    let mut help = diag.help().map(|h| h.to_string());
    if message.starts_with("unexpected token") {
        if let Some(above) = missing_semicolon(src, &labels) {
            labels.insert(0, above);
            help.get_or_insert_with(|| "every policy ends with `;`".into());
        }
    }
    Diagnostic {
        severity,
        file: file.to_string(),
        line,
        column,
        message,
        help,
        source_line,
        policy_id,
        labels,
    }
}

/// A missing `;` between two policies is reported by Cedar at the next policy's first line,
/// which is fine as it stands (issue 32): when that line starts a policy and the last line of
/// code above it does not end with `;`, that line is shown too, marked where the `;` belongs.
fn missing_semicolon(src: &str, labels: &[Label]) -> Option<Label> {
    let at = labels.first()?;
    let starts_policy = ["permit", "forbid", "@"]
        .iter()
        .any(|k| at.source_line.trim_start().starts_with(k));
    if !starts_policy {
        return None;
    }
    let (index, text) = src
        .lines()
        .take(at.line.saturating_sub(1))
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with("//")
        })
        .last()?;
    let code = text.trim_end();
    if code.ends_with(';') {
        return None;
    }
    Some(Label {
        line: index + 1,
        column: code.chars().count() + 1,
        width: 1,
        source_line: code.to_string(),
        text: Some("a `;` missing here?".into()),
    })
}

/// An error with every cause under it and its help. Cedar's top-level messages alone ("entity
/// does not conform to the schema") do not say which entity, attribute or type is at fault;
/// the causes and the help do.
pub fn full_error(e: &dyn miette::Diagnostic) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !more.is_empty() && !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    if let Some(help) = e.help() {
        let help = help.to_string();
        if !help.is_empty() && !text.contains(&help) {
            text.push_str(&format!(" ({help})"));
        }
    }
    text
}
