//! Delegation that cannot escalate (issue 24): every delegated role, docs/admin.md's and one per
//! admin action, tries every way to make itself (or a user it controls) stronger, over real
//! HTTP; each attempt is refused with the permission named, audited, and nothing changes.
//! Then a property test drives the application core with random role graphs, random
//! delegated policies and random operations.

use crate::common::*;
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use warden::admin_action::AdminAction;
use warden::app::{Actor, UserChange, UserInput};

const PASSWORD: &str = "delegate-password-1";

/// The delegation examples of docs/admin.md (the first ```cedar block under "## Delegating
/// safely"), run as written.
fn documented_delegation_policies() -> String {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/admin.md"),
    )
    .unwrap();
    let section = doc.split("\n## Delegating safely\n").nth(1).unwrap();
    section
        .split("```cedar\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap()
        .to_string()
}

fn ok(r: Reply) -> Value {
    assert!(r.status < 300, "{}: {}", r.status, r.text);
    r.json()
}

/// Create `role` (parents `parents`) unless it exists, as the admin.
fn role(app: &TestApp, admin: &str, role: &str, parents: &[&str]) {
    let r = app.call(
        "post",
        "/admin/v1/roles",
        Some(&json!({"name": role, "parents": parents})),
        Some(admin),
    );
    assert!(r.status == 201 || r.status == 409, "{}", r.text);
}

/// Create a user with `roles` and sign it in: its id and token.
fn delegate(app: &TestApp, admin: &str, id: &str, roles: &[&str]) -> (String, String) {
    let email = format!("{id}@example.com");
    ok(app.call(
        "post",
        "/admin/v1/users",
        Some(&json!({"id": id, "email": email, "roles": roles, "password": PASSWORD})),
        Some(admin),
    ));
    let token = app.login(&email, PASSWORD)["token"]
        .as_str()
        .unwrap()
        .to_string();
    (id.to_string(), token)
}

/// What an escalation could change, read straight from the store.
#[derive(Debug, PartialEq)]
struct Snapshot {
    users: Vec<(String, String, Vec<String>, bool)>,
    roles: Vec<(String, Vec<String>)>,
    admin_sessions: usize,
}

fn snapshot(app: &TestApp) -> Snapshot {
    let store = &app.state.app.store();
    let users = block(store.list_users(None, 1000, 0))
        .unwrap()
        .into_iter()
        .map(|u| (u.id, u.email, u.roles, u.disabled))
        .collect();
    let roles = block(store.list_roles())
        .unwrap()
        .into_iter()
        .map(|r| (r.name, r.parents))
        .collect();
    let admin_sessions = block(store.list_sessions(Some("admin"), true))
        .unwrap()
        .len();
    Snapshot {
        users,
        roles,
        admin_sessions,
    }
}

/// The admin actions `user` holds now, as the core computes them.
fn held(app: &TestApp, user: &str) -> BTreeSet<AdminAction> {
    let store = &app.state.app.store();
    let row = block(store.user(user)).unwrap();
    let principal = block(warden::identity::principal_for(store, &row)).unwrap();
    warden::app::delegation::held(&app.state.engine, &principal)
}

/// Every escalation attempt by `token` (user `me`, holding `my_role`): each is refused with
/// a 403 naming a Warden action, and nothing in the directory changes.
fn attempts_are_refused(app: &TestApp, me: &str, my_role: &str, token: &str, admin_sid: &str) {
    let t = Some(token);
    let attempts: Vec<(&str, String, Option<Value>)> = vec![
        (
            "post",
            "/admin/v1/users".into(),
            Some(
                json!({"id": format!("{me}-evil"), "email": format!("{me}-evil@example.com"), "roles": ["ADMIN"], "password": PASSWORD}),
            ),
        ),
        (
            "put",
            format!("/admin/v1/users/{me}/roles"),
            Some(json!({"roles": [my_role, "ADMIN"]})),
        ),
        (
            "put",
            "/admin/v1/users/alice/roles".into(),
            Some(json!({"roles": ["ADMIN"]})),
        ),
        (
            "put",
            format!("/admin/v1/roles/{my_role}"),
            Some(json!({"parents": ["USER", "ADMIN"]})),
        ),
        (
            "put",
            "/admin/v1/roles/EDITOR".into(),
            Some(json!({"parents": ["ADMIN"]})),
        ),
        (
            "post",
            "/admin/v1/roles".into(),
            Some(json!({"name": format!("{my_role}-EVIL"), "parents": ["ADMIN"]})),
        ),
        (
            "post",
            "/admin/v1/users/admin/password".into(),
            Some(json!({"password": "taken-over-password-1"})),
        ),
        (
            "patch",
            "/admin/v1/users/admin".into(),
            Some(json!({"email": format!("{me}-inbox@example.com")})),
        ),
        (
            "patch",
            "/admin/v1/users/admin".into(),
            Some(json!({"disabled": true})),
        ),
        ("post", "/admin/v1/users/admin/revoke".into(), None),
        ("post", "/admin/v1/users/admin/unlock".into(), None),
        ("delete", "/admin/v1/users/admin".into(), None),
        ("delete", format!("/admin/v1/sessions/{admin_sid}"), None),
    ];
    for (method, path, body) in attempts {
        let before = snapshot(app);
        let r = app.call(method, &path, body.as_ref(), t);
        assert_eq!(
            r.status, 403,
            "{me} ({my_role}): {method} {path} {body:?}: {}",
            r.text
        );
        let answer = r.json();
        assert!(
            answer["error"] == "forbidden" || answer["error"] == "escalation_refused",
            "{answer}"
        );
        assert!(
            answer["message"]
                .as_str()
                .unwrap()
                .contains("Warden::Action::\""),
            "the refusal names the permission: {answer}"
        );
        assert_eq!(
            snapshot(app),
            before,
            "{me}: {method} {path} changed something"
        );
    }
}

/// The session id of the admin's live session.
fn admin_session(app: &TestApp, admin: &str) -> String {
    ok(app.call(
        "get",
        "/admin/v1/sessions?user=admin&active=true",
        None,
        Some(admin),
    ))[0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// One delegate per admin action (holding exactly that action, as a policy gives it) tries
/// every escalation path: all refused, nothing changed, and what it holds is what it held.
#[test]
fn a_delegate_of_any_single_admin_action_cannot_escalate() {
    let app = spawn_app();
    let mut policies = String::new();
    for (i, action) in AdminAction::ALL.iter().enumerate() {
        if *action == AdminAction::Escalate {
            continue;
        }
        policies.push_str(&format!(
            "permit (principal in Role::\"ONLY{i}\", action == {}, resource);\n",
            action.uid()
        ));
    }
    std::fs::write(app.dir.path().join("policies/delegates.cedar"), policies).unwrap();
    app.state.engine.reload().unwrap();
    let admin = app.admin_token();
    role(&app, &admin, "EDITOR", &[]);
    ok(app.call(
        "put",
        "/admin/v1/users/alice/roles",
        Some(&json!({"roles": ["USER", "EDITOR"]})),
        Some(&admin),
    ));
    let sid = admin_session(&app, &admin);
    for (i, action) in AdminAction::ALL.iter().enumerate() {
        if *action == AdminAction::Escalate {
            continue;
        }
        let role_name = format!("ONLY{i}");
        role(&app, &admin, &role_name, &["USER"]);
        let (me, token) = delegate(&app, &admin, &format!("d{i}"), &[&role_name]);
        let start = held(&app, &me);
        assert_eq!(start, BTreeSet::from([*action]), "{me} holds {start:?}");
        attempts_are_refused(&app, &me, &role_name, &token, &sid);
        assert_eq!(held(&app, &me), start);
        // A client key or a key rotation gives no admin action: allowed to exactly their
        // holders, refused to everyone else.
        let client = app.call(
            "post",
            "/admin/v1/clients",
            Some(&json!({"name": format!("{me}-client")})),
            Some(&token),
        );
        let rotate = app.call("post", "/admin/v1/keys/rotate", None, Some(&token));
        assert_eq!(
            client.status,
            if *action == AdminAction::ClientsWrite {
                201
            } else {
                403
            },
            "{me}: {}",
            client.text
        );
        assert_eq!(
            rotate.status,
            if *action == AdminAction::KeysRotate {
                200
            } else {
                403
            },
            "{me}: {}",
            rotate.text
        );
    }
    // The admin still signs in with its own password, as itself.
    assert_eq!(app.login("admin@localhost", ADMIN_PASSWORD)["id"], "admin");
    assert!(block(app.state.app.store().user("d0-evil")).is_err());
    // Refusals in the core are audited, with the permission named.
    let refused: Vec<_> = block(app.state.app.store().list_audit(Some("user:d1"), None, 100))
        .unwrap()
        .into_iter()
        .filter(|a| a.detail["outcome"] == "refused")
        .collect();
    assert!(!refused.is_empty());
    assert!(refused.iter().all(|a| a.detail["reason"]
        .as_str()
        .unwrap()
        .contains("Warden::Action::\"")));
}

/// The delegated roles of docs/admin.md (support, team lead, auditor): what they are meant
/// to do works, and every escalation path is refused.
#[test]
fn the_documented_delegated_roles_do_their_job_and_cannot_escalate() {
    let app = spawn_app();
    std::fs::write(
        app.dir.path().join("policies/delegation.cedar"),
        documented_delegation_policies(),
    )
    .unwrap();
    app.state.engine.reload().unwrap();
    let admin = app.admin_token();
    for r in ["SUPPORT", "LEAD", "AUDITOR", "EDITOR", "VIEWER"] {
        role(&app, &admin, r, &["USER"]);
    }
    let sid = admin_session(&app, &admin);
    let (_, support) = delegate(&app, &admin, "sam", &["SUPPORT"]);
    let (_, lead) = delegate(&app, &admin, "lee", &["LEAD"]);
    let (_, auditor) = delegate(&app, &admin, "ada", &["AUDITOR"]);

    // Support resets alice's password and ends her sessions; not an admin's.
    ok(app.call(
        "post",
        "/admin/v1/users/alice/password",
        Some(&json!({"password": "a-new-password-1"})),
        Some(&support),
    ));
    app.login("alice@example.com", "a-new-password-1");
    ok(app.call("post", "/admin/v1/users/alice/unlock", None, Some(&support)));
    let r = app.call(
        "post",
        "/admin/v1/users/admin/password",
        Some(&json!({"password": "taken-over-password-1"})),
        Some(&support),
    );
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(r.text.contains("users.password"), "{}", r.text);

    // The team lead creates users and gives them EDITOR or VIEWER, nothing else.
    ok(app.call(
        "post",
        "/admin/v1/users",
        Some(&json!({"email": "ed@example.com", "roles": ["EDITOR"], "password": PASSWORD})),
        Some(&lead),
    ));
    ok(app.call(
        "put",
        "/admin/v1/users/ed/roles",
        Some(&json!({"roles": ["EDITOR", "VIEWER"]})),
        Some(&lead),
    ));
    let r = app.call(
        "put",
        "/admin/v1/users/ed/roles",
        Some(&json!({"roles": ["SUPPORT"]})),
        Some(&lead),
    );
    assert_eq!(r.status, 403, "{}", r.text);
    // It may rename a user, not the administrator.
    ok(app.call(
        "patch",
        "/admin/v1/users/ed",
        Some(&json!({"name": "Ed"})),
        Some(&lead),
    ));

    // The auditor reads, and changes nothing.
    ok(app.call("get", "/admin/v1/audit", None, Some(&auditor)));
    ok(app.call("get", "/admin/v1/users", None, Some(&auditor)));
    assert_eq!(
        app.call(
            "patch",
            "/admin/v1/users/ed",
            Some(&json!({"name": "x"})),
            Some(&auditor)
        )
        .status,
        403
    );

    for (me, role_name, token) in [
        ("sam", "SUPPORT", &support),
        ("lee", "LEAD", &lead),
        ("ada", "AUDITOR", &auditor),
    ] {
        let start = held(&app, me);
        attempts_are_refused(&app, me, role_name, token, &sid);
        assert_eq!(held(&app, me), start);
    }

    // The holder of the escalation action (the shipped ADMIN) may do what they may not.
    ok(app.call(
        "put",
        "/admin/v1/users/ed/roles",
        Some(&json!({"roles": ["SUPPORT"]})),
        Some(&admin),
    ));
}

/// Random role graphs, random delegated policies (permits and forbids on roles), random
/// operations by a delegate through the application core: the delegate, and every user it
/// created, never holds an admin action the delegate did not hold at the start.
#[test]
fn no_sequence_of_operations_lets_a_delegate_gain_an_admin_action() {
    let app = spawn_app();
    let core = &app.state.app;
    let roles = ["R0", "R1", "R2", "R3", "R4"];
    let actions: Vec<AdminAction> = AdminAction::ALL
        .into_iter()
        .filter(|a| *a != AdminAction::Escalate)
        .collect();
    let cli = Actor::Cli;
    for r in roles {
        block(core.create_role(&cli, r, &[])).unwrap();
    }
    let mut rng = StdRng::seed_from_u64(24);
    for round in 0..12 {
        // Random policies: each role permits some actions; some roles forbid one.
        let mut text = String::new();
        for r in roles {
            for a in &actions {
                if rng.gen_bool(0.25) {
                    text.push_str(&format!(
                        "permit (principal in Role::\"{r}\", action == {}, resource);\n",
                        a.uid()
                    ));
                }
            }
            if rng.gen_bool(0.3) {
                let a = actions[rng.gen_range(0..actions.len())];
                text.push_str(&format!(
                    "forbid (principal in Role::\"{r}\", action == {}, resource);\n",
                    a.uid()
                ));
            }
        }
        std::fs::write(app.dir.path().join("policies/random.cedar"), text).unwrap();
        app.state.engine.reload().unwrap();
        // A random acyclic graph (parents have higher numbers), set by the command line.
        for (i, r) in roles.iter().enumerate() {
            let parents: Vec<String> = roles[i + 1..]
                .iter()
                .filter(|_| rng.gen_bool(0.3))
                .map(|p| p.to_string())
                .collect();
            block(core.update_role(&cli, r, &parents)).unwrap();
        }
        let me = format!("del{round}");
        let my_roles: Vec<String> = roles
            .iter()
            .filter(|_| rng.gen_bool(0.4))
            .map(|r| r.to_string())
            .collect();
        block(core.create_user(
            &cli,
            UserInput {
                id: Some(me.clone()),
                email: format!("{me}@example.com"),
                roles: my_roles,
                ..Default::default()
            },
        ))
        .unwrap();
        let start = held(&app, &me);
        let actor = Actor::user(me.clone());
        let mut controlled = vec![me.clone()];
        let random_roles = |rng: &mut StdRng| -> Vec<String> {
            roles
                .iter()
                .chain(["ADMIN", "USER"].iter())
                .filter(|_| rng.gen_bool(0.3))
                .map(|r| r.to_string())
                .collect()
        };
        for step in 0..30 {
            let users: Vec<String> = block(core.list_users(None, 1000, 0))
                .unwrap()
                .into_iter()
                .map(|u| u.id)
                .collect();
            let target = users[rng.gen_range(0..users.len())].clone();
            let some_role = roles[rng.gen_range(0..roles.len())];
            let _ = match rng.gen_range(0..6) {
                0 => {
                    let id = format!("{me}-u{step}");
                    let made = block(core.create_user(
                        &actor,
                        UserInput {
                            id: Some(id.clone()),
                            email: format!("{id}@example.com"),
                            roles: random_roles(&mut rng),
                            ..Default::default()
                        },
                    ));
                    if made.is_ok() {
                        controlled.push(id);
                    }
                    made.map(|_| ())
                }
                1 => block(core.set_roles(&actor, &target, &random_roles(&mut rng))).map(|_| ()),
                2 => {
                    let parents = random_roles(&mut rng);
                    block(core.update_role(&actor, some_role, &parents)).map(|_| ())
                }
                3 => {
                    let parents = random_roles(&mut rng);
                    block(core.create_role(&actor, &format!("N{round}x{step}"), &parents))
                        .map(|_| ())
                }
                4 => block(core.update_user(
                    &actor,
                    &target,
                    UserChange {
                        disabled: Some(rng.gen_bool(0.5)),
                        ..Default::default()
                    },
                ))
                .map(|_| ()),
                _ => block(core.remove_role(&actor, some_role, true)).map(|_| ()),
            };
            for user in &controlled {
                if block(core.user(user)).is_err() {
                    continue;
                }
                let now = held(&app, user);
                assert!(
                    now.is_subset(&start),
                    "round {round} step {step}: {user} holds {now:?}, {me} started with {start:?}"
                );
            }
        }
        // Put the removed roles back for the next round.
        for r in roles {
            let _ = block(core.create_role(&cli, r, &[]));
        }
    }
}
