use super::*;

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
    // replicas::durability::kill_dash_nine_of_a_replica_loses_no_acknowledged_write).
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
