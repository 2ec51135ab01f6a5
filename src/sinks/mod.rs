//! Where the decision log and the audit log go besides the database (`decision_log_sinks`,
//! `audit_log_sinks`): `stdout` or `file:PATH` as JSON lines, or an HTTP receiver in
//! batches ([`http`]). Entries are masked first ([`Mask`], `decision_log_mask`,
//! `audit_log_mask`).
//!
//! Each sink runs on its own thread behind a bounded channel that is only ever offered
//! entries (`try_send`): a sink that is behind or failing loses entries, counted per log and
//! sink in `warden_log_sink_dropped_total`, and never slows a decision or an admin change.
//! Entries a sink delivered are counted in `warden_log_sink_sent_total`.

pub mod http;
pub mod mask;

pub use http::HttpOptions;
pub use mask::{Mask, MASKED};

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Duration;

/// What `decision_log_mask` rules may start with: the parts of a decision the caller sent.
pub const DECISION_MASK_ROOTS: [&str; 2] = ["context", "properties"];
/// What `audit_log_mask` rules may start with.
pub const AUDIT_MASK_ROOTS: [&str; 1] = ["detail"];

/// Messages waiting for one sink's thread at most (each a writer batch of up to 512 entries).
const QUEUE: usize = 64;

/// The labels of the sink series: `log` (decision, audit) and `sink` (stdout, file, http).
pub type SinkLabels = Vec<(String, String)>;

/// The sink series of the metrics registry, by `log` and `sink`.
#[derive(Debug, Clone, Default)]
pub struct SinkMetrics {
    pub sent: Family<SinkLabels, Counter>,
    pub dropped: Family<SinkLabels, Counter>,
}

impl SinkMetrics {
    fn counters(&self, log: &str, sink: &str) -> Counters {
        let labels = vec![
            ("log".to_string(), log.to_string()),
            ("sink".into(), sink.into()),
        ];
        Counters {
            sent: self.sent.get_or_create(&labels).clone(),
            dropped: self.dropped.get_or_create(&labels).clone(),
        }
    }
}

/// One sink's counters.
#[derive(Clone)]
pub(crate) struct Counters {
    sent: Counter,
    dropped: Counter,
}

/// A sink as configured.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Stdout,
    File(PathBuf),
    Http(String),
}

impl Target {
    /// `stdout`, `file:PATH`, or an `http://` / `https://` URL.
    pub fn parse(text: &str) -> Result<Target, String> {
        let text = text.trim();
        if text == "stdout" {
            Ok(Target::Stdout)
        } else if let Some(path) = text.strip_prefix("file:") {
            if path.is_empty() {
                return Err("file: needs a path (file:/var/log/warden/decisions.jsonl)".into());
            }
            Ok(Target::File(PathBuf::from(path)))
        } else if text.starts_with("https://") || text.starts_with("http://") {
            if text.len() <= "https://".len() || text.ends_with("://") {
                return Err(format!("{text:?} has no host"));
            }
            Ok(Target::Http(text.to_string()))
        } else {
            Err(format!(
                "{text:?} is not a sink: use stdout, file:PATH or an http(s):// URL"
            ))
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Target::Stdout => "stdout",
            Target::File(_) => "file",
            Target::Http(_) => "http",
        }
    }
}

pub(crate) enum Msg {
    /// Entries, each one JSON object on one line (no newline).
    Lines(Arc<[String]>),
    /// Write or send what is held, then answer.
    Flush(mpsc::Sender<()>),
}

struct Outlet {
    tx: SyncSender<Msg>,
    dropped: Counter,
}

/// The running sinks of one log.
#[derive(Clone, Default)]
pub struct Sinks {
    outlets: Arc<Vec<Outlet>>,
}

impl Sinks {
    /// Start a thread per target of `log` ("decision" or "audit").
    pub fn start(
        log: &str,
        targets: &[String],
        options: &HttpOptions,
        metrics: &SinkMetrics,
    ) -> Result<Sinks, String> {
        let mut outlets = Vec::with_capacity(targets.len());
        for text in targets {
            let target = Target::parse(text)?;
            let counters = metrics.counters(log, target.kind());
            let (tx, rx) = mpsc::sync_channel(QUEUE);
            let dropped = counters.dropped.clone();
            let name = format!("warden-{log}-log-{}", target.kind());
            let spawned = match target {
                Target::Stdout => std::thread::Builder::new()
                    .name(name)
                    .spawn(move || write_lines(std::io::stdout(), counters, rx)),
                Target::File(path) => {
                    let file =
                        open_append(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                    std::thread::Builder::new()
                        .name(name)
                        .spawn(move || write_lines(file, counters, rx))
                }
                Target::Http(url) => {
                    let options = options.clone();
                    std::thread::Builder::new()
                        .name(name)
                        .spawn(move || http::run(url, options, counters, rx))
                }
            };
            spawned.map_err(|e| format!("cannot start the {log} log sink {text}: {e}"))?;
            outlets.push(Outlet { tx, dropped });
        }
        Ok(Sinks {
            outlets: Arc::new(outlets),
        })
    }

    /// No sink configured.
    pub fn is_empty(&self) -> bool {
        self.outlets.is_empty()
    }

    /// Offer entries to every sink without waiting: a sink whose queue is full (or whose
    /// thread is gone) drops them and counts them.
    pub fn send(&self, lines: Arc<[String]>) {
        if lines.is_empty() {
            return;
        }
        for outlet in self.outlets.iter() {
            match outlet.tx.try_send(Msg::Lines(lines.clone())) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                    outlet.dropped.inc_by(lines.len() as u64);
                }
            }
        }
    }

    /// Ask every sink to write or send what it holds and wait for them, at most `limit` in
    /// all (a graceful shutdown; an HTTP receiver that is down gets one more try).
    pub async fn flush(&self, limit: Duration) {
        if self.is_empty() {
            return;
        }
        let outlets = self.outlets.clone();
        let waited = tokio::task::spawn_blocking(move || {
            let deadline = std::time::Instant::now() + limit;
            let mut answers = Vec::new();
            for outlet in outlets.iter() {
                let (ack, answer) = mpsc::channel();
                let mut flush = Msg::Flush(ack);
                // A full queue takes a short wait here, never a decision's.
                loop {
                    match outlet.tx.try_send(flush) {
                        Ok(()) => {
                            answers.push(answer);
                            break;
                        }
                        Err(TrySendError::Full(m)) if std::time::Instant::now() < deadline => {
                            std::thread::sleep(Duration::from_millis(10));
                            flush = m;
                        }
                        Err(_) => break,
                    }
                }
            }
            for answer in answers {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                let _ = answer.recv_timeout(left);
            }
        });
        let _ = waited.await;
    }
}

/// Append, create 0600: a log holds who asked for what.
fn open_append(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// A stdout or file sink's thread: each message's lines, then a flush.
fn write_lines<W: Write>(out: W, counters: Counters, rx: Receiver<Msg>) {
    let mut out = std::io::BufWriter::new(out);
    while let Ok(msg) = rx.recv() {
        match msg {
            Msg::Lines(lines) => {
                let mut result = Ok(());
                for line in lines.iter() {
                    result = result
                        .and_then(|()| out.write_all(line.as_bytes()))
                        .and_then(|()| out.write_all(b"\n"));
                }
                match result.and_then(|()| out.flush()) {
                    Ok(()) => {
                        counters.sent.inc_by(lines.len() as u64);
                    }
                    Err(e) => {
                        counters.dropped.inc_by(lines.len() as u64);
                        tracing::warn!(error = %e, "log sink: write failed");
                    }
                }
            }
            Msg::Flush(ack) => {
                let _ = out.flush();
                let _ = ack.send(());
            }
        }
    }
}

/// The entries as JSON lines (an entry that cannot be serialised is skipped: it has no
/// JSON form to send).
pub fn json_lines<T: serde::Serialize>(entries: &[T]) -> Arc<[String]> {
    entries
        .iter()
        .filter_map(|e| serde_json::to_string(e).ok())
        .collect()
}

#[cfg(test)]
mod tests;
