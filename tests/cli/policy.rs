//! `policy check`, `fmt` and `test`: located diagnostics, suites, coverage.

use crate::*;

#[test]
fn policy_check_reports_locations() {
    let env = Env::new();
    let ok = env.ok(&["policy", "check", "policies"]);
    assert!(ok.contains("ok: 6 policies"), "{ok}");

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
fn shipped_policy_suites_pass_with_full_coverage() {
    let env = Env::new();
    let (ok, stdout, _) = run_out(&env, &["policy", "test", "--coverage", "policies"]);
    assert!(ok, "{stdout}");
    assert!(stdout.contains("every policy is covered"), "{stdout}");
    assert_eq!(stdout.lines().last().unwrap(), "18 passed, 0 failed");
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
    assert_eq!(stdout.lines().last().unwrap(), "13 passed, 0 failed");
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
            "tests/unknown-role.toml:6:",
        ),
        (
            "unknown-type.toml",
            &format!("{SUITE_HEAD}\n[[case]]\nname = \"c\"\nprincipal = \"ann\"\naction = \"deleteUserResource\"\nresource = {{ type = \"Spaceship\", id = \"r\" }}\nexpect = \"deny\"\n"),
            "tests/unknown-type.toml:15:",
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

/// Issue 32 (9): a case that cannot run is reported at its bad value's line, and the other
/// cases of the suite still run and are reported; the run fails.
#[test]
fn a_bad_case_points_at_its_value_and_the_others_still_run() {
    let env = Env::new();
    std::fs::remove_dir_all(env.path().join("policies/tests")).unwrap();
    let good = |name: &str, principal: &str, expect: &str| {
        format!("\n[[case]]\nname = \"{name}\"\nprincipal = \"{principal}\"\naction = \"deleteUserResource\"\nresource = {{ type = \"UserResource\", id = \"r\" }}\nexpect = \"{expect}\"\n")
    };
    let mut text = String::from(SUITE_HEAD);
    text.push_str(&good("admin deletes", "ann", "allow"));
    // Lines 18 to 24: the bad case, its unknown role on line 20.
    text.push_str("\n[[case]]\nname = \"ghost\"\nprincipal = { id = \"x\", roles = [\"GHOST\"] }\naction = \"deleteUserResource\"\nresource = { type = \"UserResource\", id = \"r\" }\nexpect = \"deny\"\n");
    text.push_str(&good("user may not", "bob", "allow"));
    write(&env, "policies/tests/mixed.toml", &text);
    assert_eq!(
        text.lines().nth(19),
        Some("principal = { id = \"x\", roles = [\"GHOST\"] }")
    );
    let (ok, stdout, stderr) = run_out(&env, &["policy", "test", "policies"]);
    assert!(!ok, "{stdout}{stderr}");
    assert!(stderr.contains("--> tests/mixed.toml:20:"), "{stderr}");
    assert!(stderr.contains("unknown role GHOST"), "{stderr}");
    // The good cases ran: one passed, the failing one is reported with its expectation.
    assert!(stdout.contains("1 passed, 1 failed"), "{stdout}");
    assert!(
        stdout.contains("\"user may not\": expected allow, got deny"),
        "{stdout}"
    );
    assert!(stderr.contains("did not run"), "{stderr}");
    // With --json: the results and the problems in one document.
    let out = env.run(&["policy", "test", "policies", "--json"]);
    assert!(!out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["passed"].as_u64(), v["failed"].as_u64()),
        (Some(1), Some(1)),
        "{v}"
    );
    assert_eq!(v["errors"][0]["line"], 20, "{v}");
}

/// Issue 32 (9): a missing `;` between two policies shows the line above, where the `;`
/// belongs, besides the next policy's line where Cedar notices it.
#[test]
fn a_missing_semicolon_shows_the_line_above() {
    let env = Env::new();
    write(
        &env,
        "p/a.cedar",
        "permit(principal, action == Action::\"readDocument\", resource)\nwhen { true }\n\npermit(principal, action == Action::\"editDocument\", resource);\n",
    );
    let (ok, _, stderr) = run_out(&env, &["policy", "check", "p"]);
    assert!(!ok);
    assert!(stderr.contains("--> a.cedar:4:"), "{stderr}");
    assert!(
        stderr.contains("2 | when { true }\n  |              ^ a `;` missing here?"),
        "{stderr}"
    );
    assert!(stderr.contains("4 | permit(principal"), "{stderr}");
    assert!(
        stderr.contains("help: every policy ends with `;`"),
        "{stderr}"
    );
}
