//! `/admin/v1/policies/versions`, `/policies/diff`, `/policies/rollback`: published policy
//! sets (issue 29). Each handler is one call into the core (`App::publish_policies`, ...);
//! the route table guards them (`policies.read` for the reads, `policies.publish` for
//! publish and rollback) before the body is read.
//!
//! Security notes:
//! - Publishing is the most powerful admin action there is (a set can grant anything), so it
//!   is its own Cedar action, `policies.publish`, never implied by `policies.reload`; a
//!   delegated admin without it is refused (403) before the body is read.
//! - The publish body is the only admin body allowed to be large (a 10,000-policy set is
//!   megabytes): it has its own limit, [`PUBLISH_MAX_BODY_BYTES`], in the route table; every
//!   other route keeps `max_body_bytes`. Beyond it: 413, nothing parsed.
//! - Every refusal (a syntax or schema error, a failing test, too many flips, nobody left to
//!   administer, a lost race) is the core's typed error mapped once to a JSON answer; nothing
//!   is activated on any error (the core stores and activates in one transaction).

use super::error::ApiError;
use super::extract::{JsonBody, PathParam, QueryParams};
use super::gate::Admin;
use super::AppState;
use crate::publishing::{
    PolicyDiff, PolicyVersionDetail, PolicyVersionList, PublishOutcome, PublishPolicies,
    RollbackPolicies,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

/// The largest publish body, in bytes: the most a policy set may hold
/// ([`crate::engine::MAX_SET_BYTES`], 32 MiB, about three times a set of 10,000 policies)
/// with a quarter more for JSON's escaping, so that any set the core accepts can be sent.
/// A body within this limit but a set over the core's cap is still 413, from the core.
///
/// Security: the body is read before the route's guard runs (every body is read in full
/// first, see `conn::deadlines`), so an unauthenticated caller can make the server hold
/// this much per connection on this one route; the connection caps (`max_connections`,
/// `max_connections_per_address`) and the body deadline bound that. Every other route
/// keeps `max_body_bytes` (64 KiB by default).
pub const PUBLISH_MAX_BODY_BYTES: usize =
    crate::engine::MAX_SET_BYTES + crate::engine::MAX_SET_BYTES / 4;

/// `GET /admin/v1/policies/diff`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PolicyDiffQuery {
    /// The version to diff from.
    #[param(minimum = 1)]
    pub from: i64,
    /// The version to diff to.
    #[param(minimum = 1)]
    pub to: i64,
}

/// A version number from the path: digits only (400 otherwise, before the core is asked).
fn version_of(text: &str) -> Result<i64, ApiError> {
    if text.is_empty() || text.len() > 18 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad_request(format!(
            "version: a positive whole number, not {:?}",
            text.chars().take(64).collect::<String>()
        )));
    }
    text.parse()
        .map_err(|_| ApiError::bad_request("version: a positive whole number"))
}

/// 201 when a new version is active, 200 for a dry run (nothing stored).
fn outcome(outcome: PublishOutcome) -> Response {
    let status = if outcome.activated {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(outcome)).into_response()
}

/// `GET /admin/v1/policies/versions`: every published version, newest first.
pub async fn list_policy_versions(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
) -> Result<Json<PolicyVersionList>, ApiError> {
    Ok(Json(state.app.policy_versions(&admin.actor()).await?))
}

/// `GET /admin/v1/policies/versions/{version}`: one version with its files.
pub async fn show_policy_version(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    PathParam(version): PathParam,
) -> Result<Json<PolicyVersionDetail>, ApiError> {
    let version = version_of(&version)?;
    Ok(Json(
        state.app.policy_version(&admin.actor(), version).await?,
    ))
}

/// `GET /admin/v1/policies/diff?from=A&to=B`: the per-file unified diff.
pub async fn diff_policy_versions(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    QueryParams(q): QueryParams<PolicyDiffQuery>,
) -> Result<Json<PolicyDiff>, ApiError> {
    if q.from < 1 || q.to < 1 {
        return Err(ApiError::bad_request(
            "from and to: version numbers (1 or more)",
        ));
    }
    Ok(Json(
        state.app.policy_diff(&admin.actor(), q.from, q.to).await?,
    ))
}

/// `POST /admin/v1/policies/versions`: publish a set (validated, tested, previewed, gated).
pub async fn publish_policies(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    JsonBody(body): JsonBody<PublishPolicies>,
) -> Result<Response, ApiError> {
    Ok(outcome(
        state.app.publish_policies(&admin.actor(), body).await?,
    ))
}

/// `POST /admin/v1/policies/rollback`: an old version's files as a new active version.
pub async fn rollback_policies(
    State(state): State<AppState>,
    Extension(admin): Extension<Admin>,
    JsonBody(body): JsonBody<RollbackPolicies>,
) -> Result<Response, ApiError> {
    Ok(outcome(
        state.app.rollback_policies(&admin.actor(), body).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_version_is_digits_only() {
        assert_eq!(version_of("12").ok(), Some(12));
        for bad in ["", "-1", "1.5", "x", "1e3", "9999999999999999999999"] {
            assert!(version_of(bad).is_err(), "{bad}");
        }
    }
}
