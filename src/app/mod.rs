//! The application core: every admin operation once.
//!
//! Each operation validates its input (naming the field at fault), makes its change and
//! writes its audit row in one transaction (the store writes the [`Audit`] it is given with
//! the change), and returns a typed result or a typed [`AppError`]. The command line, the
//! admin API and the embedding facade are thin adapters: they translate arguments and
//! results, and pass the [`Actor`] (`cli`, a user), so the same change from any of them
//! writes the same audit row.
//!
//! Layering: `app` calls the store, the engine, tokens and accounts; nothing here knows HTTP
//! or the terminal.

mod clients;
pub mod delegation;
mod error;
mod identities;
mod impact;
mod input;
mod keys;
mod policies;
mod publish;
mod reads;
mod roles;
mod sessions;
mod users;

use crate::accounts::{Accounts, AuthError};
use crate::admin_action::AdminAction;
use crate::config::Config;
use crate::engine::{Decision, Engine, Query, Resource};
use crate::identity::{self, IdentityError};
use crate::model::{Email, InvalidValue, RoleName, SearchText, UserId, UserName};
use crate::store::{AdminRule, Audit, Change, NewUser, Store};
use crate::tokens::{TokenError, Tokens};
use delegation::Check;
pub use error::{AppError, OpenError, PolicyRefusal, TokenPrincipalError};
use input::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

pub use crate::model::DecisionKind;
pub use crate::refusal::{Conflict, Invalid, Reason};
pub use crate::store::capped_log_value;
pub use crate::store::{
    AuditRow, ClientRow, DecisionFilter, DecisionRow, DecisionStats, IdentityRow, KeyRow,
    ReplicaRow, RoleRow, SessionRow, StoreError, UserRow,
};
pub use impact::replay;

/// How often a server records its heartbeat.
pub const HEARTBEAT_PERIOD: std::time::Duration = std::time::Duration::from_secs(10);
/// A replica not heard from for this long is no longer listed.
pub const REPLICA_SILENCE_SECS: i64 = 30;

/// A replica as listed: its last heartbeat, and whether the policies it serves differ from
/// the others'.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReplicaStatus {
    #[serde(flatten)]
    pub replica: ReplicaRow,
    /// Its policy hash is not the one most replicas serve (or, when no single hash is the
    /// most common, the replicas disagree and every one is flagged).
    pub policy_differs: bool,
}

/// Copy the SQLite database `from` into the empty PostgreSQL database `to` (`warden db
/// copy`), logs too with `with_logs`; the rows copied per table, counts verified.
pub async fn copy_database(
    from: &std::path::Path,
    to: &str,
    with_logs: bool,
) -> Result<crate::store::copy::CopyReport, AppError> {
    if !crate::store::is_postgres_url(to) {
        return Err(AppError::Invalid(format!(
            "--to must be a postgres:// URL, not {}",
            crate::store::redact_url(to)
        )));
    }
    Ok(crate::store::copy::copy_sqlite_to_postgres(from, to, with_logs).await?)
}

/// The servers still running on the SQLite database `from` (heartbeats of the last
/// [`REPLICA_SILENCE_SECS`]), which `warden db copy` refuses to copy under: rows they write
/// after the copy's snapshot would be lost, and sessions revoked there would live on in the
/// copy. `now` is the caller's clock.
pub async fn copy_source_replicas(
    from: &std::path::Path,
    now: i64,
) -> Result<Vec<ReplicaRow>, AppError> {
    Ok(crate::store::copy::live_replicas(from, now - REPLICA_SILENCE_SECS).await?)
}

/// A database URL or path as it may be shown: any password masked.
pub fn shown_db(db: &str) -> String {
    crate::store::redact_url(db)
}

/// Flag the replicas whose policy hash is not the majority's, or that do not serve the
/// active published version (see [`flag_policy_differences_at`]; the active version taken
/// as the highest any replica serves).
pub fn flag_policy_differences(replicas: Vec<ReplicaRow>) -> Vec<ReplicaStatus> {
    flag_policy_differences_at(replicas, None)
}

/// Flag the replicas whose policy hash is not the majority's; and, in store mode, every
/// replica that says it cannot load the active version (`policy_error`) or serves a version
/// other than `active` (when `active` is unknown: the highest version any replica serves).
/// A replica left behind by a publish is flagged even when it is the majority: "all
/// replicas or none" is about the active version, not about agreement.
pub fn flag_policy_differences_at(
    replicas: Vec<ReplicaRow>,
    active: Option<i64>,
) -> Vec<ReplicaStatus> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for r in &replicas {
        *counts.entry(r.policy_hash.as_str()).or_default() += 1;
    }
    let most = counts.values().copied().max().unwrap_or(0);
    let leaders: Vec<&str> = counts
        .iter()
        .filter(|(_, n)| **n == most)
        .map(|(h, _)| *h)
        .collect();
    let agreed = match leaders.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    };
    let active = active.or_else(|| replicas.iter().filter_map(|r| r.policy_version).max());
    replicas
        .into_iter()
        .map(|replica| {
            let behind = replica.policy_version.is_some() && replica.policy_version != active;
            ReplicaStatus {
                policy_differs: agreed.as_deref() != Some(replica.policy_hash.as_str())
                    || replica.policy_error.is_some()
                    || behind,
                replica,
            }
        })
        .collect()
}

/// The secret under which a shared database keeps its deployment's issuer.
const ISSUER_SECRET: &str = "issuer";

/// One issuer for every process on a database (issue 25).
///
/// Attack (or accident) answered: without `public_url` each replica's issuer was its own
/// listen address, so a token minted on replica A was refused on B (`wrong_issuer`) and users
/// behind a load balancer bounced between 200 and 401. So the first server with a
/// `public_url` stores it in the database, and a server whose `public_url` differs refuses to
/// start; on PostgreSQL (the back end of several replicas) `public_url` is required. SQLite
/// without `public_url` keeps the single-machine default (the listen address), stored nowhere.
async fn settle_issuer(store: &Store, config: &Config) -> Result<(), OpenError> {
    let configured = config.public_url.trim().trim_end_matches('/');
    if configured.is_empty() {
        if config
            .db
            .to_str()
            .is_some_and(crate::store::is_postgres_url)
        {
            return Err(OpenError::Issuer(
                "public_url (or WARDEN_PUBLIC_URL) is required on PostgreSQL: every replica must \
                 sign tokens with one issuer, the URL clients reach warden at \
                 (https://auth.example.com), not each replica's own address"
                    .into(),
            ));
        }
        return Ok(());
    }
    let stored = store
        .secret(ISSUER_SECRET, configured.as_bytes().to_vec())
        .await?;
    let stored = String::from_utf8_lossy(&stored);
    if stored != configured {
        return Err(OpenError::Issuer(format!(
            "public_url is {configured}, but the servers of this database issue tokens as \
             {stored}: every replica must use one issuer (set public_url = \"{stored}\"); to move \
             the whole deployment to a new URL, run `warden db set-issuer {configured}` first \
             (tokens of the old issuer then stop verifying)"
        )));
    }
    Ok(())
}

/// Everything a running warden is made of, opened once by [`App::open`]: the core and the
/// services the edges share (the server adds its metrics and decision log around them).
#[derive(Clone)]
pub struct Opened {
    pub app: App,
    pub engine: Arc<Engine>,
    pub tokens: Arc<Tokens>,
    pub accounts: Arc<Accounts>,
    /// Bearer tokens to verified callers, through one bounded cache.
    pub resolver: Arc<identity::Resolver>,
}

/// Open (creating and migrating) the configured database: a SQLite file (migrated off the
/// async workers, like every SQLite call) or a PostgreSQL URL.
async fn open_store(
    config: &Config,
    clock: crate::clock::SharedClock,
) -> Result<Store, StoreError> {
    Store::connect(&config.db, clock).await
}

/// The policies as `policy_source` says: the directory, or the active published version.
async fn load_engine(store: &Store, config: &Config, repair: bool) -> Result<Engine, OpenError> {
    match config.policy_source {
        crate::publishing::PolicySource::Dir => Ok(Engine::load(&config.policies)?),
        crate::publishing::PolicySource::Store => publish::store_engine(store, repair).await,
    }
}

/// Who makes a change: written to the audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The `warden` command line (whoever can open the database).
    Cli,
    /// The program embedding warden as a library (it holds the database too).
    Embedder,
    /// A signed-in user (by id), through the admin API or the console, from `address` (the
    /// end user's, as `server::origin` establishes it; empty when unknown).
    User { id: String, address: String },
}

impl Actor {
    /// A signed-in user whose address is unknown (the embedding facade, tests).
    pub fn user(id: impl Into<String>) -> Actor {
        Actor::User {
            id: id.into(),
            address: String::new(),
        }
    }

    /// The actor as the audit log names it: `cli` or `user:<id>`.
    pub fn label(&self) -> String {
        match self {
            Actor::Cli => "cli".into(),
            Actor::Embedder => "embedder".into(),
            Actor::User { id, .. } => format!("user:{id}"),
        }
    }

    /// Where the actor is (written to its audit rows); empty for the command line.
    pub fn address(&self) -> &str {
        match self {
            Actor::Cli | Actor::Embedder => "",
            Actor::User { address, .. } => address,
        }
    }

    /// Whether this is the signed-in user `id`.
    pub fn is_user(&self, id: &str) -> bool {
        matches!(self, Actor::User { id: me, .. } if me == id)
    }
}

/// A new user, as the edges receive it.
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    /// The id; derived from the email when absent.
    pub id: Option<String>,
    pub email: String,
    /// The display name (may be empty).
    pub name: String,
    pub roles: Vec<String>,
    /// The first password; none makes an account that cannot sign in until one is set.
    pub password: Option<String>,
}

/// A change to a user: each field present is changed.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub email: Option<String>,
    pub name: Option<String>,
    pub disabled: Option<bool>,
}

/// What a password reset ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordReset {
    pub sessions_ended: usize,
}

/// A client created, with its key (shown this once).
#[derive(Debug, Clone)]
pub struct NewClient {
    pub client: ClientRow,
    pub key: String,
}

/// The application core over one store and, where they are loaded, the policies, the
/// token keys and the hashing gate. Cheap to clone.
///
/// The server has all of them. A command-line run loads only what its command needs: without
/// `accounts`, passwords are hashed directly on the blocking pool (one command, one hash);
/// without `tokens`, a rotated key is picked up by running servers at their next key check;
/// without `engine`, operations that need the policies say so.
#[derive(Clone)]
pub struct App {
    /// Private: every write goes through an operation here, validated and audited (an edge
    /// or an embedder holding the store could change the directory unchecked).
    store: Arc<Store>,
    pub config: Arc<Config>,
    pub engine: Option<Arc<Engine>>,
    pub tokens: Option<Arc<Tokens>>,
    pub accounts: Option<Arc<Accounts>>,
    /// The rule every change of users or roles keeps (someone can still administer
    /// warden), asked of the policies in force; present whenever they are loaded.
    keep_admin: Option<AdminRule>,
}

impl App {
    /// Open warden as `warden serve` does: the database (created, migrated and bootstrapped
    /// on first use), the policies, the signing keys and the sign-in services. What the
    /// first start created (the bootstrap admin) is returned for the caller to announce.
    pub async fn open(
        config: Config,
        clock: crate::clock::SharedClock,
    ) -> Result<(Opened, crate::accounts::bootstrap::Bootstrapped), OpenError> {
        config.check()?;
        let store = Arc::new(open_store(&config, clock.clone()).await?);
        settle_issuer(&store, &config).await?;
        // The policies before the bootstrap admin: a start that fails on them (store mode
        // with nothing published) must not create the admin with a password nobody saw.
        let engine = Arc::new(load_engine(&store, &config, false).await?);
        let boot =
            crate::accounts::bootstrap::bootstrap(&store, config.min_password_length).await?;
        if !engine.validation() {
            // A deliberate choice, made here and only here: a reload never turns it off.
            tracing::warn!(
                policies = %config.policies.display(),
                "no schema (*.cedarschema): requests and entities are not validated (validation off)"
            );
            eprintln!(
                "warden: no schema in {}: validation off (add a *.cedarschema and restart to turn it on)",
                config.policies.display()
            );
        }
        let tokens = Arc::new(Tokens::new(&store, &config).await?);
        let accounts =
            Arc::new(Accounts::new(store.clone(), tokens.clone(), config.clone(), clock).await?);
        let resolver = Arc::new(
            identity::Resolver::new(store.clone(), tokens.clone())
                .strict_revocation(config.strict_revocation),
        );
        let app = App {
            engine: Some(engine.clone()),
            keep_admin: Some(identity::admin_rule(engine.clone())),
            tokens: Some(tokens.clone()),
            accounts: Some(accounts.clone()),
            ..App::new(store, Arc::new(config))
        };
        Ok((
            Opened {
                app,
                engine,
                tokens,
                accounts,
                resolver,
            },
            boot,
        ))
    }

    /// Open an existing database for a command-line run: only `init` and `serve` create
    /// one, so a mistyped path is said instead of answered from an empty database. With
    /// `guard`, the policies are loaded and every directory change is checked to leave
    /// someone able to administer warden; when they cannot be loaded the change is refused
    /// rather than made unchecked (fail closed).
    pub async fn open_existing(config: &Config, guard: bool) -> Result<App, OpenError> {
        let postgres = config
            .db
            .to_str()
            .is_some_and(crate::store::is_postgres_url);
        if !postgres && !config.db.exists() {
            return Err(OpenError::Store(StoreError::Missing {
                path: config.db.display().to_string(),
            }));
        }
        let store = Arc::new(open_store(config, crate::clock::system()).await?);
        let mut app = App::new(store.clone(), Arc::new(config.clone()));
        if guard {
            let engine = Arc::new(load_engine(&store, config, true).await?);
            app.keep_admin = Some(identity::admin_rule(engine.clone()));
            app.engine = Some(engine);
        }
        Ok(app)
    }

    /// Create (or bring up to date) the database with its built-in roles, bootstrap admin
    /// and signing key: `warden init`.
    pub async fn init(
        config: &Config,
    ) -> Result<crate::accounts::bootstrap::Bootstrapped, OpenError> {
        Ok(App::init_published(config).await?.0)
    }

    /// [`App::init`], and in store mode (`policy_source = "store"`) the shipped policies
    /// published as version 1 when no version is active: returns that version when it did.
    pub async fn init_published(
        config: &Config,
    ) -> Result<(crate::accounts::bootstrap::Bootstrapped, Option<i64>), OpenError> {
        config.check()?;
        // `init` is the one command that may start over in an empty file (issue 32).
        if !config
            .db
            .to_str()
            .is_some_and(crate::store::is_postgres_url)
        {
            crate::store::start_over_in_empty_sqlite_file(&config.db)?;
        }
        let store = open_store(config, crate::clock::system()).await?;
        settle_issuer(&store, config).await?;
        let boot =
            crate::accounts::bootstrap::bootstrap(&store, config.min_password_length).await?;
        if config.jwt_algorithm == crate::config::JwtAlgorithm::EdDsa {
            crate::tokens::ensure_key(&store).await?;
        }
        let published = match config.policy_source {
            crate::publishing::PolicySource::Store => publish::publish_shipped(&store).await?,
            crate::publishing::PolicySource::Dir => None,
        };
        Ok((boot, published))
    }

    /// The principal of a directory user, with its current roles.
    pub async fn user_principal(&self, user: &str) -> Result<crate::engine::Principal, AppError> {
        Ok(identity::directory_principal(&self.store, user).await?)
    }

    /// The principal behind an access token, verified completely (signature, claims,
    /// revocation, session, user).
    pub async fn token_principal(
        &self,
        token: &str,
    ) -> Result<crate::engine::Principal, TokenPrincipalError> {
        let tokens = match &self.tokens {
            Some(t) => t.clone(),
            None => Arc::new(
                Tokens::new(&self.store, &self.config)
                    .await
                    .map_err(|e| TokenPrincipalError::App(e.into()))?,
            ),
        };
        let (_, user) = identity::verify_access_token(&self.store, &tokens, token)
            .await
            .map_err(|r| TokenPrincipalError::Refused(r, r.explain(tokens.issuer())))?;
        identity::principal_for(&self.store, &user)
            .await
            .map_err(|e| TokenPrincipalError::App(e.into()))
    }

    /// The store under this core, for tests that set up or inspect state directly (writes
    /// through it skip validation and audit: never in warden itself).
    #[cfg(any(test, feature = "testkit"))]
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// A handle on the store for the crate's own services (the embedding facade reads
    /// principals through it); never handed out.
    pub(crate) fn store_handle(&self) -> Arc<Store> {
        self.store.clone()
    }

    /// The back end the directory lives in, as the start-up banner names it.
    pub fn backend_name(&self) -> &'static str {
        match self.config.db.to_str() {
            Some(db) if crate::store::is_postgres_url(db) => "PostgreSQL",
            _ => "SQLite",
        }
    }

    /// The store's clock: now, in Unix seconds.
    pub fn now(&self) -> i64 {
        self.store.now()
    }

    /// The revision counter as this process last saw it (no query; see
    /// [`Store::current_revision`]).
    pub fn current_revision(&self) -> Result<i64, StoreError> {
        self.store.current_revision()
    }

    /// An application core over `store` alone (add the rest with the fields).
    pub fn new(store: Arc<Store>, config: Arc<Config>) -> App {
        App {
            store,
            config,
            engine: None,
            tokens: None,
            accounts: None,
            keep_admin: None,
        }
    }

    /// How a change of users or roles recorded by `audit` is made: with the rule that
    /// keeps an administrator (see [`AdminRule`]).
    fn directory_change<'a>(&'a self, audit: &'a Audit) -> Change<'a> {
        Change::audited(audit).keeping(self.keep_admin.as_ref())
    }

    fn engine(&self) -> Result<&Arc<Engine>, AppError> {
        self.engine
            .as_ref()
            .ok_or_else(|| AppError::Invalid("the policies are not loaded".into()))
    }

    /// Check the password policy and hash `password` off the async workers (through the
    /// hashing gate when there is one).
    async fn hash_password(&self, password: String) -> Result<String, AppError> {
        if let Some(accounts) = &self.accounts {
            return Ok(accounts.hash_password(password).await?);
        }
        crate::accounts::password::check_policy(&password, self.config.min_password_length)
            .map_err(|e| AppError::Invalid(format!("field `password`: {e}")))?;
        tokio::task::spawn_blocking(move || crate::accounts::password::hash(&password))
            .await
            .map_err(|e| {
                crate::alarm::raise("hash_task", &e);
                AppError::Auth(AuthError::Internal)
            })?
            .map_err(|e| {
                crate::alarm::raise("password_hash", &e);
                AppError::Auth(AuthError::Internal)
            })
    }

    fn audit(actor: &Actor, action: AdminAction, target: String, detail: Value) -> Audit {
        Audit {
            actor: actor.label(),
            address: actor.address().into(),
            action: action.name().into(),
            target,
            detail,
        }
    }

    /// The principal of an existing user as the policies see it (disabled or not): what an
    /// admin change on it is checked against.
    async fn target_user(
        &self,
        id: &UserId,
    ) -> Result<(UserRow, crate::engine::Principal), AppError> {
        let user = self.store.user(id.as_str()).await?;
        let principal = identity::principal_for(&self.store, &user).await?;
        Ok((user, principal))
    }

    /// The change a user-only operation (password, revoke, unlock, delete) is checked as.
    async fn check_on_user(
        &self,
        actor: &Actor,
        action: AdminAction,
        id: &UserId,
    ) -> Result<UserRow, AppError> {
        let (user, principal) = self.target_user(id).await?;
        self.authorize(actor, Check::on_user(action, principal))
            .await?;
        Ok(user)
    }
}
#[cfg(test)]
mod tests;
