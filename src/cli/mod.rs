//! The command line: clap definitions mapped onto library calls. The contract (command names,
//! flags, `--json`, exit status) is in DESIGN.md; scripts and tests rely on it.
//!
//! [`args`] holds the grammar. Each command's glue is in the file named after it (`user`,
//! `role`, `session`, `decide`, ...), over what every command shares: `setup` (the
//! configuration, the runtime, the application core), `output` (text or `--json`) and
//! [`exit`] (the exit status a command ends with, and how a failure is reported).

mod args;
mod audit;
mod client;
mod config;
mod db;
mod decide;
mod decisions;
mod exit;
mod init;
mod keys;
mod output;
mod policy;
mod publish;
mod report;
mod role;
mod serve;
mod session;
mod setup;
mod token;
mod user;

pub use args::*;
pub use exit::ExitStatus;

use anyhow::{Context as _, Result};
use clap::Parser as _;
use output::Out;
use std::process::ExitCode;

/// Run the command line: the command's exit status, or a failure reported in one line on
/// standard error (JSON with `--json`) and exit status 1.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => return exit::refused_command_line(&e).into(),
    };
    init_tracing();
    if !matches!(cli.command, Command::Serve { .. } | Command::Tui { .. }) {
        // A command whose output is piped into `head` stops quietly when the reader goes,
        // as Unix tools do, instead of panicking on a broken pipe. (Not for the server: its
        // sockets must get EPIPE errors, never the signal.)
        // SAFETY: restoring the default disposition of one signal before any thread starts.
        #[cfg(unix)]
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let json = cli.json;
    match run(cli) {
        Ok(status) => status.into(),
        Err(e) => {
            exit::report_failure(&e, json);
            ExitStatus::Failure.into()
        }
    }
}

/// One command, to the status it ends with.
fn run(cli: Cli) -> Result<ExitStatus> {
    let out = Out { json: cli.json };
    if let Command::Config(ConfigCmd::Keys) = &cli.command {
        // Describes the configuration without reading it: it helps most when it is broken.
        return config::keys(&out);
    }
    let config = setup::config(&cli)?;
    match &cli.command {
        // `--listen` is the last layer of `config` already.
        Command::Serve { print_config, .. } => serve::run(config, *print_config, &out),
        Command::Init => init::run(&config, &out),
        Command::User(cmd) => user::run(cmd, &config, &out),
        Command::Role(cmd) => role::run(cmd, &config, &out),
        Command::Session(cmd) => session::run(cmd, &config, &out),
        Command::Token(cmd) => token::run(cmd, &config, &out),
        Command::Client(cmd) => client::run(cmd, &config, &out),
        Command::Keys(cmd) => keys::run(cmd, &config, &out),
        Command::Db(cmd) => db::run(cmd, &config, &out),
        Command::Policy(cmd) => policy::run(cmd, &config, &out),
        Command::Decide(args) => decide::run(args, &config, &out),
        Command::Audit(args) => audit::run(args, &config, &out),
        Command::Replicas => db::replicas(&config, &out),
        Command::Decisions(args) => decisions::run(args, &config, &out),
        Command::Openapi => {
            let document = crate::server::openapi::document(&config);
            println!("{}", serde_json::to_string_pretty(&document)?);
            Ok(ExitStatus::Success)
        }
        Command::Tui { url, read_only } => {
            let url = url
                .clone()
                .unwrap_or_else(|| format!("http://{}", config.listen));
            crate::tui::run(&url, *read_only).context("terminal error")?;
            Ok(ExitStatus::Success)
        }
        Command::Config(ConfigCmd::Keys) => config::keys(&out),
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("WARDEN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
