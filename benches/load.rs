//! HTTP load on loopback: warden's `/v1/authorize` and `/access/v1/evaluation` against a
//! plain Cedar HTTP agent (an axum handler that parses a Cedar request and calls
//! `Authorizer::is_authorized` over the same policies), side by side in one run.
//!
//! `cargo bench --bench load`. Settings (environment): WARDEN_LOAD_SECONDS (5 per phase),
//! WARDEN_LOAD_CONCURRENCY (16 keep-alive connections), WARDEN_LOAD_POLICIES (1000),
//! WARDEN_LOAD_USERS (1000). Reports throughput, p50 and p99 latency, each server's peak
//! RSS and warden's start-up time. Everything talks to 127.0.0.1 only, every phase is
//! bounded in time, and the servers are stopped at the end.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use warden::engine::synth::{self, Rng, Shape};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--baseline-server") {
        let dir = args.get(pos + 1).cloned().unwrap_or_default();
        baseline_server(Path::new(&dir));
        return;
    }
    let seconds = env_or("WARDEN_LOAD_SECONDS", 5) as u64;
    let concurrency = env_or("WARDEN_LOAD_CONCURRENCY", 16);
    let policies = env_or("WARDEN_LOAD_POLICIES", 1000);
    let users = env_or("WARDEN_LOAD_USERS", 1000);
    let phase = Duration::from_secs(seconds);
    let shape = Shape::for_policies(policies);

    let dir = tempfile::TempDir::new().expect("temp dir");
    let policy_dir = dir.path().join("policies");
    write_policies(&policy_dir, policies);
    let db = dir.path().join("warden.db");
    let roles = seed_directory(&db, users, shape);

    let (mut warden, warden_url, startup) = start_server(
        Command::new(env!("CARGO_BIN_EXE_warden"))
            .args(["serve", "--listen", "127.0.0.1:0", "--db"])
            .arg(&db)
            .arg("--policies")
            .arg(&policy_dir)
            .env("WARDEN_WATCH_POLICIES", "false")
            .env("WARDEN_ADMIN_PASSWORD", "admin-password-123"),
        "warden listening on ",
    );
    let (mut baseline, baseline_url, _) = start_server(
        Command::new(std::env::current_exe().expect("own path"))
            .arg("--baseline-server")
            .arg(&policy_dir),
        "baseline listening on ",
    );

    let agent = agent();
    let login = post(
        &agent,
        &format!("{warden_url}/v1/auth/login"),
        &json!({"email": "u0@example.com", "password": "load-password-123"}),
        None,
    );
    let token = login["token"].as_str().expect("signed in").to_string();
    let key = {
        let store = warden::store::Store::open(&db).expect("store");
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(store.create_client("load", None))
            .expect("client")
            .1
    };

    let mut rng = Rng::new(99);
    let queries: Vec<warden::engine::Query> =
        (0..256).map(|_| synth::query(&mut rng, shape)).collect();
    let resource = |q: &warden::engine::Query| json!({"type": q.resource.kind, "id": q.resource.id, "properties": q.resource.properties});
    let authorize: Vec<String> = queries
        .iter()
        .map(|q| {
            json!({"action": q.action, "resource": resource(q), "context": q.context}).to_string()
        })
        .collect();
    let evaluation: Vec<String> = queries
        .iter()
        .map(|q| json!({"subject": {"type": "user", "id": "u0"}, "action": {"name": q.action}, "resource": resource(q), "context": q.context}).to_string())
        .collect();
    let plain: Vec<String> = queries
        .iter()
        .map(|q| json!({"principal": "u0", "roles": roles, "action": q.action, "resource": resource(q), "context": q.context}).to_string())
        .collect();

    println!("warden load: {policies} policies, {users} users, {concurrency} connections, {seconds} s per phase, on 127.0.0.1");
    let bearer = format!("Bearer {token}");
    let client_key = format!("Bearer {key}");
    let w = run(
        &format!("{warden_url}/v1/authorize"),
        &authorize,
        Some(&bearer),
        concurrency,
        phase,
        None,
    );
    let a = run(
        &format!("{warden_url}/access/v1/evaluation"),
        &evaluation,
        Some(&client_key),
        concurrency,
        phase,
        None,
    );
    let b = run(
        &format!("{baseline_url}/authorize"),
        &plain,
        None,
        concurrency,
        phase,
        None,
    );
    let half = run(
        &format!("{warden_url}/v1/authorize"),
        &authorize,
        Some(&bearer),
        concurrency,
        phase,
        Some(w.throughput / 2.0),
    );
    let b_half = run(
        &format!("{baseline_url}/authorize"),
        &plain,
        None,
        concurrency,
        phase,
        Some(b.throughput / 2.0),
    );

    let rss_w = peak_rss_kib(warden.id());
    let rss_b = peak_rss_kib(baseline.id());
    println!();
    println!(
        "{:<44} {:>10} {:>9} {:>9} {:>7}",
        "phase", "req/s", "p50 us", "p99 us", "errors"
    );
    for (name, r) in [
        ("warden /v1/authorize (peak)", &w),
        ("warden /access/v1/evaluation (peak)", &a),
        ("plain Cedar agent (peak)", &b),
        ("warden /v1/authorize at half of its peak", &half),
        ("plain Cedar agent at half of its peak", &b_half),
    ] {
        println!(
            "{name:<44} {:>10.0} {:>9} {:>9} {:>7}",
            r.throughput, r.p50, r.p99, r.errors
        );
    }
    println!();
    println!(
        "throughput ratio warden/plain Cedar: {:.2}x (AuthZEN: {:.2}x)",
        w.throughput / b.throughput,
        a.throughput / b.throughput
    );
    println!(
        "p99 at half of peak: warden {} us, plain Cedar {} us",
        half.p99, b_half.p99
    );
    println!(
        "peak RSS: warden {} KiB ({:.1} MiB), plain Cedar agent {} KiB",
        rss_w,
        rss_w as f64 / 1024.0,
        rss_b
    );
    println!("warden start-up to listening: {} ms", startup.as_millis());

    let _ = warden.kill();
    let _ = baseline.kill();
    let _ = warden.wait();
    let _ = baseline.wait();
}

fn write_policies(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).expect("policy dir");
    let (schema, files, links) = synth::sources(n, Shape::for_policies(n), 42);
    std::fs::write(dir.join("schema.cedarschema"), schema).expect("schema");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("policies");
    }
    std::fs::write(dir.join("links.json"), links).expect("links");
}

/// Roles, `users` users (u0 may sign in), in one transaction; returns u0's roles.
fn seed_directory(db: &Path, users: usize, shape: Shape) -> Vec<String> {
    let store = warden::store::Store::open(db).expect("store");
    drop(store);
    let mut conn = rusqlite::Connection::open(db).expect("sqlite");
    let tx = conn.transaction().expect("tx");
    let now = warden::util::now();
    for r in (0..shape.roles)
        .map(|r| format!("r{r}"))
        .chain(["USER".to_string(), "ADMIN".to_string()])
    {
        tx.execute(
            "INSERT INTO roles (name, created_at) VALUES (?1, ?2)",
            rusqlite::params![r, now],
        )
        .expect("role");
    }
    let hash = warden::accounts::password::hash("load-password-123").expect("hash");
    let mut rng = Rng::new(5);
    let mut first_roles = Vec::new();
    for u in 0..users.max(1) {
        tx.execute(
            "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            rusqlite::params![format!("u{u}"), format!("u{u}@example.com"), format!("User {u}"), if u == 0 { Some(&hash) } else { None }, now],
        )
        .expect("user");
        for (position, role) in [rng.below(shape.roles), rng.below(shape.roles)]
            .into_iter()
            .enumerate()
        {
            let name = format!("r{role}");
            tx.execute(
                "INSERT OR IGNORE INTO user_roles (user_id, role, position) VALUES (?1, ?2, ?3)",
                rusqlite::params![format!("u{u}"), name, position as i64],
            )
            .expect("user role");
            if u == 0 && !first_roles.contains(&name) {
                first_roles.push(name);
            }
        }
    }
    tx.commit().expect("commit");
    first_roles
}

fn start_server(command: &mut Command, ready: &str) -> (Child, String, Duration) {
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("server printed its address")
            .expect("utf-8");
        if let Some(rest) = line.strip_prefix(ready) {
            break rest.trim().to_string();
        }
    };
    let elapsed = started.elapsed();
    // Keep draining the pipe so the server never blocks on a full stderr.
    std::thread::spawn(move || for _ in lines {});
    (child, url, elapsed)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

fn post(agent: &ureq::Agent, url: &str, body: &Value, bearer: Option<&str>) -> Value {
    let mut req = agent.post(url).header("Content-Type", "application/json");
    if let Some(b) = bearer {
        req = req.header("Authorization", b);
    }
    let mut r = req.send(body.to_string()).expect("request");
    serde_json::from_str(&r.body_mut().read_to_string().expect("body")).unwrap_or(Value::Null)
}

struct Outcome {
    throughput: f64,
    p50: u64,
    p99: u64,
    errors: usize,
}

/// Drive `url` with `concurrency` keep-alive connections for `duration`: as fast as possible,
/// or at a total `rate` (requests/s), timing each request from its scheduled start so that
/// queueing counts.
fn run(
    url: &str,
    bodies: &[String],
    auth: Option<&str>,
    concurrency: usize,
    duration: Duration,
    rate: Option<f64>,
) -> Outcome {
    let started = Instant::now();
    let results: Vec<(Vec<u64>, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..concurrency)
            .map(|t| {
                s.spawn(move || {
                    let agent = agent();
                    let mut latencies = Vec::new();
                    let mut errors = 0;
                    let interval =
                        rate.map(|r| Duration::from_secs_f64(concurrency as f64 / r.max(1.0)));
                    let mut k = 0u32;
                    loop {
                        let scheduled = match interval {
                            Some(i) => started + i * k + i.mul_f64(t as f64 / concurrency as f64),
                            None => Instant::now(),
                        };
                        if scheduled.duration_since(started) >= duration {
                            break;
                        }
                        if let Some(wait) = scheduled.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                        let body = &bodies[(t * 31 + k as usize) % bodies.len()];
                        let mut req = agent.post(url).header("Content-Type", "application/json");
                        if let Some(a) = auth {
                            req = req.header("Authorization", a);
                        }
                        match req.send(body.as_str()) {
                            Ok(mut r) if r.status().as_u16() == 200 => {
                                let _ = r.body_mut().read_to_vec();
                                latencies.push(scheduled.elapsed().as_micros() as u64);
                            }
                            _ => errors += 1,
                        }
                        k += 1;
                    }
                    (latencies, errors)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    let mut all: Vec<u64> = results
        .iter()
        .flat_map(|(l, _)| l.iter().copied())
        .collect();
    let errors = results.iter().map(|(_, e)| e).sum();
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    Outcome {
        throughput: all.len() as f64 / elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
        errors,
    }
}

fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// The baseline: a plain axum handler that parses a Cedar request and calls
/// `is_authorized` over the whole policy set.
fn baseline_server(dir: &Path) {
    let bundle = std::sync::Arc::new(warden::engine::load_dir(dir).expect("policies"));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async move {
        let app = axum::Router::new().route(
            "/authorize",
            axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
                let bundle = bundle.clone();
                async move { axum::Json(plain_decision(&bundle, &body)) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        eprintln!(
            "baseline listening on http://{}",
            listener.local_addr().expect("addr")
        );
        axum::serve(listener, app).await.expect("serve");
    });
}

fn plain_decision(bundle: &warden::engine::PolicyBundle, body: &Value) -> Value {
    use cedar_policy::{Authorizer, Context, Entities, EntityUid, Request};
    let schema = bundle.schema.as_ref();
    let uid = |t: &str, id: &str| {
        EntityUid::from_type_name_and_id(t.parse().expect("type"), cedar_policy::EntityId::new(id))
    };
    let principal = uid("User", body["principal"].as_str().unwrap_or_default());
    let action = uid("Action", body["action"].as_str().unwrap_or_default());
    let kind = body["resource"]["type"].as_str().unwrap_or_default();
    let id = body["resource"]["id"].as_str().unwrap_or_default();
    let resource = uid(kind, id);
    let roles: Vec<Value> = body["roles"].as_array().cloned().unwrap_or_default();
    let mut entities = vec![json!({
        "uid": {"type": "User", "id": body["principal"]},
        "attrs": {"email": "u0@example.com", "name": "User 0"},
        "parents": roles.iter().map(|r| json!({"type": "Role", "id": r})).collect::<Vec<_>>(),
    })];
    for r in &roles {
        entities.push(json!({"uid": {"type": "Role", "id": r}, "attrs": {}, "parents": []}));
    }
    entities.push(json!({"uid": {"type": kind, "id": id}, "attrs": body["resource"]["properties"], "parents": []}));
    let decision = (|| -> Option<bool> {
        let entities = Entities::from_json_value(Value::Array(entities), schema).ok()?;
        let context =
            Context::from_json_value(body["context"].clone(), schema.map(|s| (s, &action))).ok()?;
        let request = Request::new(principal, action, resource, context, schema).ok()?;
        let response = Authorizer::new().is_authorized(&request, &bundle.policies, &entities);
        Some(response.decision() == cedar_policy::Decision::Allow)
    })();
    json!({"decision": decision.unwrap_or(false)})
}
