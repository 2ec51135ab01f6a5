//! Published policy sets in the core, on a real SQLite file in store mode: publish, every
//! refusal (nothing activated), audit rows, rollback, diff, versions, the publish race, a
//! replica following, and the "someone can still administer" rule of a directory reload.

use super::*;
use crate::clock::ManualClock;
use crate::publishing::PolicyFiles;
use tempfile::TempDir;

const START_MS: i64 = 1_767_225_600_000;

struct Core {
    _dir: TempDir,
    app: App,
}

fn config_in(dir: &TempDir, source: PolicySource) -> Config {
    let policies = dir.path().join("policies");
    if source == PolicySource::Dir {
        crate::engine::create_shipped(&policies).unwrap();
    }
    Config {
        db: dir.path().join("warden.db"),
        policies,
        policy_source: source,
        watch_policies: false,
        ..Config::default()
    }
}

/// A server's core in store mode after `warden init` (the shipped policies as version 1).
async fn store_core() -> Core {
    let dir = TempDir::new().unwrap();
    let config = config_in(&dir, PolicySource::Store);
    App::init(&config).await.unwrap();
    let (opened, _) = App::open(config, ManualClock::at_ms(START_MS))
        .await
        .unwrap();
    Core {
        _dir: dir,
        app: opened.app,
    }
}

/// Another server on the same database.
async fn replica(core: &Core) -> App {
    let config = (*core.app.config).clone();
    App::open(config, ManualClock::at_ms(START_MS))
        .await
        .unwrap()
        .0
        .app
}

fn shipped() -> PolicyFiles {
    crate::engine::shipped_files()
}

fn with(files: &[(&str, &str)]) -> PolicyFiles {
    let mut set = shipped();
    for (name, text) in files {
        set.insert(name.to_string(), text.to_string());
    }
    set
}

fn request(files: PolicyFiles, message: &str) -> PublishPolicies {
    PublishPolicies {
        files,
        message: message.into(),
        dry_run: false,
        max_changes: None,
        replay: None,
    }
}

fn admin() -> Actor {
    Actor::user("admin")
}

const CAROL_DELETES: &str = "@id(\"carol-deletes\")\npermit(principal == User::\"carol\", action == Action::\"deleteUserResource\", resource);\n";

fn refusal(e: AppError) -> (PolicyRefusal, String) {
    match e {
        AppError::Policy { refusal, message } => (refusal, message),
        other => panic!("not a policy refusal: {other:?}"),
    }
}

async fn active(app: &App) -> Option<i64> {
    app.policy_versions(&Actor::Cli).await.unwrap().active
}

#[tokio::test]
async fn init_publishes_the_shipped_policies_as_version_one_and_the_server_serves_it() {
    let c = store_core().await;
    let list = c.app.policy_versions(&admin()).await.unwrap();
    assert_eq!(list.source, PolicySource::Store);
    assert_eq!(list.active, Some(1));
    let v1 = &list.versions[0];
    assert_eq!(
        (
            v1.version,
            v1.author.as_str(),
            v1.message.as_str(),
            v1.active
        ),
        (1, "cli", "shipped policies", true)
    );
    assert_eq!(v1.hash, crate::engine::hash_files(&shipped()));
    let engine = c.app.engine.clone().unwrap();
    assert_eq!(engine.version(), Some(1));
    assert_eq!(engine.bundle().content_hash(), v1.hash);
    // A second init publishes nothing more.
    App::init(&c.app.config).await.unwrap();
    assert_eq!(
        c.app
            .policy_versions(&admin())
            .await
            .unwrap()
            .versions
            .len(),
        1
    );
}

#[tokio::test]
async fn store_mode_without_a_published_set_refuses_to_start_saying_how() {
    let dir = TempDir::new().unwrap();
    let config = config_in(&dir, PolicySource::Store);
    let Err(err) = App::open(config, ManualClock::at_ms(START_MS)).await else {
        panic!("started without policies");
    };
    let OpenError::Policies(e) = err else {
        panic!("{err:?}")
    };
    let text = e.to_string();
    assert!(
        text.contains("warden init") && text.contains("warden policy publish"),
        "{text}"
    );
}

#[tokio::test]
async fn a_publish_is_stored_activated_audited_and_served_at_once() {
    let c = store_core().await;
    let files = with(&[("carol.cedar", CAROL_DELETES)]);
    let out = c
        .app
        .publish_policies(&admin(), request(files.clone(), "bob deletes"))
        .await
        .unwrap();
    assert!(out.activated);
    assert_eq!(out.version, Some(2));
    assert_eq!(out.hash, crate::engine::hash_files(&files));
    assert_eq!(out.policies, 7);
    assert!(out.tests_passed > 0);
    let engine = c.app.engine.clone().unwrap();
    assert_eq!(engine.version(), Some(2));
    assert!(engine.bundle().policy("carol-deletes").is_some());

    let list = c.app.policy_versions(&admin()).await.unwrap();
    assert_eq!(list.active, Some(2));
    assert_eq!(list.versions[0].author, "user:admin");
    assert_eq!(list.versions[0].message, "bob deletes");
    assert!(!list.versions[1].active);

    let audit = c
        .app
        .list_audit(None, Some("policies.publish"), 10)
        .await
        .unwrap();
    let row = audit.iter().find(|r| r.actor == "user:admin").unwrap();
    assert_eq!(row.detail["version"], 2);
    assert_eq!(row.detail["hash"], out.hash.as_str());
    assert_eq!(row.detail["message"], "bob deletes");
    assert!(row.detail["rollback_of"].is_null());
    assert!(row.detail["impact"]["allow_to_deny"].is_u64());

    let shown = c.app.policy_version(&admin(), 2).await.unwrap();
    assert_eq!(shown.files, files);
    assert!(shown.version.active);
}

#[tokio::test]
async fn a_dry_run_answers_everything_but_activates_nothing() {
    let c = store_core().await;
    let mut r = request(with(&[("carol.cedar", CAROL_DELETES)]), "try");
    r.dry_run = true;
    let out = c.app.publish_policies(&admin(), r).await.unwrap();
    assert!(!out.activated);
    assert_eq!(out.version, None);
    assert_eq!(out.policies, 7);
    assert_eq!(active(&c.app).await, Some(1));
    assert_eq!(c.app.engine.clone().unwrap().version(), Some(1));
    assert_eq!(
        c.app
            .policy_versions(&admin())
            .await
            .unwrap()
            .versions
            .len(),
        1
    );
}

#[tokio::test]
async fn every_bad_set_is_refused_with_its_code_and_nothing_is_activated() {
    let c = store_core().await;
    let mut no_admin = shipped();
    no_admin.remove("warden.cedar");
    no_admin.remove("tests/warden.toml");
    let mut no_cedar = PolicyFiles::new();
    no_cedar.insert(
        "schema.cedarschema".into(),
        shipped()["schema.cedarschema"].clone(),
    );
    let mut no_schema = shipped();
    no_schema.remove("schema.cedarschema");
    no_schema.retain(|n, _| !n.starts_with("tests/"));
    let mut only_comments = shipped();
    only_comments.retain(|n, _| !n.ends_with(".cedar") && !n.starts_with("tests/"));
    only_comments.insert("empty.cedar".into(), "// nothing\n".into());
    let huge = with(&[("big.cedar", &"/".repeat(crate::engine::MAX_SET_BYTES + 1))]);
    let cases: Vec<(&str, PolicyFiles, PolicyRefusal, &str)> = vec![
        (
            "syntax",
            with(&[("bad.cedar", "permit(principal,")]),
            PolicyRefusal::Invalid,
            "bad.cedar:",
        ),
        (
            "schema",
            with(&[(
                "bad.cedar",
                "permit(principal, action == Action::\"noSuchAction\", resource);",
            )]),
            PolicyRefusal::Invalid,
            "bad.cedar",
        ),
        (
            "failing test",
            with(&[(
                "deny.cedar",
                "@id(\"no-reading\")\nforbid(principal, action == Action::\"readDocument\", resource);",
            )]),
            PolicyRefusal::TestsFailed,
            "tests/app.toml:",
        ),
        (
            "broken test suite",
            with(&[("tests/odd.toml", "[[case]]\nname = 1\n")]),
            PolicyRefusal::TestsFailed,
            "tests/odd.toml",
        ),
        ("empty", PolicyFiles::new(), PolicyRefusal::Invalid, "empty"),
        (
            "no policy file",
            no_cedar,
            PolicyRefusal::Invalid,
            "no policy files",
        ),
        (
            "no policy at all",
            only_comments,
            PolicyRefusal::Invalid,
            "no policy",
        ),
        (
            "schema lost",
            no_schema,
            PolicyRefusal::Invalid,
            "validation off",
        ),
        (
            "a name outside the set",
            with(&[("../escape.cedar", CAROL_DELETES)]),
            PolicyRefusal::Invalid,
            "not a policy set file",
        ),
        (
            "no administrator",
            no_admin,
            PolicyRefusal::NoAdministrator,
            "nobody could administer",
        ),
        ("too large", huge, PolicyRefusal::TooLarge, "32 MiB"),
    ];
    for (what, files, code, words) in cases {
        let err = c
            .app
            .publish_policies(&admin(), request(files, what))
            .await
            .unwrap_err();
        let (refused, message) = refusal(err);
        assert_eq!(refused, code, "{what}: {message}");
        assert!(message.contains(words), "{what}: {message}");
    }
    let blank = c
        .app
        .publish_policies(&admin(), request(shipped(), "  "))
        .await
        .unwrap_err();
    assert!(
        matches!(blank, AppError::Invalid(ref m) if m.contains("message")),
        "{blank:?}"
    );
    assert_eq!(active(&c.app).await, Some(1));
    assert_eq!(
        c.app
            .policy_versions(&admin())
            .await
            .unwrap()
            .versions
            .len(),
        1
    );
    assert_eq!(c.app.engine.clone().unwrap().version(), Some(1));
    assert!(c
        .app
        .list_audit(Some("user:admin"), Some("policies.publish"), 10)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn only_an_admin_publishes_and_a_directory_server_refuses_to() {
    let c = store_core().await;
    c.app
        .create_user(
            &Actor::Cli,
            UserInput {
                id: Some("bob".into()),
                email: "bob@example.com".into(),
                name: "Bob".into(),
                roles: vec!["USER".into()],
                password: None,
            },
        )
        .await
        .unwrap();
    let bob = Actor::user("bob");
    let err = c
        .app
        .publish_policies(&bob, request(with(&[("carol.cedar", CAROL_DELETES)]), "me"))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    assert!(matches!(
        c.app.policy_versions(&bob).await.unwrap_err(),
        AppError::Forbidden(_)
    ));
    assert_eq!(active(&c.app).await, Some(1));

    let dir = TempDir::new().unwrap();
    let (opened, _) = App::open(
        config_in(&dir, PolicySource::Dir),
        ManualClock::at_ms(START_MS),
    )
    .await
    .unwrap();
    let (code, message) = refusal(
        opened
            .app
            .publish_policies(&admin(), request(shipped(), "x"))
            .await
            .unwrap_err(),
    );
    assert_eq!(code, PolicyRefusal::WrongSource);
    assert!(message.contains("policy_source = \"store\""), "{message}");
}

#[tokio::test]
async fn max_changes_refuses_a_set_that_flips_more_logged_decisions() {
    let c = store_core().await;
    let logged = |id: i64| DecisionRow {
        id: 0,
        at: START_MS / 1000 + id,
        request_id: format!("r{id}"),
        client: "user:admin".into(),
        principal: "User::\"admin\"".into(),
        action: "deleteUserResource".into(),
        resource: format!("UserResource::\"r{id}\""),
        decision: DecisionKind::Allow,
        reasons: vec!["app.admin-delete-user-resource".into()],
        errors: vec![],
        latency_us: 5,
        properties: serde_json::json!({}),
        context: serde_json::json!({}),
        address: "127.0.0.1".into(),
    };
    c.app
        .append_decisions(&[logged(1), logged(2), logged(3)], 1_000)
        .await
        .unwrap();
    let forbid = with(&[(
        "no-delete.cedar",
        "@id(\"no-delete\")\nforbid(principal == User::\"admin\", action == Action::\"deleteUserResource\", resource);",
    )]);
    let mut r = request(forbid.clone(), "no deleting");
    r.max_changes = Some(2);
    let (code, message) = refusal(c.app.publish_policies(&admin(), r).await.unwrap_err());
    assert_eq!(code, PolicyRefusal::TooManyChanges);
    assert!(message.contains("3 allow->deny"), "{message}");
    assert_eq!(active(&c.app).await, Some(1));

    let mut r = request(forbid, "no deleting");
    r.max_changes = Some(3);
    let out = c.app.publish_policies(&admin(), r).await.unwrap();
    assert_eq!((out.impact.allow_to_deny, out.version), (3, Some(2)));
}

#[tokio::test]
async fn rollback_publishes_the_old_files_as_a_new_version_and_diff_shows_each_file() {
    let c = store_core().await;
    let mut changed = with(&[("carol.cedar", CAROL_DELETES)]);
    changed.insert(
        "app.cedar".into(),
        shipped()["app.cedar"].replace("Every signed-in USER", "Every USER"),
    );
    changed.remove("tests/warden.toml");
    c.app
        .publish_policies(&admin(), request(changed, "v2"))
        .await
        .unwrap();

    let diff = c.app.policy_diff(&admin(), 1, 2).await.unwrap();
    let kinds: Vec<(&str, crate::publishing::FileChange)> = diff
        .files
        .iter()
        .map(|f| (f.file.as_str(), f.change))
        .collect();
    use crate::publishing::FileChange::*;
    assert_eq!(
        kinds,
        [
            ("app.cedar", Changed),
            ("carol.cedar", Added),
            ("tests/warden.toml", Removed)
        ]
    );
    let app_diff = &diff.files[0].diff;
    assert!(
        app_diff.starts_with("--- a/app.cedar\n+++ b/app.cedar\n@@"),
        "{app_diff}"
    );
    assert!(app_diff.contains("-// Every signed-in USER") && app_diff.contains("+// Every USER"));
    assert!(diff.files[1].diff.contains("+++ b/carol.cedar"));

    let out = c
        .app
        .rollback_policies(
            &admin(),
            RollbackPolicies {
                version: 1,
                message: None,
                dry_run: false,
                max_changes: None,
                replay: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(out.version, Some(3));
    let list = c.app.policy_versions(&admin()).await.unwrap();
    let v3 = &list.versions[0];
    assert_eq!(
        (v3.version, v3.rollback_of, v3.message.as_str(), v3.active),
        (3, Some(1), "rollback to version 1", true)
    );
    assert_eq!(
        v3.hash, list.versions[2].hash,
        "the same files as version 1"
    );
    assert_eq!(c.app.engine.clone().unwrap().version(), Some(3));
    let audit = c
        .app
        .list_audit(Some("user:admin"), Some("policies.publish"), 10)
        .await
        .unwrap();
    assert_eq!(audit[0].detail["rollback_of"], 1);
    assert!(c
        .app
        .policy_diff(&admin(), 1, 3)
        .await
        .unwrap()
        .files
        .is_empty());

    let missing = c
        .app
        .rollback_policies(
            &admin(),
            RollbackPolicies {
                version: 99,
                message: None,
                dry_run: false,
                max_changes: None,
                replay: None,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(missing, AppError::Store(ref e) if e.is_not_found()),
        "{missing:?}"
    );
    assert!(matches!(
        c.app.policy_version(&admin(), 99).await.unwrap_err(),
        AppError::Store(ref e) if e.is_not_found()
    ));
    assert_eq!(active(&c.app).await, Some(3));
}

/// The follower, the replicas view, start-up and the directory reload guard.
#[path = "publish_follow_tests.rs"]
mod follow;
