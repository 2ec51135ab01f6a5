//! `warden session`: list, revoke.

use super::exit::ExitStatus;
use super::output::Out;
use super::setup::{block, cli_app, CLI};
use super::SessionCmd;
use crate::config::Config;
use crate::util::rfc3339;
use anyhow::Result;

/// The most sessions the core lists (the newest; the store caps `list_sessions` there and
/// offers no next page), so a listing this long may have left some out.
const SESSION_LIST_CAP: usize = 1000;

pub(super) fn run(cmd: &SessionCmd, config: &Config, out: &Out) -> Result<ExitStatus> {
    let app = cli_app(config, false)?;
    match cmd {
        SessionCmd::List { user, active } => {
            let sessions = block(app.list_sessions(user.as_deref(), *active))??;
            if let Some(note) = cap_note(sessions.len(), SESSION_LIST_CAP, user.is_some(), *active)
            {
                eprintln!("{note}");
            }
            let now = app.now();
            out.emit(serde_json::to_value(&sessions)?, || {
                let mut s = format!(
                    "{:<34} {:<20} {:<22} {:<22} STATUS\n",
                    "SESSION", "USER", "CREATED", "LAST USED"
                );
                for x in &sessions {
                    let status = match &x.revoked_reason {
                        Some(r) => format!("revoked ({r})"),
                        None if x.expires_at <= now => "expired".into(),
                        None => "active".into(),
                    };
                    s.push_str(&format!(
                        "{:<34} {:<20} {:<22} {:<22} {}\n",
                        x.id,
                        x.user_id,
                        rfc3339(x.created_at),
                        rfc3339(x.last_used_at),
                        status
                    ));
                }
                s
            });
        }
        SessionCmd::Revoke { sid } => {
            let s = block(app.revoke_session(&CLI, sid))??;
            out.emit(serde_json::to_value(&s)?, || {
                format!("revoked session {sid}")
            });
        }
    }
    Ok(ExitStatus::Success)
}

/// The note for standard error when a listing came back as long as the core's cap: the
/// listing may be cut, and the filters that would narrow it.
fn cap_note(shown: usize, cap: usize, by_user: bool, active: bool) -> Option<String> {
    if shown < cap {
        return None;
    }
    let narrow = match (by_user, active) {
        (false, false) => "; narrow it with --user ID or --active",
        (false, true) => "; narrow it with --user ID",
        (true, false) => "; narrow it with --active",
        (true, true) => "",
    };
    Some(format!(
        "note: only the {cap} newest sessions are listed; there may be more{narrow}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_as_long_as_the_cap_says_it_may_be_cut() {
        assert_eq!(cap_note(999, 1000, false, false), None);
        assert_eq!(
            cap_note(1000, 1000, false, false).as_deref(),
            Some("note: only the 1000 newest sessions are listed; there may be more; narrow it with --user ID or --active")
        );
        assert_eq!(
            cap_note(3, 3, true, true).as_deref(),
            Some("note: only the 3 newest sessions are listed; there may be more")
        );
    }
}
