//! What each command does: thin glue over the library, printing text or `--json`.

use super::{
    AuditArgs, Cli, ClientCmd, Command, DbCmd, DecideArgs, DecisionsArgs, KeysCmd, PolicyCmd,
    RoleCmd, SessionCmd, TokenCmd, UserCmd,
};
use crate::accounts::bootstrap::Bootstrapped;
use crate::app::{
    Actor, App, AppError, DecisionFilter, DecisionRow, UserChange, UserInput, UserRow,
};
use crate::config::Config;
use crate::engine::{load_dir, parse_action, parse_entity_ref, Engine, Query, Resource};
use crate::util::rfc3339;
use anyhow::{anyhow, bail, Context as _, Result};
use serde_json::{json, Value};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::str::FromStr as _;

struct Out {
    json: bool,
}

impl Out {
    fn emit(&self, value: Value, human: impl FnOnce() -> String) {
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        } else {
            let text = human();
            if !text.is_empty() {
                println!("{}", text.trim_end());
            }
        }
    }
}

/// The configuration: defaults < file < environment < the flags given here.
fn config(cli: &Cli) -> Result<Config> {
    let mut flags = serde_json::Map::new();
    if let Some(db) = &cli.db {
        flags.insert("db".into(), json!(db));
    }
    if let Some(p) = &cli.policies {
        flags.insert("policies".into(), json!(p));
    }
    if let Command::Serve {
        listen: Some(l), ..
    } = &cli.command
    {
        flags.insert("listen".into(), json!(l));
    }
    Ok(Config::load_with_flags(cli.config.as_deref(), flags)?)
}

/// Run one future of the library to its end (a command is one short run; the store's work
/// goes to the runtime's blocking pool). One runtime serves the whole command, so what the
/// store started on it (PostgreSQL's connections) lives as long as the command.
fn block<F: std::future::Future>(f: F) -> Result<F::Output> {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    let runtime = match RUNTIME.get() {
        Some(r) => r,
        None => {
            let built = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            RUNTIME.get_or_init(|| built)
        }
    };
    Ok(runtime.block_on(f))
}

/// The application core over an existing database (see [`App::open_existing`]).
fn cli_app(config: &Config, guard: bool) -> Result<App> {
    block(App::open_existing(config, guard))?.map_err(|e| match e {
        crate::app::OpenError::Policies(e) => anyhow!(
            "cannot check that an administrator remains: cannot load the policies in {} ({e}); pass --policies DIR",
            config.policies.display()
        ),
        other => other.into(),
    })
}

/// The command line as the actor of every change it makes.
const CLI: Actor = Actor::Cli;

pub fn run(cli: Cli) -> Result<ExitCode> {
    let out = Out { json: cli.json };
    let mut config = config(&cli)?;
    match &cli.command {
        // `--listen` is the last layer of `config` already.
        Command::Serve { print_config, .. } => {
            config.check()?;
            if *print_config {
                // Show the issuer that will be used, derived or not.
                config.public_url = config.base_url();
                out.emit(serde_json::to_value(config.masked())?, || {
                    config.to_masked_toml()
                });
                return Ok(ExitCode::SUCCESS);
            }
            shipped_policies(&config)?;
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            runtime.block_on(async move {
                let listener = crate::server::bind(&mut config).await?;
                let (state, boot) = crate::server::AppState::build(config).await?;
                announce(&boot);
                crate::server::serve(state, listener).await
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Init => {
            config.check()?;
            shipped_policies(&config)?;
            let boot = block(App::init(&config))??;
            announce(&boot);
            out.emit(
                json!({"db": config.db, "admin": boot.admin.as_ref().map(|(id, email, pw)| json!({"id": id, "email": email, "password": pw}))}),
                || format!("database ready: {}", config.db.display()),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::User(cmd) => user(cmd, &config, &out),
        Command::Role(cmd) => role(cmd, &config, &out),
        Command::Session(cmd) => session(cmd, &config, &out),
        Command::Token(cmd) => token(cmd, &config, &out),
        Command::Client(cmd) => client(cmd, &config, &out),
        Command::Keys(cmd) => keys(cmd, &config, &out),
        Command::Policy(cmd) => policy(cmd, &config, &out),
        Command::Decide(args) => decide(args, &config, &out),
        Command::Audit(args) => audit(args, &config, &out),
        Command::Replicas => replicas(&config, &out),
        Command::Db(DbCmd::Copy {
            from,
            to,
            with_logs,
        }) => db_copy(from, to, *with_logs, &out),
        Command::Db(DbCmd::SetIssuer { url }) => {
            let app = cli_app(&config, false)?;
            block(app.set_issuer(url))??;
            out.emit(json!({"issuer": url.trim().trim_end_matches('/')}), || {
                format!(
                    "issuer set to {}: start every server with public_url = that URL\n",
                    url.trim().trim_end_matches('/')
                )
            });
            Ok(ExitCode::SUCCESS)
        }
        Command::Decisions(args) => decisions(args, &config, &out),
        Command::Openapi => {
            let document = crate::server::openapi::document(&config);
            println!("{}", serde_json::to_string_pretty(&document)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Tui { url, read_only } => {
            let url = url
                .clone()
                .unwrap_or_else(|| format!("http://{}", config.listen));
            crate::tui::run(&url, *read_only).context("terminal error")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A first start in an empty directory gets the shipped policies to serve and edit.
fn shipped_policies(config: &Config) -> Result<()> {
    let created = crate::engine::create_shipped(&config.policies)
        .with_context(|| format!("cannot create {}", config.policies.display()))?;
    if created {
        eprintln!(
            "created {} with the shipped policies",
            config.policies.display()
        );
    }
    Ok(())
}

fn announce(boot: &Bootstrapped) {
    if let Some((id, email, password)) = &boot.admin {
        match password {
            Some(p) => eprintln!(
                "created bootstrap admin {id} <{email}> with password: {p}\n(shown once; set WARDEN_ADMIN_PASSWORD to choose it)"
            ),
            None => eprintln!("created bootstrap admin {id} <{email}> with the password from WARDEN_ADMIN_PASSWORD"),
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
        bail!("no password on standard input");
    }
    Ok(password.to_string())
}

/// A new password asked at the terminal without echo, twice (a typo would lock the user out).
fn prompt_new_password(id: &str) -> Result<String> {
    let first = rpassword::prompt_password(format!("New password for {id}: "))
        .context("cannot read the password from the terminal")?;
    if first.is_empty() {
        bail!("no password given; nothing changed");
    }
    let again = rpassword::prompt_password("Repeat it: ")
        .context("cannot read the password from the terminal")?;
    if first != again {
        bail!("the two passwords differ; nothing changed");
    }
    Ok(first)
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

fn user(cmd: &UserCmd, config: &Config, out: &Out) -> Result<ExitCode> {
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
            let users = block(app.list_users(filter.as_deref(), 1000, 0))??;
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
            return Ok(ExitCode::SUCCESS);
        }
        UserCmd::Show { id } => {
            let user = block(app.user(id))??;
            out.emit(serde_json::to_value(&user)?, || user_details(&user));
            return Ok(ExitCode::SUCCESS);
        }
        UserCmd::SetRoles { id, roles } => block(app.set_roles(&CLI, id, roles))??,
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
            block(app.unlock_user(&CLI, id))??;
            block(app.user(id))??
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
            return Ok(ExitCode::SUCCESS);
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
            return Ok(ExitCode::SUCCESS);
        }
        UserCmd::Passwd { id, password_stdin } => {
            block(app.user(id))??;
            let p = if !*password_stdin && std::io::stdin().is_terminal() {
                prompt_new_password(id)?
            } else {
                read_password_stdin()?
            };
            block(app.reset_password(&CLI, id, p))??;
            block(app.user(id))??
        }
    };
    out.emit(serde_json::to_value(&user)?, || user_line(&user));
    Ok(ExitCode::SUCCESS)
}

fn role(cmd: &RoleCmd, config: &Config, out: &Out) -> Result<ExitCode> {
    let app = cli_app(config, matches!(cmd, RoleCmd::Remove { .. }))?;
    match cmd {
        RoleCmd::Add { name, parents } => {
            let role = block(app.create_role(&CLI, name, parents))??;
            out.emit(serde_json::to_value(&role)?, || {
                format!("created role {}", role.name)
            });
        }
        RoleCmd::List => {
            let all = block(app.list_roles())??;
            out.emit(serde_json::to_value(&all)?, || {
                let mut s = format!("{:<24} {:<30} USERS\n", "ROLE", "PARENTS");
                for r in &all {
                    s.push_str(&format!(
                        "{:<24} {:<30} {}\n",
                        r.name,
                        r.parents.join(","),
                        r.users
                    ));
                }
                s
            });
        }
        RoleCmd::Remove { name, force } => {
            block(app.remove_role(&CLI, name, *force))?.map_err(|e| match e {
                // The core's message is for every caller; here the way out is a flag.
                // Only a role in use has that way out: `--force` cannot keep an administrator.
                AppError::Store(crate::app::StoreError::Conflict(
                    c @ crate::app::Conflict::RoleInUse { .. },
                )) => {
                    anyhow!("{c}; remove it anyway with `warden role remove {name} --force`")
                }
                other => other.into(),
            })?;
            out.emit(json!({"removed": name}), || format!("removed role {name}"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn session(cmd: &SessionCmd, config: &Config, out: &Out) -> Result<ExitCode> {
    let app = cli_app(config, false)?;
    match cmd {
        SessionCmd::List { user, active } => {
            let sessions = block(app.list_sessions(user.as_deref(), *active))??;
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
    Ok(ExitCode::SUCCESS)
}

fn token(cmd: &TokenCmd, config: &Config, out: &Out) -> Result<ExitCode> {
    let app = cli_app(config, false)?;
    let TokenCmd::Revoke { jti, user } = cmd;
    if let Some(jti) = jti {
        // warden does not record the tokens it issues (they are checked by signature), so it
        // cannot tell a live id from a typo; it can refuse what it never issues.
        if jti.len() != 32 || !jti.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("{jti:?} is not an access-token id: warden's are 32 hexadecimal characters (the token's jti claim)");
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
    Ok(ExitCode::SUCCESS)
}

fn client(cmd: &ClientCmd, config: &Config, out: &Out) -> Result<ExitCode> {
    let app = cli_app(config, false)?;
    match cmd {
        ClientCmd::Add { name } => {
            let created = block(app.create_client(&CLI, name))??;
            let (c, key) = (created.client, created.key);
            out.emit(json!({"id": c.id, "name": c.name, "key": key}), || {
                format!(
                    "created client {} ({})\nkey (shown once, store it now): {key}",
                    c.name, c.id
                )
            });
        }
        ClientCmd::List => {
            let all = block(app.list_clients())??;
            out.emit(serde_json::to_value(&all)?, || {
                let mut s = format!("{:<34} {:<24} STATUS\n", "ID", "NAME");
                for c in &all {
                    s.push_str(&format!(
                        "{:<34} {:<24} {}\n",
                        c.id,
                        c.name,
                        if c.revoked_at.is_some() {
                            "revoked"
                        } else {
                            "active"
                        }
                    ));
                }
                s
            });
        }
        ClientCmd::Revoke { id } => {
            let c = block(app.revoke_client(&CLI, id))??;
            out.emit(serde_json::to_value(&c)?, || format!("revoked client {id}"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn keys(cmd: &KeysCmd, config: &Config, out: &Out) -> Result<ExitCode> {
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
    Ok(ExitCode::SUCCESS)
}

fn policy(cmd: &PolicyCmd, config: &Config, out: &Out) -> Result<ExitCode> {
    let dir_or_default =
        |dir: &Option<std::path::PathBuf>| dir.clone().unwrap_or_else(|| config.policies.clone());
    match cmd {
        PolicyCmd::Check { dir } => policy_check(&dir_or_default(dir), out),
        PolicyCmd::Fmt { check, dir } => policy_fmt(&dir_or_default(dir), *check, out),
        PolicyCmd::Test {
            dir,
            filter,
            coverage,
        } => policy_test(&dir_or_default(dir), filter.clone(), *coverage, out),
    }
}

fn print_diagnostics(diagnostics: &[crate::engine::Diagnostic], dir: &std::path::Path, out: &Out) {
    if out.json {
        out.emit(json!({"ok": false, "errors": diagnostics}), String::new);
    } else {
        for d in diagnostics {
            eprint!("{}", d.render());
        }
        eprintln!(
            "error: {} problem(s) in {}",
            diagnostics.len(),
            dir.display()
        );
    }
}

fn policy_check(dir: &std::path::Path, out: &Out) -> Result<ExitCode> {
    match load_dir(dir) {
        Ok(bundle) => {
            out.emit(
                json!({"ok": true, "policies": bundle.info, "warnings": bundle.warnings}),
                || {
                    let mut s = String::new();
                    for w in &bundle.warnings {
                        s.push_str(&w.render());
                    }
                    s.push_str(&format!(
                        "ok: {} policies in {} ({})",
                        bundle.info.len(),
                        dir.display(),
                        if bundle.schema.is_some() {
                            "validated against the schema"
                        } else {
                            "no schema"
                        }
                    ));
                    s
                },
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            print_diagnostics(&err.diagnostics, dir, out);
            Ok(ExitCode::FAILURE)
        }
    }
}

fn policy_fmt(dir: &std::path::Path, check: bool, out: &Out) -> Result<ExitCode> {
    let (files, _) = crate::engine::policy_files(dir).map_err(|e| anyhow!("{e}"))?;
    if files.is_empty() {
        bail!("no policy files (*.cedar) in {}", dir.display());
    }
    let style = cedar_policy_formatter::Config::default();
    let mut changed = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let pretty = match cedar_policy_formatter::policies_str_to_pretty(&text, &style) {
            Ok(p) => p,
            Err(e) => {
                // A file that does not parse: the same located diagnostics as `check`.
                let name = path.strip_prefix(dir).unwrap_or(path).display().to_string();
                let diagnostics = match cedar_policy::PolicySet::from_str(&text) {
                    Err(parse) => {
                        crate::engine::diag::from_miette("error", &name, &text, 0, &parse, None)
                    }
                    Ok(_) => vec![crate::engine::Diagnostic::file_error(
                        &name,
                        format!("cannot format: {e}"),
                    )],
                };
                print_diagnostics(&diagnostics, dir, out);
                return Ok(ExitCode::FAILURE);
            }
        };
        if pretty != text {
            changed.push(path.display().to_string());
            if !check {
                std::fs::write(path, pretty)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
    }
    out.emit(json!({"check": check, "unformatted": changed}), || {
        match (check, changed.is_empty()) {
            (_, true) => format!("{} file(s) already formatted", files.len()),
            (true, false) => changed
                .iter()
                .map(|f| format!("unformatted: {f}\n"))
                .collect(),
            (false, false) => changed
                .iter()
                .map(|f| format!("formatted: {f}\n"))
                .collect(),
        }
    });
    Ok(if check && !changed.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn policy_test(
    dir: &std::path::Path,
    filter: Option<String>,
    coverage: bool,
    out: &Out,
) -> Result<ExitCode> {
    let options = crate::policytest::Options { filter };
    let report = match crate::policytest::run(dir, &options) {
        Ok(r) => r,
        Err(diagnostics) => {
            print_diagnostics(&diagnostics, dir, out);
            return Ok(ExitCode::FAILURE);
        }
    };
    // Zero cases run is a failure, not a pass: a mistyped --filter or a missing tests/
    // folder would otherwise report "0 passed, 0 failed" and exit 0 in CI.
    if report.results.is_empty() {
        match &options.filter {
            Some(f) => bail!(
                "no test case matches --filter {f:?} in {}",
                dir.join("tests").display()
            ),
            None => bail!(
                "no test cases in {} (see `warden policy test --help` for the format)",
                dir.join("tests").display()
            ),
        }
    }
    let untouched = report.untouched();
    let failed = report.failed() > 0 || (coverage && !untouched.is_empty());
    if out.json {
        out.emit(
            json!({
                "passed": report.passed(),
                "failed": report.failed(),
                "failures": report.results.iter().filter(|r| !r.passed).collect::<Vec<_>>(),
                "coverage": report.coverage.iter().map(|(id, n)| json!({"policy": id, "cases": n})).collect::<Vec<_>>(),
                "untouched": untouched,
            }),
            String::new,
        );
    } else {
        for r in report.results.iter().filter(|r| !r.passed) {
            println!("{}", crate::policytest::failure_line(r));
        }
        if coverage {
            println!("coverage (cases that each policy determined):");
            for (id, n) in &report.coverage {
                println!("  {n:>4}  {id}");
            }
            if untouched.is_empty() {
                println!("every policy is covered");
            } else {
                println!("untouched: {}", untouched.join(", "));
            }
        }
        println!("{} passed, {} failed", report.passed(), report.failed());
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn json_object(text: &Option<String>, what: &str) -> Result<Value> {
    match text {
        None => Ok(json!({})),
        Some(t) => {
            let v: Value =
                serde_json::from_str(t).map_err(|e| anyhow!("invalid {what} JSON: {e}"))?;
            if !v.is_object() {
                bail!("{what} must be a JSON object");
            }
            Ok(v)
        }
    }
}

/// `warden decide --plan`: the query plan, readable (the condition in Cedar's syntax) or
/// as the wire format with `--json`. Exit 0 when some resource may be allowed, 2 when none
/// is, 1 when no plan can be made.
fn print_plan(plan: crate::plan::Plan, resource_type: &str, out: &Out) -> Result<ExitCode> {
    let code = if plan.kind == crate::plan::PlanKind::AlwaysDenied {
        ExitCode::from(DENY_EXIT)
    } else {
        ExitCode::SUCCESS
    };
    out.emit(serde_json::to_value(&plan)?, || {
        let mut s = match plan.kind {
            crate::plan::PlanKind::AlwaysAllowed => format!("every {resource_type} is allowed\n"),
            crate::plan::PlanKind::AlwaysDenied => format!("no {resource_type} is allowed\n"),
            crate::plan::PlanKind::Conditional => format!("a {resource_type} is allowed when:\n"),
        };
        match (&plan.condition, plan.kind) {
            (Some(c), crate::plan::PlanKind::Conditional) => s.push_str(&format!("  {c}\n")),
            (None, _) => {
                s.push_str("  (no exact condition: decide each resource with `warden decide --resource`)\n");
                for u in &plan.unsupported {
                    s.push_str(&format!("  unsupported: {u}\n"));
                }
            }
            _ => {}
        }
        for id in &plan.reasons {
            s.push_str(&format!("  policy {id}\n"));
        }
        s
    });
    Ok(code)
}

fn decide(args: &DecideArgs, config: &Config, out: &Out) -> Result<ExitCode> {
    use crate::admin_action::with_default_context;
    let engine = Engine::load(&config.policies).map_err(|e| anyhow!("policies: {e}"))?;
    if let (true, Some(user)) = (args.plan, &args.user) {
        // A directory user's plan is the core's what-if plan, the one the admin API's
        // `POST /admin/v1/whatif/plan` answers with (the policies loaded above, again, by
        // the core).
        let app = cli_app(config, true)?;
        let resource_type = args.resource_type.clone().unwrap_or_default();
        let plan = block(app.what_if_plan(
            user,
            &args.action,
            &resource_type,
            json_object(&args.context, "context")?,
        ))?
        .map_err(|e| anyhow!("plan: {e}"))?;
        return print_plan(plan, &resource_type, out);
    }
    let app = cli_app(config, false)?;
    let principal = match (&args.user, &args.token) {
        (Some(user), _) => block(app.user_principal(user))??,
        (None, Some(token)) => block(app.token_principal(token))??,
        // clap's argument group requires one of them.
        (None, None) => bail!("give --user ID or --token TOKEN"),
    };
    let (action_type, action) = parse_action(&args.action).map_err(|e| anyhow!("action: {e}"))?;
    if args.plan {
        let context = with_default_context(&action_type, json_object(&args.context, "context")?);
        let query = crate::engine::PlanQuery {
            principal,
            action_type,
            action,
            resource_type: args.resource_type.clone().unwrap_or_default(),
            context,
        };
        let plan = engine.plan(&query).map_err(|e| anyhow!("plan: {e}"))?;
        return print_plan(plan, &query.resource_type, out);
    }
    let resource = args
        .resource
        .as_deref()
        .ok_or_else(|| anyhow!("give --resource, or --plan --resource-type TYPE"))?;
    let (kind, id) = parse_entity_ref(resource).map_err(|e| anyhow!("invalid resource: {e}"))?;
    let properties = match json_object(&args.properties, "properties")? {
        Value::Object(m) => m,
        _ => Default::default(),
    };
    let context = with_default_context(&action_type, json_object(&args.context, "context")?);
    let query = Query {
        principal,
        action_type,
        action,
        resource: Resource {
            kind,
            id,
            properties,
        },
        context,
    };
    let decision = engine.decide(&query);
    let bundle = engine.bundle();
    let located: Vec<Value> = decision
        .reasons
        .iter()
        .map(|id| match bundle.policy(id) {
            Some(p) => json!({"id": id, "file": p.file, "line": p.line, "effect": p.effect, "source": policy_source(&bundle, p)}),
            None => json!({"id": id}),
        })
        .collect();
    // A deny exits 2, also when evaluation failed (fail closed: as `cedar authorize` does,
    // with the error printed); 1 is for what stops a decision being made at all.
    let code = if decision.allowed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(DENY_EXIT)
    };
    out.emit(
        json!({
            "decision": if decision.allowed { "allow" } else { "deny" },
            "allowed": decision.allowed,
            "reasons": decision.reasons,
            "policies": located,
            "errors": decision.errors,
        }),
        || {
            let mut s = format!("{}\n", if decision.allowed { "allow" } else { "deny" });
            for id in &decision.reasons {
                match bundle.policy(id) {
                    Some(p) => s.push_str(&format!(
                        "  {} policy {id} ({}:{})\n",
                        p.effect, p.file, p.line
                    )),
                    None => s.push_str(&format!("  policy {id}\n")),
                }
            }
            if decision.reasons.is_empty() && decision.errors.is_empty() && !decision.allowed {
                s.push_str("  no policy permits this (default deny)\n");
            }
            for (i, e) in decision.errors.iter().enumerate() {
                s.push_str(&format!("  error {}: {e}\n", i + 1));
            }
            if args.explain {
                for id in &decision.reasons {
                    if let Some(p) = bundle.policy(id) {
                        s.push_str(&format!("\n{} ({}:{}):\n", id, p.file, p.line));
                        for line in policy_source(&bundle, p).lines() {
                            s.push_str(&format!("    {line}\n"));
                        }
                    }
                }
            }
            s
        },
    );
    Ok(code)
}

/// The exit status of `warden decide` for a deny (as `cedar authorize`): scripts can tell
/// allow (0), deny (2) and failure (1) apart without reading the output.
pub const DENY_EXIT: u8 = 2;

/// The source text of a policy, from its line to the end of the statement.
fn policy_source(bundle: &crate::engine::PolicyBundle, p: &crate::engine::PolicyInfo) -> String {
    let Some(src) = bundle.sources.get(&p.file) else {
        return String::new();
    };
    let mut text = String::new();
    for line in src.lines().skip(p.line.saturating_sub(1)) {
        text.push_str(line);
        text.push('\n');
        if line.trim_end().ends_with(';') {
            break;
        }
    }
    text
}

fn audit(args: &AuditArgs, config: &Config, out: &Out) -> Result<ExitCode> {
    let app = cli_app(config, false)?;
    let rows = block(app.list_audit(args.actor.as_deref(), args.action.as_deref(), args.limit))??;
    out.emit(serde_json::to_value(&rows)?, || {
        let mut s = format!(
            "{:<22} {:<20} {:<18} {:<30} DETAIL\n",
            "AT", "ACTOR", "ACTION", "TARGET"
        );
        for r in &rows {
            let detail = match &r.detail {
                Value::Object(m) if m.is_empty() => String::new(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            s.push_str(&format!(
                "{:<22} {:<20} {:<18} {:<30} {detail}\n",
                rfc3339(r.at),
                r.actor,
                r.action,
                r.target
            ));
        }
        s
    });
    Ok(ExitCode::SUCCESS)
}

fn db_copy(from: &std::path::Path, to: &str, with_logs: bool, out: &Out) -> Result<ExitCode> {
    let report = block(crate::app::copy_database(from, to, with_logs))??;
    out.emit(
        json!({"from": from, "to": crate::app::shown_db(to), "tables": report.iter().map(|(t, n)| json!({"table": t, "rows": n})).collect::<Vec<_>>()}),
        || {
            let mut s = format!(
                "copied {} into {} (counts verified)\n",
                from.display(),
                crate::app::shown_db(to)
            );
            for (table, n) in &report {
                s.push_str(&format!("{table:<16} {n}\n"));
            }
            s
        },
    );
    Ok(ExitCode::SUCCESS)
}

fn replicas(config: &Config, out: &Out) -> Result<ExitCode> {
    let app = cli_app(config, false)?;
    let rows = block(app.replicas())??;
    out.emit(serde_json::to_value(&rows)?, || {
        let mut s = format!(
            "{:<34} {:<22} {:<9} {:<22} {:<14} POLICIES\n",
            "ID", "ADDRESS", "VERSION", "STARTED", "POLICY HASH"
        );
        for r in &rows {
            let p = &r.replica;
            s.push_str(&format!(
                "{:<34} {:<22} {:<9} {:<22} {:<14} {}\n",
                p.id,
                p.address,
                p.version,
                rfc3339(p.started_at),
                p.policy_hash.get(..12).unwrap_or(&p.policy_hash),
                if r.policy_differs { "DIFFERS" } else { "same" }
            ));
        }
        s
    });
    Ok(ExitCode::SUCCESS)
}

fn decision_line(d: &DecisionRow) -> String {
    let why = if d.errors.is_empty() {
        d.reasons.join(",")
    } else {
        format!("errors: {}", d.errors.join("; "))
    };
    format!(
        "{:<22} {:<8} {:<24} {:<28} {:<28} {why}",
        rfc3339(d.at),
        d.decision.as_str(),
        d.principal,
        d.action,
        d.resource
    )
}

fn decisions(args: &DecisionsArgs, config: &Config, out: &Out) -> Result<ExitCode> {
    let app = cli_app(config, false)?;
    let since = match &args.since {
        Some(t) => Some(crate::util::parse_time(t).ok_or_else(|| {
            anyhow!("--since {t:?}: expected RFC 3339 (2026-11-27T04:00:00Z) or epoch seconds")
        })?),
        None => None,
    };
    let filter = |after_id: Option<i64>| DecisionFilter {
        principal: args.principal.clone(),
        action: args.action.clone(),
        decision: args.decision,
        since,
        after_id,
        limit: args.limit.clamp(1, 1000),
    };
    let rows = block(app.decisions(filter(None)))??;
    let header = format!(
        "{:<22} {:<8} {:<24} {:<28} {:<28} REASONS\n",
        "AT", "DECISION", "PRINCIPAL", "ACTION", "RESOURCE"
    );
    if !args.follow {
        out.emit(serde_json::to_value(&rows)?, || {
            let mut s = header.clone();
            for d in &rows {
                s.push_str(&decision_line(d));
                s.push('\n');
            }
            s
        });
        return Ok(ExitCode::SUCCESS);
    }
    // Follow: oldest first, one line per decision (one JSON object per line with --json),
    // then poll the log for newer rows until interrupted.
    let mut stdout = std::io::stdout().lock();
    if !out.json {
        write!(stdout, "{header}").context("cannot write to standard output")?;
    }
    let mut print = |d: &DecisionRow| -> Result<()> {
        let line = if out.json {
            serde_json::to_string(d)?
        } else {
            decision_line(d)
        };
        writeln!(stdout, "{line}")
            .and_then(|_| stdout.flush())
            .context("cannot write to standard output")
    };
    let mut last = rows.first().map(|d| d.id).unwrap_or(0);
    for d in rows.iter().rev() {
        print(d)?;
    }
    loop {
        let mut newer = block(app.decisions(filter(Some(last))))??;
        if newer.is_empty() {
            std::thread::sleep(std::time::Duration::from_millis(500));
            continue;
        }
        newer.reverse();
        for d in &newer {
            print(d)?;
            last = last.max(d.id);
        }
    }
}
