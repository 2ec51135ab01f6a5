//! For random policies, principals and resources: the plan's condition evaluated on every
//! resource gives exactly the single decision, and its SQL translation run on a real table
//! of those resources selects exactly the allowed ones, on SQLite and on PostgreSQL (one
//! definition, run per back end). (The project's own deterministic generator, as the
//! index-equivalence test uses, rather than proptest: the same bounded cases run every
//! time, in a few seconds.)

use super::super::synth::Rng;
use super::*;
use crate::plan::eval::Subject;
use crate::plan::sql::{where_fragment, Columns, Dialect, Fragment, SqlError};

const SCHEMA: &str = r#"
entity Role in [Role];
entity User in [Role] { email: String, name: String };
entity Doc {
  owner: User, level: Long, title: String, subtitle?: String, public: Bool,
  tags: Set<String>, editors: Set<User>, codes: Set<Long>,
  dept: Role, groups: Set<Role>,
  meta: { level: Long, label?: String }, info?: { rank: Long }, labels?: Set<String>,
};
action view appliesTo { principal: User, resource: Doc, context: {} };
"#;

/// Strings an attacker may put in a row: NUL (SQLite's text functions stop at it), the
/// metacharacters of LIKE and GLOB, a backslash, characters beyond the BMP and at its edges
/// (lone surrogates cannot be a Rust or Cedar string: JSON with one does not parse), the
/// empty string, and a very long string.
fn nasty_title(rng: &mut Rng) -> String {
    match rng.below(14) {
        0 => "a\0secret".into(),
        1 => "\0".into(),
        2 => String::new(),
        3 => "%_".into(),
        4 => "[a]?".into(),
        5 => "a\\b".into(),
        6 => "sec\0ret".into(),
        7 => "x\u{10FFFF}secret\u{FFFD}".into(),
        8 => format!("{}secret{}", "t".repeat(3000), "\u{E000}".repeat(500)),
        9 => "*secret*".into(),
        10 => "se%cret".into(),
        11 => "\u{0}t1".into(),
        12 => "t1\0".into(),
        _ => "ś_[*]".into(),
    }
}

fn atom(rng: &mut Rng) -> String {
    let k = rng.below(4);
    match rng.below(42) {
        17 => format!("resource.level + 1 > {k}"),
        18 => format!("resource.codes.contains({k})"),
        19 => "resource.codes.containsAny([1, 2])".into(),
        0 => "resource.owner == principal".into(),
        // Another type's entity with the same id is never equal (the SQL holds ids only).
        1 => {
            let ty = ["User", "Role"][rng.below(2)];
            match rng.below(4) {
                0 => format!("resource.owner == {ty}::\"u{k}\""),
                1 => format!("resource.owner != {ty}::\"u{k}\""),
                2 => format!("resource.dept == {ty}::\"r{k}\""),
                _ => format!("resource.dept != {ty}::\"r{k}\""),
            }
        }
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
        7 => match rng.below(3) {
            0 => format!("resource.tags.contains(\"a{k}\")"),
            // An optional set: NULL in its column when absent.
            1 => format!("(resource has labels && resource.labels.contains(\"a{k}\"))"),
            _ => format!("(!(resource has labels) || !resource.labels.contains(\"a{k}\"))"),
        },
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
        16 => "(resource has subtitle && resource.subtitle == resource.title)".into(),
        // Membership against the principal's known ancestors (roles and their parents).
        20 => "principal in resource.dept".into(),
        21 => "principal in resource.groups".into(),
        22 => "principal in resource.owner".into(),
        23 => format!("Role::\"r{k}\" in resource.dept"),
        24 => format!("resource.dept in Role::\"r{k}\""),
        25 => format!("resource.dept in [Role::\"r{k}\", Role::\"r4\"]"),
        26 => format!("resource.owner in Role::\"r{k}\""),
        27 => format!("resource in Doc::\"d{k}\""),
        28 => format!("Role::\"r{k}\" in resource.groups"),
        // `is`, alone and with `in`.
        29 => [
            "resource is Doc",
            "resource.owner is User",
            "resource.dept is User",
        ][rng.below(3)]
        .into(),
        30 => format!("resource is Doc in Doc::\"d{k}\""),
        // Records one level deeper.
        31 => format!(
            "resource.meta.level {} {k}",
            ["==", "<", ">="][rng.below(3)]
        ),
        32 => "(resource.meta has label && resource.meta.label like \"s*\")".into(),
        33 => format!("(resource has info && resource.info.rank == {k})"),
        34 => "resource has info.rank".into(),
        // Bad data: NUL, metacharacters, the empty string.
        35 => format!(
            "resource.title like \"{}\"",
            [
                "*secret*",
                "*%*",
                "_*",
                "[*",
                "?*",
                "*\\\\*",
                "*\\0*",
                "sec*ret",
                "*\u{E000}",
                "*s*e*c*r*e*t*"
            ][rng.below(10)]
        ),
        36 => format!(
            "resource.tags.contains(\"{}\")",
            ["", "\\0", "a\\0", "%", "_"][rng.below(5)]
        ),
        37 => format!(
            "resource.title == \"{}\"",
            ["a\\0secret", "", "\\0", "%_"][rng.below(4)]
        ),
        38 => "resource.title like \"*\\0*\"".into(),
        // Forms that stay unsupported: another entity's attribute, `in` between unknowns.
        39 => "resource.owner.email like \"u1*\"".into(),
        40 => "resource.dept in resource.groups".into(),
        _ => "resource.title like \"*secret*\"".into(),
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
            let resource = match rng.below(20) {
                0..=2 => format!("resource == Doc::\"d{}\"", rng.below(6)),
                3 => format!("resource in Doc::\"d{}\"", rng.below(6)),
                4 => "resource is Doc".to_string(),
                _ => "resource".to_string(),
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

fn role(k: usize) -> Value {
    json!({"__entity": {"type": "Role", "id": format!("r{k}")}})
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
            let title = if rng.chance(30) {
                nasty_title(rng)
            } else {
                ["t0", "t1", "t2", "T1", "a*b", "axb", "t12"][rng.below(7)].to_string()
            };
            m.insert("title".into(), json!(title));
            if rng.chance(50) {
                m.insert("subtitle".into(), json!(["s1", "t1", "x"][rng.below(3)]));
            }
            m.insert("public".into(), json!(rng.chance(50)));
            let tags: Vec<String> = (0..rng.below(3))
                .map(|_| match rng.below(8) {
                    0 => "\0".to_string(),
                    1 => ["", "a\0", "%", "_"][rng.below(4)].to_string(),
                    _ => format!("a{}", rng.below(4)),
                })
                .collect();
            m.insert("tags".into(), json!(tags));
            let editors: Vec<Value> = (0..rng.below(3))
                .map(|_| json!({"__entity": {"type": "User", "id": format!("u{}", rng.below(4))}}))
                .collect();
            m.insert("editors".into(), json!(editors));
            let codes: Vec<usize> = (0..rng.below(3)).map(|_| rng.below(4)).collect();
            m.insert("codes".into(), json!(codes));
            m.insert("dept".into(), role(rng.below(5)));
            let groups: Vec<Value> = (0..rng.below(3)).map(|_| role(rng.below(5))).collect();
            m.insert("groups".into(), json!(groups));
            let mut meta = Map::new();
            meta.insert("level".into(), json!(rng.below(4)));
            if rng.chance(50) {
                meta.insert("label".into(), json!(["s1", "x", "s\0"][rng.below(3)]));
            }
            m.insert("meta".into(), Value::Object(meta));
            if rng.chance(50) {
                m.insert("info".into(), json!({"rank": rng.below(4)}));
            }
            if rng.chance(50) {
                let labels: Vec<String> = (0..rng.below(3))
                    .map(|_| format!("a{}", rng.below(4)))
                    .collect();
                m.insert("labels".into(), json!(labels));
            }
            m
        })
        .collect()
}

/// A principal `u0`..`u3` with random roles among `r0`..`r3`, where a role may have
/// parents above it (`r0` in `r2`, ...): `role_parents` lists every reachable role.
fn random_principal(rng: &mut Rng) -> Principal {
    let hierarchy: Vec<Vec<String>> = (0..4)
        .map(|i| {
            (i + 1..5)
                .filter(|_| rng.chance(25))
                .map(|j| format!("r{j}"))
                .collect()
        })
        .collect();
    let roles: Vec<String> = (0..rng.below(3))
        .map(|_| format!("r{}", rng.below(4)))
        .collect();
    let mut reachable: Vec<String> = roles.clone();
    let mut i = 0;
    while i < reachable.len() {
        let k: usize = reachable[i][1..].parse().unwrap();
        for p in hierarchy.get(k).into_iter().flatten() {
            if !reachable.contains(p) {
                reachable.push(p.clone());
            }
        }
        i += 1;
    }
    let role_parents = reachable
        .iter()
        .map(|r| {
            let k: usize = r[1..].parse().unwrap();
            (r.clone(), hierarchy.get(k).cloned().unwrap_or_default())
        })
        .collect();
    let mut attrs = Map::new();
    let id = format!("u{}", rng.below(4));
    attrs.insert("email".into(), json!(format!("{id}@example.com")));
    attrs.insert("name".into(), json!(id.clone()));
    Principal {
        id,
        attrs,
        roles,
        role_parents,
    }
}

fn entity_id(v: &Value) -> String {
    v["__entity"]["id"].as_str().unwrap().to_string()
}

/// The resources as rows of a table `docs` on one back end: entity references as ids, an
/// absent optional attribute as NULL, sets as JSON arrays (SQLite) or arrays (PostgreSQL).
trait Table {
    const DIALECT: Dialect;
    /// Make `docs` afresh with these resources, `d0`, `d1`, ... (the seed varies the
    /// column types where the back end has several); the ids of the rows it holds (a
    /// back end may be unable to hold some resources at all).
    fn load(&mut self, seed: u64, docs: &[Map<String, Value>]) -> Vec<String>;
    /// The ids of the rows the fragment selects.
    fn select(&mut self, fragment: &Fragment) -> Vec<String>;
}

struct Sqlite(rusqlite::Connection);

impl Table for Sqlite {
    const DIALECT: Dialect = Dialect::Sqlite;

    fn load(&mut self, _seed: u64, docs: &[Map<String, Value>]) -> Vec<String> {
        self.0
            .execute_batch(
                "DROP TABLE IF EXISTS docs;
                     CREATE TABLE docs (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL,
                       level INTEGER NOT NULL, title TEXT NOT NULL, subtitle TEXT,
                       public INTEGER NOT NULL, tags TEXT NOT NULL, editors TEXT NOT NULL,
                       codes TEXT NOT NULL, dept_id TEXT NOT NULL, groups TEXT NOT NULL,
                       meta_level INTEGER NOT NULL, meta_label TEXT, info INTEGER,
                       info_rank INTEGER, labels TEXT)",
            )
            .unwrap();
        for (i, d) in docs.iter().enumerate() {
            self.0
                .execute(
                    "INSERT INTO docs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,
                       ?12, ?13, ?14, ?15, ?16)",
                    rusqlite::params![
                        format!("d{i}"),
                        entity_id(&d["owner"]),
                        d["level"].as_i64().unwrap(),
                        d["title"].as_str().unwrap(),
                        d.get("subtitle").and_then(Value::as_str),
                        d["public"].as_bool().unwrap(),
                        d["tags"].to_string(),
                        serde_json::to_string(&ids(d, "editors")).unwrap(),
                        d["codes"].to_string(),
                        entity_id(&d["dept"]),
                        serde_json::to_string(&ids(d, "groups")).unwrap(),
                        d["meta"]["level"].as_i64().unwrap(),
                        d["meta"].get("label").and_then(Value::as_str),
                        d.get("info").map(|_| 1),
                        d.get("info").map(|i| i["rank"].as_i64().unwrap()),
                        d.get("labels").map(Value::to_string),
                    ],
                )
                .unwrap();
        }
        (0..docs.len()).map(|i| format!("d{i}")).collect()
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
    /// `text` or `varchar`, by seed, so that the parameters meet each type. PostgreSQL text
    /// cannot hold NUL: a resource holding one cannot be a row there (an app storing it
    /// gets an error at its write), so it is left out and only the others are compared.
    fn load(&mut self, seed: u64, docs: &[Map<String, Value>]) -> Vec<String> {
        let int = ["INT2", "INT4", "INT8"][(seed % 3) as usize];
        let text = ["TEXT", "VARCHAR(8000)"][(seed / 3 % 2) as usize];
        let create = format!(
            "DROP TABLE IF EXISTS docs;
                 CREATE TABLE docs (id {text} PRIMARY KEY, owner_id {text} NOT NULL,
                   level {int} NOT NULL, title {text} NOT NULL, subtitle {text},
                   public BOOLEAN NOT NULL, tags {text}[] NOT NULL, editors {text}[] NOT NULL,
                   codes {int}[] NOT NULL, dept_id {text} NOT NULL, groups {text}[] NOT NULL,
                   meta_level {int} NOT NULL, meta_label {text}, info {int}, info_rank {int},
                   labels {text}[])"
        );
        let mut loaded = Vec::new();
        self.runtime.block_on(async {
            self.client.batch_execute(&create).await.unwrap();
            for (i, d) in docs.iter().enumerate() {
                if serde_json::to_string(d).unwrap().contains("\\u0000") {
                    continue;
                }
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
                let labels: Option<Vec<String>> = d.get("labels").map(|l| {
                    l.as_array()
                        .unwrap()
                        .iter()
                        .map(|t| t.as_str().unwrap().to_owned())
                        .collect()
                });
                // Typed as text and int8 here; stored as the columns' types.
                self.client
                    .execute(
                        "INSERT INTO docs VALUES ($1::text, $2::text, $3::int8, $4::text,
                               $5::text, $6, $7::text[], $8::text[], $9::int8[], $10::text,
                               $11::text[], $12::int8, $13::text, $14::int8, $15::int8,
                               $16::text[])",
                        &[
                            &format!("d{i}"),
                            &entity_id(&d["owner"]),
                            &d["level"].as_i64().unwrap(),
                            &d["title"].as_str().unwrap(),
                            &d.get("subtitle").and_then(Value::as_str),
                            &d["public"].as_bool().unwrap(),
                            &tags,
                            &ids(d, "editors"),
                            &codes,
                            &entity_id(&d["dept"]),
                            &ids(d, "groups"),
                            &d["meta"]["level"].as_i64().unwrap(),
                            &d["meta"].get("label").and_then(Value::as_str),
                            &d.get("info").map(|_| 1i64),
                            &d.get("info").map(|i| i["rank"].as_i64().unwrap()),
                            &labels,
                        ],
                    )
                    .await
                    .unwrap();
                loaded.push(format!("d{i}"));
            }
        });
        loaded
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

fn ids(d: &Map<String, Value>, attr: &str) -> Vec<String> {
    d[attr].as_array().unwrap().iter().map(entity_id).collect()
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
        ("resource.dept", "dept_id"),
        ("resource.groups", "groups"),
        ("resource.meta.level", "meta_level"),
        ("resource.meta.label", "meta_label"),
        ("resource.info", "info"),
        ("resource.info.rank", "info_rank"),
        ("resource.labels", "labels"),
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
    let (mut unsupported, mut refused) = (0, 0);
    let mut forms: std::collections::BTreeMap<&str, usize> = Default::default();
    for seed in 1..=240u64 {
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
        let loaded = db.load(seed, &docs);
        for _ in 0..3 {
            let p = random_principal(&mut rng);
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
                // An evaluation error (another entity's attribute) denies.
                assert!(
                    decision.errors.is_empty() || !decision.allowed,
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
            let fragment = match where_fragment(&plan, T::DIALECT, &columns(), 1) {
                Ok(f) => f,
                // PostgreSQL text cannot hold NUL: a plan value holding one is refused,
                // with its reason, and no row is listed.
                Err(SqlError::Untranslatable(why))
                    if T::DIALECT == Dialect::Postgres && why.contains("NUL") =>
                {
                    refused += 1;
                    continue;
                }
                Err(e) => panic!("seed {seed}: {e}\npolicies:\n{text}\nplan: {plan:?}"),
            };
            let text_in_sql = format!("{fragment:?}");
            for (form, needle) in [
                ("in roles", "\"value\":[{\"type\":\"Role\""),
                ("in users", "\"value\":[{\"type\":\"User\""),
                ("in docs", "\"value\":[{\"type\":\"Doc\""),
                ("contains role", "\"entity\":{\"type\":\"Role\""),
                ("blob like", "AS BLOB"),
                ("record column", "meta_"),
                ("optional record", "info"),
                ("NUL", "\\u0000"),
            ] {
                if text_in_sql.contains(needle)
                    || serde_json::to_string(&plan).unwrap().contains(needle)
                {
                    *forms.entry(form).or_insert(0) += 1;
                }
            }
            let mut selected = db.select(&fragment);
            selected.sort();
            expected.retain(|id| loaded.contains(id));
            expected.sort();
            assert_eq!(
                selected, expected,
                "seed {seed}\npolicies:\n{text}\nsql: {} {:?}",
                fragment.sql, fragment.params
            );
        }
    }
    // The test means something only if all outcomes occur often.
    eprintln!(
        "allowed {allowed_total}, denied {denied_total}, conditional plans {conditional}, unsupported {unsupported}, refused (NUL on PostgreSQL) {refused}, forms {forms:?}"
    );
    assert!(
        allowed_total > 500 && denied_total > 500 && conditional > 100 && unsupported > 5,
        "allowed {allowed_total}, denied {denied_total}, conditional plans {conditional}, unsupported {unsupported}"
    );
}
