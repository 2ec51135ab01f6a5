//! Secrets from files: `WARDEN_<KEY>_FILE` names a file whose contents are the setting, as
//! container secret mounts (Docker and compose `secrets:`, Kubernetes secret volumes) expect.
//!
//! Security: a secret given in the environment is visible to anything that can read the
//! process's environment (`/proc/<pid>/environ`, `docker inspect`, a crash reporter); a file
//! mounted read-only for this process alone is not. Errors name the variable and the path,
//! never the contents: a secret must not reach a log through its own error message. Both the
//! variable and its `_FILE` set is refused rather than one silently winning, since an
//! operator who set both believes one of them is in force and may be wrong about which.

use super::ConfigError;

/// The settings (keys of [`super::Config`]) that may be read from a file named by
/// `WARDEN_<KEY>_FILE`: the secrets, and the database URL, which may carry a password.
pub(super) const FILE_KEYS: [&str; 3] = ["db", "jwt_secret", "operations_key"];

/// The variables other than settings that may be read from a file the same way.
pub(super) const FILE_VARIABLES: [&str; 1] = ["WARDEN_ADMIN_PASSWORD"];

/// The variable that names the file of `var`.
pub(super) fn file_var(var: &str) -> String {
    format!("{var}_FILE")
}

/// `var` from the process's environment, or the contents of the file that `<var>_FILE`
/// names (one trailing newline trimmed). Both set, a file that cannot be read, an empty file
/// or one that is not UTF-8: an error naming the variable and the path.
pub fn env_or_file(var: &str) -> Result<Option<String>, ConfigError> {
    let lookup = |name: &str| match std::env::var(name) {
        Ok(v) => Ok(Some(v)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::Env {
            var: name.to_string(),
            reason: "not valid UTF-8".into(),
        }),
    };
    value_or_file(var, lookup(var)?, lookup(&file_var(var))?)
}

/// `value` (of `var`) or the contents of the file at `file` (of `<var>_FILE`).
pub(super) fn value_or_file(
    var: &str,
    value: Option<String>,
    file: Option<String>,
) -> Result<Option<String>, ConfigError> {
    let path = match (value, file) {
        (value, None) => return Ok(value),
        (Some(_), Some(_)) => {
            return Err(ConfigError::Env {
                var: format!("{var} and {}", file_var(var)),
                reason: "both are set; set one of them".into(),
            })
        }
        (None, Some(path)) => path,
    };
    let refused = |reason: String| ConfigError::Env {
        var: file_var(var),
        reason,
    };
    if path.trim().is_empty() {
        return Err(refused("names no file (empty)".into()));
    }
    // The io error says why (not found, permission denied), never what the file holds.
    let bytes = std::fs::read(&path).map_err(|e| refused(format!("cannot read {path}: {e}")))?;
    let text =
        String::from_utf8(bytes).map_err(|_| refused(format!("{path} is not valid UTF-8 text")))?;
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(&text);
    if text.is_empty() {
        return Err(refused(format!("{path} is empty")));
    }
    Ok(Some(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::sources::with_env;
    use super::*;

    #[test]
    fn a_secret_is_read_from_the_file_its_file_variable_names() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("jwt");
        std::fs::write(&secret, "0123456789abcdef0123456789abcdef\n").unwrap();
        let key = dir.path().join("ops");
        std::fs::write(&key, "ops-key-ops-key-ops-key-ops-key-ops-key").unwrap();
        let db = dir.path().join("db");
        std::fs::write(&db, "postgres://warden:s3cret@db:5432/warden\r\n").unwrap();
        let c = with_env(&[
            ("WARDEN_JWT_ALGORITHM", "HS256"),
            ("WARDEN_JWT_SECRET_FILE", secret.to_str().unwrap()),
            ("WARDEN_OPERATIONS_KEY_FILE", key.to_str().unwrap()),
            ("WARDEN_DB_FILE", db.to_str().unwrap()),
        ])
        .unwrap();
        assert_eq!(
            c.jwt_secret.as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(
            c.operations_key.as_deref(),
            Some("ops-key-ops-key-ops-key-ops-key-ops-key")
        );
        assert_eq!(
            c.db.to_str(),
            Some("postgres://warden:s3cret@db:5432/warden")
        );
        c.check().unwrap();
    }

    #[test]
    fn both_set_or_an_unreadable_file_is_a_clear_error_that_never_shows_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("jwt");
        std::fs::write(&secret, "0123456789abcdef0123456789abcdef").unwrap();
        let path = secret.to_str().unwrap();
        let err = with_env(&[
            ("WARDEN_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("WARDEN_JWT_SECRET_FILE", path),
        ])
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "environment variable WARDEN_JWT_SECRET and WARDEN_JWT_SECRET_FILE: both are set; \
             set one of them"
        );
        let missing = dir.path().join("nope");
        let err = with_env(&[("WARDEN_OPERATIONS_KEY_FILE", missing.to_str().unwrap())])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!(
                "environment variable WARDEN_OPERATIONS_KEY_FILE: cannot read {}: ",
                missing.display()
            )),
            "{err}"
        );
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "\n").unwrap();
        let err = with_env(&[("WARDEN_DB_FILE", empty.to_str().unwrap())])
            .unwrap_err()
            .to_string();
        assert!(err.ends_with("is empty"), "{err}");
        std::fs::write(&secret, [0xff, 0xfe, b'x']).unwrap();
        let err = with_env(&[("WARDEN_JWT_SECRET_FILE", path)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("not valid UTF-8"), "{err}");
        // A variable that is not a setting (the first administrator's password).
        assert_eq!(
            value_or_file("WARDEN_ADMIN_PASSWORD", None, None).unwrap(),
            None
        );
        std::fs::write(&secret, "pw-from-a-file-1\n").unwrap();
        assert_eq!(
            value_or_file("WARDEN_ADMIN_PASSWORD", None, Some(path.into())).unwrap(),
            Some("pw-from-a-file-1".to_string())
        );
    }
}
