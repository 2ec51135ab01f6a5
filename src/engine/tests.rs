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

#[test]
fn policy_ids_come_from_annotations_or_file_and_position() {
    let dir = dir_with(&[
        ("schema.cedarschema", SCHEMA),
        (
            "a.cedar",
            "@id(\"read-own\")\npermit(principal, action == Action::\"read\", resource) when { resource.owner == principal };\n\npermit(principal in Role::\"ADMIN\", action, resource);\n",
        ),
    ]);
    let bundle = load_dir(dir.path()).unwrap();
    let ids: Vec<_> = bundle
        .info
        .iter()
        .map(|p| (p.id.as_str(), p.line))
        .collect();
    assert_eq!(ids, vec![("read-own", 1), ("a.cedar#1", 4)]);
}

#[test]
fn duplicate_ids_name_both_files() {
    let dir = dir_with(&[
        (
            "a.cedar",
            "@id(\"same\")\npermit(principal, action, resource);\n",
        ),
        (
            "b.cedar",
            "\n@id(\"same\")\nforbid(principal, action, resource);\n",
        ),
    ]);
    let err = load_dir(dir.path()).err().unwrap();
    assert_eq!(err.diagnostics.len(), 1);
    let d = &err.diagnostics[0];
    assert_eq!(d.file, "b.cedar");
    assert_eq!(d.line, 2);
    assert!(
        d.message.contains("duplicate policy id \"same\"") && d.message.contains("a.cedar"),
        "{d}"
    );
}

#[test]
fn parse_errors_carry_file_line_and_column() {
    let dir = dir_with(&[(
        "bad.cedar",
        "permit(principal, action, resource);\n\npermit(principal, action resource);\n",
    )]);
    let err = load_dir(dir.path()).err().unwrap();
    let d = &err.diagnostics[0];
    assert_eq!((d.file.as_str(), d.line), ("bad.cedar", 3), "{d}");
    assert!(d.column > 1, "{d}");
    assert!(d
        .source_line
        .as_deref()
        .unwrap()
        .contains("action resource"));
    assert!(d.render().contains("--> bad.cedar:3:"));
}

#[test]
fn strict_schema_validation_refuses_unknown_attributes_and_types() {
    let dir = dir_with(&[
        ("schema.cedarschema", SCHEMA),
        ("p.cedar", "permit(principal, action == Action::\"read\", resource)\nwhen { resource.colour == \"red\" };\n"),
    ]);
    let err = load_dir(dir.path()).err().unwrap();
    let d = &err.diagnostics[0];
    assert_eq!(d.file, "p.cedar");
    assert_eq!(d.line, 2, "{d}");
    assert!(d.message.contains("colour"), "{d}");

    let dir = dir_with(&[
        ("schema.cedarschema", SCHEMA),
        (
            "p.cedar",
            "permit(principal is Nobody, action, resource);\n",
        ),
    ]);
    assert!(load_dir(dir.path()).is_err());

    let dir = dir_with(&[
        ("schema.cedarschema", "entity User {"),
        ("p.cedar", "permit(principal, action, resource);"),
    ]);
    let err = load_dir(dir.path()).err().unwrap();
    assert_eq!(err.diagnostics[0].file, "schema.cedarschema");
}

#[test]
fn empty_directory_is_an_error() {
    let dir = dir_with(&[]);
    let err = load_dir(dir.path()).err().unwrap();
    assert!(err.to_string().contains("no policy files"));
    assert!(load_dir(&dir.path().join("missing")).is_err());
}

#[test]
fn decides_with_reasons_and_role_hierarchy() {
    let dir = dir_with(&[
        ("schema.cedarschema", SCHEMA),
        (
            "p.cedar",
            "@id(\"user-read\")\npermit(principal in Role::\"USER\", action == Action::\"read\", resource);\n\
             @id(\"admin-delete\")\npermit(principal in Role::\"ADMIN\", action == Action::\"delete\", resource);\n",
        ),
    ]);
    let engine = Engine::load(dir.path()).unwrap();
    // ADMIN inherits USER through the hierarchy.
    let admin = principal("ann", &["ADMIN"], &[("ADMIN", &["USER"]), ("USER", &[])]);
    let d = engine.decide(&query(admin.clone(), "read", "bob", json!({})));
    assert_eq!(
        d,
        Decision {
            allowed: true,
            reasons: vec!["user-read".into()],
            errors: vec![]
        }
    );
    assert!(
        engine
            .decide(&query(admin, "delete", "bob", json!({})))
            .allowed
    );

    let user = principal("bob", &["USER"], &[("USER", &[])]);
    let d = engine.decide(&query(user, "delete", "bob", json!({})));
    assert_eq!(
        d,
        Decision {
            allowed: false,
            reasons: vec![],
            errors: vec![]
        }
    );
}

#[test]
fn evaluation_errors_fail_closed_even_when_a_permit_matches() {
    // The forbid errors (optional attribute read without a `has` check would not validate,
    // so run without a schema): Cedar alone would skip it and allow.
    let dir = dir_with(&[(
        "p.cedar",
        "@id(\"all\")\npermit(principal, action, resource);\n\
         @id(\"no-secrets\")\nforbid(principal, action, resource) when { resource.secret };\n",
    )]);
    let engine = Engine::load(dir.path()).unwrap();
    let p = principal("bob", &[], &[]);
    let d = engine.decide(&query(p.clone(), "read", "bob", json!({})));
    assert!(
        !d.allowed,
        "an erroring forbid must not let the permit through"
    );
    assert_eq!(d.errors.len(), 1, "{d:?}");
    assert!(d.reasons.is_empty());
    assert!(
        !engine
            .decide(&query(p.clone(), "read", "bob", json!({"secret": true})))
            .allowed
    );
    assert!(
        engine
            .decide(&query(p, "read", "bob", json!({"secret": false})))
            .allowed
    );
}

#[test]
fn bad_requests_deny_with_an_error() {
    let dir = dir_with(&[
        ("schema.cedarschema", SCHEMA),
        ("p.cedar", "permit(principal, action, resource);\n"),
    ]);
    let engine = Engine::load(dir.path()).unwrap();
    let p = principal("bob", &[], &[]);
    // Unknown action, resource type not in the schema, context not in the schema.
    let mut q = query(p.clone(), "fly", "bob", json!({}));
    assert!(!engine.decide(&q).allowed);
    q.action = "read".into();
    q.resource.kind = "Spaceship".into();
    let d = engine.decide(&q);
    assert!(!d.allowed && !d.errors.is_empty());
    let mut q = query(p.clone(), "read", "bob", json!({}));
    q.context = json!({"extra": 1});
    assert!(!engine.decide(&q).allowed);
    let mut q = query(p, "read", "bob", json!({}));
    q.resource.kind = "not a type".into();
    assert!(!engine.decide(&q).allowed);
}

#[test]
fn a_callers_prepared_entities_follow_every_change_to_the_principal() {
    // The bundle keeps a caller's entities by user id; an entry built from another version
    // of the principal (a role taken away, a parent role changed, an attribute changed)
    // must never answer for the new one.
    let dir = dir_with(&[
        ("schema.cedarschema", SCHEMA),
        (
            "p.cedar",
            "@id(\"admin-delete\")\npermit(principal in Role::\"ADMIN\", action == Action::\"delete\", resource);\n\
             @id(\"named\")\npermit(principal, action == Action::\"read\", resource) when { principal.name == \"ann\" };\n",
        ),
    ]);
    let engine = Engine::load(dir.path()).unwrap();
    let admin = principal("ann", &["ADMIN"], &[("ADMIN", &[])]);
    assert!(
        engine
            .decide(&query(admin.clone(), "delete", "bob", json!({})))
            .allowed
    );
    assert_eq!(engine.bundle().principals.len(), 1);
    // The role taken away: denied at once, with the same user id.
    let demoted = principal("ann", &["USER"], &[("USER", &[])]);
    assert!(
        !engine
            .decide(&query(demoted.clone(), "delete", "bob", json!({})))
            .allowed
    );
    // ADMIN reached only through a parent: allowed; the parent removed: denied.
    let inherits = principal("ann", &["OPS"], &[("OPS", &["ADMIN"]), ("ADMIN", &[])]);
    assert!(
        engine
            .decide(&query(inherits, "delete", "bob", json!({})))
            .allowed
    );
    let orphan = principal("ann", &["OPS"], &[("OPS", &[])]);
    assert!(
        !engine
            .decide(&query(orphan, "delete", "bob", json!({})))
            .allowed
    );
    // An attribute changed.
    assert!(
        engine
            .decide(&query(demoted.clone(), "read", "bob", json!({})))
            .allowed
    );
    let mut renamed = demoted;
    renamed.attrs.insert("name".into(), json!("someone else"));
    assert!(
        !engine
            .decide(&query(renamed.clone(), "read", "bob", json!({})))
            .allowed
    );
    // A principal whose attributes do not fit the schema is refused, and not kept.
    renamed.attrs.insert("name".into(), json!(7));
    let d = engine.decide(&query(renamed, "read", "bob", json!({})));
    assert!(
        !d.allowed && d.errors[0].contains("bad entity data"),
        "{d:?}"
    );
    // A reload starts with no callers kept.
    fs::write(
        dir.path().join("p.cedar"),
        "permit(principal, action, resource);\n",
    )
    .unwrap();
    engine.reload().unwrap();
    assert_eq!(engine.bundle().principals.len(), 0);
}

#[test]
fn contexts_decide_as_cedars_json_parser_reads_them() {
    // Plain contexts are converted without Cedar's JSON parser; anything the schema types
    // otherwise (an `ipaddr` given as a string, an entity, a record) goes through the
    // parser. Both must decide exactly as the parser alone would.
    const CTX_SCHEMA: &str = r#"
entity Role in [Role];
entity User in [Role] { email: String, name: String };
entity Doc { owner: User };
action read appliesTo { principal: User, resource: Doc, context: {
  hour: Long, mfa?: Bool, tags?: Set<String>, ip?: ipaddr, by?: User, at?: { zone: String }
} };
"#;
    let dir = dir_with(&[
        ("schema.cedarschema", CTX_SCHEMA),
        (
            "p.cedar",
            "@id(\"day\")\npermit(principal, action, resource) when { context.hour >= 9 && context.hour < 17 };\n\
             @id(\"no-mfa\")\nforbid(principal, action, resource) when { context has mfa && !context.mfa };\n\
             @id(\"tagged\")\nforbid(principal, action, resource) when { context has tags && context.tags.contains(\"blocked\") };\n\
             @id(\"local\")\nforbid(principal, action, resource) when { context has ip && !context.ip.isLoopback() };\n\
             @id(\"self\")\nforbid(principal, action, resource) when { context has by && context.by != principal };\n\
             @id(\"zone\")\nforbid(principal, action, resource) when { context has at && context.at.zone == \"mars\" };\n",
        ),
    ]);
    let engine = Engine::load(dir.path()).unwrap();
    let bundle = engine.bundle();
    let p = principal("bob", &[], &[]);
    let read = entity_uid("Action", "read").unwrap();
    let cases = [
        (json!({"hour": 10}), Some(true)),
        (json!({"hour": 20}), Some(false)),
        (json!({"hour": 10, "mfa": true}), Some(true)),
        (json!({"hour": 10, "mfa": false}), Some(false)),
        (json!({"hour": 10, "tags": ["a", "b"]}), Some(true)),
        (json!({"hour": 10, "tags": ["a", "blocked"]}), Some(false)),
        // Typed by the schema: only Cedar's parser reads these.
        (json!({"hour": 10, "ip": "127.0.0.1"}), Some(true)),
        (json!({"hour": 10, "ip": "10.0.0.1"}), Some(false)),
        (
            json!({"hour": 10, "by": {"type": "User", "id": "bob"}}),
            Some(true),
        ),
        (
            json!({"hour": 10, "by": {"type": "User", "id": "eve"}}),
            Some(false),
        ),
        (json!({"hour": 10, "at": {"zone": "earth"}}), Some(true)),
        (json!({"hour": 10, "at": {"zone": "mars"}}), Some(false)),
        // Refused, by either path, with an error.
        (json!({"hour": "10"}), None),
        (json!({"hour": 10.5}), None),
        (json!({"hour": 10, "mfa": "yes"}), None),
        (json!({"hour": 10, "tags": [1, 2]}), None),
        (json!({"hour": 10, "extra": 1}), None),
        (json!({}), None),
        (json!(null), None),
        (json!({"hour": 10, "ip": "not an address"}), None),
    ];
    for (context, expected) in cases {
        let mut q = query(p.clone(), "read", "bob", json!({}));
        q.context = context.clone();
        let d = engine.decide(&q);
        // The reference: Cedar's JSON parser alone, as every decision used before.
        let reference = match Context::from_json_value(
            if context.is_null() {
                json!({})
            } else {
                context.clone()
            },
            bundle.schema.as_ref().map(|s| (s, &read)),
        ) {
            Err(_) => None,
            Ok(c) => Request::new(
                entity_uid("User", "bob").unwrap(),
                read.clone(),
                entity_uid("Doc", "d1").unwrap(),
                c,
                bundle.schema.as_ref(),
            )
            .ok()
            .map(|_| d.allowed),
        };
        match expected {
            Some(allowed) => {
                assert_eq!(d.allowed, allowed, "{context}: {d:?}");
                assert!(d.errors.is_empty(), "{context}: {d:?}");
                assert_eq!(reference, Some(allowed), "{context}");
            }
            None => {
                assert!(!d.allowed && !d.errors.is_empty(), "{context}: {d:?}");
                assert_eq!(reference, None, "Cedar's parser refuses {context} too");
            }
        }
    }
}

#[test]
fn reload_replaces_the_bundle_or_keeps_the_old_one() {
    let dir = dir_with(&[(
        "p.cedar",
        "@id(\"one\")\npermit(principal, action, resource);\n",
    )]);
    let engine = Engine::load(dir.path()).unwrap();
    let outcomes = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = outcomes.clone();
    engine.observe_reloads(move |outcome| seen.lock().unwrap().push(outcome.is_ok()));
    let p = principal("bob", &[], &[]);
    assert!(
        engine
            .decide(&query(p.clone(), "read", "bob", json!({})))
            .allowed
    );

    fs::write(
        dir.path().join("p.cedar"),
        "@id(\"two\")\nforbid(principal, action, resource);\n",
    )
    .unwrap();
    assert_eq!(engine.reload().unwrap(), 1);
    let d = engine.decide(&query(p.clone(), "read", "bob", json!({})));
    assert_eq!(d.reasons, vec!["two".to_string()]);
    assert!(!d.allowed);

    fs::write(dir.path().join("p.cedar"), "permit(principal, action,").unwrap();
    let err = engine.reload().err().unwrap();
    assert_eq!(engine.last_error(), Some(err));
    // The old bundle keeps serving.
    assert_eq!(
        engine.decide(&query(p, "read", "bob", json!({}))).reasons,
        vec!["two".to_string()]
    );
    assert_eq!(
        *outcomes.lock().unwrap(),
        vec![true, false],
        "observers see each outcome"
    );
}

#[test]
fn shipped_policies_load_and_decide_the_classic_rule() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let engine = Engine::load(&dir).unwrap();
    let mut q = query(
        principal("ann", &["ADMIN"], &[("ADMIN", &["USER"]), ("USER", &[])]),
        "deleteUserResource",
        "x",
        json!({}),
    );
    q.resource = Resource {
        kind: "UserResource".into(),
        id: "r1".into(),
        properties: Map::new(),
    };
    let d = engine.decide(&q);
    assert_eq!(
        d.reasons,
        vec!["app.admin-delete-user-resource".to_string()]
    );
    assert!(d.allowed);
    q.principal = principal("bob", &["USER"], &[("USER", &[])]);
    assert!(!engine.decide(&q).allowed);
}

mod index_equivalence {
    //! The policy index must decide exactly as plain Cedar over the whole set: same
    //! decision, same reasons, same errors, on random policies and random requests.
    use super::super::synth::{self, Rng, Shape};
    use super::super::*;
    use serde_json::json;

    fn check(bundle: &PolicyBundle, queries: &[Query]) -> (usize, usize, usize) {
        let authorizer = Authorizer::new();
        let (mut allows, mut forbids, mut errors) = (0, 0, 0);
        for q in queries {
            let indexed = decide_in(Mode::Indexed, &authorizer, bundle, q);
            let whole = decide_in(Mode::WholeSet, &authorizer, bundle, q);
            assert_eq!(indexed, whole, "query {q:?}");
            allows += usize::from(indexed.allowed);
            forbids += usize::from(!indexed.allowed && !indexed.reasons.is_empty());
            errors += usize::from(!indexed.errors.is_empty());
        }
        (allows, forbids, errors)
    }

    #[test]
    fn synthetic_applications_with_a_schema() {
        let mut totals = (0, 0, 0);
        for seed in 1..=12u64 {
            for n in [5, 60, 400] {
                let bundle = synth::bundle(n, seed).unwrap();
                let shape = Shape::for_policies(n);
                let mut rng = Rng::new(seed * 7919 + n as u64);
                let queries: Vec<Query> = (0..150).map(|_| synth::query(&mut rng, shape)).collect();
                let (a, f, e) = check(&bundle, &queries);
                totals = (totals.0 + a, totals.1 + f, totals.2 + e);
            }
        }
        // The test means something only if both outcomes and forbids occur.
        assert!(
            totals.0 > 100 && totals.1 > 20,
            "allows, forbids, errors: {totals:?}"
        );
    }

    /// Random policies without a schema, so that conditions can error at run time.
    fn random_policies(rng: &mut Rng, n: usize) -> String {
        let principal = |rng: &mut Rng| match rng.below(6) {
            0 => "principal".to_string(),
            1 => format!("principal == User::\"u{}\"", rng.below(5)),
            2 => format!("principal in Role::\"r{}\"", rng.below(4)),
            3 => "principal is User".to_string(),
            4 => format!("principal is User in Role::\"r{}\"", rng.below(4)),
            _ => format!("principal in User::\"u{}\"", rng.below(5)),
        };
        let action = |rng: &mut Rng| match rng.below(4) {
            0 => "action".to_string(),
            1 => format!("action == Action::\"a{}\"", rng.below(4)),
            2 => format!(
                "action in [Action::\"a{}\", Action::\"a{}\"]",
                rng.below(4),
                rng.below(4)
            ),
            _ => format!("action in Action::\"a{}\"", rng.below(4)),
        };
        let resource = |rng: &mut Rng| match rng.below(5) {
            0 => "resource".to_string(),
            1 => format!("resource == Doc::\"d{}\"", rng.below(4)),
            2 => format!("resource in Folder::\"f{}\"", rng.below(3)),
            3 => "resource is Doc".to_string(),
            _ => format!("resource == User::\"u{}\"", rng.below(5)),
        };
        let condition = |rng: &mut Rng| match rng.below(6) {
            0 => String::new(),
            1 => "when { resource.secret }".to_string(),
            2 => format!("when {{ resource.level > {} }}", rng.below(5)),
            3 => "unless { context.ok }".to_string(),
            4 => "when { resource.owner == principal }".to_string(),
            _ => format!("when {{ context has n && context.n < {} }}", rng.below(5)),
        };
        (0..n)
            .map(|i| {
                let effect = if rng.chance(30) { "forbid" } else { "permit" };
                format!(
                    "@id(\"q{i}\")\n{effect}({}, {}, {}) {};\n",
                    principal(rng),
                    action(rng),
                    resource(rng),
                    condition(rng)
                )
            })
            .collect()
    }

    fn random_query(rng: &mut Rng) -> Query {
        let roles: Vec<String> = (0..rng.below(3))
            .map(|_| format!("r{}", rng.below(4)))
            .collect();
        let mut properties = Map::new();
        if rng.chance(60) {
            properties.insert("secret".into(), json!(rng.chance(50)));
        }
        if rng.chance(60) {
            properties.insert("level".into(), json!(rng.below(6)));
        }
        if rng.chance(50) {
            properties.insert(
                "owner".into(),
                json!({"__entity": {"type": "User", "id": format!("u{}", rng.below(5))}}),
            );
        }
        let mut context = Map::new();
        if rng.chance(50) {
            context.insert("ok".into(), json!(rng.chance(50)));
        }
        if rng.chance(50) {
            context.insert("n".into(), json!(rng.below(6)));
        }
        let kind = if rng.chance(80) { "Doc" } else { "User" };
        Query {
            principal: Principal {
                id: format!("u{}", rng.below(5)),
                attrs: Map::new(),
                role_parents: roles
                    .iter()
                    .map(|r| {
                        (
                            r.clone(),
                            if rng.chance(30) {
                                vec!["r0".to_string()]
                            } else {
                                vec![]
                            },
                        )
                    })
                    .collect(),
                roles,
            },
            action_type: "Action".into(),
            action: format!("a{}", rng.below(4)),
            resource: Resource {
                kind: kind.into(),
                id: format!("{}{}", if kind == "Doc" { "d" } else { "u" }, rng.below(5)),
                properties,
            },
            context: Value::Object(context),
        }
    }

    #[test]
    fn random_policies_and_requests_without_a_schema() {
        let mut totals = (0, 0, 0);
        for seed in 1..=60u64 {
            let mut rng = Rng::new(seed);
            let n = 1 + rng.below(40);
            let text = random_policies(&mut rng, n);
            let bundle = load_sources(None, &[("p.cedar".to_string(), text)], None).unwrap();
            let queries: Vec<Query> = (0..80).map(|_| random_query(&mut rng)).collect();
            let (a, f, e) = check(&bundle, &queries);
            totals = (totals.0 + a, totals.1 + f, totals.2 + e);
        }
        assert!(
            totals.0 > 50 && totals.1 > 50 && totals.2 > 50,
            "allows, forbids, errors: {totals:?}"
        );
    }

    #[test]
    fn links_file_links_templates() {
        let bundle = synth::bundle(200, 3).unwrap();
        let links = bundle.info.iter().filter(|p| p.file == LINKS_FILE).count();
        assert!(links > 5, "{links}");
        let bad = load_sources(
            None,
            &[(
                "p.cedar".to_string(),
                "@id(\"t\")\npermit(principal == ?principal, action, resource);\n".to_string(),
            )],
            Some("[{\"template\": \"nope\", \"id\": \"x\", \"values\": {}}]"),
        );
        let err = bad.err().unwrap();
        assert!(err.to_string().contains("unknown template"), "{err}");
        assert!(load_sources(
            None,
            &[(
                "p.cedar".to_string(),
                "permit(principal, action, resource);".to_string()
            )],
            Some("{")
        )
        .is_err());
    }
}

#[test]
fn property_values_follow_cedars_json_format_and_bad_ones_deny() {
    let dir = dir_with(&[(
        "p.cedar",
        "@id(\"net\")\npermit(principal, action, resource) when { resource.addr.isInRange(ip(\"10.0.0.0/8\")) && resource.tags.contains(\"x\") && resource.meta.n == 2 };\n",
    )]);
    let engine = Engine::load(dir.path()).unwrap();
    let p = principal("bob", &[], &[]);
    let mut q = query(
        p,
        "read",
        "bob",
        json!({
            "addr": {"__extn": {"fn": "ip", "arg": "10.1.2.3"}},
            "tags": ["x", "y"],
            "meta": {"n": 2},
        }),
    );
    assert!(engine.decide(&q).allowed, "{:?}", engine.decide(&q));
    for bad in [
        json!(null),
        json!(1.5),
        json!({"__extn": {"fn": "nope", "arg": "x"}}),
        json!({"__entity": {"type": "User"}}),
    ] {
        q.resource.properties.insert("meta".into(), bad.clone());
        let d = engine.decide(&q);
        assert!(!d.allowed && !d.errors.is_empty(), "{bad}: {d:?}");
    }
}

#[test]
fn semicolons_in_strings_and_comments_do_not_split_policies() {
    let dir = dir_with(&[(
        "p.cedar",
        "// a comment; with a semicolon\npermit(principal, action, resource)\nwhen { context.s == \"a;b\\\";c\" }; // trailing; comment\n\n@id(\"x;y\")\nforbid(principal, action, resource) when { context.s == \"//;\" };\n",
    )]);
    let bundle = load_dir(dir.path()).unwrap();
    let ids: Vec<_> = bundle
        .info
        .iter()
        .map(|p| (p.id.as_str(), p.line, p.effect))
        .collect();
    assert_eq!(ids, vec![("p.cedar#0", 2, "permit"), ("x;y", 5, "forbid")]);
    let engine = Engine::load(dir.path()).unwrap();
    let mut q = query(principal("bob", &[], &[]), "read", "bob", json!({}));
    q.context = json!({"s": "a;b\";c"});
    assert_eq!(engine.decide(&q).reasons, vec!["p.cedar#0".to_string()]);
    q.context = json!({"s": "//;"});
    assert_eq!(engine.decide(&q).reasons, vec!["x;y".to_string()]);
    // A statement without its semicolon is still reported, at its place.
    let dir = dir_with(&[(
        "p.cedar",
        "permit(principal, action, resource);\npermit(principal, action, resource)\n",
    )]);
    let err = load_dir(dir.path()).err().unwrap();
    assert_eq!(err.diagnostics[0].file, "p.cedar");
    assert!(err.diagnostics[0].line >= 2, "{}", err);
}

#[test]
fn large_sets_are_validated_in_parts_and_still_catch_every_error() {
    use super::synth::{self, Shape};
    let (schema, mut files, links) = synth::sources(1500, Shape::for_policies(1500), 9);
    files[0].1.push_str("@id(\"bad\")\npermit(principal, action == Action::\"a1\", resource) when { resource.nope };\n");
    let err = load_sources(Some(("schema.cedarschema", &schema)), &files, Some(&links))
        .err()
        .unwrap();
    assert_eq!(err.diagnostics.len(), 1, "{err}");
    assert_eq!(err.diagnostics[0].policy_id.as_deref(), Some("bad"));
}

#[test]
fn actions_and_entity_references_parse_one_way_everywhere() {
    assert_eq!(
        parse_action("deleteUserResource"),
        Ok(("Action".into(), "deleteUserResource".into()))
    );
    assert_eq!(
        parse_action("Warden::Action::\"users.read\""),
        Ok(("Warden::Action".into(), "users.read".into()))
    );
    // Ids may hold `::` and escaped quotes; splitting on the last `::` would get them wrong.
    assert_eq!(
        parse_entity_ref(r#"Document::"a::b\"c""#),
        Ok(("Document".into(), "a::b\"c".into()))
    );
    assert!(parse_entity_ref("not a uid").is_err());
    assert!(parse_action("Action::unquoted").is_err());
}

mod plans {
    use super::*;
    use crate::plan::{eval::Subject, Expr, PlanKind};

    const SCHEMA: &str = r#"
entity Role in [Role];
entity User in [Role] { email: String, name: String };
entity Doc { owner: User, level: Long, tags: Set<String>, title?: String, public: Bool };
action read, edit, delete, audit appliesTo { principal: User, resource: Doc, context: { ip_ok?: Bool } };
"#;

    fn plan_of(policies: &str, p: Principal, action: &str) -> crate::plan::Plan {
        let dir = dir_with(&[("schema.cedarschema", SCHEMA), ("p.cedar", policies)]);
        let engine = Engine::load(dir.path()).unwrap();
        plan_with(
            &engine.bundle(),
            &PlanQuery {
                principal: p,
                action_type: "Action".into(),
                action: action.into(),
                resource_type: "Doc".into(),
                context: json!({}),
            },
        )
        .unwrap()
    }

    const POLICIES: &str = r#"
@id("admin-all") permit(principal in Role::"ADMIN", action, resource);
@id("owner-edit") permit(principal, action == Action::"edit", resource) when { resource.owner == principal };
@id("public-read") permit(principal, action == Action::"read", resource) when { resource.public && resource.level < 3 };
@id("no-secret") forbid(principal, action == Action::"read", resource) when { resource has title && resource.title like "secret*" };
@id("no-delete-tagged") forbid(principal, action == Action::"delete", resource) when { resource.tags.contains("keep") };
@id("audit-listed") permit(principal, action == Action::"audit", resource) when { [1, 2].contains(resource.level) || resource == Doc::"d9" };
"#;

    #[test]
    fn residuals_become_the_tree() {
        let alice = principal("alice", &["USER"], &[("USER", &[])]);
        let plan = plan_of(POLICIES, alice.clone(), "edit");
        assert_eq!(plan.kind, PlanKind::Conditional);
        assert_eq!(plan.reasons, vec!["owner-edit".to_string()]);
        assert_eq!(
            serde_json::to_value(plan.condition.unwrap()).unwrap(),
            json!({"op":"==","left":{"attr":"resource.owner"},"right":{"entity":{"type":"User","id":"alice"}}})
        );
        let plan = plan_of(POLICIES, alice.clone(), "read");
        assert_eq!(
            serde_json::to_value(plan.condition.unwrap()).unwrap(),
            json!({"op":"and","args":[
                {"op":"==","left":{"attr":"resource.public"},"right":{"value":true}},
                {"op":"<","left":{"attr":"resource.level"},"right":{"value":3}},
                {"op":"not","arg":{"op":"and","args":[
                    {"op":"has","attr":"resource.title"},
                    {"op":"like","left":{"attr":"resource.title"},"pattern":"secret*"}]}}
            ]})
        );
        let plan = plan_of(POLICIES, alice, "audit");
        assert_eq!(
            serde_json::to_value(plan.condition.unwrap()).unwrap(),
            json!({"op":"or","args":[
                {"op":"in","left":{"attr":"resource.level"},"right":{"value":[1,2]}},
                {"op":"==","left":{"attr":"resource"},"right":{"entity":{"type":"Doc","id":"d9"}}}
            ]})
        );
    }

    #[test]
    fn kinds_fold_from_the_principal() {
        let admin = principal("root", &["ADMIN"], &[("ADMIN", &[])]);
        let plan = plan_of(POLICIES, admin.clone(), "edit");
        assert_eq!(plan.kind, PlanKind::AlwaysAllowed);
        assert_eq!(plan.condition, Some(Expr::True));
        assert_eq!(
            plan.reasons,
            vec!["admin-all".to_string(), "owner-edit".to_string()]
        );
        // A forbid with a residual stays even beside a satisfied permit.
        let plan = plan_of(POLICIES, admin, "delete");
        assert_eq!(
            serde_json::to_value(plan.condition.unwrap()).unwrap(),
            json!({"op":"not","arg":{"op":"contains","left":{"attr":"resource.tags"},"right":{"value":"keep"}}})
        );
        let nobody = principal("bob", &[], &[]);
        let plan = plan_of(POLICIES, nobody, "delete");
        assert_eq!(plan.kind, PlanKind::AlwaysDenied);
        assert_eq!(plan.condition, Some(Expr::False));
    }

    #[test]
    fn what_the_tree_cannot_say_is_reported_not_guessed() {
        let policies = r#"
@id("sum") permit(principal, action == Action::"read", resource) when { resource.level + 1 > 3 };
@id("forbid-sum") forbid(principal, action == Action::"edit", resource) when { resource.level + 1 > 3 };
"#;
        let alice = principal("alice", &[], &[]);
        let plan = plan_of(policies, alice.clone(), "read");
        assert_eq!(plan.kind, PlanKind::Conditional, "{plan:?}");
        assert_eq!(plan.condition, None);
        assert!(
            plan.unsupported[0].starts_with("sum: "),
            "{:?}",
            plan.unsupported
        );
        // An inexpressible forbid with nothing permitted: still exactly "nothing".
        let plan = plan_of(policies, alice, "edit");
        assert_eq!(plan.kind, PlanKind::AlwaysDenied);
    }

    #[test]
    fn the_plan_agrees_with_single_decisions_on_the_shipped_policies() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
        let engine = Engine::load(&dir).unwrap();
        let alice = principal("alice", &["USER"], &[("USER", &[])]);
        let plan = plan_with(
            &engine.bundle(),
            &PlanQuery {
                principal: alice.clone(),
                action_type: "Action".into(),
                action: "editDocument".into(),
                resource_type: "Document".into(),
                context: json!({}),
            },
        )
        .unwrap();
        for owner in ["alice", "bob"] {
            let properties = json!({"owner": {"type": "User", "id": owner}})
                .as_object()
                .cloned()
                .unwrap();
            let decision = engine.decide(&Query {
                principal: alice.clone(),
                action_type: "Action".into(),
                action: "editDocument".into(),
                resource: Resource {
                    kind: "Document".into(),
                    id: "d".into(),
                    properties: properties.clone(),
                },
                context: json!({}),
            });
            let subject = Subject {
                kind: "Document",
                id: "d",
                properties: &properties,
            };
            assert_eq!(plan.allows(&subject), Some(decision.allowed), "{owner}");
        }
    }

    #[test]
    fn a_plan_without_a_schema_or_for_an_unknown_action_is_an_error() {
        let dir = dir_with(&[("p.cedar", "permit(principal, action, resource);")]);
        let engine = Engine::load(dir.path()).unwrap();
        let q = PlanQuery {
            principal: principal("a", &[], &[]),
            action_type: "Action".into(),
            action: "read".into(),
            resource_type: "Doc".into(),
            context: json!({}),
        };
        assert!(plan_with(&engine.bundle(), &q)
            .unwrap_err()
            .contains("schema"));
        let dir = dir_with(&[("schema.cedarschema", SCHEMA), ("p.cedar", POLICIES)]);
        let engine = Engine::load(dir.path()).unwrap();
        let q = PlanQuery {
            action: "fly".into(),
            ..q
        };
        assert!(plan_with(&engine.bundle(), &q)
            .unwrap_err()
            .contains("unknown action"));
    }
}

mod plan_property {
    //! For random policies, principals and resources: the plan's condition evaluated on every
    //! resource gives exactly the single decision, and its SQL translation run on a real table
    //! of those resources selects exactly the allowed ones, on SQLite and on PostgreSQL (one
    //! definition, run per back end). (The project's own deterministic generator, as the
    //! index-equivalence test uses, rather than proptest: the same bounded cases run every
    //! time, in a few seconds.)
    use super::super::synth::Rng;
    use super::*;
    use crate::plan::eval::Subject;
    use crate::plan::sql::{where_fragment, Columns, Dialect, Fragment};

    const SCHEMA: &str = r#"
entity Role in [Role];
entity User in [Role] { email: String, name: String };
entity Doc {
  owner: User, level: Long, title: String, subtitle?: String, public: Bool,
  tags: Set<String>, editors: Set<User>, codes: Set<Long>,
};
action view appliesTo { principal: User, resource: Doc, context: {} };
"#;

    fn atom(rng: &mut Rng) -> String {
        let k = rng.below(4);
        match rng.below(20) {
            17 => format!("resource.level + 1 > {k}"),
            18 => format!("resource.codes.contains({k})"),
            19 => "resource.codes.containsAny([1, 2])".into(),
            0 => "resource.owner == principal".into(),
            1 => format!("resource.owner == User::\"u{k}\""),
            2 => format!(
                "resource.level {} {k}",
                ["==", "!=", "<", "<=", ">", ">="][rng.below(6)]
            ),
            3 => format!("resource.title == \"t{k}\""),
            4 => format!(
                "resource.title like \"{}\"",
                ["t*", "*1", "t*2*", "a\\*b", "T*", "*"][rng.below(6)]
            ),
            5 => "(resource has subtitle && resource.subtitle like \"s*\")".into(),
            6 => "resource.public".into(),
            7 => format!("resource.tags.contains(\"a{k}\")"),
            8 => "resource.tags.containsAny([\"a1\", \"a2\"])".into(),
            9 => "resource.tags.containsAll([\"a0\", \"a1\"])".into(),
            10 => "resource.editors.contains(principal)".into(),
            11 => "[1, 2].contains(resource.level)".into(),
            12 => format!("principal in Role::\"r{}\"", rng.below(3)),
            13 => format!("resource == Doc::\"d{k}\""),
            14 => "(if resource.public then resource.level > 2 else resource.owner == principal)"
                .into(),
            15 => format!("resource.title != \"t{k}\""),
            _ => "(resource has subtitle && resource.subtitle == resource.title)".into(),
        }
    }

    fn condition(rng: &mut Rng, depth: usize) -> String {
        if depth == 0 || rng.chance(40) {
            return atom(rng);
        }
        match rng.below(3) {
            0 => format!(
                "({} && {})",
                condition(rng, depth - 1),
                condition(rng, depth - 1)
            ),
            1 => format!(
                "({} || {})",
                condition(rng, depth - 1),
                condition(rng, depth - 1)
            ),
            _ => format!("!{}", condition(rng, depth - 1)),
        }
    }

    fn policies(rng: &mut Rng) -> String {
        (0..1 + rng.below(5))
            .map(|i| {
                let effect = if rng.chance(30) { "forbid" } else { "permit" };
                let principal = match rng.below(4) {
                    0 | 1 => "principal".to_string(),
                    2 => format!("principal in Role::\"r{}\"", rng.below(3)),
                    _ => format!("principal == User::\"u{}\"", rng.below(4)),
                };
                let resource = if rng.chance(15) {
                    format!("resource == Doc::\"d{}\"", rng.below(6))
                } else {
                    "resource".to_string()
                };
                let clause = match rng.below(4) {
                    0 => String::new(),
                    1 => format!("unless {{ {} }}", condition(rng, 2)),
                    _ => format!("when {{ {} }}", condition(rng, 2)),
                };
                format!("@id(\"p{i}\")\n{effect}({principal}, action == Action::\"view\", {resource}) {clause};\n")
            })
            .collect()
    }

    fn resources(rng: &mut Rng) -> Vec<Map<String, Value>> {
        (0..12)
            .map(|_| {
                let mut m = Map::new();
                m.insert("owner".into(), json!({"__entity": {"type": "User", "id": format!("u{}", rng.below(4))}}));
                m.insert("level".into(), json!(rng.below(5)));
                m.insert(
                    "title".into(),
                    json!(["t0", "t1", "t2", "T1", "a*b", "axb", "t12"][rng.below(7)]),
                );
                if rng.chance(50) {
                    m.insert("subtitle".into(), json!(["s1", "t1", "x"][rng.below(3)]));
                }
                m.insert("public".into(), json!(rng.chance(50)));
                let tags: Vec<String> = (0..rng.below(3)).map(|_| format!("a{}", rng.below(4))).collect();
                m.insert("tags".into(), json!(tags));
                let editors: Vec<Value> = (0..rng.below(3))
                    .map(|_| json!({"__entity": {"type": "User", "id": format!("u{}", rng.below(4))}}))
                    .collect();
                m.insert("editors".into(), json!(editors));
                let codes: Vec<usize> = (0..rng.below(3)).map(|_| rng.below(4)).collect();
                m.insert("codes".into(), json!(codes));
                m
            })
            .collect()
    }

    fn entity_id(v: &Value) -> String {
        v["__entity"]["id"].as_str().unwrap().to_string()
    }

    /// The resources as rows of a table `docs` on one back end: entity references as ids, an
    /// absent optional attribute as NULL, sets as JSON arrays (SQLite) or arrays (PostgreSQL).
    trait Table {
        const DIALECT: Dialect;
        /// Make `docs` afresh with these resources, `d0`, `d1`, ... (the seed varies the
        /// column types where the back end has several).
        fn load(&mut self, seed: u64, docs: &[Map<String, Value>]);
        /// The ids of the rows the fragment selects.
        fn select(&mut self, fragment: &Fragment) -> Vec<String>;
    }

    struct Sqlite(rusqlite::Connection);

    impl Table for Sqlite {
        const DIALECT: Dialect = Dialect::Sqlite;

        fn load(&mut self, _seed: u64, docs: &[Map<String, Value>]) {
            self.0
                .execute_batch(
                    "DROP TABLE IF EXISTS docs;
                     CREATE TABLE docs (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL,
                       level INTEGER NOT NULL, title TEXT NOT NULL, subtitle TEXT,
                       public INTEGER NOT NULL, tags TEXT NOT NULL, editors TEXT NOT NULL,
                       codes TEXT NOT NULL)",
                )
                .unwrap();
            for (i, d) in docs.iter().enumerate() {
                self.0
                    .execute(
                        "INSERT INTO docs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                        rusqlite::params![
                            format!("d{i}"),
                            entity_id(&d["owner"]),
                            d["level"].as_i64().unwrap(),
                            d["title"].as_str().unwrap(),
                            d.get("subtitle").and_then(Value::as_str),
                            d["public"].as_bool().unwrap(),
                            d["tags"].to_string(),
                            serde_json::to_string(&editors(d)).unwrap(),
                            d["codes"].to_string(),
                        ],
                    )
                    .unwrap();
            }
        }

        fn select(&mut self, fragment: &Fragment) -> Vec<String> {
            let mut stmt = self
                .0
                .prepare(&format!("SELECT id FROM docs WHERE {}", fragment.sql))
                .unwrap();
            stmt.query_map(rusqlite::params_from_iter(fragment.params.iter()), |r| {
                r.get(0)
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
        }
    }

    /// A database of the PostgreSQL test cluster, spoken to with tokio-postgres (the
    /// parameters bind through their `tokio_postgres::types::ToSql`).
    struct Postgres {
        runtime: tokio::runtime::Runtime,
        client: tokio_postgres::Client,
    }

    impl Postgres {
        /// `None`: skipped, as `testkit::database_or_skip` rules.
        fn connect() -> Option<Postgres> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let client = runtime.block_on(async {
                let url =
                    crate::testkit::database_or_skip("plans_agree_with_decisions_and_with_sql")
                        .await?;
                let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                tokio::spawn(connection);
                Some(client)
            })?;
            Some(Postgres { runtime, client })
        }
    }

    impl Table for Postgres {
        const DIALECT: Dialect = Dialect::Postgres;

        /// Every whole-number column is `int2`, `int4` or `int8` and every string column
        /// `text` or `varchar`, by seed, so that the parameters meet each type.
        fn load(&mut self, seed: u64, docs: &[Map<String, Value>]) {
            let int = ["INT2", "INT4", "INT8"][(seed % 3) as usize];
            let text = ["TEXT", "VARCHAR(40)"][(seed / 3 % 2) as usize];
            let create = format!(
                "DROP TABLE IF EXISTS docs;
                 CREATE TABLE docs (id {text} PRIMARY KEY, owner_id {text} NOT NULL,
                   level {int} NOT NULL, title {text} NOT NULL, subtitle {text},
                   public BOOLEAN NOT NULL, tags {text}[] NOT NULL, editors {text}[] NOT NULL,
                   codes {int}[] NOT NULL)"
            );
            self.runtime.block_on(async {
                self.client.batch_execute(&create).await.unwrap();
                for (i, d) in docs.iter().enumerate() {
                    let tags: Vec<String> = d["tags"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|t| t.as_str().unwrap().to_owned())
                        .collect();
                    let codes: Vec<i64> = d["codes"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| c.as_i64().unwrap())
                        .collect();
                    // Typed as text and int8 here; stored as the columns' types.
                    self.client
                        .execute(
                            "INSERT INTO docs VALUES ($1::text, $2::text, $3::int8, $4::text,
                               $5::text, $6, $7::text[], $8::text[], $9::int8[])",
                            &[
                                &format!("d{i}"),
                                &entity_id(&d["owner"]),
                                &d["level"].as_i64().unwrap(),
                                &d["title"].as_str().unwrap(),
                                &d.get("subtitle").and_then(Value::as_str),
                                &d["public"].as_bool().unwrap(),
                                &tags,
                                &editors(d),
                                &codes,
                            ],
                        )
                        .await
                        .unwrap();
                }
            });
        }

        fn select(&mut self, fragment: &Fragment) -> Vec<String> {
            let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = fragment
                .params
                .iter()
                .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
                .collect();
            // `id::text`: the column may be varchar.
            let sql = format!("SELECT id::text FROM docs WHERE {}", fragment.sql);
            self.runtime.block_on(async {
                self.client
                    .query(&sql, &params)
                    .await
                    .unwrap_or_else(|e| panic!("{sql} {:?}: {e:?}", fragment.params))
                    .iter()
                    .map(|row| row.get(0))
                    .collect()
            })
        }
    }

    fn editors(d: &Map<String, Value>) -> Vec<String> {
        d["editors"]
            .as_array()
            .unwrap()
            .iter()
            .map(entity_id)
            .collect()
    }

    fn columns() -> Columns {
        [
            ("resource", "id"),
            ("resource.owner", "owner_id"),
            ("resource.level", "level"),
            ("resource.title", "title"),
            ("resource.subtitle", "subtitle"),
            ("resource.public", "public"),
            ("resource.tags", "tags"),
            ("resource.editors", "editors"),
            ("resource.codes", "codes"),
        ]
        .into_iter()
        .map(|(a, c)| (a.to_string(), c.to_string()))
        .collect()
    }

    mod plans_agree_with_decisions_and_with_sql {
        use super::*;

        #[test]
        fn sqlite() {
            check(Sqlite(rusqlite::Connection::open_in_memory().unwrap()));
        }

        #[test]
        fn postgres() {
            if let Some(db) = Postgres::connect() {
                check(db);
            }
        }
    }

    fn check<T: Table>(mut db: T) {
        let (mut allowed_total, mut denied_total, mut conditional) = (0, 0, 0);
        let mut unsupported = 0;
        for seed in 1..=140u64 {
            let mut rng = Rng::new(seed);
            let text = policies(&mut rng);
            let dir = dir_with(&[("schema.cedarschema", SCHEMA), ("p.cedar", &text)]);
            let engine = match Engine::load(dir.path()) {
                Ok(e) => e,
                // Rarely, a random policy does not validate (an always-false comparison the
                // validator flags): not the plan's business.
                Err(_) => continue,
            };
            let docs = resources(&mut rng);
            db.load(seed, &docs);
            for _ in 0..3 {
                let roles: Vec<String> = (0..rng.below(3))
                    .map(|_| format!("r{}", rng.below(3)))
                    .collect();
                let parents: Vec<(String, Vec<String>)> =
                    roles.iter().map(|r| (r.clone(), Vec::new())).collect();
                let mut attrs = Map::new();
                let id = format!("u{}", rng.below(4));
                attrs.insert("email".into(), json!(format!("{id}@example.com")));
                attrs.insert("name".into(), json!(id.clone()));
                let p = Principal {
                    id,
                    attrs,
                    roles,
                    role_parents: parents,
                };
                let plan = engine
                    .plan(&PlanQuery {
                        principal: p.clone(),
                        action_type: "Action".into(),
                        action: "view".into(),
                        resource_type: "Doc".into(),
                        context: json!({}),
                    })
                    .unwrap();
                if !plan.unsupported.is_empty() {
                    // Never a wrong condition: none at all, and no SQL.
                    assert_eq!(plan.condition, None);
                    assert!(where_fragment(&plan, T::DIALECT, &columns(), 1).is_err());
                    unsupported += 1;
                    continue;
                }
                conditional += usize::from(plan.kind == crate::plan::PlanKind::Conditional);
                let mut expected = Vec::new();
                for (i, properties) in docs.iter().enumerate() {
                    let id = format!("d{i}");
                    let decision = engine.decide(&Query {
                        principal: p.clone(),
                        action_type: "Action".into(),
                        action: "view".into(),
                        resource: Resource {
                            kind: "Doc".into(),
                            id: id.clone(),
                            properties: properties.clone(),
                        },
                        context: json!({}),
                    });
                    assert!(
                        decision.errors.is_empty(),
                        "seed {seed}: {:?}",
                        decision.errors
                    );
                    let subject = Subject {
                        kind: "Doc",
                        id: &id,
                        properties,
                    };
                    assert_eq!(
                        plan.allows(&subject),
                        Some(decision.allowed),
                        "seed {seed}, {id} {properties:?}\npolicies:\n{text}\nplan: {}",
                        serde_json::to_string(&plan).unwrap()
                    );
                    if decision.allowed {
                        allowed_total += 1;
                        expected.push(id);
                    } else {
                        denied_total += 1;
                    }
                }
                let fragment = where_fragment(&plan, T::DIALECT, &columns(), 1).unwrap();
                let mut selected = db.select(&fragment);
                selected.sort();
                expected.sort();
                assert_eq!(
                    selected, expected,
                    "seed {seed}\npolicies:\n{text}\nsql: {} {:?}",
                    fragment.sql, fragment.params
                );
            }
        }
        // The test means something only if all outcomes occur often.
        assert!(
            allowed_total > 500 && denied_total > 500 && conditional > 100 && unsupported > 5,
            "allowed {allowed_total}, denied {denied_total}, conditional plans {conditional}, unsupported {unsupported}"
        );
    }
}
