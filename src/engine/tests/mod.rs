//! The engine's tests, by area: `load` (reading, validating and reloading a bundle),
//! `decide` (single decisions, their entities and contexts), `index_equivalence` (the policy
//! index against plain Cedar), `plans` and `plan_property` (query plans). The helpers all of
//! them share are here.

use super::*;
use cedar_policy::{Context, Request};
use serde_json::json;
use std::fs;
use tempfile::TempDir;

const SCHEMA: &str = r#"
entity Role in [Role];
entity User in [Role] { email: String, name: String };
entity Doc { owner: User, secret?: Bool };
action read, delete appliesTo { principal: User, resource: Doc, context: {} };
"#;

fn dir_with(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (name, text) in files {
        fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn principal(id: &str, roles: &[&str], parents: &[(&str, &[&str])]) -> Principal {
    let mut attrs = Map::new();
    attrs.insert("email".into(), json!(format!("{id}@example.com")));
    attrs.insert("name".into(), json!(id));
    Principal {
        id: id.into(),
        attrs,
        roles: roles.iter().map(|r| r.to_string()).collect(),
        role_parents: parents
            .iter()
            .map(|(r, ps)| (r.to_string(), ps.iter().map(|p| p.to_string()).collect()))
            .collect(),
    }
}

fn query(p: Principal, action: &str, owner: &str, extra: Value) -> Query {
    let mut properties = Map::new();
    properties.insert("owner".into(), json!({"type": "User", "id": owner}));
    if let Value::Object(m) = extra {
        properties.extend(m);
    }
    Query {
        principal: p,
        action_type: "Action".into(),
        action: action.into(),
        resource: Resource {
            kind: "Doc".into(),
            id: "d1".into(),
            properties,
        },
        context: json!({}),
    }
}

mod decide;
mod files;
mod index_equivalence;
mod load;
mod plan_property;
mod plans;
