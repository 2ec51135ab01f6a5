//! The sinks against real receivers: a tiny HTTP server on 127.0.0.1:0 (std::net) that
//! decodes each batch, and a file in a temp dir.

use super::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::sync::Mutex;
use std::time::Instant;

/// What the receiver got: each batch as decoded JSON, with whether it came gzipped.
#[derive(Default)]
struct Received {
    batches: Mutex<Vec<(Value, bool)>>,
}

impl Received {
    fn entries(&self) -> Vec<Value> {
        let batches = self.batches.lock().unwrap();
        batches
            .iter()
            .flat_map(|(b, _)| b.as_array().cloned().unwrap_or_default())
            .collect()
    }
}

/// Serve on `listener`: every POST's body (gunzipped when so marked) is kept, 200 answered.
fn receive(listener: TcpListener) -> Arc<Received> {
    let got = Arc::new(Received::default());
    let kept = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let kept = kept.clone();
            std::thread::spawn(move || serve_one(stream, &kept));
        }
    });
    got
}

fn serve_one(stream: TcpStream, got: &Received) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    loop {
        let mut length = 0usize;
        let mut gzipped = false;
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            let header = line.trim().to_ascii_lowercase();
            if header.is_empty() {
                break;
            }
            if let Some(v) = header.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            if header == "content-encoding: gzip" {
                gzipped = true;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        if gzipped {
            let mut plain = Vec::new();
            flate2::read::GzDecoder::new(&body[..])
                .read_to_end(&mut plain)
                .unwrap();
            body = plain;
        }
        let batch: Value = serde_json::from_slice(&body).unwrap();
        got.batches.lock().unwrap().push((batch, gzipped));
        let mut out = stream.try_clone().unwrap();
        out.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            .unwrap();
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn lines(from: usize, to: usize) -> Arc<[String]> {
    (from..to)
        .map(|n| json!({"n": n, "pad": "x".repeat(40)}).to_string())
        .collect()
}

fn quick(batch_bytes: usize, buffer_bytes: usize) -> HttpOptions {
    HttpOptions {
        batch_bytes,
        batch_age: Duration::from_millis(50),
        buffer_bytes,
        gzip: true,
        retry_min: Duration::from_millis(50),
        retry_max: Duration::from_millis(200),
        timeout: Duration::from_secs(5),
    }
}

fn counter(metrics: &SinkMetrics, family: &str, log: &str, sink: &str) -> u64 {
    let labels = vec![
        ("log".to_string(), log.to_string()),
        ("sink".into(), sink.into()),
    ];
    match family {
        "sent" => metrics.sent.get_or_create(&labels).get(),
        _ => metrics.dropped.get_or_create(&labels).get(),
    }
}

#[test]
fn batches_arrive_gzipped_in_order_and_within_the_size() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/logs", listener.local_addr().unwrap());
    let got = receive(listener);
    let metrics = SinkMetrics::default();
    let sinks = Sinks::start("decision", &[url], &quick(1024, 1 << 20), &metrics).unwrap();
    sinks.send(lines(0, 50));
    sinks.send(lines(50, 100));
    wait_until("100 entries", || got.entries().len() == 100);
    let numbers: Vec<u64> = got
        .entries()
        .iter()
        .map(|e| e["n"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, (0..100).collect::<Vec<u64>>());
    let batches = got.batches.lock().unwrap();
    assert!(batches.len() >= 5, "1 KiB batches: {}", batches.len());
    for (batch, gzipped) in batches.iter() {
        assert!(gzipped);
        assert!(
            batch.to_string().len() <= 1024,
            "{}",
            batch.to_string().len()
        );
    }
    drop(batches);
    assert_eq!(counter(&metrics, "sent", "decision", "http"), 100);
    assert_eq!(counter(&metrics, "dropped", "decision", "http"), 0);
}

#[test]
fn a_receiver_down_then_up_gets_the_batches_retried() {
    // A port with nobody on it: connections are refused until the receiver comes up.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/logs");
    let metrics = SinkMetrics::default();
    let mut options = quick(64 * 1024, 1 << 20);
    options.gzip = false;
    let sinks = Sinks::start("audit", &[url], &options, &metrics).unwrap();
    sinks.send(lines(0, 10));
    // Several tries fail meanwhile (50, 100, 200, 200 ms...).
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(counter(&metrics, "sent", "audit", "http"), 0);
    sinks.send(lines(10, 20));
    let got = receive(TcpListener::bind(("127.0.0.1", port)).unwrap());
    wait_until("the retried batches", || got.entries().len() == 20);
    let numbers: Vec<u64> = got
        .entries()
        .iter()
        .map(|e| e["n"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, (0..20).collect::<Vec<u64>>(), "oldest first");
    assert!(got.batches.lock().unwrap().iter().all(|(_, gz)| !gz));
    assert_eq!(counter(&metrics, "sent", "audit", "http"), 20);
    assert_eq!(counter(&metrics, "dropped", "audit", "http"), 0);
}

#[test]
fn while_the_receiver_is_down_the_oldest_batches_are_dropped_and_counted() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/logs");
    let metrics = SinkMetrics::default();
    // Entries are ~60 bytes: a batch holds ~8 (before gzip); the buffer a few batches.
    let mut options = quick(512, 1024);
    options.gzip = false;
    let sinks = Sinks::start("decision", &[url], &options, &metrics).unwrap();
    for n in 0..10 {
        sinks.send(lines(n * 20, n * 20 + 20));
    }
    wait_until("drops counted", || {
        counter(&metrics, "dropped", "decision", "http") > 100
    });
    let got = receive(TcpListener::bind(("127.0.0.1", port)).unwrap());
    let dropped = || counter(&metrics, "dropped", "decision", "http");
    let sent = || counter(&metrics, "sent", "decision", "http");
    wait_until("the rest sent", || dropped() + sent() == 200);
    let numbers: Vec<u64> = got
        .entries()
        .iter()
        .map(|e| e["n"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers.len() as u64, sent());
    assert!(sent() > 0 && sent() <= 20, "bounded: {} sent", sent());
    // What survived is the newest, in order.
    assert_eq!(numbers.last(), Some(&199));
    assert!(numbers.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn a_file_sink_appends_json_lines_readable_only_by_its_owner() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("decisions.jsonl");
    std::fs::write(&path, "{\"earlier\":true}\n").unwrap();
    let metrics = SinkMetrics::default();
    let target = format!("file:{}", path.display());
    let sinks = Sinks::start("decision", &[target], &HttpOptions::default(), &metrics).unwrap();
    sinks.send(lines(0, 3));
    wait_until("3 lines", || {
        counter(&metrics, "sent", "decision", "file") == 3
    });
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(parsed.len(), 4);
    assert_eq!(parsed[3]["n"], 2);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let fresh = dir.path().join("audit.jsonl");
        Sinks::start(
            "audit",
            &[format!("file:{}", fresh.display())],
            &HttpOptions::default(),
            &metrics,
        )
        .unwrap();
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn bad_sinks_are_refused_with_the_reason() {
    assert_eq!(Target::parse("stdout"), Ok(Target::Stdout));
    assert_eq!(
        Target::parse("https://siem.example/in"),
        Ok(Target::Http("https://siem.example/in".into()))
    );
    assert!(Target::parse("syslog")
        .unwrap_err()
        .contains("stdout, file:PATH"));
    assert!(Target::parse("file:").unwrap_err().contains("needs a path"));
    assert!(Target::parse("https://").unwrap_err().contains("no host"));
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("file:{}/no/such/dir/x.jsonl", dir.path().display());
    let metrics = SinkMetrics::default();
    let err = Sinks::start("decision", &[missing], &HttpOptions::default(), &metrics)
        .err()
        .unwrap();
    assert!(err.contains("No such file"), "{err}");
}

#[tokio::test]
async fn a_flush_sends_what_is_still_gathering() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let got = receive(listener);
    let metrics = SinkMetrics::default();
    let mut options = quick(1 << 20, 1 << 22);
    options.batch_age = Duration::from_secs(3600);
    let sinks = Sinks::start("decision", &[url], &options, &metrics).unwrap();
    sinks.send(lines(0, 5));
    sinks.flush(Duration::from_secs(10)).await;
    assert_eq!(got.entries().len(), 5);
}

/// A receiver's credentials in a sink URL (user information, a query token) never reach the
/// log lines about failed uploads.
#[test]
fn a_sink_url_is_logged_without_its_credentials() {
    use super::http::shown_url;
    assert_eq!(
        shown_url("https://user:secret@logs.example.com:8443/v1/batch?token=abc#x"),
        "https://logs.example.com:8443/v1/batch"
    );
    assert_eq!(shown_url("http://127.0.0.1:9/"), "http://127.0.0.1:9/");
    assert_eq!(shown_url("http://h?k=v"), "http://h");
}
