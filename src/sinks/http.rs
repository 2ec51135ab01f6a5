//! The HTTP batch sink, modelled on OPA's decision-log upload: entries are gathered into a
//! JSON array until it reaches `batch_bytes` or its first entry is `batch_age` old, then
//! POSTed (gzip-compressed when asked). A failed upload is retried with a doubling wait
//! (`retry_min` up to `retry_max`) while new batches keep forming behind it; the batches
//! waiting hold at most `buffer_bytes`, and beyond that the *oldest* is dropped and counted.
//!
//! Security and availability decision: the sink runs on its own thread and is fed through a
//! bounded channel with `try_send`, so a receiver that is slow or down can cost log entries
//! (counted in `warden_log_sink_dropped_total`) but never delays or fails a decision, and
//! never grows memory without bound. Redirects are not followed: a log receiver that
//! redirects could send decisions to an address the operator did not configure.

use super::{Counters, Msg};
use std::collections::VecDeque;
use std::io::Write;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How an HTTP sink batches, buffers and retries.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpOptions {
    /// A batch is sealed when it reaches this many bytes (uncompressed).
    pub batch_bytes: usize,
    /// ... or when its first entry is this old.
    pub batch_age: Duration,
    /// Bytes of sealed batches held while the receiver fails; the oldest go beyond it.
    pub buffer_bytes: usize,
    /// `Content-Encoding: gzip`.
    pub gzip: bool,
    /// The first wait after a failed upload; it doubles up to `retry_max`.
    pub retry_min: Duration,
    pub retry_max: Duration,
    /// One upload's time limit.
    pub timeout: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            batch_bytes: 256 * 1024,
            batch_age: Duration::from_secs(5),
            buffer_bytes: 16 * 1024 * 1024,
            gzip: true,
            retry_min: Duration::from_millis(500),
            retry_max: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
        }
    }
}

/// A sealed batch: its body as sent and how many entries it carries.
struct Batch {
    body: Vec<u8>,
    entries: u64,
}

struct Uploader {
    url: String,
    options: HttpOptions,
    agent: ureq::Agent,
    counters: Counters,
    /// The batch being gathered: `[` + entries joined by `,` (closed when sealed).
    open: Vec<u8>,
    open_entries: u64,
    open_since: Option<Instant>,
    pending: VecDeque<Batch>,
    pending_bytes: usize,
    next_try: Instant,
    backoff: Duration,
}

/// The sink's thread: until the channel closes.
pub(super) fn run(url: String, options: HttpOptions, counters: Counters, rx: Receiver<Msg>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let mut up = Uploader {
        url,
        backoff: options.retry_min,
        options,
        agent,
        counters,
        open: Vec::new(),
        open_entries: 0,
        open_since: None,
        pending: VecDeque::new(),
        pending_bytes: 0,
        next_try: Instant::now(),
    };
    loop {
        let now = Instant::now();
        let mut wake = now + Duration::from_secs(3600);
        if let Some(since) = up.open_since {
            wake = wake.min(since + up.options.batch_age);
        }
        if !up.pending.is_empty() {
            wake = wake.min(up.next_try);
        }
        match rx.recv_timeout(wake.saturating_duration_since(now)) {
            Ok(Msg::Lines(lines)) => {
                for line in lines.iter() {
                    up.push(line);
                }
            }
            Ok(Msg::Flush(ack)) => {
                up.seal();
                up.upload_due(true);
                let _ = ack.send(());
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                up.seal();
                up.upload_due(true);
                return;
            }
        }
        if up
            .open_since
            .is_some_and(|since| since.elapsed() >= up.options.batch_age)
        {
            up.seal();
        }
        up.upload_due(false);
    }
}

impl Uploader {
    fn push(&mut self, line: &str) {
        if self.open_entries > 0 && self.open.len() + line.len() + 2 > self.options.batch_bytes {
            self.seal();
        }
        self.open
            .push(if self.open_entries == 0 { b'[' } else { b',' });
        self.open.extend_from_slice(line.as_bytes());
        self.open_entries += 1;
        self.open_since.get_or_insert_with(Instant::now);
    }

    /// Close the batch being gathered and queue it, dropping the oldest beyond the buffer.
    fn seal(&mut self) {
        if self.open_entries == 0 {
            return;
        }
        let mut body = std::mem::take(&mut self.open);
        body.push(b']');
        if self.options.gzip {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            // Writing into a Vec cannot fail; if the encoder did, send it uncompressed
            // rather than lose it (the header then says so: see `upload`).
            match gz.write_all(&body).and_then(|()| gz.finish()) {
                Ok(compressed) => body = compressed,
                Err(e) => tracing::warn!(error = %e, "log sink: gzip failed"),
            }
        }
        self.pending_bytes += body.len();
        self.pending.push_back(Batch {
            body,
            entries: self.open_entries,
        });
        self.open_entries = 0;
        self.open_since = None;
        while self.pending_bytes > self.options.buffer_bytes {
            let Some(oldest) = self.pending.pop_front() else {
                break;
            };
            self.pending_bytes -= oldest.body.len();
            self.counters.dropped.inc_by(oldest.entries);
        }
    }

    /// Send the waiting batches, oldest first, while the receiver takes them; `now`: try
    /// at once whatever the backoff says (a flush at shutdown).
    fn upload_due(&mut self, now: bool) {
        if !now && Instant::now() < self.next_try {
            return;
        }
        while let Some(batch) = self.pending.front() {
            match self.upload(batch) {
                Ok(()) => {
                    self.counters.sent.inc_by(batch.entries);
                    self.pending_bytes -= batch.body.len();
                    self.pending.pop_front();
                    self.backoff = self.options.retry_min;
                }
                Err(reason) => {
                    tracing::warn!(
                        url = %shown_url(&self.url),
                        %reason,
                        waiting = self.pending.len(),
                        retry_in_ms = self.backoff.as_millis() as u64,
                        "log sink: upload failed"
                    );
                    self.next_try = Instant::now() + self.backoff;
                    self.backoff = (self.backoff * 2).min(self.options.retry_max);
                    return;
                }
            }
        }
    }

    fn upload(&self, batch: &Batch) -> Result<(), String> {
        let gzipped = batch.body.starts_with(&[0x1f, 0x8b]);
        let mut request = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json");
        if gzipped {
            request = request.header("Content-Encoding", "gzip");
        }
        let response = request.send(&batch.body[..]).map_err(|e| e.to_string())?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("answered {}", response.status()))
        }
    }
}

/// A sink URL as it may be logged: without user information and query (where a receiver's
/// credentials would sit, since a sink takes no headers of its own).
pub(super) fn shown_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let host = authority.rsplit('@').next().unwrap_or("");
    format!("{scheme}://{host}{path}")
}
