//! Forms and the role picker: errors stay in the form, taking your own role asks first, the
//! what-if plan, and a user's identity links.

use super::{press, render, signed_in, snapshot_sizes, type_text, T0};
use crate::tui::client::ClientError;
use crate::tui::form::{Form, FormKind};
use crate::tui::modal::Modal;
use crate::tui::msg::{Event, Job, Reply, Request, ViewId, What};
use ratatui::crossterm::event::KeyCode;
use serde_json::json;

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
                what: What::UserCreated,
                ..
            },
            ..
        }]
    ));
    app.on_event(Event {
        epoch: app.epoch,
        reply: Reply::Sent {
            what: What::UserCreated,
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
    app.modal = Some(Modal::Form(Form::new(FormKind::WhatIf)));
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
