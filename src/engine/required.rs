//! The attributes the schema requires of each entity type, read once per bundle, so that a
//! request whose resource lacks one is told which attribute and how to give it, instead of
//! Cedar's conformance error reading like any other deny (issue 32: `warden decide
//! --resource 'Document::"d1"'` denied because `owner` is required, and nothing said so).
//!
//! Only the names are read, from the schema's JSON form (Cedar has no API that lists an
//! entity type's attributes): a shape the walk does not understand (a common type) adds
//! nothing, and Cedar's own check still refuses what it refuses. Fail closed either way:
//! a request that lacks a required attribute is a deny with an error.

use cedar_policy::SchemaFragment;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Entity type (`Document`, `Warden::Client`) to its required attributes, each with an
/// example value of its type for the hint.
#[derive(Debug, Default)]
pub struct RequiredAttributes(HashMap<String, Vec<(String, Value)>>);

impl RequiredAttributes {
    /// The required attributes of every entity type of a schema text (none when it does not
    /// parse: the loader reports that).
    pub fn of_schema(src: &str) -> RequiredAttributes {
        let json = SchemaFragment::from_cedarschema_str(src)
            .ok()
            .and_then(|(fragment, _)| fragment.to_json_value().ok());
        let mut map = HashMap::new();
        let Some(Value::Object(namespaces)) = json else {
            return RequiredAttributes(map);
        };
        for (namespace, body) in &namespaces {
            let Some(types) = body.get("entityTypes").and_then(Value::as_object) else {
                continue;
            };
            let qualify = |name: &str| match namespace.as_str() {
                "" => name.to_string(),
                ns => format!("{ns}::{name}"),
            };
            for (name, entity) in types {
                let attributes = entity
                    .get("shape")
                    .filter(|s| s.get("type").and_then(Value::as_str) == Some("Record"))
                    .and_then(|s| s.get("attributes"))
                    .and_then(Value::as_object);
                let required: Vec<(String, Value)> = attributes
                    .into_iter()
                    .flatten()
                    .filter(|(_, t)| t.get("required").and_then(Value::as_bool) != Some(false))
                    .map(|(attr, t)| (attr.clone(), example(t, types, &qualify)))
                    .collect();
                if !required.is_empty() {
                    map.insert(qualify(name), required);
                }
            }
        }
        RequiredAttributes(map)
    }

    /// Why a resource of type `kind` with `properties` does not conform, when it lacks
    /// attributes the schema requires; `None` when it has them all (or the type is unknown
    /// here: Cedar then says what is wrong).
    pub fn missing(&self, kind: &str, id: &str, properties: &Map<String, Value>) -> Option<String> {
        let required = self.0.get(kind)?;
        let missing: Vec<&(String, Value)> = required
            .iter()
            .filter(|(attr, _)| !properties.contains_key(attr))
            .collect();
        if missing.is_empty() {
            return None;
        }
        let names: Vec<String> = missing.iter().map(|(a, _)| format!("`{a}`")).collect();
        let example: Map<String, Value> = missing
            .iter()
            .map(|(a, v)| (a.clone(), v.clone()))
            .collect();
        Some(format!(
            "the request lacks the attribute{s} {names} that the schema requires of every {kind} \
             (the resource {kind}::{id:?}), so no policy was evaluated: give {them} in the \
             resource's properties, for example {example} (warden decide: --properties '{example}')",
            s = if missing.len() == 1 { "" } else { "s" },
            names = names.join(", "),
            them = if missing.len() == 1 { "it" } else { "them" },
            example = Value::Object(example),
        ))
    }
}

/// A value of the attribute type `t`, to show how one is written.
fn example(t: &Value, types: &Map<String, Value>, qualify: &dyn Fn(&str) -> String) -> Value {
    let kind = t.get("type").and_then(Value::as_str).unwrap_or_default();
    let name = t.get("name").and_then(Value::as_str).unwrap_or_default();
    let entity = |name: &str| {
        // An unqualified name inside a namespace means that namespace's type when it has one.
        let full = if !name.contains("::") && types.contains_key(name) {
            qualify(name)
        } else {
            name.to_string()
        };
        serde_json::json!({"type": full, "id": "..."})
    };
    match (kind, name) {
        ("String", _) | ("EntityOrCommon", "String" | "__cedar::String") => Value::from("..."),
        ("Long", _) | ("EntityOrCommon", "Long" | "__cedar::Long") => Value::from(0),
        ("Boolean", _) | ("EntityOrCommon", "Bool" | "Boolean" | "__cedar::Bool") => {
            Value::from(true)
        }
        ("Set", _) => Value::Array(Vec::new()),
        ("Record", _) => Value::Object(Map::new()),
        ("Entity", name) => entity(name),
        ("EntityOrCommon", name) if types.contains_key(name) || name.contains("::") => entity(name),
        _ => Value::from("..."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SCHEMA: &str = r#"
        entity User { email: String };
        entity Document { owner: User, title?: String, pages: Long };
        entity Open;
        namespace Warden { entity Client { name: String, owner: Client }; }
    "#;

    #[test]
    fn names_each_missing_required_attribute_with_an_example() {
        let required = RequiredAttributes::of_schema(SCHEMA);
        let missing = required.missing("Document", "d1", &Map::new()).unwrap();
        assert!(missing.contains("attributes `owner`, `pages`"), "{missing}");
        assert!(
            missing.contains(r#"{"owner":{"type":"User","id":"..."},"pages":0}"#),
            "{missing}"
        );
        assert!(!missing.contains("title"), "optional: {missing}");
        let given = json!({"owner": {"type": "User", "id": "alice"}, "pages": 2});
        assert_eq!(
            required.missing("Document", "d1", given.as_object().unwrap()),
            None
        );
        let half = json!({"pages": 2});
        let missing = required
            .missing("Document", "d1", half.as_object().unwrap())
            .unwrap();
        assert!(missing.contains("attribute `owner` that"), "{missing}");
        assert_eq!(required.missing("Open", "o", &Map::new()), None);
        assert_eq!(required.missing("Nope", "o", &Map::new()), None);
        let missing = required
            .missing("Warden::Client", "c", &Map::new())
            .unwrap();
        assert!(missing.contains(r#""type":"Warden::Client""#), "{missing}");
    }

    #[test]
    fn a_schema_that_does_not_parse_requires_nothing() {
        let required = RequiredAttributes::of_schema("entity {");
        assert_eq!(required.missing("Document", "d1", &Map::new()), None);
    }
}
