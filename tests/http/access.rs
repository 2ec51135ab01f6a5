//! The access layer built from the route table: every admin route, by every method it does
//! not serve and by HEAD, is guarded or refused; nothing unmatched reaches a handler.
//!
//! The routes come from the route table itself (`warden::server::openapi::ROUTES`), so a
//! route added later is covered without touching this file.

use crate::common::*;
use serde_json::json;
use std::io::{Read, Write};
use warden::server::openapi::{Auth, ROUTES};

/// One request over a fresh connection, written by hand (ureq has no PROPFIND), read to the
/// end: the raw answer shows whether a HEAD answer carried a body.
fn send(app: &TestApp, method: &str, path: &str, body: &[u8], bearer: Option<&str>) -> Reply {
    let target = app.base.trim_start_matches("http://");
    let auth = bearer
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {target}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    let mut stream = std::net::TcpStream::connect(target).unwrap();
    stream.write_all(&request).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    parse_raw_response(&String::from_utf8_lossy(&answer))
}

fn raw(app: &TestApp, method: &str, path: &str, bearer: Option<&str>) -> Reply {
    send(app, method, path, b"", bearer)
}

/// The path of a route with its parameters replaced by ids that exist.
fn concrete(path: &str, session: &str, client: &str) -> String {
    path.replace("/users/{id}", "/users/alice")
        .replace("/roles/{name}", "/roles/USER")
        .replace("/sessions/{id}", &format!("/sessions/{session}"))
        .replace("/clients/{id}", &format!("/clients/{client}"))
        .replace("/policies/versions/{version}", "/policies/versions/1")
        .replace("/policies/diff", "/policies/diff?from=1&to=1")
}

/// The methods the route table serves on a path, upper-case (HEAD where GET is).
fn served(path: &str) -> Vec<String> {
    let mut methods: Vec<String> = ROUTES
        .iter()
        .filter(|r| r.path == path)
        .map(|r| r.method.to_ascii_uppercase())
        .collect();
    if methods.iter().any(|m| m == "GET") {
        methods.push("HEAD".into());
    }
    methods.sort();
    methods
}

/// A 405 as warden answers every error: JSON `{error, message}`, and `Allow` naming what the
/// path does serve.
fn assert_method_not_allowed(r: &Reply, what: &str, path: &str) {
    assert_eq!(r.status, 405, "{what}: {} {}", r.status, r.text);
    let body = r.json();
    assert_eq!(body["error"], "method_not_allowed", "{what}: {}", r.text);
    assert!(body["message"].is_string(), "{what}: {}", r.text);
    let mut allow: Vec<String> = r
        .header("allow")
        .unwrap_or_else(|| panic!("{what}: no Allow header"))
        .split(',')
        .map(|m| m.trim().to_string())
        .collect();
    allow.sort();
    assert_eq!(allow, served(path), "{what}: Allow");
}

#[test]
fn head_on_every_admin_get_route_runs_the_get_guard() {
    let app = spawn_app();
    let admin = app.admin_token();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let mut checked = 0;
    for route in ROUTES.iter().filter(|r| r.admin_action.is_some()) {
        if route.method != "get" {
            continue;
        }
        let path = concrete(route.path, "s", "c");
        let what = format!("HEAD {path}");
        let r = raw(&app, "HEAD", &path, None);
        assert_eq!(r.status, 401, "{what} without a token: {}", r.text);
        assert!(r.header("www-authenticate").is_some(), "{what}");
        let r = raw(&app, "HEAD", &path, Some(&alice));
        assert_eq!(r.status, 403, "{what} as a plain user: {}", r.text);
        let r = raw(&app, "HEAD", &path, Some(&admin));
        // Past the guard: 200, or 404 for a published version (this server reads a
        // directory and has none).
        let found = if path.contains("/policies/versions/") || path.contains("/policies/diff") {
            404
        } else {
            200
        };
        assert_eq!(r.status, found, "{what} as the admin: {}", r.text);
        assert_eq!(r.text, "", "{what}: a HEAD answer has no body");
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} admin GET routes");
}

#[test]
fn unserved_methods_on_every_guarded_route_are_405_never_a_handler() {
    let app = spawn_app();
    let admin = app.admin_token();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let client = app.call(
        "post",
        "/admin/v1/clients",
        Some(&json!({"name": "probe"})),
        Some(&admin),
    );
    assert_eq!(client.status, 201, "{}", client.text);
    let client_id = client.json()["id"].as_str().unwrap().to_string();
    let mut checked = 0;
    for route in ROUTES
        .iter()
        .filter(|r| r.admin_action.is_some() || r.auth == Auth::ClientKey)
    {
        let path = concrete(route.path, "s", &client_id);
        let served = served(route.path);
        // A method no route serves, and every ordinary method this path does not serve.
        let mut unserved = vec!["PROPFIND".to_string(), "OPTIONS".to_string()];
        unserved.extend(
            ["GET", "POST", "PUT", "PATCH", "DELETE"]
                .into_iter()
                .filter(|m| !served.iter().any(|s| s == m))
                .map(str::to_string),
        );
        for method in &unserved {
            for (who, token) in [
                ("no token", None),
                ("a plain user", Some(alice.as_str())),
                ("the admin", Some(admin.as_str())),
            ] {
                let what = format!("{method} {path} with {who}");
                let r = raw(&app, method, &path, token);
                assert_method_not_allowed(&r, &what, route.path);
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} requests");
    // Nothing reached a handler: the probe client is still there, alice still exists, the
    // roles are unchanged.
    assert_eq!(
        app.call("get", "/admin/v1/users/alice", None, Some(&admin))
            .status,
        200
    );
    let clients = app.call("get", "/admin/v1/clients", None, Some(&admin));
    assert!(clients.text.contains(&client_id), "{}", clients.text);
}

#[test]
fn every_admin_route_is_401_then_403_before_its_body_is_read() {
    let app = spawn_app();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    for route in ROUTES.iter().filter(|r| r.admin_action.is_some()) {
        let path = concrete(route.path, "s", "c");
        let method = route.method.to_ascii_uppercase();
        let what = format!("{method} {path}");
        // A body that is not JSON: a guard that ran after parsing would answer 400 or 415.
        let r = send(&app, &method, &path, b"not json", None);
        assert_eq!(r.status, 401, "{what} without a token: {}", r.text);
        let r = send(&app, &method, &path, b"not json", Some(&alice));
        assert_eq!(r.status, 403, "{what} as a plain user: {}", r.text);
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains(&route.admin_action.unwrap().uid().to_string()),
            "{what}: the refusal names the action: {}",
            r.text
        );
    }
}
