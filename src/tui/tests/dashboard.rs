//! The dashboard: its counters and the replicas, loaded apart.

use super::{forbidden, press, render, signed_in, snapshot_sizes, SIZES};
use crate::tui::app::Screen;
use crate::tui::client::ClientError;
use crate::tui::msg::{Event, Reply, Request, ViewId};
use crate::tui::view::Component;
use ratatui::crossterm::event::KeyCode;
use serde_json::json;

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
