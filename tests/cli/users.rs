//! Users and roles: adding, changing, listing; one-line refusals that change nothing.

use crate::*;

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
    assert!(
        one_line_error(&err).contains("email DAVE@example.com is already taken"),
        "{err}"
    );
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

/// Issue 32 (8): a change says what it did, not just the row it left; `--json` keeps the
/// row and adds what changed.
#[test]
fn user_changes_say_what_they_did() {
    let env = Env::new();
    env.ok(&["init"]);
    env.ok(&[
        "user",
        "add",
        "--email",
        "erin@example.com",
        "--role",
        "USER",
    ]);
    let out = env.ok(&["user", "set-roles", "erin", "ADMIN", "USER"]);
    assert_eq!(out.trim(), "roles of erin: USER -> ADMIN, USER", "{out}");
    let json = env.json(&["user", "set-roles", "erin", "USER"]);
    assert_eq!(json["id"], "erin");
    assert_eq!(json["roles"], serde_json::json!(["USER"]));
    assert_eq!(json["roles_before"], serde_json::json!(["ADMIN", "USER"]));

    let out = env.run_stdin(&["user", "passwd", "erin"], "a long enough password\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        said.trim(),
        "password set for erin; 0 sessions ended",
        "{said}"
    );
    let out = env.run_stdin(
        &["user", "passwd", "erin", "--json"],
        "another long password\n",
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (json["id"].as_str(), json["sessions_ended"].as_u64()),
        (Some("erin"), Some(0))
    );

    let out = env.ok(&["user", "unlock", "erin"]);
    assert_eq!(out.trim(), "unlocked erin (it was not locked)", "{out}");
    let json = env.json(&["user", "unlock", "erin"]);
    assert_eq!(json["throttles_cleared"], 0);
    assert_eq!(json["email"], "erin@example.com");
}
