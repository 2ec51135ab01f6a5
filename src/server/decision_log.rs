//! The decision log: every decision goes through a bounded channel to batched writes, so the
//! decision path never waits on disk. When the channel is full the entry is dropped and
//! counted (`warden_decision_log_dropped_total`): losing a log line is better than slowing
//! or failing a decision.
//!
//! Readers waiting for new entries (the admin API's long-poll, which the console follows)
//! are woken by the writer after each committed batch ([`DecisionLog::committed`]), so a
//! waiting poll costs no query until there is something to read; a slow fallback
//! ([`FALLBACK_PERIOD`]) catches entries written by another process on the same database
//! (another replica, another server on the SQLite file), which this writer never sees.

use crate::app::{App, DecisionRow};
use prometheus_client::metrics::counter::Counter;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How many entries may wait for the writer.
const CAPACITY: usize = 8192;
/// Most rows written in one transaction.
const BATCH: usize = 512;
/// How often a waiting reader queries the log without being woken: for entries another
/// process wrote, which this process's writer does not announce.
pub const FALLBACK_PERIOD: Duration = Duration::from_secs(1);

/// The sending side, cheap to clone.
#[derive(Clone)]
pub struct DecisionLog {
    tx: mpsc::Sender<DecisionRow>,
    rx: Arc<Mutex<Option<mpsc::Receiver<DecisionRow>>>>,
    /// Entries dropped because the writer was behind (a series of [`crate::metrics::Metrics`]).
    pub dropped: Counter,
    /// Entries written (a series of [`crate::metrics::Metrics`]).
    pub written: Counter,
    /// Entries queued, and entries whose write failed: `written + failed == queued` once the
    /// queue is drained.
    queued: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
    /// Batches committed so far: bumped by the writer after each one, watched by readers.
    batches: Arc<watch::Sender<u64>>,
}

impl Default for DecisionLog {
    fn default() -> Self {
        DecisionLog::counted(Counter::default(), Counter::default())
    }
}

impl DecisionLog {
    /// A log that counts into the given counters (the metrics registry's).
    pub fn counted(dropped: Counter, written: Counter) -> Self {
        let (tx, rx) = mpsc::channel(CAPACITY);
        DecisionLog {
            tx,
            rx: Arc::new(Mutex::new(Some(rx))),
            dropped,
            written,
            queued: Arc::new(AtomicU64::new(0)),
            failed: Arc::new(AtomicU64::new(0)),
            batches: Arc::new(watch::channel(0).0),
        }
    }

    /// A watch of the batches committed by this process's writer: it changes after each
    /// one (see [`wait_for_rows`]).
    pub fn committed(&self) -> watch::Receiver<u64> {
        self.batches.subscribe()
    }

    /// Start the writer task on the current runtime (once; later calls do nothing).
    pub fn spawn_writer(&self, app: App, retain: i64) {
        let rx = self.rx.lock().ok().and_then(|mut rx| rx.take());
        if let Some(rx) = rx {
            tokio::spawn(writer(
                rx,
                app,
                retain,
                self.written.clone(),
                self.failed.clone(),
                self.batches.clone(),
            ));
        }
    }

    /// Queue an entry without waiting.
    pub fn record(&self, row: DecisionRow) {
        match self.tx.try_send(row) {
            Ok(()) => {
                self.queued.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {
                self.dropped.inc();
            }
        }
    }

    /// Wait (at most `limit`) until every queued entry is written, so that a graceful
    /// shutdown does not lose the last decisions.
    pub async fn drain(&self, limit: Duration) {
        let deadline = tokio::time::Instant::now() + limit;
        while self.written.get() + self.failed.load(Ordering::Relaxed)
            < self.queued.load(Ordering::Relaxed)
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn writer(
    mut rx: mpsc::Receiver<DecisionRow>,
    app: App,
    retain: i64,
    written: Counter,
    failed: Arc<AtomicU64>,
    batches: Arc<watch::Sender<u64>>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    // Woken once per batch, not once per decision: after the first entry the writer sleeps
    // out the batching window and then takes what has queued, so a decision's `record`
    // costs a channel push and no task wake-up while a batch is gathering.
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        if batch.len() < BATCH {
            tokio::time::sleep(Duration::from_millis(50)).await;
            while batch.len() < BATCH {
                match rx.try_recv() {
                    Ok(row) => batch.push(row),
                    Err(_) => break,
                }
            }
        }
        let rows = std::mem::take(&mut batch);
        let count = rows.len() as u64;
        match app.append_decisions(&rows, retain).await {
            Ok(()) => {
                written.inc_by(count);
                // After the commit: a reader woken now finds the rows.
                batches.send_modify(|n| *n = n.wrapping_add(1));
            }
            Err(e) => {
                failed.fetch_add(count, Ordering::Relaxed);
                tracing::warn!(error = %e, rows = count, "decision log write failed");
            }
        }
    }
}

/// Run `query` until it finds rows or `deadline` passes, and return its last answer: the
/// long-poll of `GET /admin/v1/decisions?wait=`. Between two queries it waits for the next
/// batch `committed` announces, at most `fallback` (for rows written by another process),
/// and never past the deadline; a query runs once more at the deadline. `committed` is
/// marked seen before each query, so a batch committed while the query runs wakes the next
/// wait at once instead of being missed.
pub async fn wait_for_rows<T, E, Q, F>(
    mut committed: watch::Receiver<u64>,
    deadline: tokio::time::Instant,
    fallback: Duration,
    mut query: Q,
) -> Result<Vec<T>, E>
where
    Q: FnMut() -> F,
    F: Future<Output = Result<Vec<T>, E>>,
{
    loop {
        committed.borrow_and_update();
        let rows = query().await?;
        if !rows.is_empty() || tokio::time::Instant::now() >= deadline {
            return Ok(rows);
        }
        let announced = async {
            // A writer that is gone announces nothing more: the timers alone remain.
            if committed.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            _ = announced => {}
            _ = tokio::time::sleep(fallback) => {}
            _ = tokio::time::sleep_until(deadline) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// A stand-in for the log: the rows it holds and how many times it was queried.
    #[derive(Default)]
    struct Log {
        rows: Mutex<Vec<u64>>,
        queries: AtomicUsize,
    }

    impl Log {
        async fn query(&self) -> Result<Vec<u64>, ()> {
            self.queries.fetch_add(1, Ordering::SeqCst);
            Ok(self.rows.lock().unwrap().clone())
        }
    }

    /// A waiting poll is answered when the writer announces a batch: no timer could have
    /// answered it (the fallback and the deadline are a minute away), and the log was
    /// queried twice, before the wait and after the wake-up.
    #[tokio::test]
    async fn a_waiting_poll_is_woken_by_the_writer() {
        let log = Arc::new(Log::default());
        let (writer, committed) = watch::channel(0u64);
        let minute = Duration::from_secs(60);
        let deadline = tokio::time::Instant::now() + minute;
        let poll = tokio::spawn({
            let log = log.clone();
            async move { wait_for_rows(committed, deadline, minute, || log.query()).await }
        });
        while log.queries.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        log.rows.lock().unwrap().push(7);
        writer.send_modify(|n| *n += 1);
        // A bound for a broken build only (the wake-up is what answers).
        let rows = tokio::time::timeout(Duration::from_secs(30), poll)
            .await
            .expect("the poll was woken")
            .unwrap();
        assert_eq!(rows, Ok(vec![7]));
        assert_eq!(log.queries.load(Ordering::SeqCst), 2);
    }

    /// A batch committed while the first query runs (after it read nothing) is not missed.
    #[tokio::test]
    async fn a_batch_during_the_query_is_not_missed() {
        let rows = Arc::new(Mutex::new(Vec::new()));
        let (writer, committed) = watch::channel(0u64);
        let minute = Duration::from_secs(60);
        let deadline = tokio::time::Instant::now() + minute;
        let queries = AtomicUsize::new(0);
        let answer = tokio::time::timeout(
            Duration::from_secs(30),
            wait_for_rows(committed, deadline, minute, || {
                let found = rows.lock().unwrap().clone();
                if queries.fetch_add(1, Ordering::SeqCst) == 0 {
                    // Written and announced after this query read the log.
                    rows.lock().unwrap().push(1);
                    writer.send_modify(|n| *n += 1);
                }
                async move { Ok::<_, ()>(found) }
            }),
        )
        .await
        .expect("woken by the batch committed during the query");
        assert_eq!(answer, Ok(vec![1]));
    }

    /// With nothing new, the poll answers empty at its deadline, having queried the log
    /// once before waiting and once at the deadline (no rescans in between while the
    /// fallback is longer than the wait).
    #[tokio::test]
    async fn a_poll_with_nothing_new_answers_empty_at_its_deadline() {
        let log = Log::default();
        let (_writer, committed) = watch::channel(0u64);
        let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
        let rows =
            wait_for_rows(committed, deadline, Duration::from_secs(60), || log.query()).await;
        assert_eq!(rows, Ok(vec![]));
        assert!(tokio::time::Instant::now() >= deadline);
        assert_eq!(log.queries.load(Ordering::SeqCst), 2);
    }

    /// A writer that is gone does not turn the wait into a busy loop: the fallback paces it.
    #[tokio::test]
    async fn a_gone_writer_leaves_the_fallback() {
        let log = Log::default();
        let (writer, committed) = watch::channel(0u64);
        drop(writer);
        let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
        let rows = wait_for_rows(committed, deadline, Duration::from_millis(100), || {
            log.query()
        })
        .await;
        assert_eq!(rows, Ok(vec![]));
        // About four (every 100 ms, then the deadline), never thousands.
        assert!(log.queries.load(Ordering::SeqCst) <= 6, "{:?}", log.queries);
    }
}
