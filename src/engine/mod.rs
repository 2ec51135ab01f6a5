//! The Cedar core: load, validate and index policies, and decide.
//!
//! Pure: the engine knows no file watching, no background threads, no counters, no HTTP and
//! no database. It reads the policy directory when told to ([`Engine::load`],
//! [`Engine::reload`]) and answers queries ([`Engine::decide`]); whoever wants to know about
//! reloads (the server counts them) registers an observer ([`Engine::observe_reloads`]). The
//! directory is polled for changes outside the engine, by the server's policy watcher
//! (`src/server/watch.rs`). Loading a large bundle parses and validates on every core, on
//! threads scoped to that one call.
//!
//! A bundle is swapped atomically (readers clone an `Arc` and never see half a bundle); a
//! bundle that fails to load is refused and the old one keeps serving, with the error kept
//! for `/readyz` and the admin API.
//!
//! This file holds the engine's question and answer types and the [`Engine`] itself (the
//! bundle in force and its reloads); `load` reads and validates a bundle, `entities` turns
//! warden's principals, resources and admin targets into Cedar entities, `decide` evaluates
//! one request, [`plan`] answers "which resources?", `index` slices the policy set per
//! request and [`prepared`] caches each caller's entities per bundle.

mod decide;
pub mod diag;
mod entities;
mod index;
mod load;
pub mod plan;
pub mod prepared;
pub mod required;
pub mod synth;

pub use decide::{decide_in, decide_with, evaluate, Mode};
pub use diag::{full_error, Diagnostic};
pub use entities::{entity_uid, parse_action, Target};
pub use index::{PolicyIndex, Scope as PolicyIndexScope, SLICE_CACHE_POLICIES};
pub use load::{
    check_set, create_shipped, hash_files, load_dir, load_files, load_sources, policy_files,
    read_dir_files, shipped_files, test_suites, write_dir_files, LoadError, PolicyBundle,
    PolicyInfo, SetFile, LINKS_FILE, MAX_SET_BYTES, MAX_SET_FILES, SCHEMA_FILE, SHIPPED,
};
pub use plan::{plan_with, PlanQuery};
// The one reader of `Type::"id"`, shared with the api (the CLI reaches it here).
pub use crate::entity_ref::parse_entity_ref;

use decide::{evaluate_in, Scope};
use entities::principal_entities;

use cedar_policy::{Authorizer, Entities};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// The principal of a decision, as the identity layer resolved it.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// The user id: the principal is `User::"<id>"`.
    pub id: String,
    /// Attributes (`email`, `name`, ...).
    pub attrs: Map<String, Value>,
    /// Directly held roles.
    pub roles: Vec<String>,
    /// The parents of every role reachable from `roles` (the role hierarchy).
    pub role_parents: Vec<(String, Vec<String>)>,
}

/// The resource of a decision: a Cedar entity given by the caller.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Resource {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub properties: Map<String, Value>,
}

/// One question for the engine.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub principal: Principal,
    /// The action's entity type: `Action`, or `Warden::Action` for admin actions.
    pub action_type: String,
    pub action: String,
    pub resource: Resource,
    pub context: Value,
}

/// The answer: allowed or not, the determining policy ids and any errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub allowed: bool,
    pub reasons: Vec<String>,
    pub errors: Vec<String>,
}

impl Decision {
    /// A deny caused by an error before evaluation.
    pub fn error(message: impl Into<String>) -> Self {
        Decision {
            allowed: false,
            reasons: Vec::new(),
            errors: vec![message.into()],
        }
    }
}

/// Told the outcome of every reload: the number of policies now in force, or why the new
/// bundle was refused.
pub type ReloadObserver = Box<dyn Fn(Result<usize, &LoadError>) + Send + Sync>;

/// The caller's check of a new bundle before it is installed, on top of the engine's own
/// rules: `Err(why)` refuses it (the application core's "someone can still administer").
/// A guard that cannot decide must refuse (fail closed).
pub type BundleGuard<'a> = &'a dyn Fn(&Arc<PolicyBundle>) -> Result<(), String>;

/// A guard that accepts every bundle (tests, and bundles already checked by their caller).
pub fn no_guard(_: &Arc<PolicyBundle>) -> Result<(), String> {
    Ok(())
}

/// The engine: the current policy bundle and its reload state.
pub struct Engine {
    dir: PathBuf,
    current: RwLock<Arc<PolicyBundle>>,
    last_error: RwLock<Option<LoadError>>,
    authorizer: Authorizer,
    observers: RwLock<Vec<ReloadObserver>>,
}

impl Engine {
    /// Load the policy directory; fails if the first bundle does not load.
    pub fn load(dir: &Path) -> Result<Engine, LoadError> {
        let bundle = load_dir(dir)?;
        Ok(Engine {
            dir: dir.to_path_buf(),
            current: RwLock::new(Arc::new(bundle)),
            last_error: RwLock::new(None),
            authorizer: Authorizer::new(),
            observers: RwLock::new(Vec::new()),
        })
    }

    /// An engine serving `bundle` (a published set: store mode). It has no directory, so
    /// [`Engine::reload`] refuses; new bundles come through [`Engine::install`].
    pub fn new(bundle: PolicyBundle) -> Engine {
        Engine {
            dir: PathBuf::new(),
            current: RwLock::new(Arc::new(bundle)),
            last_error: RwLock::new(None),
            authorizer: Authorizer::new(),
            observers: RwLock::new(Vec::new()),
        }
    }

    /// The published version in force (`None` for a directory's bundle).
    pub fn version(&self) -> Option<i64> {
        self.bundle().version
    }

    /// The policy directory this engine loads from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Tell `observer` the outcome of every later reload, whoever asks for it (the policy
    /// watcher, the admin API, a test).
    pub fn observe_reloads(
        &self,
        observer: impl Fn(Result<usize, &LoadError>) + Send + Sync + 'static,
    ) {
        match self.observers.write() {
            Ok(mut list) => list.push(Box::new(observer)),
            Err(poisoned) => poisoned.into_inner().push(Box::new(observer)),
        }
    }

    fn notify(&self, outcome: Result<usize, &LoadError>) {
        let observers = match self.observers.read() {
            Ok(list) => list,
            Err(poisoned) => poisoned.into_inner(),
        };
        for observer in observers.iter() {
            observer(outcome);
        }
    }

    /// The bundle in force now.
    pub fn bundle(&self) -> Arc<PolicyBundle> {
        match self.current.read() {
            Ok(b) => b.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The error of the last refused reload, if the last reload failed.
    pub fn last_error(&self) -> Option<LoadError> {
        self.last_error.read().ok().and_then(|e| e.clone())
    }

    /// Load the directory again, without a caller's guard (see [`Engine::reload_with`]).
    pub fn reload(&self) -> Result<usize, LoadError> {
        self.reload_with(&no_guard)
    }

    /// Load the directory again and [`install`](Engine::install) it, checked by `guard`. On
    /// success the new bundle replaces the old one atomically; on failure the old bundle
    /// keeps serving and the error is kept.
    pub fn reload_with(&self, guard: BundleGuard<'_>) -> Result<usize, LoadError> {
        if self.dir.as_os_str().is_empty() {
            let err = LoadError::from(Diagnostic::file_error(
                "policies",
                "this server takes its policies from the store (policy_source = \"store\"): \
                 publish a new version instead of reloading a directory",
            ));
            self.refused(&err);
            return Err(err);
        }
        match load_dir(&self.dir) {
            Ok(bundle) => self.install(bundle, guard),
            Err(err) => {
                self.refused(&err);
                Err(err)
            }
        }
    }

    /// Put `bundle` in force (a reloaded directory, a published version), unless it would
    /// weaken the policies or `guard` refuses it; the old bundle keeps serving then, and the
    /// error is kept for `/readyz`. Returns the number of policies now in force.
    ///
    /// A new bundle that would quietly weaken the policies is refused like a broken one (the
    /// attack: `rm schema.cedarschema` was accepted as a successful reload, and from then on
    /// nothing was validated, so a `readDocument` on a `User` resource was allowed):
    /// - losing the schema while one is in force: running without a schema is a choice made
    ///   at start-up (said in the log and in `/readyz`), never the side effect of a reload;
    /// - a bundle with no policies at all.
    pub fn install(
        &self,
        bundle: PolicyBundle,
        guard: BundleGuard<'_>,
    ) -> Result<usize, LoadError> {
        let origin = match bundle.version {
            Some(v) => format!("version {v}"),
            None if self.dir.as_os_str().is_empty() => "policy set".to_string(),
            None => self.dir.display().to_string(),
        };
        let checked = (|| {
            if self.validation() && bundle.schema.is_none() {
                return Err(Diagnostic::file_error(
                    &origin,
                    "the schema (*.cedarschema) is gone; refusing new policies that would turn validation off (restart warden to run without a schema)",
                )
                .into());
            }
            if bundle.info.is_empty() {
                return Err(Diagnostic::file_error(
                    &origin,
                    "the new policies contain no policy at all; refusing new policies that would deny everything",
                )
                .into());
            }
            let bundle = Arc::new(bundle);
            guard(&bundle).map_err(|why| LoadError::from(Diagnostic::file_error(&origin, why)))?;
            Ok::<_, LoadError>(bundle)
        })();
        let bundle = match checked {
            Ok(b) => b,
            Err(err) => {
                self.refused(&err);
                return Err(err);
            }
        };
        let count = bundle.info.len();
        let version = bundle.version;
        match self.current.write() {
            Ok(mut current) => *current = bundle,
            Err(e) => {
                crate::alarm::raise("engine_lock", e);
                let err = LoadError::from(Diagnostic::file_error(
                    &origin,
                    "internal error: the policy lock is poisoned; the previous bundle keeps serving",
                ));
                self.refused(&err);
                return Err(err);
            }
        }
        if let Ok(mut e) = self.last_error.write() {
            *e = None;
        }
        self.notify(Ok(count));
        tracing::info!(policies = count, ?version, "policy bundle installed");
        Ok(count)
    }

    /// Keep `err` as the reason new policies are not in force (a published version this
    /// replica could not load), for `/readyz` and the heartbeat; the bundle keeps serving.
    pub fn refuse(&self, err: &LoadError) {
        self.refused(err);
    }

    fn refused(&self, err: &LoadError) {
        tracing::warn!(error = %err, "policy reload refused; the previous bundle keeps serving");
        match self.last_error.write() {
            Ok(mut e) => *e = Some(err.clone()),
            Err(poisoned) => *poisoned.into_inner() = Some(err.clone()),
        }
        self.notify(Err(err));
    }

    /// Whether requests are validated against a schema (decided at start-up).
    pub fn validation(&self) -> bool {
        self.bundle().schema.is_some()
    }

    /// The query plan of `query` against the current bundle (see [`plan`]).
    pub fn plan(&self, query: &PlanQuery) -> Result<crate::plan::Plan, String> {
        plan_with(&self.bundle(), query)
    }

    /// Decide a query against the current bundle.
    pub fn decide(&self, query: &Query) -> Decision {
        decide_with(&self.authorizer, &self.bundle(), query)
    }

    /// Decide an admin request about a directory entity ([`Target`]): the target's entities
    /// (a user with its roles as parents, a role with its parents, a client with its name)
    /// are added to the caller's. Admin changes are rare, so nothing here is cached.
    pub fn decide_about(
        &self,
        principal: &Principal,
        action_type: &str,
        action: &str,
        target: &Target,
        context: &Value,
    ) -> Decision {
        let bundle = self.bundle();
        let names = &bundle.type_names;
        let uids = (|| {
            Ok::<_, String>((
                names.uid("User", &principal.id)?,
                names.uid(action_type, action)?,
                target.uid()?,
            ))
        })();
        let (principal_uid, action_uid, resource) = match uids {
            Ok(u) => u,
            Err(e) => return Decision::error(format!("bad admin request: {e}")),
        };
        let entities = (|| {
            let mut list = principal_entities(principal, &principal_uid, &action_uid, &bundle)?;
            list.extend(target.entities()?);
            // The caller and the target may share entities (a user acting on itself, a role
            // both hold): they come from the same directory, so the first copy is kept.
            let mut seen = HashSet::new();
            list.retain(|e| seen.insert(e.uid()));
            Entities::from_entities(list, bundle.schema.as_ref())
                .map_err(|e| format!("bad entity data: {}", full_error(&e)))
        })();
        evaluate_in(
            Mode::Indexed,
            &self.authorizer,
            &bundle,
            Scope {
                principal: principal_uid,
                action: action_uid,
                resource,
                ancestors: None,
            },
            context,
            entities,
        )
    }
}

#[cfg(test)]
mod tests;
