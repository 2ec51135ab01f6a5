use super::eval::{evaluate, like, Subject};
use super::sql::{where_fragment, Dialect, Param, SqlError};
use super::*;
use serde_json::json;

fn parse(v: Value) -> Expr {
    serde_json::from_value(v).unwrap()
}

#[test]
fn the_wire_format_round_trips_and_unknown_ops_do_not_parse() {
    let text = json!({"op":"and","args":[
        {"op":"==","left":{"attr":"resource.owner"},"right":{"entity":{"type":"User","id":"alice"}}},
        {"op":"not","arg":{"op":"has","attr":"resource.title"}},
        {"op":"in","left":{"attr":"resource.level"},"right":{"value":[1,2]}},
        {"op":"contains","left":{"attr":"resource.tags"},"right":{"value":"x"}},
        {"op":"like","left":{"attr":"resource.title"},"pattern":"a*b"},
        {"op":"true"}
    ]});
    let e = parse(text.clone());
    assert_eq!(serde_json::to_value(&e).unwrap(), text);
    assert!(
        serde_json::from_value::<Expr>(json!({"op":"regex","left":{"attr":"resource.a"}})).is_err()
    );
    let plan = Plan::of(Expr::True, vec![]);
    assert_eq!(
        serde_json::to_value(&plan).unwrap(),
        json!({"kind":"always_allowed","condition":{"op":"true"},"unsupported":[],"reasons":[]})
    );
    assert_eq!(
        serde_json::to_value(Plan::unsupported(vec!["x".into()], vec![])).unwrap()["condition"],
        Value::Null
    );
}

#[test]
fn folding() {
    let a = Expr::Has {
        attr: "resource.a".into(),
    };
    assert_eq!(Expr::and([Expr::True, a.clone()]), a);
    assert_eq!(Expr::and([Expr::False, a.clone()]), Expr::False);
    assert_eq!(Expr::or([Expr::False, a.clone()]), a);
    assert_eq!(Expr::or([Expr::True, a.clone()]), Expr::True);
    assert_eq!(Expr::or(Vec::new()), Expr::False);
    assert_eq!(Expr::and(Vec::new()), Expr::True);
    assert_eq!(Expr::not(Expr::not(a.clone())), a);
    assert_eq!(Plan::of(Expr::False, vec![]).kind, PlanKind::AlwaysDenied);
}

#[test]
fn like_follows_cedar() {
    assert!(like("abc", "a*c"));
    assert!(like("ac", "a*c"));
    assert!(!like("abd", "a*c"));
    assert!(like("a*c", "a\\*c"));
    assert!(!like("abc", "a\\*c"));
    assert!(like("", "*"));
    assert!(like("aXbXc", "*b*c"));
    assert!(!like("ABC", "abc"));
    assert!(like("a\\b", "a\\\\b"));
}

#[test]
fn evaluation_follows_cedar() {
    let props = json!({"owner":{"__entity":{"type":"User","id":"alice"}},"n":3,"tags":["x","y"],"title":"hello","flag":true})
        .as_object()
        .cloned()
        .unwrap();
    let s = Subject {
        kind: "Document",
        id: "d1",
        properties: &props,
    };
    let ok = |v: Value| evaluate(&parse(v), &s);
    assert_eq!(
        ok(
            json!({"op":"==","left":{"attr":"resource.owner"},"right":{"entity":{"type":"User","id":"alice"}}})
        ),
        Ok(true)
    );
    assert_eq!(
        ok(json!({"op":"==","left":{"attr":"resource.owner"},"right":{"value":"alice"}})),
        Ok(false)
    );
    assert_eq!(
        ok(
            json!({"op":"==","left":{"attr":"resource"},"right":{"entity":{"type":"Document","id":"d1"}}})
        ),
        Ok(true)
    );
    assert_eq!(
        ok(json!({"op":">=","left":{"attr":"resource.n"},"right":{"value":3}})),
        Ok(true)
    );
    assert!(ok(json!({"op":"<","left":{"attr":"resource.title"},"right":{"value":3}})).is_err());
    assert_eq!(
        ok(json!({"op":"contains","left":{"attr":"resource.tags"},"right":{"value":"y"}})),
        Ok(true)
    );
    assert_eq!(
        ok(json!({"op":"in","left":{"attr":"resource.n"},"right":{"value":[1,2]}})),
        Ok(false)
    );
    assert_eq!(ok(json!({"op":"has","attr":"resource.missing"})), Ok(false));
    assert!(ok(json!({"op":"==","left":{"attr":"resource.missing"},"right":{"value":1}})).is_err());
    // `and` short-circuits past an absent attribute, as Cedar does.
    assert_eq!(
        ok(
            json!({"op":"and","args":[{"op":"has","attr":"resource.missing"},{"op":"==","left":{"attr":"resource.missing"},"right":{"value":1}}]})
        ),
        Ok(false)
    );
    assert_eq!(
        ok(json!({"op":"like","left":{"attr":"resource.title"},"pattern":"he*"})),
        Ok(true)
    );
    // An entity's attributes are not known to a plan.
    assert!(
        ok(json!({"op":"==","left":{"attr":"resource.owner.email"},"right":{"value":"a"}}))
            .is_err()
    );
}

fn columns() -> super::sql::Columns {
    [
        ("resource", "id"),
        ("resource.owner", "owner_id"),
        ("resource.title", "title"),
        ("resource.tags", "tags"),
        ("resource.n", "n"),
    ]
    .into_iter()
    .map(|(a, c)| (a.to_string(), c.to_string()))
    .collect()
}

#[test]
fn sql_binds_values_and_never_interpolates_them() {
    let plan = Plan::of(
        parse(json!({"op":"or","args":[
            {"op":"==","left":{"attr":"resource.owner"},"right":{"entity":{"type":"User","id":"x'; DROP TABLE t; --"}}},
            {"op":"and","args":[{"op":"has","attr":"resource.title"},{"op":"like","left":{"attr":"resource.title"},"pattern":"a%_\\*[*"}]},
            {"op":"contains","left":{"attr":"resource.tags"},"right":{"value":"x"}},
            {"op":"in","left":{"attr":"resource.n"},"right":{"value":[1,2]}}
        ]})),
        vec![],
    );
    let f = where_fragment(&plan, Dialect::Sqlite, &columns(), 1).unwrap();
    assert_eq!(
        f.sql,
        "((owner_id COLLATE BINARY = ?1) OR ((title IS NOT NULL) AND (CASE WHEN title IS NULL THEN NULL ELSE (length(CAST(title AS BLOB)) >= 5 AND substr(CAST(title AS BLOB), 1, 5) = CAST(?2 AS BLOB)) END)) OR (CASE WHEN tags IS NULL OR json_type(tags) <> 'array' THEN NULL ELSE EXISTS (SELECT 1 FROM json_each(tags) AS warden_je WHERE warden_je.value = ?3 COLLATE BINARY) END) OR (n IN (?4, ?5)))"
    );
    assert_eq!(
        f.params,
        vec![
            Param::Text("x'; DROP TABLE t; --".into()),
            Param::Text("a%_*[".into()),
            Param::Text("x".into()),
            Param::Int(1),
            Param::Int(2)
        ]
    );
    let f = where_fragment(&plan, Dialect::Postgres, &columns(), 3).unwrap();
    assert_eq!(
        f.sql,
        "((owner_id COLLATE \"C\" = $3) OR ((title IS NOT NULL) AND (title COLLATE \"C\" LIKE $4 ESCAPE '\\')) OR ($5 COLLATE \"C\" = ANY(tags)) OR (n IN ($6, $7)))"
    );
    assert_eq!(f.params[1], Param::Text("a\\%\\_*[%".into()));
}

#[test]
fn sql_refuses_what_it_cannot_translate_exactly() {
    let unsupported = Plan::unsupported(vec!["p: ip".into()], vec![]);
    assert!(matches!(
        where_fragment(&unsupported, Dialect::Sqlite, &columns(), 1),
        Err(SqlError::Unsupported(_))
    ));
    let unmapped = Plan::of(parse(json!({"op":"has","attr":"resource.secret"})), vec![]);
    assert_eq!(
        where_fragment(&unmapped, Dialect::Sqlite, &columns(), 1),
        Err(SqlError::UnmappedAttribute("resource.secret".into()))
    );
    // A `like` with more literal runs between stars than the bound: an error with its
    // reason, not a shorter pattern (PostgreSQL's LIKE takes it whole).
    let many_runs = Plan::of(
        parse(
            json!({"op":"like","left":{"attr":"resource.title"},"pattern": "*a".repeat(1001) + "*"}),
        ),
        vec![],
    );
    assert!(matches!(
        where_fragment(&many_runs, Dialect::Sqlite, &columns(), 1),
        Err(SqlError::Untranslatable(why)) if why.contains("runs")
    ));
    assert!(where_fragment(&many_runs, Dialect::Postgres, &columns(), 1).is_ok());
    // At the bound, SQLite runs it.
    let at_bound = Plan::of(
        parse(
            json!({"op":"like","left":{"attr":"resource.title"},"pattern": "*a".repeat(32) + "*"}),
        ),
        vec![],
    );
    let f = where_fragment(&at_bound, Dialect::Sqlite, &columns(), 1).unwrap();
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch("CREATE TABLE t (title TEXT)").unwrap();
    for n in [31, 32] {
        db.execute(
            "INSERT INTO t VALUES (?1)",
            [format!("\0{}", "xa".repeat(n))],
        )
        .unwrap();
    }
    let found: Vec<String> = db
        .prepare(&format!("SELECT title FROM t WHERE {}", f.sql))
        .unwrap()
        .query_map(rusqlite::params_from_iter(f.params.iter()), |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(found, vec![format!("\0{}", "xa".repeat(32))]);
    let mut bad = columns();
    bad.insert("resource.title".into(), "title; --".into());
    let plan = Plan::of(parse(json!({"op":"has","attr":"resource.title"})), vec![]);
    assert!(matches!(
        where_fragment(&plan, Dialect::Sqlite, &bad, 1),
        Err(SqlError::BadColumn(_))
    ));
    assert_eq!(
        where_fragment(
            &Plan::of(Expr::False, vec![]),
            Dialect::Sqlite,
            &columns(),
            1
        )
        .unwrap()
        .sql,
        "(1 = 0)"
    );
}

/// On PostgreSQL a parameter binds with the type of the column it meets: whole numbers to
/// `int2`/`int4`/`int8` (an out-of-range value is an error, never a wrapped one), strings to
/// `text`/`varchar`, booleans to `bool`, and items to the element type of an array column;
/// a value of another kind than its column's is an error, not a conversion.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_binds_by_column_type_and_refuses_out_of_range_values() {
    let Some(url) = crate::testkit::database_or_skip("postgres_binds_by_column_type").await else {
        return;
    };
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(
            "CREATE TABLE t (id TEXT, small INT2, mid INT4, big INT8, name VARCHAR(20), flag BOOL,
               tags TEXT[], codes INT4[]);
             INSERT INTO t VALUES
               ('a', 1, 100000, 5000000000, 'x', true, '{p,q}', '{1,70000}'),
               ('b', -2, -3, 7, 'y', false, '{}', '{2}')",
        )
        .await
        .unwrap();
    let columns: super::sql::Columns = [
        ("resource", "id"),
        ("resource.small", "small"),
        ("resource.mid", "mid"),
        ("resource.big", "big"),
        ("resource.name", "name"),
        ("resource.flag", "flag"),
        ("resource.tags", "tags"),
        ("resource.codes", "codes"),
    ]
    .into_iter()
    .map(|(a, c)| (a.to_string(), c.to_string()))
    .collect();
    let select = |condition: Value| {
        let plan = Plan::of(parse(condition), vec![]);
        let f = where_fragment(&plan, Dialect::Postgres, &columns, 1).unwrap();
        let client = &client;
        async move {
            let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = f
                .params
                .iter()
                .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
                .collect();
            client
                .query(
                    &format!("SELECT id FROM t WHERE {} ORDER BY id", f.sql),
                    &params,
                )
                .await
                .map(|rows| rows.iter().map(|r| r.get(0)).collect::<Vec<String>>())
                .map_err(|e| format!("{e:?}"))
        }
    };
    let cmp = |attr: &str, op: &str, value: Value| json!({"op": op, "left": {"attr": attr}, "right": {"value": value}});
    for (condition, rows) in [
        (cmp("resource.small", "<", json!(0)), vec!["b"]),
        (cmp("resource.mid", ">=", json!(100000)), vec!["a"]),
        (
            cmp("resource.big", "==", json!(5_000_000_000i64)),
            vec!["a"],
        ),
        (cmp("resource.name", "==", json!("y")), vec!["b"]),
        (cmp("resource.flag", "==", json!(true)), vec!["a"]),
        (
            json!({"op":"in","left":{"attr":"resource.small"},"right":{"value":[1, -2]}}),
            vec!["a", "b"],
        ),
        (
            json!({"op":"contains","left":{"attr":"resource.tags"},"right":{"value":"q"}}),
            vec!["a"],
        ),
        (
            json!({"op":"contains","left":{"attr":"resource.codes"},"right":{"value":70000}}),
            vec!["a"],
        ),
        (
            json!({"op":"like","left":{"attr":"resource.name"},"pattern":"*"}),
            vec!["a", "b"],
        ),
    ] {
        assert_eq!(
            select(condition.clone()).await,
            Ok(rows.iter().map(|r| r.to_string()).collect::<Vec<_>>()),
            "{condition}"
        );
    }
    // Out of the column's range: an error, not a wrapped value (70000 as int2 is 4464).
    for (condition, column) in [
        (cmp("resource.small", "==", json!(70000)), "int2"),
        (cmp("resource.mid", "<", json!(3_000_000_000i64)), "int4"),
        (
            json!({"op":"in","left":{"attr":"resource.small"},"right":{"value":[1, 40000]}}),
            "int2",
        ),
        (
            json!({"op":"contains","left":{"attr":"resource.codes"},"right":{"value":5_000_000_000i64}}),
            "int4",
        ),
    ] {
        let err = select(condition.clone()).await.unwrap_err();
        assert!(
            err.contains("out of range") && err.contains(column),
            "{condition}: {err}"
        );
    }
    // Another kind than the column's: an error, not a conversion.
    for condition in [
        cmp("resource.small", "==", json!("1")),
        cmp("resource.name", "==", json!(1)),
        cmp("resource.flag", "==", json!(1)),
    ] {
        let err = select(condition.clone()).await.unwrap_err();
        // (A string next to a number column: its collation is refused first.)
        assert!(
            err.contains("cannot be compared") || err.contains("collations are not supported"),
            "{condition}: {err}"
        );
    }
}

/// Patterns with every metacharacter of LIKE and GLOB, escaped stars and backslashes,
/// against texts holding them, NUL, characters outside the BMP, and a long text.
fn like_cases() -> (Vec<&'static str>, Vec<String>) {
    let patterns = vec![
        "*",
        "",
        "a",
        "a*",
        "*a",
        "*a*",
        "a*b",
        "*secret*",
        "sec*ret",
        "*%*",
        "%",
        "_*",
        "*_",
        "[*",
        "*]",
        "?*",
        "\\**",
        "*\\*",
        "*\\\\*",
        "a\\\\b",
        "*\0*",
        "\0",
        "a*b*c",
        "**",
        "*s*e*c*r*e*t*",
        "ab*ba",
        "*\u{10FFFF}*",
        "ś*",
        "*aa*aa*",
    ];
    let texts = vec![
        String::new(),
        "a".into(),
        "ab".into(),
        "aab".into(),
        "a\0secret".into(),
        "sec\0ret".into(),
        "secret".into(),
        "SECRET".into(),
        "%".into(),
        "x%y".into(),
        "_".into(),
        "[a]".into(),
        "?".into(),
        "*".into(),
        "a*b".into(),
        "\\".into(),
        "a\\b".into(),
        "\0".into(),
        "abc".into(),
        "aXbYc".into(),
        "aba".into(),
        "ś".into(),
        "x\u{10FFFF}y".into(),
        "aaa".into(),
        "aaaa".into(),
        format!("{}secret", "x".repeat(5000)),
    ];
    (patterns, texts)
}

/// SQLite's fragment for `like` matches exactly what Cedar's `like` matches, NUL included
/// (GLOB and LIKE stop at the first NUL: a title "a\0secret" escaped "*secret*").
#[test]
fn sqlite_like_is_cedars_on_every_byte() {
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch("CREATE TABLE t (id INTEGER, title TEXT)")
        .unwrap();
    let (patterns, texts) = like_cases();
    for (i, t) in texts.iter().enumerate() {
        db.execute(
            "INSERT INTO t VALUES (?1, ?2)",
            rusqlite::params![i as i64, t],
        )
        .unwrap();
    }
    let columns = [("resource.title", "title")]
        .into_iter()
        .map(|(a, c)| (a.to_string(), c.to_string()))
        .collect();
    for pattern in patterns {
        let plan = Plan::of(
            Expr::Like {
                left: Operand::Attr {
                    attr: "resource.title".into(),
                },
                pattern: pattern.into(),
            },
            vec![],
        );
        let f = where_fragment(&plan, Dialect::Sqlite, &columns, 1).unwrap();
        for negate in [false, true] {
            let sql = if negate {
                format!("SELECT id FROM t WHERE NOT {} ORDER BY id", f.sql)
            } else {
                format!("SELECT id FROM t WHERE {} ORDER BY id", f.sql)
            };
            let rows: Vec<i64> = db
                .prepare(&sql)
                .unwrap()
                .query_map(rusqlite::params_from_iter(f.params.iter()), |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let expected: Vec<i64> = (0..texts.len() as i64)
                .filter(|i| like(&texts[*i as usize], pattern) != negate)
                .collect();
            assert_eq!(rows, expected, "{pattern:?} negated {negate}: {}", f.sql);
        }
    }
}

#[test]
fn entity_sets_become_in_lists_of_one_type() {
    let set = |members: Value| {
        Plan::of(
            parse(json!({"op":"in","left":{"attr":"resource.owner"},"right":{"value": members}})),
            vec![],
        )
    };
    let f = where_fragment(
        &set(json!([{"type":"User","id":"a"},{"type":"User","id":"b"}])),
        Dialect::Postgres,
        &columns(),
        1,
    )
    .unwrap();
    assert_eq!(f.sql, "(owner_id COLLATE \"C\" IN ($1, $2))");
    assert_eq!(
        f.params,
        vec![Param::Text("a".into()), Param::Text("b".into())]
    );
    // Two types in one set: the ids could not be told apart in one column.
    for members in [
        json!([{"type":"User","id":"a"},{"type":"Role","id":"a"}]),
        json!([{"type":"User","id":"a"},"a"]),
    ] {
        assert!(matches!(
            where_fragment(&set(members), Dialect::Sqlite, &columns(), 1),
            Err(SqlError::Untranslatable(_))
        ));
    }
    // The evaluator compares type and id.
    let props = json!({"owner":{"__entity":{"type":"User","id":"a"}}})
        .as_object()
        .cloned()
        .unwrap();
    let s = Subject {
        kind: "Doc",
        id: "d",
        properties: &props,
    };
    let holds = |members: Value| evaluate(set(members).condition.as_ref().unwrap(), &s);
    assert_eq!(holds(json!([{"type":"User","id":"a"}])), Ok(true));
    assert_eq!(holds(json!([{"type":"Role","id":"a"}])), Ok(false));
}

/// PostgreSQL text cannot hold NUL: a plan value holding one is refused with its reason
/// (never sent, never silently cut).
#[test]
fn postgres_refuses_values_holding_nul() {
    let plan = Plan::of(
        parse(
            json!({"op":"not","arg":{"op":"==","left":{"attr":"resource.title"},"right":{"value":"a\u{0}b"}}}),
        ),
        vec![],
    );
    let err = where_fragment(&plan, Dialect::Postgres, &columns(), 1).unwrap_err();
    assert!(
        matches!(&err, SqlError::Untranslatable(why) if why.contains("NUL")),
        "{err}"
    );
    // SQLite holds it and compares it byte for byte.
    assert!(where_fragment(&plan, Dialect::Sqlite, &columns(), 1).is_ok());
    // Lone surrogates are no string at all: JSON holding one does not parse.
    assert!(serde_json::from_str::<Expr>(
        r#"{"op":"==","left":{"attr":"resource.title"},"right":{"value":"\ud800"}}"#
    )
    .is_err());
}

/// PostgreSQL's LIKE, escaped, matches what Cedar's does on every text PostgreSQL can hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_like_is_cedars() {
    let Some(url) = crate::testkit::database_or_skip("postgres_like_is_cedars").await else {
        return;
    };
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute("CREATE TABLE t (id INT8, title TEXT)")
        .await
        .unwrap();
    let (patterns, texts) = like_cases();
    let mut held = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        if t.contains('\0') {
            continue;
        }
        client
            .execute("INSERT INTO t VALUES ($1, $2)", &[&(i as i64), t])
            .await
            .unwrap();
        held.push(i as i64);
    }
    let columns = [("resource.title", "title")]
        .into_iter()
        .map(|(a, c)| (a.to_string(), c.to_string()))
        .collect();
    for pattern in patterns {
        let plan = Plan::of(
            Expr::Like {
                left: Operand::Attr {
                    attr: "resource.title".into(),
                },
                pattern: pattern.into(),
            },
            vec![],
        );
        let f = match where_fragment(&plan, Dialect::Postgres, &columns, 1) {
            Ok(f) => f,
            Err(SqlError::Untranslatable(why)) if pattern.contains('\0') => {
                assert!(why.contains("NUL"), "{why}");
                continue;
            }
            Err(e) => panic!("{pattern:?}: {e}"),
        };
        let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = f
            .params
            .iter()
            .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
            .collect();
        let rows: Vec<i64> = client
            .query(
                &format!("SELECT id FROM t WHERE {} ORDER BY id", f.sql),
                &params,
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let expected: Vec<i64> = held
            .iter()
            .copied()
            .filter(|i| like(&texts[*i as usize], pattern))
            .collect();
        assert_eq!(rows, expected, "{pattern:?}: {}", f.sql);
    }
}

#[test]
fn entity_sets_read_as_cedar() {
    let e = parse(json!({"op":"in","left":{"attr":"resource.dept"},
        "right":{"value":[{"type":"Role","id":"ENGINEER"},{"type":"Role","id":"STAFF"}]}}));
    assert_eq!(
        e.to_string(),
        "[Role::\"ENGINEER\", Role::\"STAFF\"].contains(resource.dept)"
    );
}

/// Rows of a real SQLite table selected by `condition` over `columns` (`None`: refused).
fn sqlite_rows(
    db: &rusqlite::Connection,
    condition: Value,
    columns: &[(&str, &str)],
) -> Option<Vec<String>> {
    let columns = columns
        .iter()
        .map(|(a, c)| (a.to_string(), c.to_string()))
        .collect();
    let f = where_fragment(
        &Plan::of(parse(condition), vec![]),
        Dialect::Sqlite,
        &columns,
        1,
    )
    .ok()?;
    Some(
        db.prepare(&format!("SELECT id FROM t WHERE {} ORDER BY id", f.sql))
            .unwrap()
            .query_map(rusqlite::params_from_iter(f.params.iter()), |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap(),
    )
}

/// Hostile schemas and data on SQLite: a `NOCASE` column, columns named like the names
/// inside warden's own subqueries, NULL and non-array JSON in a set column. Each row here is
/// one Cedar denies for the condition (or its negation) that would have selected it.
#[test]
fn sqlite_fragments_resist_collations_captures_and_bad_sets() {
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch(
        "CREATE TABLE t (id TEXT, owner_id TEXT COLLATE NOCASE, p TEXT, value TEXT, tags TEXT);
         INSERT INTO t VALUES ('alice', 'alice', 'top secret', 'x', '[\"public\", \"x\"]');
         INSERT INTO t VALUES ('upper', 'ALICE', 'plain', 'public', '[]');
         INSERT INTO t VALUES ('null-tags', 'bob', 'plain', 'public', NULL);
         INSERT INTO t VALUES ('object-tags', 'bob', 'plain', 'x', '{\"a\":\"public\"}');
         INSERT INTO t VALUES ('string-tags', 'bob', 'plain', 'x', '\"public\"');",
    )
    .unwrap();
    let cols = [
        ("resource", "id"),
        ("resource.owner", "owner_id"),
        ("resource.title", "p"),
        ("resource.tags", "tags"),
        ("resource.label", "value"),
        ("resource.qualified_label", "t.value"),
    ];
    let rows = |condition| sqlite_rows(&db, condition, &cols);
    let ids = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    // Collation: `alice` is not `ALICE`, in `=`, `IN`, `like` without a star, `contains`.
    assert_eq!(
        rows(
            json!({"op":"==","left":{"attr":"resource.owner"},"right":{"entity":{"type":"User","id":"alice"}}})
        ),
        ids(&["alice"])
    );
    assert_eq!(
        rows(
            json!({"op":"in","left":{"attr":"resource.owner"},"right":{"value":["alice","carol"]}})
        ),
        ids(&["alice"])
    );
    assert_eq!(
        rows(json!({"op":"like","left":{"attr":"resource.owner"},"pattern":"alice"})),
        ids(&["alice"])
    );
    // The `like` query's own columns do not capture a text column named `p`.
    assert_eq!(
        rows(
            json!({"op":"not","arg":{"op":"like","left":{"attr":"resource.title"},"pattern":"*secret*"}})
        ),
        ids(&["null-tags", "object-tags", "string-tags", "upper"])
    );
    // json_each's `value` would capture an unqualified column of that name: refused;
    // qualified, it is the row's.
    assert_eq!(
        rows(
            json!({"op":"contains","left":{"attr":"resource.tags"},"right":{"attr":"resource.label"}})
        ),
        None
    );
    assert_eq!(
        rows(
            json!({"op":"contains","left":{"attr":"resource.tags"},"right":{"attr":"resource.qualified_label"}})
        ),
        ids(&["alice"])
    );
    // A NULL or non-array set is neither a set holding "public" nor one lacking it.
    let contains =
        json!({"op":"contains","left":{"attr":"resource.tags"},"right":{"value":"public"}});
    assert_eq!(rows(contains.clone()), ids(&["alice"]));
    assert_eq!(rows(json!({"op":"not","arg":contains})), ids(&["upper"]));
    // `in` an empty list on an absent attribute stays unknown under `not`.
    db.execute("UPDATE t SET owner_id = NULL WHERE id = 'null-tags'", [])
        .unwrap();
    assert_eq!(
        rows(
            json!({"op":"not","arg":{"op":"in","left":{"attr":"resource.owner"},"right":{"value":[]}}})
        ),
        ids(&["alice", "object-tags", "string-tags", "upper"])
    );
}

/// PostgreSQL compares text under the column's collation: under a case-insensitive one,
/// `alice` would select `ALICE`'s row. Every string comparison is made under `"C"`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_compares_text_byte_for_byte_whatever_the_collation() {
    let Some(url) = crate::testkit::database_or_skip("postgres_compares_text_byte_for_byte").await
    else {
        return;
    };
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(
            "CREATE COLLATION warden_test_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
             CREATE TABLE ci (id TEXT, owner TEXT COLLATE warden_test_ci, tags TEXT[] COLLATE warden_test_ci);
             INSERT INTO ci VALUES ('lower', 'alice', '{alice}'), ('upper', 'ALICE', '{ALICE}')",
        )
        .await
        .unwrap();
    let columns: super::sql::Columns = [("resource.owner", "owner"), ("resource.tags", "tags")]
        .into_iter()
        .map(|(a, c)| (a.to_string(), c.to_string()))
        .collect();
    for condition in [
        json!({"op":"==","left":{"attr":"resource.owner"},"right":{"entity":{"type":"User","id":"alice"}}}),
        json!({"op":"in","left":{"attr":"resource.owner"},"right":{"value":["alice","bob"]}}),
        json!({"op":"contains","left":{"attr":"resource.tags"},"right":{"value":"alice"}}),
        json!({"op":"like","left":{"attr":"resource.owner"},"pattern":"ali*"}),
    ] {
        let f = where_fragment(
            &Plan::of(parse(condition.clone()), vec![]),
            Dialect::Postgres,
            &columns,
            1,
        )
        .unwrap();
        let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = f
            .params
            .iter()
            .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
            .collect();
        let rows: Vec<String> = client
            .query(
                &format!("SELECT id FROM ci WHERE {} ORDER BY id", f.sql),
                &params,
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(rows, vec!["lower".to_string()], "{condition}: {}", f.sql);
    }
}
