//! Loading a policy directory into a validated [`PolicyBundle`].

use super::diag::{from_miette, Diagnostic};
use cedar_policy::{Effect, PolicyId, PolicySet, Schema, ValidationMode, Validator};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
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
    /// Callers' entities built and checked against this bundle's schema (see
    /// [`super::prepared`]).
    pub principals: super::prepared::PrincipalCache,
    /// Entity type names requests use, parsed once.
    pub type_names: super::prepared::TypeNames,
}

impl PolicyBundle {
    /// SHA-256 (hex) of the bundle's files, names and contents in name order: two replicas
    /// serve the same policies exactly when their hashes are equal.
    pub fn content_hash(&self) -> String {
        let mut files: Vec<_> = self.sources.iter().collect();
        files.sort();
        let mut all = String::new();
        for (name, text) in files {
            all.push_str(name);
            all.push('\0');
            all.push_str(text);
            all.push('\0');
        }
        crate::util::sha256_hex(&all)
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

/// The file of template links in a policy directory.
pub const LINKS_FILE: &str = "links.json";

/// One template link of `links.json`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Link {
    template: String,
    id: String,
    values: HashMap<String, String>,
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
        principals: Default::default(),
        type_names: super::prepared::TypeNames::of(schema.as_ref()),
        action_closures,
        index,
        policies,
        schema,
        info,
        warnings,
        dir: PathBuf::new(),
        sources,
    })
}

/// Link templates as `links.json` says: `[{"template": id, "id": link id, "values":
/// {"?principal": "User::\"alice\"", "?resource": "Document::\"d1\""}}]`.
fn link_all(
    text: &str,
    policies: &mut PolicySet,
    info: &mut Vec<PolicyInfo>,
    seen: &mut HashMap<String, String>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let links: Vec<Link> = match serde_json::from_str(text) {
        Ok(l) => l,
        Err(e) => {
            diagnostics.push(Diagnostic {
                line: e.line(),
                column: e.column(),
                ..Diagnostic::file_error(LINKS_FILE, format!("malformed links file: {e}"))
            });
            return;
        }
    };
    let templates: HashMap<String, &'static str> = info
        .iter()
        .filter(|p| p.template)
        .map(|p| (p.id.clone(), p.effect))
        .collect();
    let mut lines = LineCounter::new(text);
    let mut cursor = 0;
    for (n, link) in links.into_iter().enumerate() {
        // Links appear in file order: find this one's id after the previous one.
        let needle = format!("\"{}\"", link.id);
        let line = match text[cursor..].find(&needle) {
            Some(o) => {
                cursor += o + needle.len();
                lines.line_at(cursor)
            }
            None => 0,
        };
        let fail = |m: String| Diagnostic {
            line,
            column: 1,
            ..Diagnostic::file_error(LINKS_FILE, m)
        };
        if let Some(other) = seen.get(&link.id) {
            diagnostics.push(fail(format!(
                "duplicate policy id \"{}\": already used in {other}",
                link.id
            )));
            continue;
        }
        let mut values = HashMap::new();
        for (slot, uid) in &link.values {
            let slot_id = match slot.as_str() {
                "?principal" => cedar_policy::SlotId::principal(),
                "?resource" => cedar_policy::SlotId::resource(),
                other => {
                    diagnostics.push(fail(format!(
                        "unknown slot {other:?}: use ?principal or ?resource"
                    )));
                    continue;
                }
            };
            match cedar_policy::EntityUid::from_str(uid) {
                Ok(uid) => {
                    values.insert(slot_id, uid);
                }
                Err(e) => diagnostics.push(fail(format!("invalid entity {uid:?}: {e}"))),
            }
        }
        let Some(effect) = templates.get(&link.template).copied() else {
            diagnostics.push(fail(format!(
                "link {} names unknown template {:?}",
                link.id, link.template
            )));
            continue;
        };
        if let Err(e) = policies.link(
            PolicyId::new(&link.template),
            PolicyId::new(&link.id),
            values,
        ) {
            diagnostics.push(fail(format!("cannot link {}: {e}", link.id)));
            continue;
        }
        seen.insert(link.id.clone(), LINKS_FILE.to_string());
        info.push(PolicyInfo {
            id: link.id,
            file: LINKS_FILE.to_string(),
            line,
            effect,
            template: false,
            index: n,
        });
    }
}

fn read(path: &Path, name: &str) -> Result<String, LoadError> {
    std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::file_error(name, format!("cannot read file: {e}")).into())
}

enum Item {
    Static(cedar_policy::Policy),
    Template(cedar_policy::Template),
}

impl Item {
    fn annotation(&self, key: &str) -> Option<&str> {
        match self {
            Item::Static(p) => p.annotation(key),
            Item::Template(t) => t.annotation(key),
        }
    }

    fn effect(&self) -> Effect {
        match self {
            Item::Static(p) => p.effect(),
            Item::Template(t) => t.effect(),
        }
    }
}

/// The policies shipped with warden, compiled in so that `warden serve` in an empty
/// directory has something to serve.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        SCHEMA_FILE,
        include_str!("../../policies/schema.cedarschema"),
    ),
    ("app.cedar", include_str!("../../policies/app.cedar")),
    ("warden.cedar", include_str!("../../policies/warden.cedar")),
    // Their test suites, so that `warden policy test` works on a fresh start too.
    (
        "tests/app.toml",
        include_str!("../../policies/tests/app.toml"),
    ),
    (
        "tests/warden.toml",
        include_str!("../../policies/tests/warden.toml"),
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

/// Line numbers of increasing byte offsets in one text, in one pass over it.
struct LineCounter<'a> {
    src: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(src: &'a str) -> Self {
        LineCounter {
            src,
            pos: 0,
            line: 1,
        }
    }

    /// The 1-based line of `offset` (offsets must not decrease between calls).
    fn line_at(&mut self, offset: usize) -> usize {
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

/// Split Cedar source into statements, each ending with a `;` outside strings and comments,
/// as (offset of its text, offset of its first significant character, text). Trailing text without a `;` that is
/// more than whitespace and comments is returned as a last statement, so that the parser
/// reports it.
fn statements(src: &str) -> Vec<(usize, usize, &str)> {
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
type ParsedStatement = (usize, usize, usize, Item);

/// Parse statements on every core; `None` if any does not parse.
fn parse_statements(statements: &[(usize, usize, &str)]) -> Option<Vec<ParsedStatement>> {
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
