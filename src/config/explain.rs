//! A configuration mistake in words: where it was made (file and line, or variable), which
//! key, what was expected and what was found; an unknown key gets the nearest known one.

use super::sources::{env_var, TomlFile, ENVIRONMENT};
use super::ConfigError;
use figment::error::{Actual, Kind};
use figment::Source;

/// A figment error as warden says it: where (file and line, or variable), which key, what
/// was expected and what was found.
pub(super) fn explain(e: figment::Error, file: Option<&TomlFile>) -> ConfigError {
    let key = e.path.first().cloned().unwrap_or_default();
    let source = e.metadata.as_ref().and_then(|m| m.source.as_ref());
    let reason = match &e.kind {
        Kind::UnknownField(name, known) => {
            let hint = crate::util::nearest(name, known.iter().copied())
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            format!("unknown key `{name}`{hint}")
        }
        kind => match what_was_wrong(kind) {
            Some(reason) => reason,
            None => kind.to_string(),
        },
    };
    match (source, file) {
        (Some(Source::Custom(name)), _) if name == ENVIRONMENT => ConfigError::Env {
            var: env_var(&key),
            reason,
        },
        (Some(Source::File(_)), Some(file)) => ConfigError::Parse {
            path: file.at(&key),
            reason: if matches!(e.kind, Kind::UnknownField(..)) {
                reason
            } else {
                format!("{key}: {reason}")
            },
        },
        _ if key.is_empty() => ConfigError::Invalid(reason),
        _ => ConfigError::Invalid(format!("{key}: {reason}")),
    }
}

/// "expected an integer, found \"ten\"", or `None` for an error of another kind.
fn what_was_wrong(kind: &Kind) -> Option<String> {
    match kind {
        Kind::InvalidType(found, expected) | Kind::InvalidValue(found, expected) => Some(format!(
            "expected {}, found {}",
            expected_text(expected),
            found_text(found)
        )),
        Kind::UnknownVariant(found, choices) => Some(format!(
            "expected one of {}, found {found:?}",
            choices.join(", ")
        )),
        _ => None,
    }
}

/// serde's name of what a field needs, in words.
fn expected_text(expected: &str) -> String {
    match expected {
        "i8" | "i16" | "i32" | "i64" | "isize" => "an integer".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" => {
            let max = match expected {
                "u8" => u64::from(u8::MAX),
                "u16" => u64::from(u16::MAX),
                "u32" => u64::from(u32::MAX),
                _ => u64::MAX,
            };
            format!("an integer from 0 to {max}")
        }
        "a boolean" => "true or false".into(),
        "a sequence" => "an array".into(),
        "path string" => "a path (a string)".into(),
        other => other.into(),
    }
}

/// A value as it was written.
fn found_text(found: &Actual) -> String {
    match found {
        Actual::Str(s) => format!("{s:?}"),
        Actual::Bool(b) => b.to_string(),
        Actual::Unsigned(n) => n.to_string(),
        Actual::Signed(n) => n.to_string(),
        Actual::Float(n) => n.to_string(),
        Actual::Char(c) => format!("{c:?}"),
        Actual::Seq => "an array".into(),
        Actual::Map => "a table".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::JwtAlgorithm;
    use crate::config::Config;

    fn file_error(text: &str) -> String {
        Config::from_toml_str(text, "warden.toml")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn file_errors_name_the_file_the_line_and_the_key() {
        assert_eq!(
            file_error("listen = \"127.0.0.1:9000\"\nrefresh_grase = 3\n"),
            "warden.toml:2: unknown key `refresh_grase`; did you mean `refresh_grace`?"
        );
        assert_eq!(
            file_error("# comment\n\naccess_token_ttl = \"ten\"\n"),
            "warden.toml:3: access_token_ttl: expected an integer, found \"ten\""
        );
        assert_eq!(
            file_error("watch_policies = 1\n"),
            "warden.toml:1: watch_policies: expected true or false, found 1"
        );
        assert_eq!(
            file_error("leeway = -1\n"),
            "warden.toml:1: leeway: expected an integer from 0 to 18446744073709551615, found -1"
        );
        assert_eq!(
            file_error("\nlogin_max_failures_per_address = 5000000000\n"),
            "warden.toml:2: login_max_failures_per_address: expected an integer from 0 to 4294967295, found 5000000000"
        );
        assert_eq!(
            file_error("directory_subject_types = [\"user\", 2]\n"),
            "warden.toml:1: directory_subject_types: expected a string, found 2"
        );
        assert_eq!(
            file_error("listen = \n"),
            "warden.toml:1: string values must be quoted, expected literal string"
        );
    }

    #[test]
    fn a_choice_is_an_enum_and_a_wrong_one_lists_the_choices() {
        assert_eq!(
            file_error("audience = \"x\"\njwt_algorithm = \"RS256\"\n"),
            "warden.toml:2: jwt_algorithm: expected one of EdDSA, HS256, found \"RS256\""
        );
        let c = Config::from_toml_str("jwt_algorithm = \"HS256\"\n", "warden.toml").unwrap();
        assert_eq!(c.jwt_algorithm, JwtAlgorithm::Hs256);
        assert!(c.check().unwrap_err().to_string().contains("jwt_secret"));
        assert!(c.to_masked_toml().contains("jwt_algorithm = \"HS256\""));
    }
}
