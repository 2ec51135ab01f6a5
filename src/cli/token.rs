//! `warden token revoke`: one access token by id, or every token and session of a user.

use super::exit::{invalid_request, ExitStatus};
use super::output::Out;
use super::setup::{block, cli_app, CLI};
use super::TokenCmd;
use crate::config::Config;
use anyhow::Result;
use serde_json::json;

pub(super) fn run(cmd: &TokenCmd, config: &Config, out: &Out) -> Result<ExitStatus> {
    let app = cli_app(config, false)?;
    let TokenCmd::Revoke { jti, user } = cmd;
    if let Some(jti) = jti {
        // warden does not record the tokens it issues (they are checked by signature), so it
        // cannot tell a live id from a typo; it can refuse what it never issues.
        if jti.len() != 32 || !jti.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid_request(format!("{jti:?} is not an access-token id: warden's are 32 hexadecimal characters (the token's jti claim)")));
        }
        block(app.revoke_token(&CLI, jti))??;
        out.emit(json!({"revoked_jti": jti}), || {
            format!("revoked token {jti}: refused from now on until it would have expired")
        });
    } else if let Some(user) = user {
        block(app.revoke_user_tokens(&CLI, user))??;
        out.emit(json!({"revoked_user": user}), || {
            format!("revoked every token and session of {user}")
        });
    }
    Ok(ExitStatus::Success)
}
