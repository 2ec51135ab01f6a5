//! The hashing gate: how many argon2 computations run at once, and how many may wait.
//!
//! Attack answered: argon2id costs 19 MiB and tens of milliseconds per computation, and
//! sign-in needs no authentication. Unbounded, a 64-way flood of logins ran 64 hashes at once
//! (RSS 77 MB -> 7.87 GB) and starved every other request of CPU. Here at most `concurrency`
//! hashes run (default: the number of cores), at most `queue` callers wait for a turn, and
//! everyone beyond that is told to come back (503 with `Retry-After`) at once, without any work
//! done. Each running hash uses one [`Memory`] from a pool of `concurrency` buffers, allocated
//! once and reused, so the flood's peak memory is `concurrency x 19 MiB`, not `N x 19 MiB`.

use super::password::Memory;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The gate has no room: retry after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy(pub u64);

/// Bounds concurrent password hashing.
pub struct HashGate {
    permits: Arc<Semaphore>,
    concurrency: usize,
    waiting: AtomicUsize,
    queue: usize,
    max_wait: Duration,
    pool: Arc<Mutex<Vec<Memory>>>,
}

impl HashGate {
    /// `concurrency` hashes at once (0: the number of cores), `queue` callers waiting.
    pub fn new(concurrency: usize, queue: usize) -> HashGate {
        let concurrency = if concurrency == 0 {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        } else {
            concurrency
        };
        HashGate {
            permits: Arc::new(Semaphore::new(concurrency)),
            concurrency,
            waiting: AtomicUsize::new(0),
            queue,
            max_wait: Duration::from_secs(5),
            pool: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Wait for a turn to hash, or [`Busy`] at once when the queue is full (or after five
    /// seconds in it).
    pub async fn enter(&self) -> Result<HashSlot, Busy> {
        let permit = match self.permits.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                let before = self.waiting.fetch_add(1, Ordering::SeqCst);
                let _leave = Leave(&self.waiting);
                if before >= self.queue {
                    return Err(Busy(1));
                }
                match tokio::time::timeout(self.max_wait, self.permits.clone().acquire_owned())
                    .await
                {
                    Ok(Ok(p)) => p,
                    _ => return Err(Busy(1)),
                }
            }
        };
        let memory = match self.pool.lock() {
            Ok(mut pool) => pool.pop(),
            Err(poisoned) => poisoned.into_inner().pop(),
        }
        .unwrap_or_else(Memory::for_default_params);
        Ok(HashSlot {
            concurrency: self.concurrency,
            _permit: permit,
            memory: Some(memory),
            pool: self.pool.clone(),
        })
    }

    /// Callers waiting for a turn now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }
}

struct Leave<'a>(&'a AtomicUsize);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A turn at hashing, with its working memory; both go back when dropped.
pub struct HashSlot {
    concurrency: usize,
    _permit: OwnedSemaphorePermit,
    memory: Option<Memory>,
    pool: Arc<Mutex<Vec<Memory>>>,
}

impl HashSlot {
    /// The working memory of this turn.
    pub fn memory(&mut self) -> &mut Memory {
        self.memory.get_or_insert_with(Memory::for_default_params)
    }
}

impl Drop for HashSlot {
    fn drop(&mut self) {
        if let Some(memory) = self.memory.take() {
            let mut pool = match self.pool.lock() {
                Ok(p) => p,
                Err(poisoned) => poisoned.into_inner(),
            };
            pool.push(memory);
            // The last hash of a burst: give the pages back (the memory stays allocated for
            // reuse, so the allocator never grows, and RSS returns to its idle level).
            if self._permit.semaphore().available_permits() + 1 == self.concurrency {
                for m in pool.iter_mut() {
                    m.release();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_is_busy_at_once_and_turns_come_back() {
        let gate = Arc::new(HashGate::new(1, 1));
        let first = gate.enter().await.unwrap();
        // One may wait...
        let g = gate.clone();
        let waiter = tokio::spawn(async move { g.enter().await.map(|_| ()) });
        while gate.waiting() == 0 {
            tokio::task::yield_now().await;
        }
        // ...the next is refused without waiting.
        assert_eq!(gate.enter().await.err(), Some(Busy(1)));
        drop(first);
        assert_eq!(waiter.await.unwrap(), Ok(()));
        assert_eq!(gate.waiting(), 0);
        // Memory is reused: one buffer in the pool after both turns.
        assert_eq!(gate.pool.lock().unwrap().len(), 1);
    }
}
