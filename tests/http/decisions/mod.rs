//! `/v1/authorize`, batches, live revocation across processes, the decision log, metrics,
//! and the OpenAPI document against the router.

use crate::common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

mod answers;
mod changes;
mod log;
mod names;
mod sinks;

fn delete_r1() -> Value {
    json!({"action": "deleteUserResource", "resource": {"type": "UserResource", "id": "r1"}})
}

fn authorize(app: &TestApp, token: &str, body: &Value) -> Reply {
    app.post("/v1/authorize", body, Some(token))
}

pub fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
