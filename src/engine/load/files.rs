//! A policy set as files: a map of file names to texts ([`PolicyFiles`]), read from a
//! directory (the engine's only I/O), written back to one (export), and loaded into a
//! bundle. A directory load and a published set go through the same path, [`load_files`],
//! so they give the same diagnostics. The shipped policies are written here on a first start.

use std::path::Path;

use super::{load_sources, Diagnostic, LoadError, PolicyBundle, LINKS_FILE, SCHEMA_FILE};
use crate::publishing::PolicyFiles;

/// The most files a policy set may have (its directory, or an upload to publish).
pub const MAX_SET_FILES: usize = 2_000;
/// The most bytes a policy set's files may hold together (names and texts): 32 MiB, about
/// three times a set of 10,000 generated policies with their schema and tests.
pub const MAX_SET_BYTES: usize = 32 * 1024 * 1024;

/// What a file of a policy set is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetFile {
    /// `NAME.cedar` at the top: policies and templates.
    Policies,
    /// `schema.cedarschema`.
    Schema,
    /// `links.json`: template links.
    Links,
    /// `tests/NAME.toml` or `tests/NAME.json`: a policy test suite (not policies).
    Tests,
}

impl SetFile {
    /// The kind of the file `name`, or `None` for a name a policy set may not hold.
    ///
    /// Names are checked strictly because a set is written back to a directory on export:
    /// no `..`, no absolute path, no hidden file, no sub-directory but `tests/`, so an
    /// uploaded name can never point outside the directory it is exported to.
    pub fn of(name: &str) -> Option<SetFile> {
        let plain = |base: &str| {
            !base.is_empty()
                && !base.starts_with('.')
                && !base.contains(['/', '\\', '\0'])
                && !base.contains("..")
        };
        if name == SCHEMA_FILE {
            return Some(SetFile::Schema);
        }
        if name == LINKS_FILE {
            return Some(SetFile::Links);
        }
        if let Some(test) = name.strip_prefix("tests/") {
            let base = test
                .strip_suffix(".toml")
                .or_else(|| test.strip_suffix(".json"));
            return base.filter(|b| plain(b)).map(|_| SetFile::Tests);
        }
        name.strip_suffix(".cedar")
            .filter(|b| plain(b))
            .map(|_| SetFile::Policies)
    }
}

/// Refuse a set over the caps ([`MAX_SET_FILES`], [`MAX_SET_BYTES`]) or with a name a set
/// may not hold, naming every such file.
pub fn check_set(files: &PolicyFiles, origin: &str) -> Result<(), LoadError> {
    if files.len() > MAX_SET_FILES {
        return Err(Diagnostic::file_error(
            origin,
            format!(
                "too many files: {} (a policy set holds at most {MAX_SET_FILES})",
                files.len()
            ),
        )
        .into());
    }
    let bytes: usize = files.iter().map(|(n, t)| n.len() + t.len()).sum();
    if bytes > MAX_SET_BYTES {
        return Err(Diagnostic::file_error(
            origin,
            format!(
                "too large: {bytes} bytes (a policy set holds at most {MAX_SET_BYTES} bytes, 32 MiB)"
            ),
        )
        .into());
    }
    let diagnostics: Vec<Diagnostic> = files
        .keys()
        .filter(|name| SetFile::of(name).is_none())
        .map(|name| {
            Diagnostic::file_error(
                name,
                "not a policy set file: a set holds *.cedar, schema.cedarschema, links.json, \
                 tests/*.toml and tests/*.json",
            )
        })
        .collect();
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(LoadError { diagnostics })
    }
}

/// The policy test suites of a set, `(name, text)` in name order: what
/// [`crate::policytest::run_sources`] runs.
pub fn test_suites(files: &PolicyFiles) -> Vec<(String, String)> {
    files
        .iter()
        .filter(|(name, _)| SetFile::of(name) == Some(SetFile::Tests))
        .map(|(n, t)| (n.clone(), t.clone()))
        .collect()
}

/// SHA-256 (hex) of a set's files, names and texts in name order: equal for two sets
/// exactly when their files are (a replica's heartbeat and a published version carry it).
pub fn hash_files(files: &PolicyFiles) -> String {
    let mut all = String::new();
    for (name, text) in files {
        all.push_str(name);
        all.push('\0');
        all.push_str(text);
        all.push('\0');
    }
    crate::util::sha256_hex(&all)
}

/// Load a policy set from its files, validating strictly: the one path of a directory
/// load and a published set. Names are checked first ([`check_set`]); test suites are
/// kept with the set but are not policies.
pub fn load_files(files: &PolicyFiles) -> Result<PolicyBundle, LoadError> {
    check_set(files, "policy set")?;
    let policies: Vec<(String, String)> = files
        .iter()
        .filter(|(name, _)| SetFile::of(name) == Some(SetFile::Policies))
        .map(|(n, t)| (n.clone(), t.clone()))
        .collect();
    if policies.is_empty() {
        return Err(
            Diagnostic::file_error("policy set", "no policy files (*.cedar) in this set").into(),
        );
    }
    let schema = files
        .get(SCHEMA_FILE)
        .map(|text| (SCHEMA_FILE, text.as_str()));
    let mut bundle = load_sources(schema, &policies, files.get(LINKS_FILE).map(String::as_str))?;
    bundle.hash = hash_files(files);
    bundle.files = files.clone();
    Ok(bundle)
}

/// The policy files of a directory (`*.cedar`, sorted) and its schema file, if any.
pub fn policy_files(
    dir: &Path,
) -> Result<(Vec<std::path::PathBuf>, Option<std::path::PathBuf>), LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostic::file_error(
            &dir.display().to_string(),
            format!("cannot read policy directory: {e}"),
        )
    })?;
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "cedar") {
            files.push(path);
        }
    }
    files.sort();
    let schema = dir.join(SCHEMA_FILE);
    Ok((files, schema.is_file().then_some(schema)))
}

/// Read a policy directory into a set: its `*.cedar` files, `schema.cedarschema`,
/// `links.json` and `tests/*.toml|json`; other files are not part of the set and are left
/// alone. Capped like an upload ([`MAX_SET_FILES`], [`MAX_SET_BYTES`]), counted as it
/// reads, so a huge directory is refused before it is all in memory.
pub fn read_dir_files(dir: &Path) -> Result<PolicyFiles, LoadError> {
    let origin = dir.display().to_string();
    let mut names = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostic::file_error(&origin, format!("cannot read policy directory: {e}"))
    })?;
    for entry in entries.flatten() {
        if let Some(name) = entry.file_name().to_str() {
            names.push(name.to_string());
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir.join("tests")) {
        for entry in entries.flatten() {
            if let Some(name) = entry.file_name().to_str() {
                names.push(format!("tests/{name}"));
            }
        }
    }
    names.retain(|name| SetFile::of(name).is_some() && dir.join(name).is_file());
    names.sort();
    if names.len() > MAX_SET_FILES {
        return Err(Diagnostic::file_error(
            &origin,
            format!(
                "too many policy files: {} (a policy set holds at most {MAX_SET_FILES})",
                names.len()
            ),
        )
        .into());
    }
    let mut files = PolicyFiles::new();
    let mut bytes = 0usize;
    for name in names {
        let text = read(&dir.join(&name), &name)?;
        bytes += name.len() + text.len();
        if bytes > MAX_SET_BYTES {
            return Err(Diagnostic::file_error(
                &origin,
                format!("too large: over {MAX_SET_BYTES} bytes (32 MiB) of policy files"),
            )
            .into());
        }
        files.insert(name, text);
    }
    Ok(files)
}

/// Write a set's files into `dir` (created if needed; `tests/` too): the export of a
/// published version. Names are checked first ([`check_set`]), so nothing is written
/// outside `dir`. Existing files of the same names are replaced; others are left alone.
pub fn write_dir_files(dir: &Path, files: &PolicyFiles) -> Result<(), LoadError> {
    check_set(files, &dir.display().to_string())?;
    let io = |name: &str, e: std::io::Error| {
        LoadError::from(Diagnostic::file_error(name, format!("cannot write: {e}")))
    };
    std::fs::create_dir_all(dir).map_err(|e| io(&dir.display().to_string(), e))?;
    for (name, text) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(name, e))?;
        }
        std::fs::write(&path, text).map_err(|e| io(name, e))?;
    }
    Ok(())
}

/// Load a policy directory: read it into a set ([`read_dir_files`]) and load that
/// ([`load_files`]), validating strictly.
pub fn load_dir(dir: &Path) -> Result<PolicyBundle, LoadError> {
    let files = read_dir_files(dir)?;
    if !files
        .keys()
        .any(|n| SetFile::of(n) == Some(SetFile::Policies))
    {
        return Err(Diagnostic::file_error(
            &dir.display().to_string(),
            "no policy files (*.cedar) in this directory",
        )
        .into());
    }
    let mut bundle = load_files(&files)?;
    bundle.dir = dir.to_path_buf();
    Ok(bundle)
}

fn read(path: &Path, name: &str) -> Result<String, LoadError> {
    std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::file_error(name, format!("cannot read file: {e}")).into())
}

/// The policies shipped with warden, compiled in so that `warden serve` in an empty
/// directory has something to serve.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        SCHEMA_FILE,
        include_str!("../../../policies/schema.cedarschema"),
    ),
    ("app.cedar", include_str!("../../../policies/app.cedar")),
    (
        "warden.cedar",
        include_str!("../../../policies/warden.cedar"),
    ),
    // Their test suites, so that `warden policy test` works on a fresh start too.
    (
        "tests/app.toml",
        include_str!("../../../policies/tests/app.toml"),
    ),
    (
        "tests/warden.toml",
        include_str!("../../../policies/tests/warden.toml"),
    ),
];

/// The shipped policies as a set (what `warden init` publishes as version 1 in store mode).
pub fn shipped_files() -> PolicyFiles {
    SHIPPED
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect()
}

/// Create `dir` with the shipped policies when it does not exist yet. Returns whether it did.
/// An existing directory is never touched.
pub fn create_shipped(dir: &Path) -> std::io::Result<bool> {
    if dir.exists() {
        return Ok(false);
    }
    std::fs::create_dir_all(dir)?;
    for (name, text) in SHIPPED {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(true)
}
