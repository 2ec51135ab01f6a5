//! Several replicas on one PostgreSQL database: the same guarantees as one server. These
//! tests are about PostgreSQL and run on it whatever the suite's back end
//! (`spawn_pg_app_with`): each gets a fresh database on the test process's throwaway cluster
//! (see `warden::testkit`), and passes as skipped, saying why, only where PostgreSQL is not
//! installed and not required.

use crate::common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A (the test app) and two more replicas B and C on A's database, by base URL.
fn three_replicas(
    test: &str,
    tweak: impl FnOnce(&mut warden::config::Config),
) -> Option<(TestApp, Vec<String>)> {
    let app = spawn_pg_app_with(test, tweak)?;
    let b = app.second_server().0;
    let c = app.second_server().0;
    let bases = vec![app.base.clone(), b, c];
    Some((app, bases))
}

fn send(
    app: &TestApp,
    base: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
    bearer: Option<&str>,
) -> Reply {
    let url = format!("{base}{path}");
    let auth = bearer.map(|t| format!("Bearer {t}"));
    let r = match method {
        "get" | "delete" => {
            let mut req = if method == "get" {
                app.agent.get(&url)
            } else {
                app.agent.delete(&url)
            };
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            req.call()
        }
        _ => {
            let mut req = match method {
                "put" => app.agent.put(&url),
                "patch" => app.agent.patch(&url),
                _ => app.agent.post(&url),
            };
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            req.header("Content-Type", "application/json")
                .send(body.map(|b| b.to_string()).unwrap_or_else(|| "{}".into()))
        }
    };
    let mut r = r.unwrap();
    Reply {
        status: r.status().as_u16(),
        headers: r
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect(),
        text: r.body_mut().read_to_string().unwrap_or_default(),
    }
}

fn login_at(app: &TestApp, base: &str, email: &str, password: &str) -> Value {
    let r = send(
        app,
        base,
        "post",
        "/v1/auth/login",
        Some(&json!({"email": email, "password": password})),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

/// Poll `check` until it holds (bounded: 10 s).
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn own_document() -> Value {
    json!({"action": "editDocument", "resource": {"type": "Document", "id": "d", "properties": {"owner": {"type": "User", "id": "alice"}}}})
}

fn delete_r1() -> Value {
    json!({"action": "deleteUserResource", "resource": {"type": "UserResource", "id": "r1"}})
}

#[test]
fn revocation_role_removal_and_disable_through_a_are_refused_on_b_and_c() {
    let Some((app, replicas)) = three_replicas("revocation_role_removal_and_disable", |_| {})
    else {
        return;
    };
    let (a, others) = (&replicas[0], &replicas[1..]);
    let admin = login_at(&app, a, "admin@localhost", ADMIN_PASSWORD)["token"]
        .as_str()
        .unwrap()
        .to_string();

    // A session revoked through A.
    let alice = login_at(&app, &others[0], "alice@example.com", USER_PASSWORD)["token"]
        .as_str()
        .unwrap()
        .to_string();
    for base in others {
        let r = send(
            &app,
            base,
            "post",
            "/v1/authorize",
            Some(&own_document()),
            Some(&alice),
        );
        assert_eq!(r.json()["allowed"], true, "{}", r.text);
    }
    let sessions = send(
        &app,
        a,
        "get",
        "/admin/v1/sessions?user=alice&active=true",
        None,
        Some(&admin),
    )
    .json();
    let sid = sessions[0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        send(
            &app,
            a,
            "delete",
            &format!("/admin/v1/sessions/{sid}"),
            None,
            Some(&admin)
        )
        .status,
        200
    );
    for base in others {
        eventually("the revoked session refused", || {
            send(
                &app,
                base,
                "post",
                "/v1/authorize",
                Some(&own_document()),
                Some(&alice),
            )
            .status
                == 401
        });
    }

    // A role taken away through A.
    let r = send(
        &app,
        a,
        "post",
        "/admin/v1/users",
        Some(
            &json!({"id": "dan", "email": "dan@example.com", "name": "Dan", "roles": ["ADMIN"], "password": "dans-password-123"}),
        ),
        Some(&admin),
    );
    assert!(r.status == 200 || r.status == 201, "{}", r.text);
    let dan = login_at(&app, &others[1], "dan@example.com", "dans-password-123")["token"]
        .as_str()
        .unwrap()
        .to_string();
    for base in others {
        assert_eq!(
            send(
                &app,
                base,
                "post",
                "/v1/authorize",
                Some(&delete_r1()),
                Some(&dan)
            )
            .json()["allowed"],
            true
        );
    }
    let r = send(
        &app,
        a,
        "put",
        "/admin/v1/users/dan/roles",
        Some(&json!({"roles": ["USER"]})),
        Some(&admin),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    for base in others {
        eventually("the removed role no longer counting", || {
            send(
                &app,
                base,
                "post",
                "/v1/authorize",
                Some(&delete_r1()),
                Some(&dan),
            )
            .json()["allowed"]
                == false
        });
    }

    // A user disabled through A.
    let r = send(
        &app,
        a,
        "patch",
        "/admin/v1/users/dan",
        Some(&json!({"disabled": true})),
        Some(&admin),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    for base in others {
        eventually("the disabled user refused", || {
            send(&app, base, "get", "/v1/auth/me", None, Some(&dan)).status == 401
        });
    }
    // The audit log is shared: every change made through A is seen through C.
    let audit = send(
        &app,
        &others[1],
        "get",
        "/admin/v1/audit?limit=50",
        None,
        Some(&admin),
    )
    .text;
    assert!(
        audit.contains("sessions.revoke") && audit.contains("users.create"),
        "{audit}"
    );
}

#[test]
fn sixteen_concurrent_refreshes_over_three_replicas_give_one_successor() {
    let Some((app, replicas)) = three_replicas("sixteen_concurrent_refreshes", |_| {}) else {
        return;
    };
    let first = app.alice();
    let token = first["refresh_token"].as_str().unwrap().to_string();
    let results: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let (app, base, token) = (&app, replicas[i % 3].clone(), token.clone());
                s.spawn(move || {
                    let r = send(
                        app,
                        &base,
                        "post",
                        "/v1/auth/refresh",
                        Some(&json!({"refresh_token": token})),
                        None,
                    );
                    let next = if r.status == 200 {
                        r.json()["refresh_token"].as_str().unwrap().to_string()
                    } else {
                        r.text
                    };
                    (r.status, next)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(
        results.iter().all(|(s, _)| *s == 200),
        "within the grace window every racer gets the successor: {results:?}"
    );
    let successors: std::collections::BTreeSet<_> = results.into_iter().map(|(_, t)| t).collect();
    assert_eq!(successors.len(), 1, "exactly one successor");
    let next = successors.into_iter().next().unwrap();
    assert_eq!(
        send(
            &app,
            &replicas[2],
            "post",
            "/v1/auth/refresh",
            Some(&json!({"refresh_token": next})),
            None
        )
        .status,
        200
    );
    // Reusing the first token on any replica now (its successor was used) revokes the family.
    let r = send(
        &app,
        &replicas[1],
        "post",
        "/v1/auth/refresh",
        Some(&json!({"refresh_token": token})),
        None,
    );
    assert_eq!(r.status, 400, "{}", r.text);
}

#[test]
fn wrong_password_burst_over_three_replicas_checks_at_most_the_limit() {
    let Some((app, replicas)) = three_replicas("wrong_password_burst", |c| {
        c.login_max_failures_per_account = 5
    }) else {
        return;
    };
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..50)
            .map(|i| {
                let (app, base) = (&app, replicas[i % 3].clone());
                s.spawn(move || {
                    send(
                        app,
                        &base,
                        "post",
                        "/v1/auth/login",
                        Some(&json!({"email": "alice@example.com", "password": "wrong password!"})),
                        None,
                    )
                    .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        checked <= 5,
        "{checked} passwords checked against a limit of 5: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| matches!(s, 401 | 429 | 503)),
        "{statuses:?}"
    );
}

#[test]
fn decisions_on_every_replica_land_in_the_shared_log() {
    let Some((app, replicas)) = three_replicas("decisions_shared_log", |_| {}) else {
        return;
    };
    let admin = app.admin_token();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    for base in &replicas {
        let r = send(
            &app,
            base,
            "post",
            "/v1/authorize",
            Some(&own_document()),
            Some(&alice),
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
    eventually("every replica's decision in the log", || {
        let log = send(
            &app,
            &replicas[0],
            "get",
            "/admin/v1/decisions?principal=User::%22alice%22&limit=50",
            None,
            Some(&admin),
        );
        log.status == 200 && log.json().to_string().matches("editDocument").count() >= 3
    });
}

/// The time from A's acknowledgement of a revocation until B refuses the token, over 100
/// trials (a measurement, not a timed assertion: run it with `--ignored --nocapture`).
#[test]
#[ignore]
fn propagation_time_from_a_to_b() {
    let Some((app, replicas)) = three_replicas("propagation_time", |_| {}) else {
        return;
    };
    let admin = app.admin_token();
    let mut times = Vec::new();
    for _ in 0..100 {
        let alice = login_at(&app, &replicas[1], "alice@example.com", USER_PASSWORD)["token"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            send(
                &app,
                &replicas[1],
                "post",
                "/v1/authorize",
                Some(&own_document()),
                Some(&alice)
            )
            .status,
            200
        );
        let sessions = send(
            &app,
            &replicas[0],
            "get",
            "/admin/v1/sessions?user=alice&active=true",
            None,
            Some(&admin),
        )
        .json();
        let sid = sessions[0]["id"].as_str().unwrap().to_string();
        let r = send(
            &app,
            &replicas[0],
            "delete",
            &format!("/admin/v1/sessions/{sid}"),
            None,
            Some(&admin),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        let acknowledged = Instant::now();
        eventually("B refusing", || {
            send(
                &app,
                &replicas[1],
                "post",
                "/v1/authorize",
                Some(&own_document()),
                Some(&alice),
            )
            .status
                == 401
        });
        times.push(acknowledged.elapsed());
    }
    times.sort();
    println!(
        "propagation A -> B over {} trials: p50 {:?}, p99 {:?}, max {:?}",
        times.len(),
        times[times.len() / 2],
        times[times.len() * 99 / 100],
        times[times.len() - 1]
    );
}

/// `strict_revocation`: a replica confirms the revision with the database before trusting
/// a cached caller. alice's session is revoked behind every replica's back: raw SQL that
/// revokes it and bumps the revision without a `NOTIFY`, which is how a change looks to a
/// replica while its notification is still on the way. The strict replica refuses her
/// token at its very next decision; the test app (not strict) may answer from its cache
/// until the revision reaches it, which its periodic read does within a few seconds (that
/// side is shown, not timed).
#[test]
fn strict_revocation_refuses_at_once_what_a_notification_has_not_announced_yet() {
    let Some(app) = spawn_pg_app_with("strict_revocation", |_| {}) else {
        return;
    };
    let mut config = (*app.state.config).clone();
    config.strict_revocation = true;
    let (strict, _strict_state) = app.server_with(config);
    let lax = app.base.clone();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    for base in [&strict, &lax] {
        for _ in 0..2 {
            let r = send(
                &app,
                base,
                "post",
                "/v1/authorize",
                Some(&own_document()),
                Some(&alice),
            );
            assert_eq!(
                (r.status, r.json()["allowed"].clone()),
                (200, json!(true)),
                "{base}: {}",
                r.text
            );
        }
    }
    let url = app.state.config.db.to_str().unwrap().to_string();
    block(async move {
        let (mut client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        let tx = client.transaction().await.unwrap();
        tx.batch_execute(
            "UPDATE sessions SET revoked_at = extract(epoch FROM now())::bigint, revoked_reason = 'test' \
             WHERE user_id = 'alice' AND revoked_at IS NULL; \
             UPDATE meta SET value = value + 1 WHERE key = 'revision';",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    });
    let r = send(
        &app,
        &strict,
        "post",
        "/v1/authorize",
        Some(&own_document()),
        Some(&alice),
    );
    assert_eq!(
        r.status, 401,
        "the strict replica refuses at once: {}",
        r.text
    );
    let first = send(
        &app,
        &lax,
        "post",
        "/v1/authorize",
        Some(&own_document()),
        Some(&alice),
    );
    println!(
        "without strict_revocation, right after the silent revocation: {} (200 while the revision has not reached it)",
        first.status
    );
    eventually("the lax replica's periodic read", || {
        send(
            &app,
            &lax,
            "post",
            "/v1/authorize",
            Some(&own_document()),
            Some(&alice),
        )
        .status
            == 401
    });
}

/// While a replica cannot hear other replicas' changes, decisions that need the directory
/// answer 503 (never a stale allow, never `invalid_grant`); it comes back by itself.
#[test]
fn a_replica_without_its_notification_connection_fails_closed_and_recovers() {
    let Some(app) = spawn_pg_app_with("fails_closed_without_notifications", |_| {}) else {
        return;
    };
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    assert_eq!(
        app.post("/v1/authorize", &own_document(), Some(&alice))
            .status,
        200
    );
    let url = app.state.config.db.to_str().unwrap().to_string();
    // Another database of the server: one cannot lock out the database one is connected to.
    let (server, db) = url.rsplit_once('/').unwrap();
    let db = db.to_string();
    let url = format!("{server}/postgres");
    let admin = block(async move {
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
    });
    // No new connection to this database (superusers included), then the listener's
    // connection is cut: the replica cannot listen again until connections are allowed.
    block(admin.batch_execute(&format!(
        "ALTER DATABASE {db} ALLOW_CONNECTIONS false; \
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'warden-listener' AND datname = '{db}';"
    )))
    .unwrap();
    eventually("decisions refused while blind", || {
        let r = app.post("/v1/authorize", &own_document(), Some(&alice));
        r.status == 503
    });
    let r = app.post("/v1/authorize", &own_document(), Some(&alice));
    assert_eq!(r.status, 503, "{}", r.text);
    assert_ne!(r.json()["error"], "invalid_grant");
    assert_eq!(app.get("/v1/auth/me", Some(&alice)).status, 503);
    block(admin.batch_execute(&format!("ALTER DATABASE {db} ALLOW_CONNECTIONS true"))).unwrap();
    let back = Instant::now();
    eventually("decisions answered again", || {
        app.post("/v1/authorize", &own_document(), Some(&alice))
            .status
            == 200
    });
    println!(
        "back {:?} after the database allowed connections again",
        back.elapsed()
    );
}

/// Replicas you can see: every server heartbeats into the database; the admin API and the
/// command line list them and flag one whose policies differ. On the suite's back end
/// (several servers on one SQLite file, or on one PostgreSQL database).
#[test]
fn replicas_are_listed_and_a_different_policy_bundle_is_flagged() {
    let app = &spawn_app();
    let b = app.second_server().0;
    let admin = app.admin_token();
    let mut listed = Value::Null;
    eventually("both servers' heartbeats", || {
        listed = send(app, &b, "get", "/admin/v1/replicas", None, Some(&admin)).json();
        listed.as_array().is_some_and(|l| l.len() == 2)
    });
    let all = listed.as_array().unwrap();
    assert!(all.iter().all(|r| r["policy_differs"] == false), "{listed}");
    assert_eq!(all[0]["policy_hash"], all[1]["policy_hash"]);
    assert_eq!(all[0]["version"], env!("CARGO_PKG_VERSION"));
    // A third replica serving other policies.
    let now = app.state.app.store().now();
    block(
        app.state
            .app
            .heartbeat("odd-one", "127.0.0.1:9", now, "0".repeat(64)),
    )
    .unwrap();
    let listed = app
        .call("get", "/admin/v1/replicas", None, Some(&admin))
        .json();
    let odd: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["policy_differs"] == true)
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(odd, vec!["odd-one".to_string()], "{listed}");
    // A user without the admin right may not see them.
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    assert_eq!(
        app.call("get", "/admin/v1/replicas", None, Some(&alice))
            .status,
        403
    );
    // The command line lists the same.
    let out = app.warden(&["--json", "replicas"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cli.as_array().unwrap().len(), 3, "{cli}");
    let out = app.warden(&["replicas"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("DIFFERS"));
}

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
        .args(["db", "copy", "--from", &sqlite, "--to", &url])
        .output()
        .unwrap();
    assert!(!again.status.success());

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

/// A key rotated through A signs A's new tokens at once; B and C verify them within a
/// second or two of hearing of the rotation (not at their next 30 s key check).
#[test]
fn a_key_rotation_on_a_is_verified_on_b_and_c() {
    let Some((app, replicas)) = three_replicas("key_rotation", |_| {}) else {
        return;
    };
    let admin = app.admin_token();
    let r = send(
        &app,
        &replicas[0],
        "post",
        "/admin/v1/keys/rotate",
        None,
        Some(&admin),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let fresh = login_at(&app, &replicas[0], "alice@example.com", USER_PASSWORD)["token"]
        .as_str()
        .unwrap()
        .to_string();
    for base in &replicas[1..] {
        eventually("the rotated key verifying on another replica", || {
            send(&app, base, "get", "/v1/auth/me", None, Some(&fresh)).status == 200
        });
    }
}
