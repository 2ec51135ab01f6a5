//! For random policies, principals and resources: the plan's condition evaluated on every
//! resource gives exactly the single decision, and its SQL translation run on a real table
//! of those resources selects exactly the allowed ones, on SQLite and on PostgreSQL (one
//! definition, run per back end). (The project's own deterministic generator, as the
//! index-equivalence test uses, rather than proptest: the same bounded cases run every
//! time, in a few seconds.)

use super::super::synth::Rng;
use super::*;
use crate::plan::eval::Subject;
use crate::plan::sql::{where_fragment, Columns, Dialect, Fragment};

const SCHEMA: &str = r#"
entity Role in [Role];
entity User in [Role] { email: String, name: String };
entity Doc {
  owner: User, level: Long, title: String, subtitle?: String, public: Bool,
  tags: Set<String>, editors: Set<User>, codes: Set<Long>,
};
action view appliesTo { principal: User, resource: Doc, context: {} };
"#;

fn atom(rng: &mut Rng) -> String {
    let k = rng.below(4);
    match rng.below(20) {
        17 => format!("resource.level + 1 > {k}"),
        18 => format!("resource.codes.contains({k})"),
        19 => "resource.codes.containsAny([1, 2])".into(),
        0 => "resource.owner == principal".into(),
        1 => format!("resource.owner == User::\"u{k}\""),
        2 => format!(
            "resource.level {} {k}",
            ["==", "!=", "<", "<=", ">", ">="][rng.below(6)]
        ),
        3 => format!("resource.title == \"t{k}\""),
        4 => format!(
            "resource.title like \"{}\"",
            ["t*", "*1", "t*2*", "a\\*b", "T*", "*"][rng.below(6)]
        ),
        5 => "(resource has subtitle && resource.subtitle like \"s*\")".into(),
        6 => "resource.public".into(),
        7 => format!("resource.tags.contains(\"a{k}\")"),
        8 => "resource.tags.containsAny([\"a1\", \"a2\"])".into(),
        9 => "resource.tags.containsAll([\"a0\", \"a1\"])".into(),
        10 => "resource.editors.contains(principal)".into(),
        11 => "[1, 2].contains(resource.level)".into(),
        12 => format!("principal in Role::\"r{}\"", rng.below(3)),
        13 => format!("resource == Doc::\"d{k}\""),
        14 => {
            "(if resource.public then resource.level > 2 else resource.owner == principal)".into()
        }
        15 => format!("resource.title != \"t{k}\""),
        _ => "(resource has subtitle && resource.subtitle == resource.title)".into(),
    }
}

fn condition(rng: &mut Rng, depth: usize) -> String {
    if depth == 0 || rng.chance(40) {
        return atom(rng);
    }
    match rng.below(3) {
        0 => format!(
            "({} && {})",
            condition(rng, depth - 1),
            condition(rng, depth - 1)
        ),
        1 => format!(
            "({} || {})",
            condition(rng, depth - 1),
            condition(rng, depth - 1)
        ),
        _ => format!("!{}", condition(rng, depth - 1)),
    }
}

fn policies(rng: &mut Rng) -> String {
    (0..1 + rng.below(5))
        .map(|i| {
            let effect = if rng.chance(30) { "forbid" } else { "permit" };
            let principal = match rng.below(4) {
                0 | 1 => "principal".to_string(),
                2 => format!("principal in Role::\"r{}\"", rng.below(3)),
                _ => format!("principal == User::\"u{}\"", rng.below(4)),
            };
            let resource = if rng.chance(15) {
                format!("resource == Doc::\"d{}\"", rng.below(6))
            } else {
                "resource".to_string()
            };
            let clause = match rng.below(4) {
                0 => String::new(),
                1 => format!("unless {{ {} }}", condition(rng, 2)),
                _ => format!("when {{ {} }}", condition(rng, 2)),
            };
            format!("@id(\"p{i}\")\n{effect}({principal}, action == Action::\"view\", {resource}) {clause};\n")
        })
        .collect()
}

fn resources(rng: &mut Rng) -> Vec<Map<String, Value>> {
    (0..12)
        .map(|_| {
            let mut m = Map::new();
            m.insert(
                "owner".into(),
                json!({"__entity": {"type": "User", "id": format!("u{}", rng.below(4))}}),
            );
            m.insert("level".into(), json!(rng.below(5)));
            m.insert(
                "title".into(),
                json!(["t0", "t1", "t2", "T1", "a*b", "axb", "t12"][rng.below(7)]),
            );
            if rng.chance(50) {
                m.insert("subtitle".into(), json!(["s1", "t1", "x"][rng.below(3)]));
            }
            m.insert("public".into(), json!(rng.chance(50)));
            let tags: Vec<String> = (0..rng.below(3))
                .map(|_| format!("a{}", rng.below(4)))
                .collect();
            m.insert("tags".into(), json!(tags));
            let editors: Vec<Value> = (0..rng.below(3))
                .map(|_| json!({"__entity": {"type": "User", "id": format!("u{}", rng.below(4))}}))
                .collect();
            m.insert("editors".into(), json!(editors));
            let codes: Vec<usize> = (0..rng.below(3)).map(|_| rng.below(4)).collect();
            m.insert("codes".into(), json!(codes));
            m
        })
        .collect()
}

fn entity_id(v: &Value) -> String {
    v["__entity"]["id"].as_str().unwrap().to_string()
}

/// The resources as rows of a table `docs` on one back end: entity references as ids, an
/// absent optional attribute as NULL, sets as JSON arrays (SQLite) or arrays (PostgreSQL).
trait Table {
    const DIALECT: Dialect;
    /// Make `docs` afresh with these resources, `d0`, `d1`, ... (the seed varies the
    /// column types where the back end has several).
    fn load(&mut self, seed: u64, docs: &[Map<String, Value>]);
    /// The ids of the rows the fragment selects.
    fn select(&mut self, fragment: &Fragment) -> Vec<String>;
}

struct Sqlite(rusqlite::Connection);

impl Table for Sqlite {
    const DIALECT: Dialect = Dialect::Sqlite;

    fn load(&mut self, _seed: u64, docs: &[Map<String, Value>]) {
        self.0
            .execute_batch(
                "DROP TABLE IF EXISTS docs;
                     CREATE TABLE docs (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL,
                       level INTEGER NOT NULL, title TEXT NOT NULL, subtitle TEXT,
                       public INTEGER NOT NULL, tags TEXT NOT NULL, editors TEXT NOT NULL,
                       codes TEXT NOT NULL)",
            )
            .unwrap();
        for (i, d) in docs.iter().enumerate() {
            self.0
                .execute(
                    "INSERT INTO docs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    rusqlite::params![
                        format!("d{i}"),
                        entity_id(&d["owner"]),
                        d["level"].as_i64().unwrap(),
                        d["title"].as_str().unwrap(),
                        d.get("subtitle").and_then(Value::as_str),
                        d["public"].as_bool().unwrap(),
                        d["tags"].to_string(),
                        serde_json::to_string(&editors(d)).unwrap(),
                        d["codes"].to_string(),
                    ],
                )
                .unwrap();
        }
    }

    fn select(&mut self, fragment: &Fragment) -> Vec<String> {
        let mut stmt = self
            .0
            .prepare(&format!("SELECT id FROM docs WHERE {}", fragment.sql))
            .unwrap();
        stmt.query_map(rusqlite::params_from_iter(fragment.params.iter()), |r| {
            r.get(0)
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }
}

/// A database of the PostgreSQL test cluster, spoken to with tokio-postgres (the
/// parameters bind through their `tokio_postgres::types::ToSql`).
struct Postgres {
    runtime: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
}

impl Postgres {
    /// `None`: skipped, as `testkit::database_or_skip` rules.
    fn connect() -> Option<Postgres> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = runtime.block_on(async {
            let url =
                crate::testkit::database_or_skip("plans_agree_with_decisions_and_with_sql").await?;
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            Some(client)
        })?;
        Some(Postgres { runtime, client })
    }
}

impl Table for Postgres {
    const DIALECT: Dialect = Dialect::Postgres;

    /// Every whole-number column is `int2`, `int4` or `int8` and every string column
    /// `text` or `varchar`, by seed, so that the parameters meet each type.
    fn load(&mut self, seed: u64, docs: &[Map<String, Value>]) {
        let int = ["INT2", "INT4", "INT8"][(seed % 3) as usize];
        let text = ["TEXT", "VARCHAR(40)"][(seed / 3 % 2) as usize];
        let create = format!(
            "DROP TABLE IF EXISTS docs;
                 CREATE TABLE docs (id {text} PRIMARY KEY, owner_id {text} NOT NULL,
                   level {int} NOT NULL, title {text} NOT NULL, subtitle {text},
                   public BOOLEAN NOT NULL, tags {text}[] NOT NULL, editors {text}[] NOT NULL,
                   codes {int}[] NOT NULL)"
        );
        self.runtime.block_on(async {
            self.client.batch_execute(&create).await.unwrap();
            for (i, d) in docs.iter().enumerate() {
                let tags: Vec<String> = d["tags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_owned())
                    .collect();
                let codes: Vec<i64> = d["codes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_i64().unwrap())
                    .collect();
                // Typed as text and int8 here; stored as the columns' types.
                self.client
                    .execute(
                        "INSERT INTO docs VALUES ($1::text, $2::text, $3::int8, $4::text,
                               $5::text, $6, $7::text[], $8::text[], $9::int8[])",
                        &[
                            &format!("d{i}"),
                            &entity_id(&d["owner"]),
                            &d["level"].as_i64().unwrap(),
                            &d["title"].as_str().unwrap(),
                            &d.get("subtitle").and_then(Value::as_str),
                            &d["public"].as_bool().unwrap(),
                            &tags,
                            &editors(d),
                            &codes,
                        ],
                    )
                    .await
                    .unwrap();
            }
        });
    }

    fn select(&mut self, fragment: &Fragment) -> Vec<String> {
        let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = fragment
            .params
            .iter()
            .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
            .collect();
        // `id::text`: the column may be varchar.
        let sql = format!("SELECT id::text FROM docs WHERE {}", fragment.sql);
        self.runtime.block_on(async {
            self.client
                .query(&sql, &params)
                .await
                .unwrap_or_else(|e| panic!("{sql} {:?}: {e:?}", fragment.params))
                .iter()
                .map(|row| row.get(0))
                .collect()
        })
    }
}

fn editors(d: &Map<String, Value>) -> Vec<String> {
    d["editors"]
        .as_array()
        .unwrap()
        .iter()
        .map(entity_id)
        .collect()
}

fn columns() -> Columns {
    [
        ("resource", "id"),
        ("resource.owner", "owner_id"),
        ("resource.level", "level"),
        ("resource.title", "title"),
        ("resource.subtitle", "subtitle"),
        ("resource.public", "public"),
        ("resource.tags", "tags"),
        ("resource.editors", "editors"),
        ("resource.codes", "codes"),
    ]
    .into_iter()
    .map(|(a, c)| (a.to_string(), c.to_string()))
    .collect()
}

mod plans_agree_with_decisions_and_with_sql {
    use super::*;

    #[test]
    fn sqlite() {
        check(Sqlite(rusqlite::Connection::open_in_memory().unwrap()));
    }

    #[test]
    fn postgres() {
        if let Some(db) = Postgres::connect() {
            check(db);
        }
    }
}

fn check<T: Table>(mut db: T) {
    let (mut allowed_total, mut denied_total, mut conditional) = (0, 0, 0);
    let mut unsupported = 0;
    for seed in 1..=140u64 {
        let mut rng = Rng::new(seed);
        let text = policies(&mut rng);
        let dir = dir_with(&[("schema.cedarschema", SCHEMA), ("p.cedar", &text)]);
        let engine = match Engine::load(dir.path()) {
            Ok(e) => e,
            // Rarely, a random policy does not validate (an always-false comparison the
            // validator flags): not the plan's business.
            Err(_) => continue,
        };
        let docs = resources(&mut rng);
        db.load(seed, &docs);
        for _ in 0..3 {
            let roles: Vec<String> = (0..rng.below(3))
                .map(|_| format!("r{}", rng.below(3)))
                .collect();
            let parents: Vec<(String, Vec<String>)> =
                roles.iter().map(|r| (r.clone(), Vec::new())).collect();
            let mut attrs = Map::new();
            let id = format!("u{}", rng.below(4));
            attrs.insert("email".into(), json!(format!("{id}@example.com")));
            attrs.insert("name".into(), json!(id.clone()));
            let p = Principal {
                id,
                attrs,
                roles,
                role_parents: parents,
            };
            let plan = engine
                .plan(&PlanQuery {
                    principal: p.clone(),
                    action_type: "Action".into(),
                    action: "view".into(),
                    resource_type: "Doc".into(),
                    context: json!({}),
                })
                .unwrap();
            if !plan.unsupported.is_empty() {
                // Never a wrong condition: none at all, and no SQL.
                assert_eq!(plan.condition, None);
                assert!(where_fragment(&plan, T::DIALECT, &columns(), 1).is_err());
                unsupported += 1;
                continue;
            }
            conditional += usize::from(plan.kind == crate::plan::PlanKind::Conditional);
            let mut expected = Vec::new();
            for (i, properties) in docs.iter().enumerate() {
                let id = format!("d{i}");
                let decision = engine.decide(&Query {
                    principal: p.clone(),
                    action_type: "Action".into(),
                    action: "view".into(),
                    resource: Resource {
                        kind: "Doc".into(),
                        id: id.clone(),
                        properties: properties.clone(),
                    },
                    context: json!({}),
                });
                assert!(
                    decision.errors.is_empty(),
                    "seed {seed}: {:?}",
                    decision.errors
                );
                let subject = Subject {
                    kind: "Doc",
                    id: &id,
                    properties,
                };
                assert_eq!(
                    plan.allows(&subject),
                    Some(decision.allowed),
                    "seed {seed}, {id} {properties:?}\npolicies:\n{text}\nplan: {}",
                    serde_json::to_string(&plan).unwrap()
                );
                if decision.allowed {
                    allowed_total += 1;
                    expected.push(id);
                } else {
                    denied_total += 1;
                }
            }
            let fragment = where_fragment(&plan, T::DIALECT, &columns(), 1).unwrap();
            let mut selected = db.select(&fragment);
            selected.sort();
            expected.sort();
            assert_eq!(
                selected, expected,
                "seed {seed}\npolicies:\n{text}\nsql: {} {:?}",
                fragment.sql, fragment.params
            );
        }
    }
    // The test means something only if all outcomes occur often.
    assert!(
        allowed_total > 500 && denied_total > 500 && conditional > 100 && unsupported > 5,
        "allowed {allowed_total}, denied {denied_total}, conditional plans {conditional}, unsupported {unsupported}"
    );
}
