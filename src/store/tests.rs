use super::*;
use crate::model::{Email, RoleName, UserId};
use tempfile::TempDir;

fn open() -> (TempDir, Store) {
    let dir = TempDir::new().unwrap();
    let store = Store::open(&dir.path().join("w.db")).unwrap();
    (dir, store)
}

fn role(s: &str) -> RoleName {
    RoleName::parse(s).unwrap()
}

fn new_user(id: &str, email: &str, roles: &[&str]) -> NewUser {
    NewUser {
        id: UserId::parse(id).unwrap(),
        email: Email::parse(email).unwrap(),
        name: id.parse().unwrap(),
        roles: roles.iter().map(|r| role(r)).collect(),
        password_hash: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_database_is_migrated_private_and_reopens() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("w.db");
    {
        let store = Store::open(&path).unwrap();
        store.create_role(&role("USER"), &[], None).await.unwrap();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let store = Store::open(&path).unwrap();
    // The SQLite back end's own settings, read through its raw handle.
    let raw = super::sqlite::SqliteStore::open(&path, crate::clock::system()).unwrap();
    let version: i64 = raw
        .read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(version, super::sqlite::migrations::SCHEMA_VERSION);
    assert_eq!(
        store.list_roles().await.unwrap().len(),
        1,
        "data survives a reopen"
    );
    let mode: String = raw
        .read(|c| Ok(c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = raw
        .read(|c| Ok(c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(fk, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn newer_database_is_refused_and_left_untouched() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("w.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Store::open(&path).err().unwrap();
    assert!(
        matches!(err, StoreError::NewerVersion { found: 99, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("newer warden"));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 99);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupt_file_is_a_clear_error() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("w.db");
    std::fs::write(
        &path,
        b"this is not a database, just some text padding it out to a page....",
    )
    .unwrap();
    let err = Store::open(&path).err().unwrap();
    assert!(
        err.to_string().contains("is not a warden database"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_are_unique_case_insensitively_and_nothing_is_half_written() {
    let (_d, store) = open();
    store.create_role(&role("USER"), &[], None).await.unwrap();
    store
        .create_user(&new_user("a", "Ann@Example.com", &["USER"]), None)
        .await
        .unwrap();
    let err = store
        .create_user(&new_user("b", "ann@example.COM", &["USER"]), None)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    // Unknown role: the user row must not remain.
    let err = store
        .create_user(&new_user("c", "c@example.com", &["NOPE"]), None)
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("unknown role NOPE"));
    assert_eq!(store.count_users().await.unwrap(), 1);
    assert!(store
        .user_by_email("ANN@example.com")
        .await
        .unwrap()
        .is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_roles_refuses_unknown_roles_and_keeps_the_old_ones() {
    let (_d, store) = open();
    store.create_role(&role("USER"), &[], None).await.unwrap();
    store
        .create_user(&new_user("a", "a@example.com", &["USER"]), None)
        .await
        .unwrap();
    let err = store
        .set_user_roles("a", &[role("USER"), role("GHOST")], None)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Invalid(_)));
    assert_eq!(
        store.user("a").await.unwrap().roles,
        vec!["USER".to_string()]
    );
    assert!(matches!(
        store.set_user_roles("nobody", &[], None).await,
        Err(StoreError::NotFound { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_hierarchy_and_cycles() {
    let (_d, store) = open();
    store.create_role(&role("USER"), &[], None).await.unwrap();
    store
        .create_role(&role("SUPPORT"), &[role("USER")], None)
        .await
        .unwrap();
    store
        .create_role(&role("ADMIN"), &[role("SUPPORT")], None)
        .await
        .unwrap();
    let graph = store.role_graph().await.unwrap();
    let all: Vec<_> = ancestors(&graph, &["ADMIN".into()]).into_iter().collect();
    assert_eq!(all, vec!["ADMIN", "SUPPORT", "USER"]);
    let err = store
        .set_role_parents(&role("USER"), &[role("ADMIN")], None)
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("cycle"));
    assert!(store
        .create_role(&role("X"), &[role("MISSING")], None)
        .await
        .is_err());
    assert!(
        store.role("X").await.is_err(),
        "failed create leaves nothing behind"
    );
    // Removing a role still in use needs force.
    store
        .create_user(&new_user("a", "a@example.com", &["SUPPORT"]), None)
        .await
        .unwrap();
    assert!(matches!(
        store.remove_role("SUPPORT", false, None).await,
        Err(StoreError::Conflict(_))
    ));
    store.remove_role("SUPPORT", true, None).await.unwrap();
    assert!(store.user("a").await.unwrap().roles.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_readers_are_not_blocked_by_a_writer() {
    let (dir, store) = open();
    let store = std::sync::Arc::new(store);
    store.create_role(&role("USER"), &[], None).await.unwrap();
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..200 {
                store
                    .create_user(
                        &new_user(&format!("u{i}"), &format!("u{i}@example.com"), &["USER"]),
                        None,
                    )
                    .await
                    .unwrap();
            }
        })
    };
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut last = 0;
                for _ in 0..200 {
                    let n = store.count_users().await.unwrap();
                    assert!(n >= last, "readers see committed, growing state");
                    last = n;
                }
            })
        })
        .collect();
    // A second process-like handle on the same file writes too.
    let other = Store::open(&dir.path().join("w.db")).unwrap();
    for i in 0..50 {
        other
            .create_user(
                &new_user(&format!("o{i}"), &format!("o{i}@example.com"), &[]),
                None,
            )
            .await
            .unwrap();
    }
    writer.await.unwrap();
    for r in readers {
        r.await.unwrap();
    }
    assert_eq!(store.count_users().await.unwrap(), 250);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_rotation_grace_and_reuse() {
    let (_d, store) = open();
    store
        .create_user(&new_user("a", "a@example.com", &[]), None)
        .await
        .unwrap();
    let limits = RefreshLimits {
        idle_secs: 3600,
        grace_secs: 10,
    };
    let s = store.create_session("a", "h0", 3600).await.unwrap();
    assert!(matches!(
        store.rotate_refresh("h0", "h1", limits).await.unwrap(),
        RefreshOutcome::Rotated(_)
    ));
    // The immediate predecessor within the grace window: same successor.
    assert!(matches!(
        store.rotate_refresh("h0", "h1", limits).await.unwrap(),
        RefreshOutcome::Replayed(_)
    ));
    assert!(matches!(
        store.rotate_refresh("h1", "h2", limits).await.unwrap(),
        RefreshOutcome::Rotated(_)
    ));
    // h0 is no longer the immediate predecessor of the live token: reuse, family revoked.
    assert!(matches!(
        store.rotate_refresh("h0", "h1", limits).await.unwrap(),
        RefreshOutcome::Reused(_)
    ));
    assert!(store
        .session(&s.id)
        .await
        .unwrap()
        .unwrap()
        .revoked_at
        .is_some());
    assert!(matches!(
        store.rotate_refresh("h2", "h3", limits).await.unwrap(),
        RefreshOutcome::Dead(_)
    ));
    assert_eq!(
        store
            .list_audit(None, Some("sessions.revoke"), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        store.rotate_refresh("unknown", "x", limits).await.unwrap(),
        RefreshOutcome::Dead(_)
    ));
}

/// Windows follow the store's clock: an idle session, an absolute lifetime and the refresh
/// grace window are tested by moving a manual clock, never by sleeping.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifetimes_and_the_grace_window_follow_the_injected_clock() {
    let dir = TempDir::new().unwrap();
    let clock = crate::clock::ManualClock::at_ms(1_800_000_000_000);
    let store = Store::open_with_clock(&dir.path().join("w.db"), clock.clone()).unwrap();
    store
        .create_user(&new_user("a", "a@example.com", &[]), None)
        .await
        .unwrap();
    let limits = RefreshLimits {
        idle_secs: 60,
        grace_secs: 10,
    };
    // Rows are stamped with the clock's time.
    let s = store.create_session("a", "h0", 3600).await.unwrap();
    assert_eq!(s.created_at, 1_800_000_000);
    assert_eq!(s.expires_at, 1_800_000_000 + 3600);
    // Within the idle window the token rotates; a replay inside the grace window is answered
    // with the same successor, one second past it is a reuse.
    clock.advance_ms(59_000);
    assert!(matches!(
        store.rotate_refresh("h0", "h1", limits).await.unwrap(),
        RefreshOutcome::Rotated(_)
    ));
    clock.advance_ms(10_000);
    assert!(matches!(
        store.rotate_refresh("h0", "h1", limits).await.unwrap(),
        RefreshOutcome::Replayed(_)
    ));
    clock.advance_ms(1_000);
    assert!(matches!(
        store.rotate_refresh("h0", "h1", limits).await.unwrap(),
        RefreshOutcome::Reused(_)
    ));
    // A new session left idle for the whole window is dead, with no sleeping.
    store.create_session("a", "k0", 3600).await.unwrap();
    clock.advance_ms(60_000);
    assert!(matches!(
        store.rotate_refresh("k0", "k1", limits).await.unwrap(),
        RefreshOutcome::Dead(_)
    ));
    // And the absolute lifetime never slides.
    let long = RefreshLimits {
        idle_secs: 1_000_000,
        grace_secs: 10,
    };
    store.create_session("a", "m0", 100).await.unwrap();
    clock.advance_ms(50_000);
    assert!(matches!(
        store.rotate_refresh("m0", "m1", long).await.unwrap(),
        RefreshOutcome::Rotated(_)
    ));
    clock.advance_ms(50_000);
    assert!(matches!(
        store.rotate_refresh("m1", "m2", long).await.unwrap(),
        RefreshOutcome::Dead(_)
    ));
}
