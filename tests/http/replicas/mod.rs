//! Several replicas on one PostgreSQL database: the same guarantees as one server. These
//! tests are about PostgreSQL and run on it whatever the suite's back end
//! (`spawn_pg_app_with`): each gets a fresh database on the test process's throwaway cluster
//! (see `warden::testkit`), and passes as skipped, saying why, only where PostgreSQL is not
//! installed and not required.

use crate::common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

mod durability;
mod publishing;
mod revocation;
mod shared_state;

/// A (the test app) and two more replicas B and C on A's database, by base URL.
fn three_replicas(
    test: &str,
    tweak: impl FnOnce(&mut warden::config::Config),
) -> Option<(TestApp, Vec<String>)> {
    let app = spawn_pg_app_with(test, tweak)?;
    let b = app.second_server().0;
    let c = app.second_server().0;
    let bases = vec![app.base.clone(), b, c];
    Some((app, bases))
}

fn send(
    app: &TestApp,
    base: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
    bearer: Option<&str>,
) -> Reply {
    let url = format!("{base}{path}");
    let auth = bearer.map(|t| format!("Bearer {t}"));
    let r = match method {
        "get" | "delete" => {
            let mut req = if method == "get" {
                app.agent.get(&url)
            } else {
                app.agent.delete(&url)
            };
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            req.call()
        }
        _ => {
            let mut req = match method {
                "put" => app.agent.put(&url),
                "patch" => app.agent.patch(&url),
                _ => app.agent.post(&url),
            };
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            req.header("Content-Type", "application/json")
                .send(body.map(|b| b.to_string()).unwrap_or_else(|| "{}".into()))
        }
    };
    let mut r = r.unwrap();
    Reply {
        status: r.status().as_u16(),
        headers: r
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect(),
        text: r.body_mut().read_to_string().unwrap_or_default(),
    }
}

fn login_at(app: &TestApp, base: &str, email: &str, password: &str) -> Value {
    let r = send(
        app,
        base,
        "post",
        "/v1/auth/login",
        Some(&json!({"email": email, "password": password})),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

/// Poll `check` until it holds (bounded: 10 s).
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn own_document() -> Value {
    json!({"action": "editDocument", "resource": {"type": "Document", "id": "d", "properties": {"owner": {"type": "User", "id": "alice"}}}})
}
