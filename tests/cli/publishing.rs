//! `policy publish | versions | show | diff | rollback` (issue 29): published policy sets in
//! store mode; every bad input says why in one line, exits non-zero and activates nothing.

use crate::*;

const ALICE_DELETES: &str = "@id(\"test.alice-deletes\")\npermit(principal == User::\"alice\", action == Action::\"deleteUserResource\", resource);\n";

/// An initialised warden in store mode: the shipped policies are version 1.
fn store_env() -> Env {
    let env = Env::new();
    write(&env, "warden.toml", "policy_source = \"store\"\n");
    env.ok(&["init"]);
    env
}

/// A copy of the shipped policies at `rel`, with `more.cedar` holding `text` (if any).
fn edited(env: &Env, rel: &str, text: Option<&str>) {
    copy_dir(&env.path().join("policies"), &env.path().join(rel));
    if let Some(text) = text {
        write(env, &format!("{rel}/more.cedar"), text);
    }
}

/// What `warden decide` says of alice deleting a resource: Some(allowed) (exit 0 or 2).
fn alice_may_delete(env: &Env) -> Option<bool> {
    let out = env.run(&[
        "decide",
        "--user",
        "alice",
        "--action",
        "deleteUserResource",
        "--resource",
        "UserResource::\"r1\"",
    ]);
    match out.status.code() {
        Some(0) => Some(true),
        Some(2) => Some(false),
        _ => None,
    }
}

/// (version, active) of every version, newest first.
fn versions(env: &Env) -> Vec<(i64, bool)> {
    env.json(&["policy", "versions"])["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["version"].as_i64().unwrap(),
                v["active"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// A refused command: exit status 1, the `--json` error code on standard error, and the
/// versions as they were.
fn refused(env: &Env, args: &[&str], code: &str) -> String {
    let before = versions(env);
    let mut all = args.to_vec();
    all.push("--json");
    let out = env.run(&all);
    assert_eq!(out.status.code(), Some(1), "warden {args:?}");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let last = stderr.lines().last().unwrap_or_default();
    let error: serde_json::Value = serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("{args:?}: the last line is not JSON ({e}): {stderr}"));
    assert_eq!(error["error"], code, "warden {args:?}: {stderr}");
    assert_eq!(versions(env), before, "warden {args:?}: nothing activated");
    // Without --json: one line of reason, on standard error.
    let text = env.run(args);
    assert_eq!(text.status.code(), Some(1));
    let text = String::from_utf8_lossy(&text.stderr).to_string();
    assert!(
        text.lines()
            .last()
            .unwrap_or_default()
            .starts_with("error: "),
        "{text}"
    );
    text
}

/// Logged decisions for the impact preview: alice denied `n` times.
pub(crate) fn log_alice_denied(env: &Env, n: usize) {
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
        let app = warden::app::App::open_existing(&config, false)
            .await
            .unwrap();
        let rows: Vec<warden::app::DecisionRow> = (0..n)
            .map(|i| warden::app::DecisionRow {
                id: 0,
                at: 1_795_716_000 + i as i64,
                request_id: format!("r{i}"),
                client: String::new(),
                principal: "User::\"alice\"".into(),
                action: "deleteUserResource".into(),
                resource: "UserResource::\"r1\"".into(),
                decision: warden::app::DecisionKind::Deny,
                reasons: vec![],
                errors: vec![],
                latency_us: 1,
                properties: serde_json::json!({}),
                context: serde_json::json!({}),
                address: String::new(),
            })
            .collect();
        app.store().append_decisions(&rows, 100_000).await.unwrap();
    });
}

#[test]
fn publish_preview_versions_show_export_diff_and_rollback() {
    let env = store_env();
    env.ok(&[
        "user",
        "add",
        "--id",
        "alice",
        "--email",
        "alice@example.com",
        "--role",
        "USER",
    ]);
    assert_eq!(versions(&env), vec![(1, true)]);
    log_alice_denied(&env, 3);
    edited(&env, "next", Some(ALICE_DELETES));

    let dry = env.ok(&[
        "policy",
        "publish",
        "next",
        "-m",
        "users may delete",
        "--dry-run",
    ]);
    assert!(dry.contains("validation: ok, 7 policies"), "{dry}");
    assert!(dry.contains("tests: "), "{dry}");
    assert!(dry.contains("0 allow -> deny, 3 deny -> allow"), "{dry}");
    assert!(
        dry.contains("  test.alice-deletes: 0 allow -> deny, 3 deny -> allow"),
        "{dry}"
    );
    assert!(
        dry.contains("User::\"alice\" deleteUserResource UserResource::\"r1\": deny -> allow"),
        "{dry}"
    );
    assert!(
        dry.trim_end().ends_with("dry run: nothing activated"),
        "{dry}"
    );
    assert_eq!(versions(&env), vec![(1, true)]);

    let published = env.ok(&["policy", "publish", "next", "-m", "users may delete"]);
    assert!(
        published
            .trim_end()
            .ends_with("published version 2 (active)"),
        "{published}"
    );
    assert_eq!(versions(&env), vec![(2, true), (1, false)]);
    // `warden decide` in store mode decides by the active version, not by the directory
    // beside the database (which still holds the shipped policies).
    assert_eq!(alice_may_delete(&env), Some(true));

    let table = env.ok(&["policy", "versions"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("VERSION  ACTIVE"), "{table}");
    assert!(lines[1].starts_with("2        *"), "{table}");
    assert!(
        lines[1].contains("cli") && lines[1].ends_with("users may delete"),
        "{table}"
    );
    assert!(lines[2].starts_with("1      "), "{table}");

    let shown = env.ok(&["policy", "show", "2"]);
    assert!(shown.starts_with("version 2 (active), "), "{shown}");
    assert!(shown.contains("  more.cedar ("), "{shown}");
    assert!(shown.contains("  tests/app.toml ("), "{shown}");
    let json = env.json(&["policy", "show", "2"]);
    assert_eq!(json["files"]["more.cedar"], ALICE_DELETES);

    // Export: into a new directory, refused into a non-empty one unless --force.
    env.ok(&["policy", "show", "2", "--export", "out"]);
    assert_eq!(
        std::fs::read_to_string(env.path().join("out/more.cedar")).unwrap(),
        ALICE_DELETES
    );
    assert!(env.path().join("out/tests/app.toml").is_file());
    let err = env.fails(&["policy", "show", "1", "--export", "out"]);
    assert!(
        err.contains("not empty") && err.contains("--force"),
        "{err}"
    );
    assert!(
        env.path().join("out/more.cedar").is_file(),
        "nothing written"
    );
    env.ok(&["policy", "show", "1", "--export", "out", "--force"]);
    // The exported version publishes as it is (the round trip).
    env.ok(&["policy", "check", "out"]);

    let diff = env.ok(&["policy", "diff", "1", "2"]);
    assert!(diff.contains("+@id(\"test.alice-deletes\")"), "{diff}");
    assert!(
        !diff.contains('\u{1b}'),
        "no colour when not on a terminal: {diff}"
    );
    let same = env.ok(&["policy", "diff", "2", "2"]);
    assert!(same.contains("hold the same files"), "{same}");

    let back = env.ok(&["policy", "rollback", "1", "-m", "undo"]);
    assert!(
        back.trim_end().ends_with("published version 3 (active)"),
        "{back}"
    );
    assert_eq!(versions(&env), vec![(3, true), (2, false), (1, false)]);
    assert_eq!(alice_may_delete(&env), Some(false));
    let three = env.json(&["policy", "show", "3"]);
    assert_eq!(three["version"]["rollback_of"], 1);
    assert_eq!(three["version"]["message"], "undo");
    // A dry-run rollback activates nothing.
    let dry = env.ok(&["policy", "rollback", "2", "--dry-run"]);
    assert!(dry.contains("dry run: nothing activated"), "{dry}");
    assert_eq!(versions(&env).len(), 3);
}

#[test]
fn every_refused_publish_says_why_and_activates_nothing() {
    let env = store_env();
    // A syntax error: check's located diagnostics.
    edited(
        &env,
        "syntax",
        Some("permit(principal, action, resource)\nwhen { principal.nope };\n"),
    );
    let err = refused(
        &env,
        &["policy", "publish", "syntax", "-m", "m"],
        "policy_invalid",
    );
    assert!(err.contains("--> more.cedar:2:"), "{err}");
    assert!(err.contains("nothing was activated"), "{err}");

    // A failing test: test's failure lines.
    edited(&env, "failing", None);
    write(&env, "failing/tests/extra.toml", "[roles]\nUSER = []\n\n[users.bob]\nroles = [\"USER\"]\n\n[[case]]\nname = \"bob deletes\"\nprincipal = \"bob\"\naction = \"deleteUserResource\"\nresource = { type = \"UserResource\", id = \"r1\" }\nexpect = \"allow\"\n");
    let out = env.run(&["policy", "publish", "failing", "-m", "m"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("bob deletes"), "{stdout}");
    assert!(stdout.contains("1 failed"), "{stdout}");
    refused(
        &env,
        &["policy", "publish", "failing", "-m", "m"],
        "policy_tests_failed",
    );

    // An empty directory.
    std::fs::create_dir(env.path().join("empty")).unwrap();
    let err = refused(
        &env,
        &["policy", "publish", "empty", "-m", "m"],
        "policy_invalid",
    );
    assert!(err.contains("no policy files"), "{err}");
    refused(
        &env,
        &["policy", "publish", "missing-dir", "-m", "m"],
        "policy_invalid",
    );

    // No administrator left: warden.cedar (and its suite) removed.
    edited(&env, "noadmin", None);
    std::fs::remove_file(env.path().join("noadmin/warden.cedar")).unwrap();
    std::fs::remove_file(env.path().join("noadmin/tests/warden.toml")).unwrap();
    let err = refused(
        &env,
        &["policy", "publish", "noadmin", "-m", "m"],
        "no_administrator",
    );
    assert!(err.to_lowercase().contains("administer"), "{err}");

    // Too many changes.
    env.ok(&[
        "user",
        "add",
        "--id",
        "alice",
        "--email",
        "alice@example.com",
        "--role",
        "USER",
    ]);
    log_alice_denied(&env, 2);
    edited(&env, "flips", Some(ALICE_DELETES));
    let err = refused(
        &env,
        &[
            "policy",
            "publish",
            "flips",
            "-m",
            "m",
            "--max-changes",
            "1",
        ],
        "too_many_changes",
    );
    assert!(err.contains('2'), "{err}");
    // Within the bound it goes through.
    let ok = env.ok(&[
        "policy",
        "publish",
        "flips",
        "-m",
        "m",
        "--max-changes",
        "2",
        "--dry-run",
    ]);
    assert!(ok.contains("dry run"), "{ok}");

    // Unknown versions.
    refused(&env, &["policy", "show", "99"], "not_found");
    refused(&env, &["policy", "diff", "1", "99"], "not_found");
    refused(&env, &["policy", "rollback", "99"], "not_found");
    assert_eq!(versions(&env), vec![(1, true)]);

    // The command line itself.
    let out = env.run(&["policy", "publish", "flips"]);
    assert_eq!(out.status.code(), Some(2), "-m is required");
    let out = env.run(&["policy", "show", "x"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn publishing_in_directory_mode_is_refused_with_the_way_out() {
    let env = Env::new();
    env.ok(&["init"]);
    let list = env.json(&["policy", "versions"]);
    assert_eq!(list["source"], "dir");
    let text = env.ok(&["policy", "versions"]);
    assert!(text.contains("no published versions"), "{text}");
    edited(&env, "next", None);
    let err = env.fails(&["policy", "publish", "next", "-m", "m", "--json"]);
    assert!(err.contains("wrong_policy_source"), "{err}");
}
