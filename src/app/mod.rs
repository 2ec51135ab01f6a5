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

pub mod delegation;

use crate::accounts::{Accounts, AuthError};
use crate::admin_action::AdminAction;
use crate::config::Config;
use crate::engine::{Decision, Engine, Query, Resource};
use crate::identity::{self, IdentityError};
use crate::model::{Email, InvalidValue, RoleName, SearchText, UserId, UserName};
use crate::store::{AdminRule, Audit, Change, NewUser, Store};
use crate::tokens::{TokenError, Tokens};
use delegation::Check;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

pub use crate::model::DecisionKind;
pub use crate::store::{
    AuditRow, ClientRow, DecisionFilter, DecisionRow, DecisionStats, IdentityRow, KeyRow,
    ReplicaRow, RoleRow, SessionRow, StoreError, UserRow,
};

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

/// A database URL or path as it may be shown: any password masked.
pub fn shown_db(db: &str) -> String {
    crate::store::redact_url(db)
}

/// Flag the replicas whose policy hash is not the majority's.
pub fn flag_policy_differences(replicas: Vec<ReplicaRow>) -> Vec<ReplicaStatus> {
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
    replicas
        .into_iter()
        .map(|replica| ReplicaStatus {
            policy_differs: agreed.as_deref() != Some(replica.policy_hash.as_str()),
            replica,
        })
        .collect()
}

/// Why warden could not open.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot load policies")]
    Policies(#[from] crate::engine::LoadError),
    #[error(transparent)]
    Tokens(#[from] TokenError),
    #[error(transparent)]
    Bootstrap(#[from] crate::accounts::bootstrap::BootstrapError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// Replicas would not agree on who issues their tokens.
    #[error("{0}")]
    Issuer(String),
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

/// Who makes a change: written to the audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The `warden` command line (whoever can open the database).
    Cli,
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
            Actor::User { id, .. } => format!("user:{id}"),
        }
    }

    /// Where the actor is (written to its audit rows); empty for the command line.
    pub fn address(&self) -> &str {
        match self {
            Actor::Cli => "",
            Actor::User { address, .. } => address,
        }
    }

    /// Whether this is the signed-in user `id`.
    pub fn is_user(&self, id: &str) -> bool {
        matches!(self, Actor::User { id: me, .. } if me == id)
    }
}

/// Why an operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad input, naming the field (400).
    #[error("{0}")]
    Invalid(String),
    /// The change conflicts with the caller or the data (409).
    #[error("{0}")]
    Conflict(String),
    /// The policies do not allow the actor this admin change on its target (403).
    #[error("{0}")]
    Forbidden(String),
    /// The change would give someone an admin action the actor does not hold, or acts on a
    /// user who holds one the actor lacks (403, see [`delegation`]).
    #[error("{message}")]
    Escalation {
        /// The admin action the actor lacks.
        missing: crate::admin_action::AdminAction,
        message: String,
    },
    /// A policy reload was refused; the previous policies keep serving (422).
    #[error("reload refused; the previous policies keep serving: {0}")]
    Reload(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Tokens(#[from] TokenError),
}

impl From<IdentityError> for AppError {
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::UnknownUser(u) => {
                AppError::Store(StoreError::not_found(crate::store::Entity::User, u))
            }
            IdentityError::Disabled(u) => AppError::Conflict(format!("user {u} is disabled")),
            IdentityError::Store(s) => AppError::Store(s),
        }
    }
}

/// A 400 naming the field a refused value came from.
fn field(name: &'static str) -> impl Fn(InvalidValue) -> AppError {
    move |e| AppError::Invalid(format!("field `{name}`: {e}"))
}

/// Most roles a user or a role may list.
const MAX_ROLES: usize = 64;

fn role_names(what: &'static str, names: &[String]) -> Result<Vec<RoleName>, AppError> {
    if names.len() > MAX_ROLES {
        return Err(AppError::Invalid(format!(
            "field `{what}`: at most {MAX_ROLES} roles are allowed"
        )));
    }
    names
        .iter()
        .map(|r| RoleName::parse(r).map_err(field(what)))
        .collect()
}

fn user_id(id: &str) -> Result<UserId, AppError> {
    UserId::parse(id).map_err(field("id"))
}

/// An identity's issuer or subject: OpenID Connect bounds `sub` to 255 ASCII characters.
fn identity_part(what: &'static str, value: &str) -> Result<(), AppError> {
    if value.is_empty() || value.len() > 1024 || value.chars().any(char::is_control) {
        return Err(AppError::Invalid(format!(
            "field `{what}`: must be 1 to 1024 characters without control characters"
        )));
    }
    Ok(())
}

/// Longest opaque id (session, client, jti) accepted.
const MAX_OPAQUE_ID: usize = 128;

fn opaque(what: &'static str, value: &str) -> Result<(), AppError> {
    if value.is_empty() || value.len() > MAX_OPAQUE_ID || value.chars().any(char::is_control) {
        return Err(AppError::Invalid(format!(
            "field `{what}` must be 1 to {MAX_OPAQUE_ID} characters without control characters"
        )));
    }
    Ok(())
}

/// Why a token has no principal.
#[derive(Debug, thiserror::Error)]
pub enum TokenPrincipalError {
    #[error("token refused: {0} ({code})", code = .0.code())]
    Refused(crate::tokens::Rejection),
    #[error(transparent)]
    App(AppError),
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
    pub store: Arc<Store>,
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
        let boot =
            crate::accounts::bootstrap::bootstrap(&store, config.min_password_length).await?;
        let engine = Arc::new(Engine::load(&config.policies)?);
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
        let mut app = App::new(store, Arc::new(config.clone()));
        if guard {
            let engine = Arc::new(Engine::load(&config.policies)?);
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
        config.check()?;
        let store = open_store(config, crate::clock::system()).await?;
        settle_issuer(&store, config).await?;
        let boot =
            crate::accounts::bootstrap::bootstrap(&store, config.min_password_length).await?;
        if config.jwt_algorithm == crate::config::JwtAlgorithm::EdDsa {
            crate::tokens::ensure_key(&store).await?;
        }
        Ok(boot)
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
            .map_err(TokenPrincipalError::Refused)?;
        identity::principal_for(&self.store, &user)
            .await
            .map_err(|e| TokenPrincipalError::App(e.into()))
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

    // ---- users ----

    /// Users ordered by id, optionally filtered (substring of id, email or name).
    pub async fn list_users(
        &self,
        filter: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<UserRow>, AppError> {
        let filter = filter
            .map(SearchText::parse)
            .transpose()
            .map_err(field("filter"))?;
        Ok(self
            .store
            .list_users(filter.as_ref(), limit.clamp(1, 1000), offset.max(0))
            .await?)
    }

    /// One user.
    pub async fn user(&self, id: &str) -> Result<UserRow, AppError> {
        Ok(self.store.user(user_id(id)?.as_str()).await?)
    }

    /// Create a user (`users.create`). The new user may hold nothing the actor does not.
    pub async fn create_user(&self, actor: &Actor, input: UserInput) -> Result<UserRow, AppError> {
        let email = Email::parse(&input.email).map_err(field("email"))?;
        let id = match &input.id {
            Some(id) => UserId::new_id(id).map_err(field("id"))?,
            None => UserId::from_email(&email).map_err(field("email"))?,
        };
        let name = UserName::parse(&input.name).map_err(field("name"))?;
        let roles = role_names("roles", &input.roles)?;
        let role_list: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        let graph = self.store.role_graph().await?;
        let new = identity::principal_from(
            id.as_str(),
            email.as_str(),
            name.as_str(),
            Default::default(),
            &role_list,
            &graph,
        );
        self.authorize(
            actor,
            Check {
                action: AdminAction::UsersCreate,
                target: Some(crate::engine::Target::User(new.clone())),
                audit_target: format!("user:{id}"),
                grants: role_list.clone(),
                acted_on: Vec::new(),
                changes: vec![(None, new)],
            },
        )
        .await?;
        let has_password = input.password.is_some();
        let password_hash = match input.password {
            Some(p) => Some(self.hash_password(p).await?),
            None => None,
        };
        let audit = Self::audit(
            actor,
            AdminAction::UsersCreate,
            format!("user:{id}"),
            json!({
                "email": email.as_str(),
                "roles": role_list,
                "password": if has_password { "set" } else { "none" },
            }),
        );
        let new = NewUser {
            id,
            email,
            name,
            roles,
            password_hash,
        };
        Ok(self.store.create_user(&new, Some(&audit)).await?)
    }

    /// Change a user's email, name or enabled state (`users.update`): the user may hold
    /// nothing the actor does not, and the change may give it nothing either (policies may
    /// read `principal.email`).
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: &str,
        change: UserChange,
    ) -> Result<UserRow, AppError> {
        let id = user_id(id)?;
        let email = change
            .email
            .as_deref()
            .map(Email::parse)
            .transpose()
            .map_err(field("email"))?;
        let name = change
            .name
            .as_deref()
            .map(UserName::parse)
            .transpose()
            .map_err(field("name"))?;
        let (user, before) = self.target_user(&id).await?;
        let mut after = before.clone();
        if let Some(e) = &email {
            after.attrs.insert("email".into(), json!(e.as_str()));
        }
        if let Some(n) = &name {
            after.attrs.insert("name".into(), json!(n.as_str()));
        }
        // Enabling a disabled user gives back everything it holds.
        let had = if user.disabled && change.disabled == Some(false) {
            None
        } else {
            Some(before.clone())
        };
        self.authorize(
            actor,
            Check {
                changes: vec![(had, after)],
                ..Check::on_user(AdminAction::UsersUpdate, before)
            },
        )
        .await?;
        // The store adds `before` (the same fields as they were) inside the transaction.
        let mut after = serde_json::Map::new();
        if let Some(e) = &email {
            after.insert("email".into(), json!(e.as_str()));
        }
        if let Some(n) = &name {
            after.insert("name".into(), json!(n.as_str()));
        }
        if let Some(d) = change.disabled {
            after.insert("disabled".into(), json!(d));
        }
        let audit = Self::audit(
            actor,
            AdminAction::UsersUpdate,
            format!("user:{id}"),
            json!({ "after": after }),
        );
        Ok(self
            .store
            .update_user(
                id.as_str(),
                email.as_ref(),
                name.as_ref(),
                change.disabled,
                self.directory_change(&audit),
            )
            .await?)
    }

    /// Replace a user's roles, the first being the primary one (`users.roles`). The user may
    /// hold nothing the actor does not, before or after.
    pub async fn set_roles(
        &self,
        actor: &Actor,
        id: &str,
        roles: &[String],
    ) -> Result<UserRow, AppError> {
        let id = user_id(id)?;
        let roles = role_names("roles", roles)?;
        let (user, before) = self.target_user(&id).await?;
        let after_roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        let graph = self.store.role_graph().await?;
        let after = identity::principal_from(
            &user.id,
            &user.email,
            &user.name,
            Default::default(),
            &after_roles,
            &graph,
        );
        let grants = after_roles
            .iter()
            .filter(|r| !user.roles.contains(r))
            .cloned()
            .collect();
        self.authorize(
            actor,
            Check {
                grants,
                changes: vec![(Some(before.clone()), after)],
                ..Check::on_user(AdminAction::UsersRoles, before)
            },
        )
        .await?;
        let audit = Self::audit(
            actor,
            AdminAction::UsersRoles,
            format!("user:{id}"),
            json!({"after": after_roles}),
        );
        Ok(self
            .store
            .set_user_roles(id.as_str(), &roles, self.directory_change(&audit))
            .await?)
    }

    /// Set a new password for a user (`users.password`): every session and access token of
    /// the user ends and the sign-in throttle of the account is lifted.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        id: &str,
        password: String,
    ) -> Result<PasswordReset, AppError> {
        let id = user_id(id)?;
        self.check_on_user(actor, AdminAction::UsersPassword, &id)
            .await?;
        let hash = self.hash_password(password).await?;
        let audit = Self::audit(
            actor,
            AdminAction::UsersPassword,
            format!("user:{id}"),
            json!({"password": "reset", "tokens": "revoked", "throttle": "cleared"}),
        );
        let sessions_ended = self
            .store
            .reset_password(id.as_str(), &hash, Some(&audit))
            .await?;
        Ok(PasswordReset { sessions_ended })
    }

    /// End every session and access token of a user (`users.revoke`).
    pub async fn revoke_user_tokens(&self, actor: &Actor, id: &str) -> Result<(), AppError> {
        let id = user_id(id)?;
        self.check_on_user(actor, AdminAction::UsersRevoke, &id)
            .await?;
        let audit = Self::audit(
            actor,
            AdminAction::UsersRevoke,
            format!("user:{id}"),
            json!({}),
        );
        Ok(self
            .store
            .revoke_user_tokens(id.as_str(), Some(&audit))
            .await?)
    }

    /// Lift the sign-in throttle of a user's account, from every address (`users.unlock`).
    /// Returns how many counters were cleared.
    pub async fn unlock_user(&self, actor: &Actor, id: &str) -> Result<usize, AppError> {
        let id = user_id(id)?;
        let user = self
            .check_on_user(actor, AdminAction::UsersUnlock, &id)
            .await?;
        let audit = Self::audit(
            actor,
            AdminAction::UsersUnlock,
            format!("user:{id}"),
            json!({"throttle": "cleared"}),
        );
        Ok(self.store.unlock_account(&user.email, Some(&audit)).await?)
    }

    /// Delete a user (`users.delete`); nobody deletes themselves.
    pub async fn delete_user(&self, actor: &Actor, id: &str) -> Result<(), AppError> {
        let id = user_id(id)?;
        if actor.is_user(id.as_str()) {
            return Err(AppError::Conflict("you cannot delete yourself".into()));
        }
        self.check_on_user(actor, AdminAction::UsersDelete, &id)
            .await?;
        let audit = Self::audit(
            actor,
            AdminAction::UsersDelete,
            format!("user:{id}"),
            json!({}),
        );
        Ok(self
            .store
            .delete_user(id.as_str(), self.directory_change(&audit))
            .await?)
    }

    // ---- federated identities ----

    /// A user's links to identity providers (`users.read`, checked by the caller's route).
    pub async fn list_identities(&self, id: &str) -> Result<Vec<IdentityRow>, AppError> {
        let id = user_id(id)?;
        // An unknown user is a 404, not an empty list.
        self.store.user(id.as_str()).await?;
        Ok(self.store.list_identities(id.as_str()).await?)
    }

    /// Link an identity provider's `(issuer, subject)` to a user (`users.update`, audited as
    /// `change: link`): the explicit link an issuer with `link_claim = "sub"` relies on. The
    /// issuer must be one of `exchange_issuers`; the identity must not be linked already.
    pub async fn link_identity(
        &self,
        actor: &Actor,
        id: &str,
        issuer: &str,
        subject: &str,
    ) -> Result<IdentityRow, AppError> {
        let id = user_id(id)?;
        identity_part("issuer", issuer)?;
        identity_part("subject", subject)?;
        if !self
            .config
            .exchange_issuers
            .iter()
            .any(|t| t.issuer == issuer)
        {
            return Err(AppError::Invalid(format!(
                "field `issuer`: {issuer:?} is not one of exchange_issuers"
            )));
        }
        self.check_on_user(actor, AdminAction::UsersUpdate, &id)
            .await?;
        let audit = Self::audit(
            actor,
            AdminAction::UsersUpdate,
            format!("user:{id}"),
            json!({"change": "link", "issuer": issuer, "subject": subject}),
        );
        Ok(self
            .store
            .link_identity(id.as_str(), issuer, subject, Some(&audit))
            .await?)
    }

    /// Remove a user's link to `(issuer, subject)` (`users.update`, audited as `change:
    /// unlink`): the next exchange of that identity links it afresh, by the issuer's rules.
    pub async fn unlink_identity(
        &self,
        actor: &Actor,
        id: &str,
        issuer: &str,
        subject: &str,
    ) -> Result<IdentityRow, AppError> {
        let id = user_id(id)?;
        identity_part("issuer", issuer)?;
        identity_part("subject", subject)?;
        self.check_on_user(actor, AdminAction::UsersUpdate, &id)
            .await?;
        let audit = Self::audit(
            actor,
            AdminAction::UsersUpdate,
            format!("user:{id}"),
            json!({"change": "unlink", "issuer": issuer, "subject": subject}),
        );
        Ok(self
            .store
            .unlink_identity(id.as_str(), issuer, subject, Some(&audit))
            .await?)
    }

    // ---- roles ----

    /// Every role with its parents and holders.
    pub async fn list_roles(&self) -> Result<Vec<RoleRow>, AppError> {
        Ok(self.store.list_roles().await?)
    }

    /// The users whose roles reach `role` in `graph`, with their principals under `graph`
    /// and under `after` (their roles passed through `keep`).
    async fn holders_of(
        &self,
        role: &str,
        graph: &BTreeMap<String, Vec<String>>,
        after: &BTreeMap<String, Vec<String>>,
        keep: impl Fn(&str) -> bool,
    ) -> Result<Vec<(Option<crate::engine::Principal>, crate::engine::Principal)>, AppError> {
        let mut changes = Vec::new();
        let mut last: Option<String> = None;
        loop {
            let page = self.store.list_users_after(last.as_deref(), 500).await?;
            let Some(end) = page.last() else { break };
            last = Some(end.id.clone());
            for user in page {
                if !crate::model::ancestors(graph, &user.roles).contains(role) {
                    continue;
                }
                let principal = |g: &BTreeMap<String, Vec<String>>, roles: &[String]| {
                    identity::principal_from(
                        &user.id,
                        &user.email,
                        &user.name,
                        Default::default(),
                        roles,
                        g,
                    )
                };
                let kept: Vec<String> = user.roles.iter().filter(|r| keep(r)).cloned().collect();
                changes.push((Some(principal(graph, &user.roles)), principal(after, &kept)));
            }
        }
        Ok(changes)
    }

    /// The role `name` as a target: its parents (`parents`) and the hierarchy above them.
    fn role_target(
        name: &RoleName,
        parents: &[String],
        graph: &BTreeMap<String, Vec<String>>,
    ) -> crate::engine::Target {
        let mut graph = graph.clone();
        graph.insert(name.to_string(), parents.to_vec());
        let role_parents = crate::model::ancestors(&graph, &[name.to_string()])
            .into_iter()
            .map(|r| {
                let p = graph.get(&r).cloned().unwrap_or_default();
                (r, p)
            })
            .collect();
        crate::engine::Target::Role {
            name: name.to_string(),
            role_parents,
        }
    }

    /// Create a role (`roles.write`). What the role carries through its parents must be held
    /// by the actor.
    pub async fn create_role(
        &self,
        actor: &Actor,
        name: &str,
        parents: &[String],
    ) -> Result<RoleRow, AppError> {
        let name = RoleName::parse(name).map_err(field("name"))?;
        let parents = role_names("parents", parents)?;
        let parent_list: Vec<String> = parents.iter().map(|r| r.to_string()).collect();
        let graph = self.store.role_graph().await?;
        let mut after = graph.clone();
        after.insert(name.to_string(), parent_list.clone());
        self.authorize(
            actor,
            Check {
                action: AdminAction::RolesWrite,
                target: Some(Self::role_target(&name, &parent_list, &graph)),
                audit_target: format!("role:{name}"),
                grants: parent_list.clone(),
                acted_on: Vec::new(),
                changes: vec![(None, delegation::role_holder(name.as_str(), &after))],
            },
        )
        .await?;
        let audit = Self::audit(
            actor,
            AdminAction::RolesWrite,
            format!("role:{name}"),
            json!({"change": "create", "parents": parent_list}),
        );
        Ok(self
            .store
            .create_role(&name, &parents, Some(&audit))
            .await?)
    }

    /// Replace a role's parents (`roles.write`). Neither the role on its own nor any user
    /// holding it (directly or through a role below it) may gain what the actor lacks.
    pub async fn update_role(
        &self,
        actor: &Actor,
        name: &str,
        parents: &[String],
    ) -> Result<RoleRow, AppError> {
        let name = RoleName::parse(name).map_err(field("name"))?;
        let parents = role_names("parents", parents)?;
        let before = self.store.role(name.as_str()).await?.parents;
        let after_list: Vec<String> = parents.iter().map(|r| r.to_string()).collect();
        let graph = self.store.role_graph().await?;
        let mut after = graph.clone();
        after.insert(name.to_string(), after_list.clone());
        let mut changes = vec![(
            Some(delegation::role_holder(name.as_str(), &graph)),
            delegation::role_holder(name.as_str(), &after),
        )];
        changes.extend(
            self.holders_of(name.as_str(), &graph, &after, |_| true)
                .await?,
        );
        self.authorize(
            actor,
            Check {
                action: AdminAction::RolesWrite,
                target: Some(Self::role_target(&name, &before, &graph)),
                audit_target: format!("role:{name}"),
                grants: after_list
                    .iter()
                    .filter(|p| !before.contains(p))
                    .cloned()
                    .collect(),
                acted_on: Vec::new(),
                changes,
            },
        )
        .await?;
        let audit = Self::audit(
            actor,
            AdminAction::RolesWrite,
            format!("role:{name}"),
            json!({"change": "update", "after": after_list}),
        );
        Ok(self
            .store
            .set_role_parents(&name, &parents, self.directory_change(&audit))
            .await?)
    }

    /// Remove a role (`roles.write`); one still held or inherited needs `force`. Losing a
    /// role may also give (a `forbid` on it), so its holders are checked like any change.
    pub async fn remove_role(
        &self,
        actor: &Actor,
        name: &str,
        force: bool,
    ) -> Result<(), AppError> {
        let name = RoleName::parse(name).map_err(field("name"))?;
        let role = self.store.role(name.as_str()).await?;
        let graph = self.store.role_graph().await?;
        let mut after = graph.clone();
        after.remove(name.as_str());
        for parents in after.values_mut() {
            parents.retain(|p| p != name.as_str());
        }
        let changes = self
            .holders_of(name.as_str(), &graph, &after, |r| r != name.as_str())
            .await?;
        self.authorize(
            actor,
            Check {
                action: AdminAction::RolesWrite,
                target: Some(Self::role_target(&name, &role.parents, &graph)),
                audit_target: format!("role:{name}"),
                grants: Vec::new(),
                acted_on: Vec::new(),
                changes,
            },
        )
        .await?;
        let audit = Self::audit(
            actor,
            AdminAction::RolesWrite,
            format!("role:{name}"),
            json!({"change": "delete", "force": force}),
        );
        Ok(self
            .store
            .remove_role(name.as_str(), force, self.directory_change(&audit))
            .await?)
    }

    // ---- sessions and tokens ----

    /// Sessions, newest first, of one user or everyone; `active_only` leaves out ended ones.
    pub async fn list_sessions(
        &self,
        user: Option<&str>,
        active_only: bool,
    ) -> Result<Vec<SessionRow>, AppError> {
        let user = user.map(UserId::parse).transpose().map_err(field("user"))?;
        if let Some(u) = &user {
            // An unknown user is said, not shown as an empty list.
            self.store.user(u.as_str()).await?;
        }
        Ok(self
            .store
            .list_sessions(user.as_ref().map(UserId::as_str), active_only)
            .await?)
    }

    /// End a session and the access tokens issued in it (`sessions.revoke`).
    pub async fn revoke_session(&self, actor: &Actor, id: &str) -> Result<SessionRow, AppError> {
        opaque("session", id)?;
        // The session's user is the target: ending a stronger user's sessions is refused.
        let check = match self.store.session(id).await? {
            Some(session) => {
                let (_, owner) = self.target_user(&user_id(&session.user_id)?).await?;
                Check {
                    audit_target: format!("session:{id}"),
                    ..Check::on_user(AdminAction::SessionsRevoke, owner)
                }
            }
            None => Check::area(AdminAction::SessionsRevoke, format!("session:{id}")),
        };
        self.authorize(actor, check).await?;
        let audit = Self::audit(
            actor,
            AdminAction::SessionsRevoke,
            format!("session:{id}"),
            json!({"reason": "revoked_by_admin"}),
        );
        Ok(self
            .store
            .revoke_session(id, "revoked_by_admin", Some(&audit))
            .await?)
    }

    /// Refuse one access token by its `jti` from now on (`tokens.revoke`).
    pub async fn revoke_token(&self, actor: &Actor, jti: &str) -> Result<(), AppError> {
        opaque("jti", jti)?;
        // Kept until every token it could name has expired.
        let until = self.store.now() + self.config.access_token_ttl + self.config.leeway as i64;
        self.authorize(
            actor,
            Check::area(AdminAction::TokensRevoke, format!("jti:{jti}")),
        )
        .await?;
        let audit = Self::audit(
            actor,
            AdminAction::TokensRevoke,
            format!("jti:{jti}"),
            json!({}),
        );
        Ok(self.store.revoke_jti(jti, until, Some(&audit)).await?)
    }

    // ---- clients ----

    /// Every service client (never its key).
    pub async fn list_clients(&self) -> Result<Vec<ClientRow>, AppError> {
        Ok(self.store.list_clients().await?)
    }

    /// Create a service client (`clients.write`); its key is returned this once.
    pub async fn create_client(&self, actor: &Actor, name: &str) -> Result<NewClient, AppError> {
        let name = name.trim();
        if name.is_empty() || name.len() > 128 || name.chars().any(char::is_control) {
            return Err(AppError::Invalid(
                "field `name` must be 1 to 128 characters without control characters".into(),
            ));
        }
        // The id is made by the store; the audit row names the client.
        self.authorize(actor, Check::area(AdminAction::ClientsWrite, "clients"))
            .await?;
        let audit = Self::audit(
            actor,
            AdminAction::ClientsWrite,
            "clients".into(),
            json!({"change": "create", "name": name}),
        );
        let (client, key) = self.store.create_client(name, Some(&audit)).await?;
        Ok(NewClient { client, key })
    }

    /// Revoke a service client's key (`clients.write`).
    pub async fn revoke_client(&self, actor: &Actor, id: &str) -> Result<ClientRow, AppError> {
        opaque("id", id)?;
        let check = match self.store.client(id).await {
            Ok(client) => Check {
                target: Some(crate::engine::Target::Client {
                    id: client.id.clone(),
                    name: client.name.clone(),
                }),
                ..Check::area(AdminAction::ClientsWrite, format!("client:{id}"))
            },
            Err(e) if e.is_not_found() => {
                Check::area(AdminAction::ClientsWrite, format!("client:{id}"))
            }
            Err(e) => return Err(e.into()),
        };
        self.authorize(actor, check).await?;
        let audit = Self::audit(
            actor,
            AdminAction::ClientsWrite,
            format!("client:{id}"),
            json!({"change": "revoke"}),
        );
        Ok(self.store.revoke_client(id, Some(&audit)).await?)
    }

    // ---- the deployment ----

    /// Move every process on this database to the issuer `url` (`warden db set-issuer`): the
    /// next start of each server with `public_url = url` succeeds, and tokens of the old
    /// issuer stop verifying. The command line only (whoever owns the database).
    pub async fn set_issuer(&self, url: &str) -> Result<(), AppError> {
        let url = url.trim().trim_end_matches('/');
        if !(url.starts_with("https://") || url.starts_with("http://"))
            || url.contains(char::is_whitespace)
        {
            return Err(AppError::Invalid(format!(
                "the issuer must be an http(s) URL, not {url:?}"
            )));
        }
        Ok(self
            .store
            .replace_secret(ISSUER_SECRET, url.as_bytes().to_vec())
            .await?)
    }

    // ---- keys ----

    /// Signing keys, newest first (never a private half).
    pub async fn list_keys(&self) -> Result<Vec<KeyRow>, AppError> {
        Ok(self.store.keys().await?)
    }

    /// Sign new tokens with a fresh key (`keys.rotate`); the previous key keeps verifying
    /// until its tokens expire. Returns the new key id.
    pub async fn rotate_key(&self, actor: &Actor) -> Result<String, AppError> {
        if self.config.jwt_algorithm == crate::config::JwtAlgorithm::Hs256 {
            return Err(AppError::Conflict(
                "tokens are signed with a shared HS256 secret: rotate it in the configuration"
                    .into(),
            ));
        }
        self.authorize(actor, Check::area(AdminAction::KeysRotate, "keys"))
            .await?;
        let audit = Self::audit(actor, AdminAction::KeysRotate, "keys".into(), json!({}));
        let kid = crate::tokens::rotate_key(&self.store, Some(&audit)).await?;
        if let Some(tokens) = &self.tokens {
            tokens.reload_keys(&self.store).await?;
        }
        Ok(kid)
    }

    // ---- policies ----

    /// Load the policy directory again (`policies.reload`): a bundle that does not parse or
    /// validate, or that loses the schema or every policy, is refused and the previous one
    /// keeps serving. The attempt is audited either way. Returns the number of policies.
    pub async fn reload_policies(&self, actor: &Actor) -> Result<usize, AppError> {
        let engine = self.engine()?.clone();
        self.authorize(actor, Check::area(AdminAction::PoliciesReload, "policies"))
            .await?;
        let result = tokio::task::spawn_blocking(move || engine.reload())
            .await
            .map_err(|e| {
                crate::alarm::raise("reload_task", &e);
                AppError::Reload("the reload was lost".into())
            })?;
        let audit = Self::audit(
            actor,
            AdminAction::PoliciesReload,
            "policies".into(),
            json!({"ok": result.is_ok()}),
        );
        self.store.audit(&audit).await?;
        result.map_err(|e| AppError::Reload(e.to_string()))
    }

    /// What the policies would decide for a directory user: a question, not an access, so
    /// it is neither logged nor audited. A disabled user is denied with the reason.
    pub async fn what_if(
        &self,
        user: &str,
        action: &str,
        resource: Resource,
        context: Value,
    ) -> Result<Decision, AppError> {
        let principal = match identity::directory_principal(&self.store, user).await {
            Ok(p) => p,
            Err(IdentityError::Disabled(u)) => {
                return Ok(Decision::error(format!("user {u} is disabled")))
            }
            Err(e) => return Err(e.into()),
        };
        let (action_type, action) =
            crate::engine::parse_action(action).map_err(AppError::Invalid)?;
        let context = crate::admin_action::with_default_context(&action_type, context);
        Ok(self.engine()?.decide(&Query {
            principal,
            action_type,
            action,
            resource,
            context,
        }))
    }

    /// The query plan of `resource_type` for a directory user (what-if: a question, not an
    /// access, so neither logged nor audited): the condition a resource must meet for `user`
    /// to be allowed `action` on it. A disabled user is allowed nothing (fail closed: the
    /// plan is `always_denied`, with no policy as its reason). `warden decide --plan --user` and
    /// `POST /admin/v1/whatif/plan` both answer through here.
    pub async fn what_if_plan(
        &self,
        user: &str,
        action: &str,
        resource_type: &str,
        context: Value,
    ) -> Result<crate::plan::Plan, AppError> {
        let principal = match identity::directory_principal(&self.store, user).await {
            Ok(p) => p,
            Err(IdentityError::Disabled(_)) => {
                return Ok(crate::plan::Plan::of(crate::plan::Expr::False, Vec::new()))
            }
            Err(e) => return Err(e.into()),
        };
        let (action_type, action) =
            crate::engine::parse_action(action).map_err(AppError::Invalid)?;
        let context = crate::admin_action::with_default_context(&action_type, context);
        self.engine()?
            .plan(&crate::engine::PlanQuery {
                principal,
                action_type,
                action,
                resource_type: resource_type.to_string(),
                context,
            })
            .map_err(AppError::Invalid)
    }

    // ---- what the server's edges read ----

    /// Whether the store answers (readiness).
    pub async fn store_ready(&self) -> bool {
        self.store.revision().await.is_ok()
    }

    /// The role hierarchy: each role's direct parents.
    pub async fn role_graph(
        &self,
    ) -> Result<std::collections::BTreeMap<String, Vec<String>>, AppError> {
        Ok(self.store.role_graph().await?)
    }

    /// Up to `limit` users with an id after `after` (keyset paging, for scans).
    pub async fn users_after(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UserRow>, AppError> {
        Ok(self.store.list_users_after(after, limit).await?)
    }

    /// Write a batch of logged decisions, keeping the newest `retain`.
    pub async fn append_decisions(
        &self,
        rows: &[DecisionRow],
        retain: i64,
    ) -> Result<(), AppError> {
        Ok(self.store.append_decisions(rows, retain).await?)
    }

    /// Pick up signing keys rotated by another process.
    pub async fn reload_keys(&self) -> Result<(), AppError> {
        if let Some(tokens) = &self.tokens {
            tokens.reload_keys(&self.store).await?;
        }
        Ok(())
    }

    // ---- logs ----

    /// Audit rows, newest first.
    /// The replicas heard from in the last [`REPLICA_SILENCE_SECS`], flagged where their
    /// policies differ from the others'.
    pub async fn replicas(&self) -> Result<Vec<ReplicaStatus>, AppError> {
        let since = self.store.now() - REPLICA_SILENCE_SECS;
        Ok(flag_policy_differences(
            self.store.list_replicas(since).await?,
        ))
    }

    /// Record this server's heartbeat (see [`HEARTBEAT_PERIOD`]).
    /// Record that the server `id` at `address`, up since `started_at`, serves the policies
    /// hashed `policy_hash`, as of now.
    pub async fn heartbeat(
        &self,
        id: &str,
        address: &str,
        started_at: i64,
        policy_hash: String,
    ) -> Result<(), AppError> {
        let replica = ReplicaRow {
            id: id.to_owned(),
            address: address.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at,
            policy_hash,
            seen_at: self.store.now(),
        };
        Ok(self.store.heartbeat(&replica).await?)
    }

    pub async fn list_audit(
        &self,
        actor: Option<&str>,
        action: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, AppError> {
        Ok(self
            .store
            .list_audit(actor, action, limit.clamp(1, 1000))
            .await?)
    }

    /// Logged decisions matching `filter`, newest first.
    pub async fn decisions(&self, filter: DecisionFilter) -> Result<Vec<DecisionRow>, AppError> {
        Ok(self.store.query_decisions(&filter).await?)
    }

    /// Decision counts over the last `window` seconds.
    pub async fn decision_stats(&self, window: i64) -> Result<DecisionStats, AppError> {
        let since = self.store.now() - window.max(1);
        Ok(self.store.decision_stats(since).await?)
    }
}
