//! Regression tests for the attacks of the hardening round (issue 11): each failed on the
//! code before its fix.

use crate::common::*;
use crate::decisions::wait_for;
use serde_json::json;
use std::sync::Arc;
use warden::clock::ManualClock;

fn wrong(app: &TestApp, email: &str) -> Reply {
    app.post(
        "/v1/auth/login",
        &json!({"email": email, "password": "wrong password!!"}),
        None,
    )
}

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

/// A password reset ends every session and token of the user (API and CLI), lifts the
/// throttle, and says so in the audit row.
#[test]
fn a_password_reset_ends_every_session_and_token() {
    let app = spawn_app();
    let admin = app.admin_token();
    for (via, new_password) in [
        ("api", "brand-new-password-1"),
        ("cli", "brand-new-password-2"),
    ] {
        let old_password = if via == "api" {
            USER_PASSWORD
        } else {
            "brand-new-password-1"
        };
        let old = app.login("alice@example.com", old_password);
        for _ in 0..4 {
            wrong(&app, "alice@example.com");
        }
        if via == "api" {
            let r = app.post(
                "/admin/v1/users/alice/password",
                &json!({"password": new_password}),
                Some(&admin),
            );
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(r.json()["sessions_ended"], 1);
        } else {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_warden"))
                .args(["--db", app.db()])
                .args(["user", "passwd", "alice"])
                .stdin(std::process::Stdio::piped())
                .output_with_stdin(new_password);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        // The old access token and refresh token are dead (from the command line, on
        // PostgreSQL, once the revision's NOTIFY is heard: see `TestApp::sees`).
        app.sees(&format!("the old token refused ({via})"), || {
            app.get("/v1/auth/me", old["token"].as_str()).status == 401
        });
        let r = app.post(
            "/v1/auth/refresh",
            &json!({"refresh_token": old["refresh_token"]}),
            None,
        );
        assert_eq!(r.json()["error"], "invalid_grant", "{via}: {}", r.text);
        // The throttle was lifted: five more wrong guesses are checked before 429.
        for _ in 0..5 {
            assert_eq!(wrong(&app, "alice@example.com").status, 401, "{via}");
        }
        block(
            app.state
                .app
                .store()
                .unlock_account("alice@example.com", None),
        )
        .unwrap();
        app.login("alice@example.com", new_password);
    }
    let audit = app
        .get("/admin/v1/audit?action=users.password", Some(&admin))
        .text;
    assert!(audit.contains("\"tokens\":\"revoked\""), "{audit}");
}

trait OutputWithStdin {
    fn output_with_stdin(&mut self, input: &str) -> std::process::Output;
}

impl OutputWithStdin for std::process::Command {
    fn output_with_stdin(&mut self, input: &str) -> std::process::Output {
        use std::io::Write;
        let mut child = self
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{input}").unwrap();
        child.wait_with_output().unwrap()
    }
}

/// Changing your own password keeps this session and ends the others; the current password
/// is checked and throttled like a sign-in.
#[test]
fn changing_your_own_password_keeps_only_the_current_session() {
    let app = spawn_app();
    let here = app.alice();
    let elsewhere = app.alice();
    let token = here["token"].as_str().unwrap();
    let r = app.post(
        "/v1/auth/password",
        &json!({"current_password": "not my password", "new_password": "my-new-password-1"}),
        Some(token),
    );
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(r.json()["message"], "current_password is wrong");
    let r = app.post(
        "/v1/auth/password",
        &json!({"current_password": USER_PASSWORD, "new_password": "short"}),
        Some(token),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    let r = app.post(
        "/v1/auth/password",
        &json!({"current_password": USER_PASSWORD, "new_password": "my-new-password-1"}),
        Some(token),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["sessions_ended"], 1);
    assert_eq!(app.get("/v1/auth/me", Some(token)).status, 200);
    assert_eq!(
        app.get("/v1/auth/me", elsewhere["token"].as_str()).status,
        401
    );
    let r = app.post(
        "/v1/auth/refresh",
        &json!({"refresh_token": here["refresh_token"]}),
        None,
    );
    assert_eq!(r.status, 200, "this session goes on: {}", r.text);
    app.login("alice@example.com", "my-new-password-1");
    // Without a token: 401.
    let r = app.post(
        "/v1/auth/password",
        &json!({"current_password": "x", "new_password": "y"}),
        None,
    );
    assert_eq!(r.status, 401);
}

fn add_users(app: &TestApp, prefix: &str, n: usize, role: &str) {
    for i in 0..n {
        block(app.state.app.store().create_user(
            &warden::store::NewUser {
                id: format!("{prefix}{i:04}").parse().unwrap(),
                email: format!("{prefix}{i:04}@example.com").parse().unwrap(),
                name: Default::default(),
                roles: vec![role.parse().unwrap()],
                password_hash: None,
            },
            None,
        ))
        .unwrap();
    }
}

fn search(app: &TestApp, key: &str, body: &serde_json::Value) -> Reply {
    app.post_raw(
        "/access/v1/search/subject",
        Some("application/json"),
        body.to_string().as_bytes(),
        &[("Authorization", &format!("Bearer {key}"))],
    )
}

/// Page tokens are opaque and validated: the offset that hung a worker forever is a 400, and
/// a search that finds no one examines at most `search_scan_limit` users per request, pages
/// through the rest, ends, and writes one decision-log row per request.
#[test]
fn subject_search_tokens_are_validated_and_every_scan_is_bounded() {
    let app = spawn_app_with(|c| c.search_scan_limit = 50);
    let (_, key) = block(app.state.app.store().create_client("search", None)).unwrap();
    add_users(&app, "u", 180, "USER");
    let nobody = json!({
        "subject": {"type": "user"},
        "action": {"name": "noSuchActionAnyonePermits"},
        "resource": {"type": "UserResource", "id": "r1"},
        "page": {"limit": 10}
    });
    for token in [
        json!("9223372036854775808"),
        json!("-1"),
        json!("not base64 !!"),
        json!("dXNlcg"),                     // "user" without a key
        json!("YWN0aW9uOnJlYWREb2N1bWVudA"), // a token of the action search
        json!("x".repeat(600)),
        json!(12),
    ] {
        let mut body = nobody.clone();
        body["page"]["token"] = token.clone();
        let r = search(&app, &key, &body);
        assert_eq!(r.status, 400, "token {token}: {}", r.text);
        assert_eq!(r.json()["error"], "invalid_request");
    }
    // 182 users (admin, alice, 180 more) and no match: four bounded requests, then the end.
    let mut body = nobody.clone();
    let mut requests = 0;
    loop {
        let r = search(&app, &key, &body);
        assert_eq!(r.status, 200, "{}", r.text);
        requests += 1;
        let v = r.json();
        assert_eq!(v["results"], json!([]));
        let next = v["page"]["next_token"].as_str().unwrap().to_string();
        if next.is_empty() {
            break;
        }
        assert!(requests < 10, "the search must end");
        body["page"]["token"] = json!(next);
    }
    assert_eq!(requests, 4, "50 users per request over 182 users");
    let rows = |principal: Option<&str>| {
        block(
            app.state
                .app
                .store()
                .list_decisions(principal, None, None, None, 1000),
        )
        .unwrap()
        .len()
    };
    wait_for("the search rows", || rows(Some("search:User")) == 4);
    assert_eq!(
        rows(None),
        4,
        "one decision-log row per search request, none per user"
    );
}

/// Deleting the schema, or emptying the policies, is refused like any broken reload: the old
/// bundle (with validation) keeps serving, and `/readyz` says why.
#[test]
fn a_reload_that_loses_the_schema_or_every_policy_is_refused() {
    let app = spawn_app();
    let admin = app.admin_token();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let wrong_type = json!({"action": "readDocument", "resource": {"type": "User", "id": "alice"}});
    let no_owner = json!({"action": "readDocument", "resource": {"type": "Document", "id": "d1"}});
    let dir = app.dir.path().join("policies");
    std::fs::remove_file(dir.join("schema.cedarschema")).unwrap();
    let r = app.call("post", "/admin/v1/policies/reload", None, Some(&admin));
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("schema"), "{}", r.text);
    let ready = app.get("/readyz", Some(&admin)).json();
    assert_eq!(ready["validation"], "on", "{ready}");
    assert!(
        ready["last_reload_error"]
            .as_str()
            .unwrap()
            .contains("schema"),
        "{ready}"
    );
    // Validation still applies.
    for body in [&wrong_type, &no_owner] {
        let r = app.post("/v1/authorize", body, Some(&alice)).json();
        assert_eq!(r["allowed"], false, "{r}");
        assert!(!r["errors"].as_array().unwrap().is_empty(), "{r}");
    }
    // The schema back, every policy emptied: refused too.
    std::fs::write(
        dir.join("schema.cedarschema"),
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/schema.cedarschema"),
        )
        .unwrap(),
    )
    .unwrap();
    for file in ["app.cedar", "warden.cedar"] {
        std::fs::write(dir.join(file), "// nothing here any more\n").unwrap();
    }
    let r = app.call("post", "/admin/v1/policies/reload", None, Some(&admin));
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("no policy"), "{}", r.text);
    // The old bundle still serves: the admin still administers.
    assert_eq!(app.get("/admin/v1/users", Some(&admin)).status, 200);
}

/// Running without a schema is a start-up choice, and `/readyz` says so.
#[test]
fn starting_without_a_schema_is_said_in_readyz() {
    let policies = tempfile::TempDir::new().unwrap();
    for file in ["app.cedar", "warden.cedar"] {
        std::fs::copy(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("policies")
                .join(file),
            policies.path().join(file),
        )
        .unwrap();
    }
    let dir = policies.path().to_path_buf();
    let app = spawn_app_with(move |c| c.policies = dir);
    let ready = app.get("/readyz", None);
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["validation"], "off");
}

/// No change (API or command line) may leave nobody able to administer warden; with a
/// second administrator the same change goes through.
#[test]
fn the_last_administrator_cannot_be_disabled_demoted_or_unroled() {
    let app = spawn_app();
    let admin = app.admin_token();
    let t = Some(admin.as_str());
    for (method, path, body) in [
        (
            "patch",
            "/admin/v1/users/admin",
            Some(json!({"disabled": true})),
        ),
        (
            "put",
            "/admin/v1/users/admin/roles",
            Some(json!({"roles": ["USER"]})),
        ),
        ("delete", "/admin/v1/roles/ADMIN?force=true", None),
        ("put", "/admin/v1/roles/ADMIN", Some(json!({"parents": []}))),
    ] {
        let r = app.call(method, path, body.as_ref(), t);
        if path == "/admin/v1/roles/ADMIN" {
            // Dropping ADMIN's parent USER does not take the admin actions away.
            assert_eq!(r.status, 200, "{method} {path}: {}", r.text);
            continue;
        }
        assert_eq!(r.status, 409, "{method} {path}: {}", r.text);
        assert_eq!(r.json()["error"], "conflict");
        assert!(
            r.json()["message"].as_str().unwrap().contains("administer"),
            "{}",
            r.text
        );
    }
    // Nothing changed.
    let me = app.get("/admin/v1/users/admin", t).json();
    assert_eq!(me["disabled"], false);
    assert_eq!(me["roles"], json!(["ADMIN"]));
    // The command line refuses too.
    for args in [
        &["user", "disable", "admin"][..],
        &["user", "set-roles", "admin", "USER"][..],
        &["role", "remove", "ADMIN", "--force"][..],
    ] {
        let out = app.warden(args);
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("administer"), "{args:?}: {stderr}");
    }
    assert_eq!(
        app.get("/admin/v1/users/admin", t).json()["disabled"],
        false
    );
    // With a second administrator, the first may step down.
    let r = app.call(
        "put",
        "/admin/v1/users/alice/roles",
        Some(&json!({"roles": ["ADMIN"]})),
        t,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.call(
        "put",
        "/admin/v1/users/admin/roles",
        Some(&json!({"roles": ["USER"]})),
        t,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    // ...and now alice is the last one.
    let out = app.warden(&["user", "disable", "alice"]);
    assert!(!out.status.success());
}

/// The real binary serving a fresh directory, with extra environment and an optional
/// open-file limit; returns the child, its address and the rest of its standard error.
pub struct Served {
    pub child: std::process::Child,
    pub addr: String,
    pub dir: tempfile::TempDir,
    pub stderr: std::sync::mpsc::Receiver<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve_binary(env: &[(&str, &str)], nofile: Option<u64>) -> Served {
    serve_binary_in(tempfile::TempDir::new().unwrap(), env, nofile)
}

pub fn serve_binary_in(
    dir: tempfile::TempDir,
    env: &[(&str, &str)],
    nofile: Option<u64>,
) -> Served {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_warden"));
    cmd.current_dir(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("WARDEN_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    if let Some(limit) = nofile {
        use std::os::unix::process::CommandExt;
        // SAFETY: only setrlimit (async-signal-safe) runs between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                let l = libc::rlimit {
                    rlim_cur: limit,
                    rlim_max: limit,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &l) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)).map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let addr = loop {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the server prints its address");
        if let Some(rest) = line.strip_prefix("warden listening on http://") {
            break rest.to_string();
        }
    };
    Served {
        child,
        addr,
        dir,
        stderr: rx,
    }
}

fn connect(addr: &str) -> std::net::TcpStream {
    let s = std::net::TcpStream::connect(addr).unwrap();
    // A bound on how long this test waits for the server, not a measurement.
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    s
}

/// Read until the server closes the connection; what it sent before closing.
fn read_until_closed(s: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the server did not close the connection: {e}"),
        }
    }
    String::from_utf8_lossy(&buf).to_string()
}

/// A stalled request head, a body sent too slowly and an idle keep-alive connection are each
/// closed by the server (slowloris).
#[test]
fn stalled_headers_slow_bodies_and_idle_connections_are_cut_off() {
    use std::io::Write;
    let app = spawn_app_with(|c| {
        c.header_timeout = 1;
        c.body_timeout = 1;
    });
    let addr = app.base.trim_start_matches("http://").to_string();
    // A head that never ends.
    let mut s = connect(&addr);
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    read_until_closed(&mut s);
    // A body that never arrives in full: 408 with the JSON error.
    let mut s = connect(&addr);
    s.write_all(
        b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":",
    )
    .unwrap();
    let answer = parse_raw_response(&read_until_closed(&mut s));
    assert_eq!(answer.status, 408, "{}", answer.text);
    assert_eq!(answer.json()["error"], "request_timeout");
    // A keep-alive connection that goes idle after one request.
    let mut s = connect(&addr);
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let answer = read_until_closed(&mut s);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// Under `ulimit -n 1024`, 1,100 idle sockets neither starve `/healthz` nor make the server
/// run out of descriptors: connections beyond the cap wait in the accept queue.
#[test]
fn idle_sockets_beyond_the_descriptor_limit_leave_healthz_answering() {
    // About sockets of the real binary (on its SQLite file), not about the back end.
    if skip_in_the_postgres_run("idle_sockets_beyond_the_descriptor_limit_leave_healthz_answering")
    {
        return;
    }
    raise_own_descriptor_limit(4096);
    let served = serve_binary(&[("WARDEN_HEADER_TIMEOUT", "2")], Some(1024));
    let mut idle = Vec::new();
    for _ in 0..1100 {
        idle.push(std::net::TcpStream::connect(&served.addr).unwrap());
    }
    // Another client (another address) is served: the idle sockets' address may hold only
    // half of the connections.
    let reply = get_from("127.0.0.2", &served.addr, "/healthz");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    drop(idle);
    let said: Vec<String> = served.stderr.try_iter().collect();
    assert!(
        !said.iter().any(|l| l.contains("Too many open files")),
        "{said:?}"
    );
}

fn kill9(served: &mut Served) {
    let status = std::process::Command::new("kill")
        .args(["-KILL", &served.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = served.child.wait();
}

fn restart(mut served: Served) -> Served {
    kill9(&mut served);
    let dir = tempfile::TempDir::new().unwrap();
    // Move the directory's contents over (the old TempDir is removed on drop).
    for entry in std::fs::read_dir(served.dir.path()).unwrap() {
        let entry = entry.unwrap();
        std::fs::rename(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    drop(served);
    serve_binary_in(dir, &[], None)
}

fn http() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .into()
}

fn post_json(
    agent: &ureq::Agent,
    url: &str,
    body: &serde_json::Value,
    bearer: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut req = agent.post(url).header("Content-Type", "application/json");
    if let Some(t) = bearer {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    match req.send(body.to_string()) {
        Ok(mut r) => {
            let status = r.status().as_u16();
            let text = r.body_mut().read_to_string().unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or_default())
        }
        Err(_) => (0, serde_json::Value::Null),
    }
}

/// An acknowledged revocation survives `kill -9` and a restart.
#[test]
fn an_acknowledged_revocation_survives_kill_9() {
    // The real binary's SQLite file after kill -9 (on PostgreSQL: replicas::kill_dash_nine_...).
    if skip_in_the_postgres_run("an_acknowledged_revocation_survives_kill_9") {
        return;
    }
    let served = serve_binary(&[], None);
    let agent = http();
    let base = format!("http://{}", served.addr);
    let (status, login) = post_json(
        &agent,
        &format!("{base}/v1/auth/login"),
        &json!({"email": "admin@localhost", "password": ADMIN_PASSWORD}),
        None,
    );
    assert_eq!(status, 200, "{login}");
    let token = login["token"].as_str().unwrap().to_string();
    let (status, _) = post_json(
        &agent,
        &format!("{base}/v1/auth/revoke"),
        &json!({"token": token}),
        None,
    );
    assert_eq!(status, 200);
    let served = restart(served);
    let r = agent
        .get(&format!("http://{}/v1/auth/me", served.addr))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        401,
        "the revocation holds after kill -9"
    );
}

/// `kill -9` in the middle of a stream of admin writes: the database is intact and every
/// acknowledged write, with its audit row, is there.
#[test]
fn kill_9_during_admin_writes_loses_nothing_acknowledged() {
    // The SQLite file after kill -9, checked with SQLite's integrity_check (on PostgreSQL:
    // replicas::kill_dash_nine_of_a_replica_loses_no_acknowledged_write).
    if skip_in_the_postgres_run("kill_9_during_admin_writes_loses_nothing_acknowledged") {
        return;
    }
    let mut served = serve_binary(&[], None);
    let agent = http();
    let base = format!("http://{}", served.addr);
    let (_, login) = post_json(
        &agent,
        &format!("{base}/v1/auth/login"),
        &json!({"email": "admin@localhost", "password": ADMIN_PASSWORD}),
        None,
    );
    let token = login["token"].as_str().unwrap().to_string();
    let acked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let (agent, base, token, acked) =
                (agent.clone(), base.clone(), token.clone(), acked.clone());
            std::thread::spawn(move || {
                for i in 0..400 {
                    let name = format!("R{w}X{i}");
                    let (status, _) = post_json(
                        &agent,
                        &format!("{base}/admin/v1/roles"),
                        &json!({"name": name, "parents": ["USER"]}),
                        Some(&token),
                    );
                    if status != 201 {
                        break;
                    }
                    acked.lock().unwrap().push(name);
                }
            })
        })
        .collect();
    wait_for("40 acknowledged writes", || {
        acked.lock().unwrap().len() >= 40
    });
    kill9(&mut served);
    for w in writers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let conn = rusqlite::Connection::open(served.dir.path().join("warden.db")).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    for name in &acked {
        let role: i64 = conn
            .query_row("SELECT COUNT(*) FROM roles WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .unwrap();
        let audit: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM audit_log WHERE target = ?1",
                [format!("role:{name}")],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!((role, audit), (1, 1), "{name} was acknowledged");
    }
}

/// GET `path` from a given loopback source address over a fresh connection.
fn get_from(source: &str, addr: &str, path: &str) -> String {
    use std::io::Write;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (source, target): (std::net::SocketAddr, std::net::SocketAddr) = (
        format!("{source}:0").parse().unwrap(),
        addr.parse().unwrap(),
    );
    let stream = runtime.block_on(async move {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(source).unwrap();
        socket.connect(target).await.unwrap()
    });
    let mut stream = stream.into_std().unwrap();
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    read_until_closed(&mut stream)
}

/// One address holding idle connections (and reopening them) cannot take every slot:
/// beyond its share its connections are closed at once, and another client is served.
#[test]
fn one_address_cannot_hold_every_connection() {
    // About connections to the real binary (on its SQLite file), not about the back end.
    if skip_in_the_postgres_run("one_address_cannot_hold_every_connection") {
        return;
    }
    let served = serve_binary(&[("WARDEN_MAX_CONNECTIONS", "40")], None);
    let mut idle = Vec::new();
    for _ in 0..60 {
        idle.push(std::net::TcpStream::connect(&served.addr).unwrap());
    }
    let reply = get_from("127.0.0.2", &served.addr, "/healthz");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    // The hog's connections beyond its share (20 of 40) were closed by the server.
    let mut closed = 0;
    for s in &mut idle {
        s.set_read_timeout(Some(std::time::Duration::from_millis(200)))
            .unwrap();
        let mut byte = [0u8; 1];
        if matches!(std::io::Read::read(s, &mut byte), Ok(0)) {
            closed += 1;
        }
    }
    assert!(closed >= 40, "closed: {closed}");
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

/// A body that names a key twice is refused: parsers disagree on which one counts.
#[test]
fn duplicate_json_keys_are_refused() {
    let app = spawn_app();
    let admin = app.admin_token();
    let (_, key) = block(app.state.app.store().create_client("dupes", None)).unwrap();
    let cases = [
        (
            "/v1/authorize",
            Some(admin.as_str()),
            r#"{"action":"readDocument","action":"deleteUserResource","resource":{"type":"UserResource","id":"r1"}}"#,
        ),
        (
            "/v1/authorize",
            Some(admin.as_str()),
            r#"{"action":"deleteUserResource","resource":{"type":"UserResource","id":"r1","id":"r2"}}"#,
        ),
        (
            "/access/v1/evaluation",
            Some(key.as_str()),
            r#"{"subject":{"type":"user","id":"alice"},"subject":{"type":"user","id":"admin"},"action":{"name":"deleteUserResource"},"resource":{"type":"UserResource","id":"r1"}}"#,
        ),
        (
            "/v1/auth/login",
            None,
            r#"{"email":"alice@example.com","email":"admin@localhost","password":"x"}"#,
        ),
    ];
    for (path, bearer, body) in cases {
        let auth = bearer.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("Authorization", a.as_str())).collect();
        let r = app.post_raw(path, Some("application/json"), body.as_bytes(), &headers);
        assert_eq!(r.status, 400, "{path} {body}: {}", r.text);
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains("duplicate field"),
            "{}",
            r.text
        );
    }
}

/// Let this test process hold `want` descriptors (up to the hard limit), whatever the soft
/// limit of the shell that started it.
fn raise_own_descriptor_limit(want: u64) {
    let mut l = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct we own.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) == 0 && l.rlim_cur < want {
            l.rlim_cur = want.min(l.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &l);
        }
    }
}

/// A body that arrives after its head (a second TCP segment, as Nagle and delayed ACK make of
/// a small body) is read before the answer, even by a handler that ignores it, so the
/// keep-alive connection the answer promises really stays open for the next request.
#[test]
fn a_late_body_keeps_the_connection_alive() {
    use std::io::{BufRead, BufReader, Read, Write};
    let app = spawn_app();
    let admin = app.admin_token();
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let head = format!(
        "POST /admin/v1/users/alice/unlock HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {admin}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    // The segment with the body follows later (a network delay, not a clock).
    std::thread::sleep(std::time::Duration::from_millis(300));
    stream.write_all(b"{}").unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let read_reply = |reader: &mut BufReader<std::net::TcpStream>| -> (String, String) {
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        let mut length = 0usize;
        let mut headers = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            headers.push_str(&line);
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        (status, headers + &String::from_utf8_lossy(&body))
    };
    let (status, rest) = read_reply(&mut reader);
    assert!(status.contains(" 200 "), "{status}{rest}");
    assert!(
        !rest.to_ascii_lowercase().contains("connection: close"),
        "{rest}"
    );
    // The same connection serves the next request.
    stream
        .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .unwrap();
    let (status, rest) = read_reply(&mut reader);
    assert!(status.contains(" 200 "), "{status}{rest}");
}
