//! Embedding warden in a Rust service: open it from a [`Config`], then decide for an access
//! token or for a directory user, in process.
//!
//! ```no_run
//! use warden::config::Config;
//! use warden::embed::Warden;
//! use warden::engine::Resource;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let warden = Warden::open(Config::default()).await?; // ./warden.db and ./policies
//! let resource = Resource { kind: "UserResource".into(), id: "r1".into(), properties: Default::default() };
//! let decision = warden.decide_for_user("admin", "deleteUserResource", &resource, &serde_json::json!({})).await?;
//! assert!(decision.allowed);
//! println!("allowed by {:?}", decision.reasons);
//! # Ok(())
//! # }
//! ```

use crate::app::{App, OpenError, Opened};
use crate::config::Config;
use crate::engine::{Decision, Engine, Principal, Query, Resource};
use crate::identity::{self, IdentityError};
use crate::store::Store;
use crate::tokens::{Rejection, Tokens};
use serde_json::Value;
use std::sync::Arc;

pub use crate::identity::Verified;

/// warden, in process: the policies, the token keys and the application core (every change
/// of users, roles and the rest goes through [`Warden::app`], validated and audited).
#[derive(Clone)]
pub struct Warden {
    store: Arc<Store>,
    pub engine: Arc<Engine>,
    pub tokens: Arc<Tokens>,
    opened: Opened,
}

impl Warden {
    /// Open the database (created and bootstrapped on first use), load the policies and the
    /// signing keys, as `warden serve` does.
    pub async fn open(config: Config) -> Result<Warden, OpenError> {
        let (opened, _) = App::open(config, crate::clock::system()).await?;
        Ok(Warden::from_opened(opened))
    }

    /// Wrap an opened warden (the server's, to share one store, engine and cache with
    /// warden's HTTP API: see `warden::server::AppState::warden`).
    pub fn from_opened(opened: Opened) -> Warden {
        Warden {
            store: opened.app.store_handle(),
            engine: opened.engine.clone(),
            tokens: opened.tokens.clone(),
            opened,
        }
    }

    /// Everything this warden is made of (to serve warden's own routes beside yours with
    /// `warden::server::AppState::serving`).
    pub fn opened(&self) -> &Opened {
        &self.opened
    }

    /// The application core (every admin operation, audited), to administer warden from
    /// your own code: the same operations as the command line and the admin API.
    pub fn app(&self) -> &App {
        &self.opened.app
    }

    /// The issuer (`iss`) of the tokens this instance accepts.
    pub fn issuer(&self) -> &str {
        self.opened.tokens.issuer()
    }

    /// Verify an access token completely (signature, claims, revocation, session, user)
    /// and resolve its principal with the user's current roles, through the same bounded
    /// cache as the server's decisions.
    pub async fn verify(&self, token: &str) -> Result<Verified, Rejection> {
        self.opened.resolver.resolve(token).await
    }

    /// Decide for a verified principal.
    pub fn decide(
        &self,
        principal: &Principal,
        action: &str,
        resource: &Resource,
        context: &Value,
    ) -> Decision {
        self.engine.decide(&Query {
            principal: principal.clone(),
            action_type: "Action".into(),
            action: action.to_string(),
            resource: resource.clone(),
            context: context.clone(),
        })
    }

    /// Decide for the holder of an access token. A bad, expired or revoked token is an
    /// error (answer 401); a deny is a [`Decision`] with `allowed: false`.
    pub async fn decide_for_token(
        &self,
        token: &str,
        action: &str,
        resource: &Resource,
        context: &Value,
    ) -> Result<Decision, Rejection> {
        let verified = self.verify(token).await?;
        Ok(self.decide(&verified.principal, action, resource, context))
    }

    /// Decide for a directory user by id. An unknown or disabled user is an error.
    pub async fn decide_for_user(
        &self,
        user_id: &str,
        action: &str,
        resource: &Resource,
        context: &Value,
    ) -> Result<Decision, IdentityError> {
        let principal = identity::directory_principal(&self.store, user_id).await?;
        Ok(self.decide(&principal, action, resource, context))
    }
}
