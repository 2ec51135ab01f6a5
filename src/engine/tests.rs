use super::*;
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
fn reload_replaces_the_bundle_or_keeps_the_old_one() {
    let dir = dir_with(&[(
        "p.cedar",
        "@id(\"one\")\npermit(principal, action, resource);\n",
    )]);
    let engine = Engine::load(dir.path()).unwrap();
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
    assert_eq!(engine.reloads_failed.load(Ordering::Relaxed), 1);
    assert_eq!(engine.reloads_ok.load(Ordering::Relaxed), 1);
}

#[test]
fn watcher_reloads_after_a_change() {
    let dir = dir_with(&[(
        "p.cedar",
        "@id(\"one\")\npermit(principal, action, resource);\n",
    )]);
    let engine = Arc::new(Engine::load(dir.path()).unwrap());
    engine.watch(Duration::from_millis(20));
    fs::write(
        dir.path().join("q.cedar"),
        "@id(\"two\")\npermit(principal, action, resource);\n",
    )
    .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while engine.bundle().info.len() != 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "watcher never reloaded"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
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
