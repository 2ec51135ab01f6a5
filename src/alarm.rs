//! Broken invariants: logged and counted, never a silent default.
//!
//! A fallback that quietly substitutes a value (a random refresh successor when the HMAC
//! fails, an empty dummy hash, "not throttled" when a lock is poisoned) turns an internal
//! fault into an allow or an oracle. Code that meets such a fault calls [`raise`], which logs
//! it at error level and counts it by kind, and then fails closed. The counts are
//! process-wide; [`crate::metrics`] serves them as `warden_invariant_failures_total{kind}`.

use std::collections::BTreeMap;
use std::sync::Mutex;

static COUNTS: Mutex<BTreeMap<&'static str, u64>> = Mutex::new(BTreeMap::new());

/// Record a broken invariant of `kind` (a short stable label such as `refresh_hmac`).
pub fn raise(kind: &'static str, detail: impl std::fmt::Display) {
    tracing::error!(kind, error = %detail, "invariant broken; failing closed");
    let mut counts = match COUNTS.lock() {
        Ok(c) => c,
        Err(poisoned) => poisoned.into_inner(),
    };
    *counts.entry(kind).or_insert(0) += 1;
}

/// The counts so far, by kind.
pub fn counts() -> Vec<(&'static str, u64)> {
    let counts = match COUNTS.lock() {
        Ok(c) => c,
        Err(poisoned) => poisoned.into_inner(),
    };
    counts.iter().map(|(k, v)| (*k, *v)).collect()
}
