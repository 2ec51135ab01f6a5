//! View snapshots drawn to ratatui's TestBackend, and key handling without a server.

use super::app::{App, Modal, Pending, Screen, Tab};
use super::client::Client;
use super::view::draw;
use crate::api::*;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

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

fn user(id: &str, roles: &[&str], disabled: bool) -> UserRow {
    UserRow {
        id: id.into(),
        email: format!("{id}@example.com"),
        name: id.to_uppercase(),
        disabled,
        tokens_valid_after: 0,
        created_at: 1_795_000_000,
        roles: roles.iter().map(|r| r.to_string()).collect(),
    }
}

fn signed_in() -> App {
    let mut app = App::new("http://127.0.0.1:8080", false);
    app.screen = Screen::Main;
    app.signed_in_as = Some("admin".into());
    app.users = vec![
        user("admin", &["ADMIN"], false),
        user("alice", &["USER"], false),
        user("mallory", &[], true),
    ];
    app.roles = vec![
        RoleRow {
            name: "ADMIN".into(),
            parents: vec!["USER".into()],
            users: 1,
        },
        RoleRow {
            name: "USER".into(),
            parents: vec![],
            users: 1,
        },
    ];
    app.stats = DecisionStats {
        allowed: 40,
        denied: 7,
        top_denied: vec![("deleteUserResource".into(), 6), ("editDocument".into(), 1)],
        last_id: 47,
    };
    app.rate = vec![1, 3, 2, 8, 5, 0, 4];
    app.policies = Some(PolicyList {
        policies: vec![PolicyView {
            id: "app.admin-delete-user-resource".into(),
            file: "app.cedar".into(),
            line: 4,
            effect: "permit".into(),
            status: "active".into(),
        }],
        last_error: None,
    });
    app
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

#[test]
fn sign_in_screen() {
    let mut app = App::new("http://127.0.0.1:8080", false);
    app.signin.fields[0].value = "admin@localhost".into();
    app.signin.fields[1].value = "secret".into();
    app.signin.focus = 1;
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn dashboard() {
    insta::assert_snapshot!(render(&signed_in(), 80, 24));
}

#[test]
fn users_tab_with_a_selection() {
    let mut app = signed_in();
    app.tab = Tab::Users;
    app.selected[Tab::Users.index()] = 1;
    app.status = Some(("created user alice".into(), false));
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn confirmation_dialog_and_help() {
    let mut app = signed_in();
    app.tab = Tab::Users;
    app.modal = Some(Modal::Confirm(Pending::RevokeUser("alice".into())));
    insta::assert_snapshot!("confirm", render(&app, 80, 24));
    app.modal = None;
    app.help = true;
    insta::assert_snapshot!("help", render(&app, 80, 24));
}

#[test]
fn read_only_hides_changes_and_refuses_them() {
    let mut app = signed_in();
    app.read_only = true;
    app.tab = Tab::Users;
    insta::assert_snapshot!(render(&app, 80, 24));
    // No server is needed: the change is refused before any call.
    let mut client = Client::new("http://127.0.0.1:9");
    app.on_key(key(KeyCode::Char('n')), &mut client);
    assert!(app.modal.is_none());
    assert!(app.status.as_ref().unwrap().0.contains("read-only"));
    app.on_key(key(KeyCode::Char('x')), &mut client);
    assert!(app.modal.is_none());
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
    with_modal.modal = Some(Modal::Detail {
        title: "x".into(),
        lines: vec!["a".repeat(300); 40],
    });
    render(&with_modal, 40, 10);
    render(&with_modal, 80, 24);
}

#[test]
fn keys_move_between_tabs_and_rows_without_a_server() {
    let mut app = signed_in();
    let mut client = Client::new("http://127.0.0.1:9");
    app.on_key(key(KeyCode::Char('2')), &mut client);
    assert_eq!(app.tab, Tab::Users);
    // This client never signed in: loading the tab ends on the sign-in screen, with a message.
    assert_eq!(app.screen, Screen::SignIn);
    assert!(app.status.as_ref().unwrap().0.contains("session ended"));
    app.screen = Screen::Main;
    app.on_key(key(KeyCode::Char('j')), &mut client);
    app.on_key(key(KeyCode::Down), &mut client);
    app.on_key(key(KeyCode::Down), &mut client);
    assert_eq!(app.selected(), 2, "stops at the last row");
    app.on_key(key(KeyCode::Char('k')), &mut client);
    assert_eq!(app.selected(), 1);
    app.on_key(key(KeyCode::Char('?')), &mut client);
    assert!(app.help);
    app.on_key(key(KeyCode::Esc), &mut client);
    assert!(!app.help);
    app.on_key(key(KeyCode::Char('d')), &mut client);
    assert_eq!(
        app.modal,
        Some(Modal::Confirm(Pending::SetDisabled("alice".into(), true)))
    );
    app.on_key(key(KeyCode::Char('n')), &mut client);
    assert!(app.modal.is_none(), "n cancels");
    app.on_key(key(KeyCode::Char('q')), &mut client);
    assert!(app.quit);
}

#[test]
fn forms_validate_before_calling_the_server() {
    let mut app = signed_in();
    app.tab = Tab::Users;
    let mut client = Client::new("http://127.0.0.1:9");
    app.on_key(key(KeyCode::Char('n')), &mut client);
    for c in "not-an-email".chars() {
        app.on_key(key(KeyCode::Char(c)), &mut client);
    }
    for _ in 0..4 {
        app.on_key(key(KeyCode::Tab), &mut client);
    }
    app.on_key(key(KeyCode::Enter), &mut client);
    match &app.modal {
        Some(Modal::Form(f)) => {
            assert_eq!(f.error.as_deref(), Some("email must look like name@domain"))
        }
        other => panic!("the form should stay open with an error: {other:?}"),
    }
    insta::assert_snapshot!(render(&app, 80, 24));
}
