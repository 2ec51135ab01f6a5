//! Shared harness: a real server on 127.0.0.1:0 with its own database (a SQLite file in a
//! temp dir, or a fresh PostgreSQL database: see [`backend`]), spoken to over real HTTP.
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

/// The back end the suite's servers run on, from `WARDEN_TEST_BACKEND`: `sqlite` (unset, the
/// default: a SQLite file in the test's temp dir) or `postgres` (a fresh database on the test
/// process's throwaway cluster, see `warden::testkit`). One definition of each test runs on
/// either: `cargo test --test http` on SQLite, `WARDEN_TEST_BACKEND=postgres cargo test --test
/// http` on PostgreSQL. Tests about a SQLite file use [`spawn_sqlite_app_with`]; tests about
/// several replicas on one database use [`spawn_pg_app_with`], on PostgreSQL in both runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend() -> Backend {
    match std::env::var("WARDEN_TEST_BACKEND").as_deref() {
        Err(_) | Ok("" | "sqlite") => Backend::Sqlite,
        Ok("postgres") => Backend::Postgres,
        Ok(other) => panic!("WARDEN_TEST_BACKEND={other:?}: expected `sqlite` or `postgres`"),
    }
}

/// For a test whose back end does not follow [`backend`] (it is about a SQLite file, starts
/// no server, or is about PostgreSQL and runs on it in every run): `true` in the
/// `WARDEN_TEST_BACKEND=postgres` run, and the test returns at once. That run is there to
/// run the other tests on PostgreSQL; this one would only run again as it did in the
/// default run (`cargo test`), which runs it.
pub fn skip_in_the_postgres_run(test: &str) -> bool {
    let skip = backend() == Backend::Postgres;
    if skip {
        eprintln!("{test}: its back end is fixed; the default run runs it");
    }
    skip
}

/// Where a test server keeps its data.
enum Db {
    /// `warden.db` in the test's temp dir.
    SqliteFile,
    /// A PostgreSQL database URL.
    Postgres(String),
}

/// Start a server with the shipped policies, the admin and a plain USER `alice`, on the
/// suite's [`backend`].
pub fn spawn_app() -> TestApp {
    spawn_app_with(|_| {})
}

pub fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_with_clock(warden::clock::system(), tweak)
}

/// A test app whose sign-in windows follow `clock` (move it by hand instead of sleeping).
pub fn spawn_app_with_clock(
    clock: warden::clock::SharedClock,
    tweak: impl FnOnce(&mut Config),
) -> TestApp {
    let db = match backend() {
        Backend::Sqlite => Db::SqliteFile,
        // The run asked for PostgreSQL: no database is a failure, never a skip.
        Backend::Postgres => Db::Postgres(
            block(warden::testkit::database())
                .unwrap_or_else(|why| panic!("WARDEN_TEST_BACKEND=postgres: {why}")),
        ),
    };
    spawn_on(db, clock, tweak)
}

/// [`spawn_app_with`] on a SQLite file whatever the [`backend`], for a test about the file
/// itself (the command line or another process opening it, WAL, SQL on the file).
pub fn spawn_sqlite_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    spawn_on(Db::SqliteFile, warden::clock::system(), tweak)
}

/// [`spawn_app_with`] on a fresh PostgreSQL database whatever the [`backend`], for a test
/// that is about PostgreSQL (several replicas on one database); `None` (skipped, saying why)
/// where `warden::testkit::database_or_skip` allows a skip, and in the PostgreSQL run (see
/// [`skip_in_the_postgres_run`]: the default run runs it on PostgreSQL already).
pub fn spawn_pg_app_with(test: &str, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
    if skip_in_the_postgres_run(test) {
        return None;
    }
    let url = block(warden::testkit::database_or_skip(test))?;
    Some(spawn_on(Db::Postgres(url), warden::clock::system(), tweak))
}

/// A test app on a given PostgreSQL database (one of a cluster of the test's own, say).
pub fn spawn_app_at(url: String, tweak: impl FnOnce(&mut Config)) -> TestApp {
    spawn_on(Db::Postgres(url), warden::clock::system(), tweak)
}

fn spawn_on(db: Db, clock: warden::clock::SharedClock, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let dir = TempDir::new().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"),
        &dir.path().join("policies"),
    );
    let mut config = Config {
        db: match db {
            Db::SqliteFile => dir.path().join("warden.db"),
            Db::Postgres(url) => url.into(),
        },
        policies: dir.path().join("policies"),
        public_url: "http://warden.test".into(),
        watch_policies: false,
        ..Config::default()
    };
    tweak(&mut config);
    let (state, _) = block(AppState::build_with_clock(config, clock)).unwrap();
    // The bootstrap admin got a generated password; set a known one.
    let admin_hash = warden::accounts::password::hash(ADMIN_PASSWORD).unwrap();
    block(state.app.store().reset_password("admin", &admin_hash, None)).unwrap();
    let hash = warden::accounts::password::hash(USER_PASSWORD).unwrap();
    block(state.app.store().create_user(
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

    /// This app's database as `--db` takes it: the SQLite file or the PostgreSQL URL.
    pub fn db(&self) -> &str {
        self.state.config.db.to_str().unwrap()
    }

    /// Whether this app's database is PostgreSQL.
    pub fn on_postgres(&self) -> bool {
        self.db().starts_with("postgres://") || self.db().starts_with("postgresql://")
    }

    /// Assert `check` of a change another process (the command line) made to this app's
    /// database, as this server sees it. SQLite promises it on the very next request (the
    /// server reads the revision before it trusts a cache); PostgreSQL within the revision's
    /// NOTIFY, which is asynchronous (docs/replicas.md: p99 about 10 ms),
    /// so there `check` is polled, for at most 10 s.
    pub fn sees(&self, what: &str, mut check: impl FnMut() -> bool) {
        if !self.on_postgres() {
            assert!(check(), "{what}, on the very next request");
            return;
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !check() {
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {what}"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// A whole number (a `COUNT(*)`, say) read with `sql` straight from this app's database,
    /// on either back end (the tables are the same).
    pub fn query_number(&self, sql: &str) -> i64 {
        let db = self.db();
        if self.on_postgres() {
            let (url, sql) = (db.to_string(), sql.to_string());
            block(async move {
                let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                tokio::spawn(connection);
                client.query_one(&sql, &[]).await.unwrap().get::<_, i64>(0)
            })
        } else {
            rusqlite::Connection::open(db)
                .unwrap()
                .query_row(sql, [], |r| r.get(0))
                .unwrap()
        }
    }

    /// Run the real `warden` binary on this app's database (a second process).
    pub fn warden(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_warden"))
            .args(["--db", self.db()])
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
