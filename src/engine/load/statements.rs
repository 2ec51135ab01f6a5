//! Policy files split into statements and parsed one statement at a time, on every core.

use cedar_policy::{Effect, PolicySet};
use std::str::FromStr;

pub(super) enum Item {
    Static(cedar_policy::Policy),
    Template(cedar_policy::Template),
}

impl Item {
    pub(super) fn annotation(&self, key: &str) -> Option<&str> {
        match self {
            Item::Static(p) => p.annotation(key),
            Item::Template(t) => t.annotation(key),
        }
    }

    pub(super) fn effect(&self) -> Effect {
        match self {
            Item::Static(p) => p.effect(),
            Item::Template(t) => t.effect(),
        }
    }
}

/// Line numbers of increasing byte offsets in one text, in one pass over it.
pub(super) struct LineCounter<'a> {
    src: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        LineCounter {
            src,
            pos: 0,
            line: 1,
        }
    }

    /// The 1-based line of `offset` (offsets must not decrease between calls).
    pub(super) fn line_at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.src.len());
        if offset > self.pos {
            self.line += self.src.as_bytes()[self.pos..offset]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.pos = offset;
        }
        self.line
    }
}

/// Split Cedar source into statements, each ending with a `;` outside strings and comments,
/// as (offset of its text, offset of its first significant character, text). Trailing text without a `;` that is
/// more than whitespace and comments is returned as a last statement, so that the parser
/// reports it.
pub(super) fn statements(src: &str) -> Vec<(usize, usize, &str)> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let (mut begin, mut i) = (0, 0);
    let mut significant: Option<usize> = None;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                significant.get_or_insert(i);
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b';' => {
                out.push((begin, significant.unwrap_or(i), &src[begin..=i]));
                begin = i + 1;
                significant = None;
            }
            b if !b.is_ascii_whitespace() => {
                significant.get_or_insert(i);
            }
            _ => {}
        }
        i += 1;
    }
    if let Some(start) = significant {
        out.push((begin, start, &src[begin..]));
    }
    out
}

/// A parsed statement: (its index in the file, the offset of its text, the offset of its
/// first significant character, the policy or template).
pub(super) type ParsedStatement = (usize, usize, usize, Item);

/// Parse statements on every core; `None` if any does not parse.
pub(super) fn parse_statements(
    statements: &[(usize, usize, &str)],
) -> Option<Vec<ParsedStatement>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    let chunk = statements.len().div_ceil(threads).max(256);
    let parts: Vec<Option<Vec<ParsedStatement>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = statements
            .chunks(chunk)
            .enumerate()
            .map(|(c, part)| {
                scope.spawn(move || {
                    let mut items = Vec::with_capacity(part.len());
                    for (i, (begin, start, text)) in part.iter().enumerate() {
                        let one = PolicySet::from_str(text).ok()?;
                        let n = c * chunk + i;
                        let item = match one.policies().next() {
                            Some(p) => Some(Item::Static(p.clone())),
                            None => one.templates().next().map(|t| Item::Template(t.clone())),
                        };
                        if let Some(item) = item {
                            items.push((n, *begin, *start, item));
                        }
                    }
                    Some(items)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect()
    });
    let mut all = Vec::with_capacity(statements.len());
    for part in parts {
        all.extend(part?);
    }
    Some(all)
}
