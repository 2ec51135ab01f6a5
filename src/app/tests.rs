//! The core's operations on a real SQLite file and the shipped policies, with a manual clock:
//! windows and stamps are checked by moving the clock, never by sleeping.

use super::*;
use crate::clock::ManualClock;
use tempfile::TempDir;

/// 2026-01-01T00:00:00Z.
const START_MS: i64 = 1_767_225_600_000;

struct Core {
    _dir: TempDir,
    app: App,
    clock: Arc<ManualClock>,
}

async fn core() -> Core {
    let dir = TempDir::new().unwrap();
    let policies = dir.path().join("policies");
    crate::engine::create_shipped(&policies).unwrap();
    let config = Config {
        db: dir.path().join("warden.db"),
        policies,
        watch_policies: false,
        ..Config::default()
    };
    let clock = ManualClock::at_ms(START_MS);
    let (opened, _) = App::open(config, clock.clone()).await.unwrap();
    Core {
        _dir: dir,
        app: opened.app,
        clock,
    }
}

fn input(id: &str, roles: &[&str]) -> UserInput {
    UserInput {
        id: Some(id.into()),
        email: format!("{id}@example.com"),
        name: id.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        password: None,
    }
}

#[tokio::test]
async fn changes_are_stamped_by_the_injected_clock_and_audited_once() {
    let c = core().await;
    c.clock.advance_ms(90_000);
    let kim = c
        .app
        .create_user(&Actor::Cli, input("kim", &["USER"]))
        .await
        .unwrap();
    assert_eq!(kim.created_at, START_MS / 1000 + 90);
    let rows = c.app.list_audit(Some("cli"), None, 10).await.unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (rows[0].at, rows[0].action.as_str(), rows[0].target.as_str()),
        (START_MS / 1000 + 90, "users.create", "user:kim")
    );
}

#[tokio::test]
async fn a_replica_is_listed_until_it_falls_silent_for_the_window() {
    let c = core().await;
    let started = c.app.now();
    c.app
        .heartbeat("r1", "127.0.0.1:1", started, "hash".into())
        .await
        .unwrap();
    c.clock.advance_ms(REPLICA_SILENCE_SECS * 1000);
    assert_eq!(c.app.replicas().await.unwrap().len(), 1);
    c.clock.advance_ms(1000);
    assert!(c.app.replicas().await.unwrap().is_empty());
}

#[tokio::test]
async fn refusals_are_kinds_and_change_nothing() {
    let c = core().await;
    c.app
        .create_user(&Actor::Cli, input("kim", &["USER"]))
        .await
        .unwrap();
    let taken = c
        .app
        .create_user(
            &Actor::Cli,
            UserInput {
                id: Some("kim2".into()),
                ..input("kim", &[])
            },
        )
        .await
        .unwrap_err();
    assert_eq!(taken.reason(), Some(Reason::EmailTaken), "{taken}");
    let me = Actor::user("admin");
    let self_delete = c.app.delete_user(&me, "admin").await.unwrap_err();
    assert!(
        matches!(self_delete, AppError::Conflict(Conflict::SelfDelete)),
        "{self_delete}"
    );
    // The only administrators' role, forced out: nobody could administer afterwards.
    let last = c
        .app
        .remove_role(&Actor::Cli, "ADMIN", true)
        .await
        .unwrap_err();
    assert_eq!(last.reason(), Some(Reason::LastAdministrator), "{last}");
    let in_use = c
        .app
        .remove_role(&Actor::Cli, "USER", false)
        .await
        .unwrap_err();
    assert_eq!(in_use.reason(), Some(Reason::RoleInUse), "{in_use}");
    let unknown = c
        .app
        .set_roles(&Actor::Cli, "kim", &["GHOST".to_string()])
        .await
        .unwrap_err();
    assert_eq!(unknown.reason(), Some(Reason::UnknownRole), "{unknown}");
    assert_eq!(
        c.app.user("kim").await.unwrap().roles,
        vec!["USER".to_string()]
    );
    assert!(c
        .app
        .list_roles()
        .await
        .unwrap()
        .iter()
        .any(|r| r.name == "ADMIN"));
    // Only the one creation was audited.
    let rows = c.app.list_audit(None, None, 10).await.unwrap();
    let ours: Vec<_> = rows.iter().filter(|r| r.actor != "warden").collect();
    assert_eq!(ours.len(), 1, "{rows:?}");
}
