//! Domain newtypes (parse, don't validate): a value of one of these types is valid by
//! construction, so layers below the edges never re-check it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a value was refused at the edge.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct InvalidValue(pub String);

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The value as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_newtype!(
    /// A user id: 1 to 128 characters of letters, digits and `._@-`.
    UserId
);
string_newtype!(
    /// A role name: 1 to 64 characters of letters, digits and `_.-`.
    RoleName
);
string_newtype!(
    /// An email address, trimmed, with one `@` and something on each side; compared
    /// case-insensitively by the store.
    Email
);

fn simple_chars(s: &str, extra: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
}

impl UserId {
    /// Parse a user id.
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        if s.is_empty() || s.len() > 128 || !simple_chars(s, "._@-") {
            return Err(InvalidValue(format!(
                "invalid user id {s:?}: use 1 to 128 letters, digits or ._@-"
            )));
        }
        Ok(Self(s.to_string()))
    }
}

impl UserId {
    /// A user id made from an email's local part (characters outside the id alphabet
    /// become `-`).
    pub fn from_email(email: &Email) -> Result<Self, InvalidValue> {
        let local = email.as_str().split('@').next().unwrap_or_default();
        let cleaned: String = local
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        Self::parse(&cleaned)
    }
}

impl RoleName {
    /// Parse a role name.
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        if s.is_empty() || s.len() > 64 || !simple_chars(s, "_.-") {
            return Err(InvalidValue(format!(
                "invalid role name {s:?}: use 1 to 64 letters, digits or _.-"
            )));
        }
        Ok(Self(s.to_string()))
    }
}

impl Email {
    /// Parse an email address.
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        let s = s.trim();
        let bad = || InvalidValue(format!("invalid email {s:?}: expected name@domain"));
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        match s.split_once('@') {
            Some((local, domain))
                if !local.is_empty() && !domain.is_empty() && !domain.contains('@') =>
            {
                Ok(Self(s.to_string()))
            }
            _ => Err(bad()),
        }
    }
}

/// The roles reachable from `start` through parent edges (`graph`: role -> direct parents),
/// `start` included: the role hierarchy, resolved. Cycles end the walk.
pub fn ancestors(
    graph: &std::collections::BTreeMap<String, Vec<String>>,
    start: &[String],
) -> std::collections::BTreeSet<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut stack: Vec<&String> = start.iter().collect();
    while let Some(role) = stack.pop() {
        if seen.insert(role.clone()) {
            if let Some(parents) = graph.get(role) {
                stack.extend(parents.iter());
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newtypes_refuse_bad_values() {
        assert!(UserId::parse("alice").is_ok());
        assert!(UserId::parse("").is_err());
        assert!(UserId::parse("a\"b").is_err());
        assert!(RoleName::parse("ADMIN").is_ok());
        assert!(RoleName::parse("no spaces").is_err());
        assert_eq!(
            Email::parse(" a@b.c ").map(|e| e.to_string()),
            Ok("a@b.c".into())
        );
        assert!(Email::parse("nobody").is_err());
        assert!(Email::parse("a@b@c").is_err());
    }
}
