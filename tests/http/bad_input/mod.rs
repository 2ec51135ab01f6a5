//! Issue 11, defects 10, 11 and 13: bad input is refused (400 naming the field), every
//! error answer is JSON, and the operational endpoints tell strangers nothing but "ready".

use crate::common::{block, spawn_app, TestApp};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;

mod errors;
mod fields;

fn request(method: &str, target: &str, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut r = Vec::new();
    r.extend_from_slice(method.as_bytes());
    r.push(b' ');
    r.extend_from_slice(target.as_bytes());
    r.extend_from_slice(b" HTTP/1.1\r\nHost: warden.test\r\nConnection: close\r\n");
    for (k, v) in headers {
        r.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
        r.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    r.extend_from_slice(b"\r\n");
    r.extend_from_slice(body);
    r
}
