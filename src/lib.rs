//! warden: an authorization service and library.
//!
//! warden signs people in, issues short-lived JWT access tokens with rotating refresh tokens, and
//! answers "may this principal do this action on this resource?" by evaluating Cedar policies.
//!
//! Layers (data flows one way): the edges ([`server`], [`cli`], [`embed`], [`guard`]) call the
//! application core ([`app`]) and the services ([`accounts`], [`identity`]), which call the
//! [`engine`] (pure Cedar), [`tokens`] and the [`store`] (the async storage seam; SQLite).
//! The console ([`tui`]) speaks only the wire types of [`api`] over HTTP.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod accounts;
pub mod admin_action;
pub mod alarm;
pub mod api;
pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod embed;
pub mod engine;
pub mod entity_ref;
pub mod guard;
pub mod identity;
#[cfg(test)]
mod layout_tests;
pub mod metrics;
pub mod model;
pub mod plan;
pub mod policytest;
pub mod publishing;
pub mod refusal;
pub mod server;
pub mod sinks;
pub mod store;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod tokens;
pub mod tui;
pub mod util;
