//! The database file and its schema: created private and migrated, a newer schema
//! refused, a corrupt file named; PostgreSQL's versioned migrations under a race.

use super::*;

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
