//! The cost of one administrative change of a user's roles against the size of the
//! directory, with the keep-an-administrator rule the server applies (the shipped policies,
//! SQLite).
//!
//! Side by side in one run, at 1,000, 10,000 and 100,000 users:
//! - `warm`: the rule as the server holds it, knowing its witness (one read and one Cedar
//!   question before and after the change, whatever the directory's size);
//! - `scan`: a rule with no witness, so the change scans the directory for someone who can
//!   still administer warden: what every change cost before the rule was incremental. The
//!   only administrator sorts last (`zz-admin`), the worst case of that scan.
//!
//! `cargo bench --bench directory` (add `-- --quick` for a fast pass).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use warden::model::{RoleName, UserId};
use warden::store::{Change, NewUser, Store};

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// A SQLite store in `dir` with roles USER and ADMIN, `n` USER users (`u0000000`...) and
/// one ADMIN, `zz-admin`, last in id order.
fn directory(dir: &Path, n: usize, rt: &tokio::runtime::Runtime) -> Store {
    let path = dir.join("warden.db");
    let store = Store::open(&path).expect("open");
    rt.block_on(async {
        for role in ["USER", "ADMIN"] {
            let name: RoleName = role.parse().expect("role");
            store.create_role(&name, &[], None).await.expect("role");
        }
    });
    // The users in one transaction, straight into the tables (creating 100,000 through the
    // store one transaction each would dominate the run).
    let mut conn = rusqlite::Connection::open(&path).expect("connection");
    let tx = conn.transaction().expect("transaction");
    for i in 0..n {
        let id = format!("u{i:07}");
        tx.execute(
            "INSERT INTO users (id, email, name, created_at, updated_at) VALUES (?1, ?2, ?1, 0, 0)",
            rusqlite::params![id, format!("{id}@example.com")],
        )
        .expect("user");
        tx.execute(
            "INSERT INTO user_roles (user_id, role, position) VALUES (?1, 'USER', 0)",
            [&id],
        )
        .expect("role");
    }
    tx.commit().expect("commit");
    rt.block_on(async {
        let admin = NewUser {
            id: UserId::parse("zz-admin").expect("id"),
            email: "zz-admin@example.com".parse().expect("email"),
            name: "Admin".parse().expect("name"),
            roles: vec!["ADMIN".parse().expect("role")],
            password_hash: None,
        };
        store.create_user(&admin, None).await.expect("admin");
    });
    store
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let engine = Arc::new(warden::engine::Engine::load(&policies).expect("policies"));
    let roles: Vec<RoleName> = vec!["USER".parse().expect("role")];
    let mut group = c.benchmark_group("set_user_roles");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    for n in SIZES {
        let dir = tempfile::TempDir::new().expect("tempdir");
        let store = directory(dir.path(), n, &rt);
        let rule = warden::identity::admin_rule(engine.clone());
        // The first change finds the witness.
        rt.block_on(store.set_user_roles(
            "u0000001",
            &roles,
            Change::default().keeping(Some(&rule)),
        ))
        .expect("warm-up");
        group.bench_with_input(BenchmarkId::new("warm", n), &n, |b, _| {
            b.iter(|| {
                rt.block_on(store.set_user_roles(
                    "u0000001",
                    &roles,
                    Change::default().keeping(Some(&rule)),
                ))
                .expect("change")
            })
        });
        group.bench_with_input(BenchmarkId::new("scan", n), &n, |b, _| {
            b.iter(|| {
                let fresh = warden::identity::admin_rule(engine.clone());
                rt.block_on(store.set_user_roles(
                    "u0000001",
                    &roles,
                    Change::default().keeping(Some(&fresh)),
                ))
                .expect("change")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
