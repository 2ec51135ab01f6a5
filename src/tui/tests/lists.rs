//! Lists: paging, the local filter and the server's, no polling of a refused view, and the
//! notice of a cut list.

use super::{decision, forbidden, me, press, render, signed_in, snapshot_sizes, type_text, user};
use crate::tui::app::{App, Screen};
use crate::tui::msg::{Event, Job, Reply, Request, ViewId};
use crate::tui::view::Component;
use ratatui::crossterm::event::KeyCode;
use serde_json::json;
use std::time::{Duration, Instant};

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
    let loads = app
        .take_jobs()
        .into_iter()
        .filter(|j| matches!(j.request, Request::Load { .. }))
        .count();
    assert_eq!(loads, 1, "R tries again");
}

/// A list cut at the server's limit says so (and how to narrow it) instead of cutting
/// silently; so does the decision log when its live tail drops the oldest rows.
#[test]
fn a_cut_list_says_so() {
    let mut app = signed_in();
    app.current = ViewId::Users;
    let notice = "showing the first 1000; type / to filter";
    let many = |n: usize| -> Vec<_> {
        (0..n)
            .map(|i| user(&format!("u{i:04}"), &[], false))
            .collect()
    };
    app.views.users.set_rows(many(999));
    assert_eq!(app.views.users.cut_notice(), None);
    assert!(!render(&app, 80, 24).contains("showing the first"));
    app.views.users.set_rows(many(1000));
    for (w, h) in [(80, 24), (140, 40)] {
        let screen = render(&app, w, h);
        assert!(screen.contains(notice), "{w}x{h}:\n{screen}");
        assert!(screen.contains("Users (1000)"), "{screen}");
    }
    // A load of as many rows as the limit is cut too; a shorter one is not.
    app.views.users.loaded(Ok(json!(many(1000))));
    assert_eq!(app.views.users.cut_notice().as_deref(), Some(notice));
    app.views.users.loaded(Ok(json!(many(3))));
    assert_eq!(app.views.users.cut_notice(), None);

    // The decision log: the tail brings rows on top and keeps the newest 1000.
    app.current = ViewId::Decisions;
    assert_eq!(
        app.views.decisions.cut_notice(),
        None,
        "3 rows, under the limit"
    );
    let newer: Vec<_> = (0..998)
        .map(|i| decision(2000 - i, "alice", "readUserResource", true))
        .collect();
    app.views.decisions.tailed(Ok(json!(newer)), Instant::now());
    let rows = app.views.decisions.rows();
    assert_eq!(rows.len(), 1000, "1001 rows, the oldest dropped");
    assert_eq!((rows[0].id, rows[999].id), (2000, 2));
    assert_eq!(app.views.decisions.cut_notice().as_deref(), Some(notice));
    let screen = render(&app, 140, 40);
    assert!(screen.contains(notice), "{screen}");
}
