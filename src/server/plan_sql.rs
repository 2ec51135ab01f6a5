//! `POST /v1/authorize/plan/sql`: the token's user's query plan as a SQL `WHERE` fragment
//! with its parameters, over the caller's column mapping, for a service that writes raw SQL
//! (Go, Python, Node) rather than embedding warden's Rust translator.
//!
//! Fail closed: a plan the fragment cannot say exactly (`unsupported`, an attribute without
//! a column, a form SQL cannot express) is a 400 with a stable code and no fragment, never a
//! looser one; `always_denied` is `(1 = 0)`. Security: the mapping's names are the only text
//! of the caller's that reaches the SQL, and [`crate::plan::mapping`] accepts plain
//! identifiers only (no quotes, spaces, semicolons, comments or keywords); values are bound
//! parameters. Authentication is `/v1/authorize/plan`'s: the user's own access token (the
//! user routes take no service client acting for a user; a service asking for someone else
//! uses AuthZEN's resource search).

use super::decide::{user_plan, verified_caller, Caller};
use super::error::ApiError;
use super::extract::{from_value, BearerToken, JsonBody};
use super::origin::CallerAddress;
use super::{AppState, RequestId};
use crate::api;
use crate::plan::mapping::Mapping;
use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde_json::Value;

pub async fn authorize_plan_sql(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    CallerAddress(address): CallerAddress,
    BearerToken(token): BearerToken,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<api::PlanSql>, ApiError> {
    // The token first: a caller without one learns nothing from validation errors.
    let principal = verified_caller(&state, token).await?.principal;
    let body = from_value::<api::PlanSqlRequest>(body, "")?;
    // The mapping before the plan: a refused mapping costs no evaluation.
    let mapping = Mapping::parse(&body.mapping).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            api::mapping_error_code(&e),
            format!("mapping: {e}"),
        )
    })?;
    // Logged as the plan it is, whether or not it then translates.
    let plan = user_plan(
        &state,
        principal,
        body.action.as_str(),
        body.resource_type.into_string(),
        body.context,
        Caller {
            client: String::new(),
            request_id,
            address,
        },
    )?;
    let fragment = mapping.where_fragment(&plan).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            api::sql_error_code(&e),
            e.to_string(),
        )
    })?;
    Ok(Json(api::PlanSql {
        sql: fragment.sql,
        params: fragment.params.iter().map(api::sql_param).collect(),
        plan,
    }))
}
