//! The standard `process_*` series (the names Prometheus' own client libraries use, so
//! existing dashboards and alerts work), read from `/proc/self` at scrape time: resident
//! memory, CPU seconds, open and maximum file descriptors, start time. Where `/proc` is not
//! there (not Linux), the series are left out rather than served as zeros.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;

/// The collector of the `process_*` series.
#[derive(Debug)]
pub(super) struct Process;

/// What `/proc/self` says about this process.
#[derive(Debug, Default, PartialEq)]
struct Sample {
    cpu_seconds: f64,
    resident_bytes: f64,
    virtual_bytes: f64,
    start_time_seconds: f64,
    open_fds: f64,
    max_fds: f64,
}

impl Collector for Process {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let Some(s) = sample() else {
            return Ok(());
        };
        let counter = |encoder: &mut DescriptorEncoder, name: &str, help: &str, v: f64| {
            let metric = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
            ConstCounter::new(v).encode(metric)
        };
        let gauge = |encoder: &mut DescriptorEncoder, name: &str, help: &str, v: f64| {
            let metric = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
            ConstGauge::new(v).encode(metric)
        };
        counter(
            &mut encoder,
            "process_cpu_seconds",
            "Total user and system CPU time spent in seconds",
            s.cpu_seconds,
        )?;
        gauge(
            &mut encoder,
            "process_resident_memory_bytes",
            "Resident memory size in bytes",
            s.resident_bytes,
        )?;
        gauge(
            &mut encoder,
            "process_virtual_memory_bytes",
            "Virtual memory size in bytes",
            s.virtual_bytes,
        )?;
        gauge(
            &mut encoder,
            "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds",
            s.start_time_seconds,
        )?;
        gauge(
            &mut encoder,
            "process_open_fds",
            "Number of open file descriptors",
            s.open_fds,
        )?;
        gauge(
            &mut encoder,
            "process_max_fds",
            "Maximum number of open file descriptors",
            s.max_fds,
        )
    }
}

/// A sample of `/proc/self`, or `None` where it cannot be read.
fn sample() -> Option<Sample> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let boot_time = std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("btime ")?.trim().parse::<f64>().ok())
        })
        .unwrap_or(0.0);
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let open_fds = std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count() as f64)
        .unwrap_or(0.0);
    // SAFETY: sysconf reads two constants of the system; no memory is touched.
    let (ticks, page) = unsafe {
        (
            libc::sysconf(libc::_SC_CLK_TCK),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    parse(
        &stat,
        &limits,
        boot_time,
        open_fds,
        ticks as f64,
        page as f64,
    )
}

/// The sample from the texts of `/proc/self/stat` and `/proc/self/limits`.
fn parse(
    stat: &str,
    limits: &str,
    boot_time: f64,
    open_fds: f64,
    ticks_per_second: f64,
    page_bytes: f64,
) -> Option<Sample> {
    // The command name (field 2) is in parentheses and may hold spaces and parentheses:
    // the fields are counted from after its last `)`, where field 3 (state) begins.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // proc(5): utime 14, stime 15, starttime 22, vsize 23, rss 24 (1-based, whole line).
    let field = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<f64>().ok());
    if ticks_per_second <= 0.0 {
        return None;
    }
    let max_fds = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    Some(Sample {
        cpu_seconds: (field(14)? + field(15)?) / ticks_per_second,
        start_time_seconds: boot_time + field(22)? / ticks_per_second,
        virtual_bytes: field(23)?,
        resident_bytes: field(24)? * page_bytes,
        open_fds,
        max_fds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_stat_is_read_past_a_command_name_with_spaces_and_parentheses() {
        let stat = "4242 (war den) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 \
                    9 0 1000 123456789 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17";
        let limits = "Limit                     Soft Limit           Hard Limit           Units\n\
                      Max open files            1024                 524288               files\n";
        let s = parse(stat, limits, 1_700_000_000.0, 12.0, 100.0, 4096.0).unwrap();
        assert_eq!(
            s,
            Sample {
                cpu_seconds: 3.0,
                resident_bytes: 300.0 * 4096.0,
                virtual_bytes: 123456789.0,
                start_time_seconds: 1_700_000_010.0,
                open_fds: 12.0,
                max_fds: 1024.0,
            }
        );
        assert!(parse("garbage", "", 0.0, 0.0, 100.0, 4096.0).is_none());
        // This process, where there is a /proc.
        if std::path::Path::new("/proc/self/stat").exists() {
            let me = sample().unwrap();
            assert!(me.resident_bytes > 0.0 && me.open_fds > 0.0 && me.max_fds > 0.0);
        }
    }
}
