use super::*;

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
