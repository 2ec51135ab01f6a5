//! OpenID AuthZEN 1.0: evaluations and the subject, resource and action searches.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{null_as_empty, object, optional_object, Name, Object, Plan, Resource};

/// An AuthZEN subject.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// A directory type (`user` by default).
    #[serde(rename = "type")]
    pub kind: Name,
    /// A user id or email.
    pub id: Name,
    /// Further attributes; the directory's own are never overwritten.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub properties: Object,
}

/// An AuthZEN action.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Action {
    pub name: Name,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub properties: Object,
}

/// `POST /access/v1/evaluation` (AuthZEN 1.0 section 6.1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    #[serde(deserialize_with = "object")]
    pub subject: Subject,
    #[serde(deserialize_with = "object")]
    pub action: Action,
    #[serde(deserialize_with = "object")]
    pub resource: Resource,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub context: Object,
}

/// One item of an evaluations request: each key given replaces that whole default.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationItem {
    #[serde(default, deserialize_with = "optional_object")]
    pub subject: Option<Subject>,
    #[serde(default, deserialize_with = "optional_object")]
    pub action: Option<Action>,
    #[serde(default, deserialize_with = "optional_object")]
    pub resource: Option<Resource>,
    pub context: Option<Object>,
}

/// How a batch of evaluations runs (AuthZEN 1.0 section 7.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationsSemantic {
    #[default]
    ExecuteAll,
    DenyOnFirstDeny,
    PermitOnFirstPermit,
}

/// The `options` of an evaluations request.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationsOptions {
    pub evaluations_semantic: Option<EvaluationsSemantic>,
    /// Add `context: {reasons, errors}` to every answer.
    pub explain: Option<bool>,
}

/// `POST /access/v1/evaluations`: defaults at the top level, items in `evaluations`. A bad
/// item is a deny (with the reason in the explanation), not a refused request. Without
/// items, the top level is one evaluation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Evaluations {
    #[serde(default, deserialize_with = "optional_object")]
    pub subject: Option<Subject>,
    #[serde(default, deserialize_with = "optional_object")]
    pub action: Option<Action>,
    #[serde(default, deserialize_with = "optional_object")]
    pub resource: Option<Resource>,
    pub context: Option<Object>,
    /// Each item is an [`EvaluationItem`], read on its own: a bad one (an unknown field, a
    /// wrong type) is a deny with the reason in its explanation, not a refused request.
    #[schema(value_type = Option<Vec<Value>>)]
    pub evaluations: Option<Vec<Value>>,
    #[serde(default, deserialize_with = "optional_object")]
    pub options: Option<EvaluationsOptions>,
}

/// Why a decision came out as it did (with `X-Warden-Explain: true` or `options.explain`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct Explanation {
    pub reasons: Vec<String>,
    pub errors: Vec<String>,
}

/// An AuthZEN decision.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct EvaluationAnswer {
    pub decision: bool,
    /// Only when an explanation was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Explanation>,
}

/// The answer of `POST /access/v1/evaluations` with items.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct EvaluationsAnswer {
    pub evaluations: Vec<EvaluationAnswer>,
}

/// A page request of a search (AuthZEN 1.0 section 8.2).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageRequest {
    /// The `next_token` of the previous page (opaque).
    pub token: Option<String>,
    /// Results per page (default 50, at most 1000 are given).
    #[schema(minimum = 1, maximum = 18446744073709551615_u64)]
    pub limit: Option<u64>,
}

/// Where a search continues: an empty token at the end.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct PageAnswer {
    pub next_token: String,
}

/// `POST /access/v1/search/action`: which actions may this subject do on this resource?
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionSearch {
    #[serde(deserialize_with = "object")]
    pub subject: Subject,
    #[serde(deserialize_with = "object")]
    pub resource: Resource,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub context: Object,
    #[serde(default, deserialize_with = "optional_object")]
    pub page: Option<PageRequest>,
}

/// An action found by a search.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct ActionFound {
    pub name: String,
}

/// The answer of `POST /access/v1/search/action`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct ActionSearchAnswer {
    pub results: Vec<ActionFound>,
    pub page: PageAnswer,
}

/// The subject of a subject search: a type, no id.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectKind {
    #[serde(rename = "type")]
    pub kind: Name,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub properties: Object,
}

/// `POST /access/v1/search/subject`: which users may do this action on this resource?
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectSearch {
    #[serde(deserialize_with = "object")]
    pub subject: SubjectKind,
    #[serde(deserialize_with = "object")]
    pub action: Action,
    #[serde(deserialize_with = "object")]
    pub resource: Resource,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub context: Object,
    #[serde(default, deserialize_with = "optional_object")]
    pub page: Option<PageRequest>,
}

/// A subject found by a search.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct SubjectFound {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// The answer of `POST /access/v1/search/subject`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct SubjectSearchAnswer {
    pub results: Vec<SubjectFound>,
    pub page: PageAnswer,
}

/// The resource of a resource search: its type only (AuthZEN 1.0 section 8.4).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceKind {
    /// A Cedar entity type of the schema (`Document`, `User`).
    #[serde(rename = "type")]
    pub kind: Name,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub properties: Object,
}

/// `POST /access/v1/search/resource`: which resources of a type may this subject act on?
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceSearch {
    #[serde(deserialize_with = "object")]
    pub subject: Subject,
    #[serde(deserialize_with = "object")]
    pub action: Action,
    #[serde(deserialize_with = "object")]
    pub resource: ResourceKind,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub context: Object,
    #[serde(default, deserialize_with = "optional_object")]
    pub page: Option<PageRequest>,
}

/// A resource found by a search.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct ResourceFound {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// The answer of `POST /access/v1/search/resource`: the AuthZEN page of the resources warden
/// can list (directory users, for the type `User`, and roles, for `Role`), and the query plan
/// for every resource of the type, which the caller applies to its own store.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct ResourceSearchAnswer {
    pub results: Vec<ResourceFound>,
    pub page: PageAnswer,
    /// Whether warden listed the resources of this type (`results`); when false, `results`
    /// is empty and `plan` is the answer: warden does not hold these resources.
    pub enumerated: bool,
    pub plan: Plan,
}

/// `GET /.well-known/authzen-configuration`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuthZenConfiguration {
    pub policy_decision_point: String,
    pub access_evaluation_endpoint: String,
    pub access_evaluations_endpoint: String,
    pub search_subject_endpoint: String,
    pub search_resource_endpoint: String,
    pub search_action_endpoint: String,
}
