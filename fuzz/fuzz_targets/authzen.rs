//! AuthZEN 1.0 bodies through warden's real router with a real client key, deciding against
//! the shipped policies over a directory of `admin`, `alice` (USER), `root` (ADMIN) and
//! `gone` (ADMIN, disabled).
//!
//! Input, by its first byte: `E` evaluations, `A` action search, `S` subject search (the rest
//! is the body); anything else is a whole `/access/v1/evaluation` body.
//!
//! Every answer is 200 or a 4xx `{"error","message"}`; items are booleans; the disabled user
//! is never allowed anything and never found by a subject search.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use warden_fuzz::{check_answer, world};

fuzz_target!(|data: &[u8]| {
    let w = world();
    let key = format!("Bearer {}", w.client_key);
    let (path, body) = match data.split_first() {
        Some((b'E', rest)) => ("/access/v1/evaluations", rest),
        Some((b'A', rest)) => ("/access/v1/search/action", rest),
        Some((b'S', rest)) => ("/access/v1/search/subject", rest),
        _ => ("/access/v1/evaluation", data),
    };
    let (status, answer) = w.post(path, &key, body);
    check_answer(path, status, &answer);
    if !status.is_success() {
        return;
    }
    let request: Value = serde_json::from_slice(body).expect("a 200 answer to a body that is JSON");
    match path {
        "/access/v1/evaluation" => check_item(&request["subject"], &answer),
        "/access/v1/evaluations" => match answer.get("evaluations") {
            Some(Value::Array(items)) => {
                let asked = request["evaluations"].as_array().expect("evaluations");
                assert!(items.len() <= asked.len(), "more answers than questions");
                for (entry, item) in asked.iter().zip(items) {
                    let subject = entry.get("subject").unwrap_or(&request["subject"]);
                    check_item(subject, item);
                }
            }
            _ => check_item(&request["subject"], &answer),
        },
        "/access/v1/search/subject" => {
            for found in answer["results"].as_array().expect("results") {
                assert_ne!(found["id"], "gone", "a disabled user was found: {answer}");
            }
            assert!(answer["page"]["next_token"].is_string(), "{answer}");
        }
        _ => {
            let results = answer["results"].as_array().expect("results");
            if is_gone(&request["subject"]) {
                assert!(results.is_empty(), "a disabled user may act: {answer}");
            }
            assert!(answer["page"]["next_token"].is_string(), "{answer}");
        }
    }
});

/// Whether a subject names the disabled user (by id or email; lookups may fold case).
fn is_gone(subject: &Value) -> bool {
    subject["id"].as_str().is_some_and(|id| {
        id.eq_ignore_ascii_case("gone") || id.eq_ignore_ascii_case("gone@example.com")
    })
}

fn check_item(subject: &Value, item: &Value) {
    let decision = item["decision"]
        .as_bool()
        .unwrap_or_else(|| panic!("an item without a boolean decision: {item}"));
    if decision {
        assert!(!is_gone(subject), "the disabled user was allowed: {item}");
    }
}
