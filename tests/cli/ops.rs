//! Running warden as an operator does (issue 31): secrets from files, the health probe,
//! access logs as JSON lines, HTTP and process metrics, and a drain without refused requests.

use crate::*;
use std::io::BufRead as _;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A `warden serve` process on `127.0.0.1:0`, its standard error collected line by line (a
/// reader thread keeps the pipe empty, so the server never blocks on a log line).
struct Server {
    child: std::process::Child,
    addr: String,
    stderr: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(env: &Env, vars: &[(&str, &str)]) -> Server {
        Server::start_with(env, vars, &[])
    }

    /// With `vars` set and the variables `removed` (of [`Env::cmd`]'s) not.
    fn start_with(env: &Env, vars: &[(&str, &str)], removed: &[&str]) -> Server {
        let mut cmd = env.cmd(&["serve", "--listen", "127.0.0.1:0"]);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        for k in removed {
            cmd.env_remove(k);
        }
        cmd.env_remove("RUST_LOG").env_remove("WARDEN_LOG");
        Server::spawn(cmd)
    }

    fn spawn(mut cmd: Command) -> Server {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let kept = lines.clone();
        let reader = std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(addr) = line.strip_prefix("warden listening on http://") {
                    let _ = tx.send(addr.to_string());
                }
                kept.lock().unwrap().push(line);
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no address; stderr: {:?}", lines.lock().unwrap()));
        Server {
            child,
            addr,
            stderr: lines,
            reader: Some(reader),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// SIGTERM, then the exit status and every line written to standard error.
    fn stop(mut self) -> (std::process::ExitStatus, Vec<String>) {
        sigterm(self.child.id());
        self.wait()
    }

    fn wait(&mut self) -> (std::process::ExitStatus, Vec<String>) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "the server did not stop");
            std::thread::sleep(Duration::from_millis(20));
        };
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        (status, self.stderr.lock().unwrap().clone())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

fn get(agent: &ureq::Agent, url: &str) -> (u16, String) {
    let response = agent.get(url).call().unwrap();
    let status = response.status().as_u16();
    (status, response.into_body().read_to_string().unwrap())
}

fn sign_in(agent: &ureq::Agent, server: &Server, password: &str) -> (u16, serde_json::Value) {
    let response = agent
        .post(&server.url("/v1/auth/login"))
        .header("Content-Type", "application/json")
        .send(format!(
            r#"{{"email":"admin@localhost","password":"{password}"}}"#
        ))
        .unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().read_to_string().unwrap();
    (status, serde_json::from_str(&body).unwrap())
}

#[test]
fn secrets_are_read_from_files_and_a_bad_file_is_a_clear_error_without_the_secret() {
    let env = Env::new();
    let secret = "0123456789abcdef0123456789abcdef-from-a-file";
    write(&env, "secrets/jwt", &format!("{secret}\n"));
    write(&env, "secrets/admin", "password-from-a-file-1\n");
    let jwt = env.path().join("secrets/jwt");
    let jwt = jwt.to_str().unwrap();
    let shown = env
        .cmd(&["serve", "--print-config", "--json"])
        .env("WARDEN_JWT_ALGORITHM", "HS256")
        .env("WARDEN_JWT_SECRET_FILE", jwt)
        .output()
        .unwrap();
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["jwt_secret"], "********");
    assert_eq!(shown["jwt_algorithm"], "HS256");

    // Both the variable and its file: refused, naming both, showing neither.
    let out = env
        .cmd(&["serve", "--print-config"])
        .env("WARDEN_JWT_SECRET", secret)
        .env("WARDEN_JWT_SECRET_FILE", jwt)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        one_line_error(&err),
        "error: environment variable WARDEN_JWT_SECRET and WARDEN_JWT_SECRET_FILE: both are \
         set; set one of them"
    );
    // A file that cannot be read: the variable and the path, never a secret.
    let missing = env.path().join("secrets/nope");
    let out = env
        .cmd(&["serve", "--print-config"])
        .env("WARDEN_OPERATIONS_KEY_FILE", &missing)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        one_line_error(&err).starts_with(&format!(
            "error: environment variable WARDEN_OPERATIONS_KEY_FILE: cannot read {}: ",
            missing.display()
        )),
        "{err}"
    );
    std::fs::create_dir_all(env.path().join("secrets/unreadable")).unwrap();
    let out = env
        .cmd(&["serve", "--print-config"])
        .env("WARDEN_DB_FILE", env.path().join("secrets/unreadable"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success());
    assert!(err.contains("WARDEN_DB_FILE: cannot read"), "{err}");
    // No warning that a *_FILE variable is unknown.
    let out = env
        .cmd(&["serve", "--print-config"])
        .env("WARDEN_JWT_SECRET_FILE", jwt)
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("not a warden setting"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The first administrator's password from a file: the server signs it in with it. Beside
    // WARDEN_ADMIN_PASSWORD (which `Env::cmd` sets) the file is refused, naming both.
    let admin = env.path().join("secrets/admin");
    let out = env
        .cmd(&["serve", "--listen", "127.0.0.1:0"])
        .env("WARDEN_ADMIN_PASSWORD_FILE", &admin)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        err.contains("WARDEN_ADMIN_PASSWORD and WARDEN_ADMIN_PASSWORD_FILE: both are set"),
        "{err}"
    );
    assert!(!err.contains("password-from-a-file-1"), "{err}");
    let server = Server::start_with(
        &env,
        &[
            ("WARDEN_ADMIN_PASSWORD_FILE", admin.to_str().unwrap()),
            ("WARDEN_JWT_ALGORITHM", "HS256"),
            ("WARDEN_JWT_SECRET_FILE", jwt),
        ],
        &["WARDEN_ADMIN_PASSWORD"],
    );
    let a = agent();
    let (status, body) = sign_in(&a, &server, "password-from-a-file-1");
    assert_eq!(status, 200, "{body}");
    let (status, _) = sign_in(&a, &server, "bootstrap-password-1");
    assert_eq!(status, 401);
    let (status, lines) = server.stop();
    assert!(status.success(), "{lines:?}");
    let all = lines.join("\n");
    assert!(
        !all.contains(secret) && !all.contains("password-from-a-file-1"),
        "a secret reached the log: {all}"
    );
}

#[test]
fn access_logs_are_json_lines_with_the_request_fields_and_no_escape_bytes() {
    let env = Env::new();
    let server = Server::start(
        &env,
        &[("WARDEN_LOG_LEVEL", "info"), ("WARDEN_LOG_FORMAT", "json")],
    );
    let a = agent();
    assert_eq!(get(&a, &server.url("/healthz")).0, 200);
    assert_eq!(get(&a, &server.url("/no/such/route")).0, 404);
    let (status, login) = sign_in(&a, &server, "bootstrap-password-1");
    assert_eq!(status, 200);
    let token = login["token"].as_str().unwrap();
    let response = a
        .post(&server.url("/v1/authorize"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .header("X-Request-ID", "req-ops-test-1")
        .send(r#"{"action":"readDocument","resource":{"type":"Document","id":"d1","properties":{"owner":{"type":"User","id":"admin"}}}}"#)
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let (status, lines) = server.stop();
    assert!(status.success(), "{lines:?}");
    let all = lines.join("\n");
    assert!(
        !all.contains('\u{1b}'),
        "an escape byte in the log: {all:?}"
    );
    let objects: Vec<serde_json::Value> = lines
        .iter()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let access: Vec<&serde_json::Value> = objects
        .iter()
        .filter(|o| o["target"] == "warden::access")
        .collect();
    assert_eq!(access.len(), 4, "one line per request: {all}");
    for line in &access {
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["message"], "request");
        assert!(line["timestamp"].is_string());
        assert!(line["latency_us"].is_u64(), "{line}");
        assert_eq!(
            line["request_id"].as_str().map(str::len).map(|n| n > 0),
            Some(true)
        );
    }
    assert_eq!(
        (
            &access[0]["method"],
            &access[0]["route"],
            &access[0]["status"]
        ),
        (&"GET".into(), &"/healthz".into(), &200.into())
    );
    // An unmatched path is counted and logged as `unmatched`, never by its text.
    assert_eq!(access[1]["route"], "unmatched");
    assert_eq!(access[1]["status"], 404);
    assert!(!all.contains("/no/such/route"));
    assert_eq!(access[2]["route"], "/v1/auth/login");
    let decision = access[3];
    assert_eq!(decision["route"], "/v1/authorize");
    assert_eq!(decision["request_id"], "req-ops-test-1");
    assert_eq!(decision["user"], "User::\"admin\"");
    assert!(decision["decision"] == "allow" || decision["decision"] == "deny");
    assert!(!all.contains(token), "a token reached the log");

    // Text lines: no colour either when standard error is not a terminal; RUST_LOG over
    // the configured level (warn: no access lines).
    let server = Server::start(&env, &[("WARDEN_LOG_LEVEL", "warn")]);
    assert_eq!(get(&a, &server.url("/healthz")).0, 200);
    let (_, lines) = server.stop();
    assert!(
        !lines.iter().any(|l| l.contains("warden::access")),
        "{lines:?}"
    );
    let server = Server::start_rust_log(&env, "warn,warden::access=info");
    assert_eq!(get(&a, &server.url("/healthz")).0, 200);
    let (_, lines) = server.stop();
    let text: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("warden::access"))
        .collect();
    assert_eq!(text.len(), 1, "{lines:?}");
    assert!(
        text[0].contains("route=\"/healthz\"") && text[0].contains("status=200"),
        "{}",
        text[0]
    );
    assert!(!text[0].contains('\u{1b}'), "{:?}", text[0]);
    // A RUST_LOG that is no filter is refused at start-up.
    let out = env
        .cmd(&["serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warden=loud[")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("RUST_LOG"));
}

impl Server {
    fn start_rust_log(env: &Env, filter: &str) -> Server {
        let mut cmd = env.cmd(&["serve", "--listen", "127.0.0.1:0"]);
        cmd.env("RUST_LOG", filter);
        Server::spawn(cmd)
    }
}

#[test]
fn metrics_tell_throttled_sign_ins_and_serve_http_process_and_build_series() {
    let env = Env::new();
    let server = Server::start(
        &env,
        &[("WARDEN_LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS", "2")],
    );
    let a = agent();
    // The health probe of the container image: 0 while the server answers.
    let probe = env
        .cmd(&["health", "--url", &server.url("")])
        .output()
        .unwrap();
    assert!(probe.status.success(), "{probe:?}");
    let probe = env
        .cmd(&["health", "--ready"])
        .env("WARDEN_LISTEN", &server.addr)
        .output()
        .unwrap();
    assert!(probe.status.success(), "{probe:?}");
    let statuses: Vec<u16> = (0..4)
        .map(|_| sign_in(&a, &server, "wrong-password-123").0)
        .collect();
    assert_eq!(statuses, [401, 401, 429, 429]);
    assert_eq!(get(&a, &server.url("/healthz")).0, 200);
    let (status, text) = get(&a, &server.url("/metrics"));
    assert_eq!(status, 200);
    for line in [
        "warden_logins_total{result=\"failed\"} 2",
        "warden_logins_total{result=\"throttled\"} 2",
        "warden_logins_total{result=\"ok\"} 0",
        "warden_http_requests_total{route=\"/v1/auth/login\",method=\"POST\",status=\"401\"} 2",
        "warden_http_requests_total{route=\"/v1/auth/login\",method=\"POST\",status=\"429\"} 2",
        "warden_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 2",
        "warden_http_request_duration_seconds_count{route=\"/v1/auth/login\"} 4",
        "process_open_fds ",
        "process_resident_memory_bytes ",
        "process_cpu_seconds_total ",
        "process_max_fds ",
    ] {
        assert!(text.contains(line), "missing {line}\n{text}");
    }
    let build = format!(
        "warden_build{{version=\"{}\",git=\"",
        env!("CARGO_PKG_VERSION")
    );
    assert!(text.contains(&build), "{text}");
    let (status, lines) = server.stop();
    assert!(status.success(), "{lines:?}");
    // A server that is not there: exit 1 with the reason in one line.
    let closed = env
        .cmd(&["health", "--url", &format!("http://{}", closed_address())])
        .output()
        .unwrap();
    assert_eq!(closed.status.code(), Some(1));
    one_line_error(&String::from_utf8_lossy(&closed.stderr));
}

/// A loopback address where nothing listens.
fn closed_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    drop(listener);
    addr
}

#[test]
fn sigterm_drains_readyz_503_while_every_request_is_served_then_exits_0() {
    let env = Env::new();
    let drain = Duration::from_secs(3);
    let server = Server::start(&env, &[("WARDEN_DRAIN_SECONDS", "3")]);
    let a = agent();
    let (status, login) = sign_in(&a, &server, "bootstrap-password-1");
    assert_eq!(status, 200);
    let token = login["token"].as_str().unwrap().to_string();
    assert_eq!(get(&a, &server.url("/readyz")).0, 200);

    // The load: two threads of decisions and health checks on keep-alive connections, at
    // most 5,000 requests each and until told to stop; every failure is kept.
    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let load: Vec<_> = (0..2)
        .map(|n| {
            let (stop, served, failures) = (stop.clone(), served.clone(), failures.clone());
            let (authorize, healthz) = (server.url("/v1/authorize"), server.url("/healthz"));
            let token = token.clone();
            std::thread::spawn(move || {
                let a = agent();
                for i in 0..5_000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let result = if (i + n) % 2 == 0 {
                        a.post(&authorize)
                            .header("Authorization", &format!("Bearer {token}"))
                            .header("Content-Type", "application/json")
                            .send(r#"{"action":"readDocument","resource":{"type":"Document","id":"d1","properties":{"owner":{"type":"User","id":"admin"}}}}"#)
                    } else {
                        a.get(&healthz).call()
                    };
                    match result {
                        Ok(r) if r.status().as_u16() == 200 => {
                            served.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(r) => failures.lock().unwrap().push(format!("status {}", r.status())),
                        Err(e) => failures.lock().unwrap().push(e.to_string()),
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let before = served.load(Ordering::Relaxed);
    let signalled = Instant::now();
    sigterm(server.child.id());
    // During the drain: /readyz says 503 draining, and the load goes on being served.
    let mut readyz = None;
    while signalled.elapsed() < drain - Duration::from_millis(800) {
        let (status, body) = get(&a, &server.url("/readyz"));
        if status == 503 {
            readyz = Some(body);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    for t in load {
        t.join().unwrap();
    }
    let during = served.load(Ordering::Relaxed) - before;
    let readyz = readyz.expect("/readyz answered 503 during the drain");
    let readyz: serde_json::Value = serde_json::from_str(&readyz).unwrap();
    assert_eq!(readyz["status"], "draining");
    assert_eq!(
        *failures.lock().unwrap(),
        Vec::<String>::new(),
        "requests refused during the drain"
    );
    assert!(during > 20, "only {during} requests served while draining");
    let mut server = server;
    let (status, lines) = server.wait();
    assert!(status.success(), "exit {status:?}: {lines:?}");
    assert!(
        signalled.elapsed() >= drain,
        "stopped before the drain ended"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("warden draining")),
        "{lines:?}"
    );
    assert_eq!(lines.last().map(String::as_str), Some("warden stopped"));
    // The listener is closed now.
    assert!(std::net::TcpStream::connect(&server.addr).is_err());
}

#[test]
fn a_log_or_drain_setting_that_cannot_work_is_refused_naming_it() {
    let env = Env::new();
    for (var, value, expected) in [
        (
            "WARDEN_LOG_LEVEL",
            "warden=loud[",
            "log_level \"warden=loud[\" is not a level or filter",
        ),
        (
            "WARDEN_LOG_FORMAT",
            "xml",
            "WARDEN_LOG_FORMAT: expected one of text, json, found \"xml\"",
        ),
        (
            "WARDEN_DRAIN_SECONDS",
            "5000",
            "drain_seconds must be 0 (off) to 600",
        ),
    ] {
        let out = env
            .cmd(&["serve", "--print-config"])
            .env(var, value)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{var}={value} was accepted");
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(one_line_error(&err).contains(expected), "{var}: {err}");
    }
    let shown = env.json(&["serve", "--print-config"]);
    assert_eq!(
        (
            &shown["drain_seconds"],
            &shown["log_level"],
            &shown["log_format"]
        ),
        (&5.into(), &"warn".into(), &"text".into())
    );
}
