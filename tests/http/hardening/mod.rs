//! Regression tests for the attacks of the hardening round (issue 11): each failed on the
//! code before its fix.

use crate::common::*;
use crate::decisions::wait_for;
use serde_json::json;
use std::sync::Arc;
use warden::clock::ManualClock;

mod accounts;
mod connections;
mod durability;
mod throttle;

fn wrong(app: &TestApp, email: &str) -> Reply {
    app.post(
        "/v1/auth/login",
        &json!({"email": email, "password": "wrong password!!"}),
        None,
    )
}

/// The real binary serving a fresh directory, with extra environment and an optional
/// open-file limit; returns the child, its address and the rest of its standard error.
pub struct Served {
    pub child: std::process::Child,
    pub addr: String,
    pub dir: tempfile::TempDir,
    pub stderr: std::sync::mpsc::Receiver<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve_binary(env: &[(&str, &str)], nofile: Option<u64>) -> Served {
    serve_binary_in(tempfile::TempDir::new().unwrap(), env, nofile)
}

pub fn serve_binary_in(
    dir: tempfile::TempDir,
    env: &[(&str, &str)],
    nofile: Option<u64>,
) -> Served {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_warden"));
    cmd.current_dir(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("WARDEN_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    if let Some(limit) = nofile {
        use std::os::unix::process::CommandExt;
        // SAFETY: only setrlimit (async-signal-safe) runs between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                let l = libc::rlimit {
                    rlim_cur: limit,
                    rlim_max: limit,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &l) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)).map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let addr = loop {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the server prints its address");
        if let Some(rest) = line.strip_prefix("warden listening on http://") {
            break rest.to_string();
        }
    };
    Served {
        child,
        addr,
        dir,
        stderr: rx,
    }
}

fn kill9(served: &mut Served) {
    let status = std::process::Command::new("kill")
        .args(["-KILL", &served.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = served.child.wait();
}

fn restart(mut served: Served) -> Served {
    kill9(&mut served);
    let dir = tempfile::TempDir::new().unwrap();
    // Move the directory's contents over (the old TempDir is removed on drop).
    for entry in std::fs::read_dir(served.dir.path()).unwrap() {
        let entry = entry.unwrap();
        std::fs::rename(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    drop(served);
    serve_binary_in(dir, &[], None)
}

fn http() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .into()
}
