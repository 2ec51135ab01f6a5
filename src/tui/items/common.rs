//! What the list views' own keys share: a confirmation, a change and an escaped path
//! segment.

use crate::tui::modal::Confirm;
use crate::tui::msg::{Request, What};
use crate::tui::view::Effect;
use serde_json::Value;

/// Ask before sending `request`.
pub fn confirm(prompt: String, warning: Option<String>, request: Request) -> Vec<Effect> {
    vec![Effect::Confirm(Confirm {
        prompt,
        warning,
        request,
    })]
}

/// A change whose message is `done` either way.
pub fn send(method: &'static str, path: String, body: Option<Value>, done: String) -> Request {
    Request::Send {
        method,
        path,
        body,
        what: What::Change(done),
    }
}

/// Path segments are escaped: ids come from the server but may hold any character.
pub fn seg(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').replace('+', "%20"))
        .unwrap_or_default()
}
