//! Password hashing: argon2id with OWASP's recommended parameters (m=19 MiB, t=2, p=1).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::OnceLock;

/// Longest password accepted, in bytes. Argon2 has no truncation (unlike bcrypt's 72 bytes),
/// so the whole password always counts; the cap only bounds the work an attacker can ask for.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Why a password was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("password must be at least {0} characters")]
    TooShort(usize),
    #[error("password must be at most 1024 bytes")]
    TooLong,
    #[error("password hashing failed")]
    Hash,
}

/// Check a new password against the policy.
pub fn check_policy(password: &str, min_chars: usize) -> Result<(), PasswordError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordError::TooLong);
    }
    if password.chars().count() < min_chars {
        return Err(PasswordError::TooShort(min_chars));
    }
    Ok(())
}

/// Hash a password (argon2id, random salt, PHC string). Slow on purpose: call it off the
/// async workers.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| PasswordError::Hash)
}

/// Verify a password against a stored hash; `None` (unknown user, or a user without a
/// password) is checked against a dummy hash so that both cases take the same time and
/// an attacker cannot enumerate accounts by timing.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("warden-dummy-password-for-timing").unwrap_or_default());
    let (candidate, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    if password.len() > MAX_PASSWORD_BYTES {
        // Still spend the time: the response must not tell long passwords apart.
        let _ = PasswordHash::new(dummy).map(|h| Argon2::default().verify_password(b"x", &h));
        return false;
    }
    let ok = PasswordHash::new(candidate)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false);
    ok && real
}
