//! Integration tests over real HTTP: one test binary, one module per area.

#[path = "common/mod.rs"]
mod common;

#[path = "http/access.rs"]
mod access;
#[path = "http/admin/mod.rs"]
mod admin;
#[path = "http/app_core.rs"]
mod app_core;
#[path = "http/auth/mod.rs"]
mod auth;
#[path = "http/authzen/mod.rs"]
mod authzen;
#[path = "http/bad_input/mod.rs"]
mod bad_input;
#[path = "http/dashboard.rs"]
mod dashboard;
#[path = "http/decisions/mod.rs"]
mod decisions;
#[path = "http/delegation.rs"]
mod delegation;
#[path = "http/embed.rs"]
mod embed;
#[path = "http/exchange/mod.rs"]
mod exchange;
#[path = "http/hardening/mod.rs"]
mod hardening;
#[path = "http/identifiers.rs"]
mod identifiers;
#[path = "http/ops.rs"]
mod ops;
#[path = "http/plan_sql.rs"]
mod plan_sql;
#[path = "http/plans.rs"]
mod plans;
#[path = "http/publishing.rs"]
mod publishing;
#[path = "http/replicas/mod.rs"]
mod replicas;
#[path = "http/tokens.rs"]
mod tokens;
#[path = "http/topology.rs"]
mod topology;
#[path = "http/tui/mod.rs"]
mod tui;
