//! `decide --plan --sql`: the plan as a SQL `WHERE` fragment and its parameters, from
//! `--column`/`--set`/`--dialect` or a `--mapping` file; the exit status as `--plan`'s.

use crate::*;
use serde_json::{json, Value};

/// An initialised directory with carol (a USER) and records with tags (see tests/http).
fn records_env() -> Env {
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
    let schema = env.path().join("policies/schema.cedarschema");
    let mut text = std::fs::read_to_string(&schema).unwrap();
    text.push_str(
        "\nentity Record { owner: User, level: Long, tags: Set<String> };\n\
         action viewRecord, auditRecord appliesTo { principal: User, resource: Record, context: {} };\n",
    );
    std::fs::write(&schema, text).unwrap();
    write(
        &env,
        "policies/records.cedar",
        r#"@id("records.tagged")
permit (principal, action == Action::"viewRecord", resource)
when { resource.owner == principal || resource.tags.contains("public") };
@id("records.audit")
permit (principal, action == Action::"auditRecord", resource) when { resource.level + 1 > 3 };
"#,
    );
    env
}

fn plan_sql<'a>(action: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "decide", "--plan", "--sql", "--user", "carol", "--action", action,
    ];
    args.extend_from_slice(rest);
    args
}

/// The failure's code (`--json`, standard error) and exit status.
fn failure(env: &Env, args: &[&str]) -> (Option<i32>, Value) {
    let mut all = args.to_vec();
    all.push("--json");
    let out = env.run(&all);
    assert!(out.stdout.is_empty(), "{args:?}: {:?}", out.stdout);
    let stderr = String::from_utf8(out.stderr).unwrap();
    (
        out.status.code(),
        serde_json::from_str(one_line_error(&stderr)).unwrap(),
    )
}

#[test]
fn decide_plan_sql_prints_the_fragment_and_its_parameters() {
    let env = records_env();
    let text = env.ok(&plan_sql(
        "editDocument",
        &[
            "--resource-type",
            "Document",
            "--column",
            "resource.owner=owner_id",
        ],
    ));
    assert_eq!(text, "(owner_id COLLATE BINARY = ?1)\n  ?1 = \"carol\"\n");
    let v = env.json(&plan_sql(
        "editDocument",
        &[
            "--resource-type",
            "Document",
            "--column",
            "resource.owner=documents.owner_id",
            "--dialect",
            "postgres",
            "--first-param",
            "3",
        ],
    ));
    assert_eq!(v["sql"], "(documents.owner_id COLLATE \"C\" = $3)");
    assert_eq!(v["params"], json!(["carol"]));
    assert_eq!(v["plan"]["reasons"], json!(["app.owner-edit-document"]));

    // A set in a join table, by flags and by a mapping file: the same answer.
    let by_flags = env.json(&plan_sql(
        "viewRecord",
        &[
            "--resource-type",
            "Record",
            "--column",
            "resource=records.id",
            "--column",
            "resource.owner=records.owner_id",
            "--set",
            "resource.tags=record_tags:record_id:tag",
        ],
    ));
    assert_eq!(
        by_flags["sql"],
        "((records.owner_id COLLATE BINARY = ?1) OR EXISTS (SELECT 1 FROM record_tags AS warden_set WHERE warden_set.record_id = records.id AND warden_set.tag = ?2 COLLATE BINARY))"
    );
    assert_eq!(by_flags["params"], json!(["carol", "public"]));
    write(
        &env,
        "mapping.json",
        &json!({"dialect": "sqlite", "columns": {
            "resource": "records.id", "resource.owner": "records.owner_id",
            "resource.tags": {"table": "record_tags", "key": "record_id", "value": "tag"}}})
        .to_string(),
    );
    let by_file = env.json(&plan_sql(
        "viewRecord",
        &["--resource-type", "Record", "--mapping", "mapping.json"],
    ));
    assert_eq!(by_file, by_flags);
    // An array column for the set.
    let v = env.json(&plan_sql(
        "viewRecord",
        &[
            "--resource-type",
            "Record",
            "--column",
            "resource.owner=owner_id",
            "--set",
            "resource.tags=tags",
            "--dialect",
            "postgres",
        ],
    ));
    assert_eq!(
        v["sql"],
        "((owner_id COLLATE \"C\" = $1) OR ($2 COLLATE \"C\" = ANY(tags)))"
    );

    // Nothing allowed: `(1 = 0)`, exit 2 as --plan.
    let out = env.run(&plan_sql(
        "deleteUserResource",
        &["--resource-type", "UserResource"],
    ));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "(1 = 0)\n");
}

#[test]
fn decide_plan_sql_refuses_what_it_cannot_say_exactly() {
    let env = records_env();
    let record = |rest: &[&'static str]| {
        let mut args = vec!["--resource-type", "Record"];
        args.extend_from_slice(rest);
        args
    };
    for (args, code) in [
        (
            record(&["--column", "resource.owner=owner_id; DROP TABLE x"]),
            "unsafe_identifier",
        ),
        (
            record(&["--column", "resource.owner=\"owner_id\""]),
            "unsafe_identifier",
        ),
        (
            record(&["--set", "resource.tags=t:k:v -- x"]),
            "unsafe_identifier",
        ),
        (record(&["--column", "owner=owner_id"]), "unknown_attribute"),
        (
            record(&["--column", "resource.owner=owner_id", "--dialect", "oracle"]),
            "unknown_dialect",
        ),
        (
            record(&["--column", "resource.owner=owner_id"]),
            "unmapped_attribute",
        ),
        (
            record(&[
                "--set",
                "resource.tags=t:k:v",
                "--column",
                "resource.owner=o",
            ]),
            "invalid_mapping",
        ),
        (record(&["--column", "resource.owner"]), "invalid_request"),
        (record(&["--set", "resource.tags=a:b"]), "invalid_request"),
        (
            record(&[
                "--column",
                "resource.owner=a",
                "--column",
                "resource.owner=b",
            ]),
            "invalid_request",
        ),
        (record(&["--mapping", "missing.json"]), "invalid_request"),
    ] {
        let (status, v) = failure(&env, &plan_sql("viewRecord", &args));
        assert_eq!(
            (status, v["error"].as_str()),
            (Some(1), Some(code)),
            "{args:?}: {v}"
        );
    }
    // Arithmetic: no exact plan, so no fragment.
    let (status, v) = failure(
        &env,
        &plan_sql(
            "auditRecord",
            &[
                "--resource-type",
                "Record",
                "--column",
                "resource.level=level",
            ],
        ),
    );
    assert_eq!(
        (status, v["error"].as_str()),
        (Some(1), Some("unsupported_plan")),
        "{v}"
    );
    // --sql needs --plan; --mapping takes no --column: usage errors of decide are 1.
    for args in [
        vec![
            "decide",
            "--sql",
            "--user",
            "carol",
            "--action",
            "viewRecord",
            "--resource",
            "Record::\"r\"",
        ],
        plan_sql(
            "viewRecord",
            &[
                "--resource-type",
                "Record",
                "--mapping",
                "m.json",
                "--column",
                "resource=id",
            ],
        ),
    ] {
        assert_eq!(env.run(&args).status.code(), Some(1), "{args:?}");
    }
}
