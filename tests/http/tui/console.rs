use super::*;

/// The console with its worker replaced by inline calls.
pub(super) struct Console {
    pub(super) app: App,
    client: Client,
    now: Instant,
    /// Run the decision log's long-polls too (they return at once when rows are waiting).
    tails: bool,
}

impl Console {
    pub(super) fn new(base: &str, read_only: bool) -> Console {
        let now = Instant::now();
        Console {
            app: App::new(base, read_only, now),
            client: Client::new(base),
            now,
            tails: false,
        }
    }

    /// Run every queued job and hand its reply back, until nothing is queued.
    pub(super) fn settle(&mut self) {
        loop {
            let jobs = self.app.take_jobs();
            if jobs.is_empty() {
                return;
            }
            for job in jobs {
                if matches!(job.request, Request::Tail { .. }) && !self.tails {
                    continue;
                }
                let reply = run(&self.client, &job);
                self.app.on_event(Event {
                    epoch: job.epoch,
                    reply,
                });
            }
        }
    }

    pub(super) fn press(&mut self, code: KeyCode) {
        self.app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
        self.settle();
    }

    pub(super) fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    /// Let `secs` pass: polls that are due run.
    pub(super) fn wait(&mut self, secs: u64) {
        self.now += Duration::from_secs(secs);
        self.app.tick(self.now);
        self.settle();
    }

    pub(super) fn sign_in(&mut self, email: &str, password: &str) {
        self.type_text(email);
        self.press(KeyCode::Tab);
        self.type_text(password);
        self.press(KeyCode::Enter);
        assert_eq!(self.app.screen, Screen::Main, "{:?}", self.app.signin.error);
    }

    pub(super) fn select(&mut self, index: usize) {
        self.press(KeyCode::Char('g'));
        for _ in 0..index {
            self.press(KeyCode::Char('j'));
        }
    }

    pub(super) fn message(&self) -> String {
        self.app
            .message
            .as_ref()
            .map(|m| m.text.clone())
            .unwrap_or_default()
    }
}

#[test]
fn sign_in_create_user_give_role_revoke_session() {
    let app = spawn_app();
    let mut tui = Console::new(&app.base, false);

    // A wrong password stays on the sign-in screen with the server's message.
    tui.type_text("admin@localhost");
    tui.press(KeyCode::Tab);
    tui.type_text("wrong password!!");
    tui.press(KeyCode::Enter);
    assert_eq!(tui.app.screen, Screen::SignIn);
    assert_eq!(
        tui.app.signin.error.as_deref(),
        Some("invalid email or password")
    );
    tui.app.signin.fields[0].value.clear();
    tui.app.signin.focus = 0;
    tui.sign_in("admin@localhost", ADMIN_PASSWORD);
    assert_eq!(tui.app.me.id, "admin");
    assert_eq!(tui.app.me.roles, vec!["ADMIN".to_string()]);
    tui.wait(0);
    assert_eq!(
        tui.app.views.get_mut(ViewId::Dashboard).loader().phase,
        Phase::Ready,
        "the dashboard loaded"
    );

    // Create a user through the form.
    tui.press(KeyCode::Char('2'));
    assert_eq!(tui.app.current, ViewId::Users);
    assert_eq!(tui.app.views.users.rows().len(), 2);
    tui.press(KeyCode::Char('n'));
    tui.type_text("erin@example.com");
    tui.press(KeyCode::Tab);
    tui.press(KeyCode::Tab);
    tui.type_text("Erin");
    tui.press(KeyCode::Tab);
    tui.type_text("erin-password-12");
    tui.press(KeyCode::Tab);
    tui.type_text("USER");
    tui.press(KeyCode::Enter);
    assert_eq!(tui.message(), "created user erin");
    assert!(tui.app.modal.is_none());
    let erin = block(app.state.app.store().user("erin")).unwrap();
    assert_eq!(
        (erin.name.as_str(), erin.roles.clone()),
        ("Erin", vec!["USER".to_string()])
    );

    // Erin may not delete yet.
    let delete =
        json!({"action": "deleteUserResource", "resource": {"type": "UserResource", "id": "r"}});
    let erin_login = app.login("erin@example.com", "erin-password-12");
    let token = erin_login["token"].as_str().unwrap().to_string();
    assert_eq!(
        app.post("/v1/authorize", &delete, Some(&token)).json()["allowed"],
        false
    );

    // The filter goes to the admin API: only erin is listed.
    tui.press(KeyCode::Char('/'));
    tui.type_text("erin");
    tui.press(KeyCode::Enter);
    let ids: Vec<&str> = tui
        .app
        .views
        .users
        .rows()
        .iter()
        .map(|u| u.id.as_str())
        .collect();
    assert_eq!(ids, vec!["erin"]);

    // Give her ADMIN with the role picker (its options come from the server).
    tui.press(KeyCode::Char('e'));
    let admin_option = match &tui.app.modal {
        Some(Modal::Pick { options, .. }) => options
            .iter()
            .position(|(name, _)| name == "ADMIN")
            .unwrap(),
        other => panic!("expected the role picker, got {other:?}"),
    };
    for _ in 0..admin_option {
        tui.press(KeyCode::Down);
    }
    tui.press(KeyCode::Char(' '));
    tui.press(KeyCode::Enter);
    // The picker asks before it saves (issue 32), then saves on y.
    match &tui.app.modal {
        Some(Modal::Confirm(c)) => assert_eq!(c.prompt, "Set the roles of erin to ADMIN, USER?"),
        other => panic!("expected the confirmation, got {other:?}"),
    }
    tui.press(KeyCode::Char('y'));
    assert!(
        tui.message().contains("erin now has roles: ADMIN, USER"),
        "{}",
        tui.message()
    );
    assert_eq!(
        block(app.state.app.store().user("erin")).unwrap().roles,
        vec!["ADMIN".to_string(), "USER".to_string()]
    );
    // The very next decision for erin changed, with the same token.
    assert_eq!(
        app.post("/v1/authorize", &delete, Some(&token)).json()["allowed"],
        true
    );
    tui.press(KeyCode::Esc);
    assert_eq!(
        tui.app.views.users.rows().len(),
        3,
        "Esc cleared the filter"
    );

    // Revoke erin's session from the Sessions tab, confirming the dialog.
    tui.press(KeyCode::Char('4'));
    let row = tui
        .app
        .views
        .sessions
        .rows()
        .iter()
        .position(|s| s.user_id == "erin")
        .unwrap();
    tui.select(row);
    tui.press(KeyCode::Char('x'));
    assert!(matches!(tui.app.modal, Some(Modal::Confirm(_))));
    tui.press(KeyCode::Char('y'));
    assert!(
        tui.message().starts_with("revoked session"),
        "{}",
        tui.message()
    );
    let sid = erin_login["session_id"].as_str().unwrap();
    assert!(block(app.state.app.store().session(sid))
        .unwrap()
        .unwrap()
        .revoked_at
        .is_some());
    let r = app.post("/v1/authorize", &delete, Some(&token));
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (401, Some("session_ended"))
    );

    // The audit log shows who did it, and what changed.
    tui.press(KeyCode::Char('7'));
    let audit = tui.app.views.audit.rows();
    assert!(audit
        .iter()
        .any(|a| a.action == "sessions.revoke" && a.actor == "user:admin"));
    assert!(audit.iter().any(|a| a.action == "users.roles"
        && warden::tui::items::audit::change_summary(&a.detail) == "USER -> ADMIN,USER"));

    // Policies: Enter shows the source.
    tui.press(KeyCode::Char('6'));
    assert!(!tui.app.views.policies.rows().is_empty());
    tui.press(KeyCode::Enter);
    match &tui.app.modal {
        Some(Modal::Detail(d)) => {
            let text: String = d.lines.iter().map(|l| l.to_string() + "\n").collect();
            assert!(text.contains("permit"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    tui.press(KeyCode::Esc);

    // Service clients: create one (its key shown once), then revoke it.
    tui.press(KeyCode::Char('8'));
    tui.press(KeyCode::Char('n'));
    tui.type_text("billing");
    tui.press(KeyCode::Enter);
    match &tui.app.modal {
        Some(Modal::Detail(d)) => {
            let text: String = d.lines.iter().map(|l| l.to_string() + "\n").collect();
            assert!(text.contains("shown once"), "{text}");
        }
        other => panic!("expected the key popup, got {other:?}"),
    }
    tui.press(KeyCode::Esc);
    assert_eq!(tui.app.views.clients.rows().len(), 1);
    tui.press(KeyCode::Char('x'));
    tui.press(KeyCode::Char('y'));
    assert!(tui.app.views.clients.rows()[0].revoked_at.is_some());

    // Signing keys: rotate.
    tui.press(KeyCode::Char('9'));
    assert_eq!(tui.app.views.keys.rows().len(), 1);
    tui.press(KeyCode::Char('r'));
    tui.press(KeyCode::Char('y'));
    assert_eq!(tui.message(), "signing key rotated");
    assert_eq!(tui.app.views.keys.rows().len(), 2);
    // Tokens signed with the new key work.
    let after = app.alice();
    let token = after["token"].as_str().unwrap();
    assert_eq!(app.get("/v1/auth/me", Some(token)).status, 200);

    // Decisions: the live tail brings new rows on top.
    tui.press(KeyCode::Char('5'));
    let before = tui.app.views.decisions.rows().len();
    app.post("/v1/authorize", &delete, Some(token));
    tui.tails = true;
    for _ in 0..50 {
        tui.wait(0);
        if tui.app.views.decisions.rows().len() > before {
            break;
        }
    }
    let top = &tui.app.views.decisions.rows()[0];
    assert_eq!(
        (top.principal.as_str(), top.decision.as_str()),
        ("User::\"alice\"", "deny")
    );
    tui.tails = false;

    // When the admin's own session ends, the TUI returns to sign-in and shows nothing of it.
    block(app.state.app.store().revoke_user_tokens("admin", None)).unwrap();
    tui.press(KeyCode::Char('R'));
    assert_eq!(tui.app.screen, Screen::SignIn);
    assert!(tui
        .app
        .signin_note
        .as_deref()
        .unwrap_or("")
        .contains("session ended"));
    assert!(tui.app.views.users.rows().is_empty());
}

#[test]
fn a_plain_user_sees_no_admin_data_and_is_not_polled_into_the_log() {
    let app = spawn_app();
    let mut tui = Console::new(&app.base, false);
    tui.sign_in("admin@localhost", ADMIN_PASSWORD);
    tui.press(KeyCode::Char('2'));
    assert_eq!(tui.app.views.users.rows().len(), 2);
    tui.press(KeyCode::Char('L'));
    assert_eq!(tui.app.screen, Screen::SignIn);
    assert!(tui.app.views.users.rows().is_empty());

    tui.sign_in("alice@example.com", USER_PASSWORD);
    assert_eq!(tui.app.me.id, "alice");
    tui.wait(0);
    tui.press(KeyCode::Char('2'));
    assert!(tui.app.views.users.rows().is_empty());
    match &tui.app.views.get_mut(ViewId::Users).loader().phase {
        Phase::Denied(why) => assert!(why.contains("users.read"), "{why}"),
        other => panic!("expected the not-permitted pane, got {other:?}"),
    }
    // A minute of polling sends nothing more for a refused view.
    for _ in 0..30 {
        tui.now += Duration::from_secs(2);
        tui.app.tick(tui.now);
        let jobs = tui.app.take_jobs();
        assert!(jobs.is_empty(), "a refused view was polled: {jobs:?}");
    }
    // R tries again, once.
    tui.press(KeyCode::Char('R'));
    assert!(matches!(
        tui.app.views.get_mut(ViewId::Users).loader().phase,
        Phase::Denied(_)
    ));
}

#[test]
fn tokens_refresh_silently_and_a_lost_server_is_shown() {
    // A one-second token is always within the refresh margin: every call refreshes first.
    let app = spawn_app_with(|c| {
        c.access_token_ttl = 1;
        c.leeway = 0;
    });
    let mut tui = Console::new(&app.base, false);
    tui.sign_in("admin@localhost", ADMIN_PASSWORD);
    tui.press(KeyCode::Char('3'));
    tui.press(KeyCode::Char('R'));
    assert_eq!(tui.app.screen, Screen::Main, "{}", tui.message());
    assert_eq!(tui.app.views.roles.rows().len(), 2);

    // Read-only mode refuses changes before calling the server.
    let mut ro = Console::new(&app.base, true);
    ro.sign_in("admin@localhost", ADMIN_PASSWORD);
    ro.press(KeyCode::Char('2'));
    ro.press(KeyCode::Char('d'));
    assert!(ro.app.modal.is_none());
    assert!(ro.message().contains("read-only"));

    drop(app);
    tui.press(KeyCode::Char('R'));
    assert!(tui.app.connection_lost);
    assert!(
        tui.message().contains("connection lost"),
        "{}",
        tui.message()
    );
    assert_eq!(
        tui.app.screen,
        Screen::Main,
        "a lost connection is not a lost session"
    );
    assert_eq!(tui.app.views.roles.rows().len(), 2, "the last rows stay");
}

/// Against a real server: the dashboard lists the server's own replica (from its heartbeat),
/// and the what-if form with a type alone shows alice's plan for it.
#[test]
fn the_dashboard_lists_replicas_and_what_if_shows_a_plan() {
    use warden::tui::dashboard::Replicas;
    let app = spawn_app();
    let mut tui = Console::new(&app.base, false);
    tui.sign_in("admin@localhost", ADMIN_PASSWORD);
    // The first heartbeat is written as the server starts: wait for it, bounded.
    let mut listed = Vec::new();
    for _ in 0..50 {
        tui.press(KeyCode::Char('R'));
        if let Replicas::Ready(rows) = &tui.app.views.dashboard.replicas {
            if !rows.is_empty() {
                listed = rows.clone();
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(listed.len(), 1, "{:?}", tui.app.views.dashboard.replicas);
    assert!(!listed[0].policy_differs);

    tui.press(KeyCode::Char('6'));
    tui.press(KeyCode::Char('w'));
    tui.type_text("alice");
    tui.press(KeyCode::Tab);
    tui.type_text("editDocument");
    tui.press(KeyCode::Tab);
    tui.type_text("Document");
    tui.press(KeyCode::Tab);
    tui.press(KeyCode::Tab);
    tui.press(KeyCode::Enter);
    match &tui.app.modal {
        Some(Modal::Detail(d)) => {
            let text: Vec<String> = d.lines.iter().map(|l| l.to_string()).collect();
            let text = text.join("\n");
            assert!(text.contains("conditional"), "{text}");
            assert!(text.contains("resource.owner == User::\"alice\""), "{text}");
            assert!(text.contains("app.owner-edit-document"), "{text}");
        }
        other => panic!("expected the plan popup: {other:?}; {}", tui.message()),
    }
}

/// Issue 32: the keys the policies refuse are asked of the real server once per view (each
/// key's admin action, `Warden::Action::"users.create"` on its area, in one
/// `/v1/authorize/batch`) and hidden and refused; an administrator's are all kept.
#[test]
fn keys_the_policies_refuse_are_asked_of_the_server_and_hidden() {
    use warden::tui::keys::Action;
    let app = spawn_app();
    let mut tui = Console::new(&app.base, false);
    tui.sign_in("admin@localhost", ADMIN_PASSWORD);
    tui.press(KeyCode::Char('2'));
    assert_eq!(tui.app.refused.get(&ViewId::Users), Some(&Vec::new()));
    tui.press(KeyCode::Char('L'));
    tui.sign_in("alice@example.com", USER_PASSWORD);
    tui.press(KeyCode::Char('2'));
    let refused = tui
        .app
        .refused
        .get(&ViewId::Users)
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        refused,
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
    tui.press(KeyCode::Char('n'));
    assert!(tui.app.modal.is_none(), "no form for a refused key");
}
