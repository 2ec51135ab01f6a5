//! The shape of the code, held by tests (issue 27): no module imports a module that imports
//! it back, and no file of the library grows past the size where it holds several jobs.
//! (`tui::tests::layers` holds the console's stricter order.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A file that passes this has more than one job: split it along its sections.
const MOST_LINES: usize = 600;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under `src/` (`server/authzen/mod.rs` -> `server::authzen`).
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

fn is_test_code(module: &[String]) -> bool {
    module
        .iter()
        .any(|p| p == "tests" || p.ends_with("_tests") || p == "testkit")
}

/// The code of a file without comments and without its `#[cfg(test)]` tail.
fn code(text: &str) -> String {
    let body = text.split("#[cfg(test)]\nmod ").next().unwrap_or(text);
    body.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The modules `text` (the code of `module`) names through `crate::` or `super::` paths.
fn imports(module: &[String], text: &str, known: &BTreeSet<Vec<String>>) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .filter(|w| w.starts_with("crate::") || w.starts_with("super::"))
        .collect();
    for word in words {
        let mut parts = word.split("::").filter(|p| !p.is_empty()).peekable();
        let mut path: Vec<String> = Vec::new();
        if parts.peek() == Some(&"crate") {
            parts.next();
        } else {
            path = module.to_vec();
            while parts.peek() == Some(&"super") {
                parts.next();
                path.pop();
            }
        }
        for part in parts {
            let mut next = path.clone();
            next.push(part.to_string());
            if !known.contains(&next) {
                break;
            }
            path = next;
        }
        let within = |a: &[String], b: &[String]| b.len() <= a.len() && a[..b.len()] == *b;
        if !path.is_empty() && !within(module, &path) && !within(&path, module) {
            found.insert(path);
        }
    }
    found
}

#[test]
fn no_module_imports_one_that_imports_it_back_and_no_file_holds_several_jobs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let modules: BTreeMap<Vec<String>, String> = files
        .iter()
        .map(|f| {
            let module = module_of(f.strip_prefix(&root).unwrap());
            (module, std::fs::read_to_string(f).unwrap())
        })
        .collect();
    let known: BTreeSet<Vec<String>> = modules.keys().cloned().collect();
    let mut edges = BTreeMap::new();
    let mut too_long = Vec::new();
    for (module, text) in &modules {
        if is_test_code(module) {
            continue;
        }
        if text.lines().count() > MOST_LINES {
            too_long.push(format!(
                "{} ({} lines)",
                module.join("::"),
                text.lines().count()
            ));
        }
        edges.insert(module.clone(), imports(module, &code(text), &known));
    }
    let mut circles = Vec::new();
    for (a, deps) in &edges {
        for b in deps {
            if a < b && edges.get(b).is_some_and(|back| back.contains(a)) {
                circles.push(format!("{} <-> {}", a.join("::"), b.join("::")));
            }
        }
    }
    assert!(circles.is_empty(), "import circles: {circles:?}");
    assert!(
        too_long.is_empty(),
        "files over {MOST_LINES} lines: {too_long:?}"
    );
}

#[test]
fn the_checker_sees_a_circle() {
    let known: BTreeSet<Vec<String>> = [vec!["a".to_string()], vec!["b".to_string()]]
        .into_iter()
        .collect();
    let a = imports(&["a".into()], "use crate::b::Thing;", &known);
    let b = imports(&["b".into()], "fn f() { super::a::go() }", &known);
    assert!(a.contains(&vec!["b".to_string()]) && b.contains(&vec!["a".to_string()]));
    // Comments do not count.
    assert!(imports(&["a".into()], &code("// see crate::b\nfn x() {}"), &known).is_empty());
}
