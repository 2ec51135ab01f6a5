//! Sign-in, refresh rotation, logout, revocation, introspection, throttling.

use crate::common::*;
use serde_json::json;

mod sessions;
mod token_endpoints;
