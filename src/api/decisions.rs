//! Decisions: `POST /v1/authorize`, its batch and its query plan.

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::{null_as_empty, object, objects, Object};

/// Longest name accepted in a decision body (a type, an id, an action), in characters;
/// free-form `properties` and `context` are bounded by the body limit only.
pub const MAX_NAME_CHARS: usize = 1024;

/// A non-empty name of at most [`MAX_NAME_CHARS`] characters (a type, an id, an action).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Name(String);

impl Name {
    /// The name, if it is one.
    pub fn new(text: impl Into<String>) -> Result<Name, String> {
        let text = text.into();
        if text.is_empty() {
            Err("must not be empty".into())
        } else if text.chars().count() > MAX_NAME_CHARS {
            Err(format!("is longer than {MAX_NAME_CHARS} characters"))
        } else {
            Ok(Name(text))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Name::new(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Name {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(1))
            .max_length(Some(MAX_NAME_CHARS))
            .description(Some("A non-empty name (a type, an id, an action)"))
            .into()
    }
}

impl ToSchema for Name {}

/// A resource in a decision: its type, id and properties (its attributes).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    #[serde(rename = "type")]
    pub kind: Name,
    pub id: Name,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub properties: Object,
}

/// `POST /v1/authorize`: may the token's user do `action` on `resource`?
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Authorize {
    /// An action: a name of the app's `Action` type (`readDocument`) or a full action uid
    /// (`Warden::Action::"users.read"`).
    pub action: Name,
    #[serde(deserialize_with = "object")]
    pub resource: Resource,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub context: Object,
}

/// `POST /v1/authorize/plan`: which resources of a type may the token's user do `action` on?
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// An action: a name of the app's `Action` type (`readDocument`) or a full action uid
    /// (`Warden::Action::"users.read"`).
    pub action: Name,
    /// The resource's entity type (`Document`).
    pub resource_type: Name,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub context: Object,
}

/// What a logged decision was (the wire form is the model's: `allow`, `deny`, `plan`).
pub use crate::model::DecisionKind;

/// The query plan (the wire format is the plan module's; see docs/query-plans.md).
pub use crate::plan::{EntityRef, Expr, Operand, Plan, PlanKind};

/// A plan's column mapping (the wire form is the plan module's; see docs/query-plans.md,
/// "SQL without Rust").
pub use crate::plan::mapping::{ColumnMapping, ColumnTarget, JoinTable, SqlDialect};

/// `POST /v1/authorize/plan/sql`: the plan of `/v1/authorize/plan` as a SQL `WHERE` fragment
/// over the columns `mapping` names.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanSqlRequest {
    /// An action: a name of the app's `Action` type (`readDocument`) or a full action uid
    /// (`Warden::Action::"users.read"`).
    pub action: Name,
    /// The resource's entity type (`Document`).
    pub resource_type: Name,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub context: Object,
    /// Where the resource's attributes are held, and the SQL dialect.
    #[serde(deserialize_with = "object")]
    pub mapping: ColumnMapping,
}

/// The answer of `POST /v1/authorize/plan/sql`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct PlanSql {
    /// The `WHERE` fragment, parenthesised (`(owner_id = ?1)`; `(1 = 1)` when every
    /// resource is allowed, `(1 = 0)` when none is). Values are only ever placeholders.
    pub sql: String,
    /// The values of the placeholders, in order from `first_param`: bind them, never paste
    /// them into the SQL.
    #[schema(value_type = Vec<SqlParam>)]
    pub params: Vec<serde_json::Value>,
    /// The plan the fragment says.
    pub plan: Plan,
}

/// A bound parameter of a SQL fragment: a string, a whole number or a boolean.
pub struct SqlParam;

impl utoipa::PartialSchema for SqlParam {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{OneOfBuilder, Type};
        use utoipa::openapi::ObjectBuilder;
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::String))
            .item(ObjectBuilder::new().schema_type(Type::Integer).format(Some(
                utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64),
            )))
            .item(ObjectBuilder::new().schema_type(Type::Boolean))
            .description(Some(
                "A bound parameter: a string, a whole number or a boolean",
            ))
            .into()
    }
}

impl ToSchema for SqlParam {}

/// The parameter as JSON (a string, a whole number or a boolean).
pub fn sql_param(p: &crate::plan::sql::Param) -> serde_json::Value {
    use crate::plan::sql::Param;
    match p {
        Param::Text(s) => serde_json::Value::from(s.as_str()),
        Param::Int(i) => serde_json::Value::from(*i),
        Param::Bool(b) => serde_json::Value::from(*b),
    }
}

/// The stable code of a refused mapping.
pub fn mapping_error_code(e: &crate::plan::mapping::MappingError) -> super::ErrorCode {
    use crate::plan::mapping::MappingError;
    match e {
        MappingError::UnknownDialect(_) => super::ErrorCode::UnknownDialect,
        MappingError::UnknownAttribute(_) => super::ErrorCode::UnknownAttribute,
        MappingError::UnsafeIdentifier { .. } => super::ErrorCode::UnsafeIdentifier,
        MappingError::Invalid(_) => super::ErrorCode::InvalidMapping,
    }
}

/// The stable code of a plan the SQL writer refused.
pub fn sql_error_code(e: &crate::plan::sql::SqlError) -> super::ErrorCode {
    use crate::plan::sql::SqlError;
    match e {
        SqlError::Unsupported(_) | SqlError::Untranslatable(_) => super::ErrorCode::UnsupportedPlan,
        SqlError::UnmappedAttribute(_) => super::ErrorCode::UnmappedAttribute,
        SqlError::BadColumn(_) => super::ErrorCode::UnsafeIdentifier,
    }
}

/// `POST /v1/authorize/batch`: several questions for one token, answered in order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorizeBatch {
    /// At most `batch_limit` items.
    #[serde(deserialize_with = "objects")]
    pub items: Vec<Authorize>,
}

/// A decision of `POST /v1/authorize`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct Authorization {
    /// `allow` or `deny`.
    pub decision: String,
    pub allowed: bool,
    /// The ids of the determining policies.
    pub reasons: Vec<String>,
    /// Why the decision failed closed, if it did.
    pub errors: Vec<String>,
    pub request_id: String,
}

/// The answer of `POST /v1/authorize/batch`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct Authorizations {
    pub results: Vec<Authorization>,
    pub request_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_non_empty_and_bounded_in_characters() {
        assert!(Name::new("").is_err());
        assert!(Name::new("é".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(Name::new("a".repeat(MAX_NAME_CHARS + 1)).is_err());
        let e = serde_json::from_str::<Resource>(r#"{"type":"","id":"x"}"#).unwrap_err();
        assert!(e.to_string().contains("must not be empty"), "{e}");
    }
}
