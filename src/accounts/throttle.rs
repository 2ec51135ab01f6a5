//! Sign-in throttling by account and by client address (OWASP Authentication Cheat Sheet:
//! slow down online guessing and credential stuffing). In memory: a restart forgets counts.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failure counters in fixed windows.
pub struct Throttle {
    window: Duration,
    entries: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    /// A throttle whose counters reset after `window`.
    pub fn new(window: Duration) -> Self {
        Throttle {
            window,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(seconds to wait)` when `key` has `limit` or more failures in the window.
    pub fn blocked(&self, key: &str, limit: u32) -> Option<u64> {
        let entries = self.entries.lock().ok()?;
        let (count, start) = entries.get(key)?;
        let elapsed = start.elapsed();
        if elapsed >= self.window || *count < limit {
            return None;
        }
        Some((self.window - elapsed).as_secs().max(1))
    }

    /// Count one failure for `key`.
    pub fn fail(&self, key: &str) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() > 100_000 {
            let window = self.window;
            entries.retain(|_, (_, start)| start.elapsed() < window);
        }
        let entry = entries
            .entry(key.to_string())
            .or_insert((0, Instant::now()));
        if entry.1.elapsed() >= self.window {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    /// Forget `key` (after a successful sign-in).
    pub fn clear(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}
