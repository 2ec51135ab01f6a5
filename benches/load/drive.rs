use super::*;

/// `requests` driven at `urls` at once, the connections split among them; the throughputs
/// add up, the latencies are the worst of them, CPU and switches per request are weighted.
pub(crate) fn spread(
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
pub(crate) fn admin_writes(
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

#[derive(Debug, Clone, Copy)]
pub(crate) enum Driver {
    /// `wrk -t2`: a C load generator, far cheaper per request than threads of this tool.
    Wrk,
    /// Keep-alive threads of this tool (ureq).
    Builtin,
}

#[derive(Default)]
pub(crate) struct Outcome {
    pub(crate) throughput: f64,
    pub(crate) p50: u64,
    pub(crate) p99: u64,
    pub(crate) errors: usize,
    /// Server CPU (user + system) per answered request, microseconds.
    pub(crate) cpu_us: f64,
    /// Context switches of the server's threads (voluntary and not) per answered request.
    pub(crate) switches: f64,
}

pub(crate) fn drive(
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

pub(crate) fn wrk_available() -> bool {
    Command::new("wrk")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Context switches (voluntary and involuntary) of every thread of the process so far.
pub(crate) fn context_switches(pid: u32) -> u64 {
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
pub(crate) fn cpu_time_us(pid: u32) -> u64 {
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
pub(crate) fn wrk(
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
pub(crate) fn run(
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
pub(crate) fn soak_rss(
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

pub(crate) fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}
