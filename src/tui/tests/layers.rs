//! The console's modules stay in layers: each imports only modules listed before it in
//! [`LAYERS`] (so no two import each other), and nothing of the crate but the wire types of
//! `crate::api`. Read from the source, so a new import that breaks the order fails here,
//! with the file and the path that did it.

use std::collections::BTreeMap;
use std::path::Path;

/// The console's top-level modules, lowest first (the list in `tui/mod.rs`'s comment).
const LAYERS: &[&str] = &[
    "style",
    "keys",
    "client",
    "files",
    "msg",
    "worker",
    "detail",
    "whatif",
    "review",
    "form",
    "modal",
    "view",
    "list",
    "items",
    "dashboard",
    "app",
    "ui",
];

/// Every source file of the console but the tests: its module path under `tui` (empty for
/// `tui` itself) and its text.
fn sources() -> BTreeMap<Vec<String>, String> {
    fn walk(dir: &Path, module: Vec<String>, out: &mut BTreeMap<Vec<String>, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            let mut inner = module.clone();
            if path.is_dir() {
                inner.push(name);
                if inner != ["tests"] {
                    walk(&path, inner, out);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                if name != "mod" {
                    inner.push(name);
                }
                if inner != ["tests"] {
                    out.insert(inner, std::fs::read_to_string(&path).unwrap());
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui"),
        Vec::new(),
        &mut out,
    );
    out
}

/// The paths a source names through `super::` or `crate::`: its `use` trees expanded, and
/// paths written in the code. Comment lines are left out.
fn paths(source: &str) -> Vec<String> {
    let code: String = source
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| l.replace(" as ", "@") + "\n")
        .collect();
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    let mut out = Vec::new();
    for statement in code.split(';') {
        let trimmed = statement.trim();
        if let Some(tree) = trimmed
            .strip_prefix("use ")
            .or_else(|| trimmed.strip_prefix("pub use "))
        {
            let tree: String = tree.split_whitespace().collect();
            expand("", &tree, &mut out);
            continue;
        }
        for start in ["super::", "crate::"] {
            for (i, _) in statement.match_indices(start) {
                if statement[..i].chars().next_back().is_some_and(ident) {
                    continue;
                }
                out.push(statement[i..].chars().take_while(|c| ident(*c)).collect());
            }
        }
    }
    out
}

/// Expand a `use` tree (`a::{b, c::{d, e}}`) into its paths.
fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let Some(open) = tree.find('{') else {
        let path = tree.split('@').next().unwrap_or_default();
        out.push(format!("{prefix}{path}"));
        return;
    };
    let head = format!("{prefix}{}", &tree[..open]);
    let inner = &tree[open + 1..tree.rfind('}').unwrap()];
    let (mut depth, mut from) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand(&head, &inner[from..i], out);
                from = i + 1;
            }
            _ => {}
        }
    }
    if from < inner.len() {
        expand(&head, &inner[from..], out);
    }
}

/// The console module a path names from `module` (the longest known prefix), or the crate
/// module outside the console it names (`Err`).
fn target(
    module: &[String],
    path: &str,
    known: &BTreeMap<Vec<String>, String>,
) -> Option<Result<Vec<String>, String>> {
    let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut resolved: Vec<String> = match segments.as_slice() {
        ["crate", "tui", rest @ ..] => rest.iter().map(|s| s.to_string()).collect(),
        ["crate", other, ..] => return Some(Err(other.to_string())),
        ["super", ..] => {
            let ups = segments.iter().take_while(|s| **s == "super").count();
            let mut base = module[..module.len().saturating_sub(ups)].to_vec();
            base.extend(segments[ups..].iter().map(|s| s.to_string()));
            base
        }
        _ => return None,
    };
    while !resolved.is_empty() && !known.contains_key(&resolved) {
        resolved.pop();
    }
    Some(Ok(resolved))
}

#[test]
fn modules_import_only_lower_layers_and_the_wire_types() {
    let sources = sources();
    let layer = |m: &[String]| m.first().and_then(|t| LAYERS.iter().position(|l| l == t));
    let mut edges: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let mut wrong = Vec::new();
    for (module, source) in &sources {
        if !module.is_empty() && layer(module).is_none() {
            wrong.push(format!(
                "tui::{} is in no layer of LAYERS",
                module.join("::")
            ));
        }
        for path in paths(source) {
            match target(module, &path, &sources) {
                Some(Err(outside)) if outside != "api" => wrong.push(format!(
                    "tui::{} imports crate::{outside} ({path})",
                    module.join("::")
                )),
                Some(Ok(to)) if to != *module && !to.is_empty() => {
                    edges.push((module.clone(), to));
                }
                _ => {}
            }
        }
    }
    for (from, to) in &edges {
        let name = |m: &[String]| format!("tui::{}", m.join("::"));
        match (layer(from), layer(to)) {
            // `tui` itself starts the console: it may use any module.
            (None, _) => {}
            (Some(a), Some(b)) if a < b => wrong.push(format!(
                "{} imports {}, a later layer",
                name(from),
                name(to)
            )),
            // Within one top-level module (items::users -> items::common, app::reply -> app):
            // never both ways.
            (Some(a), Some(b)) if a == b && edges.contains(&(to.clone(), from.clone())) => {
                wrong.push(format!("{} and {} import each other", name(from), name(to)))
            }
            _ => {}
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(edges.len() > 50, "the imports were read: {}", edges.len());
}

/// The reader itself: `use` trees, aliases, paths in code, comments left out.
#[test]
fn the_import_reader_reads_trees_aliases_and_paths() {
    let source = "use super::{a::{B, C}, d};\nuse crate::api::X as Y;\n// super::comment\nlet v = super::super::e::f();\nlet w = xsuper::g;\n";
    assert_eq!(
        paths(source),
        vec![
            "super::a::B",
            "super::a::C",
            "super::d",
            "crate::api::X",
            "super::super::e::f"
        ]
    );
}
