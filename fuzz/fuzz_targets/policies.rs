//! Policy-directory loading from text: a schema, a policy file and an optional `links.json`,
//! through the loader the server and `warden policy check` use (parsing statement by
//! statement, ids, duplicate checks, template links, strict validation, the index), then
//! the diagnostics rendered as the command line prints them.
//!
//! Input: `SCHEMA\n%%\nPOLICIES` or `SCHEMA\n%%\nPOLICIES\n%%\nLINKS`; without a `%%` line the
//! whole text is one policy file without a schema.
//!
//! A bundle that loads must decide through its index exactly as plain Cedar over the whole
//! set (same decision, reasons and errors) for requests aimed at its own policies' scopes.
#![no_main]

use cedar_policy::{ActionConstraint, EntityUid, PrincipalConstraint, ResourceConstraint};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map};
use warden::engine::{decide_in, load_sources, Mode, PolicyBundle, Principal, Query, Resource};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parts: Vec<&str> = text.splitn(3, "\n%%\n").collect();
    let (schema, policies, links) = match parts.as_slice() {
        [policies] => (None, *policies, None),
        [schema, policies] => (Some(*schema), *policies, None),
        [schema, policies, links] => (Some(*schema), *policies, Some(*links)),
        _ => unreachable!(),
    };
    let schema = schema
        .filter(|s| !s.trim().is_empty())
        .map(|s| ("schema.cedarschema", s));
    let files = vec![("fuzz.cedar".to_string(), policies.to_string())];
    match load_sources(schema, &files, links) {
        Err(e) => {
            assert!(!e.diagnostics.is_empty(), "a refused load says why");
            let _ = e.to_string();
            for d in &e.diagnostics {
                let _ = d.render();
            }
        }
        Ok(bundle) => {
            for w in &bundle.warnings {
                let _ = w.render();
            }
            index_agrees(&bundle);
        }
    }
});

/// Requests built from the scopes of the bundle's own policies (and a few fixed ones) must
/// decide the same through the index as over the whole set.
fn index_agrees(bundle: &PolicyBundle) {
    let authorizer = cedar_policy::Authorizer::new();
    let mut queries = vec![
        query(
            "alice",
            &["USER"],
            ("Action", "readDocument"),
            ("Document", "d1"),
        ),
        query(
            "root",
            &["ADMIN"],
            ("Action", "deleteUserResource"),
            ("UserResource", "r1"),
        ),
        query(
            "admin",
            &["ADMIN"],
            ("Warden::Action", "users.read"),
            ("Warden::Resource", "users"),
        ),
    ];
    for policy in bundle.policies.policies().take(8) {
        let (mut id, mut roles) = ("p".to_string(), Vec::new());
        match policy.principal_constraint() {
            PrincipalConstraint::Eq(uid) => id = uid_id(&uid),
            PrincipalConstraint::In(uid) | PrincipalConstraint::IsIn(_, uid) => {
                if uid.type_name().to_string() == "User" {
                    id = uid_id(&uid);
                } else {
                    roles.push(uid_id(&uid));
                }
            }
            _ => {}
        }
        let action = match policy.action_constraint() {
            ActionConstraint::Eq(uid) => Some(uid),
            ActionConstraint::In(uids) => uids.into_iter().next(),
            _ => None,
        };
        let (action_type, action) = match &action {
            Some(uid) => (uid.type_name().to_string(), uid_id(uid)),
            None => ("Action".to_string(), "readDocument".to_string()),
        };
        let (kind, rid) = match policy.resource_constraint() {
            ResourceConstraint::Eq(uid) | ResourceConstraint::In(uid) => {
                (uid.type_name().to_string(), uid_id(&uid))
            }
            ResourceConstraint::Is(t) | ResourceConstraint::IsIn(t, _) => {
                (t.to_string(), "r".to_string())
            }
            _ => ("Document".to_string(), "d1".to_string()),
        };
        let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
        let mut q = query(&id, &roles, (&action_type, &action), (&kind, &rid));
        queries.push(q.clone());
        // The same request with the principal as the resource's owner.
        q.resource.properties =
            Map::from_iter([("owner".to_string(), json!({"type": "User", "id": id}))]);
        queries.push(q);
    }
    for q in &queries {
        let indexed = decide_in(Mode::Indexed, &authorizer, bundle, q);
        let whole = decide_in(Mode::WholeSet, &authorizer, bundle, q);
        assert_eq!(indexed, whole, "the index decides differently for {q:?}");
        if indexed.allowed {
            assert!(
                indexed.errors.is_empty(),
                "allowed despite errors: {indexed:?}"
            );
        }
    }
}

fn uid_id(uid: &EntityUid) -> String {
    uid.id().unescaped().to_string()
}

fn query(id: &str, roles: &[&str], action: (&str, &str), resource: (&str, &str)) -> Query {
    let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
    Query {
        principal: Principal {
            id: id.to_string(),
            attrs: Map::from_iter([
                ("email".to_string(), json!(format!("{id}@example.com"))),
                ("name".to_string(), json!(id)),
            ]),
            role_parents: roles.iter().map(|r| (r.clone(), Vec::new())).collect(),
            roles,
        },
        action_type: action.0.to_string(),
        action: action.1.to_string(),
        resource: Resource {
            kind: resource.0.to_string(),
            id: resource.1.to_string(),
            properties: Map::new(),
        },
        context: json!({}),
    }
}
