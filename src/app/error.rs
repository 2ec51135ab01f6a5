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
    /// A policy set was refused (publish, rollback): which rule, as data, and the
    /// diagnostics in the message; nothing was activated.
    #[error("{message}")]
    Policy {
        refusal: PolicyRefusal,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Tokens(#[from] TokenError),
}

/// Why a policy set was refused (issue 29); each has a stable code, the HTTP API's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyRefusal {
    /// It does not parse or validate, or is empty, or names a file a set may not hold
    /// (422 `policy_invalid`).
    Invalid,
    /// One of its policy tests failed or could not run (422 `policy_tests_failed`).
    TestsFailed,
    /// Nobody could administer warden under it (409 `no_administrator`).
    NoAdministrator,
    /// It would flip more replayed decisions than `max_changes` (409 `too_many_changes`).
    TooManyChanges,
    /// More files or bytes than a set may hold (413 `payload_too_large`).
    TooLarge,
    /// This server takes its policies from a directory (409 `wrong_policy_source`).
    WrongSource,
}

impl PolicyRefusal {
    /// The stable code (the HTTP API's `error`, the command line's `--json` code).
    pub fn code(self) -> &'static str {
        match self {
            PolicyRefusal::Invalid => "policy_invalid",
            PolicyRefusal::TestsFailed => "policy_tests_failed",
            PolicyRefusal::NoAdministrator => "no_administrator",
            PolicyRefusal::TooManyChanges => "too_many_changes",
            PolicyRefusal::TooLarge => "payload_too_large",
            PolicyRefusal::WrongSource => "wrong_policy_source",
        }
    }
}

impl AppError {
    /// A refused policy set.
    pub fn policy(refusal: PolicyRefusal, message: impl Into<String>) -> AppError {
        AppError::Policy {
            refusal,
            message: message.into(),
        }
    }

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
