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
        "((owner_id = ?1) OR ((title IS NOT NULL) AND (title GLOB ?2)) OR EXISTS (SELECT 1 FROM json_each(tags) WHERE json_each.value = ?3) OR (n IN (?4, ?5)))"
    );
    assert_eq!(
        f.params,
        vec![
            Param::Text("x'; DROP TABLE t; --".into()),
            Param::Text("a%_[*][[]*".into()),
            Param::Text("x".into()),
            Param::Int(1),
            Param::Int(2)
        ]
    );
    let f = where_fragment(&plan, Dialect::Postgres, &columns(), 3).unwrap();
    assert_eq!(
        f.sql,
        "((owner_id = $3) OR ((title IS NOT NULL) AND (title LIKE $4 ESCAPE '\\')) OR ($5 = ANY(tags)) OR (n IN ($6, $7)))"
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
