//! Reading test files into prepared cases, with located errors for bad input.

use super::{Expected, Prepared};
use crate::engine::{
    decide_with, diag::locate, entity_uid, evaluate, parse_action, Diagnostic, PolicyBundle, Query,
    Resource,
};
use crate::identity::principal_from;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::str::FromStr;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Suite {
    /// role -> parent roles; every role a suite uses is declared here.
    #[serde(default)]
    roles: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    users: BTreeMap<String, UserFixture>,
    #[serde(default, rename = "case")]
    cases: Vec<Case>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct UserFixture {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    email: Option<String>,
    name: Option<String>,
    #[serde(default)]
    attributes: toml::Table,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PrincipalRef {
    Fixture(String),
    Inline(UserFixture),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResourceSpec {
    #[serde(rename = "type")]
    kind: String,
    id: String,
    #[serde(default)]
    properties: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    principal: PrincipalRef,
    action: String,
    resource: ResourceSpec,
    #[serde(default)]
    context: toml::Table,
    expect: String,
    reasons: Option<Vec<String>>,
    errors: Option<usize>,
}

fn to_json(table: &toml::Table) -> Map<String, Value> {
    match serde_json::to_value(table) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// The line of the first occurrence of `needle` at or after line `from` (1-based).
fn line_of(text: &str, needle: &str, from: usize) -> usize {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .unwrap_or(from)
}

/// The line of `needle` inside the case that starts at or before line `from`: the bad
/// value's own line (issue 32: errors pointed at the case's `name` line), else `from`.
fn line_in_case(text: &str, needle: &str, from: usize) -> usize {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .take_while(|(i, l)| *i + 1 == from || !l.trim_start().starts_with("[["))
        .find(|(_, l)| l.contains(needle))
        .map_or(from, |(i, _)| i + 1)
}

fn problem(file: &str, text: &str, line: usize, message: String) -> Diagnostic {
    Diagnostic {
        line,
        column: 1,
        source_line: text.lines().nth(line.saturating_sub(1)).map(str::to_string),
        ..Diagnostic::file_error(file, message)
    }
}

fn schema_has_type(bundle: &PolicyBundle, kind: &str) -> bool {
    match &bundle.schema {
        Some(s) => s.entity_types().any(|t| t.to_string() == kind),
        None => true,
    }
}

fn schema_has_action(bundle: &PolicyBundle, action_type: &str, id: &str) -> bool {
    match &bundle.schema {
        Some(s) => s
            .actions()
            .any(|a| a.type_name().to_string() == action_type && a.id().unescaped() == id),
        None => true,
    }
}

fn check_reasons(bundle: &PolicyBundle, reasons: &[String]) -> Result<(), String> {
    for id in reasons {
        if bundle.policy(id).is_none() {
            return Err(format!(
                "expected policy id {id:?} does not exist in this policy directory"
            ));
        }
    }
    Ok(())
}

/// A warden suite (`*.toml`): the cases that can run, and the problems of the others (a
/// bad case does not stop its neighbours; a file that does not parse gives no case).
pub(super) fn prepare_toml(
    file: &str,
    text: &str,
    bundle: &PolicyBundle,
) -> (Vec<Prepared>, Vec<Diagnostic>) {
    match prepare_toml_cases(file, text, bundle) {
        Ok(found) => found,
        Err(problems) => (Vec::new(), problems),
    }
}

fn prepare_toml_cases(
    file: &str,
    text: &str,
    bundle: &PolicyBundle,
) -> Result<(Vec<Prepared>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let suite: Suite = toml::from_str(text).map_err(|e| {
        let (line, column, source) =
            e.span()
                .map(|s| locate(text, s.start))
                .unwrap_or((0, 0, String::new()));
        vec![Diagnostic {
            line,
            column,
            source_line: (line > 0).then_some(source),
            ..Diagnostic::file_error(file, format!("malformed test suite: {}", e.message()))
        }]
    })?;
    let mut problems = Vec::new();
    for (role, parents) in &suite.roles {
        for parent in parents {
            if !suite.roles.contains_key(parent) {
                let line = line_of(text, &format!("{role} ="), 1);
                problems.push(problem(
                    file,
                    text,
                    line,
                    format!(
                        "role {role} has unknown parent role {parent}; declare it under [roles]"
                    ),
                ));
            }
        }
    }
    // A fixture with an unknown role is reported once, at its `roles =` line; the cases
    // that use it are not reported again.
    let mut broken_fixtures = std::collections::BTreeSet::new();
    for (key, user) in &suite.users {
        let unknown: Vec<&str> = user
            .roles
            .iter()
            .filter(|r| !suite.roles.contains_key(*r))
            .map(String::as_str)
            .collect();
        if unknown.is_empty() {
            continue;
        }
        broken_fixtures.insert(key.clone());
        let header = line_of(text, &format!("[users.{key}]"), 1);
        let line = text
            .lines()
            .enumerate()
            .skip(header)
            .take_while(|(_, l)| !l.trim_start().starts_with('['))
            .find(|(_, l)| l.trim_start().starts_with("roles"))
            .map_or(header, |(i, _)| i + 1);
        let (noun, list) = match unknown.as_slice() {
            [one] => ("role", one.to_string()),
            many => ("roles", many.join(", ")),
        };
        let mut p = problem(
            file,
            text,
            line,
            format!("user {key} has unknown {noun} {list}; declare it under [roles]"),
        );
        // Underline the first unknown name on that line.
        let source = p.source_line.clone().unwrap_or_default();
        let needle = format!("\"{}\"", unknown[0]);
        if let Some(at) = source.find(&needle) {
            p.column = source[..at].chars().count() + 1;
            p.labels = vec![crate::engine::diag::Label {
                line,
                column: p.column,
                width: needle.chars().count(),
                source_line: source,
                text: Some("not declared under [roles]".into()),
            }];
        }
        problems.push(p);
    }
    let mut prepared = Vec::new();
    let mut cursor = 1;
    for case in suite.cases {
        let line = line_of(text, &format!("\"{}\"", case.name), cursor);
        cursor = line;
        let mut fail = |message: String| {
            problems.push(problem(
                file,
                text,
                line,
                format!("case \"{}\": {message}", case.name),
            ))
        };
        let allowed = match case.expect.as_str() {
            "allow" => true,
            "deny" => false,
            other => {
                fail(format!(
                    "expect must be \"allow\" or \"deny\", not {other:?}"
                ));
                continue;
            }
        };
        let user = match &case.principal {
            PrincipalRef::Fixture(key) if broken_fixtures.contains(key) => continue,
            PrincipalRef::Fixture(key) => match suite.users.get(key) {
                Some(u) => UserFixture {
                    id: Some(u.id.clone().unwrap_or_else(|| key.clone())),
                    ..u.clone()
                },
                None => {
                    fail(format!(
                        "unknown user {key:?}; declare it under [users.{key}]"
                    ));
                    continue;
                }
            },
            PrincipalRef::Inline(u) => u.clone(),
        };
        let Some(id) = user.id.clone() else {
            fail("an inline principal needs an id".into());
            continue;
        };
        // From here on an error points at the bad value's line within the case.
        let mut fail_at = |needle: &str, message: String| {
            problems.push(problem(
                file,
                text,
                line_in_case(text, needle, line),
                format!("case \"{}\": {message}", case.name),
            ))
        };
        if let Some(role) = user.roles.iter().find(|r| !suite.roles.contains_key(*r)) {
            fail_at(
                &format!("\"{role}\""),
                format!("unknown role {role}; declare it under [roles]"),
            );
            continue;
        }
        let (action_type, action) = match parse_action(&case.action) {
            Ok(a) => a,
            Err(e) => {
                fail_at("action", e);
                continue;
            }
        };
        if !schema_has_action(bundle, &action_type, &action) {
            fail_at(
                "action",
                format!("action {}::{action:?} is not in the schema", action_type),
            );
            continue;
        }
        if !schema_has_type(bundle, &case.resource.kind) {
            fail_at(
                &format!("\"{}\"", case.resource.kind),
                format!("resource type {} is not in the schema", case.resource.kind),
            );
            continue;
        }
        if let Some(reasons) = &case.reasons {
            if let Err(e) = check_reasons(bundle, reasons) {
                let id_line = reasons
                    .first()
                    .map(|r| line_of(text, &format!("\"{r}\""), line))
                    .unwrap_or(line);
                problems.push(problem(
                    file,
                    text,
                    id_line,
                    format!("case \"{}\": {e}", case.name),
                ));
                continue;
            }
        }
        let principal = principal_from(
            &id,
            &user
                .email
                .clone()
                .unwrap_or_else(|| format!("{id}@example.com")),
            &user.name.clone().unwrap_or_else(|| id.clone()),
            to_json(&user.attributes),
            &user.roles,
            &suite.roles,
        );
        let context = crate::admin_action::with_default_context(
            &action_type,
            Value::Object(to_json(&case.context)),
        );
        let query = Query {
            principal,
            action_type,
            action,
            resource: Resource {
                kind: case.resource.kind,
                id: case.resource.id,
                properties: to_json(&case.resource.properties),
            },
            context,
        };
        let mut reasons = case.reasons;
        if let Some(r) = reasons.as_mut() {
            r.sort();
        }
        prepared.push(Prepared {
            file: file.to_string(),
            line,
            name: case.name,
            expected: Expected {
                allowed,
                reasons,
                errors: case.errors,
                has_errors: None,
            },
            run: Box::new(move |authorizer, bundle| decide_with(authorizer, bundle, &query)),
        });
    }
    Ok((prepared, problems))
}

#[derive(Deserialize)]
struct CedarCase {
    name: Option<String>,
    request: CedarRequest,
    #[serde(default)]
    entities: Value,
    decision: String,
    #[serde(default)]
    reason: Option<Vec<String>>,
    num_errors: Option<usize>,
    has_error: Option<bool>,
}

#[derive(Deserialize)]
struct CedarRequest {
    principal: Value,
    action: Value,
    resource: Value,
    #[serde(default)]
    context: Value,
}

fn cedar_uid(v: &Value, what: &str) -> Result<cedar_policy::EntityUid, String> {
    match v {
        Value::String(s) => {
            cedar_policy::EntityUid::from_str(s).map_err(|e| format!("invalid {what} {s:?}: {e}"))
        }
        Value::Object(m) => {
            let inner = m.get("__entity").and_then(Value::as_object).unwrap_or(m);
            match (
                inner.get("type").and_then(Value::as_str),
                inner.get("id").and_then(Value::as_str),
            ) {
                (Some(t), Some(id)) => entity_uid(t, id),
                _ => Err(format!("invalid {what}: expected {{\"type\", \"id\"}}")),
            }
        }
        _ => Err(format!("invalid {what}: expected Type::\"id\"")),
    }
}

/// A `cedar run-tests` file (`*.json`), unchanged.
pub(super) fn prepare_cedar_json(
    file: &str,
    text: &str,
    bundle: &PolicyBundle,
) -> Result<Vec<Prepared>, Vec<Diagnostic>> {
    let cases: Vec<CedarCase> = serde_json::from_str(text).map_err(|e| {
        vec![problem(
            file,
            text,
            e.line(),
            format!("malformed Cedar test file: {e}"),
        )]
    })?;
    // Cedar's CLI names policies policy0, policy1...: accept those for warden's ids.
    let alias: BTreeMap<String, String> = bundle
        .info
        .iter()
        .map(|p| (format!("policy{}", p.index), p.id.clone()))
        .collect();
    let mut problems = Vec::new();
    let mut prepared = Vec::new();
    let mut cursor = 1;
    for (i, case) in cases.into_iter().enumerate() {
        let name = case.name.clone().unwrap_or_else(|| format!("case {i}"));
        let line = line_of(text, "\"request\"", cursor);
        cursor = line + 1;
        let mut fail = |m: String| problems.push(problem(file, text, line, format!("{name}: {m}")));
        let allowed = match case.decision.to_ascii_lowercase().as_str() {
            "allow" => true,
            "deny" => false,
            other => {
                fail(format!(
                    "decision must be \"allow\" or \"deny\", not {other:?}"
                ));
                continue;
            }
        };
        let uids = (
            cedar_uid(&case.request.principal, "principal"),
            cedar_uid(&case.request.action, "action"),
            cedar_uid(&case.request.resource, "resource"),
        );
        let (principal, action, resource) = match uids {
            (Ok(p), Ok(a), Ok(r)) => (p, a, r),
            (p, a, r) => {
                for e in [p.err(), a.err(), r.err()].into_iter().flatten() {
                    fail(e);
                }
                continue;
            }
        };
        let reasons = match case.reason {
            Some(list) => {
                let mut mapped = Vec::new();
                for id in list {
                    match (bundle.policy(&id), alias.get(&id)) {
                        (Some(_), _) => mapped.push(id),
                        (None, Some(real)) => mapped.push(real.clone()),
                        (None, None) => fail(format!(
                            "expected policy id {id:?} does not exist in this policy directory"
                        )),
                    }
                }
                mapped.sort();
                Some(mapped)
            }
            None => None,
        };

        let entities = if case.entities.is_null() {
            Value::Array(vec![])
        } else {
            case.entities
        };
        let context = case.request.context;
        prepared.push(Prepared {
            file: file.to_string(),
            line,
            name,
            expected: Expected {
                allowed,
                reasons,
                errors: case.num_errors,
                has_errors: case.has_error,
            },
            run: Box::new(move |authorizer, bundle| {
                evaluate(
                    authorizer,
                    bundle,
                    principal.clone(),
                    action.clone(),
                    resource.clone(),
                    &context,
                    entities.clone(),
                )
            }),
        });
    }
    if problems.is_empty() {
        Ok(prepared)
    } else {
        Err(problems)
    }
}
