//! The admin API: every route, 403 for non-admins, delegation by policy, audit rows.

use crate::common::*;
use serde_json::{json, Value};

mod changes;
mod directory;
mod policies;
mod publishing;

fn ok(r: Reply) -> Value {
    assert!(
        r.status == 200 || r.status == 201,
        "{}: {}",
        r.status,
        r.text
    );
    r.json()
}
