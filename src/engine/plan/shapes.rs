//! What the schema says about the resource's attributes, for the residual forms whose
//! translation depends on a type: `in` (only members of the attribute's entity type can
//! be equal to it), `is`, and attribute paths through records (`resource.meta.level` is
//! exact only when the schema proves `meta` a record; through an entity it would need the
//! other entity's attributes, which a single decision does not have either).
//!
//! Read from the schema's text with Cedar's own converter
//! (`schema_str_to_json_with_resolved_types`: common types and `EntityOrCommon` names
//! resolved), once per plan and only when a residual asks.

use serde_json::Value;

/// The type of an attribute, as far as plans care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    /// An entity of this (fully qualified) type.
    Entity(String),
    /// A set of this.
    Set(Box<Kind>),
    /// A record.
    Record,
    /// Anything else (a string, a number, an extension value, ...).
    Other,
}

/// An attribute's type, and whether it (and every record on its way) is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Shape {
    pub kind: Kind,
    pub required: bool,
}

/// The schema as JSON with resolved types.
#[derive(Debug)]
pub(super) struct Shapes {
    json: Value,
}

impl Shapes {
    /// The shapes of the schema source `text` (`.cedarschema` syntax).
    pub fn from_cedarschema(text: &str) -> Result<Shapes, String> {
        let (json, _warnings) = cedar_policy::schema_str_to_json_with_resolved_types(text)
            .map_err(|e| format!("the schema's types could not be read: {e}"))?;
        Ok(Shapes { json })
    }

    /// The type of `path` (`resource`, `resource.owner`, `resource.meta.level`) on a
    /// resource of `resource_type`. An error names what is not known.
    pub fn of(&self, resource_type: &str, path: &str) -> Result<Shape, String> {
        let mut parts = path.split('.').peekable();
        if parts.next() != Some("resource") {
            return Err(format!("the attribute path {path:?}"));
        }
        let (ns, name) = split_name(resource_type);
        let mut shape = Shape {
            kind: Kind::Entity(resource_type.to_string()),
            required: true,
        };
        if parts.peek().is_none() {
            return Ok(shape);
        }
        let mut attributes = self
            .json
            .get(ns)
            .and_then(|n| n.get("entityTypes"))
            .and_then(|t| t.get(name))
            .and_then(|t| t.get("shape"))
            .map(|s| self.resolve(ns, s))
            .and_then(|s| s.get("attributes"))
            .ok_or_else(|| format!("the schema has no attributes for {resource_type}"))?;
        let mut first = true;
        for part in parts {
            if !first && shape.kind != Kind::Record {
                return Err(match shape.kind {
                    Kind::Entity(t) => format!(
                        "{path:?} reads an attribute of another entity ({t}): a single decision does not know other entities' attributes"
                    ),
                    _ => format!("{path:?} reads an attribute of a value that is not a record"),
                });
            }
            first = false;
            let attr = attributes
                .get(part)
                .ok_or_else(|| format!("the schema declares no attribute {part:?} on {path:?}"))?;
            let ty = self.resolve(ns, attr);
            shape = Shape {
                kind: self.kind(ns, ty),
                required: shape.required
                    && attr.get("required").and_then(Value::as_bool).unwrap_or(true),
            };
            if shape.kind == Kind::Record {
                attributes = ty
                    .get("attributes")
                    .ok_or_else(|| format!("the record {path:?} has no attributes"))?;
            }
        }
        Ok(shape)
    }

    /// A type reference with common types looked up.
    fn resolve<'a>(&'a self, ns: &str, ty: &'a Value) -> &'a Value {
        let mut ty = ty;
        // Bounded: common types cannot be recursive, but a bound costs nothing.
        for _ in 0..16 {
            let Some(name) = ty.get("type").and_then(Value::as_str) else {
                return ty;
            };
            if matches!(
                name,
                "Record" | "Set" | "Entity" | "String" | "Long" | "Boolean" | "Extension"
            ) {
                return ty;
            }
            let name = ty.get("name").and_then(Value::as_str).unwrap_or(name);
            let (cns, cname) = match name.rsplit_once("::") {
                Some((a, b)) => (a, b),
                None => (ns, name),
            };
            match self
                .json
                .get(cns)
                .and_then(|n| n.get("commonTypes"))
                .and_then(|c| c.get(cname))
                .or_else(|| {
                    self.json
                        .get("")
                        .and_then(|n| n.get("commonTypes"))
                        .and_then(|c| c.get(cname))
                }) {
                Some(next) => ty = next,
                None => return ty,
            }
        }
        ty
    }

    fn kind(&self, ns: &str, ty: &Value) -> Kind {
        match ty.get("type").and_then(Value::as_str) {
            Some("Record") => Kind::Record,
            Some("Set") => match ty.get("element") {
                Some(element) => Kind::Set(Box::new(self.kind(ns, self.resolve(ns, element)))),
                None => Kind::Other,
            },
            Some("Entity") | Some("EntityOrCommon") => {
                match ty.get("name").and_then(Value::as_str) {
                    Some(name) if name.contains("::") || ns.is_empty() => {
                        Kind::Entity(name.to_string())
                    }
                    Some(name) => {
                        // Unqualified inside a namespace: the namespace's own type when it
                        // declares one, else the empty namespace's.
                        let declared = self
                            .json
                            .get(ns)
                            .and_then(|n| n.get("entityTypes"))
                            .and_then(|t| t.get(name))
                            .is_some();
                        Kind::Entity(if declared {
                            format!("{ns}::{name}")
                        } else {
                            name.to_string()
                        })
                    }
                    None => Kind::Other,
                }
            }
            _ => Kind::Other,
        }
    }
}

/// `NS::Sub::Type` as (`NS::Sub`, `Type`); a bare name is in the empty namespace.
fn split_name(name: &str) -> (&str, &str) {
    name.rsplit_once("::").unwrap_or(("", name))
}
