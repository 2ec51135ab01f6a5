//! What every command shares: help, the README's quick tour, `--json` failures.

use crate::*;
use serde_json::json;

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

/// A README command, what it prints on standard output (its `# ` lines) and on standard
/// error (its `#! ` lines: issue 32, a warning on standard error read as a comment).
type Written = (String, Vec<String>, Vec<String>);

/// The `warden` commands of the first `sh` block under `heading` in the README, each with
/// what it prints.
fn readme_commands(heading: &str) -> Vec<Written> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme.split(heading).nth(1).unwrap();
    let block = section
        .split("```sh\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let mut commands: Vec<Written> = Vec::new();
    for line in block.lines() {
        if let Some(cmd) = line.strip_prefix("warden ") {
            commands.push((cmd.to_string(), Vec::new(), Vec::new()));
        } else if let (Some(err), Some(last)) = (line.strip_prefix("#! "), commands.last_mut()) {
            last.2.push(err.to_string());
        } else if let (Some(out), Some(last)) = (line.strip_prefix("# "), commands.last_mut()) {
            last.1.push(out.to_string());
        }
    }
    commands
}

/// Run README commands in `env` as a reader would, comparing each stream apart.
fn run_as_written(env: &Env, commands: Vec<Written>) {
    for (cmd, expected, expected_stderr) in commands {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("\"$WARDEN\" {cmd}"))
            .env("WARDEN", env!("CARGO_BIN_EXE_warden"))
            .current_dir(env.path())
            .env_remove("WARDEN_DB")
            .env_remove("WARDEN_POLICIES")
            .env("WARDEN_ADMIN_PASSWORD", "bootstrap-password-1")
            .output()
            .unwrap();
        if expected.is_empty() && expected_stderr.is_empty() {
            continue;
        }
        let text = String::from_utf8(out.stdout).unwrap();
        let got: Vec<&str> = text.lines().map(str::trim_end).collect();
        assert_eq!(got, expected, "warden {cmd}: standard output");
        let text = String::from_utf8(out.stderr).unwrap();
        let got: Vec<&str> = text.lines().map(str::trim_end).collect();
        assert_eq!(got, expected_stderr, "warden {cmd}: standard error");
    }
}

/// The README's Quick tour, run as written, then its query-plan commands in the same
/// directory.
#[test]
fn the_readme_quick_tour_prints_what_it_shows() {
    let env = Env::new();
    let tour = readme_commands("## Quick tour");
    assert!(tour.len() >= 4, "{tour:?}");
    run_as_written(&env, tour);
    let plans = readme_commands("## A query plan, for list pages");
    assert!(plans.len() >= 2, "{plans:?}");
    run_as_written(&env, plans);
}

/// The README's "Publishing policies", run as written in store mode: between its blocks, the
/// edit its prose describes (the ```cedar block in `next/more.cedar`) and the traffic it
/// assumes (alice denied three times, logged).
#[test]
fn the_readme_publishing_section_prints_what_it_shows() {
    let env = Env::new();
    write(&env, "warden.toml", "policy_source = \"store\"\n");
    let setup = readme_commands("## Publishing policies");
    assert_eq!(setup.len(), 3, "{setup:?}");
    run_as_written(&env, setup);
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let rule = readme
        .split("## Publishing policies")
        .nth(1)
        .and_then(|s| s.split("```cedar\n").nth(1))
        .and_then(|s| s.split("```").next())
        .unwrap();
    write(&env, "next/more.cedar", rule);
    crate::publishing::log_alice_denied(&env, 3);
    let publish = readme_commands("### Preview, then publish");
    assert_eq!(publish.len(), 3, "{publish:?}");
    run_as_written(&env, publish);
    let history = readme_commands("### History and rollback");
    assert_eq!(history.len(), 3, "{history:?}");
    run_as_written(&env, history);
}

/// Issue 32 (10): the TypeScript scripts say how to get the binary they run, instead of
/// failing with `spawnSync .../target/debug/warden ENOENT`; and the READMEs agree with the
/// code on the refresh margin's default.
#[test]
fn the_typescript_scripts_say_how_to_get_warden_and_the_readmes_agree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("clients/typescript/scripts/generate.mjs");
    let env = Env::new();
    match Command::new("node")
        .arg(&script)
        .arg("--check")
        .env("WARDEN_BIN", env.path().join("no-such-warden"))
        .output()
    {
        Err(e) => eprintln!("node is not installed ({e}): the script's message is not checked"),
        Ok(out) => {
            assert_eq!(out.status.code(), Some(1));
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(
                said.contains("build warden (cargo build) or set WARDEN_BIN")
                    && !said.contains("ENOENT"),
                "{said}"
            );
        }
    }
    let code = std::fs::read_to_string(root.join("clients/typescript/src/refresh.ts")).unwrap();
    assert!(
        code.contains("else 60 seconds"),
        "the default moved: update this test"
    );
    for readme in [
        "README.md",
        "clients/typescript/README.md",
        "examples/nextjs/README.md",
        "examples/nextjs-authjs/README.md",
    ] {
        let text = std::fs::read_to_string(root.join(readme)).unwrap();
        // Every default said near the variable's name is the code's.
        for (at, _) in text.match_indices("WARDEN_REFRESH_MARGIN_SECONDS") {
            let near: String = text[at..].chars().take(120).collect();
            if let Some(d) = near.split("default ").nth(1) {
                let n: String = d.chars().take_while(char::is_ascii_digit).collect();
                assert!(n.is_empty() || n == "60", "{readme}: {near}");
            }
        }
    }
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
        // `error` and `message`, and `reason` where the error has a specific kind.
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert!(
            keys.iter()
                .all(|k| ["error", "message", "reason"].contains(&k.as_str())),
            "{v}"
        );
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
            "invalid_request",
        ),
        (&["role", "remove", "USER", "--json"], "conflict"),
        (
            &["token", "revoke", "--jti", "nope", "--json"],
            "invalid_request",
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
            "invalid_request",
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
    // The way out stays in the message, and the kind is the HTTP API's `reason`.
    let (_, v) = failure(&["role", "remove", "USER", "--json"]);
    assert!(v["message"].as_str().unwrap().contains("--force"), "{v}");
    assert_eq!(
        (&v["error"], &v["reason"]),
        (&json!("conflict"), &json!("role_in_use")),
        "{v}"
    );
    // Forcing out the administrators' role is another conflict: no `--force` hint past it.
    let (_, v) = failure(&["role", "remove", "ADMIN", "--force", "--json"]);
    assert_eq!(v["reason"], "last_administrator", "{v}");
    assert!(!v["message"].as_str().unwrap().contains("--force"), "{v}");
    let (_, v) = failure(&["user", "set-roles", "admin", "NOSUCHROLE", "--json"]);
    assert_eq!(
        (&v["error"], &v["reason"]),
        (&json!("invalid_request"), &json!("unknown_role")),
        "{v}"
    );

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
