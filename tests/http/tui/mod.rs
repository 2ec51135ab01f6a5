//! The TUI's update loop driven against a real server (the worker's jobs run inline, in
//! order), and the real binary in tmux.

use crate::common::*;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;
use std::process::Command;
use std::time::{Duration, Instant};
use warden::tui::app::{App, Screen};
use warden::tui::client::Client;
use warden::tui::modal::Modal;
use warden::tui::msg::{Event, Request, ViewId};
use warden::tui::view::Phase;
use warden::tui::worker::run;

mod console;
mod terminal;
mod versions;

fn tmux(socket: &str, args: &[&str]) -> std::process::Output {
    Command::new("tmux")
        .arg("-L")
        .arg(socket)
        .args(args)
        .output()
        .expect("tmux is needed for this test (apt-get install tmux)")
}

fn screen(socket: &str) -> String {
    String::from_utf8_lossy(&tmux(socket, &["capture-pane", "-p", "-t", "tui"]).stdout).to_string()
}
