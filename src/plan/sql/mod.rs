//! A plan as a parameterised SQL `WHERE` fragment, for SQLite (`?N` placeholders) and
//! PostgreSQL (`$N`).
//!
//! Security: values reach the database only as bound parameters, never in the SQL text (SQL
//! injection, CWE-89); column names come from the caller's mapping, and only plain (optionally
//! qualified) identifiers are accepted there. A plan that cannot be translated exactly (an
//! `unsupported` plan, an attribute without a column, a value of a kind SQL cannot compare) is
//! an error, never a looser fragment: a list page built on a wrong fragment shows rows the user
//! may not see.
//!
//! Columns hold: strings, whole numbers and booleans as themselves; an entity reference as the
//! entity's id (the type is the column's); a set as a JSON array (SQLite, tested with
//! `json_each`) or an array (PostgreSQL, `= ANY(col)`); an absent optional attribute as NULL;
//! a record's attribute in a column of its own (`resource.meta.level` -> `meta_level`).
//!
//! Bad data: values are compared byte for byte over their whole length on both databases
//! (SQLite's `=`, `IN` and `json_each` values keep an embedded NUL; its `GLOB`/`LIKE` do not,
//! so `like` is matched on blobs). PostgreSQL text cannot hold NUL at all: a row cannot, and
//! a plan value holding one is refused. Text is compared under the byte-wise collation
//! (`COLLATE BINARY` / `COLLATE "C"`), never the column's (`NOCASE` would make `alice` select
//! `ALICE`'s row). On SQLite a set column that is NULL or not a JSON array makes `contains`
//! NULL (unknown, so `NOT` does not select it either). Names inside warden's own subqueries
//! start with `warden_`, which no mapped column may; json_each's own columns (`value`, `key`,
//! ...) stay visible unqualified inside its subquery, so an outer column of those names
//! compared there must be qualified. (docs/query-plans.md, "Hostile data", "Names".)

use super::{Expr, Operand, Plan};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

mod like;

/// The SQL dialect of a fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A bound parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Param {
    Text(String),
    Int(i64),
    Bool(bool),
}

impl rusqlite::ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Param::Text(s) => s.to_sql(),
            Param::Int(i) => i.to_sql(),
            Param::Bool(b) => b.to_sql(),
        }
    }
}

/// On PostgreSQL a parameter takes the type the server infers from the column it meets (in
/// `col = $1`, `col IN ($1, $2)` or `$1 = ANY(col)`, the column's type or its arrays'
/// element type): a whole number binds to `int2`, `int4` or `int8`, a string to `text` or
/// `varchar`, a boolean to `bool`. Anything else is an error, never a conversion.
///
/// Security: a whole number out of the column's range is an error, never wrapped or
/// truncated (`70000` bound to an `int2` column as `4464` would select other rows than
/// the plan allows). `char(n)` (it ignores trailing spaces) and `citext` (it ignores case)
/// are refused for strings: their comparisons are not Cedar's.
impl tokio_postgres::types::ToSql for Param {
    fn to_sql(
        &self,
        ty: &tokio_postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<tokio_postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use tokio_postgres::types::Type;
        let out_of_range = |column: &str| -> Box<dyn std::error::Error + Sync + Send> {
            format!("the plan's value {self:?} is out of range for the {column} column it is compared with").into()
        };
        match self {
            Param::Int(i) if *ty == Type::INT2 => i16::try_from(*i)
                .map_err(|_| out_of_range("int2"))?
                .to_sql(ty, out),
            Param::Int(i) if *ty == Type::INT4 => i32::try_from(*i)
                .map_err(|_| out_of_range("int4"))?
                .to_sql(ty, out),
            Param::Int(i) if *ty == Type::INT8 => i.to_sql(ty, out),
            Param::Text(s) if *ty == Type::TEXT || *ty == Type::VARCHAR => {
                s.as_str().to_sql(ty, out)
            }
            Param::Bool(b) if *ty == Type::BOOL => b.to_sql(ty, out),
            other => Err(format!(
                "the plan's value {other:?} cannot be compared with a column of type {ty}"
            )
            .into()),
        }
    }

    fn accepts(ty: &tokio_postgres::types::Type) -> bool {
        use tokio_postgres::types::Type;
        [
            Type::INT2,
            Type::INT4,
            Type::INT8,
            Type::TEXT,
            Type::VARCHAR,
            Type::BOOL,
        ]
        .contains(ty)
    }

    tokio_postgres::types::to_sql_checked!();
}

/// A `WHERE` fragment and its parameters, in placeholder order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fragment {
    pub sql: String,
    pub params: Vec<Param>,
}

/// Why a plan could not be translated. Never answered by a permissive fragment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SqlError {
    #[error("the plan has no exact condition ({0}); check each row with /v1/authorize")]
    Unsupported(String),
    #[error("attribute {0:?} has no column in the mapping")]
    UnmappedAttribute(String),
    #[error("column name {0:?} is not a plain identifier")]
    BadColumn(String),
    #[error("cannot translate: {0}")]
    Untranslatable(String),
}

/// Attribute paths (`resource.owner`, and `resource` for the resource's own id) to columns.
pub type Columns = HashMap<String, String>;

/// The alias of a join table in its subquery (no name of a mapping may be this).
pub const JOIN_ALIAS: &str = "warden_set";

/// A set attribute held in a join table, one row per member: `key` (the resource's id) and
/// `value` (a member), both written qualified with the table's alias (see
/// [`super::mapping`], which checks the names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetTable {
    /// `table` or `schema.table`.
    pub table: String,
    pub key: String,
    pub value: String,
}

struct Writer<'a> {
    dialect: Dialect,
    columns: &'a Columns,
    sets: &'a HashMap<String, SetTable>,
    params: Vec<Param>,
    first: usize,
}

fn plain_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// Names inside warden's own subqueries start with `warden_` (the join alias, json_each's
/// alias, the `like` query's table and columns), so no mapped column may (checked here and
/// in [`super::mapping`]): it would be captured by them.
pub const RESERVED_PREFIX: &str = "warden_";

/// The columns of SQLite's `json_each`: visible unqualified inside its subquery, whatever
/// its alias, so an unqualified outer column of one of these names would be captured.
pub const JSON_EACH_COLUMNS: [&str; 8] = [
    "key", "value", "type", "atom", "id", "parent", "fullkey", "path",
];

fn reserved(column: &str) -> bool {
    column
        .split('.')
        .any(|part| part.to_ascii_lowercase().starts_with(RESERVED_PREFIX))
}

impl Writer<'_> {
    /// SQL text comparisons follow the column's collation (SQLite `NOCASE`, a PostgreSQL
    /// case-insensitive or ICU collation): `alice` would select `ALICE`'s row. Cedar
    /// compares strings exactly, so every comparison with a text value is made under the
    /// byte-wise collation (`BINARY` on SQLite, `"C"` on PostgreSQL), written next to every
    /// string parameter (PostgreSQL refuses a collation on a non-text type, so a string
    /// compared with a number column is an error there, as it was).
    fn collate(&self, param: &Param) -> &'static str {
        match (self.dialect, param) {
            (Dialect::Sqlite, Param::Text(_)) => " COLLATE BINARY",
            (Dialect::Postgres, Param::Text(_)) => " COLLATE \"C\"",
            _ => "",
        }
    }

    fn bind(&mut self, p: Param) -> String {
        self.params.push(p);
        let n = self.first + self.params.len() - 1;
        match self.dialect {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
        }
    }

    fn column(&self, attr: &str) -> Result<String, SqlError> {
        if self.sets.contains_key(attr) {
            return Err(SqlError::Untranslatable(format!(
                "{attr} is held in a join table: only `contains` and `in` can test it"
            )));
        }
        let column = self
            .columns
            .get(attr)
            .ok_or_else(|| SqlError::UnmappedAttribute(attr.to_string()))?;
        if !plain_identifier(column) || reserved(column) {
            return Err(SqlError::BadColumn(column.clone()));
        }
        Ok(column.clone())
    }

    fn scalar(value: &Value) -> Result<Param, SqlError> {
        if let Some(entity) = entity_member(value) {
            // An entity reference: the column holds the entity's id.
            return Ok(Param::Text(entity.1.to_string()));
        }
        match value {
            Value::String(s) => Ok(Param::Text(s.clone())),
            Value::Bool(b) => Ok(Param::Bool(*b)),
            Value::Number(n) => n
                .as_i64()
                .map(Param::Int)
                .ok_or_else(|| SqlError::Untranslatable(format!("{n} is not a whole number"))),
            other => Err(SqlError::Untranslatable(format!(
                "{other} is not a string, whole number or boolean"
            ))),
        }
    }

    fn operand(&mut self, o: &Operand) -> Result<String, SqlError> {
        match o {
            Operand::Attr { attr } => self.column(attr),
            Operand::Value { value } => Ok(self.bind(Self::scalar(value)?)),
            Operand::Entity { entity } => Ok(self.bind(Param::Text(entity.id.clone()))),
        }
    }

    /// `set_column` contains the value `item`.
    fn contains(&mut self, set: &Operand, item: &Operand) -> Result<String, SqlError> {
        let Operand::Attr { attr } = set else {
            return Err(SqlError::Untranslatable(
                "`contains` on a literal set".into(),
            ));
        };
        if let Some(set) = self.sets.get(attr) {
            return self.joined_contains(set, item);
        }
        let column = self.column(attr)?;
        if let (Dialect::Sqlite, Operand::Attr { attr }) = (self.dialect, item) {
            let item_column = self.column(attr)?;
            if JSON_EACH_COLUMNS.contains(&item_column.to_ascii_lowercase().as_str()) {
                return Err(SqlError::Untranslatable(format!(
                    "{attr} is compared inside json_each's subquery, whose own column {item_column:?} would capture it: qualify it with its table"
                )));
            }
        }
        let collate = match item {
            Operand::Value { value } => self.collate(&Self::scalar(value)?),
            Operand::Entity { .. } => self.collate(&Param::Text(String::new())),
            Operand::Attr { .. } => "",
        };
        let item = self.operand(item)?;
        Ok(match self.dialect {
            // Security: `json_each` of NULL has no rows, and of a JSON object or scalar
            // reads that as a set; both would make `NOT EXISTS` select the row. A NULL
            // (absent) or non-array value is NULL here, unknown as for every other op.
            Dialect::Sqlite => format!(
                "(CASE WHEN {column} IS NULL OR json_type({column}) <> 'array' THEN NULL \
                 ELSE EXISTS (SELECT 1 FROM json_each({column}) AS warden_je \
                 WHERE warden_je.value = {item}{collate}) END)"
            ),
            Dialect::Postgres => format!("({item}{collate} = ANY({column}))"),
        })
    }

    /// A member of a join table's set: `EXISTS` of its row. Inside the subquery an
    /// unqualified column would name the join table's own column first, so every outer
    /// column there must be qualified (the mapping holds the resource id to that).
    fn joined_contains(&mut self, set: &SetTable, item: &Operand) -> Result<String, SqlError> {
        let id = self.column("resource")?;
        if let Operand::Attr { attr } = item {
            if !self.column(attr)?.contains('.') {
                return Err(SqlError::Untranslatable(format!(
                    "{attr} is compared inside {}'s subquery: qualify its column with its table",
                    set.table
                )));
            }
        }
        let collate = match item {
            Operand::Value { value } => self.collate(&Self::scalar(value)?),
            Operand::Entity { .. } => self.collate(&Param::Text(String::new())),
            Operand::Attr { .. } => "",
        };
        let item = self.operand(item)?;
        Ok(format!(
            "EXISTS (SELECT 1 FROM {} AS {} WHERE {} = {id} AND {} = {item}{collate})",
            set.table, JOIN_ALIAS, set.key, set.value
        ))
    }

    fn expr(&mut self, e: &Expr) -> Result<String, SqlError> {
        if let Some((op, left, right)) = e.as_cmp() {
            for side in [left, right] {
                if let Operand::Value { value } = side {
                    if !matches!(value, Value::String(_) | Value::Bool(_) | Value::Number(_)) {
                        return Err(SqlError::Untranslatable(format!("comparison with {value}")));
                    }
                }
            }
            let text = [left, right].iter().any(|side| match side {
                Operand::Value { value } => value.is_string(),
                Operand::Entity { .. } => true,
                Operand::Attr { .. } => false,
            });
            let collate = match (text, self.dialect, left, right) {
                (true, _, _, _) => self.collate(&Param::Text(String::new())),
                // Two columns: SQLite applies a collation to text only, so BINARY is safe
                // whatever their type; PostgreSQL's types are not known here.
                (false, Dialect::Sqlite, Operand::Attr { .. }, Operand::Attr { .. }) => {
                    " COLLATE BINARY"
                }
                _ => "",
            };
            let (l, r) = (self.operand(left)?, self.operand(right)?);
            return Ok(format!("({l}{collate} {} {r})", op.sql()));
        }
        Ok(match e {
            Expr::True => "(1 = 1)".into(),
            Expr::False => "(1 = 0)".into(),
            Expr::And { args } | Expr::Or { args } => {
                let joiner = if matches!(e, Expr::And { .. }) {
                    " AND "
                } else {
                    " OR "
                };
                if args.is_empty() {
                    return self.expr(&if joiner == " AND " {
                        Expr::True
                    } else {
                        Expr::False
                    });
                }
                let parts = args
                    .iter()
                    .map(|a| self.expr(a))
                    .collect::<Result<Vec<_>, _>>()?;
                format!("({})", parts.join(joiner))
            }
            Expr::Not { arg } => format!("(NOT {})", self.expr(arg)?),
            Expr::In { left, right } => match right {
                Operand::Value {
                    value: Value::Array(items),
                } => {
                    if items.is_empty() {
                        // An absent attribute stays NULL (Cedar errors on it), so that
                        // `NOT` does not select the row either.
                        return Ok(match left {
                            Operand::Attr { .. } => {
                                let l = self.operand(left)?;
                                format!("(CASE WHEN {l} IS NULL THEN NULL ELSE 1 = 0 END)")
                            }
                            _ => "(1 = 0)".into(),
                        });
                    }
                    // Entity references of one type only: the column holds ids of its
                    // own type, so ids of two types could not be told apart.
                    let kinds: Vec<Option<&str>> = items
                        .iter()
                        .map(|v| entity_member(v).map(|e| e.0))
                        .collect();
                    if kinds.iter().any(|k| *k != kinds[0]) {
                        return Err(SqlError::Untranslatable(
                            "`in` a set mixing entity types, or entities and values".into(),
                        ));
                    }
                    let l = self.operand(left)?;
                    let params = items
                        .iter()
                        .map(Self::scalar)
                        .collect::<Result<Vec<_>, _>>()?;
                    let collate = self.collate(&params[0]);
                    let list: Vec<String> = params.into_iter().map(|p| self.bind(p)).collect();
                    format!("({l}{collate} IN ({}))", list.join(", "))
                }
                Operand::Attr { .. } => self.contains(right, left)?,
                _ => return Err(SqlError::Untranslatable("`in` without a set".into())),
            },
            Expr::Contains { left, right } => self.contains(left, right)?,
            Expr::Has { attr } => format!("({} IS NOT NULL)", self.column(attr)?),
            Expr::Like { left, pattern } => {
                let l = self.operand(left)?;
                match self.dialect {
                    Dialect::Sqlite => self.sqlite_like(&l, pattern)?,
                    Dialect::Postgres => {
                        let p = self.bind(Param::Text(Self::postgres_like_pattern(pattern)));
                        format!("({l} COLLATE \"C\" LIKE {p} ESCAPE '\\')")
                    }
                }
            }
            _ => return Err(SqlError::Untranslatable("unknown op".into())),
        })
    }
}

/// `{"type": T, "id": I}` (the form plans use for an entity in a set value) as (T, I).
fn entity_member(value: &Value) -> Option<(&str, &str)> {
    let m = value.as_object()?;
    if m.len() != 2 {
        return None;
    }
    Some((m.get("type")?.as_str()?, m.get("id")?.as_str()?))
}

/// `plan` as a `WHERE` fragment over `columns`, its placeholders numbered from
/// `first_param` (1 unless the query binds other parameters before it).
pub fn where_fragment(
    plan: &Plan,
    dialect: Dialect,
    columns: &Columns,
    first_param: usize,
) -> Result<Fragment, SqlError> {
    if !plan.unsupported.is_empty() {
        return Err(SqlError::Unsupported(plan.unsupported.join("; ")));
    }
    let condition = plan
        .condition
        .as_ref()
        .ok_or_else(|| SqlError::Unsupported("no condition".into()))?;
    condition_fragment(condition, dialect, columns, first_param)
}

/// A condition tree as a `WHERE` fragment (see [`where_fragment`]).
pub fn condition_fragment(
    condition: &Expr,
    dialect: Dialect,
    columns: &Columns,
    first_param: usize,
) -> Result<Fragment, SqlError> {
    condition_fragment_with_sets(condition, dialect, columns, &HashMap::new(), first_param)
}

/// [`condition_fragment`] with some set attributes held in join tables (`sets`, by attribute
/// path; [`super::mapping::Mapping`] builds them from checked names).
pub fn condition_fragment_with_sets(
    condition: &Expr,
    dialect: Dialect,
    columns: &Columns,
    sets: &HashMap<String, SetTable>,
    first_param: usize,
) -> Result<Fragment, SqlError> {
    let mut w = Writer {
        dialect,
        columns,
        sets,
        params: Vec::new(),
        first: first_param.max(1),
    };
    let sql = w.expr(condition)?;
    // Security: PostgreSQL text cannot hold NUL (no row can either); a value holding one is
    // refused here with a reason rather than left to fail at the server.
    if dialect == Dialect::Postgres
        && w.params
            .iter()
            .any(|p| matches!(p, Param::Text(t) if t.contains('\0')))
    {
        return Err(SqlError::Untranslatable(
            "a string holding NUL: PostgreSQL text cannot hold it".into(),
        ));
    }
    Ok(Fragment {
        sql,
        params: w.params,
    })
}
