use super::*;
use crate::model::{DecisionKind, Email, RoleName, UserId, UserName};
use tempfile::TempDir;

/// Which back end a test runs on: every test written with [`on_both`] runs on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sqlite,
    Postgres,
}

/// A store of `kind` with the system clock; `None` when PostgreSQL is not installed here
/// (the test then passes as skipped, saying why).
async fn open(kind: Kind) -> Option<(Option<TempDir>, Store)> {
    open_at(kind, crate::clock::system()).await
}

/// [`open`] with a given clock.
async fn open_at(kind: Kind, clock: crate::clock::SharedClock) -> Option<(Option<TempDir>, Store)> {
    match kind {
        Kind::Sqlite => {
            let dir = TempDir::new().unwrap();
            let store = Store::connect(&dir.path().join("w.db"), clock)
                .await
                .unwrap();
            Some((Some(dir), store))
        }
        Kind::Postgres => {
            let url = crate::testkit::database_or_skip("a store test").await?;
            Some((None, Store::open_postgres(&url, clock).await.unwrap()))
        }
    }
}

/// A second handle on the same database (another process, or another replica).
async fn open_again(kind: Kind, dir: &Option<TempDir>, store: &Store) -> Store {
    match kind {
        Kind::Sqlite => Store::open(&dir.as_ref().unwrap().path().join("w.db")).unwrap(),
        Kind::Postgres => Store::open_postgres(&pg_url(store), crate::clock::system())
            .await
            .unwrap(),
    }
}

/// The URL of a PostgreSQL test store (test databases need no password).
fn pg_url(store: &Store) -> String {
    store.location().to_owned()
}

/// Write a test once and run it on SQLite and on PostgreSQL: `mod name { sqlite, postgres }`.
macro_rules! on_both {
    ($(#[$doc:meta])* async fn $name:ident($kind:ident) $body:block) => {
        $(#[$doc])*
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(Kind::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(Kind::Postgres).await
            }

            async fn run($kind: Kind) $body
        }
    };
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

on_both! {
async fn emails_are_unique_case_insensitively_and_nothing_is_half_written(kind) {
    let Some((_d, store)) = open(kind).await else { return };
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
    assert!(matches!(err, StoreError::Conflict(Conflict::EmailTaken { .. })), "{err}");
    // Unknown role: the user row must not remain.
    let err = store
        .create_user(&new_user("c", "c@example.com", &["NOPE"]), None)
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("unknown role NOPE"));
    assert_eq!(store.count_users().await.unwrap(), 1);
    assert!(store
        .user_by_email(&"ANN@example.com".parse().unwrap())
        .await
        .unwrap()
        .is_some());
}
}

/// Run SQL on the store's database directly, as an older warden (that did not refuse
/// look-alikes) would have written it.
async fn raw_sql(kind: Kind, dir: &Option<TempDir>, store: &Store, sql: &str) {
    match kind {
        Kind::Sqlite => {
            let conn =
                rusqlite::Connection::open(dir.as_ref().unwrap().path().join("w.db")).unwrap();
            conn.execute_batch(sql).unwrap();
        }
        Kind::Postgres => {
            let (client, connection) =
                tokio_postgres::connect(&pg_url(store), tokio_postgres::NoTls)
                    .await
                    .unwrap();
            tokio::spawn(connection);
            client.batch_execute(sql).await.unwrap();
        }
    }
}

on_both! {
/// A new user id or role name that differs from an existing one only in ASCII case is a
/// conflict naming both; look-alikes an older warden stored stay, and stay addressable.
async fn case_only_look_alikes_are_refused_and_old_ones_kept(kind) {
    let Some((dir, store)) = open(kind).await else { return };
    store.create_role(&role("ADMIN"), &[], None).await.unwrap();
    store
        .create_user(&new_user("admin", "admin@example.com", &["ADMIN"]), None)
        .await
        .unwrap();
    let err = store
        .create_user(&new_user("Admin", "other@example.com", &[]), None)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Conflict(Conflict::LookAlike { what: LookAlike::User, .. })), "{err}");
    assert_eq!(
        err.to_string(),
        "user id Admin differs only in case from the existing user admin"
    );
    let err = store.create_role(&role("admin"), &[], None).await.err().unwrap();
    assert!(matches!(err, StoreError::Conflict(Conflict::LookAlike { what: LookAlike::Role, .. })), "{err}");
    assert_eq!(
        err.to_string(),
        "role name admin differs only in case from the existing role ADMIN"
    );
    // Nothing was half written.
    assert_eq!(store.count_users().await.unwrap(), 1);
    assert!(store.user("Admin").await.is_err());
    assert_eq!(store.role_graph().await.unwrap().len(), 1);
    // An exact duplicate is still the plain conflict; a different id is fine.
    let err = store
        .create_user(&new_user("admin", "third@example.com", &[]), None)
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("already exists"), "{err}");
    store
        .create_user(&new_user("admin2", "admin2@example.com", &[]), None)
        .await
        .unwrap();

    // An older database already holding look-alikes: they stay and are found by their own
    // exact id; a third variant is refused.
    raw_sql(
        kind,
        &dir,
        &store,
        "INSERT INTO users (id, email, name, created_at, updated_at) VALUES ('ADMIN2', 'old@example.com', '', 0, 0);
         INSERT INTO roles (name, created_at) VALUES ('Admin', 0);",
    )
    .await;
    let store = open_again(kind, &dir, &store).await;
    assert_eq!(store.user("ADMIN2").await.unwrap().email, "old@example.com");
    assert_eq!(store.user("admin2").await.unwrap().email, "admin2@example.com");
    assert!(store.role_graph().await.unwrap().contains_key("Admin"));
    let err = store
        .create_user(&new_user("Admin2", "new@example.com", &[]), None)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Conflict(Conflict::LookAlike { .. })), "{err}");
    let err = store.create_role(&role("aDMIN"), &[], None).await.err().unwrap();
    assert!(matches!(err, StoreError::Conflict(Conflict::LookAlike { .. })), "{err}");
}
}

on_both! {
async fn set_roles_refuses_unknown_roles_and_keeps_the_old_ones(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    store.create_role(&role("USER"), &[], None).await.unwrap();
    store
        .create_user(&new_user("a", "a@example.com", &["USER"]), None)
        .await
        .unwrap();
    let err = store
        .set_user_roles("a", &[role("USER"), role("GHOST")], Change::default())
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Invalid(Invalid::UnknownRole { .. })), "{err}");
    assert_eq!(
        store.user("a").await.unwrap().roles,
        vec!["USER".to_string()]
    );
    assert!(matches!(
        store.set_user_roles("nobody", &[], Change::default()).await,
        Err(StoreError::NotFound { .. })
    ));
}
}

on_both! {
async fn role_hierarchy_and_cycles(kind) {
    let Some((_d, store)) = open(kind).await else { return };
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
        .set_role_parents(&role("USER"), &[role("ADMIN")], Change::default())
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
        store.remove_role("SUPPORT", false, Change::default()).await,
        Err(StoreError::Conflict(Conflict::RoleInUse { .. }))
    ));
    store.remove_role("SUPPORT", true, Change::default()).await.unwrap();
    assert!(store.user("a").await.unwrap().roles.is_empty());
}
}

on_both! {
async fn concurrent_readers_are_not_blocked_by_a_writer(kind) {
    let Some((dir, store)) = open(kind).await else { return };
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
    let other = open_again(kind, &dir, &store).await;
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
}

on_both! {
async fn refresh_rotation_grace_and_reuse(kind) {
    let Some((_d, store)) = open(kind).await else { return };
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
}

on_both! {
/// Windows follow the store's clock: an idle session, an absolute lifetime and the refresh
/// grace window are tested by moving a manual clock, never by sleeping.
async fn lifetimes_and_the_grace_window_follow_the_injected_clock(kind) {
    let clock = crate::clock::ManualClock::at_ms(1_800_000_000_000);
    let Some((_d, store)) = open_at(kind, clock.clone()).await else { return };
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
}

on_both! {
/// 16 concurrent refreshes of one token, over two handles on one database (two replicas):
/// exactly one rotates it; the others get the same successor (within the grace window).
async fn concurrent_refreshes_give_one_successor(kind) {
    let Some((dir, store)) = open(kind).await else { return };
    let other = open_again(kind, &dir, &store).await;
    store
        .create_user(&new_user("a", "a@example.com", &[]), None)
        .await
        .unwrap();
    store.create_session("a", "h0", 3600).await.unwrap();
    let limits = RefreshLimits {
        idle_secs: 3600,
        grace_secs: 10,
    };
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let s = if i % 2 == 0 { store.clone() } else { other.clone() };
            tokio::spawn(async move { s.rotate_refresh("h0", "h1", limits).await.unwrap() })
        })
        .collect();
    let mut rotated = 0;
    for t in tasks {
        match t.await.unwrap() {
            RefreshOutcome::Rotated(_) => rotated += 1,
            RefreshOutcome::Replayed(_) => {}
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(rotated, 1);
    assert!(store.session_of_refresh("h1").await.unwrap().is_some());
}
}

on_both! {
/// A 50-way burst of sign-in attempts over two handles charges at most the limit.
async fn throttle_burst_grants_at_most_the_limit(kind) {
    let Some((dir, store)) = open(kind).await else { return };
    let other = open_again(kind, &dir, &store).await;
    let keys = vec![
        ThrottleKey {
            scope: "account",
            account: "a@example.com".into(),
            address: String::new(),
            limit: 5,
        },
        ThrottleKey {
            scope: "address",
            account: String::new(),
            address: "127.0.0.1".into(),
            limit: 100,
        },
    ];
    let now = 1_800_000_000_000;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let s = if i % 2 == 0 { store.clone() } else { other.clone() };
            let keys = keys.clone();
            tokio::spawn(async move { s.reserve_login(&keys, 60_000, now).await.unwrap() })
        })
        .collect();
    let mut granted = 0;
    for t in tasks {
        if t.await.unwrap() == Reservation::Granted {
            granted += 1;
        }
    }
    assert_eq!(granted, 5);
    assert_eq!(
        store.account_failures("a@example.com", 60_000, now).await.unwrap(),
        5
    );
    // The window ends: a new attempt is granted and starts a new window.
    assert_eq!(
        store.reserve_login(&keys, 60_000, now + 60_001).await.unwrap(),
        Reservation::Granted
    );
    store.login_succeeded(&keys).await.unwrap();
    assert_eq!(
        store.account_failures("a@example.com", 60_000, now + 60_001).await.unwrap(),
        0
    );
}
}

on_both! {
/// A change on one handle moves the revision another handle reads from memory, and the
/// writer's own handle sees its change at once.
async fn revision_moves_on_every_handle(kind) {
    let Some((dir, store)) = open(kind).await else { return };
    let other = open_again(kind, &dir, &store).await;
    let before = other.current_revision().unwrap();
    store.create_role(&role("USER"), &[], None).await.unwrap();
    assert!(store.current_revision().unwrap() > before);
    // Another process or replica hears of it (SQLite: at once; PostgreSQL: by NOTIFY).
    let mut seen = false;
    for _ in 0..200 {
        if other.current_revision().unwrap() > before {
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(seen, "the other handle never saw the change");
    assert_eq!(other.revision().await.unwrap(), store.revision().await.unwrap());
}
}

/// An audit row of `action` on `target` by the CLI, with only the new values (`after`), as
/// the core gives it.
fn audit_after(action: &str, target: &str, after: serde_json::Value) -> Audit {
    Audit {
        actor: "cli".into(),
        action: action.into(),
        target: target.into(),
        detail: serde_json::json!({ "after": after }),
        address: String::new(),
    }
}

on_both! {
/// A user change of several fields is one transaction with its audit row: refused whole when
/// the last administrator would be lost (the email does not change, no row is written), and
/// when it lands, the one row has `before` (read inside it) for exactly the changed fields.
async fn update_user_is_all_or_nothing_and_audits_what_it_replaced(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    store.create_role(&role("ADMIN"), &[], None).await.unwrap();
    store.create_role(&role("USER"), &[], None).await.unwrap();
    store.create_user(&new_user("root", "root@example.com", &["ADMIN"]), None).await.unwrap();
    store.create_user(&new_user("b", "b@example.com", &["USER"]), None).await.unwrap();
    let rule = AdminRule::new(|u: &UserRow, _: &RoleGraph| u.roles.iter().any(|r| r == "ADMIN"));
    let keep = |audit| Change::audited(audit).keeping(Some(&rule));
    let email = Email::parse("new@x.y").unwrap();
    let audit = audit_after(
        "users.update",
        "user:root",
        serde_json::json!({"email": "new@x.y", "disabled": true}),
    );
    let err = store
        .update_user("root", Some(&email), None, Some(true), keep(&audit))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Conflict(Conflict::LastAdministrator)), "{err}");
    let root = store.user("root").await.unwrap();
    assert_eq!((root.email.as_str(), root.disabled), ("root@example.com", false));
    assert!(store.list_audit(None, None, 10).await.unwrap().is_empty());

    let session = store.create_session("b", "refresh-hash", 3600).await.unwrap();
    let name = UserName::parse("Bea").unwrap();
    let after = serde_json::json!({"email": "new@x.y", "name": "Bea", "disabled": true});
    let audit = audit_after("users.update", "user:b", after.clone());
    let row = store
        .update_user("b", Some(&email), Some(&name), Some(true), keep(&audit))
        .await
        .unwrap();
    assert_eq!((row.email.as_str(), row.name.as_str(), row.disabled), ("new@x.y", "Bea", true));
    let ended = store.session(&session.id).await.unwrap().unwrap();
    assert_eq!(ended.revoked_reason.as_deref(), Some("user_disabled"));
    let rows = store.list_audit(None, None, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].detail,
        serde_json::json!({
            "before": {"email": "b@example.com", "name": "b", "disabled": false},
            "after": after,
        })
    );

    // Nothing given: nothing written, not even an audit row.
    let same = store.update_user("b", None, None, None, keep(&audit)).await.unwrap();
    assert_eq!(same, row);
    assert_eq!(store.list_audit(None, None, 10).await.unwrap().len(), 1);
    assert!(matches!(
        store.update_user("nobody", None, None, Some(false), keep(&audit)).await,
        Err(StoreError::NotFound { .. })
    ));
}
}

on_both! {
/// The keep-an-administrator rule is incremental: once it knows a witness, a role edit asks
/// it at most twice whatever the directory's size (the admin sorts last, so a scan would ask
/// once per user). Demoting the witness while another admin remains goes through (the scan
/// finds the other); demoting, disabling or deleting the last one is refused, and nothing of
/// the refused change lands. A directory where nobody passes can still be changed (repair).
async fn keep_admin_is_incremental_and_refuses_the_last(kind) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let Some((_d, store)) = open(kind).await else { return };
    store.create_role(&role("ADMIN"), &[], None).await.unwrap();
    store.create_role(&role("USER"), &[], None).await.unwrap();
    for i in 0..150 {
        let id = format!("u{i:03}");
        store.create_user(&new_user(&id, &format!("{id}@example.com"), &["USER"]), None).await.unwrap();
    }
    store.create_user(&new_user("zz-root", "root@example.com", &["ADMIN"]), None).await.unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let rule = AdminRule::new(move |u: &UserRow, _: &RoleGraph| {
        counted.fetch_add(1, Ordering::SeqCst);
        u.roles.iter().any(|r| r == "ADMIN")
    });
    let keep = || Change::default().keeping(Some(&rule));
    // The first change finds the witness (a scan of every user).
    store.set_user_roles("u000", &[role("USER")], keep()).await.unwrap();
    assert!(calls.load(Ordering::SeqCst) >= 150);
    calls.store(0, Ordering::SeqCst);
    for i in 1..=20 {
        store.set_user_roles(&format!("u{i:03}"), &[role("USER")], keep()).await.unwrap();
    }
    let asked = calls.load(Ordering::SeqCst);
    assert!(asked <= 40, "20 edits asked the rule {asked} times");

    store.create_user(&new_user("zz-second", "second@example.com", &["ADMIN"]), None).await.unwrap();
    store.set_user_roles("zz-root", &[role("USER")], keep()).await.unwrap();
    let refused = |r: Result<_, StoreError>| matches!(r, Err(StoreError::Conflict(Conflict::LastAdministrator)));
    assert!(refused(store.set_user_roles("zz-second", &[role("USER")], keep()).await.map(|_| ())));
    assert!(refused(store.update_user("zz-second", None, None, Some(true), keep()).await.map(|_| ())));
    assert!(refused(store.delete_user("zz-second", keep()).await));
    assert!(refused(store.remove_role("ADMIN", true, keep()).await));
    let second = store.user("zz-second").await.unwrap();
    assert_eq!((second.roles, second.disabled), (vec!["ADMIN".to_owned()], false));

    // Nobody passes a rule asking for a role nobody holds: changes go through.
    let nobody = AdminRule::new(|u: &UserRow, _: &RoleGraph| u.roles.iter().any(|r| r == "SUPER"));
    store
        .set_user_roles("zz-second", &[role("USER")], Change::default().keeping(Some(&nobody)))
        .await
        .unwrap();
}
}

on_both! {
/// Replacing a user's roles or a role's parents records what they were, read in the change's
/// transaction.
async fn role_changes_audit_what_they_replaced(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    store.create_role(&role("USER"), &[], None).await.unwrap();
    store.create_role(&role("TEAM"), &[role("USER")], None).await.unwrap();
    store.create_user(&new_user("a", "a@example.com", &["USER"]), None).await.unwrap();
    let audit = audit_after("users.roles", "user:a", serde_json::json!(["TEAM", "USER"]));
    store
        .set_user_roles("a", &[role("TEAM"), role("USER")], Change::audited(&audit))
        .await
        .unwrap();
    let mut audit = audit_after("roles.write", "role:TEAM", serde_json::json!([]));
    audit.detail["change"] = "update".into();
    store.set_role_parents(&role("TEAM"), &[], Change::audited(&audit)).await.unwrap();
    let rows = store.list_audit(None, None, 10).await.unwrap();
    let details: Vec<_> = rows.iter().map(|r| (r.action.as_str(), &r.detail)).collect();
    assert_eq!(
        details,
        [
            (
                "roles.write",
                &serde_json::json!({"change": "update", "before": ["USER"], "after": []})
            ),
            (
                "users.roles",
                &serde_json::json!({"before": ["USER"], "after": ["TEAM", "USER"]})
            ),
        ]
    );
}
}

on_both! {
/// Keys, secrets, clients, jti revocation, audit and the decision log, through the seam.
async fn keys_secrets_clients_and_logs(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    store.add_key("k1", "EdDSA", b"p1", b"q1", None).await.unwrap();
    store.add_key("k2", "EdDSA", b"p2", b"q2", None).await.unwrap();
    let keys = store.keys().await.unwrap();
    assert_eq!(keys.iter().map(|k| k.kid.as_str()).collect::<Vec<_>>(), ["k2", "k1"]);
    assert!(keys[0].retired_at.is_none() && keys[1].retired_at.is_some());
    assert_eq!(keys[0].private_der, b"p2");
    let s1 = store.secret("hmac", vec![1, 2]).await.unwrap();
    let s2 = store.secret("hmac", vec![3, 4]).await.unwrap();
    assert_eq!((s1.clone(), s2), (vec![1, 2], s1));
    let audit = Audit {
        actor: "cli".into(),
        action: "clients.write".into(),
        target: "client:x".into(),
        detail: serde_json::json!({"change": "create", "name": "svc"}),
        address: "203.0.113.9".into(),
    };
    let (client, key) = store.create_client("svc", Some(&audit)).await.unwrap();
    assert_eq!(store.client_by_key(&key).await.unwrap().unwrap().id, client.id);
    let before = store.current_revision().unwrap();
    store.revoke_client(&client.id, None).await.unwrap();
    assert!(store.current_revision().unwrap() > before);
    assert!(store.client_by_key(&key).await.unwrap().is_none());
    assert_eq!(store.list_clients().await.unwrap().len(), 1);
    store.revoke_jti("j1", store.now() + 60, None).await.unwrap();
    assert!(store.is_jti_revoked("j1").await.unwrap());
    assert!(!store.is_jti_revoked("j2").await.unwrap());
    let rows = store.list_audit(Some("cli"), None, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].action, "clients.write");
    assert_eq!(rows[0].detail, serde_json::json!({"change": "create", "name": "svc"}));
    assert_eq!(rows[0].address, "203.0.113.9");
    let decision = |d: DecisionKind| DecisionRow {
        id: 0,
        at: store.now(),
        request_id: "r".into(),
        client: String::new(),
        principal: "User::\"a\"".into(),
        action: "view".into(),
        resource: "Doc::\"1\"".into(),
        decision: d,
        reasons: vec!["p1".into()],
        errors: vec![],
        latency_us: 5,
        properties: serde_json::json!({"owner": "a"}),
        context: serde_json::Value::Null,
        address: "198.51.100.4".into(),
    };
    store
        .append_decisions(
            &[
                decision(DecisionKind::Allow),
                decision(DecisionKind::Deny),
                decision(DecisionKind::Deny),
            ],
            2,
        )
        .await
        .unwrap();
    let logged = store.list_decisions(None, None, None, None, 10).await.unwrap();
    assert_eq!(logged.len(), 2, "the log keeps the newest `retain` rows");
    assert_eq!(logged[0].properties, serde_json::json!({"owner": "a"}));
    assert_eq!(logged[0].context, serde_json::json!({}));
    assert_eq!(logged[0].address, "198.51.100.4");
    let stats = store.decision_stats(0).await.unwrap();
    assert_eq!((stats.allowed, stats.denied), (0, 2));
    assert_eq!(stats.top_denied, vec![("view".to_string(), 2)]);
}
}

on_both! {
/// `confirmed_revision` (what `strict_revocation` asks): a bump made behind the store's
/// back (another process's raw SQL, with no NOTIFY on PostgreSQL) is in its answer at
/// once, and `current_revision` answers at least that from then on.
async fn confirmed_revision_reads_the_database(kind) {
    let Some((dir, store)) = open(kind).await else { return };
    let before = store.confirmed_revision().await.unwrap();
    assert_eq!(before, store.current_revision().unwrap());
    match kind {
        Kind::Sqlite => {
            let conn = rusqlite::Connection::open(dir.as_ref().unwrap().path().join("w.db")).unwrap();
            conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'", []).unwrap();
        }
        Kind::Postgres => {
            let (client, connection) = tokio_postgres::connect(&pg_url(&store), tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            client
                .execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'", &[])
                .await
                .unwrap();
        }
    }
    assert_eq!(store.confirmed_revision().await.unwrap(), before + 1);
    assert!(store.current_revision().unwrap() > before);
}
}

/// PostgreSQL: how long after replica A acknowledges a change replica B's
/// `current_revision` reflects it (the NOTIFY's trip), over 200 changes: a measurement
/// for docs/replicas.md and `Backend::current_revision`'s documentation, not a timed assertion.
/// `cargo test --lib revision_propagation -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn revision_propagation_time_on_postgres() {
    let Some((dir, a)) = open(Kind::Postgres).await else {
        return;
    };
    let b = open_again(Kind::Postgres, &dir, &a).await;
    let mut times = Vec::new();
    for i in 0..200 {
        a.revoke_jti(&format!("j{i}"), a.now() + 60, None)
            .await
            .unwrap();
        let acknowledged = std::time::Instant::now();
        let target = a.current_revision().unwrap();
        while b.current_revision().unwrap() < target {
            tokio::task::yield_now().await;
        }
        times.push(acknowledged.elapsed());
    }
    times.sort();
    println!(
        "revision A -> B over {} changes: p50 {:?}, p99 {:?}, max {:?}",
        times.len(),
        times[times.len() / 2],
        times[times.len() * 99 / 100],
        times[times.len() - 1]
    );
}

/// A logged row for the decision-log tests.
fn logged(principal: &str, action: &str, decision: DecisionKind, at: i64) -> DecisionRow {
    DecisionRow {
        id: 0,
        at,
        request_id: "r".into(),
        client: String::new(),
        principal: principal.into(),
        action: action.into(),
        resource: "Doc::\"1\"".into(),
        decision,
        reasons: vec![],
        errors: vec![],
        latency_us: 1,
        properties: serde_json::json!({}),
        context: serde_json::json!({}),
        address: String::new(),
    }
}

on_both! {
/// Every filter of the decision log alone and together, plan rows included (the kind is
/// stored as its word and read back as the enum), newest first, with `after_id` as the
/// long-poll uses it and the limit last.
async fn decision_log_filters(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    use DecisionKind::{Allow, Deny, Plan};
    let rows = [
        logged("User::\"a\"", "view", Allow, 100),
        logged("User::\"a\"", "edit", Deny, 100),
        logged("User::\"b\"", "view", Plan, 200),
        logged("User::\"b\"", "edit", Allow, 200),
        logged("User::\"a\"", "view", Plan, 300),
    ];
    store.append_decisions(&rows, 100).await.unwrap();
    let all = store.list_decisions(None, None, None, None, 10).await.unwrap();
    assert_eq!(all.len(), 5);
    assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    let ids = |f: DecisionFilter| {
        let store = store.clone();
        async move {
            let found = store.query_decisions(&DecisionFilter { limit: 10, ..f }).await.unwrap();
            found.iter().map(|r| (r.principal.clone(), r.action.clone(), r.decision, r.at)).collect::<Vec<_>>()
        }
    };
    let plans = ids(DecisionFilter { decision: Some(Plan), ..Default::default() }).await;
    assert_eq!(plans, [
        ("User::\"a\"".to_string(), "view".to_string(), Plan, 300),
        ("User::\"b\"".to_string(), "view".to_string(), Plan, 200),
    ]);
    let of_a = ids(DecisionFilter { principal: Some("User::\"a\"".into()), ..Default::default() }).await;
    assert_eq!(of_a.iter().map(|r| r.3).collect::<Vec<_>>(), [300, 100, 100]);
    let a_views = ids(DecisionFilter {
        principal: Some("User::\"a\"".into()),
        action: Some("view".into()),
        decision: Some(Allow),
        ..Default::default()
    })
    .await;
    assert_eq!(a_views, [("User::\"a\"".to_string(), "view".to_string(), Allow, 100)]);
    let since = ids(DecisionFilter { since: Some(200), action: Some("edit".into()), ..Default::default() }).await;
    assert_eq!(since, [("User::\"b\"".to_string(), "edit".to_string(), Allow, 200)]);
    // The long-poll's shape: only rows after the newest seen, then nothing.
    let newest = all[0].id;
    let after = store
        .query_decisions(&DecisionFilter { after_id: Some(all[2].id), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(after.iter().map(|r| r.id).collect::<Vec<_>>(), [all[0].id, all[1].id]);
    let none = store
        .query_decisions(&DecisionFilter { after_id: Some(newest), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert!(none.is_empty());
    let one = store
        .query_decisions(&DecisionFilter { decision: Some(Deny), limit: 1, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].decision, Deny);
    let stats = store.decision_stats(0).await.unwrap();
    assert_eq!((stats.allowed, stats.denied, stats.last_id), (2, 1, newest));
}
}

/// The decision log's filters are served by its indexes: the SQL built for a filter names
/// only the filters present, and each back end's planner reads the index of the column
/// filtered on (SQLite's plan; PostgreSQL's with sequential scans off, since a tiny table
/// is scanned whatever its indexes), or the key for the long-poll's `id > ?`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decision_log_filters_use_its_indexes() {
    let filter = |f: DecisionFilter| DecisionFilter { limit: 100, ..f };
    let by_principal = filter(DecisionFilter {
        principal: Some("User::\"a\"".into()),
        after_id: Some(7),
        ..Default::default()
    });
    let (sql, values) = by_principal.sql(|n| format!("?{n}"));
    assert!(
        sql.ends_with(" WHERE principal = ?1 AND id > ?2 ORDER BY id DESC LIMIT ?3"),
        "{sql}"
    );
    assert!(!sql.contains("IS NULL"), "{sql}");
    assert_eq!(values.len(), 3);
    let cases = [
        (by_principal.clone(), "decision_log_principal"),
        (
            filter(DecisionFilter {
                action: Some("view".into()),
                ..Default::default()
            }),
            "decision_log_action",
        ),
        (
            filter(DecisionFilter {
                decision: Some(DecisionKind::Plan),
                ..Default::default()
            }),
            "decision_log_decision",
        ),
    ];
    // `since` alone is not among them: newest first with a limit, reading the key backwards
    // until the page is full is the better plan (recent rows pass), and SQLite takes it;
    // the `at` index serves the dashboard's counts.
    // SQLite.
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("w.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let sqlite_plan = |f: &DecisionFilter| {
        let (sql, values) = f.sql(|n| format!("?{n}"));
        let values: Vec<rusqlite::types::Value> = values
            .into_iter()
            .map(|v| match v {
                rows::Bound::Text(t) => t.to_owned().into(),
                rows::Bound::Int(i) => i.into(),
            })
            .collect();
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(values.iter()), |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        plan.join("; ")
    };
    for (f, index) in &cases {
        let plan = sqlite_plan(f);
        assert!(
            plan.contains(index),
            "SQLite reads {index} for {f:?}: {plan}"
        );
    }
    let poll = sqlite_plan(&filter(DecisionFilter {
        after_id: Some(7),
        ..Default::default()
    }));
    assert!(poll.contains("PRIMARY KEY"), "{poll}");
    // PostgreSQL.
    let Some(url) = crate::testkit::database_or_skip("decision_log_filters_use_its_indexes").await
    else {
        return;
    };
    drop(
        Store::open_postgres(&url, crate::clock::system())
            .await
            .unwrap(),
    );
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute("SET enable_seqscan = off")
        .await
        .unwrap();
    for (f, index) in &cases {
        let (sql, values) = f.sql(|n| format!("${n}"));
        let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = values
            .iter()
            .map(|v| match v {
                rows::Bound::Text(t) => t as &(dyn tokio_postgres::types::ToSql + Sync),
                rows::Bound::Int(i) => i as &(dyn tokio_postgres::types::ToSql + Sync),
            })
            .collect();
        let plan: Vec<String> = client
            .query(&format!("EXPLAIN {sql}"), &params)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let plan = plan.join("; ");
        assert!(plan.contains(index), "PostgreSQL plan for {f:?}: {plan}");
        assert!(!plan.contains("Seq Scan"), "{plan}");
    }
}

/// PostgreSQL: a database written by a newer build is refused, and replicas migrating at
/// once (several connecting to a fresh database together) all succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_migrations_are_versioned_and_safe_to_race() {
    let Some(url) = crate::testkit::database_or_skip("postgres_migrations").await else {
        return;
    };
    let racers: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { Store::open_postgres(&url, crate::clock::system()).await })
        })
        .collect();
    for r in racers {
        r.await.unwrap().unwrap();
    }
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let version: i64 = client
        .query_one("SELECT version FROM warden_schema", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(version, super::postgres::migrations::SCHEMA_VERSION);
    client
        .execute("UPDATE warden_schema SET version = 99", &[])
        .await
        .unwrap();
    let err = Store::open_postgres(&url, crate::clock::system())
        .await
        .err()
        .unwrap();
    assert!(
        matches!(err, StoreError::NewerVersion { found: 99, .. }),
        "{err}"
    );
}
