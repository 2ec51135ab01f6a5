//! Published sets across servers: the follower, the replicas view, start-up on a version
//! that does not load, and the directory reload guard.

use super::*;

#[tokio::test]
async fn a_replica_behind_loses_the_publish_race_and_then_follows() {
    let c = store_core().await;
    let b = replica(&c).await;
    c.app
        .publish_policies(
            &admin(),
            request(with(&[("carol.cedar", CAROL_DELETES)]), "A"),
        )
        .await
        .unwrap();
    // B still serves version 1: its preview was measured against it, so its publish loses.
    let err = b
        .publish_policies(&admin(), request(shipped(), "B"))
        .await
        .unwrap_err();
    assert_eq!(err.reason(), Some(Reason::PublishRace), "{err:?}");
    assert_eq!(active(&c.app).await, Some(2));

    assert_eq!(b.follow_published().await.unwrap(), Some(2));
    let engine = b.engine.clone().unwrap();
    assert_eq!(engine.version(), Some(2));
    assert!(engine.bundle().policy("carol-deletes").is_some());
    assert_eq!(b.follow_published().await.unwrap(), None, "nothing new");
}

#[tokio::test]
async fn deleting_the_admin_policies_from_the_directory_is_refused_by_a_reload() {
    // The attack: `rm policies/warden.cedar`, then a reload (the admin API or the watcher)
    // was accepted, and nobody could use the admin API any more, not even to undo it.
    let dir = TempDir::new().unwrap();
    let config = config_in(&dir, PolicySource::Dir);
    let policies = config.policies.clone();
    let (opened, _) = App::open(config, ManualClock::at_ms(START_MS))
        .await
        .unwrap();
    let app = opened.app;
    std::fs::remove_file(policies.join("warden.cedar")).unwrap();
    let err = app.reload_policies(&admin()).await.unwrap_err();
    assert!(
        matches!(err, AppError::Reload(ref m) if m.contains("nobody could administer")),
        "{err:?}"
    );
    let engine = app.engine.clone().unwrap();
    assert!(engine.bundle().policy("warden.admin-all").is_some());
    assert!(engine.last_error().is_some());
    // The guard of the watcher's thread refuses the same bundle.
    let candidate = Arc::new(crate::engine::load_dir(&policies).unwrap());
    let guard = app.policy_guard();
    let verdict = tokio::task::spawn_blocking(move || guard(&candidate))
        .await
        .unwrap();
    assert!(verdict.unwrap_err().contains("nobody could administer"));
    // A change that keeps an administrator reloads.
    std::fs::write(
        policies.join("warden.cedar"),
        crate::engine::shipped_files()["warden.cedar"].clone(),
    )
    .unwrap();
    std::fs::write(policies.join("carol.cedar"), CAROL_DELETES).unwrap();
    assert_eq!(app.reload_policies(&admin()).await.unwrap(), 7);
}

#[test]
fn the_replicas_view_flags_an_error_and_a_version_off_the_active_one() {
    let row = |id: &str, version: Option<i64>, error: Option<&str>| ReplicaRow {
        id: id.into(),
        address: String::new(),
        version: String::new(),
        started_at: 0,
        policy_hash: "h".into(),
        seen_at: 0,
        policy_version: version,
        policy_error: error.map(String::from),
    };
    let flags = |rows: Vec<ReplicaRow>, active| -> Vec<bool> {
        flag_policy_differences_at(rows, active)
            .into_iter()
            .map(|r| r.policy_differs)
            .collect()
    };
    assert_eq!(
        flags(
            vec![row("a", Some(2), None), row("b", Some(2), None)],
            Some(2)
        ),
        [false, false]
    );
    assert_eq!(
        flags(
            vec![
                row("a", Some(2), None),
                row("b", Some(1), Some("version 2: does not load"))
            ],
            Some(2)
        ),
        [false, true]
    );
    // Every replica left behind is flagged, even all of them.
    assert_eq!(
        flags(
            vec![row("a", Some(1), None), row("b", Some(1), None)],
            Some(2)
        ),
        [true, true]
    );
    // Directory mode: no versions, the hash majority as before.
    assert_eq!(
        flags(vec![row("a", None, None), row("b", None, None)], None),
        [false, false]
    );
}

#[tokio::test]
async fn a_server_refuses_to_start_on_an_active_version_that_does_not_load_and_the_cli_repairs() {
    let c = store_core().await;
    let tampered = crate::store::NewPolicyVersion {
        hash: "0".repeat(64),
        author: "cli".into(),
        created_at: 0,
        message: "tampered".into(),
        rollback_of: None,
        files: with(&[("carol.cedar", CAROL_DELETES)]),
    };
    c.app
        .store()
        .publish_policy_version(&tampered, Some(1), None)
        .await
        .unwrap();
    // A server does not start on an older version (fail closed)...
    let config = (*c.app.config).clone();
    let refused = App::open(config.clone(), ManualClock::at_ms(START_MS)).await;
    let message = match refused {
        Err(OpenError::Policies(e)) => e.to_string(),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("a server started on an older version"),
    };
    assert!(
        message.contains("version 2") && message.contains("warden policy publish"),
        "{message}"
    );
    // ... while the command line opens on the newest that loads, to repair.
    let b = App::open_existing(&config, true).await.unwrap();
    let engine = b.engine.clone().unwrap();
    assert_eq!(engine.version(), Some(1));
    let error = engine.last_error().unwrap().to_string();
    assert!(error.contains("version 2"), "{error}");
    // A fix can still be published (over the active version this server cannot serve).
    let out = b
        .publish_policies(&Actor::Cli, request(shipped(), "fix"))
        .await
        .unwrap();
    assert_eq!(out.version, Some(3));
    assert_eq!(engine.version(), Some(3));
    assert!(engine.last_error().is_none());
    // And a server starts again.
    assert!(App::open(config, ManualClock::at_ms(START_MS))
        .await
        .is_ok());
}
