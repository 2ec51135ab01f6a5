//! The real `warden` binary over temp directories: the command-line contract.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use tempfile::TempDir;

struct Env {
    dir: TempDir,
}

impl Env {
    fn new() -> Env {
        let dir = TempDir::new().unwrap();
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"),
            &dir.path().join("policies"),
        );
        Env { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_warden"));
        c.args(args)
            .current_dir(self.path())
            .env_remove("WARDEN_DB")
            .env_remove("WARDEN_POLICIES")
            .env("WARDEN_ADMIN_PASSWORD", "bootstrap-password-1")
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn run_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "warden {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "warden {args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).unwrap()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target: PathBuf = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn one_line_error(stderr: &str) -> &str {
    let line = stderr.trim_end();
    assert_eq!(line.lines().count(), 1, "expected one line, got: {stderr}");
    line
}

#[test]
fn init_users_roles_and_decide() {
    let env = Env::new();
    env.ok(&["init"]);
    assert!(env.path().join("warden.db").exists());
    env.ok(&["role", "add", "SUPPORT", "--parent", "USER"]);
    let roles = env.json(&["role", "list"]);
    assert_eq!(roles.as_array().unwrap().len(), 3);

    let out = env.run_stdin(
        &[
            "user",
            "add",
            "--email",
            "Carol@Example.com",
            "--name",
            "Carol",
            "--role",
            "USER",
            "--password-stdin",
            "--json",
        ],
        "a long enough password\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let carol: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(carol["id"], "Carol");
    assert_eq!(carol["roles"], serde_json::json!(["USER"]));

    // The classic rule: only ADMIN may deleteUserResource, with the determining policy.
    let allow = env.ok(&[
        "decide",
        "--user",
        "admin",
        "--action",
        "deleteUserResource",
        "--resource",
        "UserResource::\"r1\"",
    ]);
    assert!(allow.starts_with("allow"), "{allow}");
    assert!(
        allow.contains("app.admin-delete-user-resource (app.cedar:"),
        "{allow}"
    );
    let out = env.run(&[
        "decide",
        "--user",
        "Carol",
        "--action",
        "deleteUserResource",
        "--resource",
        "UserResource::\"r1\"",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2), "a deny exits 2");
    let deny: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(deny["decision"], "deny");
    assert_eq!(deny["reasons"], serde_json::json!([]));

    // Role changes count on the next decision.
    env.ok(&["user", "set-roles", "Carol", "ADMIN"]);
    let now = env.json(&[
        "decide",
        "--user",
        "Carol",
        "--action",
        "deleteUserResource",
        "--resource",
        "UserResource::\"r1\"",
    ]);
    assert_eq!(now["decision"], "allow");
    assert_eq!(
        now["reasons"],
        serde_json::json!(["app.admin-delete-user-resource"])
    );

    // Owner rule with resource properties.
    let own = env.json(&[
        "decide",
        "--user",
        "Carol",
        "--action",
        "editDocument",
        "--resource",
        "Document::\"d\"",
        "--properties",
        r#"{"owner":{"type":"User","id":"Carol"}}"#,
    ]);
    assert_eq!(
        own["reasons"],
        serde_json::json!(["app.owner-edit-document"])
    );

    env.ok(&["user", "disable", "Carol"]);
    assert_eq!(env.json(&["user", "show", "Carol"])["disabled"], true);
    let err = env.fails(&[
        "decide",
        "--user",
        "Carol",
        "--action",
        "deleteUserResource",
        "--resource",
        "UserResource::\"r1\"",
    ]);
    assert!(one_line_error(&err).contains("disabled"));
    env.ok(&["user", "enable", "Carol"]);
    let list = env.json(&["user", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
}

#[test]
fn bad_input_gives_one_line_errors_and_changes_nothing() {
    let env = Env::new();
    env.ok(&["init"]);
    env.ok(&[
        "user",
        "add",
        "--email",
        "dave@example.com",
        "--role",
        "USER",
    ]);
    let before = env.ok(&["user", "list", "--json"]);

    let err = env.fails(&[
        "user",
        "add",
        "--email",
        "DAVE@example.com",
        "--id",
        "other",
    ]);
    assert!(one_line_error(&err).contains("already exists"), "{err}");
    let err = env.fails(&["user", "set-roles", "dave", "USER", "NOSUCHROLE"]);
    assert!(
        one_line_error(&err).contains("unknown role NOSUCHROLE"),
        "{err}"
    );
    let err = env.fails(&["user", "add", "--email", "not-an-email"]);
    assert!(one_line_error(&err).contains("invalid email"), "{err}");
    let err = env.fails(&["user", "add", "--email", "e@example.com", "--role", "GHOST"]);
    assert!(one_line_error(&err).contains("unknown role GHOST"), "{err}");
    let out = env.run_stdin(
        &[
            "user",
            "add",
            "--email",
            "f@example.com",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 12"));
    let err = env.fails(&["role", "remove", "USER"]);
    assert!(one_line_error(&err).contains("--force"), "{err}");
    let err = env.fails(&["user", "show", "nobody"]);
    assert!(one_line_error(&err).contains("not found"), "{err}");
    let err = env.fails(&[
        "decide",
        "--user",
        "dave",
        "--action",
        "x",
        "--resource",
        "not a uid",
    ]);
    assert!(one_line_error(&err).contains("invalid resource"), "{err}");

    assert_eq!(
        env.ok(&["user", "list", "--json"]),
        before,
        "nothing was half-written"
    );

    // Bad flags: clap's usage error, exit 2.
    let out = env.run(&["user", "frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = env.run(&["token", "revoke"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unreadable_corrupt_and_newer_databases_are_refused() {
    let env = Env::new();
    std::fs::write(env.path().join("junk.db"), vec![7u8; 4096]).unwrap();
    // Private, so the one line is the refusal (a loose file adds a warning line first).
    chmod(&env.path().join("junk.db"), 0o600);
    let err = env.fails(&["--db", "junk.db", "user", "list"]);
    assert!(
        one_line_error(&err).contains("is not a warden database"),
        "{err}"
    );

    let err = env.fails(&["--db", "no/such/dir/w.db", "user", "list"]);
    one_line_error(&err);

    env.ok(&["--db", "new.db", "init"]);
    let conn = rusqlite::Connection::open(env.path().join("new.db")).unwrap();
    conn.pragma_update(None, "user_version", 1000).unwrap();
    drop(conn);
    let err = env.fails(&["--db", "new.db", "user", "list"]);
    assert!(one_line_error(&err).contains("newer warden"), "{err}");
}

#[test]
fn policy_check_reports_locations() {
    let env = Env::new();
    let ok = env.ok(&["policy", "check", "policies"]);
    assert!(ok.contains("ok: 4 policies"), "{ok}");

    std::fs::write(
        env.path().join("policies/broken.cedar"),
        "permit(principal, action, resource)\nwhen { principal.nope };\n",
    )
    .unwrap();
    let out = env.run(&["policy", "check", "policies"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--> broken.cedar:2:"), "{err}");
    assert!(err.contains("nope"), "{err}");

    let json = env.run(&["policy", "check", "policies", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["errors"][0]["file"], "broken.cedar");
    assert_eq!(v["errors"][0]["line"], 2);

    std::fs::create_dir(env.path().join("empty")).unwrap();
    let err = env.fails(&["policy", "check", "empty"]);
    assert!(err.contains("no policy files"), "{err}");
}

#[test]
fn config_file_env_and_print_config() {
    let env = Env::new();
    std::fs::write(env.path().join("warden.toml"), "listen = \"127.0.0.1:9999\"\njwt_algorithm = \"HS256\"\njwt_secret = \"0123456789abcdef0123456789abcdef\"\n").unwrap();
    let out = env
        .cmd(&["serve", "--print-config", "--json"])
        .env("WARDEN_ACCESS_TOKEN_TTL", "60")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["listen"], "127.0.0.1:9999");
    assert_eq!(v["access_token_ttl"], 60);
    assert_eq!(v["jwt_secret"], "********");
    let out = env.ok(&["serve", "--print-config", "--listen", "127.0.0.1:7777"]);
    assert!(out.contains("listen = \"127.0.0.1:7777\""));
    assert!(!out.contains("0123456789abcdef"), "secret must be masked");

    std::fs::write(env.path().join("warden.toml"), "lisen = \"x\"\n").unwrap();
    let err = env.fails(&["serve", "--print-config"]);
    assert!(
        one_line_error(&err).contains("unknown key `lisen`"),
        "{err}"
    );
    std::fs::write(
        env.path().join("warden.toml"),
        "access_token_ttl = \"soon\"\n",
    )
    .unwrap();
    let err = env.fails(&["serve", "--print-config"]);
    one_line_error(&err);
    std::fs::remove_file(env.path().join("warden.toml")).unwrap();
    let out = env
        .cmd(&["serve", "--print-config"])
        .env("WARDEN_ACCESS_TOKEN_TTL", "abc")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("WARDEN_ACCESS_TOKEN_TTL"));
}

#[test]
fn serve_in_an_empty_directory_answers_healthz_and_stops_on_sigterm() {
    let env = Env::new();
    std::fs::remove_dir_all(env.path().join("policies")).unwrap();
    let mut child = env
        .cmd(&["serve", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
    let addr = loop {
        let line = lines.next().expect("server printed its address").unwrap();
        if let Some(rest) = line.strip_prefix("warden listening on http://") {
            break rest.to_string();
        }
    };
    // Without public_url, the issuer is where the server really listens (not :8080).
    let issuer = lines.next().unwrap().unwrap();
    assert_eq!(issuer, format!("issuer (public_url): http://{addr}"));
    let discovery: serde_json::Value = serde_json::from_str(
        &ureq::get(&format!("http://{addr}/.well-known/openid-configuration"))
            .call()
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(discovery["issuer"], format!("http://{addr}"));
    assert_eq!(
        discovery["token_endpoint"],
        format!("http://{addr}/v1/auth/token")
    );
    let body = ureq::get(&format!("http://{addr}/healthz"))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    assert!(body.contains("ok"));
    // `warden openapi` prints, without a server, the very document the server serves.
    let served: serde_json::Value = serde_json::from_str(
        &ureq::get(&format!("http://{addr}/openapi.json"))
            .call()
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    let printed = env
        .cmd(&["openapi"])
        .env("WARDEN_LISTEN", &addr)
        .output()
        .unwrap();
    assert!(printed.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&printed.stdout).unwrap();
    assert_eq!(printed, served);
    // Decisions made right before the stop still reach the decision log.
    let login: serde_json::Value = serde_json::from_str(
        &ureq::post(&format!("http://{addr}/v1/auth/login"))
            .header("Content-Type", "application/json")
            .send(r#"{"email":"admin@localhost","password":"bootstrap-password-1"}"#)
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    let token = login["token"].as_str().unwrap();
    let claims = token.split('.').nth(1).unwrap();
    let claims =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, claims).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&claims).unwrap();
    assert_eq!(claims["iss"], format!("http://{addr}"));
    for _ in 0..30 {
        let answer = ureq::post(&format!("http://{addr}/v1/authorize"))
            .header("Content-Type", "application/json")
            .header("Authorization", &format!("Bearer {token}"))
            .send(r#"{"action":"deleteUserResource","resource":{"type":"UserResource","id":"r1"}}"#)
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap();
        assert!(answer.contains("\"allowed\":true"), "{answer}");
    }
    sigterm(child.id());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0");
    // It set itself up: database, shipped policies, keys, the admin.
    assert!(env.path().join("warden.db").exists());
    assert!(env.path().join("policies/app.cedar").exists());
    // ... with their test suites, which pass with full coverage.
    let (ok, stdout, stderr) = run_out(&env, &["policy", "test", "--coverage", "policies"]);
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("every policy is covered"), "{stdout}");
    let users = env.json(&["user", "list"]);
    assert_eq!(users[0]["id"], "admin");
    let keys = env.json(&["keys", "list"]);
    assert_eq!(keys.as_array().unwrap().len(), 1);
    let conn = rusqlite::Connection::open(env.path().join("warden.db")).unwrap();
    let logged: i64 = conn
        .query_row("SELECT COUNT(*) FROM decision_log", [], |r| r.get(0))
        .unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert_eq!(logged, 30, "server said: {rest:?}");
}

fn sigterm(pid: u32) {
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn write(env: &Env, rel: &str, text: &str) {
    let path = env.path().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn run_out(env: &Env, args: &[&str]) -> (bool, String, String) {
    let out = env.run(args);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn shipped_policy_suites_pass_with_full_coverage() {
    let env = Env::new();
    let (ok, stdout, _) = run_out(&env, &["policy", "test", "--coverage", "policies"]);
    assert!(ok, "{stdout}");
    assert!(stdout.contains("every policy is covered"), "{stdout}");
    assert_eq!(stdout.lines().last().unwrap(), "12 passed, 0 failed");
}

const SUITE_HEAD: &str = "[roles]\nUSER = []\nADMIN = [\"USER\"]\n\n[users.ann]\nroles = [\"ADMIN\"]\n\n[users.bob]\nroles = [\"USER\"]\n";

#[test]
fn failing_cases_show_expected_against_actual_and_the_summary() {
    let env = Env::new();
    std::fs::remove_dir_all(env.path().join("policies/tests")).unwrap();
    write(
        &env,
        "policies/tests/mixed.toml",
        &format!(
            "{SUITE_HEAD}
[[case]]
name = \"admin deletes\"
principal = \"ann\"
action = \"deleteUserResource\"
resource = {{ type = \"UserResource\", id = \"r1\" }}
expect = \"allow\"
reasons = [\"app.admin-delete-user-resource\"]

[[case]]
name = \"wrongly expects bob to delete\"
principal = \"bob\"
action = \"deleteUserResource\"
resource = {{ type = \"UserResource\", id = \"r1\" }}
expect = \"allow\"

[[case]]
name = \"inline principal with the wrong reason\"
principal = {{ id = \"carol\", roles = [\"ADMIN\"] }}
action = \"deleteUserResource\"
resource = {{ type = \"UserResource\", id = \"r1\" }}
expect = \"allow\"
reasons = [\"app.user-read-document\"]
"
        ),
    );
    let (ok, stdout, _) = run_out(&env, &["policy", "test", "policies"]);
    assert!(!ok);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(
        lines[0],
        "FAIL tests/mixed.toml:20 \"wrongly expects bob to delete\": expected allow, got deny []"
    );
    assert_eq!(
        lines[1],
        "FAIL tests/mixed.toml:27 \"inline principal with the wrong reason\": expected allow [app.user-read-document], got allow [app.admin-delete-user-resource]"
    );
    assert_eq!(lines[2], "1 passed, 2 failed");

    // --filter runs a subset; --json for tools.
    let (ok, stdout, _) = run_out(
        &env,
        &["policy", "test", "policies", "--filter", "admin deletes"],
    );
    assert!(ok);
    assert_eq!(stdout.trim(), "1 passed, 0 failed");
    // A filter that matches nothing fails: "0 passed" is not a pass.
    let (ok, stdout, stderr) = run_out(
        &env,
        &["policy", "test", "policies", "--filter", "no such case"],
    );
    assert!(!ok, "{stdout}");
    assert!(
        stderr.contains("no test case matches --filter \"no such case\""),
        "{stderr}"
    );
    let (_, stdout, _) = run_out(&env, &["policy", "test", "policies", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (v["passed"].as_u64(), v["failed"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(v["failures"][0]["name"], "wrongly expects bob to delete");
}

#[test]
fn coverage_names_untouched_policies_and_fails() {
    let env = Env::new();
    std::fs::remove_file(env.path().join("policies/tests/warden.toml")).unwrap();
    let (ok, stdout, _) = run_out(&env, &["policy", "test", "policies"]);
    assert!(
        ok,
        "without --coverage untouched policies are fine: {stdout}"
    );
    let (ok, stdout, _) = run_out(&env, &["policy", "test", "--coverage", "policies"]);
    assert!(!ok);
    assert!(stdout.contains("untouched: warden.admin-all"), "{stdout}");
    assert!(stdout.contains("     0  warden.admin-all"), "{stdout}");
    assert_eq!(stdout.lines().last().unwrap(), "7 passed, 0 failed");
}

#[test]
fn cedar_run_tests_files_are_accepted_unchanged() {
    let env = Env::new();
    write(&env, "cedar/policy.cedar", "permit(principal == User::\"alice\", action == Action::\"view\", resource in Album::\"jane_vacation\");\n");
    write(
        &env,
        "cedar/tests/tests.json",
        r#"[
  {
    "request": {"principal": "User::\"alice\"", "action": "Action::\"view\"", "resource": "Photo::\"AAAAA\"", "context": {}},
    "entities": [
      {"uid": {"type": "Photo", "id": "AAAAA"}, "attrs": {}, "parents": [{"type": "Album", "id": "jane_vacation"}]},
      {"uid": {"type": "User", "id": "alice"}, "attrs": {}, "parents": []}
    ],
    "decision": "allow",
    "reason": ["policy0"],
    "num_errors": 0
  },
  {
    "name": "bob-denied",
    "request": {"principal": "User::\"bob\"", "action": "Action::\"view\"", "resource": "Photo::\"AAAAA\"", "context": {}},
    "entities": [],
    "decision": "deny",
    "reason": [],
    "has_error": false
  }
]"#,
    );
    let (ok, stdout, stderr) = run_out(&env, &["policy", "test", "--coverage", "cedar"]);
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("   1  policy.cedar#0"), "{stdout}");
    assert_eq!(stdout.lines().last().unwrap(), "2 passed, 0 failed");
}

#[test]
fn bad_test_input_is_reported_with_its_location() {
    let cases: &[(&str, &str, &str)] = &[
        ("malformed.toml", "[[case]]\nname = \"x\"\nprincipal = \n", "tests/malformed.toml:3:"),
        (
            "unknown-id.toml",
            &format!("{SUITE_HEAD}\n[[case]]\nname = \"c\"\nprincipal = \"ann\"\naction = \"deleteUserResource\"\nresource = {{ type = \"UserResource\", id = \"r\" }}\nexpect = \"allow\"\nreasons = [\"no.such.policy\"]\n"),
            "tests/unknown-id.toml:17:",
        ),
        (
            "unknown-role.toml",
            "[roles]\nUSER = []\n\n[[case]]\nname = \"c\"\nprincipal = { id = \"x\", roles = [\"GHOST\"] }\naction = \"deleteUserResource\"\nresource = { type = \"UserResource\", id = \"r\" }\nexpect = \"deny\"\n",
            "tests/unknown-role.toml:5:",
        ),
        (
            "unknown-type.toml",
            &format!("{SUITE_HEAD}\n[[case]]\nname = \"c\"\nprincipal = \"ann\"\naction = \"deleteUserResource\"\nresource = {{ type = \"Spaceship\", id = \"r\" }}\nexpect = \"deny\"\n"),
            "tests/unknown-type.toml:12:",
        ),
        ("bad.json", "[{\"request\": {}}", "tests/bad.json:1:"),
    ];
    for (file, text, location) in cases {
        let env = Env::new();
        std::fs::remove_dir_all(env.path().join("policies/tests")).unwrap();
        write(&env, &format!("policies/tests/{file}"), text);
        let (ok, stdout, stderr) = run_out(&env, &["policy", "test", "policies"]);
        assert!(!ok, "{file} should fail");
        assert!(
            stderr.contains(&format!("--> {location}")),
            "{file}: expected {location} in:\n{stderr}{stdout}"
        );
    }
    let messages = [
        ("unknown-id", "no.such.policy"),
        ("unknown-role", "unknown role GHOST"),
        ("unknown-type", "Spaceship is not in the schema"),
    ];
    for (file, needle) in messages {
        let env = Env::new();
        std::fs::remove_dir_all(env.path().join("policies/tests")).unwrap();
        let text = cases.iter().find(|c| c.0.starts_with(file)).unwrap().1;
        write(&env, &format!("policies/tests/{file}.toml"), text);
        let (_, _, stderr) = run_out(&env, &["policy", "test", "policies"]);
        assert!(stderr.contains(needle), "{file}: {stderr}");
    }
    // A directory without policies.
    let env = Env::new();
    std::fs::create_dir(env.path().join("empty")).unwrap();
    let (ok, _, stderr) = run_out(&env, &["policy", "test", "empty"]);
    assert!(!ok);
    assert!(stderr.contains("no policy files"), "{stderr}");
}

#[test]
fn fmt_check_lists_files_and_fmt_is_idempotent() {
    let env = Env::new();
    let (ok, stdout, _) = run_out(&env, &["policy", "fmt", "--check", "policies"]);
    assert!(ok, "shipped policies are formatted: {stdout}");
    write(&env, "policies/ugly.cedar", "@id(\"ugly\")\npermit(principal,action==Action::\"readDocument\",resource)   when {true};\n");
    let (ok, stdout, _) = run_out(&env, &["policy", "fmt", "--check", "policies"]);
    assert!(!ok);
    assert_eq!(stdout.trim(), "unformatted: policies/ugly.cedar");
    assert!(env
        .ok(&["policy", "fmt", "policies"])
        .contains("formatted: policies/ugly.cedar"));
    let once = std::fs::read_to_string(env.path().join("policies/ugly.cedar")).unwrap();
    env.ok(&["policy", "fmt", "policies"]);
    assert_eq!(
        std::fs::read_to_string(env.path().join("policies/ugly.cedar")).unwrap(),
        once
    );
    assert!(env
        .ok(&["policy", "fmt", "--check", "policies"])
        .contains("already formatted"));
    write(&env, "policies/broken.cedar", "permit(");
    let err = env.fails(&["policy", "fmt", "policies"]);
    assert!(err.contains("broken.cedar"), "{err}");
}

#[test]
fn decide_explain_shows_policies_and_errors() {
    let env = Env::new();
    env.ok(&["init"]);
    let out = env.ok(&[
        "decide",
        "--user",
        "admin",
        "--action",
        "deleteUserResource",
        "--resource",
        "UserResource::\"r\"",
        "--explain",
    ]);
    assert!(
        out.contains("permit policy app.admin-delete-user-resource (app.cedar:"),
        "{out}"
    );
    assert!(out.contains("principal in Role::\"ADMIN\""), "{out}");
    let out = env.run(&[
        "decide",
        "--user",
        "admin",
        "--action",
        "readDocument",
        "--resource",
        "Document::\"d\"",
        "--explain",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.starts_with("deny"), "{out}");
    assert!(
        out.contains("error 1:"),
        "missing owner attribute is an error: {out}"
    );
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_loose_database_file_is_made_private_with_a_warning() {
    let env = Env::new();
    let db = env.path().join("w.db");
    std::fs::File::create(&db).unwrap();
    chmod(&db, 0o644);
    let out = env.run(&["init", "--db", "w.db"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        mode(&db),
        0o600,
        "the keys and hashes are no longer world-readable"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("accessible to other users") && stderr.contains("w.db"),
        "a warning says so: {stderr}"
    );
    // A private file is left alone, without a warning.
    let out = env.run(&["user", "list", "--db", "w.db"]);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("accessible to other users"));

    // Leftover -wal and -shm files of a loose database (a crash, a restored backup) are
    // tightened too: look while a server holds them open.
    chmod(&db, 0o644);
    for suffix in ["-wal", "-shm"] {
        let f = env.path().join(format!("w.db{suffix}"));
        std::fs::File::create(&f).unwrap();
        chmod(&f, 0o666);
    }
    let mut child = env
        .cmd(&["serve", "--listen", "127.0.0.1:0", "--db", "w.db"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
    let mut said = Vec::new();
    let addr = loop {
        let line = lines.next().expect("server started").unwrap();
        if let Some(rest) = line.strip_prefix("warden listening on http://") {
            break rest.to_string();
        }
        said.push(line);
    };
    for name in ["w.db", "w.db-wal", "w.db-shm"] {
        assert_eq!(mode(&env.path().join(name)), 0o600, "{name}");
    }
    let warnings = said.join("\n");
    for name in ["w.db-wal", "w.db-shm"] {
        assert!(
            warnings.contains(name),
            "{name} named in the warning: {warnings}"
        );
    }
    // Serving (so its signal handler is in place) before it is stopped.
    assert!(ureq::get(&format!("http://{addr}/healthz")).call().is_ok());
    sigterm(child.id());
    assert!(child.wait().unwrap().success());
}

#[test]
fn the_command_line_refuses_the_inputs_the_admin_api_refuses() {
    let env = Env::new();
    env.ok(&["init"]);
    for email in [
        "ad\u{202E}min@example.com",
        "\u{FEFF}admin@example.com",
        "ad\u{200B}min@example.com",
        "\u{FF41}dmin@example.com",
        "admine\u{301}@example.com",
    ] {
        let err = env.fails(&["user", "add", "--email", email]);
        assert!(one_line_error(&err).contains("invalid email"), "{err}");
    }
    let long = "n".repeat(60_000);
    let err = env.fails(&["user", "add", "--email", "n@example.com", "--name", &long]);
    assert!(one_line_error(&err).contains("invalid name"), "{err}");
    assert!(err.len() < 400, "the refused value is not echoed whole");
    let err = env.fails(&[
        "user",
        "add",
        "--email",
        "m@example.com",
        "--name",
        "evil\u{202E}gnp",
    ]);
    assert!(one_line_error(&err).contains("invalid name"), "{err}");
    let err = env.fails(&["client", "add", "svc\u{200B}"]);
    assert!(one_line_error(&err).contains("client name"), "{err}");
    let err = env.fails(&["user", "list", "--filter", &"x".repeat(50_000)]);
    assert!(one_line_error(&err).contains("filter"), "{err}");
    // Normalised: NFC, trimmed, lower-case domain.
    let user = env.json(&[
        "user",
        "add",
        "--email",
        " Ann.Lee@Example.COM ",
        "--name",
        " Jose\u{301} ",
    ]);
    assert_eq!(user["email"], "Ann.Lee@example.com");
    assert_eq!(user["name"], "Jos\u{E9}");
    // `%` and `_` in a filter are literal.
    env.ok(&["user", "add", "--email", "under_score@example.com"]);
    let found = env.json(&["user", "list", "--filter", "_"]);
    let ids: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["under_score"]);
    assert_eq!(
        env.json(&["user", "list", "--filter", "%"]),
        serde_json::json!([])
    );
    // Nothing refused was written.
    assert_eq!(env.json(&["user", "list"]).as_array().unwrap().len(), 3);
}

#[test]
fn policy_check_locates_every_policy_of_a_file_with_full_carets() {
    let env = Env::new();
    // Blank lines and comments before and between; an error in the second and third policy.
    let text = "\n\n// three policies\n@id(\"many.first\")\npermit(principal, action == Action::\"readDocument\", resource);\n\n\n// the second one\n@id(\"many.second\")\npermit(principal, action == Action::\"readDocument\", resource)\nwhen { resource.titel == \"x\" };\n// third\n\n@id(\"many.third\")\nforbid(principal, action == Action::\"editDocument\", resource)\nwhen {\n  principal.nme == \"x\"\n};\n";
    write(&env, "policies/many.cedar", text);
    let (ok, _, stderr) = run_out(&env, &["policy", "check", "policies"]);
    assert!(!ok);
    assert!(stderr.contains("--> many.cedar:11:8\n"), "{stderr}");
    assert!(
        stderr.contains("11 | when { resource.titel == \"x\" };\n   |        ^^^^^^^^^^^^^^\n"),
        "the caret underlines the whole span: {stderr}"
    );
    assert!(stderr.contains("--> many.cedar:17:3\n"), "{stderr}");
    assert!(
        stderr.contains("17 |   principal.nme == \"x\"\n   |   ^^^^^^^^^^^^^\n"),
        "{stderr}"
    );
    let out = env.run(&["policy", "check", "policies", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let located: Vec<(String, u64)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["policy_id"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        located,
        [
            ("many.second".to_string(), 11),
            ("many.third".to_string(), 17)
        ]
    );
    assert_eq!(v["errors"][0]["labels"][0]["width"], 14);

    // `policy fmt` on a file that does not parse gives the location too.
    std::fs::remove_file(env.path().join("policies/many.cedar")).unwrap();
    write(
        &env,
        "policies/broken.cedar",
        "permit(\n  principal,\n  action,\n  resource\n) when { 1 + };\n",
    );
    let out = env.run(&["policy", "fmt", "policies"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--> broken.cedar:5:14"), "{stderr}");
    assert!(stderr.contains("5 | ) when { 1 + };"), "{stderr}");
}

#[test]
fn commands_that_read_refuse_a_missing_database_and_create_none() {
    let env = Env::new();
    let reads: &[&[&str]] = &[
        &["--db", "typo.db", "user", "list"],
        &["session", "list"],
        &["keys", "list"],
        &["audit"],
        &["decisions"],
        &["token", "revoke", "--user", "alice"],
        &[
            "decide",
            "--user",
            "admin",
            "--action",
            "readDocument",
            "--resource",
            "Document::\"d\"",
        ],
    ];
    for args in reads {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let line = one_line_error(&stderr);
        assert!(
            line.contains("no database at") && line.contains("warden init"),
            "{line}"
        );
    }
    assert!(!env.path().join("typo.db").exists());
    assert!(!env.path().join("warden.db").exists());
    // init creates it; then the same commands work.
    env.ok(&["--db", "typo.db", "init"]);
    env.ok(&["--db", "typo.db", "user", "list"]);
}

#[test]
fn decide_exits_by_outcome_and_keeps_the_whole_error() {
    let env = Env::new();
    env.ok(&["init"]);
    let decide = |action: &str, resource: &str| {
        let out = env.run(&[
            "decide",
            "--user",
            "admin",
            "--action",
            action,
            "--resource",
            resource,
            "--explain",
        ]);
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    assert_eq!(
        decide("deleteUserResource", "UserResource::\"r\"").0,
        Some(0)
    );
    let (code, out, _) = decide("readDocument", "Document::\"d\"");
    assert_eq!(code, Some(2));
    assert!(out.contains("`owner`"), "which attribute is missing: {out}");
    let (code, out, _) = decide("readDocument", "Nope::\"r1\"");
    assert_eq!(code, Some(2));
    assert!(
        out.contains("`Nope`") && out.contains("not declared in the schema"),
        "{out}"
    );
    let (code, out, _) = decide("nope", "Document::\"d\"");
    assert_eq!(code, Some(2));
    assert!(out.contains("unknown action Action::\"nope\""), "{out}");
    assert!(!out.contains("bad context"), "{out}");
    // An error is 1, never 2: also a usage error of decide.
    let (code, _, err) = decide("readDocument", "not a uid");
    assert_eq!(code, Some(1), "{err}");
    let out = env.run(&[
        "decide",
        "--action",
        "readDocument",
        "--resource",
        "Document::\"d\"",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--token") && stderr.contains("--user"),
        "{stderr}"
    );
    let help = env.ok(&["decide", "--help"]);
    assert!(
        help.contains("0 when allowed, 2 when denied, 1 on an error"),
        "{help}"
    );
}

#[test]
fn help_names_every_flag_and_both_choices() {
    let env = Env::new();
    let top = env.ok(&["--help"]);
    assert!(top.contains("Check, format and test policies"), "{top}");
    for (args, needles) in [
        (
            &["user", "add", "--help"][..],
            &["The user's email address", "The display name"][..],
        ),
        (
            &["token", "revoke", "--help"],
            &[
                "The access token's id",
                "every token and session of this user",
            ],
        ),
        (
            &["session", "list", "--help"],
            &["Only this user's sessions"],
        ),
        (
            &["user", "passwd", "--help"],
            &["without echo", "--password-stdin"],
        ),
        (&["decisions", "--help"], &["--follow", "--since"]),
    ] {
        let help = env.ok(args);
        for n in needles {
            assert!(help.contains(n), "{args:?}: {n}: {help}");
        }
        // Every option and argument has a line of help.
        for line in help.lines().filter(|l| l.trim_start().starts_with('-')) {
            let words: Vec<&str> = line.split("  ").filter(|w| !w.trim().is_empty()).collect();
            assert!(words.len() >= 2, "{args:?}: no help for {line:?}");
        }
    }
    let out = env.run(&["token", "revoke"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--jti") && stderr.contains("--user"),
        "{stderr}"
    );
    env.ok(&["init"]);
    let err = env.fails(&["token", "revoke", "--jti", "nope"]);
    assert!(
        one_line_error(&err).contains("not an access-token id"),
        "{err}"
    );
    let jti = "0123456789abcdef0123456789abcdef";
    assert!(env.ok(&["token", "revoke", "--jti", jti]).contains(jti));
}

#[test]
fn users_without_a_password_are_told_how_to_set_one() {
    let env = Env::new();
    env.ok(&["init"]);
    let out = env.run(&[
        "user",
        "add",
        "--email",
        "alice@example.com",
        "--role",
        "USER",
    ]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "note: alice has no password and cannot sign in until one is set: warden user passwd alice"
    );
    // Not at a terminal: one line of standard input, with or without --password-stdin.
    for args in [
        &["user", "passwd", "alice"][..],
        &["user", "passwd", "alice", "--password-stdin"],
    ] {
        let out = env.run_stdin(args, "a long enough password\n");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let audit = env.json(&["audit", "--action", "users.password"]);
    assert_eq!(audit.as_array().unwrap().len(), 2);
    let keys = env.ok(&["keys", "list"]);
    let created = keys
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .nth(2)
        .unwrap();
    assert!(created.ends_with('Z') && created.contains('T'), "{keys}");
    assert!(env.json(&["keys", "list"])[0]["created_at"].is_i64());
    let show = env.ok(&["user", "show", "alice"]);
    assert!(show.contains("created:    20"), "{show}");
}

/// The README's Quick tour, run as written: every `# ` line under a command is its output.
#[test]
fn the_readme_quick_tour_prints_what_it_shows() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let tour = readme.split("## Quick tour").nth(1).unwrap();
    let block = tour
        .split("```sh\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let env = Env::new();
    let mut commands: Vec<(String, Vec<String>)> = Vec::new();
    for line in block.lines() {
        if let Some(cmd) = line.strip_prefix("warden ") {
            commands.push((cmd.to_string(), Vec::new()));
        } else if let (Some(out), Some(last)) = (line.strip_prefix("# "), commands.last_mut()) {
            last.1.push(out.to_string());
        }
    }
    assert!(commands.len() >= 4, "{block}");
    for (cmd, expected) in commands {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("\"$WARDEN\" {cmd} 2>&1"))
            .env("WARDEN", env!("CARGO_BIN_EXE_warden"))
            .current_dir(env.path())
            .env_remove("WARDEN_DB")
            .env_remove("WARDEN_POLICIES")
            .env("WARDEN_ADMIN_PASSWORD", "bootstrap-password-1")
            .output()
            .unwrap();
        if expected.is_empty() {
            continue;
        }
        let text = String::from_utf8(out.stdout).unwrap();
        let got: Vec<&str> = text.lines().map(str::trim_end).collect();
        assert_eq!(got, expected, "warden {cmd}");
    }
}

#[test]
fn configuration_errors_name_the_line_and_the_nearest_key() {
    let env = Env::new();
    let cases = [
        (
            "listen = \"127.0.0.1:9000\"\nrefresh_grase = 3\n",
            "warden.toml:2: unknown key `refresh_grase`; did you mean `refresh_grace`?",
        ),
        (
            "# comment\n\naccess_token_ttl = \"ten\"\n",
            "warden.toml:3: access_token_ttl: expected an integer, found \"ten\"",
        ),
        (
            "watch_policies = 1\n",
            "warden.toml:1: watch_policies: expected true or false, found 1",
        ),
        ("leeway = -1\n", "warden.toml:1: leeway:"),
        ("zzzz = 1\n", "warden.toml:1: unknown key `zzzz`"),
    ];
    for (text, expected) in cases {
        std::fs::write(env.path().join("warden.toml"), text).unwrap();
        let err = env.fails(&["serve", "--print-config"]);
        let line = one_line_error(&err);
        assert!(
            line.starts_with(&format!("error: {expected}")),
            "{text:?}: {line}"
        );
    }
    std::fs::remove_file(env.path().join("warden.toml")).unwrap();
    // docs/configuration.md holds the table `warden config keys` prints, made from the doc
    // comments of the configuration's fields (one source), with a row for every key
    // --print-config shows, whose meaning is that key's doc comment.
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/configuration.md"),
    )
    .unwrap();
    let table = env.ok(&["config", "keys"]);
    assert!(
        docs.contains(&table),
        "docs/configuration.md's table is not what `warden config keys` prints; paste this there:\n{table}"
    );
    let reference = env.json(&["config", "keys"]);
    let shown = env.json(&["serve", "--print-config"]);
    for key in shown
        .as_object()
        .unwrap()
        .keys()
        .chain(["jwt_secret".to_string()].iter())
    {
        let entry = reference
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["key"] == *key)
            .unwrap_or_else(|| panic!("`warden config keys` misses {key}"));
        assert_eq!(entry["env"], format!("WARDEN_{}", key.to_uppercase()));
        let row = docs
            .lines()
            .find(|l| l.starts_with(&format!("| `{key}` |")))
            .unwrap_or_else(|| panic!("docs/configuration.md misses {key}"));
        let doc = entry["doc"].as_str().unwrap();
        assert!(
            !doc.is_empty() && row.ends_with(&format!(" | {doc} |")),
            "{key}: the table says {row:?}, its doc comment {doc:?}"
        );
    }
    assert_eq!(
        shown["public_url"], "http://127.0.0.1:8080",
        "derived from listen"
    );
}

#[test]
fn an_unknown_role_of_a_fixture_is_reported_once_at_its_roles_line() {
    let env = Env::new();
    std::fs::remove_dir_all(env.path().join("policies/tests")).unwrap();
    let mut text = String::from("[roles]\nUSER = []\n\n[users.zed]\nemail = \"zed@example.com\"\nroles = [\"USER\", \"GHOST\"]\n");
    for n in 0..3 {
        text.push_str(&format!("\n[[case]]\nname = \"c{n}\"\nprincipal = \"zed\"\naction = \"readDocument\"\nresource = {{ type = \"Document\", id = \"d\" }}\nexpect = \"deny\"\n"));
    }
    write(&env, "policies/tests/roles.toml", &text);
    let (ok, _, stderr) = run_out(&env, &["policy", "test", "policies"]);
    assert!(!ok);
    assert_eq!(
        stderr.matches("GHOST").count(),
        2,
        "one message and its source line: {stderr}"
    );
    assert!(stderr.contains("--> tests/roles.toml:6:18"), "{stderr}");
    assert!(stderr.contains("6 | roles = [\"USER\", \"GHOST\"]\n  |                  ^^^^^^^ not declared under [roles]"), "{stderr}");
    assert!(stderr.contains("error: 1 problem(s)"), "{stderr}");
}

#[test]
fn decide_plan_prints_the_condition_readable_and_as_json() {
    let env = Env::new();
    env.ok(&["init"]);
    env.ok(&[
        "user",
        "add",
        "--email",
        "carol@example.com",
        "--id",
        "carol",
        "--role",
        "USER",
    ]);
    let text = env.ok(&[
        "decide",
        "--plan",
        "--user",
        "carol",
        "--action",
        "editDocument",
        "--resource-type",
        "Document",
    ]);
    assert_eq!(
        text,
        "a Document is allowed when:\n  resource.owner == User::\"carol\"\n  policy app.owner-edit-document\n"
    );
    let v = env.json(&[
        "decide",
        "--plan",
        "--user",
        "carol",
        "--action",
        "readDocument",
        "--resource-type",
        "Document",
    ]);
    assert_eq!(v["kind"], "always_allowed");
    assert_eq!(v["condition"], serde_json::json!({"op": "true"}));
    let out = env.run(&[
        "decide",
        "--plan",
        "--user",
        "carol",
        "--action",
        "deleteUserResource",
        "--resource-type",
        "UserResource",
    ]);
    assert_eq!(out.status.code(), Some(2), "nothing allowed exits 2");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("no UserResource is allowed"));
    // No plan: a one-line reason, exit 1.
    let out = env.run(&[
        "decide",
        "--plan",
        "--user",
        "carol",
        "--action",
        "fly",
        "--resource-type",
        "Document",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown action"));
    // --plan needs --resource-type, and takes no --resource.
    let out = env.run(&[
        "decide",
        "--plan",
        "--user",
        "carol",
        "--action",
        "readDocument",
    ]);
    assert!(!out.status.success());
    let out = env.run(&[
        "decide",
        "--plan",
        "--user",
        "carol",
        "--action",
        "readDocument",
        "--resource-type",
        "Document",
        "--resource",
        "Document::\"d\"",
    ]);
    assert!(!out.status.success());
}

#[test]
fn db_copy_refuses_a_target_that_is_not_postgres_and_hides_passwords() {
    let env = Env::new();
    let (ok, _, stderr) = run_out(
        &env,
        &["db", "copy", "--from", "warden.db", "--to", "other.db"],
    );
    assert!(!ok);
    assert!(
        stderr.contains("--to must be a postgres:// URL, not other.db"),
        "{stderr}"
    );
    let (ok, _, stderr) = run_out(
        &env,
        &[
            "db",
            "copy",
            "--from",
            "warden.db",
            "--to",
            "mysql://u:secret@h/db",
        ],
    );
    assert!(!ok);
    assert!(!stderr.contains("secret"), "{stderr}");
}

/// With --json, a failure is one JSON line on standard error (standard output stays empty),
/// its code saying what went wrong; the exit statuses are those of the text form.
#[test]
fn json_failures_are_one_line_of_json_on_standard_error_with_a_code() {
    let env = Env::new();
    let failure = |args: &[&str]| -> (Option<i32>, serde_json::Value) {
        let out = env.run(args);
        assert!(out.stdout.is_empty(), "{args:?}: {:?}", out.stdout);
        let stderr = String::from_utf8(out.stderr).unwrap();
        let line = one_line_error(&stderr);
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {line}"));
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
        assert_eq!(v.as_object().unwrap().len(), 2, "{v}");
        (out.status.code(), v)
    };
    let (code, v) = failure(&["user", "list", "--json"]);
    assert_eq!(
        (code, &v["error"]),
        (Some(1), &serde_json::json!("database"))
    );
    assert!(
        v["message"].as_str().unwrap().contains("warden init"),
        "{v}"
    );

    env.ok(&["init"]);
    for (args, expected) in [
        (&["user", "show", "nobody", "--json"][..], "not_found"),
        (
            &["--json", "user", "add", "--email", "not-an-email"],
            "invalid_input",
        ),
        (&["role", "remove", "USER", "--json"], "conflict"),
        (
            &["token", "revoke", "--jti", "nope", "--json"],
            "invalid_input",
        ),
        (
            &[
                "decide",
                "--user",
                "admin",
                "--action",
                "x",
                "--resource",
                "not a uid",
                "--json",
            ],
            "invalid_input",
        ),
        (
            &[
                "decide",
                "--token",
                "junk",
                "--action",
                "x",
                "--resource",
                "A::\"b\"",
                "--json",
            ],
            "malformed_token",
        ),
    ] {
        let (code, v) = failure(args);
        assert_eq!(
            (code, v["error"].as_str()),
            (Some(1), Some(expected)),
            "{args:?}: {v}"
        );
    }
    // The way out stays in the message.
    let (_, v) = failure(&["role", "remove", "USER", "--json"]);
    assert!(v["message"].as_str().unwrap().contains("--force"), "{v}");

    // A command line clap refuses: usage, exit 2; for decide exit 1 (2 is a deny).
    let (code, v) = failure(&["user", "frobnicate", "--json"]);
    assert_eq!((code, v["error"].as_str()), (Some(2), Some("usage")), "{v}");
    assert!(v["message"].as_str().unwrap().contains("frobnicate"), "{v}");
    let (code, v) = failure(&["--json", "decide", "--action", "readDocument"]);
    assert_eq!((code, v["error"].as_str()), (Some(1), Some("usage")), "{v}");
    assert!(v["message"].as_str().unwrap().contains("--user"), "{v}");

    std::fs::write(env.path().join("warden.toml"), "refresh_grase = 3\n").unwrap();
    let (code, v) = failure(&["serve", "--print-config", "--json"]);
    assert_eq!(
        (code, v["error"].as_str()),
        (Some(1), Some("config")),
        "{v}"
    );
    assert_eq!(
        v["message"],
        "warden.toml:1: unknown key `refresh_grase`; did you mean `refresh_grace`?"
    );
}

/// `user list` shows every user, not the first page of the core's listing (1000): more users
/// than that are made through the library in one process (the command line would start a
/// process per user), then listed by the binary.
#[test]
fn user_list_shows_every_user_past_the_first_page() {
    use warden::app::{Actor, App, UserInput};
    let env = Env::new();
    env.ok(&["init"]);
    let config = warden::config::Config {
        db: env.path().join("warden.db"),
        policies: env.path().join("policies"),
        ..warden::config::Config::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let app = App::open_existing(&config, false).await.unwrap();
        for n in 0..1001 {
            let input = UserInput {
                email: format!("user{n:04}@example.com"),
                ..UserInput::default()
            };
            app.create_user(&Actor::Cli, input).await.unwrap();
        }
    });
    let all = env.json(&["user", "list"]);
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 1002, "the admin and 1001 users");
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "no user twice");
    assert!(ids.contains(&"user1000") && ids.contains(&"admin"));
    let text = env.ok(&["user", "list"]);
    assert_eq!(text.lines().count(), 1003, "a header and a line per user");
    let some = env.json(&["user", "list", "--filter", "r099"]);
    assert_eq!(
        some.as_array().unwrap().len(),
        10,
        "user0990 to user0999: {some}"
    );
}
