//! Shared harness: a real server on 127.0.0.1:0 with its own SQLite file in a temp dir,
//! spoken to over real HTTP.
#![allow(dead_code)]

use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;
use warden::config::Config;
use warden::server::AppState;

pub const ADMIN_PASSWORD: &str = "admin-password-123";
pub const USER_PASSWORD: &str = "user-password-1234";

pub struct TestApp {
    pub base: String,
    pub dir: TempDir,
    pub state: AppState,
    pub agent: ureq::Agent,
    runtime: tokio::runtime::Runtime,
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Run a future of the library from a synchronous test, on one runtime shared by the tests
/// (the store's work goes to its blocking pool).
pub fn block<F: std::future::Future>(f: F) -> F::Output {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
    .block_on(f)
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Start a server with the shipped policies, the admin and a plain USER `alice`.
pub fn spawn_app() -> TestApp {
    spawn_app_with(|_| {})
}

pub fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_with_clock(warden::clock::system(), tweak)
}

/// [`spawn_app_with`] on a fresh PostgreSQL database of the test cluster; `None` (the test
/// then passes as skipped, having said why) when PostgreSQL is not installed.
pub fn spawn_pg_app_with(test: &str, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
    let url = block(warden::testkit::database_or_skip(test))?;
    Some(spawn_app_with(|c| {
        c.db = url.into();
        tweak(c)
    }))
}

/// A test app whose sign-in windows follow `clock` (move it by hand instead of sleeping).
pub fn spawn_app_with_clock(
    clock: warden::clock::SharedClock,
    tweak: impl FnOnce(&mut Config),
) -> TestApp {
    let dir = TempDir::new().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"),
        &dir.path().join("policies"),
    );
    let mut config = Config {
        db: dir.path().join("warden.db"),
        policies: dir.path().join("policies"),
        public_url: "http://warden.test".into(),
        watch_policies: false,
        ..Config::default()
    };
    tweak(&mut config);
    let (state, _) = block(AppState::build_with_clock(config, clock)).unwrap();
    // The bootstrap admin got a generated password; set a known one.
    let admin_hash = warden::accounts::password::hash(ADMIN_PASSWORD).unwrap();
    block(state.app.store.reset_password("admin", &admin_hash, None)).unwrap();
    let hash = warden::accounts::password::hash(USER_PASSWORD).unwrap();
    block(state.app.store.create_user(
        &warden::store::NewUser {
            id: "alice".parse().unwrap(),
            email: "alice@example.com".parse().unwrap(),
            name: "Alice".parse().unwrap(),
            roles: vec!["USER".parse().unwrap()],
            password_hash: Some(hash),
        },
        None,
    ))
    .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (addr, _) = runtime
        .block_on(warden::server::start(state.clone(), "127.0.0.1:0"))
        .unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        // The server closes a keep-alive connection idle for `header_timeout` (10 s); a client
        // must not reuse one that old, or it races the close (as browsers and Node's fetch,
        // whose pools keep idle connections for 4-5 s, do not).
        .max_idle_age(std::time::Duration::from_secs(4))
        .build()
        .into();
    TestApp {
        base: format!("http://{addr}"),
        dir,
        state,
        agent,
        runtime,
    }
}

fn reply(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut r = r.unwrap();
    let status = r.status().as_u16();
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    Reply {
        status,
        headers,
        text,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn get(&self, path: &str, bearer: Option<&str>) -> Reply {
        let mut req = self.agent.get(&self.url(path));
        if let Some(t) = bearer {
            req = req.header("Authorization", &format!("Bearer {t}"));
        }
        reply(req.call())
    }

    /// POST a body with a content type and extra headers.
    pub fn post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.agent.post(&self.url(path));
        if let Some(ct) = content_type {
            req = req.header("Content-Type", ct);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        reply(req.send(body))
    }

    pub fn post(&self, path: &str, body: &Value, bearer: Option<&str>) -> Reply {
        let auth = bearer.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("Authorization", a.as_str())).collect();
        self.post_raw(
            path,
            Some("application/json"),
            body.to_string().as_bytes(),
            &headers,
        )
    }

    /// Any method with an optional JSON body and bearer token.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        bearer: Option<&str>,
    ) -> Reply {
        let url = self.url(path);
        let auth = bearer.map(|t| format!("Bearer {t}"));
        macro_rules! with_auth {
            ($req:expr) => {{
                let mut req = $req;
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                req
            }};
        }
        let text = body.map(|b| b.to_string());
        let r = match (method, text) {
            ("get", _) => with_auth!(self.agent.get(&url)).call(),
            ("delete", _) => with_auth!(self.agent.delete(&url)).call(),
            ("post", b) => with_auth!(self.agent.post(&url))
                .header("Content-Type", "application/json")
                .send(b.unwrap_or_else(|| "{}".into())),
            ("put", b) => with_auth!(self.agent.put(&url))
                .header("Content-Type", "application/json")
                .send(b.unwrap_or_else(|| "{}".into())),
            ("patch", b) => with_auth!(self.agent.patch(&url))
                .header("Content-Type", "application/json")
                .send(b.unwrap_or_else(|| "{}".into())),
            (other, _) => panic!("unsupported method {other}"),
        };
        reply(r)
    }

    /// Sign in and return the whole login answer.
    pub fn login(&self, email: &str, password: &str) -> Value {
        let r = self.post(
            "/v1/auth/login",
            &serde_json::json!({"email": email, "password": password}),
            None,
        );
        assert_eq!(r.status, 200, "login failed: {}", r.text);
        r.json()
    }

    pub fn admin_token(&self) -> String {
        self.login("admin@localhost", ADMIN_PASSWORD)["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn alice(&self) -> Value {
        self.login("alice@example.com", USER_PASSWORD)
    }

    /// Another server on this app's database and policies, as a second process would be.
    pub fn second_server(&self) -> (String, AppState) {
        self.server_with((*self.state.config).clone())
    }

    /// Another server with this configuration, on this app's runtime.
    pub fn server_with(&self, config: Config) -> (String, AppState) {
        let (state, _) = block(AppState::build(config)).unwrap();
        let (addr, _) = self
            .runtime
            .block_on(warden::server::start(state.clone(), "127.0.0.1:0"))
            .unwrap();
        (format!("http://{addr}"), state)
    }

    /// POST JSON from another loopback source address (e.g. 127.0.0.2): the server sees a
    /// different client address.
    pub fn post_from(&self, source: &str, path: &str, body: &Value) -> Reply {
        use std::io::{Read, Write};
        let target: std::net::SocketAddr = self.base.trim_start_matches("http://").parse().unwrap();
        let source: std::net::SocketAddr = format!("{source}:0").parse().unwrap();
        let text = body.to_string();
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {target}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
            text.len()
        );
        let stream = self.runtime.block_on(async move {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind(source).unwrap();
            socket.connect(target).await.unwrap()
        });
        let mut stream = stream.into_std().unwrap();
        stream.set_nonblocking(false).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        parse_raw_response(&String::from_utf8_lossy(&raw))
    }

    /// Run the real `warden` binary on this app's database (a second process).
    pub fn warden(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_warden"))
            .args(["--db", self.state.config.db.to_str().unwrap()])
            .args([
                "--policies",
                self.dir.path().join("policies").to_str().unwrap(),
            ])
            .args(args)
            // The same configuration as the server (tokens carry its issuer).
            .env("WARDEN_PUBLIC_URL", &self.state.config.public_url)
            .output()
            .unwrap()
    }
}

/// Parse a raw HTTP/1.1 response (no chunked bodies: warden answers with a length).
pub fn parse_raw_response(raw: &str) -> Reply {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        text: body.to_string(),
    }
}
