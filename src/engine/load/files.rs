//! Reading a policy directory: the engine's only I/O. Its files are read here and handed to
//! [`load_sources`] as texts; the shipped policies are written here on a first start.

use std::path::{Path, PathBuf};

use super::{load_sources, Diagnostic, LoadError, PolicyBundle, LINKS_FILE, SCHEMA_FILE};

fn display_name(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir).unwrap_or(path).display().to_string()
}

/// The policy files of a directory (`*.cedar`, sorted) and its schema file, if any.
pub fn policy_files(dir: &Path) -> Result<(Vec<PathBuf>, Option<PathBuf>), LoadError> {
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

/// Load every `*.cedar` file of `dir` and its optional schema, validating strictly.
pub fn load_dir(dir: &Path) -> Result<PolicyBundle, LoadError> {
    let (files, schema_path) = policy_files(dir)?;
    if files.is_empty() {
        return Err(Diagnostic::file_error(
            &dir.display().to_string(),
            "no policy files (*.cedar) in this directory",
        )
        .into());
    }
    let schema = match &schema_path {
        Some(path) => {
            let name = display_name(dir, path);
            Some((read(path, &name)?, name))
        }
        None => None,
    };
    let mut texts = Vec::new();
    for path in &files {
        let name = display_name(dir, path);
        texts.push((name.clone(), read(path, &name)?));
    }
    let links_path = dir.join(LINKS_FILE);
    let links = if links_path.is_file() {
        Some(read(&links_path, LINKS_FILE)?)
    } else {
        None
    };
    let mut bundle = load_sources(
        schema
            .as_ref()
            .map(|(text, name)| (name.as_str(), text.as_str())),
        &texts,
        links.as_deref(),
    )?;
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
