use super::*;

/// Moving up from SQLite: `warden db copy` carries every session over, so a signed-in user
/// goes on refreshing against a server on PostgreSQL, with the same keys.
#[test]
fn db_copy_moves_a_sqlite_database_to_postgres_without_losing_a_session() {
    // From a SQLite file to PostgreSQL: both back ends in the default run.
    if skip_in_the_postgres_run(
        "db_copy_moves_a_sqlite_database_to_postgres_without_losing_a_session",
    ) {
        return;
    }
    let Some(url) = block(warden::testkit::database_or_skip("db_copy")) else {
        return;
    };
    // The source is a SQLite file whatever the suite's back end.
    let app = spawn_sqlite_app_with(|_| {});
    let alice = app.alice();
    let admin = app.admin_token();
    // Something in the logs.
    app.post("/v1/authorize", &own_document(), alice["token"].as_str());
    app.call(
        "post",
        "/admin/v1/clients",
        Some(&json!({"name": "svc"})),
        Some(&admin),
    );
    let sqlite = app.state.config.db.to_str().unwrap().to_string();
    // The server still runs on the file (its heartbeat is there), so the copy is refused...
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["--json", "db", "copy", "--from", &sqlite, "--to", &url])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("\"error\":\"source_in_use\""),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    // ... unless forced: this one has made its writes and stays idle while the copy runs.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_warden"))
        .args([
            "--json",
            "db",
            "copy",
            "--from",
            &sqlite,
            "--to",
            &url,
            "--with-logs",
            "--force",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = |table: &str| {
        report["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["table"] == table)
            .map(|t| t["rows"].as_i64().unwrap())
    };
    assert_eq!(rows("users"), Some(2), "{report}");
    assert_eq!(rows("clients"), Some(1), "{report}");
    assert!(rows("sessions").unwrap() >= 2, "{report}");
    assert!(rows("audit_log").unwrap() >= 1, "{report}");
    // A second copy into the same database is refused (it is no longer empty).
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_warden"))
        .args(["db", "copy", "--from", &sqlite, "--to", &url, "--force"])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds users or keys"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    let mut config = (*app.state.config).clone();
    config.db = url.into();
    let (pg, _) = app.server_with(config);
    assert_eq!(
        send(
            &app,
            &pg,
            "get",
            "/v1/auth/me",
            None,
            alice["token"].as_str()
        )
        .status,
        200,
        "the access token verifies with the copied keys"
    );
    let r = send(
        &app,
        &pg,
        "post",
        "/v1/auth/refresh",
        Some(&json!({"refresh_token": alice["refresh_token"]})),
        None,
    );
    assert_eq!(r.status, 200, "the session goes on: {}", r.text);
    let audit = send(
        &app,
        &pg,
        "get",
        "/admin/v1/audit?limit=50",
        None,
        Some(&admin),
    )
    .text;
    assert!(audit.contains("clients.write"), "{audit}");
}

/// PostgreSQL stopped and started again under a running replica: requests in between fail
/// closed with 503, the replica reconnects by itself, and nothing acknowledged is lost. On a
/// cluster of its own, so that the other tests' database stays up.
#[test]
fn a_database_restart_is_503_in_between_and_recovers_by_itself() {
    // About PostgreSQL (a cluster of its own): runs on it in the default run.
    if skip_in_the_postgres_run("a_database_restart_is_503_in_between_and_recovers_by_itself") {
        return;
    }
    let Some(cluster) = warden::testkit::Cluster::start_or_skip("the PostgreSQL restart test")
    else {
        return;
    };
    let url = block(cluster.database()).unwrap();
    let app = spawn_app_at(url, |_| {});
    let admin = app.admin_token();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let r = app.call(
        "post",
        "/admin/v1/users",
        Some(&json!({"id": "erin", "email": "erin@example.com", "roles": ["USER"]})),
        Some(&admin),
    );
    assert_eq!(r.status, 201, "{}", r.text);

    cluster.stop().unwrap();
    eventually("decisions refused while the database is away", || {
        app.post("/v1/authorize", &own_document(), Some(&alice))
            .status
            == 503
    });
    let login = app.post(
        "/v1/auth/login",
        &json!({"email": "alice@example.com", "password": USER_PASSWORD}),
        None,
    );
    assert_eq!(login.status, 503, "{}", login.text);
    assert_eq!(
        app.call("get", "/admin/v1/users/erin", None, Some(&admin))
            .status,
        503
    );

    cluster.resume().unwrap();
    let back = Instant::now();
    eventually("decisions answered again", || {
        app.post("/v1/authorize", &own_document(), Some(&alice))
            .status
            == 200
    });
    println!("decisions back {:?} after the database", back.elapsed());
    // Nothing acknowledged was lost, and writes work again.
    assert_eq!(
        app.call("get", "/admin/v1/users/erin", None, Some(&admin))
            .status,
        200
    );
    assert!(app.alice()["token"].is_string());
}

/// `kill -9` of one replica (a real `warden serve` process) during a stream of admin writes
/// through both: every write that was acknowledged is in the database.
#[test]
fn kill_dash_nine_of_a_replica_loses_no_acknowledged_write() {
    let Some(app) = spawn_pg_app_with("kill_dash_nine", |_| {}) else {
        return;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Reaped(
        std::process::Command::new(env!("CARGO_BIN_EXE_warden"))
            .args(["--db", app.state.config.db.to_str().unwrap()])
            .args(["--policies", app.state.config.policies.to_str().unwrap()])
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("WARDEN_PUBLIC_URL", &app.state.config.public_url)
            .env("WARDEN_WATCH_POLICIES", "false")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let b = format!("http://127.0.0.1:{port}");
    eventually("the second replica serving", || {
        app.agent
            .get(&format!("{b}/healthz"))
            .call()
            .is_ok_and(|r| r.status() == 200)
    });
    let admin = app.admin_token();
    let mut acknowledged = Vec::new();
    for i in 0..40 {
        if i == 20 {
            child.0.kill().unwrap(); // SIGKILL
            child.0.wait().unwrap();
        }
        let base = if i % 2 == 0 {
            app.base.clone()
        } else {
            b.clone()
        };
        let id = format!("w{i}");
        let body = json!({"id": id, "email": format!("{id}@example.com"), "roles": ["USER"]});
        let url = format!("{base}/admin/v1/users");
        let sent = app
            .agent
            .post(&url)
            .header("Authorization", &format!("Bearer {admin}"))
            .header("Content-Type", "application/json")
            .send(body.to_string());
        if sent.is_ok_and(|r| r.status() == 201) {
            acknowledged.push(id);
        }
    }
    assert!(acknowledged.len() >= 30, "{acknowledged:?}");
    for id in &acknowledged {
        let r = app.call("get", &format!("/admin/v1/users/{id}"), None, Some(&admin));
        assert_eq!(r.status, 200, "acknowledged write {id} lost: {}", r.text);
    }
}

/// A child process killed and reaped when dropped (also when a test fails midway).
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
