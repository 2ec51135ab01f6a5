//! `decide`: the outcome as the exit status, `--explain`, `--plan`.

use crate::*;

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
