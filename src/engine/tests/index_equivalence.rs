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
