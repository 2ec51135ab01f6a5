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
