//! `warden health`: probe a running server, for container health checks (a distroless or
//! slim image has no curl): exit 0 when `/healthz` (or `/readyz` with `--ready`) answers
//! 200, else 1 with the reason on standard error.

use super::exit::ExitStatus;
use super::output::Out;
use crate::config::Config;
use anyhow::{bail, Context as _, Result};
use serde_json::json;
use std::time::Duration;

pub(super) fn run(
    config: &Config,
    url: Option<&str>,
    ready: bool,
    timeout: u64,
    out: &Out,
) -> Result<ExitStatus> {
    let base = match url {
        Some(u) => u.trim_end_matches('/').to_string(),
        None => format!("http://{}", probe_address(&config.listen)),
    };
    let url = format!("{base}/{}", if ready { "readyz" } else { "healthz" });
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(timeout.max(1))))
        .build()
        .into();
    let response = agent
        .get(&url)
        .call()
        .with_context(|| format!("{url}: no answer"))?;
    let status = response.status().as_u16();
    let body = response.into_body().read_to_string().unwrap_or_default();
    if status != 200 {
        bail!("{url}: {status} {}", body.trim());
    }
    out.emit(json!({"url": url, "status": status}), || {
        format!("{url}: ok")
    });
    Ok(ExitStatus::Success)
}

/// Where to reach a server listening on `listen`: a wildcard address (`0.0.0.0:8080`, as in
/// a container, or `[::]:8080`) is reached on loopback.
fn probe_address(listen: &str) -> String {
    match listen.parse::<std::net::SocketAddr>() {
        Ok(addr) if addr.ip().is_unspecified() => {
            let loopback: std::net::IpAddr = if addr.is_ipv4() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            };
            std::net::SocketAddr::new(loopback, addr.port()).to_string()
        }
        _ => listen.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_listen_address_is_probed_on_loopback() {
        assert_eq!(probe_address("0.0.0.0:8080"), "127.0.0.1:8080");
        assert_eq!(probe_address("[::]:9000"), "[::1]:9000");
        assert_eq!(probe_address("10.1.2.3:8080"), "10.1.2.3:8080");
        assert_eq!(probe_address("warden:8080"), "warden:8080");
    }
}
