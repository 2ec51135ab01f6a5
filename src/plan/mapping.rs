//! The column mapping of a SQL fragment, as a service that is not written in Rust sends it
//! (`POST /v1/authorize/plan/sql`, `warden decide --plan --sql --mapping FILE`): the dialect,
//! the first placeholder's number, and for each attribute path the column that holds it, or
//! for a set attribute the join table that holds its members.
//!
//! ```json
//! {"dialect": "sqlite", "first_param": 1,
//!  "columns": {"resource": "documents.id", "resource.owner": "owner_id",
//!              "resource.tags": {"table": "document_tags", "key": "document_id", "value": "tag"}}}
//! ```
//!
//! [`ColumnMapping`] is the wire form; [`Mapping::parse`] turns it into a [`Mapping`], whose
//! every name is safe to write into SQL, or refuses it with a [`MappingError`] that says why.
//!
//! Security (SQL injection, CWE-89): values never reach the SQL text (they are bound
//! parameters, see [`super::sql`]), but identifiers must, so an identifier is accepted only
//! when it is *plain*: ASCII letters, digits and `_`, not starting with a digit, at most
//! [`MAX_IDENTIFIER_BYTES`] bytes, optionally qualified once (`table.column`,
//! `schema.table`). No quotes, spaces, semicolons, comment markers or anything else. We write
//! identifiers unquoted (so `(owner_id = ?1)` reads as what the service would write) and
//! therefore refuse every SQL keyword of either dialect, in any case: unquoted, a keyword is
//! not a column (`true` compared with a bound `true` would select every row, `current_user`
//! is PostgreSQL's session user). Quoting was considered and refused: SQLite reads a
//! double-quoted name that matches no column as a string literal, so a misspelt quoted
//! column would compare a constant and could select every row. A column named like a keyword
//! is reached through a view or an alias in the service's own query. PostgreSQL folds
//! unquoted names to lower case, as it does for the service's own SQL.
//!
//! A join table is read in a subquery with the alias [`JOIN_ALIAS`]; inside it an unqualified
//! name would be looked up in the join table first, so the resource's id column must be
//! qualified (`documents.id`) when the mapping has a join table, and no identifier may use
//! the alias' name.

pub use super::sql::JOIN_ALIAS;
use super::sql::{condition_fragment_with_sets, Columns, Dialect, Fragment, SetTable, SqlError};
use super::Plan;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// The most entries a mapping's `columns` may have (a resource type has a few attributes;
/// a mapping is parsed on every request, so its size is bounded).
pub const MAX_MAPPING_ENTRIES: usize = 64;
/// The longest identifier part, in bytes: PostgreSQL's (`NAMEDATALEN - 1`). It silently
/// truncates longer names, so two long names could meet as one column.
pub const MAX_IDENTIFIER_BYTES: usize = 63;
/// The longest attribute path, in bytes.
pub const MAX_ATTRIBUTE_PATH_BYTES: usize = 256;
/// The highest first placeholder number: SQLite's default `SQLITE_MAX_VARIABLE_NUMBER`.
pub const MAX_FIRST_PARAM: u64 = 32766;

/// Where a resource's attributes are held in the caller's database, and the SQL dialect: the
/// column mapping of a SQL fragment (docs/query-plans.md, "SQL without Rust").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    /// `sqlite` (`?N` placeholders, sets in JSON array columns) or `postgres` (`$N`, sets in
    /// array columns).
    #[schema(value_type = SqlDialect)]
    pub dialect: String,
    /// The number of the first placeholder: 1 (the default) unless the query binds
    /// parameters of its own before the fragment.
    #[serde(default = "first_param_default")]
    #[schema(minimum = 1, maximum = 32766, required = false)]
    pub first_param: u64,
    /// Attribute paths (`resource` for the resource's id, `resource.owner`, ...) to the
    /// column that holds each, or for a set attribute the join table that holds its members
    /// (at most 64 entries).
    pub columns: BTreeMap<String, ColumnTarget>,
}

fn first_param_default() -> u64 {
    1
}

/// The SQL dialects a mapping can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SqlDialect {
    Sqlite,
    Postgres,
}

/// Where an attribute is held: a column (for a set, a JSON array column on SQLite or an
/// array column on PostgreSQL), or a join table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ColumnTarget {
    /// A column: `owner_id`, or qualified, `documents.owner_id`.
    Column(String),
    /// The members of a set attribute, one row each in a join table.
    JoinTable(JoinTable),
}

/// A set attribute held in a join table: a row `(key, value)` for each member, `key` being
/// the resource's id. `resource.tags.contains("x")` becomes
/// `EXISTS (SELECT 1 FROM table AS warden_set WHERE warden_set.key = <resource id column>
/// AND warden_set.value = ?1)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinTable {
    /// The join table: `document_tags`, or qualified, `public.document_tags`.
    pub table: String,
    /// Its column holding the resource's id.
    pub key: String,
    /// Its column holding one member of the set.
    pub value: String,
}

// A string is a column, an object a join table; anything else is refused with a sentence
// that says so (serde's untagged enums only say "did not match any variant").
impl<'de> Deserialize<'de> for ColumnTarget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Target;
        impl<'de> serde::de::Visitor<'de> for Target {
            type Value = ColumnTarget;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a column name, or a join table {\"table\", \"key\", \"value\"}")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ColumnTarget, E> {
                Ok(ColumnTarget::Column(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<ColumnTarget, A::Error> {
                JoinTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(ColumnTarget::JoinTable)
            }
        }
        d.deserialize_any(Target)
    }
}

/// Why a mapping was refused. Each kind has its own stable error code on the wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// The dialect is neither `sqlite` nor `postgres`.
    #[error("unknown SQL dialect {0:?}; use \"sqlite\" or \"postgres\"")]
    UnknownDialect(String),
    /// A key is not an attribute path of the resource.
    #[error("{0:?} is not an attribute path of the resource: use `resource` (its id), `resource.<attribute>` or `resource.<attribute>.<attribute>`, with names of letters, digits and `_`")]
    UnknownAttribute(String),
    /// An identifier that is not safe to write into SQL.
    #[error("{what} {name:?} of {attr:?} is refused: {why}")]
    UnsafeIdentifier {
        attr: String,
        what: &'static str,
        name: String,
        why: String,
    },
    /// The mapping is too large or inconsistent (the message says how).
    #[error("{0}")]
    Invalid(String),
}

/// A mapping whose every name is safe to write into SQL (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    dialect: Dialect,
    first_param: usize,
    columns: Columns,
    sets: HashMap<String, SetTable>,
}

impl Mapping {
    /// `raw`, checked: every refusal says which entry and why.
    pub fn parse(raw: &ColumnMapping) -> Result<Mapping, MappingError> {
        let dialect = match raw.dialect.as_str() {
            "sqlite" => Dialect::Sqlite,
            "postgres" => Dialect::Postgres,
            other => return Err(MappingError::UnknownDialect(other.to_string())),
        };
        if !(1..=MAX_FIRST_PARAM).contains(&raw.first_param) {
            return Err(MappingError::Invalid(format!(
                "first_param {} is out of range: 1 to {MAX_FIRST_PARAM}",
                raw.first_param
            )));
        }
        if raw.columns.len() > MAX_MAPPING_ENTRIES {
            return Err(MappingError::Invalid(format!(
                "the mapping has {} columns; at most {MAX_MAPPING_ENTRIES} are allowed",
                raw.columns.len()
            )));
        }
        let mut columns = Columns::new();
        let mut sets = HashMap::new();
        for (attr, target) in &raw.columns {
            if !attribute_path(attr) {
                return Err(MappingError::UnknownAttribute(attr.clone()));
            }
            let check = |what: &'static str, name: &str, parts: usize| {
                identifier(name, parts).map_err(|why| MappingError::UnsafeIdentifier {
                    attr: attr.clone(),
                    what,
                    name: name.to_string(),
                    why,
                })
            };
            match target {
                ColumnTarget::Column(column) => {
                    check("column", column, 2)?;
                    columns.insert(attr.clone(), column.clone());
                }
                ColumnTarget::JoinTable(join) if attr == "resource" => {
                    return Err(MappingError::Invalid(format!(
                        "`resource` is the resource's id: map it to a column, not to the join table {:?}",
                        join.table
                    )));
                }
                ColumnTarget::JoinTable(join) => {
                    check("table", &join.table, 2)?;
                    check("key column", &join.key, 1)?;
                    check("value column", &join.value, 1)?;
                    sets.insert(
                        attr.clone(),
                        SetTable {
                            table: join.table.clone(),
                            key: format!("{JOIN_ALIAS}.{}", join.key),
                            value: format!("{JOIN_ALIAS}.{}", join.value),
                        },
                    );
                }
            }
        }
        if let Some((attr, _)) = sets.iter().next() {
            // Inside the join's subquery an unqualified id column would name the join
            // table's own column of that name, if it has one: the condition would compare
            // the join table with itself and could hold for every row.
            match columns.get("resource") {
                Some(id) if id.contains('.') => {}
                Some(id) => {
                    return Err(MappingError::Invalid(format!(
                        "{attr:?} is held in a join table, so the resource's id column must be qualified with its table (`documents.{id}`, not `{id}`)"
                    )))
                }
                None => {
                    return Err(MappingError::Invalid(format!(
                        "{attr:?} is held in a join table: map `resource` to the resource's id column, qualified with its table (`documents.id`)"
                    )))
                }
            }
        }
        Ok(Mapping {
            dialect,
            first_param: raw.first_param as usize,
            columns,
            sets,
        })
    }

    /// The dialect the fragment is written in.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The number of the first placeholder.
    pub fn first_param(&self) -> usize {
        self.first_param
    }

    /// `plan` as a `WHERE` fragment over this mapping. An `unsupported` plan, an attribute
    /// without a column, or a condition SQL cannot say exactly is an error, never a looser
    /// fragment.
    pub fn where_fragment(&self, plan: &Plan) -> Result<Fragment, SqlError> {
        if !plan.unsupported.is_empty() {
            return Err(SqlError::Unsupported(plan.unsupported.join("; ")));
        }
        let condition = plan
            .condition
            .as_ref()
            .ok_or_else(|| SqlError::Unsupported("no condition".into()))?;
        condition_fragment_with_sets(
            condition,
            self.dialect,
            &self.columns,
            &self.sets,
            self.first_param,
        )
    }
}

/// `resource`, `resource.a` or `resource.a.b` (a record's attribute, one level deeper), each
/// name an identifier of letters, digits and `_`.
fn attribute_path(path: &str) -> bool {
    let mut parts = path.split('.');
    path.len() <= MAX_ATTRIBUTE_PATH_BYTES
        && parts.next() == Some("resource")
        && path.split('.').count() <= 3
        && parts.all(|p| {
            let mut chars = p.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// Whether `name` is a plain identifier of at most `max_parts` dot-separated parts, or why
/// not.
fn identifier(name: &str, max_parts: usize) -> Result<(), String> {
    if name.is_empty() {
        return Err("it is empty".into());
    }
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() > max_parts {
        return Err(if max_parts == 1 {
            "it must be a plain name, without a qualifier".into()
        } else {
            format!("it has more than {max_parts} dot-separated parts")
        });
    }
    for part in parts {
        if part.is_empty() {
            return Err("it has an empty part (two dots, or a dot at an end)".into());
        }
        if part.len() > MAX_IDENTIFIER_BYTES {
            return Err(format!(
                "a part is longer than {MAX_IDENTIFIER_BYTES} bytes (PostgreSQL would cut it short)"
            ));
        }
        if let Some(c) = part
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
        {
            return Err(format!(
                "it holds {c:?}: only ASCII letters, digits and `_` are allowed (no quotes, spaces, semicolons or comments)"
            ));
        }
        if part.starts_with(|c: char| c.is_ascii_digit()) {
            return Err("a part starts with a digit".into());
        }
        let lower = part.to_ascii_lowercase();
        if lower.starts_with(super::sql::RESERVED_PREFIX) {
            return Err(format!(
                "names starting with `{}` are reserved for warden's own subqueries (`{JOIN_ALIAS}`, json_each's alias, the `like` query's columns), which would capture them",
                super::sql::RESERVED_PREFIX
            ));
        }
        if SQL_KEYWORDS.binary_search(&lower.as_str()).is_ok() {
            return Err(format!(
                "`{part}` is an SQL keyword (written unquoted, it would not name a column); use a view or an alias"
            ));
        }
    }
    Ok(())
}

/// SQLite's keywords (sqlite.org/lang_keywords.html) and PostgreSQL's reserved ones
/// (postgresql.org/docs/current/sql-keywords-appendix.html, "reserved" and "reserved (can be
/// function or type)"), and the value-like names `true`, `false`, `user` and the `current_*`
/// family; sorted, lower case.
#[rustfmt::skip]
const SQL_KEYWORDS: &[&str] = &[
    "abort", "action", "add", "after", "all", "alter", "always", "analyse", "analyze", "and",
    "any", "array", "as", "asc", "asymmetric", "attach", "authorization", "autoincrement",
    "before", "begin", "between", "binary", "both", "by", "cascade", "case", "cast", "check",
    "collate", "collation", "column", "commit", "concurrently", "conflict", "constraint",
    "create", "cross", "current", "current_catalog", "current_date", "current_role",
    "current_schema", "current_time", "current_timestamp", "current_user", "database",
    "default", "deferrable", "deferred", "delete", "desc", "detach", "distinct", "do", "drop",
    "each", "else", "end", "escape", "except", "exclude", "exclusive", "exists", "explain",
    "fail", "false", "fetch", "filter", "first", "following", "for", "foreign", "freeze",
    "from", "full", "generated", "glob", "grant", "group", "groups", "having", "if", "ignore",
    "ilike", "immediate", "in", "index", "indexed", "initially", "inner", "insert", "instead",
    "intersect", "into", "is", "isnull", "join", "key", "last", "lateral", "leading", "left",
    "like", "limit", "localtime", "localtimestamp", "match", "materialized", "natural", "no",
    "not", "nothing", "notnull", "null", "nulls", "of", "offset", "on", "only", "or", "order",
    "others", "outer", "over", "overlaps", "partition", "placing", "plan", "pragma",
    "preceding", "primary", "query", "raise", "range", "recursive", "references", "regexp",
    "reindex", "release", "rename", "replace", "restrict", "returning", "right", "rollback",
    "row", "rows", "savepoint", "select", "session_user", "set", "similar", "some", "symmetric",
    "system_user", "table", "tablesample", "temp", "temporary", "then", "ties", "to",
    "trailing", "transaction", "trigger", "true", "unbounded", "union", "unique", "update",
    "user", "using", "vacuum", "values", "variadic", "verbose", "view", "virtual", "when",
    "where", "window", "with", "without",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{EntityRef, Expr, Operand};
    use serde_json::json;

    fn mapping(v: serde_json::Value) -> Result<Mapping, MappingError> {
        Mapping::parse(&serde_json::from_value::<ColumnMapping>(v).unwrap())
    }

    #[test]
    fn keywords_are_sorted_lower_case_and_unique() {
        for pair in SQL_KEYWORDS.windows(2) {
            assert!(pair[0] < pair[1], "{pair:?}");
        }
        assert!(SQL_KEYWORDS.iter().all(|k| *k == k.to_ascii_lowercase()));
    }

    #[test]
    fn plain_identifiers_pass_and_everything_else_is_refused() {
        for ok in [
            "owner_id",
            "documents.owner_id",
            "_x1",
            "OwnerId",
            &"a".repeat(63),
        ] {
            assert_eq!(identifier(ok, 2), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "owner_id; DROP TABLE x",
            "\"owner_id\"",
            "owner'id",
            "owner_id--",
            "owner_id/*x*/",
            "owner id",
            "a.b.c",
            "a..b",
            ".a",
            "1abc",
            "ówner",
            "TRUE",
            "select",
            "Current_User",
            "warden_set.id",
            "warden_p",
            "docs.WARDEN_je",
            &"a".repeat(64),
        ] {
            assert!(identifier(bad, 2).is_err(), "{bad:?} passed");
        }
        assert!(identifier("documents.tag", 1).is_err());
    }

    #[test]
    fn a_mapping_parses_or_says_which_entry_is_wrong() {
        let m = mapping(json!({"dialect": "sqlite", "columns": {"resource.owner": "owner_id"}}))
            .unwrap();
        assert_eq!(m.first_param, 1);
        let e = mapping(json!({"dialect": "mysql", "columns": {}})).unwrap_err();
        assert_eq!(e, MappingError::UnknownDialect("mysql".into()));
        let e =
            mapping(json!({"dialect": "postgres", "columns": {"principal.x": "x"}})).unwrap_err();
        assert!(matches!(e, MappingError::UnknownAttribute(_)), "{e}");
        let e = mapping(json!({"dialect": "postgres", "columns": {"resource.owner": "x;y"}}))
            .unwrap_err();
        assert!(e.to_string().contains("\"resource.owner\""), "{e}");
        let e = mapping(json!({"dialect": "sqlite", "first_param": 0, "columns": {}})).unwrap_err();
        assert!(matches!(e, MappingError::Invalid(_)), "{e}");
        let many: serde_json::Map<_, _> = (0..65)
            .map(|i| (format!("resource.a{i}"), json!("c")))
            .collect();
        let e = mapping(json!({"dialect": "sqlite", "columns": many})).unwrap_err();
        assert!(e.to_string().contains("at most 64"), "{e}");
        assert!(serde_json::from_value::<ColumnMapping>(
            json!({"dialect": "sqlite", "columns": {"resource.tags": {"table": "t", "key": "k"}}})
        )
        .is_err());
        assert!(serde_json::from_value::<ColumnMapping>(
            json!({"dialect": "sqlite", "columns": {"resource.tags": 3}})
        )
        .unwrap_err()
        .to_string()
        .contains("a column name, or a join table"));
    }

    #[test]
    fn a_join_table_needs_a_qualified_resource_id() {
        let tags = json!({"table": "document_tags", "key": "document_id", "value": "tag"});
        for columns in [
            json!({"resource.tags": tags}),
            json!({"resource": "id", "resource.tags": tags}),
            json!({"resource": tags}),
        ] {
            let e = mapping(json!({"dialect": "sqlite", "columns": columns})).unwrap_err();
            assert!(matches!(e, MappingError::Invalid(_)), "{e}");
        }
    }

    #[test]
    fn a_set_in_a_join_table_becomes_an_exists_subquery() {
        let plan = Plan::of(
            Expr::And {
                args: vec![
                    Expr::Contains {
                        left: Operand::Attr {
                            attr: "resource.tags".into(),
                        },
                        right: Operand::Value {
                            value: json!("public"),
                        },
                    },
                    Expr::In {
                        left: Operand::Entity {
                            entity: EntityRef {
                                kind: "User".into(),
                                id: "alice".into(),
                            },
                        },
                        right: Operand::Attr {
                            attr: "resource.readers".into(),
                        },
                    },
                ],
            },
            vec![],
        );
        let columns = json!({
            "resource": "d.id",
            "resource.tags": {"table": "document_tags", "key": "document_id", "value": "tag"},
            "resource.readers": "readers",
        });
        let m =
            mapping(json!({"dialect": "postgres", "first_param": 3, "columns": columns})).unwrap();
        let f = m.where_fragment(&plan).unwrap();
        assert_eq!(
            f.sql,
            "(EXISTS (SELECT 1 FROM document_tags AS warden_set WHERE warden_set.document_id = d.id AND warden_set.tag = $3 COLLATE \"C\") AND ($4 COLLATE \"C\" = ANY(readers)))"
        );
        // `has` cannot tell an absent set from an empty one in a join table: refused.
        let has = Plan::of(
            Expr::Has {
                attr: "resource.tags".into(),
            },
            vec![],
        );
        assert!(matches!(
            m.where_fragment(&has),
            Err(SqlError::Untranslatable(_))
        ));
    }
}
