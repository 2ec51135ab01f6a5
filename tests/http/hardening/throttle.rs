use super::*;

/// 50 concurrent wrong passwords for one account: the check-and-count is one step, so at
/// most the per-(account, address) limit of passwords is ever checked.
#[test]
fn concurrent_wrong_passwords_check_at_most_the_limit() {
    let app = Arc::new(spawn_app_with(|c| c.hash_queue = 64));
    let handles: Vec<_> = (0..50)
        .map(|_| {
            let app = app.clone();
            std::thread::spawn(move || wrong(&app, "alice@example.com").status)
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked, 5, "passwords checked: {statuses:?}");
    assert_eq!(throttled, 45, "{statuses:?}");
}

/// The counters live in the database: a second server on the same file and a restart both
/// see them.
#[test]
fn the_throttle_holds_across_servers_and_restarts() {
    let app = spawn_app();
    for _ in 0..5 {
        assert_eq!(wrong(&app, "alice@example.com").status, 401);
    }
    let (second, state) = app.second_server();
    let r = app
        .agent
        .post(&format!("{second}/v1/auth/login"))
        .header("Content-Type", "application/json")
        .send(json!({"email": "alice@example.com", "password": USER_PASSWORD}).to_string())
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        429,
        "a second server sees the counters"
    );
    // A restart (a fresh state on the same file) still sees them.
    drop(state);
    let (third, _) = app.second_server();
    let r = app
        .agent
        .post(&format!("{third}/v1/auth/login"))
        .header("Content-Type", "application/json")
        .send(json!({"email": "alice@example.com", "password": "another wrong one"}).to_string())
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
}

/// Retry-After rounds up: waiting exactly that long gets through, a millisecond less does not.
#[test]
fn retry_after_is_rounded_up_and_honoured_to_the_millisecond() {
    let clock = ManualClock::at_ms(1_800_000_000_400);
    let app = spawn_app_with_clock(clock.clone(), |c| c.login_window = 15);
    for _ in 0..5 {
        assert_eq!(wrong(&app, "alice@example.com").status, 401);
    }
    clock.advance_ms(600); // 0.6 s into the 15 s window: 14.4 s left
    let r = app.post(
        "/v1/auth/login",
        &json!({"email": "alice@example.com", "password": USER_PASSWORD}),
        None,
    );
    assert_eq!(r.status, 429);
    let retry: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert_eq!(retry, 15, "14.4 s rounds up to 15");
    clock.advance_ms(14_399);
    assert_eq!(
        app.post(
            "/v1/auth/login",
            &json!({"email": "alice@example.com", "password": USER_PASSWORD}),
            None
        )
        .status,
        429
    );
    clock.advance_ms(1);
    app.login("alice@example.com", USER_PASSWORD);
}

/// A guesser at one address cannot lock the owner out at another; the looser per-account cap
/// still bounds guessing from many addresses, and an admin (API or CLI) can lift it.
#[test]
fn a_guesser_elsewhere_does_not_lock_the_owner_out_and_admins_can_unlock() {
    let app = spawn_app_with(|c| c.login_max_failures_per_account = 8);
    let bad = json!({"email": "alice@example.com", "password": "guess guess guess"});
    for _ in 0..5 {
        assert_eq!(
            app.post_from("127.0.0.2", "/v1/auth/login", &bad).status,
            401
        );
    }
    let blocked = app.post_from("127.0.0.2", "/v1/auth/login", &bad);
    assert_eq!(blocked.status, 429, "{}", blocked.text);
    // The owner, from their own address, signs in.
    app.login("alice@example.com", USER_PASSWORD);
    // (The owner's success cleared the account's counters.) Three more addresses push the
    // account over its looser cap of 8.
    for source in ["127.0.0.3", "127.0.0.4", "127.0.0.6"] {
        for _ in 0..3 {
            app.post_from(source, "/v1/auth/login", &bad);
        }
    }
    let r = app.post(
        "/v1/auth/login",
        &json!({"email": "alice@example.com", "password": USER_PASSWORD}),
        None,
    );
    assert_eq!(r.status, 429, "the account cap holds: {}", r.text);
    // An admin lifts it through the API...
    let admin = app.admin_token();
    let r = app.call("post", "/admin/v1/users/alice/unlock", None, Some(&admin));
    assert_eq!(r.status, 200, "{}", r.text);
    app.login("alice@example.com", USER_PASSWORD);
    // ...and through the command line.
    for source in ["127.0.0.2", "127.0.0.3", "127.0.0.4"] {
        for _ in 0..3 {
            app.post_from(source, "/v1/auth/login", &bad);
        }
    }
    assert_eq!(
        app.post_from(
            "127.0.0.5",
            "/v1/auth/login",
            &json!({"email": "alice@example.com", "password": USER_PASSWORD})
        )
        .status,
        429
    );
    let out = app.warden(&["user", "unlock", "alice"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    app.login("alice@example.com", USER_PASSWORD);
    // Both unlocks are audited.
    let audit = app
        .get("/admin/v1/audit?action=users.unlock", Some(&admin))
        .json();
    let text = audit.to_string();
    assert!(
        text.contains("user:admin") && text.contains("\"cli\""),
        "{text}"
    );
    // A plain user may not unlock.
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let r = app.call("post", "/admin/v1/users/alice/unlock", None, Some(&alice));
    assert_eq!(r.status, 403);
}

/// Sign-ins beyond the hashing gate's queue are refused at once with 503 and Retry-After;
/// nothing beyond `hash_concurrency` hashes runs.
#[test]
fn a_sign_in_flood_beyond_the_hashing_queue_gets_503_with_retry_after() {
    let app = Arc::new(spawn_app_with(|c| {
        c.hash_concurrency = 1;
        c.hash_queue = 1;
        c.login_max_failures_per_address = 1000;
    }));
    let handles: Vec<_> = (0..24)
        .map(|i| {
            let app = app.clone();
            std::thread::spawn(move || wrong(&app, &format!("nobody{i}@example.com")))
        })
        .collect();
    let replies: Vec<Reply> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let busy: Vec<&Reply> = replies.iter().filter(|r| r.status == 503).collect();
    assert!(!busy.is_empty(), "some sign-ins must be refused");
    for r in &busy {
        assert_eq!(r.json()["error"], "busy");
        assert_eq!(r.header("retry-after"), Some("1"));
    }
    assert!(replies.iter().all(|r| r.status == 503 || r.status == 401));
    // Once the flood is over, sign-in works again.
    app.login("alice@example.com", USER_PASSWORD);
}

/// A blocked guess is refused before the hashing gate, so a flood of them never takes a
/// hashing turn from a real user.
#[test]
fn blocked_guesses_take_no_hashing_turn() {
    let app = Arc::new(spawn_app_with(|c| {
        c.hash_concurrency = 1;
        c.hash_queue = 1;
    }));
    for _ in 0..5 {
        assert_eq!(wrong(&app, "alice@example.com").status, 401);
    }
    let flood: Vec<_> = (0..40)
        .map(|_| {
            let app = app.clone();
            std::thread::spawn(move || wrong(&app, "alice@example.com").status)
        })
        .collect();
    let statuses: Vec<u16> = flood.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(statuses.iter().all(|s| *s == 429), "{statuses:?}");
    app.login("admin@localhost", ADMIN_PASSWORD);
}
