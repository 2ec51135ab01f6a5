//! The checks that refuse a configuration that cannot work or would be unsafe, each with
//! the reason it exists.

use super::{Config, ConfigError, JwtAlgorithm, EXCHANGE_ALGORITHMS};

impl Config {
    /// Refuse settings that cannot work or would be unsafe.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.jwt_algorithm == JwtAlgorithm::Hs256 {
            match &self.jwt_secret {
                Some(s) if s.len() >= 32 => {}
                // RFC 7518 section 3.2: an HS256 key must be at least as long as the hash.
                _ => {
                    return Err(ConfigError::Invalid(
                        "jwt_algorithm HS256 needs jwt_secret (or WARDEN_JWT_SECRET) of at least 32 bytes".into(),
                    ))
                }
            }
        }
        let positive = [
            ("access_token_ttl", self.access_token_ttl),
            ("refresh_absolute_ttl", self.refresh_absolute_ttl),
            ("refresh_idle_ttl", self.refresh_idle_ttl),
        ];
        for (name, v) in positive {
            if v <= 0 {
                return Err(ConfigError::Invalid(format!("{name} must be positive")));
            }
        }
        if self.refresh_grace < 0 {
            return Err(ConfigError::Invalid(
                "refresh_grace must be 0 (off) or more seconds".into(),
            ));
        }
        let nonzero = [
            ("header_timeout", self.header_timeout),
            ("body_timeout", self.body_timeout),
            ("request_timeout", self.request_timeout),
            ("search_scan_limit", self.search_scan_limit as u64),
            ("login_window", self.login_window),
        ];
        for (name, v) in nonzero {
            if v == 0 {
                return Err(ConfigError::Invalid(format!("{name} must be at least 1")));
            }
        }
        if self.min_password_length == 0 || self.min_password_length > 1024 {
            return Err(ConfigError::Invalid(
                "min_password_length must be 1 to 1024".into(),
            ));
        }
        match &self.operations_key {
            Some(key) if key.len() < 32 => {
                return Err(ConfigError::Invalid(
                    "operations_key (or WARDEN_OPERATIONS_KEY) must be at least 32 bytes".into(),
                ))
            }
            None if self.metrics_require_key => {
                return Err(ConfigError::Invalid(
                    "metrics_require_key needs operations_key (or WARDEN_OPERATIONS_KEY) for the scraper to present".into(),
                ))
            }
            _ => {}
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log_level) {
            return Err(ConfigError::Invalid(format!(
                "log_level {:?} is not a level or filter (warn, info, debug, \
                 warn,warden::access=info): {e}",
                self.log_level
            )));
        }
        // An orchestrator kills a pod that outstays its grace period (30 s by default in
        // Kubernetes); a drain longer than 10 minutes is a typo for milliseconds.
        if self.drain_seconds > 600 {
            return Err(ConfigError::Invalid(
                "drain_seconds must be 0 (off) to 600".into(),
            ));
        }
        self.check_exchange()?;
        self.check_log_sinks()?;
        self.proxies()?;
        if !(1..=128).contains(&self.ipv6_prefix) {
            return Err(ConfigError::Invalid(
                "ipv6_prefix must be 1 to 128 (64: one budget per /64)".into(),
            ));
        }
        Ok(())
    }

    /// The log sinks and masking rules: a sink that cannot be parsed, or a masking rule
    /// that names nothing that is logged, is refused at start-up rather than leaving a
    /// field that the operator meant to hide unmasked.
    fn check_log_sinks(&self) -> Result<(), ConfigError> {
        let invalid = |key: &str, reason: String| ConfigError::Invalid(format!("{key}: {reason}"));
        for (key, targets) in [
            ("decision_log_sinks", &self.decision_log_sinks),
            ("audit_log_sinks", &self.audit_log_sinks),
        ] {
            for target in targets {
                crate::sinks::Target::parse(target).map_err(|r| invalid(key, r))?;
            }
        }
        crate::sinks::Mask::parse(&self.decision_log_mask, &crate::sinks::DECISION_MASK_ROOTS)
            .map_err(|r| invalid("decision_log_mask", r))?;
        crate::sinks::Mask::parse(&self.audit_log_mask, &crate::sinks::AUDIT_MASK_ROOTS)
            .map_err(|r| invalid("audit_log_mask", r))?;
        if self.log_sink_batch_bytes == 0 || self.log_sink_batch_seconds == 0 {
            return Err(ConfigError::Invalid(
                "log_sink_batch_bytes and log_sink_batch_seconds must be at least 1".into(),
            ));
        }
        if self.log_sink_buffer_bytes < self.log_sink_batch_bytes {
            return Err(ConfigError::Invalid(
                "log_sink_buffer_bytes must hold at least one batch (log_sink_batch_bytes)".into(),
            ));
        }
        Ok(())
    }

    /// `trusted_proxies`, parsed: a bare address is a range of one.
    pub fn proxies(&self) -> Result<Vec<ipnet::IpNet>, ConfigError> {
        self.trusted_proxies
            .iter()
            .map(|text| {
                let text = text.trim();
                text.parse::<ipnet::IpNet>()
                    .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        ConfigError::Invalid(format!(
                            "trusted_proxies: {text:?} is not an address or a CIDR range such as 10.0.0.0/8"
                        ))
                    })
            })
            .collect()
    }

    fn check_exchange(&self) -> Result<(), ConfigError> {
        if self.exchange_max_token_age == 0 {
            return Err(ConfigError::Invalid(
                "exchange_max_token_age must be at least 1 second".into(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (n, t) in self.exchange_issuers.iter().enumerate() {
            let at = format!("exchange_issuers[{n}]");
            if !seen.insert(t.issuer.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "{at}: issuer {} is listed twice",
                    t.issuer
                )));
            }
            if !issuer_url_is_safe(&t.issuer) {
                return Err(ConfigError::Invalid(format!(
                    "{at}: issuer must be an https URL (http only on a loopback address), got {:?}",
                    t.issuer
                )));
            }
            if t.audience.trim().is_empty() {
                return Err(ConfigError::Invalid(format!(
                    "{at}: audience (the app's client id at the provider) is required"
                )));
            }
            if t.algorithms.is_empty() {
                return Err(ConfigError::Invalid(format!(
                    "{at}: algorithms must name at least one"
                )));
            }
            for alg in &t.algorithms {
                if !EXCHANGE_ALGORITHMS.contains(&alg.as_str()) {
                    return Err(ConfigError::Invalid(format!(
                        "{at}: algorithm {alg:?} is not accepted; choose from {}",
                        EXCHANGE_ALGORITHMS.join(", ")
                    )));
                }
            }
        }
        Ok(())
    }
}

/// An issuer URL warden may fetch discovery and keys from: `https`, or plain `http` only on
/// a loopback address (a key fetched over plain HTTP from elsewhere could be swapped by
/// anyone on the path, and every token "verified" with it forged).
pub fn issuer_url_is_safe(url: &str) -> bool {
    if url.contains(char::is_whitespace) || url.contains('#') || url.contains('?') {
        return false;
    }
    if let Some(rest) = url.strip_prefix("https://") {
        return !rest.is_empty() && !rest.starts_with('/');
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or("");
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    matches!(host, "127.0.0.1" | "[::1]" | "localhost")
}
