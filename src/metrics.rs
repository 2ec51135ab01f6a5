//! The metrics served at `/metrics`, in one registry (`prometheus-client`), encoded in the
//! Prometheus text format (0.0.4).
//!
//! Every counter the server keeps lives here. The layers below do not import this module:
//! the engine reports reloads to an observer ([`crate::engine::Engine::observe_reloads`]),
//! broken invariants are counted by [`crate::alarm`] and collected here at scrape time, and
//! the decision log is handed its two counters.
//!
//! Labelled counters are looked up once, when the registry is built, and kept as handles:
//! counting a decision is one atomic add, no map lookup and no lock.

mod process;

use crate::accounts::AuthError;
use crate::engine::LoadError;
use crate::tokens::Rejection;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use std::time::Duration;

/// The `Content-Type` of [`Metrics::encode`]'s text.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Upper bounds (seconds) of the decision latency histogram buckets.
const LATENCY_BUCKETS: [f64; 10] = [
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25,
];

/// Upper bounds (seconds) of the HTTP latency histogram buckets: from a cached decision
/// (tens of microseconds) to a sign-in (argon2id, tens of milliseconds) and a slow store.
const HTTP_LATENCY_BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// One label, e.g. `result="ok"`.
type Label = [(&'static str, &'static str); 1];

/// An HTTP request's labels: `route` (the route table's pattern) and `method`, and `status`.
type HttpLabels = ([(&'static str, &'static str); 2], [(&'static str, u16); 1]);

/// The sign-in results, in the order of [`Metrics::sign_in`]'s handles.
const SIGN_IN_RESULTS: [&str; 5] = ["ok", "failed", "throttled", "busy", "error"];

/// The registry and a handle on each of its series.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// In the order of [`SIGN_IN_RESULTS`].
    logins: Vec<Counter>,
    http_requests: Family<HttpLabels, Counter>,
    http_latency: Family<Label, Histogram, fn() -> Histogram>,
    /// In the order of [`Rejection::ALL`].
    rejections: Vec<Counter>,
    reloads_ok: Counter,
    reloads_refused: Counter,
    allowed: Counter,
    denied: Counter,
    errored: Counter,
    latency: Histogram,
    policies_loaded: Gauge,
    /// Handed to the decision log ([`crate::server::decision_log::DecisionLog::counted`]).
    pub decision_log_dropped: Counter,
    /// Handed to the decision log.
    pub decision_log_written: Counter,
    /// Entries sent and dropped by the decision and audit log sinks, by `log` and `sink`
    /// (handed to [`crate::sinks::Sinks::start`]).
    pub log_sinks: crate::sinks::SinkMetrics,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Register a family labelled `key` and create each of `values` (so a series reads 0 before
/// its first event rather than being absent), returning their handles in order.
fn family(
    registry: &mut Registry,
    name: &str,
    help: &str,
    key: &'static str,
    values: &[&'static str],
) -> Vec<Counter> {
    let family = Family::<Label, Counter>::default();
    let handles = values
        .iter()
        .map(|v| family.get_or_create_owned(&[(key, *v)]))
        .collect();
    registry.register(name, help, family);
    handles
}

fn counter(registry: &mut Registry, name: &str, help: &str) -> Counter {
    let counter = Counter::default();
    registry.register(name, help, counter.clone());
    counter
}

impl Metrics {
    /// Every series at zero. Names are given without the `_total` that the encoder appends
    /// to counters; help texts without the final period it appends.
    pub fn new() -> Metrics {
        let mut r = Registry::default();
        // `failed`: unknown email, wrong password or disabled account (one answer for all,
        // see `AuthError::InvalidCredentials`); `throttled`: refused by the failure budget
        // (429) before the password was checked; `busy`: the hashing queue was full (503);
        // `error`: anything else (a bad request, the store).
        let logins = family(
            &mut r,
            "warden_logins",
            "Sign-ins by result (failed: wrong credentials; throttled: 429 before checking)",
            "result",
            &SIGN_IN_RESULTS,
        );
        let http_requests = Family::<HttpLabels, Counter>::default();
        r.register(
            "warden_http_requests",
            "HTTP requests by route (the route table's pattern, or unmatched), method and status",
            http_requests.clone(),
        );
        let http_latency: Family<Label, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(|| Histogram::new(HTTP_LATENCY_BUCKETS));
        r.register(
            "warden_http_request_duration_seconds",
            "Time from a request's head to its answer, by route",
            http_latency.clone(),
        );
        let build = Family::<[(&'static str, &'static str); 2], Gauge>::default();
        build
            .get_or_create(&[("version", env!("CARGO_PKG_VERSION")), ("git", GIT_HASH)])
            .set(1);
        r.register(
            "warden_build",
            "The running build: 1, labelled with the version and the git commit (unknown when the build did not set WARDEN_GIT_HASH)",
            build,
        );
        r.register_collector(Box::new(process::Process));
        let reasons: Vec<&'static str> = Rejection::ALL.iter().map(|x| x.code()).collect();
        let rejections = family(
            &mut r,
            "warden_token_rejections",
            "Refused tokens by reason",
            "reason",
            &reasons,
        );
        r.register_collector(Box::new(InvariantFailures));
        let [reloads_ok, reloads_refused] = pair(family(
            &mut r,
            "warden_policy_reloads",
            "Policy reloads by result",
            "result",
            &["ok", "refused"],
        ));
        let [allowed, denied] = pair(family(
            &mut r,
            "warden_decisions",
            "Decisions by outcome",
            "decision",
            &["allow", "deny"],
        ));
        let errored = counter(
            &mut r,
            "warden_decision_errors",
            "Decisions denied because of an error",
        );
        let latency = Histogram::new(LATENCY_BUCKETS);
        r.register(
            "warden_decision_duration_seconds",
            "Time to decide, from request to answer",
            latency.clone(),
        );
        let decision_log_dropped = counter(
            &mut r,
            "warden_decision_log_dropped",
            "Decision-log entries dropped because the writer was behind",
        );
        let decision_log_written = counter(
            &mut r,
            "warden_decision_log_written",
            "Decision-log entries written",
        );
        let log_sinks = crate::sinks::SinkMetrics::default();
        r.register(
            "warden_log_sink_sent",
            "Log entries a sink wrote or a receiver accepted, by log and sink",
            log_sinks.sent.clone(),
        );
        r.register(
            "warden_log_sink_dropped",
            "Log entries a sink dropped (queue full, write failed, oldest batch over the buffer), by log and sink",
            log_sinks.dropped.clone(),
        );
        let policies_loaded = Gauge::default();
        r.register(
            "warden_policies_loaded",
            "Policies in the bundle in force",
            policies_loaded.clone(),
        );
        Metrics {
            registry: r,
            logins,
            http_requests,
            http_latency,
            rejections,
            reloads_ok,
            reloads_refused,
            allowed,
            denied,
            errored,
            latency,
            policies_loaded,
            decision_log_dropped,
            decision_log_written,
            log_sinks,
        }
    }

    /// Count a sign-in (a password sign-in or a token exchange) by its result.
    pub fn sign_in<T>(&self, result: &Result<T, AuthError>) {
        let index = match result {
            Ok(_) => 0,
            Err(AuthError::InvalidCredentials | AuthError::ExchangeRefused(_)) => 1,
            Err(AuthError::Throttled(_)) => 2,
            Err(AuthError::Busy(_)) => 3,
            Err(_) => 4,
        };
        if let Some(c) = self.logins.get(index) {
            c.inc();
        }
    }

    /// Count an HTTP request and its latency (the access-log layer, for every request).
    pub fn http_request(
        &self,
        route: &'static str,
        method: &'static str,
        status: u16,
        latency: Duration,
    ) {
        self.http_requests
            .get_or_create(&([("route", route), ("method", method)], [("status", status)]))
            .inc();
        self.http_latency
            .get_or_create(&[("route", route)])
            .observe(latency.as_secs_f64());
    }

    /// Count a decision and its latency.
    pub fn decision(&self, allowed: bool, had_errors: bool, latency: Duration) {
        if allowed {
            self.allowed.inc();
        } else {
            self.denied.inc();
        }
        if had_errors {
            self.errored.inc();
        }
        self.latency.observe(latency.as_secs_f64());
    }

    /// Count a refused token.
    pub fn rejected(&self, r: Rejection) {
        if let Some(i) = Rejection::ALL.iter().position(|x| *x == r) {
            if let Some(c) = self.rejections.get(i) {
                c.inc();
            }
        }
    }

    /// Count a policy reload (an engine's reload observer) and follow the policy count.
    pub fn policy_reload(&self, outcome: Result<usize, &LoadError>) {
        match outcome {
            Ok(count) => {
                self.reloads_ok.inc();
                self.set_policies_loaded(count);
            }
            Err(_) => {
                self.reloads_refused.inc();
            }
        }
    }

    /// The number of policies in force.
    pub fn set_policies_loaded(&self, count: usize) {
        self.policies_loaded
            .set(i64::try_from(count).unwrap_or(i64::MAX));
    }

    /// Every series, as the Prometheus text format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if let Err(e) =
            prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)
        {
            // Writing into a String cannot fail; if the encoder does, say so rather than
            // serve half a page as if it were whole.
            crate::alarm::raise("metrics_encode", e);
        }
        out
    }
}

/// The git commit warden was built from, when the build said (`WARDEN_GIT_HASH=$(git
/// rev-parse --short HEAD) cargo build`, as the Dockerfile does); no build script runs git.
const GIT_HASH: &str = match option_env!("WARDEN_GIT_HASH") {
    Some(hash) => hash,
    None => "unknown",
};

/// The two handles of a two-valued family.
fn pair(handles: Vec<Counter>) -> [Counter; 2] {
    let mut it = handles.into_iter();
    [it.next().unwrap_or_default(), it.next().unwrap_or_default()]
}

/// `warden_invariant_failures_total{kind}`, read from [`crate::alarm`] at scrape time: its
/// counts are process-wide, kept where the invariants are raised.
#[derive(Debug)]
struct InvariantFailures;

impl Collector for InvariantFailures {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let mut metric = encoder.encode_descriptor(
            "warden_invariant_failures",
            "Broken invariants by kind (each failed closed and was logged).",
            None,
            MetricType::Counter,
        )?;
        for (kind, n) in crate::alarm::counts() {
            let label: Label = [("kind", kind)];
            ConstCounter::new(n).encode(metric.encode_family(&label)?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_series_is_served_by_its_name_from_zero() {
        let m = Metrics::new();
        let text = m.encode();
        for line in [
            "# TYPE warden_logins_total counter",
            "warden_logins_total{result=\"ok\"} 0",
            "warden_logins_total{result=\"failed\"} 0",
            "warden_logins_total{result=\"throttled\"} 0",
            "# TYPE warden_build gauge",
            "# TYPE process_resident_memory_bytes gauge",
            "# TYPE process_cpu_seconds_total counter",
            "# TYPE process_open_fds gauge",
            "warden_token_rejections_total{reason=\"malformed_token\"} 0",
            "# TYPE warden_invariant_failures_total counter",
            "warden_policy_reloads_total{result=\"ok\"} 0",
            "warden_policy_reloads_total{result=\"refused\"} 0",
            "warden_decisions_total{decision=\"allow\"} 0",
            "warden_decisions_total{decision=\"deny\"} 0",
            "warden_decision_errors_total 0",
            "# TYPE warden_decision_duration_seconds histogram",
            "warden_decision_duration_seconds_count 0",
            "warden_decision_log_dropped_total 0",
            "warden_decision_log_written_total 0",
            "# TYPE warden_policies_loaded gauge",
            "warden_policies_loaded 0",
            "# HELP warden_decisions_total Decisions by outcome.",
        ] {
            assert!(text.contains(line), "missing {line}\n{text}");
        }
        assert!(!text.contains(".."), "one period after a help text\n{text}");
    }

    #[test]
    fn events_are_counted() {
        let m = Metrics::new();
        m.sign_in::<()>(&Ok(()));
        m.sign_in::<()>(&Err(AuthError::Throttled(30)));
        m.sign_in::<()>(&Err(AuthError::InvalidCredentials));
        m.http_request("/v1/authorize", "POST", 200, Duration::from_micros(90));
        m.http_request("unmatched", "GET", 404, Duration::from_micros(5));
        m.decision(true, false, Duration::from_micros(30));
        m.decision(false, true, Duration::from_millis(2));
        m.rejected(Rejection::ALL[0]);
        m.policy_reload(Ok(7));
        m.decision_log_written.inc_by(3);
        crate::alarm::raise("metrics_test", "a test invariant");
        let text = m.encode();
        for line in [
            "warden_logins_total{result=\"ok\"} 1",
            "warden_logins_total{result=\"throttled\"} 1",
            "warden_logins_total{result=\"failed\"} 1",
            "warden_http_requests_total{route=\"/v1/authorize\",method=\"POST\",status=\"200\"} 1",
            "warden_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1",
            "warden_http_request_duration_seconds_bucket{route=\"/v1/authorize\",le=\"0.0001\"} 1",
            "warden_decisions_total{decision=\"allow\"} 1",
            "warden_decisions_total{decision=\"deny\"} 1",
            "warden_decision_errors_total 1",
            "warden_decision_duration_seconds_count 2",
            "warden_decision_duration_seconds_bucket{le=\"0.0025\"} 2",
            "warden_policy_reloads_total{result=\"ok\"} 1",
            "warden_policies_loaded 7",
            "warden_decision_log_written_total 3",
            "warden_invariant_failures_total{kind=\"metrics_test\"} 1",
        ] {
            assert!(text.contains(line), "missing {line}\n{text}");
        }
        let reason = Rejection::ALL[0].code();
        assert!(text.contains(&format!(
            "warden_token_rejections_total{{reason=\"{reason}\"}} 1"
        )));
    }
}
