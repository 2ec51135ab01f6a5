//! The policy versions view against a real server in store mode (issue 29): publish a
//! directory of this machine through its preview and confirmation, see the diff, roll back,
//! and every refusal kept where it was asked with nothing activated; a read-only console
//! changes nothing; a directory-mode server says how to switch.

use super::console::Console;
use super::*;
use warden::publishing::PolicySource;

const DELETE_FOR_USERS: &str = "@id(\"test.users-delete\")\npermit(principal in Role::\"USER\", action == Action::\"deleteUserResource\", resource);\n";

const FAILING_SUITE: &str = "[roles]\nUSER = []\n\n[users.bob]\nroles = [\"USER\"]\n\n[[case]]\nname = \"bob deletes\"\nprincipal = \"bob\"\naction = \"deleteUserResource\"\nresource = { type = \"UserResource\", id = \"r1\" }\nexpect = \"allow\"\n";

/// A copy of the shipped policy directory, with `extra` files added.
fn policy_dir(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    std::fs::create_dir(dir.path().join("tests")).unwrap();
    for name in [
        "app.cedar",
        "warden.cedar",
        "schema.cedarschema",
        "tests/app.toml",
        "tests/warden.toml",
    ] {
        std::fs::copy(shipped.join(name), dir.path().join(name)).unwrap();
    }
    for (name, text) in extra {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// The versions the view shows: (version, active), newest first.
fn shown(tui: &Console) -> Vec<(i64, bool)> {
    tui.app
        .views
        .versions
        .list
        .rows()
        .iter()
        .map(|v| (v.version, v.active))
        .collect()
}

fn publish_form(tui: &mut Console, dir: &std::path::Path, message: &str) {
    tui.press(KeyCode::Char(':'));
    tui.type_text(&format!("publish {}", dir.display()));
    tui.press(KeyCode::Enter);
    assert!(
        matches!(tui.app.modal, Some(Modal::Form(_))),
        "{:?}",
        tui.app.modal
    );
    tui.type_text(message);
    tui.press(KeyCode::Enter);
}

fn form_error(tui: &Console) -> String {
    match &tui.app.modal {
        Some(Modal::Form(f)) => f.error.clone().unwrap_or_default(),
        other => panic!("the form should stay open with the refusal: {other:?}"),
    }
}

/// A server in store mode on a database `warden init` made (the shipped set is version 1).
fn store_app(db: &tempfile::TempDir) -> TestApp {
    let path = db.path().join("warden.db");
    let config = warden::config::Config {
        db: path.clone(),
        policy_source: PolicySource::Store,
        public_url: "http://warden.test".into(),
        ..Default::default()
    };
    block(warden::app::App::init(&config)).unwrap();
    spawn_app_with(|c| {
        c.db = path;
        c.policy_source = PolicySource::Store;
    })
}

#[test]
fn publish_preview_confirm_diff_and_rollback_from_the_console() {
    let db = tempfile::tempdir().unwrap();
    let app = store_app(&db);
    let admin = app.admin_token();
    // Logged denies for the preview to replay.
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let ask =
        json!({"action": "deleteUserResource", "resource": {"type": "UserResource", "id": "r1"}});
    for _ in 0..2 {
        let r = app.post("/v1/authorize", &ask, Some(&alice));
        assert_eq!(r.json()["allowed"], false, "{}", r.text);
    }
    // The decision log is written in batches: wait (at most 10 s) for both rows.
    let deadline = Instant::now() + Duration::from_secs(10);
    while app
        .call("get", "/admin/v1/decisions?limit=10", None, Some(&admin))
        .json()
        .as_array()
        .is_none_or(|a| a.len() < 2)
    {
        assert!(Instant::now() < deadline, "the decisions were not logged");
        std::thread::sleep(Duration::from_millis(50));
    }

    let mut tui = Console::new(&app.base, false);
    tui.sign_in("admin@localhost", ADMIN_PASSWORD);
    tui.press(KeyCode::Char('0'));
    assert_eq!(tui.app.current, ViewId::Versions);
    assert_eq!(tui.app.views.versions.source, Some(PolicySource::Store));
    assert_eq!(tui.app.views.versions.active, Some(1));
    assert_eq!(shown(&tui), vec![(1, true)]);

    // A failing policy test refuses the dry run: the form keeps the reason, nothing changes.
    let failing = policy_dir(&[("tests/extra.toml", FAILING_SUITE)]);
    publish_form(&mut tui, failing.path(), "should not pass");
    let error = form_error(&tui);
    assert!(!error.is_empty(), "the refusal is said");
    // A directory without policies is refused on this machine, before anything is sent.
    let empty = tempfile::tempdir().unwrap();
    tui.press(KeyCode::Esc);
    publish_form(&mut tui, empty.path(), "nothing");
    assert!(
        form_error(&tui).contains("no policy file"),
        "{}",
        form_error(&tui)
    );
    tui.press(KeyCode::Esc);
    tui.press(KeyCode::Char('R'));
    assert_eq!(shown(&tui), vec![(1, true)], "nothing activated");

    // Publish: the preview first (nothing active yet), then y, then the confirmation.
    let more = policy_dir(&[("more.cedar", DELETE_FOR_USERS)]);
    // The shipped suite says a plain user may not delete: this set changes that on purpose.
    std::fs::remove_file(more.path().join("tests/app.toml")).unwrap();
    publish_form(&mut tui, more.path(), "users may delete");
    let Some(Modal::Review { detail, confirm }) = tui.app.modal.clone() else {
        panic!("the preview: {:?} {}", tui.app.modal, tui.message());
    };
    let text: String = detail.lines.iter().map(|l| l.to_string() + "\n").collect();
    assert!(text.contains("test.users-delete"), "{text}");
    assert!(text.contains("deny→allow 2"), "{text}");
    assert!(confirm.warning.unwrap_or_default().contains("2 of"));
    tui.press(KeyCode::Char('R'));
    assert_eq!(shown(&tui), vec![(1, true)], "a preview activates nothing");
    tui.press(KeyCode::Char('y'));
    assert!(matches!(tui.app.modal, Some(Modal::Confirm(_))));
    tui.press(KeyCode::Char('y'));
    assert_eq!(
        tui.message(),
        format!("publish {}: now version 2", more.path().display())
    );
    assert_eq!(shown(&tui), vec![(2, true), (1, false)]);
    let r = app.post("/v1/authorize", &ask, Some(&alice));
    assert_eq!(r.json()["allowed"], true, "the published set decides");

    // Enter: the files of version 2; d on version 1: the diff from the active version.
    tui.press(KeyCode::Enter);
    assert!(matches!(&tui.app.modal, Some(Modal::Detail(d)) if d.title.starts_with("Version 2")));
    tui.press(KeyCode::Esc);
    tui.select(1);
    tui.press(KeyCode::Char('d'));
    match &tui.app.modal {
        Some(Modal::Detail(d)) => {
            assert_eq!(d.title, "Diff 2 → 1 (2 files)");
            assert!(d
                .lines
                .iter()
                .any(|l| l.to_string().starts_with("-@id(\"test.users-delete\")")));
        }
        other => panic!("{other:?} {}", tui.message()),
    }
    tui.press(KeyCode::Esc);

    // Rollback to version 1: Esc on the preview and n on the confirmation change nothing.
    tui.press(KeyCode::Char('b'));
    assert!(
        matches!(tui.app.modal, Some(Modal::Review { .. })),
        "{}",
        tui.message()
    );
    tui.press(KeyCode::Esc);
    tui.press(KeyCode::Char('b'));
    tui.press(KeyCode::Char('y'));
    tui.press(KeyCode::Char('n'));
    assert!(tui.app.modal.is_none());
    tui.press(KeyCode::Char('R'));
    assert_eq!(shown(&tui), vec![(2, true), (1, false)]);
    tui.select(1);
    tui.press(KeyCode::Char('b'));
    tui.press(KeyCode::Char('y'));
    tui.press(KeyCode::Char('y'));
    assert_eq!(tui.message(), "roll back to version 1: now version 3");
    assert_eq!(shown(&tui), vec![(3, true), (2, false), (1, false)]);
    assert_eq!(tui.app.views.versions.list.rows()[0].rollback_of, Some(1));
    let r = app.post("/v1/authorize", &ask, Some(&alice));
    assert_eq!(r.json()["allowed"], false, "the old set decides again");
}

#[test]
fn a_read_only_console_changes_nothing_and_dir_mode_says_how_to_switch() {
    let app = spawn_app();
    let mut tui = Console::new(&app.base, true);
    tui.sign_in("admin@localhost", ADMIN_PASSWORD);
    tui.press(KeyCode::Char('0'));
    assert_eq!(tui.app.views.versions.source, Some(PolicySource::Dir));
    assert!(shown(&tui).is_empty());
    for key in ['b', 'p'] {
        tui.press(KeyCode::Char(key));
        assert!(tui.app.modal.is_none());
        assert_eq!(tui.message(), "read-only: changes are disabled");
    }
    let dir = policy_dir(&[]);
    tui.press(KeyCode::Char(':'));
    tui.type_text(&format!("publish {}", dir.path().display()));
    tui.press(KeyCode::Enter);
    assert!(tui.app.modal.is_none());
    assert_eq!(tui.message(), "read-only: changes are disabled");
    // No change was sent: the audit log holds no publish.
    let admin = app.admin_token();
    let audit = app.call(
        "get",
        "/admin/v1/audit?action=policies.publish",
        None,
        Some(&admin),
    );
    assert_eq!(
        audit.json().as_array().map(Vec::len),
        Some(0),
        "{}",
        audit.text
    );
    // A dry run of a dir-mode server is refused with a clear word, in the form.
    let mut tui = Console::new(&app.base, false);
    tui.sign_in("admin@localhost", ADMIN_PASSWORD);
    publish_form(&mut tui, dir.path(), "in dir mode");
    let error = form_error(&tui);
    assert!(!error.is_empty());
}
