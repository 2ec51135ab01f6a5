//! Why a change was refused, as data: each kind a variant (STYLE 16), with its stable
//! [`Reason`] code. The store raises the kinds it can see (a taken email, a role in use,
//! the last administrator), the core the ones it decides (nobody deletes themselves); the
//! edges map them once: HTTP to a status with `{"error", "reason", "message"}`, the CLI to
//! a hint (`--force` only for a role in use) and its JSON error. Nothing matches on the
//! text, which is for people and may be reworded.
//!
//! This module sits at the bottom of the crate (like `admin_action`): the store, the core
//! and the wire types all import it, and it imports nothing of theirs.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The stable code of a refusal kind: the `reason` of an error answer, beside its broader
/// `error` code (`conflict`, `invalid_request`). Codes are only ever added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Another user has this email.
    EmailTaken,
    /// Another user has this id.
    UserIdTaken,
    /// A user with this id or email was created at the same moment.
    UserExists,
    /// The id or role name differs only in case from an existing one.
    LookAlike,
    /// A role with this name exists.
    RoleExists,
    /// The role is still held by users or inherited by roles (remove it with `force`).
    RoleInUse,
    /// After the change no enabled user could administer warden.
    LastAdministrator,
    /// The provider's identity is linked to a user already.
    IdentityLinked,
    /// An administrator cannot delete their own user.
    SelfDelete,
    /// The user is disabled.
    UserDisabled,
    /// Tokens are signed with a shared HS256 secret, which the configuration rotates.
    SharedSecretKeys,
    /// The copy's target database is not empty.
    TargetNotEmpty,
    /// A copied table's row count did not match; nothing was committed.
    CopyIncomplete,
    /// A named role does not exist.
    UnknownRole,
    /// The role's parents would make a cycle.
    RoleCycle,
    /// A name is not acceptable (length, characters).
    InvalidName,
    /// Another publish (or rollback) of policies made a different version active first.
    PublishRace,
}

impl Reason {
    /// Every reason, for the contract's tests.
    pub const ALL: [Reason; 17] = [
        Reason::EmailTaken,
        Reason::UserIdTaken,
        Reason::UserExists,
        Reason::LookAlike,
        Reason::RoleExists,
        Reason::RoleInUse,
        Reason::LastAdministrator,
        Reason::IdentityLinked,
        Reason::SelfDelete,
        Reason::UserDisabled,
        Reason::SharedSecretKeys,
        Reason::TargetNotEmpty,
        Reason::CopyIncomplete,
        Reason::UnknownRole,
        Reason::RoleCycle,
        Reason::InvalidName,
        Reason::PublishRace,
    ];

    /// The code as it appears on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::EmailTaken => "email_taken",
            Reason::UserIdTaken => "user_id_taken",
            Reason::UserExists => "user_exists",
            Reason::LookAlike => "look_alike",
            Reason::RoleExists => "role_exists",
            Reason::RoleInUse => "role_in_use",
            Reason::LastAdministrator => "last_administrator",
            Reason::IdentityLinked => "identity_linked",
            Reason::SelfDelete => "self_delete",
            Reason::UserDisabled => "user_disabled",
            Reason::SharedSecretKeys => "shared_secret_keys",
            Reason::TargetNotEmpty => "target_not_empty",
            Reason::CopyIncomplete => "copy_incomplete",
            Reason::UnknownRole => "unknown_role",
            Reason::RoleCycle => "role_cycle",
            Reason::InvalidName => "invalid_name",
            Reason::PublishRace => "publish_race",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a [`Conflict::LookAlike`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookAlike {
    User,
    Role,
}

impl LookAlike {
    fn what(self) -> &'static str {
        match self {
            LookAlike::User => "user id",
            LookAlike::Role => "role name",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            LookAlike::User => "user",
            LookAlike::Role => "role",
        }
    }
}

/// A change that conflicts with what is stored or with the actor (409).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    #[error("email {email} is already taken")]
    EmailTaken { email: String },
    #[error("a user with id {id} already exists")]
    UserIdTaken { id: String },
    #[error("a user with id {id} or email {email} already exists")]
    UserExists { id: String, email: String },
    /// A new user id or role name that differs from an existing one only in ASCII case.
    ///
    /// Attack answered: `Admin` beside `admin` (or a role `admin` beside `ADMIN`) reads as
    /// the same principal to a person approving a change, scanning the audit log or writing
    /// a policy, yet is another one to Cedar. Ids and role names are ASCII by their parse
    /// rules, so both back ends compare with ASCII folding (`lower()`) inside the creating
    /// transaction, after the directory is locked (SQLite's one writer; PostgreSQL's
    /// directory advisory lock), so two creations cannot race past the check. Look-alikes
    /// already stored by an older warden are kept and stay addressable; only new ones are
    /// refused.
    #[error("{} {new} differs only in case from the existing {} {existing}", .what.what(), .what.noun())]
    LookAlike {
        what: LookAlike,
        new: String,
        existing: String,
    },
    #[error("role {name} already exists")]
    RoleExists { name: String },
    #[error("role {name} is still held by {users} user(s) and inherited by {children} role(s)")]
    RoleInUse {
        name: String,
        users: i64,
        children: i64,
    },
    #[error(
        "refused: after this change no enabled user could administer warden \
         (manage users and their roles); give that right to another user first"
    )]
    LastAdministrator,
    #[error("the identity {subject:?} of {issuer} is linked to a user already")]
    IdentityLinked { issuer: String, subject: String },
    #[error("you cannot delete yourself")]
    SelfDelete,
    #[error("user {id} is disabled")]
    UserDisabled { id: String },
    #[error("tokens are signed with a shared HS256 secret: rotate it in the configuration")]
    SharedSecretKeys,
    #[error("the target database already holds users or keys: copy into an empty database")]
    TargetNotEmpty,
    #[error("{table}: copied {copied} rows but the target holds {found}; nothing was committed")]
    CopyIncomplete {
        table: String,
        copied: usize,
        found: i64,
    },
    /// A publish (or rollback) of policies expected another version to be active: someone
    /// else published in between. Nothing was written; the caller looks at what is active
    /// now and decides again (optimistic concurrency: a publish never silently replaces a
    /// set its author has not seen, which would lose the other author's change).
    #[error("{}", publish_race_message(*.active))]
    PublishRace {
        /// The version active now (none: no version is active).
        active: Option<i64>,
    },
}

fn publish_race_message(active: Option<i64>) -> String {
    match active {
        Some(version) => format!(
            "another publish made version {version} active first; look at it and publish again"
        ),
        None => "another publish changed the active version first (none is active now); \
                 look at it and publish again"
            .to_owned(),
    }
}

impl Conflict {
    /// The stable code of this kind.
    pub fn reason(&self) -> Reason {
        match self {
            Conflict::EmailTaken { .. } => Reason::EmailTaken,
            Conflict::UserIdTaken { .. } => Reason::UserIdTaken,
            Conflict::UserExists { .. } => Reason::UserExists,
            Conflict::LookAlike { .. } => Reason::LookAlike,
            Conflict::RoleExists { .. } => Reason::RoleExists,
            Conflict::RoleInUse { .. } => Reason::RoleInUse,
            Conflict::LastAdministrator => Reason::LastAdministrator,
            Conflict::IdentityLinked { .. } => Reason::IdentityLinked,
            Conflict::SelfDelete => Reason::SelfDelete,
            Conflict::UserDisabled { .. } => Reason::UserDisabled,
            Conflict::SharedSecretKeys => Reason::SharedSecretKeys,
            Conflict::TargetNotEmpty => Reason::TargetNotEmpty,
            Conflict::CopyIncomplete { .. } => Reason::CopyIncomplete,
            Conflict::PublishRace { .. } => Reason::PublishRace,
        }
    }
}

/// A change that names something that does not exist or cannot be (400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("unknown role {role}")]
    UnknownRole { role: String },
    #[error("unknown parent role {role}")]
    UnknownParentRole { role: String },
    #[error("role {role} cannot have these parents: that would make a cycle")]
    RoleCycle { role: String },
    #[error("{what}: {problem}")]
    Name { what: &'static str, problem: String },
}

impl Invalid {
    /// The stable code of this kind.
    pub fn reason(&self) -> Reason {
        match self {
            Invalid::UnknownRole { .. } | Invalid::UnknownParentRole { .. } => Reason::UnknownRole,
            Invalid::RoleCycle { .. } => Reason::RoleCycle,
            Invalid::Name { .. } => Reason::InvalidName,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_reads_on_the_wire_as_its_code() {
        let mut seen = std::collections::HashSet::new();
        for reason in Reason::ALL {
            assert_eq!(
                serde_json::to_value(reason).unwrap(),
                serde_json::Value::String(reason.as_str().into())
            );
            assert!(seen.insert(reason.as_str()), "{reason} twice");
        }
    }
}
