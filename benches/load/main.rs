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

mod drive;
mod seed;
mod servers;

use drive::*;
use seed::*;
use servers::*;

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
        let shipped = include_str!("../../policies/schema.cedarschema");
        let at = shipped.find("namespace Warden").expect("Warden namespace");
        schema.push_str(&shipped[at..]);
    }
    write_policies(&policy_dir, &schema, &files, &links);
    if postgres.is_some() {
        std::fs::write(
            policy_dir.join("warden.cedar"),
            include_str!("../../policies/warden.cedar"),
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
        // --force: the SQLite server is still up (idle) on the file it seeded.
        let copied = Command::new(env!("CARGO_BIN_EXE_warden"))
            .args(["db", "copy", "--force", "--from"])
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
