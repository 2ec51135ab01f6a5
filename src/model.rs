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
    /// A user id: 1 to 128 characters of letters, digits and `._-` (and `@` in ids created
    /// before that was refused: see [`UserId::new_id`]).
    UserId
);
string_newtype!(
    /// A role name: 1 to 64 characters of letters, digits and `_.-`.
    RoleName
);
string_newtype!(
    /// An email address: ASCII only, NFC, trimmed, a dot-atom local part and a lower-case
    /// host name (see [`Email::parse`] for the rule on international addresses); compared
    /// case-insensitively by the store.
    Email
);
string_newtype!(
    /// A user's display name: NFC, trimmed, at most 128 characters, no control, format or
    /// separator characters (see [`UserName::parse`]). May be empty.
    UserName
);
string_newtype!(
    /// A service client's name: the same rules as [`UserName`], but not empty.
    ClientName
);
string_newtype!(
    /// The text of a `filter` (a substring match over ids, emails and names): at most
    /// [`SearchText::MAX_CHARS`] characters, no control characters. The store matches it
    /// literally (`%` and `_` are not wildcards).
    SearchText
);

fn simple_chars(s: &str, extra: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
}

/// A refused value as it may appear in an error message: escaped (so a bidi control or a
/// NUL cannot rewrite a terminal or a log line) and cut short (a 60,000-character value is
/// not echoed back).
fn shown(s: &str) -> String {
    const MAX: usize = 48;
    if s.chars().count() <= MAX {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head:?}... ({} characters)", s.chars().count())
    }
}

impl UserId {
    /// Parse the id of a user that may already exist (a lookup, a path parameter, a row).
    /// `@` is still accepted here so that users created before [`UserId::new_id`] refused it
    /// stay addressable; every id a new user gets goes through [`UserId::new_id`].
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        if s.is_empty() || s.len() > 128 || !simple_chars(s, "._@-") {
            return Err(InvalidValue(format!(
                "invalid user id {}: use 1 to 128 letters, digits or ._@-",
                shown(s)
            )));
        }
        Ok(Self(s.to_string()))
    }

    /// Parse the id of a user being created: [`UserId::parse`]'s rule without `@`.
    ///
    /// Attack answered: a user whose id is another user's email (`admin@localhost`) is a
    /// shadow of that user wherever a subject may be named by id or by email (AuthZEN
    /// subjects, audit and log lines, an operator reading a list). An id that cannot contain
    /// `@` cannot be read as an email, so the two namespaces never meet.
    pub fn new_id(s: &str) -> Result<Self, InvalidValue> {
        let id = Self::parse(s)?;
        if id.0.contains('@') {
            return Err(InvalidValue(
                "a user id cannot contain @ (it could be taken for an email)".into(),
            ));
        }
        Ok(id)
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
        Self::new_id(&cleaned)
    }
}

impl RoleName {
    /// Parse a role name.
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        if s.is_empty() || s.len() > 64 || !simple_chars(s, "_.-") {
            return Err(InvalidValue(format!(
                "invalid role name {}: use 1 to 64 letters, digits or _.-",
                shown(s)
            )));
        }
        Ok(Self(s.to_string()))
    }
}

/// Characters RFC 5322 allows unquoted in a local part (`atext`), besides letters and digits.
const ATEXT_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";

/// An email's identity: the one form in which two addresses of one account are equal, for
/// lookups, uniqueness, sign-in throttle keys, identity-provider linking and AuthZEN
/// subjects alike (issue 25: the store and the throttle once folded case two different ways,
/// so a Unicode variant was one account but two throttle budgets). Addresses are ASCII
/// ([`Email::parse`]), so the form is the trimmed address in ASCII lower case; no back end
/// folds case on its own.
pub fn email_key(email: &str) -> String {
    email.trim().to_ascii_lowercase()
}

impl Email {
    /// This address's identity (see [`email_key`]).
    pub fn key(&self) -> String {
        email_key(&self.0)
    }

    /// Longest address (RFC 5321 section 4.5.3.1.3: a 256-octet path minus the brackets).
    pub const MAX_LEN: usize = 254;

    /// Parse an email address.
    ///
    /// The rule, and why: an address is an account's identity (sign-in, AuthZEN subject
    /// lookup), so two addresses that look the same must be the same address. warden
    /// therefore accepts ASCII addresses only:
    ///
    /// - the input is put in Unicode NFC and trimmed of white space first;
    /// - the local part is an RFC 5322 dot-atom (letters, digits, ``!#$%&'*+/=?^_`{|}~-``
    ///   and non-leading, non-trailing, non-doubled dots), at most 64 characters; quoted
    ///   local parts and non-ASCII local parts (RFC 6531 SMTPUTF8) are refused;
    /// - the domain is a host name of letters, digits and hyphens (labels of 1 to 63, not
    ///   starting or ending with `-`, at most 253 in all), lower-cased; an international
    ///   domain must be given in its punycode (`xn--`) form; address literals are refused;
    /// - the whole is at most 254 characters.
    ///
    /// This refuses by construction every look-alike trick seen in attacks: bidi controls
    /// (U+202E), a byte-order mark (U+FEFF), zero-width characters, fullwidth letters,
    /// combining accents, and other scripts' letters that look like Latin ones.
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        use unicode_normalization::UnicodeNormalization;
        // Non-ASCII input is refused as given, before NFC: NFC turns some look-alikes into
        // ASCII (the Kelvin sign U+212A becomes `K`), and `\u{212A}ate@example.com` must
        // never find kate's account (issue 25).
        if !s.trim().is_ascii() {
            let s = s.trim();
            return Err(InvalidValue(format!(
                "invalid email {}: only ASCII addresses are accepted (an international domain goes in its punycode xn-- form)",
                shown(s)
            )));
        }
        let normal: String = s.nfc().collect();
        let s = normal.trim();
        let bad = |why: &str| InvalidValue(format!("invalid email {}: {why}", shown(s)));
        if s.is_empty() {
            return Err(bad("must not be empty"));
        }
        if s.len() > Self::MAX_LEN {
            return Err(bad("longer than 254 characters"));
        }
        if !s.is_ascii() {
            return Err(bad(
                "only ASCII addresses are accepted (an international domain goes in its punycode xn-- form)",
            ));
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(bad("expected name@domain"));
        };
        if domain.contains('@') {
            return Err(bad("more than one @"));
        }
        if local.is_empty() || local.len() > 64 {
            return Err(bad("the part before @ must be 1 to 64 characters"));
        }
        let atom_ok = |atom: &str| {
            !atom.is_empty()
                && atom
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ATEXT_SPECIALS.contains(c))
        };
        if !local.split('.').all(atom_ok) {
            return Err(bad(
                "the part before @ may hold letters, digits, single dots and !#$%&'*+/=?^_`{|}~- only",
            ));
        }
        let domain = domain.to_ascii_lowercase();
        let label_ok = |label: &str| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if domain.len() > 253 || !domain.split('.').all(label_ok) {
            return Err(bad(
                "the domain must be a host name: letters, digits and hyphens in dot-separated labels",
            ));
        }
        Ok(Self(format!("{local}@{domain}")))
    }
}

/// Why a character has no place in a name: control characters (NUL, escape sequences),
/// format characters (bidi overrides such as U+202E that reorder what an admin sees,
/// zero-width spaces, U+FEFF), line and paragraph separators, private-use, unassigned and
/// non-characters. Letters of any script are fine: a name is shown, never used to find
/// an account. ZWNJ and ZWJ (U+200C, U+200D) stay: Persian and Indic names need them.
fn unfit_in_name(c: char) -> Option<&'static str> {
    let u = c as u32;
    if c.is_control() {
        return Some("a control character");
    }
    let format = matches!(u,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x180E | 0x200B | 0x200E..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064
        | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F);
    if format {
        return Some("an invisible formatting character (bidi control, zero-width, BOM)");
    }
    if matches!(u, 0x2028 | 0x2029) {
        return Some("a line or paragraph separator");
    }
    let private = matches!(u, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD);
    let nonchar = (0xFDD0..=0xFDEF).contains(&u) || (u & 0xFFFE) == 0xFFFE;
    if private || nonchar || !unicode_normalization::char::is_public_assigned(c) {
        return Some("a private-use, unassigned or non-character code point");
    }
    None
}

/// NFC, trimmed, at most `max` characters, no character [`unfit_in_name`].
fn clean_text(what: &str, s: &str, max: usize) -> Result<String, InvalidValue> {
    use unicode_normalization::UnicodeNormalization;
    let normal: String = s.nfc().collect();
    let text = normal.trim();
    let count = text.chars().count();
    if count > max {
        return Err(InvalidValue(format!(
            "invalid {what}: {count} characters; at most {max} are allowed"
        )));
    }
    if let Some((c, why)) = text.chars().find_map(|c| unfit_in_name(c).map(|w| (c, w))) {
        return Err(InvalidValue(format!(
            "invalid {what} {}: it contains {why} (U+{:04X})",
            shown(text),
            c as u32
        )));
    }
    Ok(text.to_string())
}

impl UserName {
    /// Longest name, in characters.
    pub const MAX_CHARS: usize = 128;

    /// Parse a display name: put in NFC and trimmed; refused when longer than 128
    /// characters or when it holds a character that does not belong in a name shown to
    /// admins (see `unfit_in_name`). An empty name is allowed.
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        clean_text("name", s, Self::MAX_CHARS).map(Self)
    }
}

// Written out rather than derived in the macro: only a name may be empty (an empty id,
// email or role name is not a value of its type).
#[allow(clippy::derivable_impls)]
impl Default for UserName {
    fn default() -> Self {
        Self(String::new())
    }
}

impl ClientName {
    /// Parse a client name: the rules of [`UserName`], and not empty.
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        let text = clean_text("client name", s, UserName::MAX_CHARS)?;
        if text.is_empty() {
            return Err(InvalidValue(
                "invalid client name: must not be empty".into(),
            ));
        }
        Ok(Self(text))
    }
}

impl SearchText {
    /// Longest filter, in characters.
    pub const MAX_CHARS: usize = 256;

    /// Parse the text of a filter (kept as given: a substring to find).
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        let count = s.chars().count();
        if count > Self::MAX_CHARS {
            return Err(InvalidValue(format!(
                "invalid filter: {count} characters; at most {} are allowed",
                Self::MAX_CHARS
            )));
        }
        if s.chars().any(char::is_control) {
            return Err(InvalidValue(
                "invalid filter: it contains a control character".into(),
            ));
        }
        Ok(Self(s.to_string()))
    }
}

// Stored and shown as these words on both back ends; parsed at the edges (the command
// line's `--decision`, the admin API's `decision` filter), so an unknown word is refused
// there with the list of the known ones instead of matching nothing in the log.
/// What a logged decision was: `allow` or `deny` (a decision's answer), or `plan` (a query
/// plan asked for: `POST /v1/authorize/plan` and AuthZEN searches log one row per plan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DecisionKind {
    Allow,
    Deny,
    Plan,
}

impl DecisionKind {
    /// Every kind, in the order messages list them.
    pub const ALL: [DecisionKind; 3] =
        [DecisionKind::Allow, DecisionKind::Deny, DecisionKind::Plan];

    /// The kind of a decision's answer.
    pub fn of(allowed: bool) -> DecisionKind {
        if allowed {
            DecisionKind::Allow
        } else {
            DecisionKind::Deny
        }
    }

    /// The word stored in the log and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Allow => "allow",
            DecisionKind::Deny => "deny",
            DecisionKind::Plan => "plan",
        }
    }

    /// Parse a stored or given word; the error names the known ones.
    pub fn parse(s: &str) -> Result<DecisionKind, InvalidValue> {
        DecisionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = DecisionKind::ALL.iter().map(|k| k.as_str()).collect();
                InvalidValue(format!(
                    "unknown decision {}: expected one of {}",
                    shown(s),
                    known.join(", ")
                ))
            })
    }
}

impl fmt::Display for DecisionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for DecisionKind {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DecisionKind::parse(s)
    }
}

impl<'de> Deserialize<'de> for DecisionKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DecisionKind::parse(&s).map_err(serde::de::Error::custom)
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
        // Old rows with `@` stay addressable; a new id cannot take the form of an email.
        assert!(UserId::parse("admin@localhost").is_ok());
        assert_eq!(
            UserId::new_id("admin@localhost").unwrap_err().0,
            "a user id cannot contain @ (it could be taken for an email)"
        );
        assert!(UserId::new_id("a.b-c_d").is_ok());
        assert!(UserId::new_id("a b").is_err());
        assert!(RoleName::parse("ADMIN").is_ok());
        assert!(RoleName::parse("no spaces").is_err());
        assert_eq!(
            Email::parse(" a@b.c ").map(|e| e.to_string()),
            Ok("a@b.c".into())
        );
        assert!(Email::parse("nobody").is_err());
        assert!(Email::parse("a@b@c").is_err());
    }

    #[test]
    fn emails_are_ascii_normalised_and_refuse_look_alikes() {
        let ok = |s: &str| Email::parse(s).map(|e| e.to_string());
        assert_eq!(
            ok("Ann.Lee+x@Example.COM"),
            Ok("Ann.Lee+x@example.com".into())
        );
        assert_eq!(ok("admin@localhost"), Ok("admin@localhost".into()));
        assert_eq!(
            ok("a@xn--bcher-kva.example"),
            Ok("a@xn--bcher-kva.example".into())
        );
        for bad in [
            "admin\u{202E}@example.com",
            "\u{FEFF}admin@example.com",
            "ad\u{200B}min@example.com",
            "\u{FF41}dmin@example.com",
            "admine\u{301}@example.com",
            "admin@b\u{FC}cher.example",
            "\u{430}dmin@example.com",
            "a\0b@example.com",
            "a..b@example.com",
            ".a@example.com",
            "a@-x.com",
            "a@x..com",
            "a@[127.0.0.1]",
            "\"a b\"@example.com",
            "a b@example.com",
            "@example.com",
            "a@",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
        let long = format!("{}@example.com", "a".repeat(65));
        assert!(Email::parse(&long).is_err());
        let long = format!("a@{}.com", "b".repeat(300));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn names_are_nfc_trimmed_capped_and_visible() {
        let ok = |s: &str| UserName::parse(s).map(|n| n.to_string());
        assert_eq!(ok("  Jos\u{65}\u{301} "), Ok("Jos\u{E9}".into()));
        assert_eq!(ok(""), Ok(String::new()));
        assert_eq!(
            ok("\u{645}\u{6CC}\u{200C}\u{62E}"),
            Ok("\u{645}\u{6CC}\u{200C}\u{62E}".into())
        );
        assert_eq!(
            ok("\u{5C71}\u{7530}\u{3000}\u{592A}\u{90CE}").map(|s| s.chars().count()),
            Ok(5)
        );
        for bad in [
            "a\0b",
            "evil\u{202E}gnp.exe",
            "a\u{200B}b",
            "\u{FEFF}x",
            "a\nb",
            "x\u{E000}",
        ] {
            assert!(UserName::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(UserName::parse(&"n".repeat(128)).is_ok());
        let err = UserName::parse(&"n".repeat(60_000)).unwrap_err();
        assert!(
            err.0.len() < 200,
            "the message does not echo the value: {err}"
        );
        assert!(ClientName::parse("  ").is_err());
        assert!(SearchText::parse("50%_off").is_ok());
        assert!(SearchText::parse(&"x".repeat(50_000)).is_err());
    }
}
