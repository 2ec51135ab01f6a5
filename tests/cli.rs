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
    let deny = env.json(&[
        "decide",
        "--user",
        "Carol",
        "--action",
        "deleteUserResource",
        "--resource",
        "UserResource::\"r1\"",
    ]);
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
    let body = ureq::get(&format!("http://{addr}/healthz"))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    assert!(body.contains("ok"));
    sigterm(child.id());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0");
    // It set itself up: database, shipped policies, keys, the admin.
    assert!(env.path().join("warden.db").exists());
    assert!(env.path().join("policies/app.cedar").exists());
    let users = env.json(&["user", "list"]);
    assert_eq!(users[0]["id"], "admin");
    let keys = env.json(&["keys", "list"]);
    assert_eq!(keys.as_array().unwrap().len(), 1);
}

fn sigterm(pid: u32) {
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}
