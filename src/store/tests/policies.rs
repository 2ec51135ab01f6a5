//! Published policy sets (issue 29): publish, list, show and the active version; the race
//! between two publishers; what a refused publish leaves (nothing); the replicas' policy
//! fields; the "someone passes" read; and `warden db copy` of the versions.

use super::*;
use crate::publishing::PolicyFiles;

/// A set of files, in no particular order (the store sorts the names).
fn files(pairs: &[(&str, &str)]) -> PolicyFiles {
    pairs
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect()
}

fn version(message: &str, files: PolicyFiles, rollback_of: Option<i64>) -> NewPolicyVersion {
    NewPolicyVersion {
        hash: format!("hash-of-{message}"),
        author: "cli".into(),
        created_at: 1_700_000_000,
        message: message.into(),
        rollback_of,
        files,
    }
}

fn publish_audit(message: &str) -> Audit {
    Audit {
        actor: "cli".into(),
        action: "policies.publish".into(),
        target: "policies".into(),
        detail: serde_json::json!({ "message": message }),
        address: String::new(),
    }
}

fn first_set() -> PolicyFiles {
    files(&[
        ("warden.cedar", "permit(principal, action, resource);"),
        ("app.cedar", "forbid(principal, action, resource);"),
        ("tests/smoke.toml", "[[case]]"),
        ("schema.cedarschema", "entity User;"),
    ])
}

/// The publishes' audit rows, oldest first.
async fn publish_rows(store: &Store) -> Vec<AuditRow> {
    let mut rows = store
        .list_audit(None, Some("policies.publish"), 100)
        .await
        .unwrap();
    rows.reverse();
    rows
}

on_both! {
/// Versions count from 1, each publish makes its version active with its audit row and a
/// new revision; the list is newest first with sorted names and no texts; a version is
/// shown with its files; a rollback is a new version that says which one it restored.
async fn publish_list_show_and_the_active_version(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    assert_eq!(store.active_policy_version().await.unwrap(), None);
    assert!(store.list_policy_versions().await.unwrap().is_empty());

    let r0 = store.current_revision().unwrap();
    let v1 = store
        .publish_policy_version(&version("first", first_set(), None), None, Some(&publish_audit("first")))
        .await
        .unwrap();
    assert_eq!(v1, 1, "the first version is 1");
    assert_eq!(store.active_policy_version().await.unwrap(), Some(1));
    let r1 = store.current_revision().unwrap();
    assert!(r1 > r0, "a publish bumps the revision replicas follow");

    let second = files(&[("warden.cedar", "permit(principal, action, resource);")]);
    let v2 = store
        .publish_policy_version(&version("second", second.clone(), None), Some(1), Some(&publish_audit("second")))
        .await
        .unwrap();
    assert_eq!(v2, 2);
    assert!(store.current_revision().unwrap() > r1);
    let v3 = store
        .publish_policy_version(&version("back", first_set(), Some(1)), Some(2), None)
        .await
        .unwrap();
    assert_eq!(v3, 3, "a rollback is a new version: history only grows");
    assert_eq!(store.active_policy_version().await.unwrap(), Some(3));

    let list = store.list_policy_versions().await.unwrap();
    assert_eq!(list.iter().map(|v| v.version).collect::<Vec<_>>(), [3, 2, 1], "newest first");
    assert_eq!(
        list[2],
        PolicyVersionRow {
            version: 1,
            hash: "hash-of-first".into(),
            author: "cli".into(),
            created_at: 1_700_000_000,
            message: "first".into(),
            rollback_of: None,
            file_names: vec![
                "app.cedar".into(),
                "schema.cedarschema".into(),
                "tests/smoke.toml".into(),
                "warden.cedar".into(),
            ],
        }
    );
    assert_eq!(list[0].rollback_of, Some(1));
    assert_eq!(list[1].file_names, ["warden.cedar"]);

    let (row, texts) = store.policy_version_files(2).await.unwrap();
    assert_eq!(row, list[1]);
    assert_eq!(texts, second);
    let (_, texts) = store.policy_version_files(3).await.unwrap();
    assert_eq!(texts, first_set());

    // One audit row per audited publish, written with it, naming the version it made.
    let rows = publish_rows(&store).await;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].detail, serde_json::json!({"message": "first", "version": 1}));
    assert_eq!(rows[1].detail, serde_json::json!({"message": "second", "version": 2}));
}
}

on_both! {
/// A publish that expected another active version is refused with `publish_race`, and
/// writes nothing: no version, no active change, no audit row, no revision. So is a
/// rollback of a version that does not exist; showing one is not found.
async fn a_refused_publish_writes_nothing(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    let refused = store
        .publish_policy_version(&version("ahead", first_set(), None), Some(4), Some(&publish_audit("ahead")))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, StoreError::Conflict(Conflict::PublishRace { active: None })),
        "{refused:?}"
    );
    assert_eq!(store.active_policy_version().await.unwrap(), None);

    store
        .publish_policy_version(&version("first", first_set(), None), None, Some(&publish_audit("first")))
        .await
        .unwrap();
    let revision = store.current_revision().unwrap();
    for expected in [None, Some(7)] {
        let refused = store
            .publish_policy_version(&version("stale", first_set(), None), expected, Some(&publish_audit("stale")))
            .await
            .unwrap_err();
        let StoreError::Conflict(conflict) = &refused else { panic!("{refused:?}") };
        assert_eq!(conflict, &Conflict::PublishRace { active: Some(1) });
        assert_eq!(conflict.reason().as_str(), "publish_race");
        assert_eq!(
            refused.to_string(),
            "another publish made version 1 active first; look at it and publish again"
        );
    }
    let missing = store
        .publish_policy_version(&version("back", first_set(), Some(9)), Some(1), Some(&publish_audit("back")))
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing:?}");
    assert_eq!(missing.to_string(), "policy version 9 not found");

    assert_eq!(store.active_policy_version().await.unwrap(), Some(1));
    assert_eq!(store.list_policy_versions().await.unwrap().len(), 1, "no version written");
    assert_eq!(publish_rows(&store).await.len(), 1, "no audit row written");
    assert_eq!(store.current_revision().unwrap(), revision, "no revision bumped");

    let shown = store.policy_version_files(42).await.unwrap_err();
    assert!(
        matches!(&shown, StoreError::NotFound { entity: Entity::PolicyVersion, id } if id == "42"),
        "{shown:?}"
    );
    assert_eq!(shown.to_string(), "policy version 42 not found");
}
}

on_both! {
/// Files are kept byte for byte on both back ends, whatever they hold (the core decides
/// what a set may contain; the store does not rewrite it): a NUL, quotes, non-ASCII, an
/// empty file.
async fn files_are_kept_as_given(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    let odd = files(&[
        ("a.cedar", "// \u{0}nul\n\"quoted\" \\ back\r\n"),
        ("b.cedar", "// naïve ✓ 𝄞"),
        ("empty.cedar", ""),
    ]);
    store
        .publish_policy_version(&version("odd", odd.clone(), None), None, None)
        .await
        .unwrap();
    assert_eq!(store.policy_version_files(1).await.unwrap().1, odd);
}
}

on_both! {
/// Two publishers on two handles (two processes on one file; two replicas on one
/// PostgreSQL database) publish at the same moment against the same active version:
/// exactly one wins, the other is told which version won, round after round.
async fn of_two_concurrent_publishes_exactly_one_wins(kind) {
    let Some((dir, a)) = open(kind).await else { return };
    let b = open_again(kind, &dir, &a).await;
    let mut active = None;
    for round in 0..12 {
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let racer = |store: Store, name: &'static str| {
            let barrier = barrier.clone();
            let set = files(&[("warden.cedar", name)]);
            tokio::spawn(async move {
                barrier.wait().await;
                store
                    .publish_policy_version(&version(name, set, None), active, Some(&publish_audit(name)))
                    .await
            })
        };
        let (ra, rb) = (racer(a.clone(), "a"), racer(b.clone(), "b"));
        let (ra, rb) = (ra.await.unwrap(), rb.await.unwrap());
        let (won, lost) = match (ra, rb) {
            (Ok(v), Err(e)) | (Err(e), Ok(v)) => (v, e),
            other => panic!("round {round}: exactly one publish wins, got {other:?}"),
        };
        assert_eq!(won, round + 1, "versions are 1, 2, 3... with no gap");
        assert!(
            matches!(lost, StoreError::Conflict(Conflict::PublishRace { active: Some(v) }) if v == won),
            "round {round}: {lost:?}"
        );
        active = Some(won);
        assert_eq!(b.active_policy_version().await.unwrap(), active);
    }
    assert_eq!(a.list_policy_versions().await.unwrap().len(), 12);
    assert_eq!(publish_rows(&a).await.len(), 12, "the losers wrote no audit row");
}
}

on_both! {
/// A replica's heartbeat keeps the published version it serves and why it could not load
/// the active one; a later heartbeat clears them. A row without them (an older replica's
/// JSON) reads as none.
async fn replica_rows_carry_the_policy_version_and_error(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    let mut replica = ReplicaRow {
        id: "r1".into(),
        address: "127.0.0.1:8080".into(),
        version: "1.0.0".into(),
        started_at: 100,
        policy_hash: "abc".into(),
        seen_at: store.now(),
        policy_version: Some(3),
        policy_error: Some("version 4: schema.cedarschema: unexpected token".into()),
    };
    store.heartbeat(&replica).await.unwrap();
    assert_eq!(store.list_replicas(0).await.unwrap(), [replica.clone()]);
    replica.policy_version = Some(4);
    replica.policy_error = None;
    store.heartbeat(&replica).await.unwrap();
    assert_eq!(store.list_replicas(0).await.unwrap(), [replica.clone()]);
    replica.policy_version = None;
    store.heartbeat(&replica).await.unwrap();
    assert_eq!(store.list_replicas(0).await.unwrap(), [replica.clone()]);

    let older: ReplicaRow = serde_json::from_value(serde_json::json!({
        "id": "r0", "address": "a", "version": "0.9", "started_at": 1,
        "policy_hash": "h", "seen_at": 2
    }))
    .unwrap();
    assert_eq!((older.policy_version, older.policy_error), (None, None));
}
}

on_both! {
/// "Does anyone pass?" as a read of its own: nobody in an empty directory, the admin once
/// there is one, nobody again once that admin is disabled.
async fn any_user_passes_reads_the_directory(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    let rule = AdminRule::new(|u: &UserRow, _: &RoleGraph| u.roles.iter().any(|r| r == "ADMIN"));
    assert!(!store.any_user_passes(&rule).await.unwrap(), "nobody at all");
    store.create_role(&role("ADMIN"), &[], None).await.unwrap();
    store.create_role(&role("USER"), &[], None).await.unwrap();
    store.create_user(&new_user("u1", "u1@example.com", &["USER"]), None).await.unwrap();
    assert!(!store.any_user_passes(&rule).await.unwrap(), "no admin yet");
    store.create_user(&new_user("root", "root@example.com", &["ADMIN"]), None).await.unwrap();
    assert!(store.any_user_passes(&rule).await.unwrap());
    assert!(store.any_user_passes(&rule).await.unwrap(), "again, from its witness");
    store
        .update_user("root", None, None, Some(true), Change::default())
        .await
        .unwrap();
    assert!(!store.any_user_passes(&rule).await.unwrap(), "a disabled admin does not count");
}
}

/// `warden db copy` carries the versions and the active one over to PostgreSQL, counted
/// like every other table, and the copy reads as the original did.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn db_copy_carries_the_policy_versions_and_the_active_one() {
    let Some(url) = crate::testkit::database_or_skip("db_copy of policy versions").await else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("w.db");
    let sqlite = Store::open(&path).unwrap();
    let second = files(&[("warden.cedar", "permit(principal, action, resource);")]);
    sqlite
        .publish_policy_version(&version("first", first_set(), None), None, None)
        .await
        .unwrap();
    sqlite
        .publish_policy_version(&version("second", second.clone(), None), Some(1), None)
        .await
        .unwrap();
    sqlite
        .publish_policy_version(&version("back", first_set(), Some(1)), Some(2), None)
        .await
        .unwrap();
    drop(sqlite);

    let report = super::copy::copy_sqlite_to_postgres(&path, &url, false)
        .await
        .unwrap();
    let rows = |table: &str| report.iter().find(|(t, _)| t == table).map(|(_, n)| *n);
    assert_eq!(rows("policy_versions"), Some(3), "{report:?}");
    assert_eq!(rows("policy_active"), Some(1), "{report:?}");

    let sqlite = Store::open(&path).unwrap();
    let pg = Store::open_postgres(&url, crate::clock::system())
        .await
        .unwrap();
    assert_eq!(pg.active_policy_version().await.unwrap(), Some(3));
    assert_eq!(
        pg.list_policy_versions().await.unwrap(),
        sqlite.list_policy_versions().await.unwrap()
    );
    for v in 1..=3 {
        assert_eq!(
            pg.policy_version_files(v).await.unwrap(),
            sqlite.policy_version_files(v).await.unwrap()
        );
    }
    // The copy goes on where the original stopped.
    let next = pg
        .publish_policy_version(&version("next", second, None), Some(3), None)
        .await
        .unwrap();
    assert_eq!(next, 4);
}

/// An empty SQLite database copies with no version and none active.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn db_copy_of_a_database_without_versions_has_none_active() {
    let Some(url) = crate::testkit::database_or_skip("db_copy without versions").await else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("w.db");
    drop(Store::open(&path).unwrap());
    let report = super::copy::copy_sqlite_to_postgres(&path, &url, false)
        .await
        .unwrap();
    assert!(
        report.contains(&("policy_versions".to_owned(), 0)),
        "{report:?}"
    );
    assert!(
        report.contains(&("policy_active".to_owned(), 0)),
        "{report:?}"
    );
    let pg = Store::open_postgres(&url, crate::clock::system())
        .await
        .unwrap();
    assert_eq!(pg.active_policy_version().await.unwrap(), None);
    assert!(pg.list_policy_versions().await.unwrap().is_empty());
}
