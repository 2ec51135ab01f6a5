//! The impact preview's replay on tiny bundles, a brute-force cross-check over random rows,
//! and `impact_of` on a real SQLite store.

use super::*;
use crate::engine::{load_sources, Engine};
use crate::publishing::ImpactGroup;
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::json;
use std::collections::BTreeMap;

const SCHEMA: &str = r#"
entity Role in [Role];
entity User in [Role] { email: String, name: String };
entity Document { owner: User, secret?: Bool };
action read, edit, remove appliesTo {
  principal: User,
  resource: Document,
  context: { mfa?: Bool },
};
"#;

/// RBAC and ownership: readers read, editors edit, owners do everything, nothing secret
/// is read without MFA.
const BASE: &str = r#"
@id("readers-read")
permit(principal in Role::"READER", action == Action::"read", resource);
@id("editors-edit")
permit(principal in Role::"EDITOR", action in [Action::"read", Action::"edit"], resource);
@id("owners")
permit(principal, action, resource) when { resource.owner == principal };
@id("secret-needs-mfa")
forbid(principal, action == Action::"read", resource)
  when { resource has secret && resource.secret } unless { context has mfa && context.mfa };
"#;

fn bundle(policies: &str) -> PolicyBundle {
    load_sources(
        Some(("schema.cedarschema", SCHEMA)),
        &[("p.cedar".to_string(), policies.to_string())],
        None,
    )
    .unwrap()
}

/// EDITOR is a child of READER.
fn graph() -> BTreeMap<String, Vec<String>> {
    BTreeMap::from([
        ("READER".to_string(), vec![]),
        ("EDITOR".to_string(), vec!["READER".to_string()]),
    ])
}

fn user(id: &str, roles: &[&str]) -> Principal {
    let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
    identity::principal_from(
        id,
        &format!("{id}@example.com"),
        id,
        Default::default(),
        &roles,
        &graph(),
    )
}

/// The directory: ann reads, ed edits, olga holds no role; everyone else is unknown.
fn directory(key: &str) -> Option<Principal> {
    match key {
        "ann" => Some(user("ann", &["READER"])),
        "ed" => Some(user("ed", &["EDITOR"])),
        "olga" => Some(user("olga", &[])),
        _ => None,
    }
}

/// A logged row about document `doc` owned by `owner`.
fn row(
    id: i64,
    who: &str,
    action: &str,
    doc: &str,
    owner: &str,
    logged: DecisionKind,
) -> DecisionRow {
    DecisionRow {
        id,
        at: 1_000 + id,
        request_id: format!("r{id}"),
        client: format!("user:{who}"),
        principal: format!("User::{who:?}"),
        action: action.to_string(),
        resource: format!("Document::{doc:?}"),
        decision: logged,
        reasons: vec![],
        errors: vec![],
        latency_us: 1,
        properties: json!({"owner": {"type": "User", "id": owner}}),
        context: json!({}),
        address: String::new(),
    }
}

use DecisionKind::{Allow, Deny, Plan};

fn group<'a>(report: &'a ImpactReport, policy: &str) -> &'a ImpactGroup {
    report
        .groups
        .iter()
        .find(|g| g.policy == policy)
        .unwrap_or_else(|| panic!("no group {policy}: {report:#?}"))
}

#[test]
fn a_new_forbid_turns_allows_into_denies_grouped_by_the_forbid() {
    let active = bundle(BASE);
    let candidate = bundle(&format!(
        "{BASE}\n@id(\"no-edits\")\nforbid(principal, action == Action::\"edit\", resource);"
    ));
    let rows = [
        row(3, "ed", "edit", "d1", "olga", Allow),
        row(2, "ed", "read", "d1", "olga", Allow),
        row(1, "olga", "edit", "d2", "olga", Allow),
    ];
    let r = replay(&rows, &directory, &active, &candidate);
    assert_eq!(
        (r.replayed, r.allow_to_deny, r.deny_to_allow),
        (3, 2, 0),
        "{r:#?}"
    );
    assert_eq!((r.drifted, r.capped), (0, 0));
    assert_eq!(r.groups.len(), 1, "{r:#?}");
    let g = group(&r, "no-edits");
    assert_eq!((g.allow_to_deny, g.deny_to_allow), (2, 0));
    let listed: Vec<(i64, &str, &str)> = g
        .requests
        .iter()
        .map(|q| (q.decision_id, q.before.as_str(), q.after.as_str()))
        .collect();
    assert_eq!(listed, [(3, "allow", "deny"), (1, "allow", "deny")]);
    assert_eq!(g.requests[0].principal, "User::\"ed\"");
    assert_eq!(g.requests[0].resource, "Document::\"d1\"");
}

#[test]
fn a_new_permit_turns_denies_into_allows_grouped_by_the_permit() {
    let active = bundle(BASE);
    let candidate = bundle(&format!(
        "{BASE}\n@id(\"readers-edit\")\npermit(principal in Role::\"READER\", action == Action::\"edit\", resource);"
    ));
    let rows = [
        row(2, "ann", "edit", "d1", "olga", Deny),
        row(1, "olga", "edit", "d1", "ed", Deny),
    ];
    let r = replay(&rows, &directory, &active, &candidate);
    assert_eq!(
        (r.replayed, r.allow_to_deny, r.deny_to_allow),
        (2, 0, 1),
        "{r:#?}"
    );
    let g = group(&r, "readers-edit");
    assert_eq!((g.allow_to_deny, g.deny_to_allow), (0, 1));
    assert_eq!(g.requests[0].decision_id, 2);
    assert_eq!(
        (g.requests[0].before.as_str(), g.requests[0].after.as_str()),
        ("deny", "allow")
    );
}

#[test]
fn a_removed_permit_is_the_group_of_the_denies_it_leaves() {
    let active = bundle(BASE);
    let candidate = bundle(&BASE.replace(
        "@id(\"readers-read\")\npermit(principal in Role::\"READER\", action == Action::\"read\", resource);",
        "",
    ));
    assert_ne!(candidate.info.len(), active.info.len());
    let rows = [
        row(2, "ann", "read", "d1", "olga", Allow),
        // ed still reads through editors-edit: unchanged.
        row(1, "ed", "read", "d1", "olga", Allow),
    ];
    let r = replay(&rows, &directory, &active, &candidate);
    assert_eq!(
        (r.replayed, r.allow_to_deny, r.deny_to_allow),
        (2, 1, 0),
        "{r:#?}"
    );
    assert_eq!(r.groups.len(), 1);
    assert_eq!(group(&r, "readers-read").allow_to_deny, 1);
}

#[test]
fn the_same_set_changes_nothing() {
    let active = bundle(BASE);
    let candidate = bundle(BASE);
    let rows = [
        row(2, "ann", "read", "d1", "olga", Allow),
        row(1, "ann", "edit", "d1", "olga", Deny),
    ];
    let r = replay(&rows, &directory, &active, &candidate);
    assert_eq!(
        (r.replayed, r.allow_to_deny, r.deny_to_allow, r.drifted),
        (2, 0, 0, 0),
        "{r:#?}"
    );
    assert!(r.groups.is_empty());
    assert!(
        r.caveats
            .iter()
            .any(|c| c.contains("as the directory has them now")),
        "{:?}",
        r.caveats
    );
    assert!(!r.caveats.iter().any(|c| c.starts_with("error:")));
}

#[test]
fn a_row_whose_active_replay_differs_from_its_log_line_is_drifted() {
    let active = bundle(BASE);
    // ann was an editor when she edited; she only reads now.
    let rows = [
        row(2, "ann", "edit", "d1", "olga", Allow),
        row(1, "ann", "read", "d1", "olga", Allow),
    ];
    let r = replay(&rows, &directory, &active, &active);
    assert_eq!(
        (r.replayed, r.drifted, r.allow_to_deny),
        (2, 1, 0),
        "{r:#?}"
    );
    assert!(r
        .caveats
        .iter()
        .any(|c| c.starts_with("1 decisions replay differently")));
}

#[test]
fn capped_rows_are_counted_and_replayed_as_logged() {
    let active = bundle(BASE);
    let mut capped_properties = row(2, "ann", "read", "d1", "olga", Allow);
    capped_properties.properties = json!({"truncated": 9000});
    let mut capped_context = row(1, "ann", "read", "d1", "olga", Allow);
    capped_context.context = json!({"truncated": 5000});
    // A small object that merely has the key is not the marker.
    let mut not_capped = row(0, "ann", "read", "d1", "olga", Allow);
    not_capped.context = json!({"truncated": 3});
    let r = replay(
        &[capped_properties, capped_context, not_capped],
        &directory,
        &active,
        &active,
    );
    assert_eq!((r.replayed, r.capped), (3, 2), "{r:#?}");
    // As logged: a document without its owner, a context the schema refuses: denied now,
    // so they drift; the small one with an unknown context key is refused too.
    assert_eq!(r.drifted, 3, "{r:#?}");
    assert!(r
        .caveats
        .iter()
        .any(|c| c.starts_with("2 decisions had their properties")));
}

#[test]
fn plan_and_search_rows_are_not_replayed() {
    let active = bundle(BASE);
    let mut plan = row(3, "ann", "read", "*", "olga", Plan);
    plan.resource = "Document::\"*\"".into();
    let mut search = row(2, "ann", "read", "d1", "olga", Allow);
    search.principal = "search:User".into();
    let rows = [plan, search, row(1, "ann", "read", "d1", "olga", Allow)];
    let r = replay(
        &rows,
        &directory,
        &active,
        &bundle("forbid(principal, action, resource);"),
    );
    assert_eq!((r.replayed, r.allow_to_deny), (1, 1), "{r:#?}");
    assert!(r
        .caveats
        .iter()
        .any(|c| c == "1 query plans are not replayed"));
    assert!(r
        .caveats
        .iter()
        .any(|c| c == "1 resource searches (AuthZEN) are not replayed"));
}

#[test]
fn a_user_deleted_since_is_denied_under_both_sets() {
    let active = bundle(BASE);
    let candidate = bundle("permit(principal, action, resource);");
    let mut authzen = row(1, "gone", "read", "d1", "olga", Deny);
    authzen.principal = "User:gone@example.com".into();
    let rows = [row(2, "gone", "read", "d1", "gone", Allow), authzen];
    let r = replay(&rows, &directory, &active, &candidate);
    // Allowed by everything under the candidate, yet nothing flips: nobody to allow.
    assert_eq!(
        (r.replayed, r.allow_to_deny, r.deny_to_allow, r.drifted),
        (2, 0, 0, 1),
        "{r:#?}"
    );
    assert!(
        r.caveats
            .iter()
            .any(|c| c.starts_with("2 replayed decisions of 2 users no longer in the directory")),
        "{:?}",
        r.caveats
    );
}

#[test]
fn each_distinct_caller_is_looked_up_once() {
    let active = bundle(BASE);
    let asked = std::cell::RefCell::new(Vec::new());
    let counting = |key: &str| {
        asked.borrow_mut().push(key.to_string());
        directory(key)
    };
    let rows: Vec<DecisionRow> = (0..50)
        .map(|i| {
            row(
                i,
                ["ann", "ed", "zed"][i as usize % 3],
                "read",
                "d",
                "olga",
                Allow,
            )
        })
        .collect();
    let r = replay(&rows, &counting, &active, &active);
    assert_eq!(r.replayed, 50);
    let mut asked = asked.into_inner();
    asked.sort();
    assert_eq!(asked, ["ann", "ed", "zed"]);
}

#[test]
fn malformed_rows_are_an_error_caveat_never_a_crash() {
    let active = bundle(BASE);
    let open = bundle("permit(principal, action, resource);");
    let mut bad_resource = row(4, "ann", "read", "d1", "olga", Deny);
    bad_resource.resource = "Document::d1\"".into();
    let mut bad_principal = row(3, "ann", "read", "d1", "olga", Deny);
    bad_principal.principal = "Robot::\"r2\"".into();
    let mut bad_action = row(2, "ann", "read", "d1", "olga", Deny);
    bad_action.action = "Action::read".into();
    let mut bad_properties = row(1, "ann", "read", "d1", "olga", Deny);
    bad_properties.properties = json!([1, 2]);
    let rows = [
        bad_resource,
        bad_principal,
        bad_action,
        bad_properties,
        row(0, "ann", "read", "d1", "olga", Allow),
    ];
    let r = replay(&rows, &directory, &active, &open);
    // Nothing of the malformed rows is allowed or counted as a flip.
    assert_eq!(
        (r.replayed, r.allow_to_deny, r.deny_to_allow),
        (1, 0, 0),
        "{r:#?}"
    );
    let error = r
        .caveats
        .iter()
        .find(|c| c.starts_with("error: 4 logged decisions could not be rebuilt"))
        .unwrap_or_else(|| panic!("{:?}", r.caveats));
    assert!(
        error.contains("decision 4: resource: invalid entity"),
        "{error}"
    );
}

#[test]
fn a_denied_admin_read_logged_by_its_bare_name_is_warden_s_action() {
    let row = DecisionRow {
        action: "users.read".into(),
        resource: "Warden::Resource::\"users\"".into(),
        context: json!({}),
        ..row(1, "ann", "read", "d", "olga", Deny)
    };
    let rebuilt = rebuild(&row).unwrap();
    assert_eq!(rebuilt.action_type, "Warden::Action");
    assert_eq!(rebuilt.action, "users.read");
    assert_eq!(rebuilt.context, json!({"grants": []}));
    // An app action of that name on an app resource stays the app's.
    let app = DecisionRow {
        resource: "Document::\"d\"".into(),
        ..row.clone()
    };
    assert_eq!(rebuild(&app).unwrap().action_type, "Action");
}

#[test]
fn logged_callers_are_read_in_each_form_the_log_writes() {
    assert_eq!(logged_user("User::\"ann\""), Ok(Some("ann")));
    assert_eq!(
        logged_user("User:ann@example.com"),
        Ok(Some("ann@example.com"))
    );
    assert_eq!(logged_user("ann"), Ok(Some("ann")));
    assert_eq!(logged_user("search:User"), Ok(None));
    assert!(logged_user("Robot::\"r2\"").is_err());
    assert!(logged_user("User::\"a\\\"b\"").is_err());
    assert!(logged_user("User:").is_err());
}

#[test]
fn groups_are_ordered_by_flips_then_id_and_list_the_newest_twenty() {
    let active = bundle(BASE);
    let candidate = bundle(&format!(
        "{BASE}\n@id(\"b-no-edit\")\nforbid(principal, action == Action::\"edit\", resource);\n\
         @id(\"a-no-remove\")\nforbid(principal, action == Action::\"remove\", resource);\n\
         @id(\"c-no-olga-read\")\nforbid(principal == User::\"olga\", action == Action::\"read\", resource);"
    ));
    let mut rows = Vec::new();
    // Oldest first here, reversed below: 30 edits, 2 removes, 2 reads (a tie with removes).
    for i in 0..30 {
        rows.push(row(i, "ed", "edit", "d", "olga", Allow));
    }
    rows.push(row(30, "olga", "remove", "d", "olga", Allow));
    rows.push(row(31, "olga", "read", "d", "olga", Allow));
    rows.push(row(32, "olga", "remove", "d", "olga", Allow));
    rows.push(row(33, "olga", "read", "d", "olga", Allow));
    rows.reverse();
    let r = replay(&rows, &directory, &active, &candidate);
    assert_eq!(r.allow_to_deny, 34, "{r:#?}");
    let order: Vec<(&str, u64)> = r
        .groups
        .iter()
        .map(|g| (g.policy.as_str(), g.allow_to_deny))
        .collect();
    assert_eq!(
        order,
        [("b-no-edit", 30), ("a-no-remove", 2), ("c-no-olga-read", 2)]
    );
    let edits = &r.groups[0].requests;
    assert_eq!(edits.len(), REQUESTS_PER_GROUP);
    let ids: Vec<i64> = edits.iter().map(|q| q.decision_id).collect();
    assert_eq!(ids, (10..30).rev().collect::<Vec<i64>>());
}

/// Many random rows over the RBAC set: the report's counts equal a replay written here
/// independently (each row decided under both sets with `Engine::decide`, counted).
#[test]
fn counts_equal_a_brute_force_replay() {
    let dir = tempfile::TempDir::new().unwrap();
    let write = |name: &str, policies: &str| {
        let d = dir.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("schema.cedarschema"), SCHEMA).unwrap();
        std::fs::write(d.join("p.cedar"), policies).unwrap();
        Engine::load(&d).unwrap()
    };
    let candidate_text = format!(
        "{}\n@id(\"no-remove\")\nforbid(principal, action == Action::\"remove\", resource) unless {{ principal in Role::\"EDITOR\" }};\n\
         @id(\"readers-edit-own-team\")\npermit(principal in Role::\"READER\", action == Action::\"edit\", resource) when {{ context has mfa && context.mfa }};",
        BASE.replace("@id(\"editors-edit\")", "@id(\"editors-edit\")\n// narrowed:\n")
            .replace("action in [Action::\"read\", Action::\"edit\"]", "action == Action::\"edit\"")
    );
    let active = write("active", BASE);
    let candidate = write("candidate", &candidate_text);
    let users = ["ann", "ed", "olga", "gone"];
    let mut rng = StdRng::seed_from_u64(29);
    let rows: Vec<DecisionRow> = (0..3_000)
        .map(|i| {
            let who = users[rng.gen_range(0..users.len())];
            let action = ["read", "edit", "remove"][rng.gen_range(0..3)];
            let owner = users[rng.gen_range(0..users.len())];
            let mut r = row(
                3_000 - i,
                who,
                action,
                &format!("d{}", rng.gen_range(0..5)),
                owner,
                if rng.gen_bool(0.5) { Allow } else { Deny },
            );
            if rng.gen_bool(0.3) {
                r.properties["secret"] = json!(rng.gen_bool(0.5));
            }
            if rng.gen_bool(0.3) {
                r.context = json!({"mfa": rng.gen_bool(0.5)});
            }
            if rng.gen_bool(0.02) {
                r.decision = Plan;
            }
            r
        })
        .collect();
    let report = replay(&rows, &directory, &active.bundle(), &candidate.bundle());

    // The brute force: no buckets, no caches, one query per row.
    let (mut replayed, mut to_deny, mut to_allow, mut drifted) = (0, 0, 0, 0);
    for r in rows.iter().filter(|r| r.decision != Plan) {
        replayed += 1;
        let who = r
            .principal
            .trim_start_matches("User::\"")
            .trim_end_matches('"');
        let (before, after) = match directory(who) {
            None => (false, false),
            Some(principal) => {
                let query = Query {
                    principal,
                    action_type: "Action".into(),
                    action: r.action.clone(),
                    resource: Resource {
                        kind: "Document".into(),
                        id: r
                            .resource
                            .trim_start_matches("Document::\"")
                            .trim_end_matches('"')
                            .into(),
                        properties: r.properties.as_object().unwrap().clone(),
                    },
                    context: r.context.clone(),
                };
                (
                    active.decide(&query).allowed,
                    candidate.decide(&query).allowed,
                )
            }
        };
        to_deny += u64::from(before && !after);
        to_allow += u64::from(!before && after);
        drifted += u64::from(before != (r.decision == Allow));
    }
    assert!(
        to_deny > 0 && to_allow > 0,
        "the sets must differ both ways: {to_deny} {to_allow}"
    );
    assert_eq!(
        (
            report.replayed,
            report.allow_to_deny,
            report.deny_to_allow,
            report.drifted
        ),
        (replayed, to_deny, to_allow, drifted)
    );
    // Every flip is in at least one group, and a group never counts more than there are.
    let grouped: u64 = report
        .groups
        .iter()
        .map(|g| g.allow_to_deny + g.deny_to_allow)
        .sum();
    assert!(grouped >= to_deny + to_allow);
    assert!(report
        .groups
        .iter()
        .all(|g| g.requests.len() <= REQUESTS_PER_GROUP));
}

/// `impact_of` over a real store.
#[path = "impact_store_tests.rs"]
mod store;
