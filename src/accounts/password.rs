//! Password hashing: argon2id with OWASP's recommended parameters (m=19 MiB, t=2, p=1).
//!
//! Memory: every argon2id computation needs 19 MiB of working memory. Allocating it per call
//! let a flood of sign-ins (no authentication needed) push the process to gigabytes, and the
//! allocator kept the peak. Hashing here always runs in a caller-provided [`Memory`], which
//! the sign-in path takes from a small pool bounded by the hashing concurrency
//! ([`super::HashGate`]), so the memory is allocated once and reused.

use argon2::password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

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

/// Working memory for argon2, reused across computations.
#[derive(Default)]
pub struct Memory(Vec<Block>);

impl Memory {
    /// Memory sized for warden's default parameters.
    pub fn for_default_params() -> Memory {
        Memory(vec![Block::default(); Params::DEFAULT.block_count()])
    }

    /// Hand the pages of this memory back to the operating system, keeping the allocation
    /// (the next hash faults in zeroed pages). Called when no hash is running, so that the
    /// resident memory returns to where it was before a burst of sign-ins.
    pub fn release(&mut self) {
        #[cfg(unix)]
        {
            // SAFETY: sysconf has no preconditions.
            let page = match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
                p if p > 0 => p as usize,
                _ => return,
            };
            let bytes = std::mem::size_of_val(self.0.as_slice());
            let start = self.0.as_mut_ptr() as usize;
            let first = start.div_ceil(page) * page;
            let end = (start + bytes) / page * page;
            if end > first {
                // SAFETY: the range lies inside this Vec's allocation, which we hold
                // exclusively (&mut self); MADV_DONTNEED on private anonymous memory only
                // turns its contents into zeros, and any bit pattern is a valid Block.
                unsafe {
                    libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_DONTNEED);
                }
            }
        }
    }

    fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.0.len() < count {
            self.0.resize(count, Block::default());
        }
        &mut self.0[..count]
    }
}

/// Hash a password (argon2id, random salt, PHC string) in `memory`. Slow on purpose: call it
/// off the async workers.
pub fn hash_in(password: &str, memory: &mut Memory) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    let params = Params::DEFAULT;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(
        Algorithm::Argon2id,
        Version::V0x13,
        &params,
        password,
        salt.as_salt(),
        &mut out,
        memory,
    )?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|_| PasswordError::Hash)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|_| PasswordError::Hash)?),
    };
    Ok(phc.to_string())
}

/// argon2 of `password` with `salt` into `out`, in `memory`: the one computation behind both
/// hashing and verifying.
fn compute(
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    password: &str,
    salt: argon2::password_hash::Salt<'_>,
    out: &mut [u8],
    memory: &mut Memory,
) -> Result<(), PasswordError> {
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|_| PasswordError::Hash)?;
    Argon2::new(algorithm, version, params.clone())
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt_raw,
            out,
            memory.blocks(params.block_count()),
        )
        .map_err(|_| PasswordError::Hash)
}

/// Hash a password with freshly allocated memory (the command line, start-up).
pub fn hash(password: &str) -> Result<String, PasswordError> {
    hash_in(password, &mut Memory::default())
}

/// Does `password` match the PHC string `stored`? Computed in `memory`; the comparison is
/// constant-time ([`Output`]'s equality). An unparsable stored hash is an error, not a "no".
pub fn matches_in(
    password: &str,
    stored: &str,
    memory: &mut Memory,
) -> Result<bool, PasswordError> {
    let parsed = PasswordHash::new(stored).map_err(|_| PasswordError::Hash)?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(|_| PasswordError::Hash)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|_| PasswordError::Hash)?
        .unwrap_or_default();
    let params = Params::try_from(&parsed).map_err(|_| PasswordError::Hash)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(PasswordError::Hash);
    };
    let mut out = vec![0u8; expected.len()];
    compute(
        algorithm, version, &params, password, salt, &mut out, memory,
    )?;
    let computed = Output::new(&out).map_err(|_| PasswordError::Hash)?;
    Ok(computed == expected)
}

/// Check a sign-in password. `stored` is `None` for an unknown user (or one without a
/// password): the password is then checked against `dummy`, made once at start-up, so that
/// both cases cost the same and an attacker cannot enumerate accounts by timing. Too-long
/// passwords spend the same time and fail.
pub fn verify_in(
    password: &str,
    stored: Option<&str>,
    dummy: &str,
    memory: &mut Memory,
) -> Result<bool, PasswordError> {
    if password.len() > MAX_PASSWORD_BYTES {
        matches_in("x", dummy, memory)?;
        return Ok(false);
    }
    match stored {
        Some(real) => matches_in(password, real, memory),
        None => {
            matches_in(password, dummy, memory)?;
            Ok(false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_with_reused_memory_and_with_the_argon2_crate() {
        let mut memory = Memory::default();
        let h = hash_in("correct horse battery", &mut memory).unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(matches_in("correct horse battery", &h, &mut memory).unwrap());
        assert!(!matches_in("wrong horse battery", &h, &mut memory).unwrap());
        // A hash made by the argon2 crate's own API verifies too (stored hashes stay valid).
        use argon2::password_hash::PasswordHasher;
        let salt = SaltString::generate(&mut OsRng);
        let other = Argon2::default()
            .hash_password(b"from-the-crate", &salt)
            .unwrap()
            .to_string();
        assert!(matches_in("from-the-crate", &other, &mut memory).unwrap());
        // And ours verifies with the crate's verifier.
        use argon2::password_hash::PasswordVerifier;
        let parsed = PasswordHash::new(&h).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse battery", &parsed)
            .is_ok());
    }

    #[test]
    fn unknown_users_and_long_passwords_fail_and_a_broken_hash_is_an_error() {
        let mut memory = Memory::default();
        let dummy = hash("dummy-password").unwrap();
        assert!(!verify_in("dummy-password", None, &dummy, &mut memory).unwrap());
        let long = "x".repeat(MAX_PASSWORD_BYTES + 1);
        let real = hash("a-real-password").unwrap();
        assert!(!verify_in(&long, Some(&real), &dummy, &mut memory).unwrap());
        assert_eq!(
            matches_in("x", "not a hash", &mut memory),
            Err(PasswordError::Hash)
        );
    }
}
