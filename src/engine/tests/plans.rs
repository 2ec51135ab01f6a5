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

const TEAM_SCHEMA: &str = r#"
entity Role in [Role];
entity User in [Role] { email: String, name: String };
entity Doc {
  owner: User, dept: Role, groups: Set<Role>, title: String,
  meta: { level: Long, label?: String }, extra?: { rank: Long }, tags?: Set<String>,
};
action read appliesTo { principal: User, resource: Doc, context: {} };
action list appliesTo { principal: User, resource: Role, context: {} };
"#;

fn team_plan(policies: &str, p: Principal, action: &str, resource_type: &str) -> crate::plan::Plan {
    let dir = dir_with(&[("schema.cedarschema", TEAM_SCHEMA), ("p.cedar", policies)]);
    let engine = Engine::load(dir.path()).unwrap();
    plan_with(
        &engine.bundle(),
        &PlanQuery {
            principal: p,
            action_type: "Action".into(),
            action: action.into(),
            resource_type: resource_type.into(),
            context: json!({}),
        },
    )
    .unwrap()
}

fn condition_of(plan: &crate::plan::Plan) -> Value {
    assert!(plan.unsupported.is_empty(), "{:?}", plan.unsupported);
    serde_json::to_value(plan.condition.as_ref().unwrap()).unwrap()
}

fn roles(ids: &[&str]) -> Value {
    Value::Array(
        ids.iter()
            .map(|id| json!({"type": "Role", "id": id}))
            .collect(),
    )
}

/// `principal in resource.dept`: the department is the principal or one of its known
/// ancestors of the attribute's type (the AuthZEN interop's "records of my department").
#[test]
fn membership_becomes_a_finite_set_of_known_entities() {
    // alice is an ENGINEER; ENGINEER is in STAFF; STAFF in ALL.
    let alice = principal(
        "alice",
        &["ENGINEER"],
        &[("ENGINEER", &["STAFF"]), ("STAFF", &["ALL"]), ("ALL", &[])],
    );
    let plan = team_plan(
        r#"permit(principal, action == Action::"read", resource) when { principal in resource.dept };"#,
        alice.clone(),
        "read",
        "Doc",
    );
    assert_eq!(
        condition_of(&plan),
        json!({"op":"in","left":{"attr":"resource.dept"},"right":{"value": roles(&["ALL", "ENGINEER", "STAFF"])}})
    );
    // A set attribute: it holds one of them.
    let plan = team_plan(
        r#"permit(principal, action == Action::"read", resource) when { principal in resource.groups };"#,
        alice.clone(),
        "read",
        "Doc",
    );
    assert_eq!(
        condition_of(&plan),
        json!({"op":"or","args":[
            {"op":"contains","left":{"attr":"resource.groups"},"right":{"entity":{"type":"Role","id":"ALL"}}},
            {"op":"contains","left":{"attr":"resource.groups"},"right":{"entity":{"type":"Role","id":"ENGINEER"}}},
            {"op":"contains","left":{"attr":"resource.groups"},"right":{"entity":{"type":"Role","id":"STAFF"}}}
        ]})
    );
    // `resource.dept in Role::"STAFF"`: STAFF or a known descendant (ENGINEER; alice is a
    // User, not a Role, so she is no member of the set).
    let plan = team_plan(
        r#"permit(principal, action == Action::"read", resource) when { resource.dept in Role::"STAFF" };"#,
        alice.clone(),
        "read",
        "Doc",
    );
    assert_eq!(
        condition_of(&plan),
        json!({"op":"in","left":{"attr":"resource.dept"},"right":{"value": roles(&["ENGINEER", "STAFF"])}})
    );
    // `resource in Role::"ALL"` over roles: the resource has no parents in a decision,
    // unless it is one of the principal's known roles.
    let plan = team_plan(
        r#"permit(principal, action == Action::"list", resource in Role::"ALL");"#,
        alice.clone(),
        "list",
        "Role",
    );
    assert_eq!(
        condition_of(&plan),
        json!({"op":"in","left":{"attr":"resource"},"right":{"value": roles(&["ALL", "ENGINEER", "STAFF"])}})
    );
    // Every row agrees with its single decision.
    let dir = dir_with(&[
        ("schema.cedarschema", TEAM_SCHEMA),
        (
            "p.cedar",
            r#"permit(principal, action == Action::"read", resource) when { principal in resource.dept };"#,
        ),
    ]);
    let engine = Engine::load(dir.path()).unwrap();
    let plan = engine
        .plan(&PlanQuery {
            principal: alice.clone(),
            action_type: "Action".into(),
            action: "read".into(),
            resource_type: "Doc".into(),
            context: json!({}),
        })
        .unwrap();
    for dept in ["ENGINEER", "STAFF", "ALL", "SALES", "alice"] {
        let properties =
            json!({"owner": {"type": "User", "id": "bob"}, "dept": {"type": "Role", "id": dept},
            "groups": [], "title": "t", "meta": {"level": 1}})
            .as_object()
            .cloned()
            .unwrap();
        let decision = engine.decide(&Query {
            principal: alice.clone(),
            action_type: "Action".into(),
            action: "read".into(),
            resource: Resource {
                kind: "Doc".into(),
                id: "d".into(),
                properties: properties.clone(),
            },
            context: json!({}),
        });
        assert!(decision.errors.is_empty(), "{:?}", decision.errors);
        let subject = Subject {
            kind: "Doc",
            id: "d",
            properties: &properties,
        };
        assert_eq!(plan.allows(&subject), Some(decision.allowed), "{dept}");
        assert_eq!(
            decision.allowed,
            dept != "SALES" && dept != "alice",
            "{dept}"
        );
    }
}

#[test]
fn is_and_record_paths_reduce_by_the_schema() {
    let alice = principal("alice", &[], &[]);
    let plan = team_plan(
        r#"permit(principal, action == Action::"read", resource is Doc in Doc::"d1")
           when { resource.meta.level > 1 && (resource.meta has label && resource.meta.label like "x*") };"#,
        alice.clone(),
        "read",
        "Doc",
    );
    assert_eq!(
        condition_of(&plan),
        json!({"op":"and","args":[
            {"op":"in","left":{"attr":"resource"},"right":{"value":[{"type":"Doc","id":"d1"}]}},
            {"op":"not","arg":{"op":"<=","left":{"attr":"resource.meta.level"},"right":{"value":1}}},
            {"op":"has","attr":"resource.meta.label"},
            {"op":"like","left":{"attr":"resource.meta.label"},"pattern":"x*"}
        ]})
    );
    let plan = team_plan(
        r#"permit(principal, action == Action::"read", resource) when { resource has extra.rank && resource.extra.rank == 2 };"#,
        alice.clone(),
        "read",
        "Doc",
    );
    let text = condition_of(&plan).to_string();
    assert!(text.contains("resource.extra.rank"), "{text}");
    // An attribute of another entity stays unsupported, with its reason.
    let plan = team_plan(
        r#"permit(principal, action == Action::"read", resource) when { resource.owner.email == "a@example.com" };"#,
        alice,
        "read",
        "Doc",
    );
    assert_eq!(plan.condition, None);
    assert!(
        plan.unsupported[0].contains("another entity"),
        "{:?}",
        plan.unsupported
    );
}

/// Resource data is attacker-controlled: a title with an embedded NUL must not escape a
/// forbid in SQL (SQLite's GLOB stopped at the NUL), and a NUL tag must not equal "".
#[test]
fn rows_holding_nul_get_the_decision_in_sql_too() {
    use crate::plan::sql::{where_fragment, Dialect};
    let policies = r#"
permit(principal, action == Action::"read", resource);
forbid(principal, action == Action::"read", resource) when { resource.title like "*secret*" };
forbid(principal, action == Action::"read", resource) when { resource has tags && resource.tags.contains("") };
"#;
    let plan = team_plan(policies, principal("alice", &[], &[]), "read", "Doc");
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch("CREATE TABLE docs (id TEXT, title TEXT, tags TEXT)")
        .unwrap();
    for (id, title, tags) in [
        ("hidden", "a\0secret", "[]"),
        ("nul-tag", "plain", "[\"\\u0000\"]"),
        ("shown", "plain", "[\"x\"]"),
        ("empty-tag", "plain", "[\"\"]"),
    ] {
        db.execute(
            "INSERT INTO docs VALUES (?1, ?2, ?3)",
            rusqlite::params![id, title, tags],
        )
        .unwrap();
    }
    let columns = [
        ("resource", "id"),
        ("resource.title", "title"),
        ("resource.tags", "tags"),
    ]
    .into_iter()
    .map(|(a, c)| (a.to_string(), c.to_string()))
    .collect();
    let f = where_fragment(&plan, Dialect::Sqlite, &columns, 1).unwrap();
    let mut stmt = db
        .prepare(&format!("SELECT id FROM docs WHERE {} ORDER BY id", f.sql))
        .unwrap();
    let rows: Vec<String> = stmt
        .query_map(rusqlite::params_from_iter(f.params.iter()), |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows, vec!["nul-tag".to_string(), "shown".to_string()]);
}

/// Entities of different types are never equal, but SQL holds an entity as its id only:
/// `resource.owner == Team::"carol"` must not become `owner_id = 'carol'`.
#[test]
fn an_entity_of_another_type_is_never_equal() {
    let carol = principal("carol", &["USER"], &[("USER", &[])]);
    let policies = r#"
@id("p") permit(principal, action == Action::"read", resource) when { resource.owner == Role::"carol" };
@id("q") permit(principal, action == Action::"edit", resource) when { resource.owner != Role::"carol" };
@id("a") permit(principal, action == Action::"delete", resource);
@id("f") forbid(principal, action == Action::"delete", resource) unless { resource.owner == Role::"carol" };
"#;
    assert_eq!(
        plan_of(policies, carol.clone(), "read").kind,
        PlanKind::AlwaysDenied
    );
    assert_eq!(
        plan_of(policies, carol.clone(), "edit").kind,
        PlanKind::AlwaysAllowed
    );
    assert_eq!(
        plan_of(policies, carol, "delete").kind,
        PlanKind::AlwaysDenied
    );
}
