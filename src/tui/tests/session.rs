//! Signing in and out, the session's messages, and nothing of one session left for the
//! next.

use super::{press, render, signed_in, snapshot_sizes, type_text, user};
use crate::tui::app::{App, Screen};
use crate::tui::client::{ClientError, Me};
use crate::tui::msg::{Event, Job, Reply, Request, ViewId};
use ratatui::crossterm::event::KeyCode;
use serde_json::json;
use std::time::{Duration, Instant};

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
