//! `POST /v1/authorize` and `/v1/authorize/batch` bodies, through warden's real router
//! (extractors, token resolution, the engine with the shipped policies, the decision log),
//! as alice, who holds role USER only.
//!
//! Input: a body for `/v1/authorize`; with a leading `B`, the rest is a body for
//! `/v1/authorize/batch`.
//!
//! Every answer is 200 or a 4xx `{"error","message"}`; an allow has a determining policy and
//! no error; and alice is never allowed `deleteUserResource` (only ADMIN is), whatever the
//! resource, properties or context.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use warden_fuzz::{check_answer, world};

fuzz_target!(|data: &[u8]| {
    let w = world();
    let bearer = format!("Bearer {}", w.alice_token);
    let (path, body) = match data.split_first() {
        Some((b'B', rest)) => ("/v1/authorize/batch", rest),
        _ => ("/v1/authorize", data),
    };
    let (status, answer) = w.post(path, &bearer, body);
    check_answer(path, status, &answer);
    if !status.is_success() {
        return;
    }
    let request: Value = serde_json::from_slice(body).expect("a 200 answer to a body that is JSON");
    if path == "/v1/authorize" {
        check_decision(&request, &answer);
    } else {
        let items = request["items"].as_array().expect("items");
        let results = answer["results"].as_array().expect("results");
        assert_eq!(items.len(), results.len(), "one result per item");
        for (item, result) in items.iter().zip(results) {
            check_decision(item, result);
        }
    }
});

fn check_decision(request: &Value, answer: &Value) {
    let allowed = answer["allowed"].as_bool().expect("allowed is a bool");
    let word = answer["decision"].as_str().expect("decision is a string");
    assert_eq!(word, if allowed { "allow" } else { "deny" }, "{answer}");
    if !allowed {
        return;
    }
    assert!(
        answer["errors"].as_array().is_some_and(Vec::is_empty),
        "allowed despite errors: {answer}"
    );
    assert!(
        answer["reasons"].as_array().is_some_and(|r| !r.is_empty()),
        "allowed without a determining policy: {answer}"
    );
    assert_ne!(
        request["action"].as_str(),
        Some("deleteUserResource"),
        "a USER was allowed deleteUserResource: {request} -> {answer}"
    );
}
