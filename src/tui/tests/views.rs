//! Every view at both sizes (loaded, loading, refused), dialogs, help and details, the
//! read-only mode, tiny terminals, and the one key list behind hints and handling.

use super::{forbidden, key, press, render, signed_in, snapshot_sizes, T0};
use crate::tui::app::{App, Screen};
use crate::tui::client::Me;
use crate::tui::detail::Detail;
use crate::tui::items::audit::change_summary;
use crate::tui::keys::{lookup, Binding, GLOBAL};
use crate::tui::modal::{Confirm, Modal};
use crate::tui::msg::ViewId;
use crate::tui::style::when;
use crate::tui::view::Phase;
use ratatui::crossterm::event::KeyCode;
use serde_json::json;
use std::time::Instant;

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
    with_modal.modal = Some(Modal::Detail(Detail::new(
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

/// The audit view's CHANGE column: `before -> after`, field by field for a user's update
/// (whose before and after are objects of the changed fields), whole for a list.
#[test]
fn audit_changes_read_before_and_after() {
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
