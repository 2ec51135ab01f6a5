//! Several handles and tasks on one database: readers beside a writer, and the revision
//! signal every cache trusts.

use super::*;

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
