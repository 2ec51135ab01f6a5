//! How a command ends: its exit status, and how a failure is reported (one line of text, or
//! one JSON object with `--json`).
//!
//! The statuses follow `cedar`'s CLI (its `CedarExitCode`): scripts tell allow, deny and
//! failure apart without reading the output. 2 has two meanings, as with `cedar`: a deny of
//! `decide`, and clap's usage error for every other command. So that a script never takes a
//! mistyped `decide` for a deny, `decide`'s usage errors are failures (1).

use crate::accounts::AuthError;
use crate::app::{AppError, OpenError, StoreError, TokenPrincipalError};
use crate::config::ConfigError;
use std::process::ExitCode;

/// The exit status of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done (`decide`: allowed; `decide --plan`: some resource may be allowed).
    Success,
    /// 1: a failure, with its reason on standard error; also a check that found problems
    /// (`policy check`, `policy fmt --check`, `policy test`).
    Failure,
    /// 2: `decide` denied (also for a deny caused by an evaluation error: fail closed), or
    /// `decide --plan` found that no resource is allowed.
    Deny,
    /// 2: clap did not understand the command line (its usage error), for every command but
    /// `decide`, where 2 means a deny.
    Usage,
}

impl ExitStatus {
    /// The number the process exits with.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Deny | ExitStatus::Usage => 2,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status.code())
    }
}

/// A failure the command line finds itself (a malformed `--resource`, a `--since` that is
/// not a time), or a library error it words its own way, with the code `--json` reports.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(super) struct CliError {
    code: &'static str,
    reason: Option<crate::refusal::Reason>,
    message: String,
}

/// A failure with the given code.
pub(super) fn coded(code: &'static str, message: impl Into<String>) -> anyhow::Error {
    CliError {
        code,
        reason: None,
        message: message.into(),
    }
    .into()
}

/// Bad input given on the command line (`invalid_request`).
pub(super) fn invalid_request(message: impl Into<String>) -> anyhow::Error {
    coded("invalid_request", message)
}

/// `error` reworded as `message`, keeping the code of what went wrong. (anyhow's `context`
/// would keep the code too, but print every source of the error after the message, and the
/// one-line reason of these commands is the message alone.)
pub(super) fn reworded(
    error: impl Into<anyhow::Error>,
    message: impl Into<String>,
) -> anyhow::Error {
    let error = error.into();
    CliError {
        code: error_code(&error),
        reason: error_reason(&error),
        message: message.into(),
    }
    .into()
}

/// The stable code of a failure, for `{"error": code, "message": text}`: that of the first
/// error in the chain whose type says what went wrong, else `failure`.
pub(super) fn error_code(e: &anyhow::Error) -> &'static str {
    for cause in e.chain() {
        if let Some(e) = cause.downcast_ref::<CliError>() {
            return e.code;
        }
        if let Some(e) = cause.downcast_ref::<AppError>() {
            return app_error_code(e);
        }
        if let Some(e) = cause.downcast_ref::<TokenPrincipalError>() {
            return match e {
                TokenPrincipalError::Refused(why, _) => why.code(),
                TokenPrincipalError::App(e) => app_error_code(e),
            };
        }
        if let Some(e) = cause.downcast_ref::<StoreError>() {
            return store_error_code(e);
        }
        if let Some(e) = cause.downcast_ref::<OpenError>() {
            return match e {
                OpenError::Config(_) | OpenError::Issuer(_) => "config",
                OpenError::Store(e) => store_error_code(e),
                OpenError::Policies(_) => "policy_error",
                OpenError::Auth(e) => auth_error_code(e),
                OpenError::Tokens(_) | OpenError::Bootstrap(_) => "failure",
            };
        }
        if cause.is::<ConfigError>() {
            return "config";
        }
        if cause.is::<crate::engine::LoadError>() {
            return "policy_error";
        }
        if let Some(e) = cause.downcast_ref::<AuthError>() {
            return auth_error_code(e);
        }
    }
    "failure"
}

/// The code of the core's error (the HTTP API's codes where they exist, with
/// `invalid_request` for its `invalid_request`).
fn app_error_code(e: &AppError) -> &'static str {
    match e {
        AppError::Invalid(_) => "invalid_request",
        AppError::Conflict(_) => "conflict",
        AppError::Forbidden(_) => "forbidden",
        AppError::Escalation { .. } => "escalation_refused",
        AppError::Reload(_) => "policy_error",
        AppError::Policy { refusal, .. } => refusal.code(),
        AppError::Store(e) => store_error_code(e),
        AppError::Auth(e) => auth_error_code(e),
        AppError::Tokens(_) => "failure",
    }
}

fn store_error_code(e: &StoreError) -> &'static str {
    match e {
        StoreError::NotFound { .. } => "not_found",
        StoreError::Conflict(_) => "conflict",
        StoreError::Invalid(_) => "invalid_request",
        // The database itself: missing, not warden's, or from a newer warden.
        StoreError::Missing { .. }
        | StoreError::Unreadable { .. }
        | StoreError::NewerVersion { .. } => "database",
        StoreError::Backend(_) | StoreError::Poisoned | StoreError::Unavailable => "unavailable",
    }
}

fn auth_error_code(e: &AuthError) -> &'static str {
    match e {
        AuthError::BadRequest(_) | AuthError::ExchangeRefused(_) => "invalid_request",
        AuthError::Store(e) => store_error_code(e),
        _ => "failure",
    }
}

/// The specific kind of a refused change (`email_taken`, `role_in_use`, ...), as the HTTP
/// API's `reason` says it.
pub(super) fn error_reason(e: &anyhow::Error) -> Option<crate::refusal::Reason> {
    e.chain().find_map(|cause| {
        if let Some(e) = cause.downcast_ref::<CliError>() {
            return e.reason;
        }
        if let Some(e) = cause.downcast_ref::<AppError>() {
            return e.reason();
        }
        match cause.downcast_ref::<StoreError>()? {
            StoreError::Conflict(c) => Some(c.reason()),
            StoreError::Invalid(i) => Some(i.reason()),
            _ => None,
        }
    })
}

/// Report a failed command on standard error: `error: <reason>` on one line, or with
/// `--json` one line `{"error": code, "reason": kind, "message": text}` (`reason` only
/// where the error has a specific kind) (standard output is for results,
/// in both forms, so a script reading it never mistakes an error for one).
pub(super) fn report_failure(e: &anyhow::Error, json: bool) {
    let reason = format!("{e:#}").replace('\n', " ");
    if json {
        let mut answer = serde_json::json!({"error": error_code(e), "message": reason});
        if let Some(kind) = error_reason(e) {
            answer["reason"] = serde_json::json!(kind);
        }
        eprintln!("{answer}");
    } else {
        eprintln!("error: {reason}");
    }
}

/// A command line clap refused, or its help or version: printed, and the status to exit
/// with. Without `--json` clap's own message; with it, clap's reason on one JSON line.
pub(super) fn refused_command_line(e: &clap::Error) -> ExitStatus {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitStatus::Success;
    }
    let meant = Meant::read(&std::env::args_os().collect::<Vec<_>>());
    if meant.json {
        eprintln!(
            "{}",
            serde_json::json!({"error": "usage", "message": usage_reason(e)})
        );
    } else {
        let _ = e.print();
    }
    if meant.command.as_deref() == Some("decide") {
        ExitStatus::Failure
    } else {
        ExitStatus::Usage
    }
}

/// What a refused command line meant: the command, as far as clap can still read the line,
/// and whether `--json` was given. clap's error does not say which command it comes from, so
/// the line is read again by the same grammar, this time not stopping at the mistake.
/// `--json` is looked for as a word, since clap stops reading at some mistakes (an unknown
/// subcommand) before reaching it; as a flag without a value or a short form, and with no
/// option taking values that start with `-`, the word is never anything else.
#[derive(Debug, Default, PartialEq)]
struct Meant {
    command: Option<String>,
    json: bool,
}

impl Meant {
    fn read(args: &[std::ffi::OsString]) -> Meant {
        use clap::CommandFactory as _;
        let json = args
            .iter()
            .skip(1)
            .take_while(|a| *a != "--")
            .any(|a| a == "--json");
        let command = super::Cli::command()
            .ignore_errors(true)
            .try_get_matches_from(args)
            .ok()
            .and_then(|m| m.subcommand_name().map(str::to_string));
        Meant { command, json }
    }
}

/// clap's message in one line, without its `error: ` prefix, the usage and the pointer to
/// `--help`.
fn usage_reason(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let reason = text.split("\nUsage:").next().unwrap_or(&text);
    let reason = reason.trim().trim_start_matches("error:").trim();
    reason.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meant(args: &[&str]) -> Meant {
        let args: Vec<std::ffi::OsString> = std::iter::once("warden")
            .chain(args.iter().copied())
            .map(Into::into)
            .collect();
        Meant::read(&args)
    }

    #[test]
    fn a_refused_command_line_is_still_read_for_its_command_and_json() {
        assert_eq!(
            meant(&["decide", "--action", "a"]),
            Meant {
                command: Some("decide".into()),
                json: false
            }
        );
        // A global option's value is not taken for the command.
        let m = meant(&["--db", "decide", "user", "frobnicate", "--json"]);
        assert_eq!(m.command.as_deref(), Some("user"));
        assert!(m.json);
        let m = meant(&["--json", "decide", "--bogus"]);
        assert_eq!(m.command.as_deref(), Some("decide"));
        assert!(m.json);
        assert_eq!(
            meant(&["token", "revoke"]).command.as_deref(),
            Some("token")
        );
        // After `--`, a word is an operand.
        assert!(!meant(&["policy", "check", "--", "--json"]).json);
    }

    #[test]
    fn statuses_keep_their_numbers() {
        let codes = [
            ExitStatus::Success,
            ExitStatus::Failure,
            ExitStatus::Deny,
            ExitStatus::Usage,
        ]
        .map(ExitStatus::code);
        assert_eq!(codes, [0, 1, 2, 2]);
    }

    #[test]
    fn errors_are_coded_by_their_type_through_context_and_rewording() {
        let taken = crate::app::Conflict::EmailTaken {
            email: "a@example.com".into(),
        };
        let e: anyhow::Error = AppError::Store(StoreError::Conflict(taken)).into();
        assert_eq!(error_code(&e), "conflict");
        assert_eq!(error_reason(&e), Some(crate::refusal::Reason::EmailTaken));
        // Reworded, the kind stays.
        let e = reworded(e, "another way to say it");
        assert_eq!(
            (error_code(&e), error_reason(&e)),
            ("conflict", Some(crate::refusal::Reason::EmailTaken))
        );
        let e = anyhow::Error::from(StoreError::Missing {
            path: "w.db".into(),
        })
        .context("x");
        assert_eq!(error_code(&e), "database");
        let e = reworded(AppError::Invalid("bad".into()), "plan: bad");
        assert_eq!(
            (error_code(&e), e.to_string().as_str()),
            ("invalid_request", "plan: bad")
        );
        assert_eq!(error_code(&invalid_request("no")), "invalid_request");
        assert_eq!(
            error_code(&ConfigError::Invalid("x".into()).into()),
            "config"
        );
        assert_eq!(error_code(&anyhow::anyhow!("something")), "failure");
    }
}
