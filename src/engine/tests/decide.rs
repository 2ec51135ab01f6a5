//! Single decisions: reasons, failing closed, the caller's entities, contexts and
//! properties as Cedar's JSON reads them, action and entity names.

use super::*;

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
