//! What the OpenAPI document says beyond the derives, so that the common generators and
//! linters read all of it: openapi-python-client, openapi-typescript, Redocly and Spectral
//! (`.ci/openapi-lint.sh` runs them; `.ci/python-client.sh` generates and uses a client).
//!
//! - every tag of the route table is declared once, with a description;
//! - every operation has a description: its summary, who may call it, and for an admin
//!   route the `Warden::Action` the policies must allow;
//! - the query plan's condition tree is a `$ref`-based recursive schema whose variants are
//!   named components under a discriminator on `op` (generators do not resolve a reference
//!   back to a schema from inside one of its inline `oneOf` members);
//!   Its operands likewise, named by their one field;
//! - `POST /access/v1/evaluations` is either a batch (`evaluations` with at least one item)
//!   or one evaluation at the top level, each a named schema (generators drop a schema whose
//!   array has no `items`, or whose `anyOf` members are bare constraints).

use super::routes::{Auth, Route};
use serde_json::{json, Map, Value};

/// The tags of the document, with what each groups. A route whose tag is not here fails
/// the document's tests: a new group gets its description.
pub const TAGS: &[(&str, &str)] = &[
    (
        "operations",
        "Probes, metrics and this document, for operators and their tools",
    ),
    (
        "auth",
        "Sign-in, token refresh and revocation, discovery and signing keys",
    ),
    (
        "decisions",
        "Decisions and query plans for the user of a bearer access token",
    ),
    (
        "authzen",
        "OpenID AuthZEN 1.0: evaluations and searches for a service client",
    ),
    (
        "admin",
        "Administration: every call is itself a Cedar decision on a Warden::Action",
    ),
];

/// The description of a route's operation.
pub fn description(route: &Route) -> String {
    let who = match route.auth {
        Auth::None => "Public: no credentials.".to_string(),
        Auth::UserToken => match route.admin_action {
            Some(action) => format!(
                "A user's bearer access token; the policies must allow the user `Warden::Action::\"{action}\"`."
            ),
            None => "A user's bearer access token.".to_string(),
        },
        Auth::ClientKey => "A service client's key as a bearer token.".to_string(),
        Auth::Operations => "Public; the operations key or an admin's access token shows the detail.".to_string(),
    };
    format!("{}.\n\n{who}", route.summary.trim_end_matches('.'))
}

/// The name of the condition-tree variant of an `op`.
fn expr_variant(op: &str) -> Option<&'static str> {
    Some(match op {
        "true" => "ExprTrue",
        "false" => "ExprFalse",
        "and" => "ExprAnd",
        "or" => "ExprOr",
        "not" => "ExprNot",
        "==" => "ExprEq",
        "!=" => "ExprNe",
        "<" => "ExprLt",
        "<=" => "ExprLe",
        ">" => "ExprGt",
        ">=" => "ExprGe",
        "in" => "ExprIn",
        "contains" => "ExprContains",
        "has" => "ExprHas",
        "like" => "ExprLike",
        _ => return None,
    })
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// Reshapes the document's component schemas (see the module doc).
pub fn reshape(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    name_expr_variants(schemas);
    name_operand_variants(schemas);
    split_evaluations(schemas);
}

/// `Expr`: each inline `oneOf` member becomes a named component, `Expr` their union under a
/// discriminator on `op`.
fn name_expr_variants(schemas: &mut Map<String, Value>) {
    let Some(Value::Array(variants)) = schemas
        .get_mut("Expr")
        .and_then(|expr| expr.get_mut("oneOf"))
        .map(Value::take)
    else {
        return;
    };
    let mut members = Vec::new();
    let mut mapping = Map::new();
    for variant in variants {
        let op = variant
            .pointer("/properties/op/enum/0")
            .and_then(Value::as_str)
            .unwrap_or_default();
        // An op without a name here keeps its inline form (the document's tests fail on it).
        let Some(name) = expr_variant(op) else {
            members.push(variant);
            continue;
        };
        mapping.insert(
            op.to_string(),
            json!(format!("#/components/schemas/{name}")),
        );
        members.push(reference(name));
        schemas.insert(name.to_string(), variant);
    }
    schemas.insert(
        "Expr".to_string(),
        json!({
            "description": "The condition tree of a query plan (docs/query-plans.md): `op` names the variant. A client that meets an `op` it does not know must fail closed.",
            "oneOf": members,
            "discriminator": { "propertyName": "op", "mapping": mapping },
        }),
    );
}

/// `Operand`: each inline `oneOf` member becomes a component named by its one field
/// (`OperandAttr`, `OperandValue`, `OperandEntity`), not by its position.
fn name_operand_variants(schemas: &mut Map<String, Value>) {
    let Some(Value::Array(variants)) = schemas
        .get_mut("Operand")
        .and_then(|operand| operand.get_mut("oneOf"))
        .map(Value::take)
    else {
        return;
    };
    let mut members = Vec::new();
    for variant in variants {
        let name = match variant.pointer("/required/0").and_then(Value::as_str) {
            Some("attr") => "OperandAttr",
            Some("value") => "OperandValue",
            Some("entity") => "OperandEntity",
            _ => {
                members.push(variant);
                continue;
            }
        };
        members.push(reference(name));
        schemas.insert(name.to_string(), variant);
    }
    if let Some(operand) = schemas.get_mut("Operand") {
        operand["oneOf"] = Value::Array(members);
    }
}

/// `Evaluations`: a batch or one evaluation, as named schemas.
fn split_evaluations(schemas: &mut Map<String, Value>) {
    let Some(mut base) = schemas.remove("Evaluations") else {
        return;
    };
    let description = base["description"].take();
    let items = json!({ "type": "array", "items": reference("EvaluationItem") });
    let mut batch = base.clone();
    batch["properties"]["evaluations"] = items.clone();
    batch["properties"]["evaluations"]["minItems"] = json!(1);
    batch["properties"]["evaluations"]["description"] = json!(
        "The evaluations, each completed by the top-level defaults. An item that does not read (an unknown field, a wrong type) is a deny with the reason in its explanation, not a refused request."
    );
    batch["required"] = json!(["evaluations"]);
    batch["description"] = json!("A batch: defaults at the top level, the items in `evaluations`.");
    for (field, name) in [
        ("subject", "Subject"),
        ("action", "Action"),
        ("resource", "Resource"),
    ] {
        base["properties"][field] = reference(name);
    }
    let mut empty = items;
    empty["maxItems"] = json!(0);
    base["properties"]["evaluations"] = json!({ "oneOf": [{ "type": "null" }, empty] });
    base["required"] = json!(["subject", "action", "resource"]);
    base["description"] = json!("One evaluation at the top level (no items).");
    schemas.insert("EvaluationsBatch".to_string(), batch);
    schemas.insert("EvaluationsSingle".to_string(), base);
    schemas.insert(
        "Evaluations".to_string(),
        json!({
            "description": description,
            "anyOf": [reference("EvaluationsBatch"), reference("EvaluationsSingle")],
        }),
    );
}
