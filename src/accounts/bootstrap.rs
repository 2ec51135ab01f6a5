//! First start: the built-in roles and a bootstrap admin, so `warden serve` in an empty
//! directory needs no setup.

use super::password;
use crate::admin_action::AdminAction;
use crate::model::{Email, RoleName, UserId, UserName};
use crate::store::{Audit, NewUser, Store, StoreError};

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
pub async fn bootstrap(
    store: &Store,
    min_password_length: usize,
) -> Result<Bootstrapped, BootstrapError> {
    let mut done = Bootstrapped::default();
    if store.list_roles().await?.is_empty() {
        let user = role("USER")?;
        store
            .create_role(
                &user,
                &[],
                Some(&boot_audit(AdminAction::RolesWrite, "role:USER")),
            )
            .await?;
        store
            .create_role(
                &role("ADMIN")?,
                &[user],
                Some(&boot_audit(AdminAction::RolesWrite, "role:ADMIN")),
            )
            .await?;
    }
    // The password, or the file `WARDEN_ADMIN_PASSWORD_FILE` names (a container secret).
    let given = crate::config::env_or_file("WARDEN_ADMIN_PASSWORD")
        .map_err(|e| BootstrapError::Invalid(e.to_string()))?;
    if store.count_users().await? > 0 && given.is_some() {
        // Said, not silently ignored: the variable only sets the first admin's password.
        eprintln!(
            "warden: WARDEN_ADMIN_PASSWORD is ignored: {} already has users (it only sets the bootstrap admin's password on the first start; use `warden user passwd admin`)",
            store.location()
        );
    }
    if store.count_users().await? == 0 {
        let email =
            std::env::var("WARDEN_ADMIN_EMAIL").unwrap_or_else(|_| "admin@localhost".into());
        let email = Email::parse(&email)
            .map_err(|e| BootstrapError::Invalid(format!("WARDEN_ADMIN_EMAIL: {e}")))?;
        let (password, generated) = match given {
            Some(p) => {
                password::check_policy(&p, min_password_length)?;
                (p, false)
            }
            None => (crate::util::random_token(18), true),
        };
        let hash = password::hash(&password)?;
        let id = UserId::new_id("admin").map_err(|e| BootstrapError::Invalid(e.0))?;
        let admin = NewUser {
            id,
            email: email.clone(),
            name: UserName::parse("Administrator").map_err(|e| BootstrapError::Invalid(e.0))?,
            roles: vec![role("ADMIN")?],
            password_hash: Some(hash),
        };
        store
            .create_user(
                &admin,
                Some(&boot_audit(AdminAction::UsersCreate, "user:admin")),
            )
            .await?;
        done.admin = Some((
            "admin".into(),
            email.to_string(),
            generated.then_some(password),
        ));
    }
    Ok(done)
}

/// The audit row of a bootstrap change, made by warden itself.
fn boot_audit(action: AdminAction, target: &str) -> Audit {
    Audit {
        actor: "warden".into(),
        address: String::new(),
        action: action.name().into(),
        target: target.into(),
        detail: serde_json::json!({"bootstrap": true}),
    }
}
