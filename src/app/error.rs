//! The core's errors: why warden could not open, and why an operation was refused.

use super::*;

/// Why warden could not open.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot load policies")]
    Policies(#[from] crate::engine::LoadError),
    #[error(transparent)]
    Tokens(#[from] TokenError),
    #[error(transparent)]
    Bootstrap(#[from] crate::accounts::bootstrap::BootstrapError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// Replicas would not agree on who issues their tokens.
    #[error("{0}")]
    Issuer(String),
}

/// Why an operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad input, naming the field (400).
    #[error("{0}")]
    Invalid(String),
    /// The change conflicts with the caller or the data (409), which one as data.
    #[error(transparent)]
    Conflict(#[from] Conflict),
    /// The policies do not allow the actor this admin change on its target (403).
    #[error("{0}")]
    Forbidden(String),
    /// The change would give someone an admin action the actor does not hold, or acts on a
    /// user who holds one the actor lacks (403, see [`delegation`]).
    #[error("{message}")]
    Escalation {
        /// The admin action the actor lacks.
        missing: crate::admin_action::AdminAction,
        message: String,
    },
    /// A policy reload was refused; the previous policies keep serving (422).
    #[error("reload refused; the previous policies keep serving: {0}")]
    Reload(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Tokens(#[from] TokenError),
}

impl AppError {
    /// The specific kind of a refused change (a conflict, an unknown role), if it is one.
    pub fn reason(&self) -> Option<Reason> {
        match self {
            AppError::Conflict(c) | AppError::Store(StoreError::Conflict(c)) => Some(c.reason()),
            AppError::Store(StoreError::Invalid(i)) => Some(i.reason()),
            _ => None,
        }
    }
}

impl From<IdentityError> for AppError {
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::UnknownUser(u) => {
                AppError::Store(StoreError::not_found(crate::store::Entity::User, u))
            }
            IdentityError::Disabled(id) => AppError::Conflict(Conflict::UserDisabled { id }),
            IdentityError::Store(s) => AppError::Store(s),
        }
    }
}

/// Why a token has no principal.
#[derive(Debug, thiserror::Error)]
pub enum TokenPrincipalError {
    /// The rejection, and its words for this process (the expected issuer named).
    #[error("token refused: {1} ({code})", code = .0.code())]
    Refused(crate::tokens::Rejection, String),
    #[error(transparent)]
    App(AppError),
}
