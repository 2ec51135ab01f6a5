//! Reading a policy directory: ids, diagnostics, strict validation, reloads, the shipped
//! policies.

use super::*;

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
    use crate::engine::synth::{self, Shape};
    let (schema, mut files, links) = synth::sources(1500, Shape::for_policies(1500), 9);
    files[0].1.push_str("@id(\"bad\")\npermit(principal, action == Action::\"a1\", resource) when { resource.nope };\n");
    let err = load_sources(Some(("schema.cedarschema", &schema)), &files, Some(&links))
        .err()
        .unwrap();
    assert_eq!(err.diagnostics.len(), 1, "{err}");
    assert_eq!(err.diagnostics[0].policy_id.as_deref(), Some("bad"));
}
