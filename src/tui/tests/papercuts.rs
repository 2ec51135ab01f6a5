//! Issue 32 in the console: readline keys in text fields, Esc on the sign-in form, the role
//! picker's confirmation, keys the policies refuse, cut columns and the `:` command line.

use super::{press, render, signed_in, snapshot_sizes, type_text};
use crate::tui::app::{App, Screen};
use crate::tui::form::{edit_line, Form, FormKind};
use crate::tui::keys::Action;
use crate::tui::modal::Modal;
use crate::tui::msg::{Event, Reply, Request, ViewId, What};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;
use std::time::Instant;

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// Type `keys` into an empty line; the text and where the cursor ends.
fn line(keys: &[KeyEvent]) -> (String, Option<usize>) {
    let (mut value, mut cursor) = (String::new(), None);
    for k in keys {
        edit_line(&mut value, &mut cursor, *k);
    }
    (value, cursor)
}

fn chars(text: &str) -> Vec<KeyEvent> {
    text.chars()
        .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
        .collect()
}

#[test]
fn text_fields_edit_as_readline_and_ctrl_types_no_letter() {
    let plain = |k| KeyEvent::new(k, KeyModifiers::NONE);
    // Ctrl-U deletes to the start, Ctrl-W the word before the cursor.
    let mut keys = chars("hello big world");
    keys.push(ctrl('w'));
    assert_eq!(line(&keys).0, "hello big ");
    keys.push(ctrl('u'));
    assert_eq!(line(&keys).0, "");
    // Ctrl-A / Ctrl-E move to the start and the end; typing goes where the cursor is.
    let mut keys = chars("world");
    keys.push(ctrl('a'));
    keys.extend(chars("hello "));
    keys.push(ctrl('e'));
    keys.extend(chars("!"));
    assert_eq!(line(&keys), ("hello world!".into(), None));
    // ←, Backspace, Delete, Ctrl-K, and Ctrl-W in the middle.
    let mut keys = chars("abcdef");
    keys.extend([
        plain(KeyCode::Left),
        plain(KeyCode::Left),
        plain(KeyCode::Backspace),
    ]);
    assert_eq!(line(&keys), ("abcef".into(), Some(3)));
    keys.push(plain(KeyCode::Delete));
    assert_eq!(line(&keys).0, "abcf");
    keys.push(ctrl('k'));
    assert_eq!(line(&keys).0, "abc");
    let mut keys = chars("one two three");
    keys.extend([plain(KeyCode::Left); 6]);
    keys.push(ctrl('w'));
    assert_eq!(line(&keys), ("one  three".into(), Some(4)));
    // Any other Ctrl or Alt key types nothing (a password never gains an unseen letter).
    let mut keys = chars("pw");
    keys.extend([
        ctrl('x'),
        ctrl('l'),
        KeyEvent::new(KeyCode::Char('b'), KeyModifiers::ALT),
    ]);
    assert_eq!(line(&keys).0, "pw");
    // Multi-byte text is edited by characters.
    let mut keys = chars("héllo");
    keys.extend([plain(KeyCode::Left); 3]);
    keys.push(plain(KeyCode::Backspace));
    assert_eq!(line(&keys).0, "hllo");
}

#[test]
fn a_form_field_takes_ctrl_keys_and_shows_the_cursor_where_it_is() {
    let mut form = Form::new(FormKind::SignIn);
    for k in chars("admin@localhost") {
        form.on_key(k);
    }
    form.on_key(ctrl('a'));
    let text: String = form.lines()[0]
        .spans
        .iter()
        .map(|s| s.content.to_string())
        .collect();
    assert!(text.ends_with("▏admin@localhost"), "{text}");
    form.on_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
    for k in chars("secret") {
        form.on_key(k);
    }
    form.on_key(ctrl('u'));
    assert_eq!(form.fields[1].value, "", "Ctrl-U cleared the password");
    form.on_key(ctrl('z'));
    assert_eq!(form.fields[1].value, "", "Ctrl-Z typed nothing");
}

#[test]
fn esc_on_the_sign_in_form_steps_back_and_never_quits() {
    let mut app = App::new("http://127.0.0.1:8080", false, Instant::now());
    type_text(&mut app, "admin@localhost");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "wrong");
    press(&mut app, KeyCode::Esc);
    assert!(!app.quit);
    assert_eq!(app.signin.fields[1].value, "", "Esc cleared the password");
    assert_eq!(app.signin.focus, 1);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.signin.focus, 0, "then stepped back to the email");
    assert_eq!(app.signin.fields[0].value, "admin@localhost");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.signin.fields[0].value, "");
    press(&mut app, KeyCode::Esc);
    assert!(!app.quit, "nothing left to clear: still no quit");
    assert_eq!(app.screen, Screen::SignIn);
    let text = render(&app, 80, 24);
    assert!(text.contains("Ctrl-C quits"), "{text}");
    app.on_key(ctrl('c'));
    assert!(app.quit);
}

#[test]
fn the_role_picker_asks_before_it_saves() {
    let mut app = signed_in();
    app.current = ViewId::Users;
    press(&mut app, KeyCode::Down); // alice, not yourself
    press(&mut app, KeyCode::Char('e'));
    app.take_jobs();
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
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    match &app.modal {
        Some(Modal::Confirm(c)) => {
            assert_eq!(c.prompt, "Set the roles of alice to ADMIN, USER?");
            assert_eq!(c.warning, None);
        }
        other => panic!("{other:?}"),
    }
    assert!(app.take_jobs().is_empty(), "nothing sent before y");
    press(&mut app, KeyCode::Char('n'));
    assert!(app.take_jobs().is_empty(), "n sends nothing");
    assert!(app.modal.is_none());
}

/// The answer to a view's permission batch: `allowed` per asked key, in order.
fn permissions(app: &mut App, allowed: &[bool]) -> Vec<Action> {
    let jobs = app.take_jobs();
    let (view, actions, body) = jobs
        .iter()
        .find_map(|j| match &j.request {
            Request::Send {
                path,
                body: Some(body),
                what: What::Permissions(view, actions),
                ..
            } if path == "/v1/authorize/batch" => Some((*view, actions.clone(), body.clone())),
            _ => None,
        })
        .expect("the view's permissions are asked");
    assert_eq!(body["items"].as_array().unwrap().len(), actions.len());
    assert_eq!(
        body["items"][0],
        json!({"action": "Warden::Action::\"users.create\"", "resource": {"type": "Warden::Resource", "id": "users"}})
    );
    let results: Vec<_> = allowed.iter().map(|a| json!({"allowed": a})).collect();
    app.on_event(Event {
        epoch: app.epoch,
        reply: Reply::Sent {
            what: What::Permissions(view, actions.clone()),
            result: Ok(json!({"results": results, "request_id": "r"})),
        },
    });
    actions
}

#[test]
fn keys_the_policies_refuse_are_hidden_and_refused_with_a_word() {
    let mut app = signed_in();
    app.me.roles = vec!["SUPPORT".into()];
    app.current = ViewId::Dashboard;
    app.take_jobs();
    press(&mut app, KeyCode::Char('2'));
    // Asked once, for each key's admin action: n e d p x u U, in key order.
    let actions = permissions(&mut app, &[false, false, false, true, true, true, false]);
    assert_eq!(
        actions,
        vec![
            Action::New,
            Action::EditRoles,
            Action::ToggleDisabled,
            Action::ResetPassword,
            Action::Revoke,
            Action::Unlock,
            Action::Unlink
        ]
    );
    snapshot_sizes("refused_keys_users", &app);
    let text = render(&app, 140, 40);
    assert!(!text.contains("n new"), "{text}");
    assert!(text.contains("p passwd"), "{text}");
    press(&mut app, KeyCode::Char('n'));
    assert!(app.modal.is_none(), "no form for a refused key");
    assert!(app.take_jobs().is_empty());
    let m = app.message.clone().unwrap();
    assert!(
        m.error && m.text.contains("not permitted: new user"),
        "{}",
        m.text
    );
    press(&mut app, KeyCode::Char('?'));
    assert!(render(&app, 140, 40).contains("new user (not permitted)"));
    press(&mut app, KeyCode::Esc);
    // Back on the view: not asked again; R asks again.
    press(&mut app, KeyCode::Char('3'));
    app.take_jobs();
    press(&mut app, KeyCode::Char('2'));
    assert!(
        !app.take_jobs().iter().any(|j| matches!(
            &j.request,
            Request::Send {
                what: What::Permissions(..),
                ..
            }
        )),
        "asked once per view"
    );
    press(&mut app, KeyCode::Char('R'));
    permissions(&mut app, &[true; 7]);
    press(&mut app, KeyCode::Char('n'));
    assert!(matches!(app.modal, Some(Modal::Form(_))), "allowed now");
}

#[test]
fn cut_columns_end_with_an_ellipsis() {
    let mut app = signed_in();
    app.current = ViewId::Users;
    let mut long = super::user("a-very-long-user-identifier-indeed", &["USER"], false);
    long.email = "someone.with.a.long.address@subdomain.example.com".into();
    let mut rows = app.views.users.rows().to_vec();
    rows.push(long);
    app.views.users.set_rows(rows);
    snapshot_sizes("cut_columns_users", &app);
    let text = render(&app, 80, 24);
    assert!(
        text.contains("│  a-very-long-u… someone.with.a.long.… A-VERY-LONG-U… USER"),
        "{text}"
    );
}

#[test]
fn the_command_line_goes_to_a_view_with_its_filter() {
    let mut app = signed_in();
    app.current = ViewId::Dashboard;
    app.take_jobs();
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "sessions alice");
    snapshot_sizes("command_line", &app);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.current, ViewId::Sessions);
    assert_eq!(app.views.sessions.filter, "user:alice");
    let jobs = app.take_jobs();
    assert!(
        jobs.iter().any(|j| matches!(
            &j.request,
            Request::Load { view: ViewId::Sessions, path } if path == "/admin/v1/sessions?user=alice"
        )),
        "{jobs:?}"
    );
    // The start of a name is enough; no argument clears the filter.
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "us");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.current, ViewId::Users);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "sess");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.views.sessions.filter, "");
    // An unknown view says which there are; Esc leaves the line; :q quits.
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "nope");
    press(&mut app, KeyCode::Enter);
    let m = app.message.clone().unwrap();
    assert!(
        m.error
            && m.text
                .contains(":nope is not a view; one of: dashboard, users"),
        "{}",
        m.text
    );
    assert_eq!(app.current, ViewId::Sessions);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "q");
    press(&mut app, KeyCode::Esc);
    assert!(!app.quit && app.command.is_none());
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "q");
    press(&mut app, KeyCode::Enter);
    assert!(app.quit);
}
