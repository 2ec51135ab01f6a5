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

#[test]
fn new_database_is_migrated_private_and_reopens() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("w.db");
    {
        let store = Store::open(&path).unwrap();
        store.create_role(&role("USER"), &[]).unwrap();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let store = Store::open(&path).unwrap();
    let version: i64 = store
        .read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(version, migrations::SCHEMA_VERSION);
    assert_eq!(
        store.list_roles().unwrap().len(),
        1,
        "data survives a reopen"
    );
    let mode: String = store
        .read(|c| Ok(c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = store
        .read(|c| Ok(c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(fk, 1);
}

#[test]
fn newer_database_is_refused_and_left_untouched() {
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

#[test]
fn corrupt_file_is_a_clear_error() {
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

#[test]
fn emails_are_unique_case_insensitively_and_nothing_is_half_written() {
    let (_d, store) = open();
    store.create_role(&role("USER"), &[]).unwrap();
    store
        .create_user(&new_user("a", "Ann@Example.com", &["USER"]))
        .unwrap();
    let err = store
        .create_user(&new_user("b", "ann@example.COM", &["USER"]))
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    // Unknown role: the user row must not remain.
    let err = store
        .create_user(&new_user("c", "c@example.com", &["NOPE"]))
        .err()
        .unwrap();
    assert!(err.to_string().contains("unknown role NOPE"));
    assert_eq!(store.count_users().unwrap(), 1);
    assert!(store.user_by_email("ANN@example.com").unwrap().is_some());
}

#[test]
fn set_roles_refuses_unknown_roles_and_keeps_the_old_ones() {
    let (_d, store) = open();
    store.create_role(&role("USER"), &[]).unwrap();
    store
        .create_user(&new_user("a", "a@example.com", &["USER"]))
        .unwrap();
    let err = store
        .set_user_roles("a", &[role("USER"), role("GHOST")])
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Invalid(_)));
    assert_eq!(store.user("a").unwrap().roles, vec!["USER".to_string()]);
    assert!(matches!(
        store.set_user_roles("nobody", &[]),
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn role_hierarchy_and_cycles() {
    let (_d, store) = open();
    store.create_role(&role("USER"), &[]).unwrap();
    store
        .create_role(&role("SUPPORT"), &[role("USER")])
        .unwrap();
    store
        .create_role(&role("ADMIN"), &[role("SUPPORT")])
        .unwrap();
    let graph = store.role_graph().unwrap();
    let all: Vec<_> = ancestors(&graph, &["ADMIN".into()]).into_iter().collect();
    assert_eq!(all, vec!["ADMIN", "SUPPORT", "USER"]);
    let err = store
        .set_role_parents(&role("USER"), &[role("ADMIN")])
        .err()
        .unwrap();
    assert!(err.to_string().contains("cycle"));
    assert!(store.create_role(&role("X"), &[role("MISSING")]).is_err());
    assert!(
        store.role("X").is_err(),
        "failed create leaves nothing behind"
    );
    // Removing a role still in use needs force.
    store
        .create_user(&new_user("a", "a@example.com", &["SUPPORT"]))
        .unwrap();
    assert!(matches!(
        store.remove_role("SUPPORT", false),
        Err(StoreError::Conflict(_))
    ));
    store.remove_role("SUPPORT", true).unwrap();
    assert!(store.user("a").unwrap().roles.is_empty());
}

#[test]
fn concurrent_readers_are_not_blocked_by_a_writer() {
    let (dir, store) = open();
    let store = std::sync::Arc::new(store);
    store.create_role(&role("USER"), &[]).unwrap();
    let writer = {
        let store = store.clone();
        std::thread::spawn(move || {
            for i in 0..200 {
                store
                    .create_user(&new_user(
                        &format!("u{i}"),
                        &format!("u{i}@example.com"),
                        &["USER"],
                    ))
                    .unwrap();
            }
        })
    };
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || {
                let mut last = 0;
                for _ in 0..200 {
                    let n = store.count_users().unwrap();
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
            .create_user(&new_user(
                &format!("o{i}"),
                &format!("o{i}@example.com"),
                &[],
            ))
            .unwrap();
    }
    writer.join().unwrap();
    for r in readers {
        r.join().unwrap();
    }
    assert_eq!(store.count_users().unwrap(), 250);
}

#[test]
fn refresh_rotation_grace_and_reuse() {
    let (_d, store) = open();
    store
        .create_user(&new_user("a", "a@example.com", &[]))
        .unwrap();
    let limits = RefreshLimits {
        idle_secs: 3600,
        grace_secs: 10,
    };
    let s = store.create_session("a", "h0", 3600).unwrap();
    assert!(matches!(
        store.rotate_refresh("h0", "h1", limits).unwrap(),
        RefreshOutcome::Rotated(_)
    ));
    // The immediate predecessor within the grace window: same successor.
    assert!(matches!(
        store.rotate_refresh("h0", "h1", limits).unwrap(),
        RefreshOutcome::Replayed(_)
    ));
    assert!(matches!(
        store.rotate_refresh("h1", "h2", limits).unwrap(),
        RefreshOutcome::Rotated(_)
    ));
    // h0 is no longer the immediate predecessor of the live token: reuse, family revoked.
    assert!(matches!(
        store.rotate_refresh("h0", "h1", limits).unwrap(),
        RefreshOutcome::Reused(_)
    ));
    assert!(store.session(&s.id).unwrap().unwrap().revoked_at.is_some());
    assert!(matches!(
        store.rotate_refresh("h2", "h3", limits).unwrap(),
        RefreshOutcome::Dead(_)
    ));
    assert_eq!(
        store
            .list_audit(None, Some("sessions.revoke"), 10)
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        store.rotate_refresh("unknown", "x", limits).unwrap(),
        RefreshOutcome::Dead(_)
    ));
}
