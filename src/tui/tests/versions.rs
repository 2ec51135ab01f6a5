//! The policy versions view (issue 29): the list, a version's files, the diff, and publish
//! and rollback behind an impact preview and a confirmation; read-only hides both.

use super::{press, signed_in, snapshot_sizes, type_text, T0};
use crate::api::{
    FileChange, ImpactGroup, ImpactReport, PolicyDiff, PolicyFileDiff, PolicySource,
    PolicyVersionList, PublishOutcome, ReplayedDecision,
};
use crate::tui::app::App;
use crate::tui::client::ClientError;
use crate::tui::modal::Modal;
use crate::tui::msg::{Event, Job, PolicyChange, Previewed, Reply, Request, ViewId, What};
use ratatui::crossterm::event::KeyCode;
use serde_json::json;

fn on_versions() -> App {
    let mut app = signed_in();
    app.current = ViewId::Versions;
    app
}

fn reply(app: &mut App, reply: Reply) {
    app.on_event(Event {
        epoch: app.epoch,
        reply,
    });
}

fn requests(app: &mut App) -> Vec<Request> {
    app.take_jobs()
        .into_iter()
        .map(|j: Job| j.request)
        .collect()
}

fn diff() -> PolicyDiff {
    PolicyDiff {
        from: 4,
        to: 3,
        files: vec![
            PolicyFileDiff {
                file: "app.cedar".into(),
                change: FileChange::Changed,
                diff: "--- 4/app.cedar\n+++ 3/app.cedar\n@@ -1,5 +1,6 @@\n @id(\"app.owner-edit\")\n permit (\n   principal,\n-  action == Action::\"editDocument\",\n+  action in [Action::\"editDocument\", Action::\"deleteDocument\"],\n   resource\n ) when { resource.owner == principal };\n".into(),
            },
            PolicyFileDiff {
                file: "support.cedar".into(),
                change: FileChange::Removed,
                diff: "--- 4/support.cedar\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-@id(\"support.revoke\")\n-permit (principal in Role::\"SUPPORT\", action == Warden::Action::\"sessions.revoke\", resource);\n".into(),
            },
        ],
    }
}

fn outcome(version: Option<i64>) -> PublishOutcome {
    let flip = |id: i64, who: &str, before: &str, after: &str| ReplayedDecision {
        decision_id: id,
        at: T0 + id,
        principal: format!("User::\"{who}\""),
        action: "Action::\"deleteDocument\"".into(),
        resource: "Document::\"d7\"".into(),
        before: before.into(),
        after: after.into(),
    };
    PublishOutcome {
        activated: version.is_some(),
        version,
        hash: "2f3a9c0d1e2b".repeat(5),
        policies: 7,
        tests_passed: 12,
        impact: ImpactReport {
            replayed: 1_000,
            allow_to_deny: 2,
            deny_to_allow: 1,
            drifted: 3,
            capped: 1,
            groups: vec![
                ImpactGroup {
                    policy: "app.owner-edit".into(),
                    allow_to_deny: 2,
                    deny_to_allow: 0,
                    requests: vec![
                        flip(812, "alice", "allow", "deny"),
                        flip(790, "bob", "allow", "deny"),
                    ],
                },
                ImpactGroup {
                    policy: "support.revoke".into(),
                    allow_to_deny: 0,
                    deny_to_allow: 1,
                    requests: vec![flip(801, "sam", "deny", "allow")],
                },
            ],
            caveats: vec![
                "3 decisions were decided otherwise when logged (the policies changed since)"
                    .into(),
                "1 request's properties were capped when logged: replayed as logged".into(),
            ],
        },
    }
}

fn previewed(app: &mut App, change: PolicyChange) {
    let path = match change {
        PolicyChange::Publish { .. } => "/admin/v1/policies/versions",
        PolicyChange::Rollback { .. } => "/admin/v1/policies/rollback",
    };
    reply(
        app,
        Reply::Previewed {
            change,
            result: Ok(Previewed {
                outcome: serde_json::to_value(outcome(None)).unwrap(),
                path: path.into(),
                body: json!({"version": 2, "dry_run": false}),
            }),
        },
    );
}

#[test]
fn the_list_marks_the_active_version_and_says_the_source() {
    let app = on_versions();
    // At both sizes through `every_view_at_both_sizes` (view_versions); the title here.
    let screen = super::render(&app, 140, 40);
    assert!(
        screen.contains("Versions (4) · source store · active 4"),
        "{screen}"
    );
    assert!(screen.contains("● "), "{screen}");
    assert!(screen.contains("0 Versions"), "{screen}");
    // The view's keys in the help, from the same list as the hints.
    let mut app = app;
    press(&mut app, KeyCode::Char('?'));
    snapshot_sizes("help_versions", &app);
}

#[test]
fn in_dir_mode_the_empty_list_says_how_to_switch() {
    let mut app = on_versions();
    app.views.versions.set(PolicyVersionList {
        source: PolicySource::Dir,
        active: None,
        versions: vec![],
    });
    snapshot_sizes("versions_dir_mode", &app);
    let screen = super::render(&app, 140, 40);
    assert!(screen.contains("policy_source = \"store\""), "{screen}");
}

#[test]
fn the_tenth_tab_and_the_command_line_reach_it() {
    let mut app = signed_in();
    press(&mut app, KeyCode::Char('0'));
    assert_eq!(app.current, ViewId::Versions);
    app.current = ViewId::Users;
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "versions");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.current, ViewId::Versions);
    assert!(requests(&mut app).iter().any(|r| matches!(
        r,
        Request::Load { view: ViewId::Versions, path } if path == "/admin/v1/policies/versions"
    )));
}

#[test]
fn enter_asks_for_the_files_and_d_for_the_diff_against_the_active_version() {
    let mut app = on_versions();
    press(&mut app, KeyCode::Enter);
    assert!(matches!(
        &requests(&mut app)[..],
        [Request::Send { method: "GET", path, what: What::VersionFiles, .. }]
            if path == "/admin/v1/policies/versions/4"
    ));
    // The active version against itself: said, nothing asked.
    press(&mut app, KeyCode::Char('d'));
    assert!(requests(&mut app).is_empty());
    assert!(app.message.as_ref().is_some_and(|m| m.error));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('d'));
    assert!(matches!(
        &requests(&mut app)[..],
        [Request::Send { path, what: What::Diff, .. }]
            if path == "/admin/v1/policies/diff?from=4&to=3"
    ));
    reply(
        &mut app,
        Reply::Sent {
            what: What::Diff,
            result: Ok(serde_json::to_value(diff()).unwrap()),
        },
    );
    assert!(matches!(&app.modal, Some(Modal::Detail(d)) if d.title == "Diff 4 → 3 (2 files)"));
    snapshot_sizes("versions_diff", &app);
    // It scrolls.
    press(&mut app, KeyCode::Char('j'));
    assert!(matches!(&app.modal, Some(Modal::Detail(d)) if d.scroll == 1));
    press(&mut app, KeyCode::Esc);
    // Space marks the other side: the diff is then from the marked version.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Char('d'));
    assert!(matches!(
        &requests(&mut app)[..],
        [Request::Send { path, .. }] if path == "/admin/v1/policies/diff?from=1&to=2"
    ));
    assert!(super::render(&app, 140, 40).contains("diff from 1"));
}

#[test]
fn a_rollback_shows_its_preview_then_asks_and_esc_cancels_at_each_step() {
    let mut app = on_versions();
    // The active version: nothing to roll back to.
    press(&mut app, KeyCode::Char('b'));
    assert!(requests(&mut app).is_empty());
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('b'));
    // First a dry run, nothing else.
    assert_eq!(
        requests(&mut app),
        [Request::Preview(PolicyChange::Rollback { version: 2 })]
    );
    previewed(&mut app, PolicyChange::Rollback { version: 2 });
    assert!(matches!(&app.modal, Some(Modal::Review { .. })));
    snapshot_sizes("versions_preview", &app);
    // Esc on the preview: cancelled, nothing sent.
    press(&mut app, KeyCode::Esc);
    assert!(app.modal.is_none());
    assert!(requests(&mut app).is_empty());
    // y on the preview opens the confirmation; Enter, and any key but y, does not confirm.
    previewed(&mut app, PolicyChange::Rollback { version: 2 });
    press(&mut app, KeyCode::Enter);
    assert!(matches!(&app.modal, Some(Modal::Review { .. })));
    press(&mut app, KeyCode::Char('y'));
    match &app.modal {
        Some(Modal::Confirm(c)) => {
            assert!(c.prompt.contains("roll back to version 2"), "{}", c.prompt);
            assert!(c.warning.as_deref().unwrap_or("").contains("3 of 1000"));
        }
        other => panic!("{other:?}"),
    }
    assert!(requests(&mut app).is_empty());
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Esc);
    assert!(app.modal.is_none());
    assert!(requests(&mut app).is_empty());
    // y, y: the real rollback, exactly the previewed one.
    previewed(&mut app, PolicyChange::Rollback { version: 2 });
    press(&mut app, KeyCode::Char('y'));
    press(&mut app, KeyCode::Char('y'));
    match &requests(&mut app)[..] {
        [Request::Send {
            method: "POST",
            path,
            body: Some(body),
            what: What::Activated(label),
        }] => {
            assert_eq!(path, "/admin/v1/policies/rollback");
            assert_eq!(body["dry_run"], false);
            assert_eq!(label, "roll back to version 2");
        }
        other => panic!("{other:?}"),
    }
    // Done: said with the new version, and the list reloads.
    reply(
        &mut app,
        Reply::Sent {
            what: What::Activated("roll back to version 2".into()),
            result: Ok(serde_json::to_value(outcome(Some(5))).unwrap()),
        },
    );
    let message = app.message.clone().unwrap();
    assert_eq!(message.text, "roll back to version 2: now version 5");
    assert!(requests(&mut app).iter().any(|r| matches!(
        r,
        Request::Load {
            view: ViewId::Versions,
            ..
        }
    )));
}

#[test]
fn refusals_are_said_and_nothing_is_activated() {
    let mut app = on_versions();
    reply(
        &mut app,
        Reply::Previewed {
            change: PolicyChange::Rollback { version: 9 },
            result: Err(ClientError::Api {
                status: 404,
                code: "not_found".into(),
                message: "no policy version 9".into(),
            }),
        },
    );
    assert!(app.modal.is_none());
    let m = app.message.clone().unwrap();
    assert!(m.error && m.text == "no policy version 9", "{m:?}");
    // A refused real change (another replica published first) is said the same way.
    reply(
        &mut app,
        Reply::Sent {
            what: What::Activated("roll back to version 2".into()),
            result: Err(ClientError::Api {
                status: 409,
                code: "publish_race".into(),
                message: "another publish won: version 5 is active now".into(),
            }),
        },
    );
    let m = app.message.clone().unwrap();
    assert!(m.error && m.text.contains("another publish won"), "{m:?}");
}

#[test]
fn publish_asks_dir_and_message_and_keeps_refusals_in_its_form() {
    let mut app = on_versions();
    press(&mut app, KeyCode::Char('p'));
    assert!(matches!(&app.modal, Some(Modal::Form(_))));
    type_text(&mut app, "./policies");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    // No message: the form says so, nothing is sent.
    assert!(requests(&mut app).is_empty());
    assert!(
        matches!(&app.modal, Some(Modal::Form(f)) if f.error.as_deref().unwrap_or("").contains("say why"))
    );
    type_text(&mut app, "editors may delete");
    press(&mut app, KeyCode::Enter);
    let change = PolicyChange::Publish {
        dir: "./policies".into(),
        message: "editors may delete".into(),
    };
    assert_eq!(requests(&mut app), [Request::Preview(change.clone())]);
    // A failing test refuses the dry run: the form keeps the reason.
    reply(
        &mut app,
        Reply::Previewed {
            change: change.clone(),
            result: Err(ClientError::Api {
                status: 422,
                code: "policy_tests_failed".into(),
                message: "1 of 12 policy tests failed: basic.toml: alice deletes d7".into(),
            }),
        },
    );
    assert!(matches!(&app.modal, Some(Modal::Form(f))
        if f.error.as_deref().unwrap_or("").contains("policy tests failed") && !f.busy));
    // An unreadable directory too (read on the worker).
    reply(
        &mut app,
        Reply::Previewed {
            change: change.clone(),
            result: Err(ClientError::Local(
                "cannot read ./policies: not found".into(),
            )),
        },
    );
    assert!(matches!(&app.modal, Some(Modal::Form(f))
        if f.error.as_deref().unwrap_or("").contains("cannot read")));
    // The preview replaces the form.
    previewed(&mut app, change);
    assert!(matches!(&app.modal, Some(Modal::Review { detail, .. })
        if detail.title == "Preview: Publish ./policies"));
}

#[test]
fn the_publish_command_fills_in_the_directory() {
    let mut app = signed_in();
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "publish /srv/policies");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.current, ViewId::Versions);
    match &app.modal {
        Some(Modal::Form(f)) => {
            assert_eq!(f.fields[0].value, "/srv/policies");
            assert_eq!(f.focus, 1);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn read_only_hides_and_refuses_publish_and_rollback() {
    let mut app = on_versions();
    app.read_only = true;
    press(&mut app, KeyCode::Down);
    for key in ['b', 'p'] {
        press(&mut app, KeyCode::Char(key));
        assert!(app.modal.is_none());
        assert!(app.message.as_ref().is_some_and(|m| m.error));
    }
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "publish /srv/policies");
    press(&mut app, KeyCode::Enter);
    assert!(app.modal.is_none());
    assert!(requests(&mut app)
        .iter()
        .all(|r| !matches!(r, Request::Preview(_) | Request::Send { .. })));
    let screen = super::render(&app, 140, 40);
    assert!(
        !screen.contains("b rollback") && !screen.contains("p publish"),
        "{screen}"
    );
    // Reading still works.
    press(&mut app, KeyCode::Char('d'));
    assert!(matches!(
        &requests(&mut app)[..],
        [Request::Send {
            what: What::Diff,
            ..
        }]
    ));
}

#[test]
fn keys_the_policies_refuse_are_hidden_and_refused() {
    let mut app = on_versions();
    app.refused.insert(
        ViewId::Versions,
        vec![
            crate::tui::keys::Action::Rollback,
            crate::tui::keys::Action::Publish,
        ],
    );
    let screen = super::render(&app, 140, 40);
    assert!(
        !screen.contains("b rollback") && !screen.contains("p publish"),
        "{screen}"
    );
    assert!(screen.contains("d diff"), "{screen}");
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('b'));
    assert!(requests(&mut app).is_empty());
    assert!(app
        .message
        .as_ref()
        .is_some_and(|m| m.text.starts_with("not permitted")));
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "publish /srv/policies");
    press(&mut app, KeyCode::Enter);
    assert!(app.modal.is_none());
    assert!(app
        .message
        .as_ref()
        .is_some_and(|m| m.text.starts_with("not permitted")));
}

#[test]
fn a_preview_that_comes_after_its_dialog_was_closed_is_not_shown() {
    let mut app = on_versions();
    press(&mut app, KeyCode::Char('p'));
    type_text(&mut app, "./policies");
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "why");
    press(&mut app, KeyCode::Enter);
    assert_eq!(requests(&mut app).len(), 1);
    // Given up while the worker was reading and the server replaying.
    press(&mut app, KeyCode::Esc);
    previewed(
        &mut app,
        PolicyChange::Publish {
            dir: "./policies".into(),
            message: "why".into(),
        },
    );
    assert!(app.modal.is_none());
    assert!(app
        .message
        .as_ref()
        .is_some_and(|m| m.text.contains("nothing was changed")));
    // A rollback's preview does not replace another dialog either.
    press(&mut app, KeyCode::Char('?'));
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('p'));
    previewed(&mut app, PolicyChange::Rollback { version: 2 });
    assert!(matches!(app.modal, Some(Modal::Form(_))));
    assert!(requests(&mut app).is_empty());
}

#[test]
fn a_versions_files_open_numbered_under_their_names() {
    let mut app = on_versions();
    press(&mut app, KeyCode::Enter);
    let info = super::versions().versions[0].clone();
    let detail = crate::api::PolicyVersionDetail {
        version: info,
        files: [
            ("app.cedar".to_string(), "@id(\"app.owner-edit\")\npermit (\n  principal,\n  action == Action::\"editDocument\",\n  resource\n) when { resource.owner == principal };\n".to_string()),
            ("schema.cedarschema".to_string(), "entity User;\nentity Document { owner: User };\n".to_string()),
        ]
        .into_iter()
        .collect(),
    };
    reply(
        &mut app,
        Reply::Sent {
            what: What::VersionFiles,
            result: Ok(serde_json::to_value(detail).unwrap()),
        },
    );
    assert!(matches!(&app.modal, Some(Modal::Detail(d)) if d.title == "Version 4 (2 files)"));
    snapshot_sizes("versions_files", &app);
}
