//! Input checks shared by the operations: each names the field at fault.

use super::*;

/// A 400 naming the field a refused value came from.
pub(super) fn field(name: &'static str) -> impl Fn(InvalidValue) -> AppError {
    move |e| AppError::Invalid(format!("field `{name}`: {e}"))
}

/// Most roles a user or a role may list.
pub(super) const MAX_ROLES: usize = 64;

pub(super) fn role_names(what: &'static str, names: &[String]) -> Result<Vec<RoleName>, AppError> {
    if names.len() > MAX_ROLES {
        return Err(AppError::Invalid(format!(
            "field `{what}`: at most {MAX_ROLES} roles are allowed"
        )));
    }
    names
        .iter()
        .map(|r| RoleName::parse(r).map_err(field(what)))
        .collect()
}

pub(super) fn user_id(id: &str) -> Result<UserId, AppError> {
    UserId::parse(id).map_err(field("id"))
}

/// An identity's issuer or subject: OpenID Connect bounds `sub` to 255 ASCII characters.
pub(super) fn identity_part(what: &'static str, value: &str) -> Result<(), AppError> {
    if value.is_empty() || value.len() > 1024 || value.chars().any(char::is_control) {
        return Err(AppError::Invalid(format!(
            "field `{what}`: must be 1 to 1024 characters without control characters"
        )));
    }
    Ok(())
}

/// Longest opaque id (session, client, jti) accepted.
pub(super) const MAX_OPAQUE_ID: usize = 128;

pub(super) fn opaque(what: &'static str, value: &str) -> Result<(), AppError> {
    if value.is_empty() || value.len() > MAX_OPAQUE_ID || value.chars().any(char::is_control) {
        return Err(AppError::Invalid(format!(
            "field `{what}` must be 1 to {MAX_OPAQUE_ID} characters without control characters"
        )));
    }
    Ok(())
}
