//! HTTP load on loopback, side by side in one run: warden's `/v1/authorize` and AuthZEN
//! `/access/v1/evaluation` against Cedar HTTP agents on the same policies and the same
//! requests, phases alternated round by round so that a shared machine's noise falls on
//! every server alike.
//!
//! `cargo bench --bench load`. The requests are drawn, not repeated: WARDEN_LOAD_USERS users
//! (1,000; each with its own access token and two roles), WARDEN_LOAD_RESOURCES documents
//! (10,000; each with an owner, a level and a public flag), every action of the schema, and
//! a random context. A single request repeated is a mode of its own, reported apart.
//!
//! The agents compared:
//! - a plain Cedar agent built into this tool (an axum handler that builds the request's
//!   entities from JSON and calls `Authorizer::is_authorized` over the whole set), always;
//! - a cedar-agent binary (permitio/cedar-agent, Rocket + Cedar) when WARDEN_LOAD_AGENT_BIN
//!   names one: it is started on 127.0.0.1 with the same policies (template links written
//!   out as static policies, no schema) and asked with the same requests, each carrying its
//!   entities. This tool never builds it.
//!
//! Settings (environment): WARDEN_LOAD_POLICIES (1000), WARDEN_LOAD_USERS (1000),
//! WARDEN_LOAD_RESOURCES (10000), WARDEN_LOAD_SECONDS (5 per phase), WARDEN_LOAD_ROUNDS
//! (2), WARDEN_LOAD_CONCURRENCY (32 connections), WARDEN_LOAD_DRIVER (`wrk` when it is on
//! the PATH, else `builtin`: keep-alive threads of this tool), WARDEN_LOAD_SOAK (seconds of
//! a memory run: RSS after 5 s and at its end; 0 skips it), WARDEN_LOAD_AGENT_BIN, and
//! WARDEN_LOAD_BEFORE_BIN: another `warden` binary (an earlier build) served from the same
//! database and measured in the same rounds, for before/after ratios.
//!
//! PostgreSQL (the directory on several replicas): `cargo bench --bench load -- --db
//! postgres://USER@HOST:PORT/EMPTY_DB` (or WARDEN_LOAD_DB=postgres://...) uses that empty
//! database; WARDEN_LOAD_POSTGRES=1 makes a throwaway cluster instead (`warden::testkit`:
//! initdb + pg_ctl in a temp dir on a free loopback port, stopped and removed at the end).
//! The SQLite database this tool seeds is moved there with `warden db copy` (same users,
//! roles, sessions and signing keys, so the same tokens serve both), WARDEN_LOAD_REPLICAS
//! (3) replicas are started on it, and each round also drives `/v1/authorize` on one replica
//! alone and spread over all of them, reported as ratios to the SQLite server of the same
//! round, plus the sign-in rate (`/v1/auth/login`, argon2id-bound) and the admin-write rate
//! (`POST /admin/v1/users`, a user created per request) on both back ends. One more replica
//! runs with `strict_revocation = true` (the revision confirmed by a read on every
//! decision): driven alone next to the first replica in every round (which goes first
//! alternates), reported as its ratio to that replica and to SQLite.
//!
//! Reports throughput, latency, server CPU per request (user + system time of the server's
//! process over the phase, divided by its requests), the server's context switches per
//! request (all its threads), p99 at half of peak (rate-limited, timed
//! from each request's scheduled start) and RSS. Everything talks to 127.0.0.1 only, every
//! phase is bounded in time, and the servers are stopped at the end.

use std::io::{BufRead, BufReader, Write};
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

/// A directory user of the load: its id, roles and access token.
struct User {
    id: String,
    roles: Vec<String>,
    token: String,
}

/// A document of the load, with the attributes its policies look at.
struct Document {
    id: String,
    owner: usize,
    level: usize,
    public: bool,
}

/// One drawn request: who, what, on which document, in which context.
struct Drawn {
    user: usize,
    action: String,
    document: usize,
    context: Value,
}

/// A request as sent: the Authorization header (if any) and the body.
#[derive(Clone)]
struct Sent {
    auth: Option<String>,
    body: String,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--baseline-server") {
        let dir = args.get(pos + 1).cloned().unwrap_or_default();
        baseline_server(Path::new(&dir));
        return;
    }
    let seconds = env_or("WARDEN_LOAD_SECONDS", 5) as u64;
    let rounds = env_or("WARDEN_LOAD_ROUNDS", 2).max(1);
    let concurrency = env_or("WARDEN_LOAD_CONCURRENCY", 32);
    let policies = env_or("WARDEN_LOAD_POLICIES", 1000);
    let user_count = env_or("WARDEN_LOAD_USERS", 1000).max(1);
    let document_count = env_or("WARDEN_LOAD_RESOURCES", 10_000).max(1);
    let soak = env_or("WARDEN_LOAD_SOAK", 0) as u64;
    let driver = match std::env::var("WARDEN_LOAD_DRIVER").ok().as_deref() {
        Some("builtin") => Driver::Builtin,
        Some("wrk") => Driver::Wrk,
        _ if wrk_available() => Driver::Wrk,
        _ => Driver::Builtin,
    };
    let phase = Duration::from_secs(seconds);
    let shape = Shape {
        users: user_count,
        documents: document_count,
        ..Shape::for_policies(policies)
    };

    let replica_count = env_or("WARDEN_LOAD_REPLICAS", 3).max(1);
    let db_arg = args
        .iter()
        .position(|a| a == "--db")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| std::env::var("WARDEN_LOAD_DB").ok())
        .filter(|u| !u.is_empty());
    // The PostgreSQL database of the run (and the throwaway cluster holding it, kept alive
    // until the end), if any.
    let postgres: Option<(String, Option<warden::testkit::Cluster>)> = match db_arg {
        Some(url) => Some((url, None)),
        None if std::env::var("WARDEN_LOAD_POSTGRES").is_ok_and(|v| v == "1") => {
            let cluster =
                warden::testkit::Cluster::start().expect("a throwaway PostgreSQL cluster");
            let url = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(cluster.database())
                .expect("a database on the cluster");
            Some((url, Some(cluster)))
        }
        None => None,
    };

    let dir = tempfile::TempDir::new().expect("temp dir");
    let policy_dir = dir.path().join("policies");
    let (mut schema, files, links) = synth::sources(policies, shape, 42);
    if postgres.is_some() {
        // The admin writes need warden's own actions: the shipped schema's Warden namespace
        // and its one rule (ADMIN may do every admin action).
        let shipped = include_str!("../policies/schema.cedarschema");
        let at = shipped.find("namespace Warden").expect("Warden namespace");
        schema.push_str(&shipped[at..]);
    }
    write_policies(&policy_dir, &schema, &files, &links);
    if postgres.is_some() {
        std::fs::write(
            policy_dir.join("warden.cedar"),
            include_str!("../policies/warden.cedar"),
        )
        .expect("admin policy");
    }
    let db = dir.path().join("warden.db");
    let mut users = seed_directory(&db, user_count, shape);
    let documents = documents(document_count, user_count);

    let serve_strict = |bin: &str, on: &std::ffi::OsStr, strict: bool| {
        start_server(
            Command::new(bin)
                .args(["serve", "--listen", "127.0.0.1:0", "--db"])
                .arg(on)
                .arg("--policies")
                .arg(&policy_dir)
                .env("WARDEN_WATCH_POLICIES", "false")
                .env(
                    "WARDEN_STRICT_REVOCATION",
                    if strict { "true" } else { "false" },
                )
                .env("WARDEN_ACCESS_TOKEN_TTL", "7200")
                // One issuer for every warden of the run, so one token serves them all.
                .env("WARDEN_PUBLIC_URL", ISSUER)
                .env("WARDEN_ADMIN_PASSWORD", "admin-password-123"),
            "warden listening on ",
        )
    };
    let serve_on = |bin: &str, on: &std::ffi::OsStr| serve_strict(bin, on, false);
    let serve = |bin: &str| serve_on(bin, db.as_os_str());
    let (mut warden, warden_url, startup) = serve(env!("CARGO_BIN_EXE_warden"));
    let mut before = std::env::var("WARDEN_LOAD_BEFORE_BIN")
        .ok()
        .map(|bin| serve(&bin));
    let (mut baseline, baseline_url, _) = start_server(
        Command::new(std::env::current_exe().expect("own path"))
            .arg("--baseline-server")
            .arg(&policy_dir),
        "baseline listening on ",
    );
    let agent_bin = std::env::var("WARDEN_LOAD_AGENT_BIN").ok();
    let mut agent = agent_bin.map(|bin| start_cedar_agent(&bin, dir.path(), &files, &links));

    let key = issue_credentials(&db, &warden_url, &mut users);
    let warden_pid = warden.id();

    // PostgreSQL: the seeded SQLite database copied over (keys and sessions too, so every
    // token of the run verifies there), then the replicas on it. The admin signs in first,
    // so that its session is copied as well.
    let admin_token = post(
        &crate::agent(),
        &format!("{warden_url}/v1/auth/login"),
        &json!({"email": ADMIN_EMAIL, "password": "load-password-123"}),
    )["token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut replicas: Vec<(Child, String)> = Vec::new();
    // The replica with `strict_revocation` (not among `replicas`: the spread phase is theirs).
    let mut strict: Option<(Child, String)> = None;
    if let Some((url, _)) = &postgres {
        assert!(!admin_token.is_empty(), "the load admin signs in");
        let copied = Command::new(env!("CARGO_BIN_EXE_warden"))
            .args(["db", "copy", "--from"])
            .arg(&db)
            .args(["--to", url])
            .output()
            .expect("warden db copy runs");
        assert!(
            copied.status.success(),
            "warden db copy: {}",
            String::from_utf8_lossy(&copied.stderr)
        );
        for _ in 0..replica_count {
            let (child, replica_url, _) =
                serve_on(env!("CARGO_BIN_EXE_warden"), std::ffi::OsStr::new(url));
            replicas.push((child, replica_url));
        }
        let (child, strict_url, _) = serve_strict(
            env!("CARGO_BIN_EXE_warden"),
            std::ffi::OsStr::new(url),
            true,
        );
        strict = Some((child, format!("{strict_url}/v1/authorize")));
    }
    let replica_urls: Vec<String> = replicas
        .iter()
        .map(|(_, u)| format!("{u}/v1/authorize"))
        .collect();
    let replica_pids: Vec<u32> = replicas.iter().map(|(c, _)| c.id()).collect();
    let login = vec![Sent {
        auth: None,
        body: json!({"email": ADMIN_EMAIL, "password": "load-password-123"}).to_string(),
    }];
    // Sign-ins and admin writes are slow next to decisions: fewer connections.
    let slow_concurrency = env_or("WARDEN_LOAD_SLOW_CONCURRENCY", 4).max(1);

    let mut rng = Rng::new(99);
    let drawn: Vec<Drawn> = (0..4096)
        .map(|_| Drawn {
            user: rng.below(users.len()),
            action: format!("a{}", rng.below(shape.actions)),
            document: rng.below(documents.len()),
            context: {
                let mut c = serde_json::Map::new();
                if rng.chance(50) {
                    c.insert("hour".into(), json!(rng.below(24)));
                }
                if rng.chance(50) {
                    c.insert("mfa".into(), json!(rng.chance(50)));
                }
                Value::Object(c)
            },
        })
        .collect();
    let resource = |d: &Document| {
        json!({"type": "Document", "id": d.id, "properties": {
            "owner": {"type": "User", "id": format!("u{}", d.owner)},
            "level": d.level, "public": d.public}})
    };
    let authorize: Vec<Sent> = drawn
        .iter()
        .map(|q| Sent {
            auth: Some(format!("Bearer {}", users[q.user].token)),
            body: json!({"action": q.action, "resource": resource(&documents[q.document]), "context": q.context}).to_string(),
        })
        .collect();
    let evaluation: Vec<Sent> = drawn
        .iter()
        .map(|q| Sent {
            auth: Some(format!("Bearer {key}")),
            body: json!({"subject": {"type": "user", "id": users[q.user].id}, "action": {"name": q.action}, "resource": resource(&documents[q.document]), "context": q.context}).to_string(),
        })
        .collect();
    let plain: Vec<Sent> = drawn
        .iter()
        .map(|q| Sent {
            auth: None,
            body: json!({"principal": users[q.user].id, "roles": users[q.user].roles, "action": q.action, "resource": resource(&documents[q.document]), "context": q.context}).to_string(),
        })
        .collect();
    let agent_requests: Vec<Sent> = drawn
        .iter()
        .map(|q| Sent {
            auth: None,
            body: cedar_agent_body(&users[q.user], q, &documents[q.document]).to_string(),
        })
        .collect();
    let single = vec![authorize[0].clone()];

    println!(
        "warden load: {policies} policies, {user_count} users, {document_count} documents, {} actions, {concurrency} connections, {seconds} s per phase, {rounds} rounds, driver {driver:?}, on 127.0.0.1",
        shape.actions
    );
    let mut table: Vec<(String, Outcome)> = Vec::new();
    let mut ratios: Vec<(String, f64)> = Vec::new();
    let targets = |agent: &Option<(Child, String)>| {
        let mut t = vec![
            (
                "warden /v1/authorize",
                format!("{warden_url}/v1/authorize"),
                &authorize,
                Some(warden_pid),
            ),
            (
                "warden /access/v1/evaluation",
                format!("{warden_url}/access/v1/evaluation"),
                &evaluation,
                Some(warden_pid),
            ),
            (
                "plain Cedar agent (this tool)",
                format!("{baseline_url}/authorize"),
                &plain,
                Some(baseline.id()),
            ),
        ];
        if let Some((child, url)) = agent {
            t.push((
                "cedar-agent",
                format!("{url}/v1/is_authorized"),
                &agent_requests,
                Some(child.id()),
            ));
        }
        if let Some((child, url, _)) = &before {
            t.push((
                "before: warden /v1/authorize",
                format!("{url}/v1/authorize"),
                &authorize,
                Some(child.id()),
            ));
            t.push((
                "before: warden /access/v1/evaluation",
                format!("{url}/access/v1/evaluation"),
                &evaluation,
                Some(child.id()),
            ));
        }
        t
    };
    for round in 1..=rounds {
        let mut peak: Vec<(&str, f64)> = Vec::new();
        for (name, url, requests, pid) in targets(&agent) {
            let r = drive(driver, &url, requests, concurrency, phase, pid);
            peak.push((name, r.throughput));
            table.push((format!("round {round}: {name}"), r));
        }
        if let Some((first_url, first_pid)) = replica_urls.first().zip(replica_pids.first()) {
            let sqlite = peak
                .iter()
                .find(|(m, _)| *m == "warden /v1/authorize")
                .map_or(0.0, |(_, t)| *t);
            // The first replica and the strict one, alone each, in turns: the one that goes
            // first in a round goes second in the next.
            let mut one = Outcome::default();
            let mut strict_one = Outcome::default();
            if let Some((strict_child, strict_url)) = &strict {
                let strict_pid = strict_child.id();
                for turn in 0..2 {
                    if (turn + round) % 2 == 1 {
                        one = drive(
                            driver,
                            first_url,
                            &authorize,
                            concurrency,
                            phase,
                            Some(*first_pid),
                        );
                    } else {
                        strict_one = drive(
                            driver,
                            strict_url,
                            &authorize,
                            concurrency,
                            phase,
                            Some(strict_pid),
                        );
                    }
                }
                ratios.push((
                    format!("round {round}: PostgreSQL: strict_revocation / not, one replica"),
                    strict_one.throughput / one.throughput.max(f64::MIN_POSITIVE),
                ));
            }
            let all = spread(
                driver,
                &replica_urls,
                &replica_pids,
                &authorize,
                concurrency,
                phase,
            );
            for (name, r) in [
                ("PostgreSQL: /v1/authorize, one replica".to_string(), one),
                (
                    "PostgreSQL: /v1/authorize, one replica, strict_revocation".to_string(),
                    strict_one,
                ),
                (
                    format!(
                        "PostgreSQL: /v1/authorize, over {} replicas",
                        replica_urls.len()
                    ),
                    all,
                ),
            ] {
                ratios.push((
                    format!("round {round}: {name} / SQLite"),
                    r.throughput / sqlite.max(f64::MIN_POSITIVE),
                ));
                table.push((format!("round {round}: {name}"), r));
            }
            // Sign-in and admin writes, SQLite then PostgreSQL (one replica) in each round.
            let replica_base = &replicas[0].1;
            let mut pair = Vec::new();
            for (back, base, pid) in [
                ("SQLite", warden_url.as_str(), warden_pid),
                ("PostgreSQL", replica_base.as_str(), *first_pid),
            ] {
                let signin = run(
                    &format!("{base}/v1/auth/login"),
                    &login,
                    slow_concurrency,
                    phase,
                    None,
                    Some(pid),
                );
                let writes = admin_writes(
                    base,
                    &admin_token,
                    &format!("{back}{round}").to_lowercase(),
                    slow_concurrency,
                    phase,
                    pid,
                );
                pair.push((signin.throughput, writes.throughput));
                table.push((format!("round {round}: {back}: /v1/auth/login"), signin));
                table.push((
                    format!("round {round}: {back}: POST /admin/v1/users"),
                    writes,
                ));
            }
            ratios.push((
                format!("round {round}: PostgreSQL / SQLite: sign-in"),
                pair[1].0 / pair[0].0.max(f64::MIN_POSITIVE),
            ));
            ratios.push((
                format!("round {round}: PostgreSQL / SQLite: admin writes"),
                pair[1].1 / pair[0].1.max(f64::MIN_POSITIVE),
            ));
        }
        let of = |n: &str| match n {
            "before" => Some(1.0),
            _ => peak.iter().find(|(m, _)| *m == n).map(|(_, t)| *t),
        };
        for reference in ["cedar-agent", "plain Cedar agent (this tool)", "before"] {
            if let Some(base) = of(reference) {
                for mine in ["warden /v1/authorize", "warden /access/v1/evaluation"] {
                    let base = match reference {
                        "before" => match of(&format!("before: {mine}")) {
                            Some(b) => b,
                            None => continue,
                        },
                        _ => base,
                    };
                    if let Some(t) = of(mine) {
                        ratios.push((format!("round {round}: {mine} / {reference}"), t / base));
                    }
                }
            }
        }
    }
    let repeated = drive(
        driver,
        &format!("{warden_url}/v1/authorize"),
        &single,
        concurrency,
        phase,
        Some(warden_pid),
    );
    let peak_w = table
        .iter()
        .filter(|(n, _)| n.ends_with("warden /v1/authorize"))
        .map(|(_, o)| o.throughput)
        .fold(0.0, f64::max);
    let half = run(
        &format!("{warden_url}/v1/authorize"),
        &authorize,
        concurrency.min(16),
        phase,
        Some(peak_w / 2.0),
        Some(warden_pid),
    );
    table.push((
        "warden /v1/authorize, one request repeated".into(),
        repeated,
    ));
    table.push((
        format!(
            "warden /v1/authorize at half of peak ({:.0}/s)",
            peak_w / 2.0
        ),
        half,
    ));

    println!();
    println!(
        "{:<58} {:>9} {:>8} {:>8} {:>8} {:>6} {:>7}",
        "phase", "req/s", "p50 us", "p99 us", "cpu us", "cs/req", "errors"
    );
    for (name, r) in &table {
        println!(
            "{name:<58} {:>9.0} {:>8} {:>8} {:>8.1} {:>6.2} {:>7}",
            r.throughput, r.p50, r.p99, r.cpu_us, r.switches, r.errors
        );
    }
    println!();
    for (name, ratio) in &ratios {
        println!("{name:<70} {ratio:>6.2}x");
    }
    println!();
    println!("warden start-up to listening: {} ms", startup.as_millis());
    let threads = |pid: u32| status_kib(pid, "Threads:");
    println!(
        "threads: warden {}{}",
        threads(warden_pid),
        agent
            .as_ref()
            .map(|(c, _)| format!(", cedar-agent {}", threads(c.id())))
            .unwrap_or_default()
    );
    if soak > 0 {
        let (early, late) = soak_rss(
            driver,
            &format!("{warden_url}/v1/authorize"),
            &authorize,
            concurrency,
            Duration::from_secs(soak),
            warden_pid,
        );
        println!(
            "warden RSS under {soak} s of load: {:.1} MiB after 5 s, {:.1} MiB at the end ({:.2}x)",
            early as f64 / 1024.0,
            late as f64 / 1024.0,
            late as f64 / early.max(1) as f64
        );
    }
    let rss = |pid: u32| status_kib(pid, "VmRSS:") as f64 / 1024.0;
    let hwm = |pid: u32| status_kib(pid, "VmHWM:") as f64 / 1024.0;
    println!(
        "RSS now / peak: warden {:.1} / {:.1} MiB; plain Cedar agent {:.1} / {:.1} MiB",
        rss(warden_pid),
        hwm(warden_pid),
        rss(baseline.id()),
        hwm(baseline.id())
    );
    if let Some((child, _)) = &agent {
        println!(
            "RSS now / peak: cedar-agent {:.1} / {:.1} MiB",
            rss(child.id()),
            hwm(child.id())
        );
    }

    for child in [
        Some(&mut warden),
        Some(&mut baseline),
        agent.as_mut().map(|(c, _)| c),
        before.as_mut().map(|(c, _, _)| c),
    ]
    .into_iter()
    .flatten()
    .chain(replicas.iter_mut().map(|(c, _)| c))
    .chain(strict.as_mut().map(|(c, _)| c))
    {
        let _ = child.kill();
        let _ = child.wait();
    }
    // The throwaway cluster (if any) is stopped here, after its replicas.
    drop(postgres);
}

/// The load's admin (role ADMIN, the load password): it signs in and makes the admin writes.
const ADMIN_EMAIL: &str = "load-admin@example.com";

/// `requests` driven at `urls` at once, the connections split among them; the throughputs
/// add up, the latencies are the worst of them, CPU and switches per request are weighted.
fn spread(
    driver: Driver,
    urls: &[String],
    pids: &[u32],
    requests: &[Sent],
    concurrency: usize,
    duration: Duration,
) -> Outcome {
    let each = (concurrency / urls.len().max(1)).max(2);
    let parts: Vec<Outcome> = std::thread::scope(|s| {
        let handles: Vec<_> = urls
            .iter()
            .zip(pids)
            .map(|(url, pid)| {
                s.spawn(move || drive(driver, url, requests, each, duration, Some(*pid)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let total: f64 = parts.iter().map(|p| p.throughput).sum();
    let weighted = |f: fn(&Outcome) -> f64| {
        parts.iter().map(|p| f(p) * p.throughput).sum::<f64>() / total.max(f64::MIN_POSITIVE)
    };
    Outcome {
        throughput: total,
        p50: parts.iter().map(|p| p.p50).max().unwrap_or(0),
        p99: parts.iter().map(|p| p.p99).max().unwrap_or(0),
        errors: parts.iter().map(|p| p.errors).sum(),
        cpu_us: weighted(|p| p.cpu_us),
        switches: weighted(|p| p.switches),
    }
}

/// Admin writes as fast as `concurrency` keep-alive connections go for `duration`: each one
/// creates a user of its own (`POST /admin/v1/users`, no password, one role), so that none
/// collides. `tag` keeps the ids of one phase apart from every other's.
fn admin_writes(
    base: &str,
    token: &str,
    tag: &str,
    concurrency: usize,
    duration: Duration,
    pid: u32,
) -> Outcome {
    let url = format!("{base}/admin/v1/users");
    let started = Instant::now();
    let cpu_before = cpu_time_us(pid);
    let switches_before = context_switches(pid);
    let results: Vec<(Vec<u64>, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..concurrency)
            .map(|t| {
                let url = &url;
                s.spawn(move || {
                    let agent = agent();
                    let mut latencies = Vec::new();
                    let mut errors = 0;
                    let mut k = 0u64;
                    while started.elapsed() < duration {
                        let id = format!("w-{tag}-{t}-{k}");
                        let body = json!({"id": id, "email": format!("{id}@example.com"), "name": id, "roles": ["r0"]});
                        let sent = Instant::now();
                        match agent
                            .post(url)
                            .header("Content-Type", "application/json")
                            .header("Authorization", &format!("Bearer {token}"))
                            .send(body.to_string())
                        {
                            Ok(mut r) if r.status().is_success() => {
                                let _ = r.body_mut().read_to_vec();
                                latencies.push(sent.elapsed().as_micros() as u64);
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
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    let answered = all.len().max(1) as f64;
    Outcome {
        throughput: all.len() as f64 / elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
        errors: results.iter().map(|(_, e)| e).sum(),
        cpu_us: cpu_time_us(pid).saturating_sub(cpu_before) as f64 / answered,
        switches: context_switches(pid).saturating_sub(switches_before) as f64 / answered,
    }
}

/// The issuer every warden of the run is configured with (`WARDEN_PUBLIC_URL`).
const ISSUER: &str = "http://warden.load.test";

fn write_policies(dir: &Path, schema: &str, files: &[(String, String)], links: &str) {
    std::fs::create_dir_all(dir).expect("policy dir");
    std::fs::write(dir.join("schema.cedarschema"), schema).expect("schema");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("policies");
    }
    std::fs::write(dir.join("links.json"), links).expect("links");
}

/// The documents: owners, levels and public flags drawn once.
fn documents(count: usize, users: usize) -> Vec<Document> {
    let mut rng = Rng::new(11);
    (0..count)
        .map(|d| Document {
            id: format!("d{d}"),
            owner: rng.below(users),
            level: rng.below(10),
            public: rng.chance(50),
        })
        .collect()
}

/// Roles and `users` users (u0 may sign in), in one transaction.
fn seed_directory(db: &Path, users: usize, shape: Shape) -> Vec<User> {
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
    let mut list = Vec::new();
    for u in 0..users {
        let id = format!("u{u}");
        tx.execute(
            "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            rusqlite::params![id, format!("u{u}@example.com"), format!("User {u}"), if u == 0 { Some(&hash) } else { None }, now],
        )
        .expect("user");
        let mut roles = Vec::new();
        for role in [rng.below(shape.roles), rng.below(shape.roles)] {
            let name = format!("r{role}");
            if !roles.contains(&name) {
                tx.execute(
                    "INSERT INTO user_roles (user_id, role, position) VALUES (?1, ?2, ?3)",
                    rusqlite::params![id, name, roles.len() as i64],
                )
                .expect("user role");
                roles.push(name);
            }
        }
        list.push(User {
            id,
            roles,
            token: String::new(),
        });
    }
    // The load's admin, apart from the drawn users.
    tx.execute(
        "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES ('load-admin', ?1, 'Load admin', ?2, ?3, ?3)",
        rusqlite::params![ADMIN_EMAIL, hash, now],
    )
    .expect("admin");
    tx.execute(
        "INSERT INTO user_roles (user_id, role, position) VALUES ('load-admin', 'ADMIN', 0)",
        [],
    )
    .expect("admin role");
    tx.commit().expect("commit");
    list
}

/// Sign u0 in through the API (the real path), then mint a token for every other user on a
/// session of its own, with the server's keys and issuer; and create a service client.
/// Returns the client's key.
fn issue_credentials(db: &Path, warden_url: &str, users: &mut [User]) -> String {
    let login = post(
        &agent(),
        &format!("{warden_url}/v1/auth/login"),
        &json!({"email": "u0@example.com", "password": "load-password-123"}),
    );
    users[0].token = login["token"].as_str().expect("signed in").to_string();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = warden::store::Store::open(db).expect("store");
        let config = warden::config::Config {
            public_url: ISSUER.to_string(),
            access_token_ttl: 7200,
            ..Default::default()
        };
        let tokens = warden::tokens::Tokens::new(&store, &config)
            .await
            .expect("keys");
        for (i, user) in users.iter_mut().enumerate().skip(1) {
            let session = store
                .create_session(&user.id, &format!("load-refresh-{i}"), 7200)
                .await
                .expect("session");
            user.token = tokens
                .mint(
                    &user.id,
                    &format!("{}@example.com", user.id),
                    &user.roles,
                    &session.id,
                )
                .expect("mint")
                .0;
        }
        store.create_client("load", None).await.expect("client").1
    })
}

/// cedar-agent's request: Cedar uids as text, the context, and the request's entities (the
/// principal with its roles as parents, the roles, the document with its attributes).
fn cedar_agent_body(user: &User, q: &Drawn, d: &Document) -> Value {
    let mut entities = vec![json!({
        "uid": {"type": "User", "id": user.id},
        "attrs": {"email": format!("{}@example.com", user.id), "name": format!("User {}", &user.id[1..])},
        "parents": user.roles.iter().map(|r| json!({"type": "Role", "id": r})).collect::<Vec<_>>(),
    })];
    for r in &user.roles {
        entities.push(json!({"uid": {"type": "Role", "id": r}, "attrs": {}, "parents": []}));
    }
    entities.push(json!({
        "uid": {"type": "Document", "id": d.id},
        "attrs": {"owner": {"__entity": {"type": "User", "id": format!("u{}", d.owner)}}, "level": d.level, "public": d.public},
        "parents": [],
    }));
    json!({
        "principal": format!("User::\"{}\"", user.id),
        "action": format!("Action::\"{}\"", q.action),
        "resource": format!("Document::\"{}\"", d.id),
        "context": q.context,
        "entities": entities,
    })
}

/// Start cedar-agent on a free loopback port with the same policies: the statements of the
/// policy files by their `@id`, and each template link written out as the static policy it
/// stands for (cedar-agent's policy store holds static policies only). No schema.
fn start_cedar_agent(
    bin: &str,
    dir: &Path,
    files: &[(String, String)],
    links: &str,
) -> (Child, String) {
    let mut list = Vec::new();
    for (_, text) in files {
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            let Some(id) = line
                .strip_prefix("@id(\"")
                .and_then(|r| r.strip_suffix("\")"))
            else {
                continue;
            };
            let body = lines.next().unwrap_or_default();
            if !body.contains('?') {
                list.push(json!({"id": id, "content": body}));
            }
        }
    }
    let links: Vec<Value> = serde_json::from_str(links).unwrap_or_default();
    for link in links {
        list.push(json!({
            "id": link["id"],
            "content": format!(
                "permit(principal == {}, action == Action::\"a0\", resource == {});",
                link["values"]["?principal"].as_str().unwrap_or_default(),
                link["values"]["?resource"].as_str().unwrap_or_default()
            ),
        }));
    }
    let file = dir.join("cedar-agent-policies.json");
    std::fs::write(&file, Value::Array(list).to_string()).expect("agent policies");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut child = Command::new(bin)
        .args([
            "--addr",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--policies",
        ])
        .arg(&file)
        .env("CEDAR_AGENT_LOG_LEVEL", "error")
        .env("ROCKET_LOG_LEVEL", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cedar-agent starts");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(120);
    let http = agent();
    while Instant::now() < deadline {
        if http
            .get(&format!("{url}/v1/policies"))
            .call()
            .is_ok_and(|mut r| {
                r.status().as_u16() == 200
                    && r.body_mut()
                        .with_config()
                        .limit(64 << 20)
                        .read_to_string()
                        .ok()
                        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                        .and_then(|v| v.as_array().map(Vec::len))
                        .unwrap_or(0)
                        > 0
            })
        {
            return (child, url);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("cedar-agent did not load its policies within 120 s");
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

fn post(agent: &ureq::Agent, url: &str, body: &Value) -> Value {
    let mut r = agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .expect("request");
    serde_json::from_str(&r.body_mut().read_to_string().expect("body")).unwrap_or(Value::Null)
}

#[derive(Debug, Clone, Copy)]
enum Driver {
    /// `wrk -t2`: a C load generator, far cheaper per request than threads of this tool.
    Wrk,
    /// Keep-alive threads of this tool (ureq).
    Builtin,
}

#[derive(Default)]
struct Outcome {
    throughput: f64,
    p50: u64,
    p99: u64,
    errors: usize,
    /// Server CPU (user + system) per answered request, microseconds.
    cpu_us: f64,
    /// Context switches of the server's threads (voluntary and not) per answered request.
    switches: f64,
}

fn drive(
    driver: Driver,
    url: &str,
    requests: &[Sent],
    concurrency: usize,
    duration: Duration,
    pid: Option<u32>,
) -> Outcome {
    match driver {
        Driver::Wrk => wrk(url, requests, concurrency, duration, pid),
        Driver::Builtin => run(url, requests, concurrency, duration, None, pid),
    }
}

fn wrk_available() -> bool {
    Command::new("wrk")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Context switches (voluntary and involuntary) of every thread of the process so far.
fn context_switches(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("status")).ok())
        .flat_map(|status| {
            status
                .lines()
                .filter(|l| l.contains("ctxt_switches:"))
                .filter_map(|l| {
                    l.split_whitespace()
                        .nth(1)
                        .and_then(|v| v.parse::<u64>().ok())
                })
                .collect::<Vec<_>>()
        })
        .sum()
}

/// CPU time (user + system) the process has used, in microseconds.
fn cpu_time_us(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|v| v.parse::<u64>().ok()))
        .sum();
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    ticks * 1_000_000 / hz
}

/// Run `wrk -t2` with a Lua script that sends `requests` round-robin (each thread starting
/// at its own offset); parse its throughput, p50, p99 and errors.
fn wrk(
    url: &str,
    requests: &[Sent],
    concurrency: usize,
    duration: Duration,
    pid: Option<u32>,
) -> Outcome {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let script = dir.path().join("load.lua");
    let mut lua = String::from("local reqs = {}\nlocal raw = {\n");
    for r in requests {
        let auth = r.auth.as_deref().unwrap_or("");
        lua.push_str(&format!("{{[==[{auth}]==], [==[{}]==]}},\n", r.body));
    }
    let path = url
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
        .unwrap_or_else(|| "/".into());
    lua.push_str(&format!(
        "}}\nlocal n = 0\ninit = function(args)\n  for i, r in ipairs(raw) do\n    local h = {{[\"Content-Type\"] = \"application/json\"}}\n    if r[1] ~= \"\" then h[\"Authorization\"] = r[1] end\n    reqs[i] = wrk.format(\"POST\", \"{path}\", h, r[2])\n  end\n  n = math.random(#reqs)\nend\nrequest = function()\n  n = n % #reqs + 1\n  return reqs[n]\nend\n"
    ));
    std::fs::File::create(&script)
        .and_then(|mut f| f.write_all(lua.as_bytes()))
        .expect("lua script");
    let cpu_before = pid.map(cpu_time_us);
    let switches_before = pid.map(context_switches);
    let out = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{concurrency}"),
            &format!("-d{}s", duration.as_secs().max(1)),
            "--latency",
            "-s",
        ])
        .arg(&script)
        .arg(url)
        .output()
        .expect("wrk runs");
    let cpu = pid.map(cpu_time_us).zip(cpu_before).map(|(a, b)| a - b);
    let switches = pid
        .map(context_switches)
        .zip(switches_before)
        .map(|(a, b)| a.saturating_sub(b));
    let text = String::from_utf8_lossy(&out.stdout);
    let number = |prefix: &str| -> Option<String> {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l[prefix.len()..].split_whitespace().next())
            .map(str::to_string)
    };
    let micros = |v: Option<String>| -> u64 {
        let Some(v) = v else { return 0 };
        let (n, unit) = v.split_at(v.find(|c: char| c.is_alphabetic()).unwrap_or(v.len()));
        let n: f64 = n.parse().unwrap_or(0.0);
        (n * match unit {
            "us" => 1.0,
            "ms" => 1_000.0,
            "s" => 1_000_000.0,
            _ => 1.0,
        }) as u64
    };
    let total: u64 = text
        .lines()
        .find(|l| l.contains("requests in"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let bad: usize = number("Non-2xx or 3xx responses:")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let socket: usize = text
        .lines()
        .find(|l| l.contains("Socket errors"))
        .map(|l| {
            l.split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse::<usize>().ok())
                .sum()
        })
        .unwrap_or(0);
    let answered = total.saturating_sub(bad as u64);
    Outcome {
        throughput: number("Requests/sec:")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0.0)
            * answered as f64
            / total.max(1) as f64,
        p50: micros(number("50%")),
        p99: micros(number("99%")),
        errors: bad + socket,
        cpu_us: cpu.map_or(0.0, |c| c as f64 / answered.max(1) as f64),
        switches: switches.map_or(0.0, |c| c as f64 / answered.max(1) as f64),
    }
}

/// Drive `url` with `concurrency` keep-alive connections of this tool for `duration`: as
/// fast as possible, or at a total `rate` (requests/s), timing each request from its
/// scheduled start so that queueing counts (no coordinated omission).
fn run(
    url: &str,
    requests: &[Sent],
    concurrency: usize,
    duration: Duration,
    rate: Option<f64>,
    pid: Option<u32>,
) -> Outcome {
    let started = Instant::now();
    let cpu_before = pid.map(cpu_time_us);
    let switches_before = pid.map(context_switches);
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
                        let sent = &requests[(t * 131 + k as usize) % requests.len()];
                        let mut req = agent.post(url).header("Content-Type", "application/json");
                        if let Some(a) = &sent.auth {
                            req = req.header("Authorization", a);
                        }
                        match req.send(sent.body.as_str()) {
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
    let cpu = pid.map(cpu_time_us).zip(cpu_before).map(|(a, b)| a - b);
    let switches = pid
        .map(context_switches)
        .zip(switches_before)
        .map(|(a, b)| a.saturating_sub(b));
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
        cpu_us: cpu.map_or(0.0, |c| c as f64 / all.len().max(1) as f64),
        switches: switches.map_or(0.0, |c| c as f64 / all.len().max(1) as f64),
    }
}

/// Load `url` for `duration` and sample the server's RSS after 5 s and at the end (KiB).
fn soak_rss(
    driver: Driver,
    url: &str,
    requests: &[Sent],
    concurrency: usize,
    duration: Duration,
    pid: u32,
) -> (u64, u64) {
    std::thread::scope(|s| {
        let sampler = s.spawn(move || {
            std::thread::sleep(Duration::from_secs(5));
            status_kib(pid, "VmRSS:")
        });
        drive(driver, url, requests, concurrency, duration, None);
        let late = status_kib(pid, "VmRSS:");
        (sampler.join().unwrap_or(0), late)
    })
}

fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// The built-in baseline: a plain axum handler that builds the request's entities from JSON
/// and calls `is_authorized` over the whole policy set.
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
    let decision = (|| -> Option<bool> {
        let uid = |t: &str, id: &str| -> Option<EntityUid> {
            Some(EntityUid::from_type_name_and_id(
                t.parse().ok()?,
                cedar_policy::EntityId::new(id),
            ))
        };
        let user = body["principal"].as_str()?;
        let principal = uid("User", user)?;
        let action = uid("Action", body["action"].as_str()?)?;
        let kind = body["resource"]["type"].as_str()?;
        let id = body["resource"]["id"].as_str()?;
        let resource = uid(kind, id)?;
        let roles: Vec<Value> = body["roles"].as_array().cloned().unwrap_or_default();
        let mut entities = vec![json!({
            "uid": {"type": "User", "id": user},
            "attrs": {"email": format!("{user}@example.com"), "name": format!("User {}", &user[1..])},
            "parents": roles.iter().map(|r| json!({"type": "Role", "id": r})).collect::<Vec<_>>(),
        })];
        for r in &roles {
            entities.push(json!({"uid": {"type": "Role", "id": r}, "attrs": {}, "parents": []}));
        }
        entities.push(json!({"uid": {"type": kind, "id": id}, "attrs": body["resource"]["properties"], "parents": []}));
        let entities = Entities::from_json_value(Value::Array(entities), schema).ok()?;
        let context =
            Context::from_json_value(body["context"].clone(), schema.map(|s| (s, &action))).ok()?;
        let request = Request::new(principal, action, resource, context, schema).ok()?;
        let response = Authorizer::new().is_authorized(&request, &bundle.policies, &entities);
        Some(response.decision() == cedar_policy::Decision::Allow)
    })();
    json!({"decision": decision.unwrap_or(false)})
}
