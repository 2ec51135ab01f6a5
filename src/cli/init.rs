//! `warden init`: the database, the signing keys and the bootstrap admin; and what a first
//! start shares with `serve` (the shipped policies, the bootstrap admin's announcement).

use super::exit::ExitStatus;
use super::output::Out;
use super::setup::block;
use crate::accounts::bootstrap::Bootstrapped;
use crate::app::App;
use crate::config::Config;
use anyhow::{Context as _, Result};
use serde_json::json;

pub(super) fn run(config: &Config, out: &Out) -> Result<ExitStatus> {
    config.check()?;
    shipped_policies(config)?;
    let (boot, published) = block(App::init_published(config))??;
    announce(&boot);
    if let Some(version) = published {
        eprintln!("published the shipped policies as version {version} (policy_source = store)");
    }
    out.emit(
        json!({"db": config.db, "admin": boot.admin.as_ref().map(|(id, email, pw)| json!({"id": id, "email": email, "password": pw}))}),
        || format!("database ready: {}", config.db.display()),
    );
    Ok(ExitStatus::Success)
}

/// A first start in an empty directory gets the shipped policies to serve and edit (in store
/// mode the directory is not used: `init` publishes them instead).
pub(super) fn shipped_policies(config: &Config) -> Result<()> {
    if config.policy_source == crate::publishing::PolicySource::Store {
        return Ok(());
    }
    let created = crate::engine::create_shipped(&config.policies)
        .with_context(|| format!("cannot create {}", config.policies.display()))?;
    if created {
        eprintln!(
            "created {} with the shipped policies",
            config.policies.display()
        );
    }
    Ok(())
}

/// Say on standard error that a bootstrap admin was created, with its password when warden
/// chose it (shown this once).
pub(super) fn announce(boot: &Bootstrapped) {
    if let Some((id, email, password)) = &boot.admin {
        match password {
            Some(p) => eprintln!(
                "created bootstrap admin {id} <{email}> with password: {p}\n(shown once; set WARDEN_ADMIN_PASSWORD to choose it)"
            ),
            None => eprintln!("created bootstrap admin {id} <{email}> with the password from WARDEN_ADMIN_PASSWORD"),
        }
    }
}
