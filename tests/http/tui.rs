//! The TUI's update loop driven against a real server, and the real binary in tmux.

use crate::common::*;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;
use std::process::Command;
use std::time::{Duration, Instant};
use warden::tui::app::{App, Modal, Screen, Tab};
use warden::tui::client::Client;

fn press(tui: &mut App, client: &mut Client, code: KeyCode) {
    tui.on_key(KeyEvent::new(code, KeyModifiers::NONE), client);
}

fn type_text(tui: &mut App, client: &mut Client, text: &str) {
    for c in text.chars() {
        press(tui, client, KeyCode::Char(c));
    }
}

fn sign_in(tui: &mut App, client: &mut Client) {
    type_text(tui, client, "admin@localhost");
    press(tui, client, KeyCode::Tab);
    type_text(tui, client, ADMIN_PASSWORD);
    press(tui, client, KeyCode::Enter);
    assert_eq!(tui.screen, Screen::Main, "{:?}", tui.signin.error);
}

fn select(tui: &mut App, client: &mut Client, index: usize) {
    while tui.selected() > index {
        press(tui, client, KeyCode::Char('k'));
    }
    while tui.selected() < index {
        press(tui, client, KeyCode::Char('j'));
    }
}

fn status(tui: &App) -> String {
    tui.status.clone().map(|s| s.0).unwrap_or_default()
}

#[test]
fn sign_in_create_user_give_role_revoke_session() {
    let app = spawn_app();
    let mut client = Client::new(&app.base);
    let mut tui = App::new(&app.base, false);

    // A wrong password stays on the sign-in screen with the server's message.
    type_text(&mut tui, &mut client, "admin@localhost");
    press(&mut tui, &mut client, KeyCode::Tab);
    type_text(&mut tui, &mut client, "wrong password!!");
    press(&mut tui, &mut client, KeyCode::Enter);
    assert_eq!(tui.screen, Screen::SignIn);
    assert_eq!(
        tui.signin.error.as_deref(),
        Some("invalid email or password")
    );
    tui.signin.fields[0].value.clear();
    tui.signin.focus = 0;
    sign_in(&mut tui, &mut client);
    assert!(tui.policies.is_some(), "the dashboard loaded");

    // Create a user through the form.
    press(&mut tui, &mut client, KeyCode::Char('2'));
    assert_eq!(tui.tab, Tab::Users);
    assert_eq!(tui.users.len(), 2);
    press(&mut tui, &mut client, KeyCode::Char('n'));
    type_text(&mut tui, &mut client, "erin@example.com");
    press(&mut tui, &mut client, KeyCode::Tab);
    press(&mut tui, &mut client, KeyCode::Tab);
    type_text(&mut tui, &mut client, "Erin");
    press(&mut tui, &mut client, KeyCode::Tab);
    type_text(&mut tui, &mut client, "erin-password-12");
    press(&mut tui, &mut client, KeyCode::Tab);
    type_text(&mut tui, &mut client, "USER");
    press(&mut tui, &mut client, KeyCode::Enter);
    assert_eq!(status(&tui), "created user erin");
    let erin = app.state.store.user("erin").unwrap();
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

    // Give her ADMIN with the role picker.
    let row = tui.users.iter().position(|u| u.id == "erin").unwrap();
    select(&mut tui, &mut client, row);
    press(&mut tui, &mut client, KeyCode::Char('e'));
    let admin_option = match &tui.modal {
        Some(Modal::Pick { options, .. }) => options
            .iter()
            .position(|(name, _)| name == "ADMIN")
            .unwrap(),
        other => panic!("expected the role picker, got {other:?}"),
    };
    for _ in 0..admin_option {
        press(&mut tui, &mut client, KeyCode::Down);
    }
    press(&mut tui, &mut client, KeyCode::Char(' '));
    press(&mut tui, &mut client, KeyCode::Enter);
    assert!(
        status(&tui).contains("erin now has roles: ADMIN, USER"),
        "{}",
        status(&tui)
    );
    assert_eq!(
        app.state.store.user("erin").unwrap().roles,
        vec!["ADMIN".to_string(), "USER".to_string()]
    );
    // The very next decision for erin changed, with the same token.
    assert_eq!(
        app.post("/v1/authorize", &delete, Some(&token)).json()["allowed"],
        true
    );

    // Revoke erin's session from the Sessions tab, confirming the dialog.
    press(&mut tui, &mut client, KeyCode::Char('4'));
    let row = tui
        .sessions
        .iter()
        .position(|s| s.user_id == "erin")
        .unwrap();
    select(&mut tui, &mut client, row);
    press(&mut tui, &mut client, KeyCode::Char('x'));
    assert!(matches!(tui.modal, Some(Modal::Confirm(_))));
    press(&mut tui, &mut client, KeyCode::Char('y'));
    assert!(
        status(&tui).starts_with("revoked session"),
        "{}",
        status(&tui)
    );
    let sid = erin_login["session_id"].as_str().unwrap();
    assert!(app
        .state
        .store
        .session(sid)
        .unwrap()
        .unwrap()
        .revoked_at
        .is_some());
    let r = app.post("/v1/authorize", &delete, Some(&token));
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (401, Some("session_ended"))
    );

    // The audit log shows who did it; the Audit tab lists it.
    press(&mut tui, &mut client, KeyCode::Char('7'));
    assert!(tui
        .audit
        .iter()
        .any(|a| a.action == "sessions.revoke" && a.actor == "user:admin"));

    // When the admin's own session ends, the TUI returns to sign-in with a message.
    app.state.store.revoke_user_tokens("admin").unwrap();
    tui.refresh(&mut client);
    assert_eq!(tui.screen, Screen::SignIn);
    assert!(status(&tui).contains("session ended"));
}

#[test]
fn tokens_refresh_silently_and_a_lost_server_is_shown() {
    let app = spawn_app_with(|c| {
        c.access_token_ttl = 1;
        c.leeway = 0;
    });
    let mut client = Client::new(&app.base);
    let mut tui = App::new(&app.base, false);
    sign_in(&mut tui, &mut client);
    std::thread::sleep(Duration::from_millis(2100));
    press(&mut tui, &mut client, KeyCode::Char('3'));
    assert_eq!(tui.screen, Screen::Main, "{}", status(&tui));
    assert_eq!(tui.roles.len(), 2);

    // Read-only mode refuses changes before calling the server.
    let mut ro = App::new(&app.base, true);
    sign_in(&mut ro, &mut client);
    press(&mut ro, &mut client, KeyCode::Char('2'));
    press(&mut ro, &mut client, KeyCode::Char('d'));
    assert!(ro.modal.is_none());
    assert!(status(&ro).contains("read-only"));

    drop(app);
    tui.refresh(&mut client);
    assert!(tui.connection_lost);
    assert!(status(&tui).contains("connection lost"), "{}", status(&tui));
    assert_eq!(
        tui.screen,
        Screen::Main,
        "a lost connection is not a lost session"
    );
}

fn tmux(socket: &str, args: &[&str]) -> std::process::Output {
    Command::new("tmux")
        .arg("-L")
        .arg(socket)
        .args(args)
        .output()
        .expect("tmux is needed for this test (apt-get install tmux)")
}

fn screen(socket: &str) -> String {
    String::from_utf8_lossy(&tmux(socket, &["capture-pane", "-p", "-t", "tui"]).stdout).to_string()
}

fn wait_for_screen(socket: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let text = screen(socket);
        if text.contains(needle) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {needle:?} on screen:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_real_binary_in_tmux() {
    let app = spawn_app();
    let socket = format!("warden-test-{}", std::process::id());
    let command = format!("{} tui --url {}", env!("CARGO_BIN_EXE_warden"), app.base);
    let started = tmux(
        &socket,
        &[
            "new-session",
            "-d",
            "-s",
            "tui",
            "-x",
            "100",
            "-y",
            "30",
            &command,
        ],
    );
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    let result = std::panic::catch_unwind(|| {
        wait_for_screen(&socket, "Sign in to warden");
        tmux(
            &socket,
            &["send-keys", "-t", "tui", "-l", "admin@localhost"],
        );
        tmux(&socket, &["send-keys", "-t", "tui", "Tab"]);
        tmux(&socket, &["send-keys", "-t", "tui", "-l", ADMIN_PASSWORD]);
        tmux(&socket, &["send-keys", "-t", "tui", "Enter"]);
        wait_for_screen(&socket, "signed in as admin");
        tmux(&socket, &["send-keys", "-t", "tui", "2"]);
        let users = wait_for_screen(&socket, "alice@example.com");
        assert!(users.contains("Users (2)"), "{users}");
        tmux(&socket, &["send-keys", "-t", "tui", "?"]);
        wait_for_screen(&socket, "Keys on Users");
        tmux(&socket, &["send-keys", "-t", "tui", "Escape"]);
        tmux(&socket, &["send-keys", "-t", "tui", "6"]);
        wait_for_screen(&socket, "app.admin-delete-user-resource");
        tmux(
            &socket,
            &["resize-window", "-t", "tui", "-x", "30", "-y", "8"],
        );
        wait_for_screen(&socket, "is needed");
        tmux(
            &socket,
            &["resize-window", "-t", "tui", "-x", "100", "-y", "30"],
        );
        wait_for_screen(&socket, "Policies (4)");
        tmux(&socket, &["send-keys", "-t", "tui", "q"]);
        let deadline = Instant::now() + Duration::from_secs(10);
        while tmux(&socket, &["has-session", "-t", "tui"])
            .status
            .success()
        {
            assert!(Instant::now() < deadline, "the TUI did not quit on q");
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    tmux(&socket, &["kill-server"]);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// Wait until the terminal of the pane no longer echoes (a password is being read).
fn wait_for_no_echo(socket: &str) {
    let tty = String::from_utf8_lossy(
        &tmux(socket, &["display", "-p", "-t", "tui", "#{pane_tty}"]).stdout,
    )
    .trim()
    .to_string();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let stty = Command::new("stty")
            .args(["-F", &tty, "-a"])
            .output()
            .unwrap();
        let settings = String::from_utf8_lossy(&stty.stdout);
        if settings.split_whitespace().any(|w| w == "-echo") {
            return;
        }
        assert!(Instant::now() < deadline, "echo stayed on: {settings}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn user_passwd_asks_twice_without_echo_at_a_terminal() {
    let app = spawn_app();
    let db = app.dir.path().join("warden.db");
    // A server per run: a new session right after kill-server could meet the dying one.
    let run = |typed: [&str; 2]| -> String {
        let socket = format!("warden-passwd-{}-{}", std::process::id(), typed[1]);
        let command = format!(
            "{} --db {} user passwd alice; echo exit=$?; read x",
            env!("CARGO_BIN_EXE_warden"),
            db.display()
        );
        let started = tmux(
            &socket,
            &[
                "new-session",
                "-d",
                "-s",
                "tui",
                "-x",
                "100",
                "-y",
                "20",
                &command,
            ],
        );
        assert!(
            started.status.success(),
            "{}",
            String::from_utf8_lossy(&started.stderr)
        );
        let result = std::panic::catch_unwind(|| {
            wait_for_screen(&socket, "New password for alice:");
            wait_for_no_echo(&socket);
            tmux(&socket, &["send-keys", "-t", "tui", "-l", typed[0]]);
            tmux(&socket, &["send-keys", "-t", "tui", "Enter"]);
            wait_for_screen(&socket, "Repeat it:");
            wait_for_no_echo(&socket);
            tmux(&socket, &["send-keys", "-t", "tui", "-l", typed[1]]);
            tmux(&socket, &["send-keys", "-t", "tui", "Enter"]);
            wait_for_screen(&socket, "exit=")
        });
        tmux(&socket, &["kill-server"]);
        match result {
            Ok(screen) => screen,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    };
    let screen = run(["typed-new-password-1", "typed-new-password-2"]);
    assert!(
        screen.contains("the two passwords differ") && screen.contains("exit=1"),
        "{screen}"
    );
    let screen = run(["typed-new-password-1", "typed-new-password-1"]);
    assert!(screen.contains("exit=0"), "{screen}");
    assert!(
        !screen.contains("typed-new-password"),
        "the password was echoed: {screen}"
    );
    app.login("alice@example.com", "typed-new-password-1");
}
