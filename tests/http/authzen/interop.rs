//! The AuthZEN resource-search interop shape: records with an owner and a department, and
//! the rules people write for them ("the owner may view", "anyone in the record's
//! department may view", "a manager may edit and delete in their department unless the
//! record is locked"). Every user's search answer must carry a complete plan (no
//! `unsupported` residual), and that plan must select exactly the records that
//! `/access/v1/evaluation` allows one by one.

use super::*;
use warden::app::{Actor, UserInput};
use warden::plan::eval::Subject;

/// The records app: its schema and rules beside the shipped ones. A department is a role,
/// so `principal in resource.department` asks whether the caller holds it (directly or
/// through a parent role).
const SCHEMA: &str = r#"
entity Record {
  owner: User,
  department: Role,
  title: String,
  tags: Set<String>,
};

action view, edit, delete appliesTo {
  principal: User,
  resource: Record,
  context: {},
};

action manage appliesTo {
  principal: User,
  resource: Role,
  context: {},
};
"#;

const RULES: &str = r#"
@id("records.owner-view")
permit (principal, action == Action::"view", resource)
when { resource.owner == principal };

@id("records.department-view")
permit (principal, action == Action::"view", resource)
when { principal in resource.department };

@id("records.owner-edit")
permit (principal, action == Action::"edit", resource)
when { principal == resource.owner };

@id("records.manager-edit")
permit (principal in Role::"MANAGERS", action in [Action::"edit", Action::"delete"], resource)
when { principal in resource.department };

@id("records.manager-manage")
permit (principal in Role::"MANAGERS", action == Action::"manage", resource)
when { principal in resource };

@id("records.locked")
forbid (principal, action == Action::"delete", resource)
when { resource.tags.contains("locked") };
"#;

/// (id, owner, department, tags)
const RECORDS: [(&str, &str, &str, &[&str]); 8] = [
    ("r1", "rick", "SALES", &[]),
    ("r2", "rick", "ENGINEERING", &["locked"]),
    ("r3", "morty", "ENGINEERING", &[]),
    ("r4", "summer", "SALES", &["locked"]),
    ("r5", "beth", "SALES_EMEA", &[]),
    ("r6", "jerry", "OPS", &[]),
    ("r7", "morty", "SALES_EMEA", &["draft"]),
    ("r8", "summer", "ENGINEERING", &["locked", "draft"]),
];

/// (user, roles): beth leads EMEA sales, a child role of SALES, so she is "in" SALES
/// through the hierarchy as well as in SALES_EMEA.
const USERS: [(&str, &[&str]); 6] = [
    ("rick", &["USER", "SALES", "MANAGERS"]),
    ("morty", &["USER", "ENGINEERING"]),
    ("summer", &["USER", "SALES"]),
    ("beth", &["USER", "SALES_EMEA", "MANAGERS"]),
    ("jerry", &["USER"]),
    ("nobody", &[]),
];

fn interop_pdp() -> (Pdp, tempfile::TempDir) {
    let dir = tempfile::TempDir::new().unwrap();
    let policies = dir.path().join("policies");
    copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"),
        &policies,
    );
    let schema = policies.join("schema.cedarschema");
    let shipped = std::fs::read_to_string(&schema).unwrap();
    std::fs::write(&schema, format!("{SCHEMA}\n{shipped}")).unwrap();
    std::fs::write(policies.join("records.cedar"), RULES).unwrap();
    let app = spawn_app_with(|c| c.policies = policies.clone());
    let core = &app.state.app;
    for (role, parents) in [
        ("SALES", &[][..]),
        ("ENGINEERING", &[]),
        ("OPS", &[]),
        ("MANAGERS", &[]),
        ("SALES_EMEA", &["SALES".to_string()][..]),
    ] {
        block(core.create_role(&Actor::Cli, role, parents)).unwrap();
    }
    for (user, roles) in USERS {
        block(core.create_user(
            &Actor::Cli,
            UserInput {
                id: Some(user.into()),
                email: format!("{user}@example.com"),
                name: user.into(),
                roles: roles.iter().map(|r| r.to_string()).collect(),
                password: None,
            },
        ))
        .unwrap();
    }
    let (_, key) = block(app.state.app.store().create_client("interop", None)).unwrap();
    (Pdp { app, key }, dir)
}

fn properties(owner: &str, department: &str, tags: &[&str]) -> serde_json::Map<String, Value> {
    json!({
        "owner": {"type": "User", "id": owner},
        "department": {"type": "Role", "id": department},
        "title": "a record",
        "tags": tags,
    })
    .as_object()
    .unwrap()
    .clone()
}

#[test]
fn every_search_plan_is_complete_and_selects_what_evaluation_allows() {
    let (p, _dir) = interop_pdp();
    let mut cases = 0;
    let mut allowed_somewhere = 0;
    for (user, _) in USERS {
        for action in ["view", "edit", "delete"] {
            let r = p.call(
                "/access/v1/search/resource",
                &json!({
                    "subject": {"type": "user", "id": user},
                    "action": {"name": action},
                    "resource": {"type": "Record"},
                }),
            );
            assert_eq!(r.status, 200, "{user} {action}: {}", r.text);
            let answer = r.json();
            assert_eq!(answer["enumerated"], false, "{user} {action}");
            let plan: warden::plan::Plan = serde_json::from_value(answer["plan"].clone()).unwrap();
            assert!(
                plan.unsupported.is_empty(),
                "{user} {action}: the plan is not complete: {:?}",
                plan.unsupported
            );
            for (id, owner, department, tags) in RECORDS {
                let props = properties(owner, department, tags);
                let single = p
                    .call(
                        "/access/v1/evaluation",
                        &json!({
                            "subject": {"type": "user", "id": user},
                            "action": {"name": action},
                            "resource": {"type": "Record", "id": id, "properties": props},
                        }),
                    )
                    .json();
                let by_plan = plan.allows(&Subject {
                    kind: "Record",
                    id,
                    properties: &props,
                });
                assert_eq!(
                    by_plan,
                    single["decision"].as_bool(),
                    "{user} {action} {id}: the plan says {by_plan:?}, evaluation {single}"
                );
                allowed_somewhere += usize::from(by_plan == Some(true));
            }
            cases += 1;
        }
    }
    assert_eq!(cases, 18);
    // The scenario is not trivially all-deny: department members see their department's
    // records, managers edit them, locked ones are not deleted.
    assert!(allowed_somewhere > 10, "{allowed_somewhere}");
}

#[test]
fn a_department_plan_names_the_department_and_its_ancestors() {
    let (p, _dir) = interop_pdp();
    let plan = p
        .call(
            "/access/v1/search/resource",
            &json!({
                "subject": {"type": "user", "id": "beth"},
                "action": {"name": "view"},
                "resource": {"type": "Record"},
            }),
        )
        .json()["plan"]
        .clone();
    assert_eq!(plan["kind"], "conditional", "{plan}");
    assert_eq!(plan["unsupported"], json!([]), "{plan}");
    // beth holds SALES_EMEA, whose parent is SALES: both departments' records are hers to
    // view, and no other department's.
    let text = plan["condition"].to_string();
    for department in ["SALES_EMEA", "SALES"] {
        assert!(
            text.contains(&format!(r#"{{"id":"{department}","type":"Role"}}"#))
                || text.contains(&format!(r#"{{"type":"Role","id":"{department}"}}"#)),
            "{department} missing from {text}"
        );
    }
    assert!(!text.contains("ENGINEERING"), "{text}");
}

/// Roles are resources warden holds: a search over them comes back listed, each decided on
/// its own, and the plan agrees with the list.
#[test]
fn roles_are_listed_and_agree_with_the_plan() {
    let (p, _dir) = interop_pdp();
    for (user, expected) in [
        ("rick", &["MANAGERS", "SALES", "USER"][..]),
        ("beth", &["MANAGERS", "SALES", "SALES_EMEA", "USER"]),
        ("morty", &[]),
    ] {
        let mut found = Vec::new();
        let mut page = json!({"limit": 2});
        for _ in 0..5 {
            let answer = p
                .call(
                    "/access/v1/search/resource",
                    &json!({
                        "subject": {"type": "user", "id": user},
                        "action": {"name": "manage"},
                        "resource": {"type": "Role"},
                        "page": page,
                    }),
                )
                .json();
            assert_eq!(answer["enumerated"], true, "{answer}");
            assert_eq!(answer["plan"]["unsupported"], json!([]), "{answer}");
            let plan: warden::plan::Plan = serde_json::from_value(answer["plan"].clone()).unwrap();
            for r in answer["results"].as_array().unwrap() {
                assert_eq!(r["type"], "Role");
                let id = r["id"].as_str().unwrap().to_string();
                let none = serde_json::Map::new();
                assert_eq!(
                    plan.allows(&Subject {
                        kind: "Role",
                        id: &id,
                        properties: &none
                    }),
                    Some(true),
                    "{user}: {id} listed but the plan denies it"
                );
                found.push(id);
            }
            let next = answer["page"]["next_token"].as_str().unwrap().to_string();
            if next.is_empty() {
                break;
            }
            page = json!({"limit": 2, "token": next});
        }
        assert_eq!(found, expected, "{user}");
    }
}
