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
//!
//! The writer also masks each entry (`decision_log_mask`, before the database sees it) and
//! offers the batch to the configured sinks (`decision_log_sinks`, see [`crate::sinks`]);
//! [`spawn_audit_forwarder`] does the same for the audit log's new rows.

use crate::app::{App, DecisionRow};
use crate::config::Config;
use crate::sinks::{HttpOptions, Mask, SinkMetrics, Sinks};
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
    /// The sinks' series, and the sinks once started (flushed by [`DecisionLog::drain`]).
    sink_metrics: SinkMetrics,
    sinks: Arc<Mutex<Vec<Sinks>>>,
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
            sink_metrics: SinkMetrics::default(),
            sinks: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Count the sinks' entries into the given series (the metrics registry's).
    pub fn with_sink_metrics(mut self, metrics: SinkMetrics) -> Self {
        self.sink_metrics = metrics;
        self
    }

    /// A watch of the batches committed by this process's writer: it changes after each
    /// one (see [`wait_for_rows`]).
    pub fn committed(&self) -> watch::Receiver<u64> {
        self.batches.subscribe()
    }

    /// Start the writer task on the current runtime (once; later calls do nothing), with
    /// the masking and the sinks of `app`'s configuration, and the audit log's forwarder
    /// when audit sinks are configured.
    pub fn spawn_writer(&self, app: App, retain: i64) {
        let rx = self.rx.lock().ok().and_then(|mut rx| rx.take());
        let Some(rx) = rx else {
            return;
        };
        let config = app.config.clone();
        let options = http_options(&config);
        // The configuration was checked at start-up (`Config::check`), so these parse; if
        // one did not, fail closed on the log's side: mask every field a caller sent
        // rather than write one the operator meant to hide.
        let mask = Mask::parse(
            &config.decision_log_mask,
            &crate::sinks::DECISION_MASK_ROOTS,
        )
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "decision_log_mask");
            Mask::everything(&crate::sinks::DECISION_MASK_ROOTS)
        });
        let sinks = self.start_sinks("decision", &config.decision_log_sinks, &options);
        if !config.audit_log_sinks.is_empty() {
            let audit = self.start_sinks("audit", &config.audit_log_sinks, &options);
            let mask = Mask::parse(&config.audit_log_mask, &crate::sinks::AUDIT_MASK_ROOTS)
                .unwrap_or_else(|e| {
                    tracing::error!(error = %e, "audit_log_mask");
                    Mask::everything(&crate::sinks::AUDIT_MASK_ROOTS)
                });
            tokio::spawn(forward_audit(app.clone(), audit, mask, AUDIT_POLL));
        }
        tokio::spawn(writer(
            rx,
            app,
            retain,
            Output {
                mask,
                sinks,
                written: self.written.clone(),
                failed: self.failed.clone(),
                batches: self.batches.clone(),
            },
        ));
    }

    fn start_sinks(&self, log: &str, targets: &[String], options: &HttpOptions) -> Sinks {
        match Sinks::start(log, targets, options, &self.sink_metrics) {
            Ok(sinks) => {
                if let Ok(mut started) = self.sinks.lock() {
                    started.push(sinks.clone());
                }
                sinks
            }
            Err(e) => {
                // Checked at start-up; a file that cannot be opened now is said loudly, and
                // the database keeps the log.
                tracing::error!(error = %e, log, "log sinks not started");
                Sinks::default()
            }
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
        let started: Vec<Sinks> = self.sinks.lock().map(|s| s.clone()).unwrap_or_default();
        for sinks in started {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            sinks.flush(left.max(Duration::from_millis(500))).await;
        }
    }
}

/// How often the audit forwarder looks for new audit rows.
const AUDIT_POLL: Duration = Duration::from_secs(1);
/// Audit rows read per look (the most `list_audit` gives).
const AUDIT_PAGE: i64 = 1000;

/// The HTTP sinks' settings from the configuration.
pub fn http_options(config: &Config) -> HttpOptions {
    HttpOptions {
        batch_bytes: config.log_sink_batch_bytes.max(1),
        batch_age: Duration::from_secs(config.log_sink_batch_seconds.max(1)),
        buffer_bytes: config.log_sink_buffer_bytes,
        gzip: config.log_sink_gzip,
        retry_min: Duration::from_millis(500),
        retry_max: Duration::from_secs(config.log_sink_retry_max_seconds.max(1)),
        timeout: Duration::from_secs(10),
    }
}

/// Send audit rows written from now on to `sinks`, masked, oldest first. Audit rows are
/// written by the store in the transaction of the change they record (from any process on
/// the database), so they are read back rather than hooked: every `period`, the rows newer
/// than the last one sent. More than a page in one period is reported (the rest of that
/// burst is not sent; the database keeps every row).
async fn forward_audit(app: App, sinks: Sinks, mask: Mask, period: Duration) {
    let newest = |rows: &[crate::app::AuditRow]| rows.iter().map(|r| r.id).max();
    let mut last = match app.list_audit(None, None, 1).await {
        Ok(rows) => newest(&rows).unwrap_or(0),
        Err(e) => {
            tracing::warn!(error = %e, "audit log sink: cannot read the audit log");
            0
        }
    };
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        let rows = match app.list_audit(None, None, AUDIT_PAGE).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "audit log sink: cannot read the audit log");
                continue;
            }
        };
        let mut fresh: Vec<_> = rows.into_iter().filter(|r| r.id > last).collect();
        if fresh.len() as i64 >= AUDIT_PAGE {
            tracing::warn!(
                after = last,
                "audit log sink: more audit rows than one read takes; older ones of this burst not sent"
            );
        }
        fresh.sort_by_key(|r| r.id);
        let Some(top) = newest(&fresh) else {
            continue;
        };
        last = top;
        let lines: Arc<[String]> = fresh
            .iter()
            .filter_map(|row| {
                let mut value = serde_json::to_value(row).ok()?;
                mask.apply(&mut value);
                serde_json::to_string(&value).ok()
            })
            .collect();
        sinks.send(lines);
    }
}

/// Apply `mask` to a decision's caller-given parts (its `context` and `properties`).
pub fn mask_decision(mask: &Mask, row: &mut DecisionRow) {
    if mask.is_empty() {
        return;
    }
    let mut parts = serde_json::json!({
        "context": std::mem::take(&mut row.context),
        "properties": std::mem::take(&mut row.properties),
    });
    mask.apply(&mut parts);
    row.context = parts["context"].take();
    row.properties = parts["properties"].take();
}

/// Where the writer's batches go after the database, and its counters.
struct Output {
    mask: Mask,
    sinks: Sinks,
    written: Counter,
    failed: Arc<AtomicU64>,
    batches: Arc<watch::Sender<u64>>,
}

async fn writer(mut rx: mpsc::Receiver<DecisionRow>, app: App, retain: i64, out: Output) {
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
        let mut rows = std::mem::take(&mut batch);
        let count = rows.len() as u64;
        // Masked before anything keeps it: the database and every sink see "***".
        for row in &mut rows {
            mask_decision(&out.mask, row);
        }
        match app.append_decisions(&rows, retain).await {
            Ok(()) => {
                out.written.inc_by(count);
                // After the commit: a reader woken now finds the rows.
                out.batches.send_modify(|n| *n = n.wrapping_add(1));
            }
            Err(e) => {
                out.failed.fetch_add(count, Ordering::Relaxed);
                tracing::warn!(error = %e, rows = count, "decision log write failed");
            }
        }
        // The sinks get the batch whether or not the database took it: they are the way
        // out when the database is the trouble.
        if !out.sinks.is_empty() {
            // Capped as the database keeps them (found in review): a stalled sink's queue
            // holds entries, and uncapped ones could each be a whole request body.
            let capped: Vec<crate::app::DecisionRow> = rows
                .iter()
                .map(|r| crate::app::DecisionRow {
                    properties: crate::app::capped_log_value(&r.properties),
                    context: crate::app::capped_log_value(&r.context),
                    ..r.clone()
                })
                .collect();
            out.sinks.send(crate::sinks::json_lines(&capped));
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
