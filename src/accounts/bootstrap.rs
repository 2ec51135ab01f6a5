//! First start: the built-in roles and a bootstrap admin, so `warden serve` in an empty
//! directory needs no setup.

use super::password;
use crate::model::{Email, RoleName, UserId, UserName};
use crate::store::{NewUser, Store, StoreError};

/// What bootstrapping created.
#[derive(Debug, Default)]
pub struct Bootstrapped {
    /// The admin created, with the generated password when none was given (shown once).
    pub admin: Option<(String, String, Option<String>)>,
}

/// Errors while bootstrapping.
#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("WARDEN_ADMIN_PASSWORD")]
    Password(#[from] password::PasswordError),
    #[error("{0}")]
    Invalid(String),
}

fn role(name: &str) -> Result<RoleName, BootstrapError> {
    RoleName::parse(name).map_err(|e| BootstrapError::Invalid(e.0))
}

/// Create roles `USER` and `ADMIN` (which inherits `USER`) when no role exists, and the
/// admin `admin` (email from `WARDEN_ADMIN_EMAIL`, default `admin@localhost`) when no user
/// exists. Its password comes from `WARDEN_ADMIN_PASSWORD` or is generated.
pub fn bootstrap(
    store: &Store,
    min_password_length: usize,
) -> Result<Bootstrapped, BootstrapError> {
    let mut done = Bootstrapped::default();
    if store.list_roles()?.is_empty() {
        let user = role("USER")?;
        store.create_role(&user, &[])?;
        store.create_role(&role("ADMIN")?, &[user])?;
    }
    if store.count_users()? > 0 && std::env::var_os("WARDEN_ADMIN_PASSWORD").is_some() {
        // Said, not silently ignored: the variable only sets the first admin's password.
        eprintln!(
            "warden: WARDEN_ADMIN_PASSWORD is ignored: {} already has users (it only sets the bootstrap admin's password on the first start; use `warden user passwd admin`)",
            store.path().display()
        );
    }
    if store.count_users()? == 0 {
        let email =
            std::env::var("WARDEN_ADMIN_EMAIL").unwrap_or_else(|_| "admin@localhost".into());
        let email = Email::parse(&email)
            .map_err(|e| BootstrapError::Invalid(format!("WARDEN_ADMIN_EMAIL: {e}")))?;
        let (password, generated) = match std::env::var("WARDEN_ADMIN_PASSWORD") {
            Ok(p) => {
                password::check_policy(&p, min_password_length)?;
                (p, false)
            }
            Err(_) => (crate::util::random_token(18), true),
        };
        let hash = password::hash(&password)?;
        let id = UserId::parse("admin").map_err(|e| BootstrapError::Invalid(e.0))?;
        store.create_user(&NewUser {
            id,
            email: email.clone(),
            name: UserName::parse("Administrator").map_err(|e| BootstrapError::Invalid(e.0))?,
            roles: vec![role("ADMIN")?],
            password_hash: Some(hash),
        })?;
        store.audit(
            "warden",
            "users.create",
            "user:admin",
            &serde_json::json!({"bootstrap": true}),
        )?;
        done.admin = Some((
            "admin".into(),
            email.to_string(),
            generated.then_some(password),
        ));
    }
    Ok(done)
}
