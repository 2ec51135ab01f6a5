//! The decision log: every decision goes through a bounded channel to batched writes, so the
//! decision path never waits on disk. When the channel is full the entry is dropped and
//! counted (`warden_decision_log_dropped_total`): losing a log line is better than slowing
//! or failing a decision.

use crate::app::{App, DecisionRow};
use prometheus_client::metrics::counter::Counter;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// How many entries may wait for the writer.
const CAPACITY: usize = 8192;
/// Most rows written in one transaction.
const BATCH: usize = 512;

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
        }
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
            }
            Err(e) => {
                failed.fetch_add(count, Ordering::Relaxed);
                tracing::warn!(error = %e, rows = count, "decision log write failed");
            }
        }
    }
}
