//! Reading a policy directory on the console's machine for a publish (issue 29). Runs only
//! on the worker's threads, never in a key handler or a draw.
//!
//! Security: only the names a policy directory holds are read and sent (`*.cedar`,
//! `schema.cedarschema` and `links.json` at the top, `tests/*.toml` and `tests/*.json`),
//! so a publish never uploads whatever else lies in the directory (an `.env`, a key, an
//! editor's backup); hidden files are skipped; the count and the total are capped, so a
//! wrong directory is refused here instead of being sent. The rules are those of the
//! engine's `read_dir_files` (which `warden policy publish` uses), written again because the
//! console imports nothing but `crate::api`; the server checks names and sizes again: this
//! is a courtesy to the person, not the guard.

use crate::api::PolicyFiles;
use std::path::Path;

/// Most bytes (names and texts) of one set: the engine's `MAX_SET_BYTES`.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// Most files of one set: the engine's `MAX_SET_FILES`.
pub const MAX_FILES: usize = 2_000;

/// A name's base (before its extension) as a set takes it: not hidden, no `..`.
fn plain(base: &str) -> bool {
    !base.is_empty() && !base.starts_with('.') && !base.contains("..")
}

/// Whether `name` (a top-level file name) belongs in a published set.
fn top_level(name: &str) -> bool {
    name == "schema.cedarschema"
        || name == "links.json"
        || name.strip_suffix(".cedar").is_some_and(plain)
}

/// Whether `name` (a file name in `tests/`) is a policy test suite.
fn test_suite(name: &str) -> bool {
    name.strip_suffix(".toml")
        .or_else(|| name.strip_suffix(".json"))
        .is_some_and(plain)
}

/// The policy files of `dir`, by their names in a published set, or why they cannot be
/// sent.
pub fn read_policy_dir(dir: &Path) -> Result<PolicyFiles, String> {
    let shown = dir.display();
    let mut files = PolicyFiles::new();
    let mut total = 0usize;
    let mut take = |name: String, path: &Path| -> Result<(), String> {
        let text =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        total += name.len() + text.len();
        if total > MAX_BYTES {
            return Err(format!(
                "{shown}: the policy files are larger than {} MiB (a set's limit): is this \
                 the right directory?",
                MAX_BYTES / 1024 / 1024
            ));
        }
        let text =
            String::from_utf8(text).map_err(|_| format!("{} is not UTF-8 text", path.display()))?;
        files.insert(name, text);
        Ok(())
    };
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let mut names: Vec<(String, std::path::PathBuf)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {shown}: {e}"))?;
        let name = entry.file_name().to_string_lossy().to_string();
        let path = entry.path();
        if name.starts_with('.') {
            continue;
        }
        if name == "tests" && path.is_dir() {
            let inner = std::fs::read_dir(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            for test in inner {
                let test = test.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let file = test.file_name().to_string_lossy().to_string();
                if !file.starts_with('.') && test_suite(&file) && test.path().is_file() {
                    names.push((format!("tests/{file}"), test.path()));
                }
            }
        } else if top_level(&name) && path.is_file() {
            names.push((name, path));
        }
    }
    names.sort();
    if names.len() > MAX_FILES {
        return Err(format!(
            "{shown}: {} policy files (a set holds at most {MAX_FILES}): is this the right \
             directory?",
            names.len()
        ));
    }
    for (name, path) in names {
        take(name, &path)?;
    }
    if !files.keys().any(|n| n.ends_with(".cedar")) {
        return Err(format!(
            "{shown} holds no policy file (*.cedar): nothing to publish"
        ));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_policy_directorys_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("app.cedar"), "permit(principal, action, resource);").unwrap();
        std::fs::write(d.join("schema.cedarschema"), "entity User;").unwrap();
        std::fs::write(d.join("links.json"), "[]").unwrap();
        std::fs::write(d.join(".env"), "SECRET=1").unwrap();
        std::fs::write(d.join("README.md"), "notes").unwrap();
        std::fs::write(d.join("app.cedar~"), "backup").unwrap();
        std::fs::write(d.join(".hidden.cedar"), "x").unwrap();
        std::fs::write(d.join("a..b.cedar"), "x").unwrap();
        std::fs::create_dir(d.join("tests")).unwrap();
        std::fs::write(d.join("tests/basic.toml"), "[[test]]").unwrap();
        std::fs::write(d.join("tests/notes.txt"), "x").unwrap();
        let files = read_policy_dir(d).unwrap();
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "app.cedar",
                "links.json",
                "schema.cedarschema",
                "tests/basic.toml"
            ]
        );
    }

    #[test]
    fn a_directory_without_policies_or_too_big_or_missing_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("schema.cedarschema"), "entity User;").unwrap();
        let e = read_policy_dir(dir.path()).unwrap_err();
        assert!(e.contains("no policy file"), "{e}");
        std::fs::write(dir.path().join("big.cedar"), "x".repeat(MAX_BYTES + 1)).unwrap();
        let e = read_policy_dir(dir.path()).unwrap_err();
        assert!(e.contains("larger than"), "{e}");
        let e = read_policy_dir(&dir.path().join("nope")).unwrap_err();
        assert!(e.contains("cannot read"), "{e}");
        std::fs::write(dir.path().join("big.cedar"), [0xff, 0xfe]).unwrap();
        let e = read_policy_dir(dir.path()).unwrap_err();
        assert!(e.contains("not UTF-8"), "{e}");
    }
}
