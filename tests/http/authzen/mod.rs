//! OpenID AuthZEN Authorization API 1.0.

use crate::common::*;
use serde_json::{json, Value};

mod clients;
mod evaluation;
mod interop;
mod search;

struct Pdp {
    app: TestApp,
    key: String,
}

fn pdp() -> Pdp {
    let app = spawn_app();
    let (_, key) = block(app.state.app.store().create_client("tests", None)).unwrap();
    Pdp { app, key }
}

impl Pdp {
    fn call(&self, path: &str, body: &Value) -> Reply {
        self.call_with(path, body, &[])
    }

    fn call_with(&self, path: &str, body: &Value, extra: &[(&str, &str)]) -> Reply {
        let auth = format!("Bearer {}", self.key);
        let mut headers = vec![("Authorization", auth.as_str())];
        headers.extend_from_slice(extra);
        self.app.post_raw(
            path,
            Some("application/json"),
            body.to_string().as_bytes(),
            &headers,
        )
    }
}

fn eval(subject: &str, action: &str) -> Value {
    json!({
        "subject": {"type": "user", "id": subject},
        "action": {"name": action},
        "resource": {"type": "UserResource", "id": "r1"}
    })
}
