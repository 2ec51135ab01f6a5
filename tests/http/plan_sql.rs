//! `POST /v1/authorize/plan/sql`: the plan as a SQL `WHERE` fragment for services without
//! Rust, over real HTTP; the fragments run on real SQLite and PostgreSQL tables and select
//! exactly the rows `/v1/authorize` allows one by one.

use crate::common::*;
use serde_json::{json, Value};
use std::path::Path;
use tempfile::TempDir;

const SQL: &str = "/v1/authorize/plan/sql";

/// The shipped policies plus records with an owner, a level, tags and readers.
fn records_policies() -> TempDir {
    let dir = TempDir::new().unwrap();
    let policies = dir.path().join("policies");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"),
        &policies,
    );
    let schema = policies.join("schema.cedarschema");
    let mut text = std::fs::read_to_string(&schema).unwrap();
    text.push_str(
        "\nentity Record { owner: User, level: Long, tags: Set<String>, readers: Set<User> };\n\
         action viewRecord, auditRecord appliesTo { principal: User, resource: Record, context: {} };\n",
    );
    std::fs::write(&schema, text).unwrap();
    std::fs::write(
        policies.join("records.cedar"),
        r#"
@id("records.owner")
permit (principal, action == Action::"viewRecord", resource) when { resource.owner == principal };
@id("records.public")
permit (principal, action == Action::"viewRecord", resource)
when { resource.tags.contains("public") && resource.level <= 2 };
@id("records.readers")
permit (principal, action == Action::"viewRecord", resource) when { resource.readers.contains(principal) };
@id("records.hidden")
forbid (principal, action == Action::"viewRecord", resource)
when { resource.tags.containsAny(["secret", "draft"]) } unless { resource.owner == principal };
@id("records.audit")
permit (principal, action == Action::"auditRecord", resource) when { resource.level + 1 > 3 };
"#,
    )
    .unwrap();
    dir
}

fn spawn_records_app() -> (TestApp, TempDir) {
    let dir = records_policies();
    let policies = dir.path().join("policies");
    (spawn_app_with(|c| c.policies = policies), dir)
}

/// (id, owner, level, tags, readers)
type Row = (
    &'static str,
    &'static str,
    i64,
    &'static [&'static str],
    &'static [&'static str],
);

const ROWS: &[Row] = &[
    ("r01", "alice", 1, &["public"], &[]),
    ("r02", "admin", 1, &["public"], &[]),
    ("r03", "admin", 3, &["public"], &[]),
    ("r04", "admin", 5, &[], &["alice"]),
    ("r05", "admin", 1, &["public", "secret"], &[]),
    ("r06", "alice", 1, &["secret"], &[]),
    ("r07", "admin", 2, &["draft", "public"], &["alice"]),
    ("r08", "admin", 0, &[], &[]),
    ("r09", "alice", 9, &["draft"], &["admin"]),
    ("r10", "admin", 2, &["Public"], &[]),
    ("r11", "admin", 2, &["public "], &[]),
    ("r12", "admin", 1, &["public"], &["alice", "admin"]),
];

/// The rows `/v1/authorize` allows `token`, one decision each.
fn allowed_one_by_one(app: &TestApp, token: &str) -> Vec<String> {
    ROWS.iter()
        .filter(|(id, owner, level, tags, readers)| {
            let readers: Vec<Value> = readers
                .iter()
                .map(|r| json!({"type": "User", "id": r}))
                .collect();
            let body = json!({"action": "viewRecord", "resource": {"type": "Record", "id": id, "properties": {
                "owner": {"type": "User", "id": owner}, "level": level, "tags": tags, "readers": readers}}});
            let r = app.post("/v1/authorize", &body, Some(token));
            assert_eq!(r.status, 200, "{}", r.text);
            assert!(r.json()["errors"].as_array().unwrap().is_empty(), "{}", r.text);
            r.json()["allowed"].as_bool().unwrap()
        })
        .map(|row| row.0.to_string())
        .collect()
}

fn fragment(app: &TestApp, token: &str, mapping: Value) -> (String, Vec<Value>) {
    let r = app.post(
        SQL,
        &json!({"action": "viewRecord", "resource_type": "Record", "mapping": mapping}),
        Some(token),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let answer = r.json();
    assert_eq!(answer["plan"]["kind"], "conditional", "{}", r.text);
    (
        answer["sql"].as_str().unwrap().to_string(),
        answer["params"].as_array().unwrap().clone(),
    )
}

/// SQLite as a Python or Go service would use it: the rows, the fragment appended to its own
/// query after a parameter of its own (`first_param` 2), every value bound as the JSON gave it.
fn sqlite_rows(sql: &str, params: &[Value]) -> Vec<String> {
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch(
        "CREATE TABLE records (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, level INTEGER NOT NULL, readers TEXT NOT NULL);
         CREATE TABLE record_tags (record_id TEXT NOT NULL, tag TEXT NOT NULL, id INTEGER);",
    )
    .unwrap();
    for (i, (id, owner, level, tags, readers)) in ROWS.iter().enumerate() {
        db.execute(
            "INSERT INTO records VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![id, owner, level, json!(readers).to_string()],
        )
        .unwrap();
        for tag in *tags {
            // The join table has an `id` column of its own: the fragment must not read it
            // for the record's id.
            db.execute(
                "INSERT INTO record_tags VALUES (?1, ?2, ?3)",
                rusqlite::params![id, tag, i as i64],
            )
            .unwrap();
        }
    }
    let mut bound = vec![rusqlite::types::Value::Integer(-100)];
    bound.extend(params.iter().map(|p| match p {
        Value::String(s) => rusqlite::types::Value::Text(s.clone()),
        Value::Number(n) => rusqlite::types::Value::Integer(n.as_i64().unwrap()),
        Value::Bool(b) => rusqlite::types::Value::Integer(*b as i64),
        other => panic!("a parameter that is not a scalar: {other}"),
    }));
    let query = format!(
        "SELECT records.id FROM records WHERE records.level >= ?1 AND {sql} ORDER BY records.id"
    );
    let mut stmt = db.prepare(&query).unwrap();
    stmt.query_map(rusqlite::params_from_iter(bound), |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// PostgreSQL: tags in a `text[]` column, readers in a join table.
fn postgres_rows(url: &str, sql: &str, params: &[Value]) -> Vec<String> {
    block(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS records (id text PRIMARY KEY, owner_id text NOT NULL, level int8 NOT NULL, tags text[] NOT NULL);
                 CREATE TABLE IF NOT EXISTS record_readers (record_id text NOT NULL, user_id text NOT NULL, id text);
                 TRUNCATE records, record_readers;",
            )
            .await
            .unwrap();
        for (id, owner, level, tags, readers) in ROWS {
            let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
            client
                .execute(
                    "INSERT INTO records VALUES ($1, $2, $3, $4)",
                    &[id, owner, level, &tags],
                )
                .await
                .unwrap();
            for reader in *readers {
                client
                    .execute(
                        "INSERT INTO record_readers VALUES ($1, $2, 'not-the-record')",
                        &[id, reader],
                    )
                    .await
                    .unwrap();
            }
        }
        // The JSON values as a driver binds them: text, whole numbers, booleans.
        let bound: Vec<warden::plan::sql::Param> = params
            .iter()
            .map(|p| match p {
                Value::String(s) => warden::plan::sql::Param::Text(s.clone()),
                Value::Number(n) => warden::plan::sql::Param::Int(n.as_i64().unwrap()),
                Value::Bool(b) => warden::plan::sql::Param::Bool(*b),
                other => panic!("a parameter that is not a scalar: {other}"),
            })
            .collect();
        let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = bound
            .iter()
            .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
            .collect();
        let query = format!("SELECT records.id FROM records WHERE {sql} ORDER BY records.id");
        client
            .query(&query, &refs)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect()
    })
}

#[test]
fn the_fragment_selects_exactly_the_rows_the_decisions_allow_on_sqlite_and_postgres() {
    let (app, _policies) = spawn_records_app();
    let postgres = block(warden::testkit::database_or_skip(
        "the_fragment_selects_exactly_the_rows_the_decisions_allow_on_sqlite_and_postgres",
    ));
    for token in [
        app.alice()["token"].as_str().unwrap().to_string(),
        app.admin_token(),
    ] {
        let expected = allowed_one_by_one(&app, &token);
        assert!(
            !expected.is_empty() && expected.len() < ROWS.len(),
            "{expected:?}"
        );

        let (sql, params) = fragment(
            &app,
            &token,
            json!({"dialect": "sqlite", "first_param": 2, "columns": {
                "resource": "records.id", "resource.owner": "records.owner_id",
                "resource.level": "records.level", "resource.readers": "records.readers",
                "resource.tags": {"table": "record_tags", "key": "record_id", "value": "tag"}}}),
        );
        assert!(
            sql.contains("EXISTS (SELECT 1 FROM record_tags AS warden_set"),
            "{sql}"
        );
        assert!(!sql.contains("?1"), "numbered from 2: {sql}");
        assert_eq!(
            sqlite_rows(&sql, &params),
            expected,
            "SQLite: {sql} {params:?}"
        );

        let (sql, params) = fragment(
            &app,
            &token,
            json!({"dialect": "postgres", "columns": {
                "resource": "records.id", "resource.owner": "records.owner_id",
                "resource.level": "records.level", "resource.tags": "records.tags",
                "resource.readers": {"table": "record_readers", "key": "record_id", "value": "user_id"}}}),
        );
        assert!(sql.contains("$1") && !sql.contains('?'), "{sql}");
        if let Some(url) = &postgres {
            assert_eq!(
                postgres_rows(url, &sql, &params),
                expected,
                "PostgreSQL: {sql} {params:?}"
            );
        }
    }
}

#[test]
fn the_fragment_of_the_shipped_owner_rule_and_of_fixed_plans() {
    let app = spawn_app();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let mapping = json!({"dialect": "sqlite", "columns": {"resource.owner": "owner_id"}});
    let r = app.post(
        SQL,
        &json!({"action": "editDocument", "resource_type": "Document", "context": {}, "mapping": mapping}),
        Some(&alice),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json(),
        json!({
            "sql": "(owner_id COLLATE BINARY = ?1)",
            "params": ["alice"],
            "plan": {
                "kind": "conditional",
                "condition": {"op": "==", "left": {"attr": "resource.owner"}, "right": {"entity": {"type": "User", "id": "alice"}}},
                "unsupported": [],
                "reasons": ["app.owner-edit-document"]
            }
        })
    );
    let r = app.post(
        SQL,
        &json!({"action": "editDocument", "resource_type": "Document",
                "mapping": {"dialect": "postgres", "first_param": 7, "columns": {"resource.owner": "documents.owner_id"}}}),
        Some(&alice),
    );
    assert_eq!(
        r.json()["sql"],
        "(documents.owner_id COLLATE \"C\" = $7)",
        "{}",
        r.text
    );
    // Nothing allowed: a fragment that selects nothing, with the plan; everything: all.
    let r = app.post(
        SQL,
        &json!({"action": "deleteUserResource", "resource_type": "UserResource", "mapping": mapping}),
        Some(&alice),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["sql"], "(1 = 0)");
    assert_eq!(r.json()["params"], json!([]));
    assert_eq!(r.json()["plan"]["kind"], "always_denied");
    let r = app.post(
        SQL,
        &json!({"action": "readDocument", "resource_type": "Document", "mapping": {"dialect": "sqlite", "columns": {}}}),
        Some(&alice),
    );
    assert_eq!(r.json()["sql"], "(1 = 1)", "{}", r.text);
}

fn refused(r: &Reply, code: &str, needle: &str) {
    assert_eq!(r.status, 400, "{}", r.text);
    let body = r.json();
    assert_eq!(body["error"], code, "{}", r.text);
    assert!(
        body["message"].as_str().unwrap().contains(needle),
        "{needle:?} not in {}",
        r.text
    );
    assert!(
        body.get("sql").is_none() && body.get("params").is_none(),
        "{}",
        r.text
    );
}

#[test]
fn bad_mappings_are_refused_with_a_stable_code_and_no_fragment() {
    let (app, _policies) = spawn_records_app();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let ask = |mapping: Value| {
        app.post(
            SQL,
            &json!({"action": "viewRecord", "resource_type": "Record", "mapping": mapping}),
            Some(&alice),
        )
    };
    let with = |attr: &str, column: Value| {
        let mut columns = json!({"resource": "records.id", "resource.owner": "owner_id",
            "resource.level": "level", "resource.readers": "readers", "resource.tags": "tags"});
        columns[attr] = column;
        json!({"dialect": "sqlite", "columns": columns})
    };
    let long = "a".repeat(64);
    for (column, needle) in [
        ("owner_id; DROP TABLE x", "';'"),
        ("owner_id\"", "'\"'"),
        ("'owner_id'", "'\\''"),
        ("owner_id -- x", "' '"),
        ("owner_id/*x*/", "'/'"),
        ("", "empty"),
        (long.as_str(), "longer than 63 bytes"),
        ("a.b.c", "parts"),
        ("TRUE", "keyword"),
        ("select", "keyword"),
        ("warden_set.owner", "alias"),
    ] {
        let r = ask(with("resource.owner", json!(column)));
        refused(&r, "unsafe_identifier", needle);
    }
    for join in [
        json!({"table": "tags; --", "key": "record_id", "value": "tag"}),
        json!({"table": "t", "key": "t.record_id", "value": "tag"}),
        json!({"table": "t", "key": "record_id", "value": "tag value"}),
        json!({"table": "order", "key": "record_id", "value": "tag"}),
    ] {
        refused(
            &ask(with("resource.tags", join)),
            "unsafe_identifier",
            "refused",
        );
    }
    // A key that is not the resource's attribute path.
    for key in [
        "owner",
        "principal.email",
        "resource.",
        "resource.a.b.c",
        "resource.x y",
    ] {
        let r = ask(json!({"dialect": "sqlite", "columns": {key: "c"}}));
        refused(&r, "unknown_attribute", "not an attribute path");
    }
    // Dialects.
    for dialect in ["mysql", "SQLite", ""] {
        let r = ask(json!({"dialect": dialect, "columns": {}}));
        refused(&r, "unknown_dialect", "unknown SQL dialect");
    }
    // Size and consistency.
    let huge: serde_json::Map<String, Value> = (0..1000)
        .map(|i| (format!("resource.a{i}"), json!("c")))
        .collect();
    refused(
        &ask(json!({"dialect": "sqlite", "columns": huge})),
        "invalid_mapping",
        "at most 64",
    );
    refused(
        &ask(json!({"dialect": "sqlite", "first_param": 0, "columns": {}})),
        "invalid_mapping",
        "first_param",
    );
    let tags = json!({"table": "record_tags", "key": "record_id", "value": "tag"});
    refused(
        &ask(json!({"dialect": "sqlite", "columns": {"resource": "id", "resource.tags": tags}})),
        "invalid_mapping",
        "qualified",
    );
    // Not the shape: the ordinary 400 of a body, naming the field.
    for mapping in [
        json!({"dialect": "sqlite"}),
        json!({"dialect": "sqlite", "columns": {}, "extra": 1}),
        json!({"dialect": "sqlite", "columns": {"resource.owner": 1}}),
        json!({"dialect": "sqlite", "columns": {"resource.tags": {"table": "t", "key": "k"}}}),
        json!({"dialect": "sqlite", "first_param": -1, "columns": {}}),
        json!("sqlite"),
    ] {
        let r = ask(mapping.clone());
        assert_eq!(r.status, 400, "{mapping}: {}", r.text);
        assert_eq!(
            r.json()["error"],
            "invalid_request",
            "{mapping}: {}",
            r.text
        );
        assert!(r.text.contains("mapping"), "{mapping}: {}", r.text);
    }
}

#[test]
fn plans_sql_cannot_say_exactly_are_refused_and_logged() {
    let (app, _policies) = spawn_records_app();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let full = json!({"dialect": "postgres", "columns": {"resource": "records.id", "resource.owner": "owner_id",
        "resource.level": "level", "resource.readers": "readers", "resource.tags": "tags"}});
    // Arithmetic: the plan is `unsupported`.
    let r = app.post(
        SQL,
        &json!({"action": "auditRecord", "resource_type": "Record", "mapping": full}),
        Some(&alice),
    );
    refused(&r, "unsupported_plan", "/v1/authorize");
    // The plan tests the level, the mapping has no column for it.
    let r = app.post(
        SQL,
        &json!({"action": "viewRecord", "resource_type": "Record",
                "mapping": {"dialect": "sqlite", "columns": {"resource.owner": "owner_id", "resource.tags": "tags", "resource.readers": "readers"}}}),
        Some(&alice),
    );
    refused(&r, "unmapped_attribute", "resource.level");
    // No plan at all (an unknown action): as /v1/authorize/plan.
    let r = app.post(
        SQL,
        &json!({"action": "fly", "resource_type": "Record", "mapping": full}),
        Some(&alice),
    );
    refused(&r, "invalid_request", "unknown action");
    // Without a token: 401 before anything is read.
    let r = app.post(
        SQL,
        &json!({"action": "viewRecord", "resource_type": "Record", "mapping": "not even a mapping"}),
        None,
    );
    assert_eq!(
        (r.status, r.json()["error"].as_str()),
        (401, Some("missing_token"))
    );

    // Logged as plans, the way /v1/authorize/plan logs them.
    crate::decisions::wait_for("the logged plans", || {
        block(
            app.state
                .app
                .store()
                .list_decisions(None, Some("auditRecord"), None, None, 10),
        )
        .unwrap()
        .len()
            == 1
    });
    let rows = block(app.state.app.store().list_decisions(
        None,
        Some("auditRecord"),
        None,
        None,
        10,
    ))
    .unwrap();
    assert_eq!(rows[0].decision, warden::model::DecisionKind::Plan);
    assert_eq!(rows[0].resource, "Record::\"*\"");
    assert_eq!(rows[0].reasons[0], "plan:conditional");
    assert!(
        !rows[0].errors.is_empty(),
        "the unsupported residual: {rows:?}"
    );
}
