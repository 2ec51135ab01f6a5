//! One application core: every admin operation made from the command line and from the admin
//! API writes the same audit row (only the actor differs: `cli` or `user:<id>`).

use crate::common::*;
use serde_json::{json, Value};

/// The newest audit row as (action, target, detail), with the ids that differ between two
/// databases (session and client ids) replaced by what they name.
fn last_audit(app: &TestApp, admin: &str, ids: &[(&str, &str)]) -> (String, String, Value) {
    let rows = app.get("/admin/v1/audit?limit=1", Some(admin)).json();
    let row = &rows[0];
    let mut target = row["target"].as_str().unwrap().to_string();
    for (id, name) in ids {
        target = target.replace(id, name);
    }
    (
        row["action"].as_str().unwrap().to_string(),
        target,
        row["detail"].clone(),
    )
}

fn actor_of_last(app: &TestApp, admin: &str) -> String {
    app.get("/admin/v1/audit?limit=1", Some(admin)).json()[0]["actor"]
        .as_str()
        .unwrap()
        .to_string()
}

fn cli(app: &TestApp, args: &[&str], stdin: Option<&str>) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_warden"));
    cmd.args(["--db", app.db()])
        .args([
            "--policies",
            app.dir.path().join("policies").to_str().unwrap(),
        ])
        .args(args)
        .env("WARDEN_PUBLIC_URL", &app.state.config.public_url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            writeln!(input, "{text}").unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "warden {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn api(app: &TestApp, admin: &str, method: &str, path: &str, body: Option<Value>) -> Value {
    let r = app.call(method, path, body.as_ref(), Some(admin));
    assert!(r.status < 300, "{method} {path}: {} {}", r.status, r.text);
    r.json()
}

fn session_of(app: &TestApp, admin: &str, user: &str) -> String {
    let sessions = app
        .get(
            &format!("/admin/v1/sessions?user={user}&active=true"),
            Some(admin),
        )
        .json();
    sessions[0]["id"].as_str().unwrap().to_string()
}

#[test]
fn the_command_line_and_the_api_write_the_same_audit_rows() {
    let by_cli = spawn_app();
    let by_api = spawn_app();
    let (cli_admin, api_admin) = (by_cli.admin_token(), by_api.admin_token());
    let (c, a) = (&by_cli, &by_api);
    let (ct, at) = (cli_admin.as_str(), api_admin.as_str());
    let jti = "0123456789abcdef0123456789abcdef";

    // Each step: the same change both ways, then the same row (ids mapped to names).
    let mut steps = 0;
    let mut same = |cli_ids: &[(&str, &str)], api_ids: &[(&str, &str)]| {
        steps += 1;
        let from_cli = last_audit(c, ct, cli_ids);
        let from_api = last_audit(a, at, api_ids);
        assert_eq!(from_cli, from_api, "step {steps}");
        assert_eq!(actor_of_last(c, ct), "cli");
        assert_eq!(actor_of_last(a, at), "user:admin");
    };

    cli(
        c,
        &[
            "user",
            "add",
            "--email",
            "bob@example.com",
            "--name",
            "Bob",
            "--role",
            "USER",
        ],
        None,
    );
    api(
        a,
        at,
        "post",
        "/admin/v1/users",
        Some(json!({"email": "bob@example.com", "name": "Bob", "roles": ["USER"]})),
    );
    same(&[], &[]);

    cli(c, &["role", "add", "SUPPORT", "--parent", "USER"], None);
    api(
        a,
        at,
        "post",
        "/admin/v1/roles",
        Some(json!({"name": "SUPPORT", "parents": ["USER"]})),
    );
    same(&[], &[]);

    cli(c, &["user", "set-roles", "bob", "SUPPORT", "USER"], None);
    api(
        a,
        at,
        "put",
        "/admin/v1/users/bob/roles",
        Some(json!({"roles": ["SUPPORT", "USER"]})),
    );
    same(&[], &[]);

    cli(c, &["user", "disable", "bob"], None);
    api(
        a,
        at,
        "patch",
        "/admin/v1/users/bob",
        Some(json!({"disabled": true})),
    );
    same(&[], &[]);

    cli(c, &["user", "enable", "bob"], None);
    api(
        a,
        at,
        "patch",
        "/admin/v1/users/bob",
        Some(json!({"disabled": false})),
    );
    same(&[], &[]);

    cli(
        c,
        &["user", "passwd", "bob", "--password-stdin"],
        Some("a-new-password-1234"),
    );
    api(
        a,
        at,
        "post",
        "/admin/v1/users/bob/password",
        Some(json!({"password": "a-new-password-1234"})),
    );
    same(&[], &[]);

    cli(c, &["user", "unlock", "bob"], None);
    api(a, at, "post", "/admin/v1/users/bob/unlock", None);
    same(&[], &[]);

    c.alice();
    a.alice();
    let (cs, as_) = (session_of(c, ct, "alice"), session_of(a, at, "alice"));
    cli(c, &["session", "revoke", &cs], None);
    api(a, at, "delete", &format!("/admin/v1/sessions/{as_}"), None);
    same(&[(&cs, "SID")], &[(&as_, "SID")]);

    cli(c, &["token", "revoke", "--jti", jti], None);
    api(
        a,
        at,
        "post",
        "/admin/v1/tokens/revoke",
        Some(json!({"jti": jti})),
    );
    same(&[], &[]);

    cli(c, &["token", "revoke", "--user", "bob"], None);
    api(a, at, "post", "/admin/v1/users/bob/revoke", None);
    same(&[], &[]);

    cli(c, &["client", "add", "reports"], None);
    let created = api(
        a,
        at,
        "post",
        "/admin/v1/clients",
        Some(json!({"name": "reports"})),
    );
    same(&[], &[]);
    let cli_client = c.get("/admin/v1/clients", Some(ct)).json()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let api_client = created["id"].as_str().unwrap().to_string();
    cli(c, &["client", "revoke", &cli_client], None);
    api(
        a,
        at,
        "delete",
        &format!("/admin/v1/clients/{api_client}"),
        None,
    );
    same(&[(&cli_client, "CLIENT")], &[(&api_client, "CLIENT")]);

    cli(c, &["keys", "rotate"], None);
    api(a, at, "post", "/admin/v1/keys/rotate", None);
    same(&[], &[]);

    cli(c, &["user", "set-roles", "bob", "USER"], None);
    api(
        a,
        at,
        "put",
        "/admin/v1/users/bob/roles",
        Some(json!({"roles": ["USER"]})),
    );
    same(&[], &[]);

    cli(c, &["role", "remove", "SUPPORT"], None);
    api(a, at, "delete", "/admin/v1/roles/SUPPORT", None);
    same(&[], &[]);
    assert_eq!(steps, 15);
}

/// A change and its audit row are one transaction: a change the store refuses leaves no
/// audit row behind (from either edge).
#[test]
fn a_refused_change_writes_no_audit_row() {
    let app = spawn_app();
    let admin = app.admin_token();
    let before = app.get("/admin/v1/audit?limit=1000", Some(&admin)).json();
    let r = app.call(
        "put",
        "/admin/v1/users/alice/roles",
        Some(&json!({"roles": ["NO_SUCH_ROLE"]})),
        Some(&admin),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    let out = app.warden(&["user", "set-roles", "alice", "NO_SUCH_ROLE"]);
    assert!(!out.status.success());
    let after = app.get("/admin/v1/audit?limit=1000", Some(&admin)).json();
    assert_eq!(before, after);
}

/// The admin API answers with its own wire types, field for field what the document says,
/// and a long-poll longer than the document's maximum is refused, not silently shortened.
#[test]
fn admin_answers_are_the_documented_wire_types() {
    let app = spawn_app();
    let admin = app.admin_token();
    let users = app.get("/admin/v1/users", Some(&admin)).json();
    let alice = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == "alice")
        .unwrap();
    let mut keys: Vec<&str> = alice
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "created_at",
            "disabled",
            "email",
            "id",
            "name",
            "roles",
            "tokens_valid_after"
        ]
    );
    let r = app.get("/admin/v1/decisions?wait=26", Some(&admin));
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.json()["message"].as_str().unwrap().contains("wait"));
    let doc = app.get("/openapi.json", None).json();
    let wait = doc["paths"]["/admin/v1/decisions"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "wait")
        .unwrap()
        .clone();
    assert_eq!(wait["schema"]["maximum"], 25, "{wait}");
}
