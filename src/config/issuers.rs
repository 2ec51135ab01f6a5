//! Trusted identity providers (`trusted_issuers`): whose ID tokens are exchanged for warden
//! sessions, and how a person is linked.

use serde::{Deserialize, Serialize};

/// An identity provider whose ID tokens are exchanged for warden sessions.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TrustedIssuer {
    /// The `iss` of its tokens, exactly; its discovery document is at
    /// `<issuer>/.well-known/openid-configuration` and must name the same issuer. `https`,
    /// or `http` on a loopback address only (tests, a local provider).
    pub issuer: String,
    /// The `aud` its tokens must carry: the app's client id at that provider.
    pub audience: String,
    /// The signing algorithms accepted from it (RFC 7518 names; never `none` or HS*).
    #[serde(default = "default_exchange_algorithms")]
    pub algorithms: Vec<String>,
    /// How a person seen for the first time is linked to a warden user: `email` (an existing
    /// user whose email the provider verified, `email_verified: true`) or `sub` (no automatic
    /// linking: only a link an admin made, or a user created by `create_users`). Either way
    /// the link is `(issuer, sub)`, and every later exchange finds the user by it alone; the
    /// provider's `sub` is never a warden user id.
    #[serde(default)]
    pub link_claim: LinkClaim,
    /// Create the warden user on a first exchange (else an unknown person is refused).
    #[serde(default)]
    pub create_users: bool,
    /// The roles of a user created by the exchange.
    #[serde(default)]
    pub default_roles: Vec<String>,
}

fn default_exchange_algorithms() -> Vec<String> {
    vec!["RS256".into()]
}

/// How the first exchange of a person links them to a warden user (later ones find the
/// user by `(issuer, sub)` only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkClaim {
    /// The existing user with the verified `email` (`email_verified` must be true), unless
    /// that user is linked to another subject of the same issuer already.
    #[default]
    Email,
    /// By the `sub` alone: only a link an admin made (`POST /admin/v1/users/{id}/identities`)
    /// or a user the exchange creates (`create_users`). Never a warden user id: a provider
    /// subject `admin` is not the user `admin` (issue 25).
    Sub,
}

/// The asymmetric algorithms an exchanged ID token may use. `none` and the HS* family are
/// never accepted: an HMAC "verified" with a public key is the classic key-confusion forgery
/// (RFC 8725 section 2.1 and 3.1), and an identity provider's secret is not ours to hold.
pub const EXCHANGE_ALGORITHMS: [&str; 9] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
];
