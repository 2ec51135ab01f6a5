//! View snapshots drawn to ratatui's TestBackend, and the update loop without a server
//! (the worker's jobs are inspected, its replies made up).

use super::app::{App, Screen};
use super::client::{ClientError, Me};
use super::keys::{lookup, Binding, GLOBAL};
use super::modal::{Confirm, Modal};
use super::ui::{draw, when};
use super::view::{Phase, ViewId};
use super::worker::{Event, Job, Reply, Request, What};
use crate::api::*;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use serde_json::json;
use std::time::{Duration, Instant};

const SIZES: [(u16, u16); 2] = [(80, 24), (140, 40)];

fn render(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| draw(f, app)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol().to_string())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn snapshot_sizes(name: &str, app: &App) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(app, w, h));
    }
}

const T0: i64 = 1_795_747_619;

fn user(id: &str, roles: &[&str], disabled: bool) -> User {
    User {
        id: id.into(),
        email: format!("{id}@example.com"),
        name: id.to_uppercase(),
        disabled,
        tokens_valid_after: 0,
        created_at: T0 - 86_400,
        roles: roles.iter().map(|r| r.to_string()).collect(),
    }
}

fn decision(id: i64, principal: &str, action: &str, allowed: bool) -> DecisionEntry {
    DecisionEntry {
        id,
        at: T0 + id,
        request_id: format!("req-{id}"),
        client: "client:web".into(),
        principal: format!("User::\"{principal}\""),
        action: format!("Action::\"{action}\""),
        resource: "UserResource::\"r1\"".into(),
        decision: crate::api::DecisionKind::of(allowed),
        reasons: if allowed {
            vec!["app.admin-delete-user-resource".into()]
        } else {
            vec![]
        },
        errors: vec![],
        latency_us: 12,
        properties: serde_json::json!({"owner": {"type": "User", "id": "alice"}}),
        context: serde_json::json!({}),
        address: "203.0.113.5".into(),
    }
}

fn replica(id: &str, address: &str, hash: &str, differs: bool) -> Replica {
    Replica {
        id: id.into(),
        address: address.into(),
        version: "0.1.0".into(),
        started_at: T0 - 3_600,
        policy_hash: hash.repeat(16),
        seen_at: T0,
        policy_differs: differs,
    }
}

fn me() -> Me {
    Me {
        id: "admin".into(),
        email: "admin@localhost".into(),
        roles: vec!["ADMIN".into()],
        session_id: "s-admin-1".into(),
    }
}

/// An admin signed in with every view loaded.
fn signed_in() -> App {
    let mut app = App::new("http://127.0.0.1:8080", false, Instant::now());
    app.screen = Screen::Main;
    app.me = me();
    let v = &mut app.views;
    v.dashboard.set(DecisionStats {
        allowed: 33,
        denied: 7,
        top_denied: vec![],
        last_id: 40,
    });
    v.dashboard.set(DecisionStats {
        allowed: 40,
        denied: 7,
        top_denied: vec![
            ("Action::\"deleteUserResource\"".into(), 6),
            ("Action::\"editDocument\"".into(), 1),
        ],
        last_id: 47,
    });
    v.dashboard.set_replicas(vec![
        replica(
            "5f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5",
            "10.0.0.1:8080",
            "aaaa",
            false,
        ),
        replica(
            "9a8b7c6d5e4f30211203f4e5d6c7b8a9",
            "10.0.0.2:8080",
            "aaaa",
            false,
        ),
        replica(
            "c0ffee00c0ffee00c0ffee00c0ffee00",
            "10.0.0.3:8080",
            "bbbb",
            true,
        ),
    ]);
    v.users.set_rows(vec![
        user("admin", &["ADMIN"], false),
        user("alice", &["USER"], false),
        user("mallory", &[], true),
    ]);
    v.roles.set_rows(vec![
        Role {
            name: "ADMIN".into(),
            parents: vec!["USER".into()],
            users: 1,
        },
        Role {
            name: "USER".into(),
            parents: vec![],
            users: 1,
        },
    ]);
    v.sessions.set_rows(vec![
        Session {
            id: "s-admin-1".into(),
            user_id: "admin".into(),
            created_at: T0,
            last_used_at: T0 + 60,
            expires_at: T0 + 7 * 86_400,
            revoked_at: None,
            revoked_reason: None,
        },
        Session {
            id: "s-alice-1".into(),
            user_id: "alice".into(),
            created_at: T0 - 3600,
            last_used_at: T0 - 60,
            expires_at: T0 + 6 * 86_400,
            revoked_at: Some(T0 - 30),
            revoked_reason: Some("revoked_by_admin".into()),
        },
    ]);
    v.decisions.set_rows(vec![
        decision(3, "alice", "deleteUserResource", false),
        decision(2, "admin", "deleteUserResource", true),
        decision(1, "alice", "readUserResource", true),
    ]);
    v.policies.set_rows(vec![
        Policy {
            id: "app.admin-delete-user-resource".into(),
            file: "app.cedar".into(),
            line: 4,
            effect: "permit".into(),
            status: "active".into(),
            source: "@id(\"app.admin-delete-user-resource\")\npermit (\n  principal in Role::\"ADMIN\",\n  action == Action::\"deleteUserResource\",\n  resource\n);".into(),
        },
        Policy {
            id: "warden.admin-all".into(),
            file: "warden.cedar".into(),
            line: 3,
            effect: "permit".into(),
            status: "active".into(),
            source: String::new(),
        },
    ]);
    v.audit.set_rows(vec![
        AuditEntry {
            id: 2,
            at: T0 + 5,
            actor: "user:admin".into(),
            action: "users.roles".into(),
            target: "user:alice".into(),
            detail: json!({"before": ["USER"], "after": ["ADMIN", "USER"]}),
            address: "127.0.0.1".into(),
        },
        AuditEntry {
            id: 1,
            at: T0,
            actor: "user:admin".into(),
            action: "sessions.revoke".into(),
            target: "session:s-alice-1".into(),
            detail: json!({"user": "alice"}),
            address: String::new(),
        },
    ]);
    v.clients.set_rows(vec![Client {
        id: "c-web".into(),
        name: "web".into(),
        created_at: T0,
        revoked_at: None,
    }]);
    v.keys.set_rows(vec![
        SigningKey {
            kid: "k2new".into(),
            alg: "EdDSA".into(),
            created_at: T0,
            retired_at: None,
        },
        SigningKey {
            kid: "k1old".into(),
            alg: "EdDSA".into(),
            created_at: T0 - 86_400,
            retired_at: Some(T0),
        },
    ]);
    app
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn press(app: &mut App, code: KeyCode) {
    app.on_key(key(code));
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn forbidden(what: &str) -> ClientError {
    ClientError::Api {
        status: 403,
        code: "forbidden".into(),
        message: format!("bob may not Warden::Action::\"{what}\": no policy permits it"),
    }
}

#[test]
fn every_view_at_both_sizes() {
    for view in ViewId::ALL {
        let mut app = signed_in();
        app.current = view;
        snapshot_sizes(&format!("view_{:?}", view).to_lowercase(), &app);
    }
}

#[test]
fn every_view_loading_and_not_permitted() {
    let mut app = App::new("http://127.0.0.1:8080", false, Instant::now());
    app.screen = Screen::Main;
    app.me = Me {
        id: "bob".into(),
        email: "bob@example.com".into(),
        roles: vec!["USER".into()],
        session_id: "s-bob".into(),
    };
    app.current = ViewId::Users;
    snapshot_sizes("loading_users", &app);
    for view in ViewId::ALL {
        app.current = view;
        app.views.get_mut(view).loaded(Err(forbidden("x.read")));
        assert!(matches!(
            app.views.get_mut(view).loader().phase,
            Phase::Denied(_)
        ));
    }
    app.current = ViewId::Users;
    snapshot_sizes("denied_users", &app);
    app.current = ViewId::Dashboard;
    snapshot_sizes("denied_dashboard", &app);
}

#[test]
fn sign_in_screen_shows_an_error_without_the_stale_note() {
    let mut app = App::new("http://127.0.0.1:8080", false, Instant::now());
    app.signin_note = Some("session ended: sign in again".into());
    snapshot_sizes("sign_in_after_session_end", &app);
    type_text(&mut app, "admin@localhost");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "wrong");
    press(&mut app, KeyCode::Enter);
    assert!(app.signin.busy, "the sign-in waits for the worker");
    let jobs = app.take_jobs();
    assert!(matches!(
        jobs[..],
        [Job {
            request: Request::SignIn { .. },
            ..
        }]
    ));
    app.on_event(Event {
        epoch: app.epoch,
        reply: Reply::SignedIn(Err(ClientError::Api {
            status: 401,
            code: "invalid_credentials".into(),
            message: "invalid email or password".into(),
        })),
    });
    let text = render(&app, 80, 24);
    assert!(text.contains("invalid email or password"), "{text}");
    assert!(!text.contains("session ended"), "{text}");
    assert_eq!(app.signin.fields[1].value, "", "the password is cleared");
}

#[test]
fn dialogs_help_and_details() {
    let mut app = signed_in();
    app.current = ViewId::Users;
    // Disabling yourself warns.
    press(&mut app, KeyCode::Char('d'));
    match &app.modal {
        Some(Modal::Confirm(Confirm { warning, .. })) => {
            assert!(warning.as_deref().unwrap_or("").contains("This is you"))
        }
        other => panic!("{other:?}"),
    }
    snapshot_sizes("confirm_disable_yourself", &app);
    press(&mut app, KeyCode::Char('n'));
    assert!(app.modal.is_none());
    press(&mut app, KeyCode::Char('?'));
    snapshot_sizes("help_users", &app);
    press(&mut app, KeyCode::Esc);
    // Revoking the console's own session warns.
    app.current = ViewId::Sessions;
    press(&mut app, KeyCode::Char('x'));
    match &app.modal {
        Some(Modal::Confirm(c)) => assert!(c
            .warning
            .as_deref()
            .unwrap_or("")
            .contains("session of this console")),
        other => panic!("{other:?}"),
    }
    press(&mut app, KeyCode::Esc);
    // Details: a decision, an audit entry, a policy's source.
    app.current = ViewId::Decisions;
    press(&mut app, KeyCode::Enter);
    snapshot_sizes("detail_decision", &app);
    press(&mut app, KeyCode::Esc);
    app.current = ViewId::Audit;
    press(&mut app, KeyCode::Enter);
    snapshot_sizes("detail_audit", &app);
    press(&mut app, KeyCode::Esc);
    app.current = ViewId::Policies;
    press(&mut app, KeyCode::Enter);
    snapshot_sizes("detail_policy_source", &app);
    press(&mut app, KeyCode::Char('j'));
    match &app.modal {
        Some(Modal::Detail(d)) => assert_eq!(d.scroll, 1, "the source scrolls"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn read_only_hides_changes_and_refuses_them() {
    let mut app = signed_in();
    app.read_only = true;
    app.current = ViewId::Users;
    snapshot_sizes("read_only_users", &app);
    press(&mut app, KeyCode::Char('n'));
    assert!(app.modal.is_none());
    assert!(app.message.as_ref().unwrap().text.contains("read-only"));
    press(&mut app, KeyCode::Char('x'));
    assert!(app.modal.is_none());
    assert!(app.take_jobs().is_empty(), "nothing was sent");
}

#[test]
fn tiny_and_resized_terminals_never_panic() {
    let app = signed_in();
    for (w, h) in [(1, 1), (10, 3), (39, 9), (40, 10), (80, 24), (200, 60)] {
        let text = render(&app, w, h);
        if w < 40 || h < 10 {
            assert!(text.contains("warden") || w < 8, "{w}x{h}: {text}");
        }
    }
    let mut with_modal = signed_in();
    with_modal.modal = Some(Modal::Detail(super::modal::Detail::new(
        "x",
        vec![ratatui::text::Line::raw("a".repeat(300)); 40],
    )));
    render(&with_modal, 40, 10);
    render(&with_modal, 80, 24);
}

#[test]
fn every_hinted_key_is_handled_by_its_own_binding() {
    let app = signed_in();
    for view in ViewId::ALL {
        let mut lists = app.views.get(view).keys();
        lists.push(GLOBAL);
        for b in lists.iter().flat_map(|l| l.iter()) {
            for code in b.keys {
                let found: &Binding = lookup(&key(*code), &lists).unwrap();
                // A key shadowed by an earlier binding would be a hint that lies.
                assert!(
                    std::ptr::eq(found, b) || found.keys.contains(code) && found.action == b.action,
                    "{view:?}: {} is shadowed by {}",
                    b.label,
                    found.label
                );
            }
        }
    }
}

#[test]
fn lists_page_and_filter_locally_until_enter() {
    let mut app = signed_in();
    app.current = ViewId::Users;
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(app.views.users.selected(), 2);
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(app.views.users.selected(), 0);
    press(&mut app, KeyCode::PageDown);
    assert_eq!(app.views.users.selected(), 2);
    press(&mut app, KeyCode::Home);
    assert_eq!(app.views.users.selected(), 0);
    press(&mut app, KeyCode::End);
    assert_eq!(app.views.users.selected(), 2);
    press(&mut app, KeyCode::PageUp);
    assert_eq!(app.views.users.selected(), 0);

    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "ali");
    assert!(app.take_jobs().is_empty(), "no request per keystroke");
    assert_eq!(app.views.users.visible(&app.ctx()).len(), 1);
    snapshot_sizes("filter_typing_users", &app);
    press(&mut app, KeyCode::Enter);
    match &app.take_jobs()[..] {
        [Job {
            request: Request::Load { view, path },
            ..
        }] => {
            assert_eq!(*view, ViewId::Users);
            assert_eq!(path, "/admin/v1/users?limit=1000&filter=ali");
        }
        other => panic!("{other:?}"),
    }
    // Esc clears the filter and reloads.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.views.users.filter, "");
    assert!(matches!(
        &app.take_jobs()[..],
        [Job { request: Request::Load { path, .. }, .. }] if path == "/admin/v1/users?limit=1000"
    ));

    // Decisions: terms go to the admin API's own filters.
    app.current = ViewId::Decisions;
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "deny principal:User::\"bob\"");
    press(&mut app, KeyCode::Enter);
    match &app.take_jobs()[..] {
        [Job {
            request: Request::Load { path, .. },
            ..
        }] => assert_eq!(
            path,
            "/admin/v1/decisions?limit=200&decision=deny&principal=User%3A%3A%22bob%22"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_denied_view_is_not_polled_until_refreshed_by_hand() {
    let t0 = Instant::now();
    let mut app = App::new("http://127.0.0.1:8080", false, t0);
    app.screen = Screen::Main;
    app.me = me();
    app.current = ViewId::Users;
    app.tick(t0);
    let jobs = app.take_jobs();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    app.on_event(Event {
        epoch: app.epoch,
        reply: Reply::Loaded {
            view: ViewId::Users,
            result: Err(forbidden("users.read")),
        },
    });
    for s in 1..100 {
        app.tick(t0 + Duration::from_secs(s));
    }
    assert!(app.take_jobs().is_empty(), "no poll after a deny");
    press(&mut app, KeyCode::Char('R'));
    assert_eq!(app.take_jobs().len(), 1, "R tries again");
}

#[test]
fn messages_expire_and_the_next_replaces_them() {
    let t0 = Instant::now();
    let mut app = signed_in();
    app.tick(t0);
    app.take_jobs();
    app.error("reload refused; the previous policies keep serving: a very long diagnostic that goes on and on past the width of a narrow terminal");
    let text = render(&app, 80, 24);
    assert!(
        text.contains("narrow terminal"),
        "wrapped, not cut:\n{text}"
    );
    app.tick(t0 + Duration::from_secs(1));
    assert!(app.message.is_some());
    app.info("policies reloaded");
    assert_eq!(app.message.as_ref().unwrap().text, "policies reloaded");
    app.tick(t0 + Duration::from_secs(60));
    assert!(app.message.is_none(), "expired");
}

#[test]
fn a_new_sign_in_clears_every_view_and_drops_old_replies() {
    let mut app = signed_in();
    let old_epoch = app.epoch;
    press(&mut app, KeyCode::Char('L'));
    assert_eq!(app.screen, Screen::SignIn);
    assert!(app.views.users.rows().is_empty(), "signing out clears");
    app.take_jobs();
    type_text(&mut app, "bob@example.com");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "bob-password-1234");
    press(&mut app, KeyCode::Enter);
    app.take_jobs();
    // A reply for the admin's session arrives late: dropped.
    app.on_event(Event {
        epoch: old_epoch,
        reply: Reply::Loaded {
            view: ViewId::Users,
            result: Ok(json!([user("admin", &["ADMIN"], false)])),
        },
    });
    app.on_event(Event {
        epoch: app.epoch,
        reply: Reply::SignedIn(Ok(Me {
            id: "bob".into(),
            email: "bob@example.com".into(),
            roles: vec!["USER".into()],
            session_id: "s-bob".into(),
        })),
    });
    assert_eq!(app.screen, Screen::Main);
    assert!(app.views.users.rows().is_empty());
    let text = render(&app, 80, 24);
    assert!(!text.contains("admin@example.com"), "{text}");
    assert!(text.contains("bob"), "{text}");
}

#[test]
fn forms_keep_their_errors() {
    let mut app = signed_in();
    app.current = ViewId::Users;
    press(&mut app, KeyCode::Char('n'));
    type_text(&mut app, "not-an-email");
    for _ in 0..4 {
        press(&mut app, KeyCode::Tab);
    }
    press(&mut app, KeyCode::Enter);
    match &app.modal {
        Some(Modal::Form(f)) => {
            assert_eq!(f.error.as_deref(), Some("email must look like name@domain"))
        }
        other => panic!("the form should stay open with an error: {other:?}"),
    }
    snapshot_sizes("form_error", &app);
    // A server refusal also stays in the form, not in the status bar.
    if let Some(Modal::Form(f)) = &mut app.modal {
        f.fields[0].value = "erin@example.com".into();
    }
    press(&mut app, KeyCode::Enter);
    assert!(matches!(
        &app.take_jobs()[..],
        [Job {
            request: Request::Send {
                what: What::Form(_),
                ..
            },
            ..
        }]
    ));
    app.on_event(Event {
        epoch: app.epoch,
        reply: Reply::Sent {
            what: What::Form("created user".into()),
            result: Err(ClientError::Api {
                status: 409,
                code: "conflict".into(),
                message: "email already in use".into(),
            }),
        },
    });
    match &app.modal {
        Some(Modal::Form(f)) => {
            assert_eq!(f.error.as_deref(), Some("email already in use"));
            assert!(!f.busy);
        }
        other => panic!("{other:?}"),
    }
    assert!(app.message.is_none());
}

#[test]
fn taking_your_own_role_asks_first() {
    let mut app = signed_in();
    app.current = ViewId::Users;
    press(&mut app, KeyCode::Char('e'));
    let jobs = app.take_jobs();
    assert!(matches!(
        &jobs[..],
        [Job {
            request: Request::Send {
                what: What::PickerRoles,
                ..
            },
            ..
        }]
    ));
    app.on_event(Event {
        epoch: app.epoch,
        reply: Reply::Sent {
            what: What::PickerRoles,
            result: Ok(json!([
                {"name": "ADMIN", "parents": ["USER"], "users": 1},
                {"name": "USER", "parents": [], "users": 1}
            ])),
        },
    });
    assert!(matches!(app.modal, Some(Modal::Pick { .. })));
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    match &app.modal {
        Some(Modal::Confirm(c)) => {
            assert!(c.warning.as_deref().unwrap_or("").contains("without ADMIN"))
        }
        other => panic!("{other:?}"),
    }
    assert!(app.take_jobs().is_empty(), "nothing sent before y");
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(app.take_jobs().len(), 1);
}

/// The audit view's CHANGE column: `before -> after`, field by field for a user's update
/// (whose before and after are objects of the changed fields), whole for a list.
#[test]
fn audit_changes_read_before_and_after() {
    use crate::tui::items::change_summary;
    let update = json!({
        "before": {"email": "a@x.y", "disabled": false},
        "after": {"email": "b@x.y", "disabled": true},
    });
    assert_eq!(
        change_summary(&update),
        "email: a@x.y -> b@x.y · disabled: false -> true"
    );
    let parents = json!({"change": "update", "before": [], "after": ["USER"]});
    assert_eq!(change_summary(&parents), "(none) -> USER");
    let refused = json!({"outcome": "refused", "reason": "no"});
    assert_eq!(change_summary(&refused), "outcome: refused · reason: no");
}

#[test]
fn one_time_format() {
    assert_eq!(when(0), "1970-01-01 00:00:00");
    assert_eq!(when(T0), "2026-11-27 02:46:59");
}

/// The replicas are a part of the dashboard loaded apart: a differing replica is flagged in
/// words, a failing list shows its error in place while the counters stay, and a refused
/// list is not polled again until a refresh by hand.
#[test]
fn the_dashboard_lists_replicas_and_survives_their_failure() {
    let mut app = signed_in();
    app.current = ViewId::Dashboard;
    for (w, h) in SIZES {
        let screen = render(&app, w, h);
        assert!(
            screen.contains("Replicas (3) · 1 serving different policies"),
            "{screen}"
        );
        assert!(screen.contains("10.0.0.3:8080"), "{screen}");
        let flagged: Vec<&str> = screen.lines().filter(|l| l.contains("≠ DIFFERS")).collect();
        assert_eq!(flagged.len(), 1, "{screen}");
        assert!(flagged[0].contains("10.0.0.3:8080"), "{screen}");
        assert_eq!(screen.matches("same").count(), 2, "{screen}");
    }

    // The poll asks for the counters and the replicas.
    app.epoch = 1;
    app.take_jobs();
    press(&mut app, KeyCode::Char('R'));
    let jobs: Vec<Request> = app.take_jobs().into_iter().map(|j| j.request).collect();
    assert!(
        jobs.contains(&Request::LoadPart {
            view: ViewId::Dashboard,
            path: "/admin/v1/replicas".into()
        }),
        "{jobs:?}"
    );

    // A server error: shown in the pane, the counters stay, the console is not lost.
    app.on_event(Event {
        epoch: app.epoch,
        reply: Reply::LoadedPart {
            view: ViewId::Dashboard,
            path: "/admin/v1/replicas".into(),
            result: Err(ClientError::Api {
                status: 500,
                code: "internal".into(),
                message: "the store failed".into(),
            }),
        },
    });
    assert_eq!(app.screen, Screen::Main);
    let screen = render(&app, 80, 24);
    assert!(screen.contains("Cannot list the replicas."), "{screen}");
    assert!(screen.contains("the store failed"), "{screen}");
    assert!(screen.contains("allowed        40"), "{screen}");
    snapshot_sizes("dashboard_replicas_failed", &app);

    // Refused: shown, and left out of the next polls until R.
    app.on_event(Event {
        epoch: app.epoch,
        reply: Reply::LoadedPart {
            view: ViewId::Dashboard,
            path: "/admin/v1/replicas".into(),
            result: Err(forbidden("replicas.read")),
        },
    });
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("You may not read the replicas."),
        "{screen}"
    );
    use super::view::Component;
    assert!(app.views.dashboard.parts(false).is_empty());
    assert_eq!(
        app.views.dashboard.parts(true),
        vec!["/admin/v1/replicas".to_string()]
    );

    // An answer that is not a list of replicas is an error, not a crash.
    app.views
        .dashboard
        .part_loaded("/admin/v1/replicas", Ok(json!({"not": "a list"})));
    let screen = render(&app, 80, 24);
    assert!(screen.contains("Cannot list the replicas."), "{screen}");
}

/// The what-if form with a type alone (no id) asks for the type's query plan; the plan opens
/// with its kind in words, the condition in Cedar's syntax, what could not be expressed and
/// the policies behind it.
#[test]
fn what_if_shows_the_plan_of_a_type() {
    let mut app = signed_in();
    app.epoch = 1;
    app.current = ViewId::Policies;
    app.take_jobs();
    press(&mut app, KeyCode::Char('w'));
    type_text(&mut app, "alice");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "editDocument");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Document");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Enter);
    let jobs = app.take_jobs();
    match &jobs[..] {
        [Job {
            request:
                Request::Send {
                    method: "POST",
                    path,
                    body: Some(body),
                    what: What::WhatIfPlan,
                },
            ..
        }] => {
            assert_eq!(path, "/admin/v1/whatif/plan");
            assert_eq!(
                body,
                &json!({"user": "alice", "action": "editDocument", "resource_type": "Document", "context": {}})
            );
        }
        other => panic!("expected one what-if plan request: {other:?}"),
    }
    app.on_event(Event {
        epoch: app.epoch,
        reply: Reply::Sent {
            what: What::WhatIfPlan,
            result: Ok(json!({
                "kind": "conditional",
                "condition": {"op": "or", "args": [
                    {"op": "==", "left": {"attr": "resource.owner"}, "right": {"entity": {"type": "User", "id": "alice"}}},
                    {"op": "in", "left": {"attr": "resource.tags"}, "right": {"value": ["public", "shared"]}}
                ]},
                "unsupported": [],
                "reasons": ["app.owner-edit-document", "app.tagged-edit"]
            })),
        },
    });
    assert!(
        matches!(app.modal, Some(Modal::Detail(_))),
        "{:?}",
        app.modal
    );
    let screen = render(&app, 140, 40);
    assert!(screen.contains("What if: plan"), "{screen}");
    assert!(screen.contains("conditional"), "{screen}");
    assert!(
        screen.contains("resource.owner == User::\"alice\""),
        "{screen}"
    );
    assert!(screen.contains("app.owner-edit-document"), "{screen}");
    snapshot_sizes("what_if_plan", &app);

    // A plan the tree cannot express says so, with no condition to trust.
    app.modal = Some(Modal::Form(super::modal::Form::new(
        super::modal::FormKind::WhatIf,
        "What if (no change is made)",
        &[],
    )));
    app.on_event(Event {
        epoch: app.epoch,
        reply: Reply::Sent {
            what: What::WhatIfPlan,
            result: Ok(json!({
                "kind": "conditional",
                "condition": null,
                "unsupported": ["ip(...) is not in the condition tree"],
                "reasons": ["app.office-only"]
            })),
        },
    });
    let screen = render(&app, 140, 40);
    assert!(screen.contains("no exact condition"), "{screen}");
    assert!(screen.contains("unsupported"), "{screen}");
    assert!(
        screen.contains("ip(...) is not in the condition tree"),
        "{screen}"
    );

    // Properties make no sense for a plan: the form says so and sends nothing.
    app.modal = None;
    press(&mut app, KeyCode::Char('w'));
    type_text(&mut app, "alice");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "editDocument");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Document");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "{\"owner\": 1}");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Enter);
    assert!(app.take_jobs().is_empty());
    match &app.modal {
        Some(Modal::Form(f)) => assert!(
            f.error
                .as_deref()
                .unwrap_or_default()
                .contains("leave Properties empty"),
            "{:?}",
            f.error
        ),
        other => panic!("the form should stay open: {other:?}"),
    }
}

/// `i` lists a user's identity-provider links in a popup; `U` unlinks one by issuer and
/// subject (a form, the query escaped).
#[test]
fn a_users_identity_links_are_listed_and_unlinked() {
    let mut app = signed_in();
    app.current = ViewId::Users;
    press(&mut app, KeyCode::Char('i'));
    let jobs = app.take_jobs();
    let user = match &jobs[..] {
        [Job {
            request:
                Request::Send {
                    method: "GET",
                    path,
                    what: What::Identities(user),
                    ..
                },
            ..
        }] => {
            assert_eq!(path, &format!("/admin/v1/users/{user}/identities"));
            user.clone()
        }
        other => panic!("{other:?}"),
    };
    app.on_event(Event {
        epoch: app.epoch,
        reply: Reply::Sent {
            what: What::Identities(user.clone()),
            result: Ok(json!([{"issuer": "https://accounts.example.com", "subject": "g|42", "user_id": user, "created_at": T0}])),
        },
    });
    match &app.modal {
        Some(Modal::Detail(d)) => {
            let text = format!("{d:?}");
            assert!(
                text.contains("https://accounts.example.com") && text.contains("g|42"),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('U'));
    assert!(matches!(app.modal, Some(Modal::Form(_))));
    for c in "https://accounts.example.com".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Tab);
    for c in "g|42".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    match &app.take_jobs()[..] {
        [Job {
            request: Request::Send { method, path, .. },
            ..
        }] => {
            assert_eq!(*method, "DELETE");
            assert_eq!(
                path,
                &format!("/admin/v1/users/{user}/identities?issuer=https%3A%2F%2Faccounts.example.com&subject=g%7C42")
            );
        }
        other => panic!("{other:?}"),
    }
}
