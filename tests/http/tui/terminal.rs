use super::*;

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

fn wait_for_screen_without(socket: &str, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let text = screen(socket);
        if !text.contains(needle) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {needle:?} to go from the screen:\n{text}"
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
        // The next key only once the help is closed: ESC and `6` read together are Alt-6.
        wait_for_screen_without(&socket, "Keys on Users");
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
        wait_for_screen(&socket, "Policies (6)");

        // Sign out, sign in as a plain user: nothing of the admin's session is on screen.
        tmux(&socket, &["send-keys", "-t", "tui", "L"]);
        wait_for_screen(&socket, "signed out");
        tmux(
            &socket,
            &["send-keys", "-t", "tui", "-l", "alice@example.com"],
        );
        tmux(&socket, &["send-keys", "-t", "tui", "Tab"]);
        tmux(&socket, &["send-keys", "-t", "tui", "-l", USER_PASSWORD]);
        tmux(&socket, &["send-keys", "-t", "tui", "Enter"]);
        wait_for_screen(&socket, "signed in as alice");
        tmux(&socket, &["send-keys", "-t", "tui", "2"]);
        let users = wait_for_screen(&socket, "You may not read users");
        assert!(!users.contains("admin@localhost"), "{users}");
        assert!(users.contains("alice <alice@example.com>"), "{users}");
        for (tab, noun) in [
            ("4", "sessions"),
            ("5", "the decision log"),
            ("7", "the audit log"),
        ] {
            tmux(&socket, &["send-keys", "-t", "tui", tab]);
            let text = wait_for_screen(&socket, &format!("You may not read {noun}"));
            assert!(!text.contains("admin"), "{text}");
        }
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
    let db = app.db();
    // A server per run: a new session right after kill-server could meet the dying one.
    let run = |typed: [&str; 2]| -> String {
        let socket = format!("warden-passwd-{}-{}", std::process::id(), typed[1]);
        let command = format!(
            "{} --db {} user passwd alice; echo exit=$?; read x",
            env!("CARGO_BIN_EXE_warden"),
            db
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
