//! The end user's address: where a sign-in (or a token exchange) comes from.
//!
//! Attack answered: the sign-in throttle keys on the client's address. Behind a reverse proxy
//! or an app server (Next.js's CredentialsProvider posts every user's sign-in from the app's
//! own address), every user shares one address, so twenty wrong passwords from anyone lock
//! everyone out, the real administrator included. Forwarding headers cannot simply be
//! believed either: anyone can send `X-Forwarded-For: <a fresh address>` with each guess and
//! never be throttled. So:
//!
//! - `Forwarded` (RFC 7239) or, without it, `X-Forwarded-For` is read only when the TCP peer is
//!   in `trusted_proxies` (empty by default). The hops are walked right to left, skipping
//!   trusted proxies: the first untrusted hop is the client (the left part of the list is
//!   whatever the client sent, so it is never believed). A hop that does not parse stops the
//!   walk and the peer is used (a misconfigured proxy must not hand out fresh budgets).
//! - A service client vouches for its users' addresses: with a valid key in
//!   [`CLIENT_KEY_HEADER`], the address in [`CLIENT_IP_HEADER`] is the end user's. Without a
//!   valid key that header is ignored (a wrong key is 401, so a misconfigured app is told).
//!   What the client vouched for is charged to the client's own budget too
//!   (`login_max_failures_per_client`), so a flooding app server is stopped as a whole.

use super::error::ApiError;
use super::AppState;
use crate::accounts::Origin;
use crate::api::ErrorCode;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The header in which a service client sends its key when it vouches for an address.
pub const CLIENT_KEY_HEADER: &str = "x-warden-client-key";
/// The header in which a service client sends the end user's address.
pub const CLIENT_IP_HEADER: &str = "x-warden-client-ip";

impl FromRequestParts<AppState> for Origin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .ok_or_else(|| ApiError::internal("the connection's address is unknown"))?;
        let address = client_address(peer, &parts.headers, &state.proxies);
        // A service route's gate verified the caller's key already (AuthZEN, introspection).
        let gated = parts
            .extensions
            .get::<crate::app::ClientRow>()
            .map(|c| c.id.clone());
        if let Some(client) = gated {
            return Ok(Origin {
                address: vouched(&parts.headers)?.unwrap_or(address),
                client: Some(client),
            });
        }
        let Some(key) = header(&parts.headers, CLIENT_KEY_HEADER) else {
            return Ok(Origin {
                address,
                client: None,
            });
        };
        let client = state.resolver.client(key).await?.ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidClient,
                format!("{CLIENT_KEY_HEADER}: unknown or revoked client key"),
            )
        })?;
        Ok(Origin {
            address: vouched(&parts.headers)?.unwrap_or(address),
            client: Some(client.id),
        })
    }
}

/// The caller's address for the decision log: the [`Origin`]'s, or empty when the router is
/// served without connection information (embedded in another server, driven by a test's
/// `oneshot`): a decision does not depend on it, so its absence does not refuse one. A bad
/// client key or vouched address is still refused, as for [`Origin`].
pub struct CallerAddress(pub String);

impl FromRequestParts<AppState> for CallerAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if parts.extensions.get::<ConnectInfo<SocketAddr>>().is_none() {
            return Ok(CallerAddress(String::new()));
        }
        let origin = Origin::from_request_parts(parts, state).await?;
        Ok(CallerAddress(origin.address.to_string()))
    }
}

/// The address a verified service client vouches for, if it sends one.
fn vouched(headers: &HeaderMap) -> Result<Option<IpAddr>, ApiError> {
    header(headers, CLIENT_IP_HEADER)
        .map(|text| {
            parse_hop(text).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "{CLIENT_IP_HEADER}: {:?} is not an IP address",
                    text.chars().take(64).collect::<String>()
                ))
            })
        })
        .transpose()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The client's address: the peer, or, when the peer is a trusted proxy, the first untrusted
/// hop of its forwarding header read right to left.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, proxies: &[IpNet]) -> IpAddr {
    let trusted = |ip: &IpAddr| proxies.iter().any(|net| net.contains(&canonical(*ip)));
    if !trusted(&peer) {
        return peer;
    }
    let hops: Vec<Option<IpAddr>> = if headers.contains_key("forwarded") {
        headers
            .get_all("forwarded")
            .iter()
            .flat_map(|v| v.to_str().unwrap_or("\u{0}").split(','))
            .map(forwarded_for)
            .collect()
    } else {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .flat_map(|v| v.to_str().unwrap_or("\u{0}").split(','))
            .map(parse_hop)
            .collect()
    };
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop {
            Some(ip) if trusted(ip) => client = *ip,
            Some(ip) => return canonical(*ip),
            None => {
                tracing::warn!(%peer, "a trusted proxy sent a forwarding hop that does not parse");
                return peer;
            }
        }
    }
    canonical(client)
}

/// The `for=` of one element of a `Forwarded` header (RFC 7239 section 4).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| parse_hop(value))
            .flatten()
    })
}

/// One hop: an address, possibly quoted, bracketed (`[2001:db8::1]`) or with a port
/// (`192.0.2.1:4711`, `"[2001:db8::1]:4711"`).
fn parse_hop(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Some(rest) = text.strip_prefix('[') {
        let (inner, _) = rest.split_once(']')?;
        return inner.parse::<IpAddr>().ok().map(canonical);
    }
    text.parse::<SocketAddr>().ok().map(|s| canonical(s.ip()))
}

/// An IPv4 address mapped into IPv6 (`::ffff:192.0.2.1`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let spoofed = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            client_address(ip("198.51.100.7"), &spoofed, &[]),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_address(ip("198.51.100.7"), &spoofed, &nets(&["10.0.0.0/8"])),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_address(ip("10.1.2.3"), &spoofed, &nets(&["10.0.0.0/8"])),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn hops_are_read_right_to_left_past_trusted_proxies_only() {
        let proxies = nets(&["10.0.0.0/8", "::1/128"]);
        // The client wrote the first entry itself; the proxy appended the real peer.
        let h = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.9, 10.0.0.5")]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &h, &proxies),
            ip("203.0.113.9")
        );
        let h = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(client_address(ip("::1"), &h, &proxies), ip("203.0.113.9"));
        let h = headers(&[(
            "forwarded",
            "for=1.1.1.1, for=\"[2001:db8:cafe::17]:4711\";proto=https, for=10.0.0.9",
        )]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &h, &proxies),
            ip("2001:db8:cafe::17")
        );
        let h = headers(&[("forwarded", "for=192.0.2.60:8080;by=10.0.0.1")]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &h, &proxies),
            ip("192.0.2.60")
        );
        // Every hop trusted: the leftmost one.
        let h = headers(&[("x-forwarded-for", "10.9.9.9, 10.0.0.5")]);
        assert_eq!(client_address(ip("10.0.0.1"), &h, &proxies), ip("10.9.9.9"));
    }

    #[test]
    fn a_hop_that_does_not_parse_falls_back_to_the_peer() {
        let proxies = nets(&["10.0.0.0/8"]);
        for bad in ["unknown", "_hidden", "not an address, 203.0.113.9 x"] {
            let h = headers(&[("x-forwarded-for", bad)]);
            assert_eq!(
                client_address(ip("10.0.0.1"), &h, &proxies),
                ip("10.0.0.1"),
                "{bad}"
            );
        }
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(client_address(ip("10.0.0.1"), &h, &proxies), ip("10.0.0.1"));
        // A mapped IPv4 peer is the IPv4 address, trusted by an IPv4 range.
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            client_address(ip("::ffff:10.0.0.1"), &h, &proxies),
            ip("203.0.113.9")
        );
    }
}
