//! Issue 32: where the command line made a new user guess. It says what a request lacks, the
//! nearest action, which `WARDEN_*` variable is misspelt, what it runs on at start-up; it
//! takes a bare user id for `decisions --principal`, forgets a stopped server at once, and
//! refuses to copy a database a server is running on.

use crate::*;
use std::io::BufRead;
use std::time::{Duration, Instant};

#[test]
fn decide_says_a_request_lacks_a_required_attribute_and_how_to_give_it() {
    let env = Env::new();
    env.ok(&["init"]);
    env.ok(&[
        "user",
        "add",
        "--email",
        "alice@example.com",
        "--id",
        "alice",
        "--role",
        "USER",
    ]);
    let decide = |extra: &[&str]| {
        let mut args = vec![
            "decide",
            "--user",
            "alice",
            "--resource",
            "Document::\"d1\"",
        ];
        args.extend_from_slice(extra);
        let out = env.run(&args);
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    // Without `owner`: a deny (fail closed), said to be the request's fault, not a policy's.
    let (code, out, err) = decide(&["--action", "readDocument"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        out.starts_with("deny\n  not a policy's answer: the request is incomplete"),
        "{out}"
    );
    assert!(
        out.contains("lacks the attribute `owner`")
            && out.contains(r#"--properties '{"owner":{"type":"User","id":"..."}}'"#),
        "{out}"
    );
    assert!(!out.contains("no policy permits this"), "{out}");
    // With it, the policies answer.
    let (code, out, err) = decide(&[
        "--action",
        "readDocument",
        "--properties",
        r#"{"owner":{"type":"User","id":"alice"}}"#,
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(!out.contains("incomplete"), "{out}");
    // The same in JSON: the error says it, the decision is a deny.
    let out = env.run(&[
        "decide",
        "--user",
        "alice",
        "--action",
        "readDocument",
        "--resource",
        "Document::\"d1\"",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["allowed"], false);
    assert!(
        v["errors"][0].as_str().unwrap().contains("--properties"),
        "{v}"
    );
    // A misspelt action: the nearest one.
    let (code, out, _) = decide(&["--action", "readDocumnt"]);
    assert_eq!(code, Some(2));
    assert!(
        out.contains(r#"unknown action Action::"readDocumnt": it is not in the schema; did you mean Action::"readDocument"?"#),
        "{out}"
    );
}

#[test]
fn a_misspelt_warden_variable_is_named_with_the_nearest_setting() {
    let env = Env::new();
    env.ok(&["init"]);
    let out = env
        .cmd(&["user", "list"])
        .env("WARDEN_ACCES_TOKEN_TTL", "60")
        .env("WARDEN_NOTHING_LIKE_IT", "1")
        .env("WARDEN_LOAD_USERS", "10")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "warning: WARDEN_ACCES_TOKEN_TTL is not a warden setting and is ignored; did you mean WARDEN_ACCESS_TOKEN_TTL?"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: WARDEN_NOTHING_LIKE_IT is not a warden setting and is ignored\n"),
        "{stderr}"
    );
    // Known variables that are not settings, and the load bench's, pass without a word.
    assert!(!stderr.contains("WARDEN_ADMIN_PASSWORD"), "{stderr}");
    assert!(!stderr.contains("WARDEN_LOAD_USERS"), "{stderr}");
    // A correct setting variable: no warning at all.
    let out = env
        .cmd(&["user", "list"])
        .env("WARDEN_ACCESS_TOKEN_TTL", "60")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
}

/// `warden replicas --json` until `done` holds of it (at most 10 s).
fn replicas_until(env: &Env, done: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = env.json(&["replicas"]);
        if done(&v) {
            return v;
        }
        assert!(Instant::now() < deadline, "replicas stayed {v}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_server_says_what_it_runs_on_is_forgotten_when_stopped_and_blocks_a_copy_while_live() {
    let env = Env::new();
    let mut child = env
        .cmd(&["serve", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("server printed its address").unwrap();
        if let Some(rest) = line.strip_prefix("warden listening on http://") {
            break rest.to_string();
        }
    };
    // The start-up banner: one block under the address.
    let banner: Vec<String> = (0..3).map(|_| lines.next().unwrap().unwrap()).collect();
    assert_eq!(banner[0], "  database  warden.db (SQLite)");
    assert!(
        banner[1].starts_with("  policies  policies: ")
            && banner[1].contains(" policies, 0 templates, schema on"),
        "{banner:?}"
    );
    assert_eq!(
        banner[2],
        format!("  issuer    http://{addr} (public_url unset: the listen address)")
    );
    let drain = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());

    // Listed while it runs, with when it was last heard from.
    let live = replicas_until(&env, |v| v.as_array().is_some_and(|a| a.len() == 1));
    assert_eq!(live[0]["address"], addr.as_str());
    let table = env.ok(&["replicas"]);
    assert!(
        table.lines().next().unwrap().contains("LAST SEEN"),
        "{table}"
    );
    assert!(table.contains("s ago"), "{table}");

    // A copy of the database it writes to is refused, nothing copied (no connection tried).
    let to = "postgres://nobody@127.0.0.1:1/warden";
    let out = env.run(&["db", "copy", "--from", "warden.db", "--to", to]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refused: 1 server(s) running on warden.db")
            && err.contains(&addr)
            && err.contains("--force"),
        "{err}"
    );
    let out = env.run(&["db", "copy", "--from", "warden.db", "--to", to, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(v["error"], "source_in_use", "{v}");
    // --force goes ahead (and here fails on the unreachable target instead).
    let out = env.run(&["db", "copy", "--from", "warden.db", "--to", to, "--force"]);
    assert!(!out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("running on"));

    // A decision to find in the log.
    let login: serde_json::Value = ureq::post(&format!("http://{addr}/v1/auth/login"))
        .header("Content-Type", "application/json")
        .send(r#"{"email":"admin@localhost","password":"bootstrap-password-1"}"#)
        .unwrap()
        .into_body()
        .read_json()
        .unwrap();
    let token = login["token"].as_str().unwrap();
    ureq::post(&format!("http://{addr}/v1/authorize"))
        .header("Content-Type", "application/json")
        .header("Authorization", &format!("Bearer {token}"))
        .send(r#"{"action":"deleteUserResource","resource":{"type":"UserResource","id":"r1"}}"#)
        .unwrap();

    // Stopped gracefully: forgotten at once, not 30 s later; the copy is no longer refused.
    sigterm(child.id());
    assert!(child.wait().unwrap().success(), "{:?}", drain.join());
    assert_eq!(env.json(&["replicas"]), serde_json::json!([]));
    let out = env.run(&["db", "copy", "--from", "warden.db", "--to", to]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("running on"));

    // The decision log by a bare user id, or by the entity; a malformed entity is refused.
    for principal in ["admin", "User::\"admin\""] {
        let rows = env.json(&["decisions", "--principal", principal]);
        assert_eq!(rows.as_array().unwrap().len(), 1, "{principal}: {rows}");
        assert_eq!(rows[0]["principal"], "User::\"admin\"");
    }
    let out = env.run(&["decisions", "--principal", "User::admin"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("expected a user id (alice) or an entity (User::\"alice\")"),
        "{err}"
    );
}
