//! `warden keys`: list the signing keys, rotate to a new one.

use super::exit::ExitStatus;
use super::output::Out;
use super::setup::{block, cli_app, CLI};
use super::KeysCmd;
use crate::config::Config;
use crate::util::rfc3339;
use anyhow::Result;

pub(super) fn run(cmd: &KeysCmd, config: &Config, out: &Out) -> Result<ExitStatus> {
    let app = cli_app(config, false)?;
    if let KeysCmd::Rotate = cmd {
        let kid = block(app.rotate_key(&CLI))??;
        if !out.json {
            println!(
                "new signing key {kid}; the previous key keeps verifying until its tokens expire"
            );
        }
    }
    let all = block(app.list_keys())??;
    out.emit(serde_json::to_value(&all)?, || {
        let mut s = format!("{:<18} {:<6} {:<22} STATUS\n", "KID", "ALG", "CREATED");
        for k in &all {
            let status = match k.retired_at {
                Some(at) => format!("retired {}", rfc3339(at)),
                None => "active".into(),
            };
            s.push_str(&format!(
                "{:<18} {:<6} {:<22} {}\n",
                k.kid,
                k.alg,
                rfc3339(k.created_at),
                status
            ));
        }
        s
    });
    Ok(ExitStatus::Success)
}
