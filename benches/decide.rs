//! In-process costs, side by side in one run: warden's indexed decision against plain Cedar
//! (`Authorizer::is_authorized` over the whole set) at 10 to 10,000 synthetic policies;
//! token verification cold and cached; building the principal; the whole in-process path
//! for a verified token.
//!
//! `cargo bench --bench decide` (add `-- --quick` for a fast pass). The run also prints how
//! many heap allocations (and bytes) one decision for a cached token makes, counted by the
//! global allocator of this benchmark.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use warden::engine::synth::{self, Rng, Shape};
use warden::engine::{decide_in, plan_with, Mode, PlanQuery, Query};

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];

/// The system allocator, counting allocations and bytes allocated.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static ALLOCATED: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        ALLOCATED.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: the caller's layout, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        ALLOCATED.fetch_add(new_size as u64, Ordering::Relaxed);
        // SAFETY: as for `dealloc` and `alloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations and bytes per call of `f`, averaged over `n` calls.
fn allocations_per_call(n: u64, mut f: impl FnMut()) -> (f64, f64) {
    let (a, b) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        ALLOCATED.load(Ordering::Relaxed),
    );
    for _ in 0..n {
        f();
    }
    (
        (ALLOCATIONS.load(Ordering::Relaxed) - a) as f64 / n as f64,
        (ALLOCATED.load(Ordering::Relaxed) - b) as f64 / n as f64,
    )
}

fn queries(n: usize) -> Vec<Query> {
    let mut rng = Rng::new(7);
    (0..64)
        .map(|_| synth::query(&mut rng, Shape::for_policies(n)))
        .collect()
}

fn decisions(c: &mut Criterion) {
    let authorizer = cedar_policy::Authorizer::new();
    let mut group = c.benchmark_group("decide");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for n in SIZES {
        let bundle = synth::bundle(n, 42).expect("synthetic bundle");
        let qs = queries(n);
        let mut i = 0;
        group.bench_with_input(BenchmarkId::new("warden_indexed", n), &n, |b, _| {
            b.iter(|| {
                i = (i + 1) % qs.len();
                black_box(decide_in(Mode::Indexed, &authorizer, &bundle, &qs[i]))
            })
        });
        let mut i = 0;
        group.bench_with_input(BenchmarkId::new("plain_cedar", n), &n, |b, _| {
            b.iter(|| {
                i = (i + 1) % qs.len();
                black_box(decide_in(Mode::WholeSet, &authorizer, &bundle, &qs[i]))
            })
        });
    }
    group.finish();
}

/// A store with keys, a signed-in user, and its token.
struct Fixture {
    _dir: tempfile::TempDir,
    store: Arc<warden::store::Store>,
    tokens: Arc<warden::tokens::Tokens>,
    token: String,
    user: warden::store::UserRow,
}

/// The runtime the benchmarks' store calls run on (the store's work goes to its blocking
/// pool, as in the server).
fn rt() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime")
    })
}

fn fixture() -> Fixture {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let store = Arc::new(warden::store::Store::open(&dir.path().join("w.db")).expect("store"));
    let config = warden::config::Config::default();
    let tokens = Arc::new(
        rt().block_on(warden::tokens::Tokens::new(&store, &config))
            .expect("tokens"),
    );
    let (store, user, session) = rt().block_on(async move {
        for r in ["r1", "r2"] {
            store
                .create_role(&r.parse().expect("role"), &[], None)
                .await
                .expect("role");
        }
        let user = store
            .create_user(
                &warden::store::NewUser {
                    id: "u1".parse().expect("id"),
                    email: "u1@example.com".parse().expect("email"),
                    name: "User 1".parse().expect("name"),
                    roles: vec!["r1".parse().expect("role"), "r2".parse().expect("role")],
                    password_hash: None,
                },
                None,
            )
            .await
            .expect("user");
        let session = store
            .create_session("u1", "bench-refresh-hash", 3600)
            .await
            .expect("session");
        (store, user, session)
    });
    let (token, _) = tokens
        .mint("u1", &user.email, &user.roles, &session.id)
        .expect("mint");
    Fixture {
        _dir: dir,
        store,
        tokens,
        token,
        user,
    }
}

fn tokens_and_principals(c: &mut Criterion) {
    let f = fixture();
    let mut group = c.benchmark_group("caller");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(2));
    group.bench_function("verify_token_cold", |b| {
        b.iter(|| black_box(f.tokens.verify(&f.token).expect("valid")))
    });
    group.bench_function("build_principal_from_store", |b| {
        b.iter(|| {
            black_box(
                rt().block_on(warden::identity::principal_for(&f.store, &f.user))
                    .expect("principal"),
            )
        })
    });
    let resolver = warden::identity::Resolver::new(f.store.clone(), f.tokens.clone());
    group.bench_function("resolve_caller_uncached", |b| {
        b.iter(|| {
            black_box(
                rt().block_on(warden::identity::verify_access_token(
                    &f.store, &f.tokens, &f.token,
                ))
                .expect("valid"),
            )
        })
    });
    rt().block_on(resolver.resolve(&f.token)).expect("valid");
    group.bench_function("store_revision_query", |b| {
        b.iter(|| black_box(rt().block_on(f.store.revision()).expect("revision")))
    });
    group.bench_function("store_current_revision", |b| {
        b.iter(|| black_box(f.store.current_revision().expect("revision")))
    });
    group.bench_function("resolve_caller_cached", |b| {
        b.iter(|| black_box(rt().block_on(resolver.resolve(&f.token)).expect("valid")))
    });
    group.finish();

    // The whole in-process path for a verified token: resolve the caller, then decide.
    let authorizer = cedar_policy::Authorizer::new();
    let mut group = c.benchmark_group("decision_for_token");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3));
    for n in [10, 10_000] {
        let bundle = synth::bundle(n, 42).expect("synthetic bundle");
        let mut qs = queries(n);
        let mut i = 0;
        let mut decide_for_token = || {
            i = (i + 1) % qs.len();
            let caller = rt().block_on(resolver.resolve(&f.token)).expect("valid");
            qs[i].principal = caller.principal;
            black_box(decide_in(Mode::Indexed, &authorizer, &bundle, &qs[i]))
        };
        // Warm (every query's slice cached), then count.
        for _ in 0..256 {
            decide_for_token();
        }
        let (count, bytes) = allocations_per_call(2_000, || {
            decide_for_token();
        });
        println!("decision_for_token/{n}: {count:.0} allocations, {bytes:.0} bytes per decision");
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(&mut decide_for_token)
        });
    }
    group.finish();
}

/// A query plan (the resource unknown: Cedar's partial evaluation over the index's
/// any-resource slice, residuals turned into the condition tree) beside a single indexed
/// decision, for the same principals and actions. `cargo bench --bench decide -- plan`.
fn plans(c: &mut Criterion) {
    let authorizer = cedar_policy::Authorizer::new();
    let mut group = c.benchmark_group("plan");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for n in [10, 1_000, 10_000] {
        let bundle = synth::bundle(n, 42).expect("synthetic bundle");
        let qs = queries(n);
        let plan_queries: Vec<PlanQuery> = qs
            .iter()
            .map(|q| PlanQuery {
                principal: q.principal.clone(),
                action_type: q.action_type.clone(),
                action: q.action.clone(),
                resource_type: q.resource.kind.clone(),
                context: q.context.clone(),
            })
            .collect();
        let mut i = 0;
        group.bench_with_input(BenchmarkId::new("decision", n), &n, |b, _| {
            b.iter(|| {
                i = (i + 1) % qs.len();
                black_box(decide_in(Mode::Indexed, &authorizer, &bundle, &qs[i]))
            })
        });
        let mut i = 0;
        group.bench_with_input(BenchmarkId::new("plan", n), &n, |b, _| {
            b.iter(|| {
                i = (i + 1) % plan_queries.len();
                black_box(plan_with(&bundle, &plan_queries[i]))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, decisions, tokens_and_principals, plans);
criterion_main!(benches);
