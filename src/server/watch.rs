//! The policy watcher: polls the policy directory and asks the engine to reload when it
//! changes. The engine itself knows no files watching and no threads.
//!
//! Polling the file list with sizes and mtimes (rather than inotify) keeps the dependency
//! tree small and works on every file system, bind mounts and Kubernetes ConfigMaps included
//! (a ConfigMap update swaps the `..data` symlink, whose mtime changes). A change is acted on
//! once the directory has looked the same for one more tick, so a policy author saving
//! several files is reloaded once, not once per file half-written.
//!
//! The reload rules are the engine's ([`Engine::reload`]): a bundle that does not parse or
//! validate, or that loses the schema or every policy, is refused while the old one keeps
//! serving.

use crate::engine::{BundleGuard, Engine, LoadError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime};

/// What the directory looks like: each entry with its mtime and size, sorted.
type Fingerprint = Vec<(PathBuf, SystemTime, u64)>;

/// The poller's state between ticks: the directory as last applied, and a change seen once
/// that waits for one more look before it is applied.
pub struct PolicyWatcher {
    dir: PathBuf,
    applied: Fingerprint,
    pending: Option<Fingerprint>,
}

impl PolicyWatcher {
    /// Start from the directory as it is now (the bundle the engine loaded from it).
    pub fn new(dir: &Path) -> PolicyWatcher {
        PolicyWatcher {
            dir: dir.to_path_buf(),
            applied: fingerprint(dir),
            pending: None,
        }
    }

    /// One tick: look at the directory and reload `engine` when a change has held still
    /// for a tick, checked by `guard` (see [`spawn`]). Returns the reload's outcome when one
    /// was attempted.
    pub fn check(
        &mut self,
        engine: &Engine,
        guard: BundleGuard<'_>,
    ) -> Option<Result<usize, LoadError>> {
        let now = fingerprint(&self.dir);
        if now == self.applied {
            self.pending = None;
            return None;
        }
        if self.pending.as_ref() != Some(&now) {
            self.pending = Some(now);
            return None;
        }
        // Applied even when refused: the same broken files are not retried every tick; the
        // next change is.
        self.applied = now;
        self.pending = None;
        Some(engine.reload_with(guard))
    }
}

/// Poll `engine`'s policy directory every `tick` on a thread of its own (the reload parses
/// and validates Cedar, which must not run on an async worker). The thread ends when the
/// engine is dropped.
///
/// Every reload is checked by `guard`, the application core's "someone can still
/// administer" ([`crate::app::App::policy_guard`]): deleting `warden.cedar` used to be
/// accepted here and locked every admin out. The guard waits for the store on this plain
/// thread; a guard that fails refuses the reload (fail closed).
pub fn spawn(
    engine: &Arc<Engine>,
    tick: Duration,
    guard: impl Fn(&Arc<crate::engine::PolicyBundle>) -> Result<(), String> + Send + 'static,
) -> std::thread::JoinHandle<()> {
    let weak: Weak<Engine> = Arc::downgrade(engine);
    let mut watcher = PolicyWatcher::new(engine.dir());
    std::thread::spawn(move || loop {
        std::thread::sleep(tick);
        let Some(engine) = weak.upgrade() else { return };
        // The outcome is logged by the engine and counted by its observers.
        let _ = watcher.check(&engine, &guard);
    })
}

fn fingerprint(dir: &Path) -> Fingerprint {
    let mut out: Fingerprint = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            Some((e.path(), meta.modified().ok()?, meta.len()))
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use tempfile::TempDir;

    const SCHEMA: &str =
        "entity User; action read appliesTo { principal: User, resource: User };\n";

    fn dir_with(files: &[(&str, &str)]) -> TempDir {
        let dir = TempDir::new().unwrap();
        for (name, text) in files {
            fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    fn policy(id: &str) -> String {
        format!("@id(\"{id}\")\npermit(principal, action, resource);\n")
    }

    fn ids(engine: &Engine) -> Vec<String> {
        let mut ids: Vec<String> = engine.bundle().info.iter().map(|p| p.id.clone()).collect();
        ids.sort();
        ids
    }

    #[test]
    fn a_change_is_reloaded_once_it_has_held_still_for_a_tick() {
        let dir = dir_with(&[("p.cedar", &policy("one"))]);
        let engine = Engine::load(dir.path()).unwrap();
        let mut watcher = PolicyWatcher::new(dir.path());
        assert!(
            watcher.check(&engine, &crate::engine::no_guard).is_none(),
            "nothing changed"
        );

        fs::write(dir.path().join("q.cedar"), policy("two")).unwrap();
        assert!(
            watcher.check(&engine, &crate::engine::no_guard).is_none(),
            "seen once: wait a tick"
        );
        assert_eq!(ids(&engine), ["one"]);
        assert_eq!(
            watcher
                .check(&engine, &crate::engine::no_guard)
                .unwrap()
                .unwrap(),
            2
        );
        assert_eq!(ids(&engine), ["one", "two"]);
        assert!(
            watcher.check(&engine, &crate::engine::no_guard).is_none(),
            "applied: nothing to do"
        );
    }

    #[test]
    fn a_directory_still_changing_waits() {
        let dir = dir_with(&[("p.cedar", &policy("one"))]);
        let engine = Engine::load(dir.path()).unwrap();
        let mut watcher = PolicyWatcher::new(dir.path());
        fs::write(dir.path().join("q.cedar"), policy("two")).unwrap();
        assert!(watcher.check(&engine, &crate::engine::no_guard).is_none());
        fs::write(dir.path().join("r.cedar"), policy("three")).unwrap();
        assert!(
            watcher.check(&engine, &crate::engine::no_guard).is_none(),
            "changed again: wait again"
        );
        assert_eq!(
            watcher
                .check(&engine, &crate::engine::no_guard)
                .unwrap()
                .unwrap(),
            3
        );
    }

    #[test]
    fn broken_weakened_or_empty_bundles_are_refused_and_the_old_one_serves() {
        let dir = dir_with(&[("schema.cedarschema", SCHEMA), ("p.cedar", &policy("one"))]);
        let engine = Engine::load(dir.path()).unwrap();
        let mut watcher = PolicyWatcher::new(dir.path());
        let settle = |watcher: &mut PolicyWatcher| {
            assert!(watcher.check(&engine, &crate::engine::no_guard).is_none());
            watcher.check(&engine, &crate::engine::no_guard).unwrap()
        };

        fs::write(dir.path().join("p.cedar"), "permit(principal,").unwrap();
        assert!(settle(&mut watcher).is_err(), "does not parse");
        assert!(
            watcher.check(&engine, &crate::engine::no_guard).is_none(),
            "not retried until it changes"
        );

        fs::write(dir.path().join("p.cedar"), policy("two")).unwrap();
        fs::remove_file(dir.path().join("schema.cedarschema")).unwrap();
        let err = settle(&mut watcher).unwrap_err();
        assert!(err.to_string().contains("schema"), "{err}");

        fs::write(dir.path().join("schema.cedarschema"), SCHEMA).unwrap();
        fs::remove_file(dir.path().join("p.cedar")).unwrap();
        assert!(settle(&mut watcher).is_err(), "no policy at all");

        assert_eq!(ids(&engine), ["one"], "the first bundle kept serving");
        assert!(engine.last_error().is_some());
        fs::write(dir.path().join("p.cedar"), policy("three")).unwrap();
        assert_eq!(settle(&mut watcher).unwrap(), 1);
        assert_eq!(ids(&engine), ["three"]);
        assert!(engine.last_error().is_none());
    }

    #[test]
    fn the_thread_ends_with_the_engine() {
        let dir = dir_with(&[("p.cedar", &policy("one"))]);
        let engine = Arc::new(Engine::load(dir.path()).unwrap());
        let handle = spawn(&engine, Duration::from_millis(1), crate::engine::no_guard);
        drop(engine);
        handle.join().unwrap();
    }
}
