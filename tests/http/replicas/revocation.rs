use super::*;

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
