//! Cedar's `like` in SQL: PostgreSQL's `LIKE` with its metacharacters escaped, and on SQLite
//! a comparison of the text's bytes (its `GLOB` and `LIKE` stop at an embedded NUL).

use super::{Param, SqlError, Writer};

/// At most this many literal runs between the stars of one `like` pattern on SQLite (each
/// is a bound parameter and a branch of the recursive query; SQLite caps parameters).
const MAX_LIKE_RUNS: usize = 1000;

/// Cedar's pattern (`*` any run, `\*` a literal star, `\\` a literal backslash) as its
/// literal runs: the text before the first star, between stars, and after the last.
fn like_segments(pattern: &str) -> Vec<String> {
    let mut segments = vec![String::new()];
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        let current = segments.len() - 1;
        match c {
            '\\' => segments[current].push(chars.next().unwrap_or('\\')),
            '*' => segments.push(String::new()),
            other => segments[current].push(other),
        }
    }
    segments
}

impl Writer<'_> {
    /// PostgreSQL: Cedar's pattern as a `LIKE` pattern. PostgreSQL's LIKE is
    /// case-sensitive and exact on text (which cannot hold NUL); `%`, `_` and the escape
    /// character are escaped.
    pub(super) fn postgres_like_pattern(pattern: &str) -> String {
        let mut out = String::new();
        for segment in like_segments(pattern).iter().enumerate() {
            if segment.0 > 0 {
                out.push('%');
            }
            for ch in segment.1.chars() {
                if matches!(ch, '%' | '_' | '\\') {
                    out.push('\\');
                }
                out.push(ch);
            }
        }
        out
    }

    /// SQLite: Cedar's `like` on the text's bytes.
    ///
    /// Security: SQLite's `GLOB` and `LIKE` read text as C strings and stop at the first
    /// NUL, so a title `"a\0secret"` would escape `forbid ... when { resource.title like
    /// "*secret*" }` (Cedar matches the whole string). Its `LIKE` also ignores ASCII case,
    /// Cedar's does not. So the text is matched as a blob (`CAST(col AS BLOB)`: its UTF-8
    /// bytes, NUL included, in a UTF-8 database, SQLite's default): the pattern's literal
    /// runs between stars are a prefix, a suffix, and the middle runs found in order with
    /// `instr` (leftmost first, which finds a match whenever there is one). UTF-8 is
    /// self-synchronising, so byte matches of whole strings fall on character boundaries.
    /// The middle runs are searched by one recursive query (the position after each run);
    /// the number of runs is bounded so the parameters stay within SQLite's limits.
    pub(super) fn sqlite_like(&mut self, text: &str, pattern: &str) -> Result<String, SqlError> {
        let segments = like_segments(pattern);
        if segments.len() == 1 {
            // No star: equality, which SQLite compares byte for byte over the whole length.
            let p = self.bind(Param::Text(segments[0].clone()));
            return Ok(format!("({text} = {p} COLLATE BINARY)"));
        }
        let middle: Vec<&String> = segments[1..segments.len() - 1]
            .iter()
            .filter(|s| !s.is_empty())
            .collect();
        if middle.len() > MAX_LIKE_RUNS {
            return Err(SqlError::Untranslatable(format!(
                "a `like` pattern with more than {MAX_LIKE_RUNS} runs between its stars"
            )));
        }
        let blob = format!("CAST({text} AS BLOB)");
        let (head, tail) = (&segments[0], &segments[segments.len() - 1]);
        let mut parts = vec![format!(
            "length({blob}) >= {}",
            head.len() + tail.len() + middle.iter().map(|s| s.len()).sum::<usize>()
        )];
        if !head.is_empty() {
            let p = self.bind(Param::Text(head.clone()));
            parts.push(format!(
                "substr({blob}, 1, {}) = CAST({p} AS BLOB)",
                head.len()
            ));
        }
        if !tail.is_empty() {
            let p = self.bind(Param::Text(tail.clone()));
            parts.push(format!(
                "substr({blob}, length({blob}) - {}) = CAST({p} AS BLOB)",
                tail.len() - 1
            ));
        }
        if !middle.is_empty() {
            // The 1-based position after the runs found so far, run by run: a recursive
            // query (row k: the position after run k), NULL once a run is missing. Recursive
            // queries are never flattened into their caller: nested subqueries were, and
            // their text doubled with each run. Its table and columns are `warden_`-named:
            // inside it an unqualified name resolves to them first, and a text column named
            // `p` was read as the position (no mapped column may start with `warden_`).
            let (mut runs, mut lengths) = (String::new(), String::new());
            for (k, run) in middle.iter().enumerate() {
                let p = self.bind(Param::Text((*run).clone()));
                runs.push_str(&format!(" WHEN {k} THEN CAST({p} AS BLOB)"));
                lengths.push_str(&format!(" WHEN {k} THEN {}", run.len()));
            }
            let n = middle.len();
            let position = format!(
                "WITH RECURSIVE warden_m(warden_k, warden_p) AS (SELECT 0, {} UNION ALL \
                 SELECT warden_k + 1, warden_p + NULLIF(instr(substr({blob}, warden_p), \
                 CASE warden_k{runs} END), 0) - 1 + CASE warden_k{lengths} END FROM warden_m \
                 WHERE warden_k < {n} AND warden_p IS NOT NULL) \
                 SELECT warden_p FROM warden_m WHERE warden_k = {n}",
                head.len() + 1
            );
            // A run not found leaves NULL: that is a plain "no match" (false), not SQL's
            // unknown, or `NOT` would not select the row either.
            parts.push(format!(
                "COALESCE(({position}) - 1 <= length({blob}) - {}, 0)",
                tail.len()
            ));
        }
        // An absent attribute (NULL) stays NULL, as for every other op: Cedar errors on it.
        Ok(format!(
            "(CASE WHEN {text} IS NULL THEN NULL ELSE ({}) END)",
            parts.join(" AND ")
        ))
    }
}
