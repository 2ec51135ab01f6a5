//! Loading a policy directory into a validated [`PolicyBundle`].
//!
//! This file builds a bundle from texts ([`load_sources`]: parse, link, validate strictly on
//! every core, index); `files` reads the directory (the engine's only I/O) and holds the
//! shipped policies, `statements` splits and parses policy files a statement at a time, and
//! `links` links templates as `links.json` says.

mod files;
mod links;
mod statements;

pub use files::{
    check_set, create_shipped, hash_files, load_dir, load_files, policy_files, read_dir_files,
    shipped_files, test_suites, write_dir_files, SetFile, MAX_SET_BYTES, MAX_SET_FILES, SHIPPED,
};
pub use links::LINKS_FILE;

use links::link_all;
use statements::{parse_statements, statements, Item, LineCounter};

use super::diag::{from_miette, Diagnostic};
use cedar_policy::{Effect, PolicyId, PolicySet, Schema, ValidationMode, Validator};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// The schema file looked for in a policy directory.
pub const SCHEMA_FILE: &str = "schema.cedarschema";

/// Where a policy came from.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PolicyInfo {
    pub id: String,
    pub file: String,
    pub line: usize,
    /// `permit` or `forbid`.
    pub effect: &'static str,
    pub template: bool,
    /// Position in its file (0-based): Cedar's own tools call this policy `policy<index>`.
    pub index: usize,
}

/// A loaded, validated set of policies: what the engine decides with.
pub struct PolicyBundle {
    pub policies: PolicySet,
    /// Which policies can apply to which requests (see [`super::PolicyIndex`]).
    pub index: super::PolicyIndex,
    /// For each action of the schema, its entity and its ancestors' (action groups): all a
    /// request needs of the schema's action hierarchy.
    pub action_closures: HashMap<cedar_policy::EntityUid, Vec<cedar_policy::Entity>>,
    pub schema: Option<Schema>,
    /// Every policy and template, in file order.
    pub info: Vec<PolicyInfo>,
    /// Validator warnings (not fatal).
    pub warnings: Vec<Diagnostic>,
    pub dir: PathBuf,
    /// The source text of each file, for diagnostics that point into it.
    pub sources: HashMap<String, String>,
    /// The set's files as loaded (policies, schema, links, tests): what a published version
    /// holds and a directory export writes.
    pub files: crate::publishing::PolicyFiles,
    /// SHA-256 of [`PolicyBundle::files`] (see [`hash_files`]).
    pub hash: String,
    /// The published version this bundle is (store mode); `None` for a directory's.
    pub version: Option<i64>,
    /// Callers' entities built and checked against this bundle's schema (see
    /// [`super::prepared`]).
    pub principals: super::prepared::PrincipalCache,
    /// Entity type names requests use, parsed once.
    pub type_names: super::prepared::TypeNames,
    /// The attributes the schema requires of each entity type (see [`super::required`]).
    pub required: super::required::RequiredAttributes,
}

impl PolicyBundle {
    /// SHA-256 (hex) of the bundle's files, names and contents in name order: two replicas
    /// serve the same policies exactly when their hashes are equal.
    /// Every file of the set counts (tests and `links.json` too), so it equals the hash of
    /// the published version the bundle was loaded from.
    pub fn content_hash(&self) -> String {
        self.hash.clone()
    }

    /// Information about one policy by id.
    pub fn policy(&self, id: &str) -> Option<&PolicyInfo> {
        self.info.iter().find(|p| p.id == id)
    }
}

/// A bundle that could not be loaded: every diagnostic found.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors: Vec<String> = self.diagnostics.iter().map(|d| d.to_string()).collect();
        f.write_str(&errors.join("; "))
    }
}

impl std::error::Error for LoadError {}

impl From<Diagnostic> for LoadError {
    fn from(d: Diagnostic) -> Self {
        LoadError {
            diagnostics: vec![d],
        }
    }
}

/// Load a bundle from texts: an optional schema `(name, text)`, policy files `(name, text)`
/// and an optional `links.json` text.
pub fn load_sources(
    schema_source: Option<(&str, &str)>,
    files: &[(String, String)],
    links: Option<&str>,
) -> Result<PolicyBundle, LoadError> {
    let mut diagnostics = Vec::new();
    let mut sources = HashMap::new();
    let schema = match schema_source {
        Some((name, src)) => {
            sources.insert(name.to_string(), src.to_string());
            match Schema::from_cedarschema_str(src) {
                Ok((schema, _warnings)) => Some(schema),
                Err(e) => {
                    diagnostics.extend(from_miette("error", name, src, 0, &e, None));
                    None
                }
            }
        }
        None => None,
    };

    let mut policies = PolicySet::new();
    let mut info = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    // Where each policy's statement begins in its file: a policy parsed on its own reports
    // spans relative to its statement, so the validator's spans are shifted by this.
    let mut statement_offsets: HashMap<String, usize> = HashMap::new();
    for (name, src) in files {
        let (name, src) = (name.clone(), src.clone());
        sources.insert(name.clone(), src.clone());
        // Parse statement by statement: the parser's intermediate trees then stay the size
        // of one policy instead of the whole file (a large transient peak at 10,000
        // policies), and each policy is renamed right away. Any parse error re-parses the
        // whole file for diagnostics located in it.
        let statements = statements(&src);
        let parsed = parse_statements(&statements);
        let failed = parsed.is_none();
        let items = parsed.unwrap_or_default();
        if failed {
            match PolicySet::from_str(&src) {
                Err(e) => diagnostics.extend(from_miette("error", &name, &src, 0, &e, None)),
                Ok(_) => diagnostics.push(Diagnostic::file_error(
                    &name,
                    "cannot split this file into policies",
                )),
            }
            continue;
        }
        let mut lines = LineCounter::new(&src);
        for (n, begin, start, item) in items {
            let id = item
                .annotation("id")
                .map(str::to_string)
                .unwrap_or_else(|| format!("{name}#{n}"));
            let line = lines.line_at(start);
            if let Some(other) = seen.get(&id) {
                diagnostics.push(Diagnostic {
                    line,
                    column: 1,
                    source_line: src.lines().nth(line.saturating_sub(1)).map(str::to_string),
                    ..Diagnostic::file_error(
                        &name,
                        format!("duplicate policy id \"{id}\": already used in {other}"),
                    )
                });
                continue;
            }
            seen.insert(id.clone(), name.clone());
            statement_offsets.insert(id.clone(), begin);
            let effect = match item.effect() {
                Effect::Permit => "permit",
                Effect::Forbid => "forbid",
            };
            let added = match &item {
                Item::Static(p) => policies
                    .add(p.new_id(PolicyId::new(&id)))
                    .map_err(|e| e.to_string()),
                Item::Template(t) => policies
                    .add_template(t.new_id(PolicyId::new(&id)))
                    .map_err(|e| e.to_string()),
            };
            if let Err(e) = added {
                diagnostics.push(Diagnostic::file_error(&name, e));
                continue;
            }
            info.push(PolicyInfo {
                id,
                file: name.clone(),
                line,
                effect,
                template: matches!(item, Item::Template(_)),
                index: n,
            });
        }
    }

    if let (Some(text), true) = (links, diagnostics.is_empty()) {
        link_all(text, &mut policies, &mut info, &mut seen, &mut diagnostics);
    }

    let mut warnings = Vec::new();
    if let (Some(schema), true) = (&schema, diagnostics.is_empty()) {
        // Validation is the costliest part of a load (strict typechecking of every policy
        // against every action it may apply to); policies validate independently, so large
        // sets are split across the cores.
        let results: Vec<cedar_policy::ValidationResult> = {
            let parts = split_for_validation(&policies);
            std::thread::scope(|scope| {
                let handles: Vec<_> = parts
                    .iter()
                    .map(|part| {
                        scope.spawn(|| {
                            Validator::new(schema.clone()).validate(part, ValidationMode::Strict)
                        })
                    })
                    .collect();
                handles.into_iter().filter_map(|h| h.join().ok()).collect()
            })
        };
        let file_of = |id: &str| {
            info.iter()
                .find(|p| p.id == id)
                .map(|p| p.file.clone())
                .unwrap_or_default()
        };
        // A linked policy has no text of its own: its spans are its template's.
        let offset_of = |id: &str| {
            let template = policies
                .policy(&PolicyId::new(id))
                .and_then(|p| p.template_id().map(|t| t.to_string()));
            let key = template.as_deref().unwrap_or(id);
            statement_offsets.get(key).copied().unwrap_or(0)
        };
        for e in results.iter().flat_map(|r| r.validation_errors()) {
            let id = e.policy_id().to_string();
            let file = file_of(&id);
            let src = sources.get(&file).map(String::as_str).unwrap_or("");
            diagnostics.extend(from_miette(
                "error",
                &file,
                src,
                offset_of(&id),
                e,
                Some(id),
            ));
        }
        for w in results.iter().flat_map(|r| r.validation_warnings()) {
            let id = w.policy_id().to_string();
            let file = file_of(&id);
            let src = sources.get(&file).map(String::as_str).unwrap_or("");
            warnings.extend(from_miette(
                "warning",
                &file,
                src,
                offset_of(&id),
                w,
                Some(id),
            ));
        }
    }
    if !diagnostics.is_empty() {
        return Err(LoadError { diagnostics });
    }
    // The texts as a set (what `load_files` replaces with the whole set, tests included).
    let mut files_of: crate::publishing::PolicyFiles = sources
        .iter()
        .map(|(n, t)| (n.clone(), t.clone()))
        .collect();
    if let Some(text) = links {
        files_of.insert(LINKS_FILE.to_string(), text.to_string());
    }
    let index = super::PolicyIndex::build(&policies, schema.as_ref())
        .map_err(|e| Diagnostic::file_error("policies", format!("cannot index policies: {e}")))?;
    let action_closures = match &schema {
        Some(s) => action_closures(s).map_err(|e| {
            Diagnostic::file_error(
                SCHEMA_FILE,
                format!("cannot build the action hierarchy: {e}"),
            )
        })?,
        None => HashMap::new(),
    };
    Ok(PolicyBundle {
        required: match (&schema, schema_source) {
            (Some(_), Some((_, src))) => super::required::RequiredAttributes::of_schema(src),
            _ => Default::default(),
        },
        principals: Default::default(),
        type_names: super::prepared::TypeNames::of(schema.as_ref()),
        action_closures,
        index,
        policies,
        schema,
        info,
        warnings,
        dir: PathBuf::new(),
        hash: hash_files(&files_of),
        files: files_of,
        version: None,
        sources,
    })
}

/// Split a policy set into parts to validate on separate threads (one part for small sets).
/// Templates and linked policies stay in the first part, with their templates. If the set
/// cannot be split cleanly, it is validated whole: no policy may escape validation.
fn split_for_validation(set: &PolicySet) -> Vec<PolicySet> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    let statics: Vec<&cedar_policy::Policy> = set.policies().filter(|p| p.is_static()).collect();
    if threads < 2 || statics.len() < 1000 {
        return vec![set.clone()];
    }
    let split = || -> Option<Vec<PolicySet>> {
        let mut first = set.clone();
        for p in &statics {
            first.remove_static(p.id().clone()).ok()?;
        }
        let mut parts = vec![first];
        parts.extend((1..threads).map(|_| PolicySet::new()));
        for (i, p) in statics.iter().enumerate() {
            if let Some(part) = parts.get_mut(i % threads) {
                part.add((*p).clone()).ok()?;
            }
        }
        Some(parts)
    };
    match split() {
        Some(parts)
            if parts.iter().map(|p| p.policies().count()).sum::<usize>()
                == set.policies().count() =>
        {
            parts
        }
        _ => vec![set.clone()],
    }
}

fn action_closures(
    schema: &Schema,
) -> Result<HashMap<cedar_policy::EntityUid, Vec<cedar_policy::Entity>>, String> {
    let entities = schema.action_entities().map_err(|e| e.to_string())?;
    Ok(schema
        .actions()
        .map(|action| {
            let closure = entities
                .iter()
                .filter(|e| e.uid() == *action || entities.is_ancestor_of(&e.uid(), action))
                .cloned()
                .collect();
            (action.clone(), closure)
        })
        .collect())
}
