//! `warden user`: add, list, show, set-roles, disable, enable, passwd, unlock, identities,
//! unlink.

use super::exit::{invalid_request, ExitStatus};
use super::output::Out;
use super::setup::{block, cli_app, CLI};
use super::UserCmd;
use crate::app::{UserChange, UserInput, UserRow};
use crate::config::Config;
use crate::util::rfc3339;
use anyhow::{Context as _, Result};
use serde_json::{json, Value};
use std::io::{BufRead, IsTerminal};

/// Users asked of the core at once by `user list` (the most it gives per call).
const USER_PAGE: i64 = 1000;

pub(super) fn run(cmd: &UserCmd, config: &Config, out: &Out) -> Result<ExitStatus> {
    let guard = matches!(cmd, UserCmd::SetRoles { .. } | UserCmd::Disable { .. });
    let app = cli_app(config, guard)?;
    let user = match cmd {
        UserCmd::Add {
            email,
            id,
            name,
            roles,
            password_stdin,
        } => {
            let password = if *password_stdin {
                Some(read_password_stdin()?)
            } else {
                None
            };
            let has_password = password.is_some();
            let input = UserInput {
                id: id.clone(),
                email: email.clone(),
                name: name.clone(),
                roles: roles.clone(),
                password,
            };
            let user = block(app.create_user(&CLI, input))??;
            if !has_password {
                eprintln!(
                    "note: {} has no password and cannot sign in until one is set: warden user passwd {}",
                    user.id, user.id
                );
            }
            user
        }
        UserCmd::List { filter } => {
            let users = all_pages(USER_PAGE, |limit, offset| {
                Ok(block(app.list_users(filter.as_deref(), limit, offset))??)
            })?;
            out.emit(serde_json::to_value(&users)?, || {
                let mut s = format!(
                    "{:<20} {:<32} {:<20} {:<20} STATUS\n",
                    "ID", "EMAIL", "NAME", "ROLES"
                );
                for u in &users {
                    s.push_str(&user_line(u));
                    s.push('\n');
                }
                s
            });
            return Ok(ExitStatus::Success);
        }
        UserCmd::Show { id } => {
            let user = block(app.user(id))??;
            out.emit(serde_json::to_value(&user)?, || user_details(&user));
            return Ok(ExitStatus::Success);
        }
        UserCmd::SetRoles { id, roles } => {
            // The roles before, read for the message only (issue 32: the row alone did not
            // say what changed).
            let before = block(app.user(id))??.roles;
            let user = block(app.set_roles(&CLI, id, roles))??;
            let line = format!(
                "roles of {}: {} -> {}",
                user.id,
                role_list(&before),
                role_list(&user.roles)
            );
            emit_done(out, &user, json!({"roles_before": before}), line)?;
            return Ok(ExitStatus::Success);
        }
        UserCmd::Disable { id } => {
            let change = UserChange {
                disabled: Some(true),
                ..UserChange::default()
            };
            block(app.update_user(&CLI, id, change))??
        }
        UserCmd::Enable { id } => {
            let change = UserChange {
                disabled: Some(false),
                ..UserChange::default()
            };
            block(app.update_user(&CLI, id, change))??
        }
        UserCmd::Unlock { id } => {
            let cleared = block(app.unlock_user(&CLI, id))??;
            let user = block(app.user(id))??;
            let line = match cleared {
                0 => format!("unlocked {} (it was not locked)", user.id),
                n => format!("unlocked {}: {n} sign-in throttle(s) cleared", user.id),
            };
            emit_done(out, &user, json!({"throttles_cleared": cleared}), line)?;
            return Ok(ExitStatus::Success);
        }
        UserCmd::Identities { id } => {
            let links = block(app.list_identities(id))??;
            out.emit(serde_json::to_value(&links)?, || {
                let mut s = format!("{:<40} {:<32} LINKED\n", "ISSUER", "SUBJECT");
                for l in &links {
                    s.push_str(&format!(
                        "{:<40} {:<32} {}\n",
                        l.issuer,
                        l.subject,
                        rfc3339(l.created_at)
                    ));
                }
                s
            });
            return Ok(ExitStatus::Success);
        }
        UserCmd::Unlink {
            id,
            issuer,
            subject,
        } => {
            let removed = block(app.unlink_identity(&CLI, id, issuer, subject))??;
            out.emit(serde_json::to_value(&removed)?, || {
                format!(
                    "unlinked {} {} from {}",
                    removed.issuer, removed.subject, id
                )
            });
            return Ok(ExitStatus::Success);
        }
        UserCmd::Passwd { id, password_stdin } => {
            block(app.user(id))??;
            let p = if !*password_stdin && std::io::stdin().is_terminal() {
                prompt_new_password(id)?
            } else {
                read_password_stdin()?
            };
            let reset = block(app.reset_password(&CLI, id, p))??;
            let user = block(app.user(id))??;
            let ended = reset.sessions_ended;
            let line = format!(
                "password set for {}; {ended} session{} ended",
                user.id,
                if ended == 1 { "" } else { "s" }
            );
            emit_done(out, &user, json!({"sessions_ended": ended}), line)?;
            return Ok(ExitStatus::Success);
        }
    };
    out.emit(serde_json::to_value(&user)?, || user_line(&user));
    Ok(ExitStatus::Success)
}

/// Every row of a listing the core hands out a page at a time (`fetch(limit, offset)`):
/// pages of `page` rows until a short one. A listing must not stop at a page size without a
/// word: a script would take the first page for everything. (Offsets, so a user created or
/// removed while the pages are read may be missed or shown twice; the list is a snapshot of
/// a moment only on an idle database.)
fn all_pages<T>(page: i64, mut fetch: impl FnMut(i64, i64) -> Result<Vec<T>>) -> Result<Vec<T>> {
    let mut rows = Vec::new();
    loop {
        let got = fetch(page, rows.len() as i64)?;
        let full = got.len() as i64 >= page;
        rows.extend(got);
        if !full {
            return Ok(rows);
        }
    }
}

fn read_password_stdin() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    if password.is_empty() {
        return Err(invalid_request("no password on standard input"));
    }
    Ok(password.to_string())
}

/// A new password asked at the terminal without echo, twice (a typo would lock the user out).
fn prompt_new_password(id: &str) -> Result<String> {
    let first = rpassword::prompt_password(format!("New password for {id}: "))
        .context("cannot read the password from the terminal")?;
    if first.is_empty() {
        return Err(invalid_request("no password given; nothing changed"));
    }
    let again = rpassword::prompt_password("Repeat it: ")
        .context("cannot read the password from the terminal")?;
    if first != again {
        return Err(invalid_request("the two passwords differ; nothing changed"));
    }
    Ok(first)
}

/// What a change did, said in one line; with `--json`, the user row as before plus `extra`
/// (additive: scripts reading the row keep working).
fn emit_done(out: &Out, user: &UserRow, extra: Value, line: String) -> Result<()> {
    let mut value = serde_json::to_value(user)?;
    if let (Value::Object(row), Value::Object(extra)) = (&mut value, extra) {
        row.extend(extra);
    }
    out.emit(value, || line);
    Ok(())
}

fn role_list(roles: &[String]) -> String {
    if roles.is_empty() {
        "(none)".into()
    } else {
        roles.join(", ")
    }
}

fn user_line(u: &UserRow) -> String {
    format!(
        "{:<20} {:<32} {:<20} {:<20} {}",
        u.id,
        u.email,
        u.name,
        u.roles.join(","),
        if u.disabled { "disabled" } else { "active" }
    )
}

fn user_details(u: &UserRow) -> String {
    let tokens_valid_after = if u.tokens_valid_after > 0 {
        rfc3339(u.tokens_valid_after)
    } else {
        "-".into()
    };
    format!(
        "id:         {}\nemail:      {}\nname:       {}\nroles:      {}\nstatus:     {}\ncreated:    {}\ntokens valid after: {tokens_valid_after}",
        u.id,
        u.email,
        u.name,
        u.roles.join(", "),
        if u.disabled { "disabled" } else { "active" },
        rfc3339(u.created_at),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_pages_reads_on_until_a_short_page() {
        let data: Vec<u32> = (0..7).collect();
        let mut calls = Vec::new();
        let rows = all_pages(3, |limit, offset| {
            calls.push((limit, offset));
            let start = (offset as usize).min(data.len());
            let end = (start + limit as usize).min(data.len());
            Ok(data[start..end].to_vec())
        })
        .unwrap();
        assert_eq!(rows, data);
        assert_eq!(calls, [(3, 0), (3, 3), (3, 6)]);
        // A multiple of the page size ends with one empty page.
        let mut calls = 0;
        let rows = all_pages(7, |_, offset| {
            calls += 1;
            Ok(if offset == 0 { data.clone() } else { vec![] })
        })
        .unwrap();
        assert_eq!((rows.len(), calls), (7, 2));
        let none: Vec<u32> = all_pages(3, |_, _| Ok(vec![])).unwrap();
        assert!(none.is_empty());
        // A failing page fails the listing: no partial list passes for the whole.
        let failed = all_pages(3, |_, offset| {
            if offset == 0 {
                Ok(vec![1, 2, 3])
            } else {
                Err(anyhow::anyhow!("database unavailable"))
            }
        });
        assert!(failed.is_err());
    }
}
