//! The command line's grammar: clap definitions, one variant per command. What each command
//! does is in the file named after it.

use clap::{ArgGroup, Parser, Subcommand};
use std::path::PathBuf;

/// warden: sign-in, tokens and Cedar policy decisions.
#[derive(Parser, Debug)]
#[command(
    name = "warden",
    version,
    about,
    propagate_version = true,
    after_help = "Exit status: 0 on success, 1 on a failure, 2 for a command line that is not \
                  understood (decide: 0 allowed, 2 denied, 1 on an error, its usage errors \
                  included).\n\n\
                  With --json, a failure is one line {\"error\": code, \"reason\": kind, \
                  \"message\": text} on standard error, the code one of: invalid_request, \
                  not_found, conflict, forbidden, escalation_refused, policy_error, config, \
                  database, unavailable, usage (a command line not understood), the refusal \
                  reason of a token (decide --token, e.g. token_expired), failure (anything \
                  else); reason, where the error has a specific kind, as the HTTP API's \
                  (email_taken, role_in_use, last_administrator, unknown_role, ...). What a \
                  check finds (policy check, fmt --check, test) is its result, on standard \
                  output, with exit status 1."
)]
pub struct Cli {
    /// The SQLite database file, or a postgres:// URL (over `db` in warden.toml and
    /// WARDEN_DB; default warden.db).
    #[arg(long, global = true, value_name = "FILE|URL")]
    pub db: Option<PathBuf>,
    /// The policy directory (over `policies` in warden.toml and WARDEN_POLICIES; default
    /// policies).
    #[arg(long, global = true, value_name = "DIR")]
    pub policies: Option<PathBuf>,
    /// A warden.toml configuration file.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print JSON for machines: results on standard output, a failure as one line
    /// {"error": code, "reason": kind, "message": text} on standard error (`reason` where the
    /// error has a specific kind, as the HTTP API's).
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP server (creates the database, keys and a bootstrap admin on first start).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Print the effective configuration (secrets masked) and exit.
        #[arg(long)]
        print_config: bool,
    },
    /// Create the database, signing keys and the bootstrap admin.
    Init,
    /// Manage users.
    #[command(subcommand)]
    User(UserCmd),
    /// Manage roles.
    #[command(subcommand)]
    Role(RoleCmd),
    /// Manage sign-in sessions.
    #[command(subcommand)]
    Session(SessionCmd),
    /// Revoke access tokens.
    #[command(subcommand)]
    Token(TokenCmd),
    /// Manage service clients (API keys for services calling the decision API).
    #[command(subcommand)]
    Client(ClientCmd),
    /// Manage signing keys.
    #[command(subcommand)]
    Keys(KeysCmd),
    /// Move between databases.
    #[command(subcommand)]
    Db(DbCmd),
    /// Check, format, test and publish policies; versions, diff, rollback.
    #[command(subcommand)]
    Policy(PolicyCmd),
    /// Ask for a decision, as the server would answer it (exit 0 allow, 2 deny, 1 error).
    #[command(after_help = "Exit status: 0 when allowed, 2 when denied, 1 on an error.")]
    Decide(DecideArgs),
    /// Read the audit log: who changed what, newest first.
    Audit(AuditArgs),
    /// The running servers on this database (heartbeats of the last 30 s); a replica whose
    /// policies differ from the others' is flagged.
    Replicas,
    /// Read the decision log, newest first; --follow prints new decisions as they come.
    Decisions(DecisionsArgs),
    /// Print the HTTP API's OpenAPI 3.1 document (what `/openapi.json` serves), without a
    /// server: clients generate their types from it.
    Openapi,
    /// Describe the configuration.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// The admin console: users, roles, sessions, decisions, policies, audit.
    Tui {
        /// The warden server (default: http://<listen> from the configuration).
        #[arg(long, env = "WARDEN_URL")]
        url: Option<String>,
        /// Look, but change nothing.
        #[arg(long)]
        read_only: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Create a user (without --password-stdin it cannot sign in until `user passwd`).
    Add {
        /// The user's email address (their sign-in name).
        #[arg(long)]
        email: String,
        /// The user id (default: derived from the email).
        #[arg(long)]
        id: Option<String>,
        /// The display name.
        #[arg(long, default_value = "")]
        name: String,
        /// A role; repeat for several (the first is the primary role).
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
        /// Read the password from standard input (one line).
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List {
        /// Only users whose id, email or name contains this.
        #[arg(long)]
        filter: Option<String>,
    },
    /// Show one user.
    Show {
        /// The user id.
        id: String,
    },
    /// Replace a user's roles (the first is the primary role).
    SetRoles {
        /// The user id.
        id: String,
        /// The new roles.
        #[arg(required = true)]
        roles: Vec<String>,
    },
    /// Disable a user (ends their sessions).
    Disable {
        /// The user id.
        id: String,
    },
    /// Enable a user.
    Enable {
        /// The user id.
        id: String,
    },
    /// Set a user's password: asked twice without echo at a terminal, else one line of
    /// standard input.
    Passwd {
        /// The user id.
        id: String,
        /// Read the password from standard input (one line) even at a terminal.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Lift the sign-in throttle of a user's account (every address).
    Unlock {
        /// The user id.
        id: String,
    },
    /// List a user's links to identity providers (the token exchange finds the user by them).
    Identities {
        /// The user id.
        id: String,
    },
    /// Remove a user's link to an identity provider's subject.
    Unlink {
        /// The user id.
        id: String,
        /// The provider's issuer (`iss`), as in `exchange_issuers`.
        #[arg(long)]
        issuer: String,
        /// The provider's subject (`sub`).
        #[arg(long)]
        subject: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum RoleCmd {
    /// Create a role.
    Add {
        /// The role name, e.g. SUPPORT.
        name: String,
        /// A parent role (this role inherits what the parent may do); repeatable.
        #[arg(long = "parent", value_name = "ROLE")]
        parents: Vec<String>,
    },
    /// List roles.
    List,
    /// Remove a role.
    Remove {
        /// The role name.
        name: String,
        /// Remove it even while users hold it.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum SessionCmd {
    /// List sessions.
    List {
        /// Only this user's sessions (a user id).
        #[arg(long, value_name = "ID")]
        user: Option<String>,
        /// Only live sessions.
        #[arg(long)]
        active: bool,
    },
    /// Revoke a session (its refresh tokens and access tokens stop working).
    Revoke {
        /// The session id (see `session list`).
        sid: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCmd {
    /// Revoke one access token by id, or every token and session of a user.
    #[command(group(ArgGroup::new("target").required(true).args(["jti", "user"])))]
    Revoke {
        /// The access token's id (its `jti` claim).
        #[arg(long, value_name = "JTI")]
        jti: Option<String>,
        /// A user id: revoke every token and session of this user.
        #[arg(long, value_name = "ID")]
        user: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ClientCmd {
    /// Create a client; its key is printed once.
    Add {
        /// A name for the service, e.g. billing.
        name: String,
    },
    /// List clients.
    List,
    /// Revoke a client's key.
    Revoke {
        /// The client id (see `client list`).
        id: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum DbCmd {
    /// Copy a SQLite database into an empty PostgreSQL database: every user, role, session,
    /// revocation, client and key (and the logs with --with-logs), counts verified, all in
    /// one transaction.
    Copy {
        /// The SQLite database file.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// The PostgreSQL database (postgres://user@host:port/name), empty.
        #[arg(long, value_name = "URL")]
        to: String,
        /// Copy the audit and decision logs too.
        #[arg(long)]
        with_logs: bool,
        /// Copy even though a server is running on the source (heartbeats of the last 30 s):
        /// what it writes after the copy's snapshot is not in the copy.
        #[arg(long)]
        force: bool,
    },
    /// Move every server on this database to a new issuer (public_url): servers started with
    /// another public_url refuse to start, and tokens of the old issuer stop verifying.
    SetIssuer {
        /// The URL clients reach warden at, e.g. https://auth.example.com.
        url: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ConfigCmd {
    /// Every key of warden.toml: its default and what it does.
    ///
    /// A Markdown table, the one docs/configuration.md holds: both come from the doc comments
    /// of the configuration's fields. With --json, each key with its WARDEN_<KEY> variable,
    /// its default and its meaning.
    Keys,
}

#[derive(Subcommand, Debug)]
pub enum KeysCmd {
    /// List signing keys.
    List,
    /// Create a new signing key; the old one keeps verifying until its tokens expire.
    Rotate,
}

#[derive(Subcommand, Debug)]
pub enum PolicyCmd {
    /// Parse and strictly validate a policy directory.
    Check {
        /// The directory (default: --policies, or ./policies).
        dir: Option<PathBuf>,
    },
    /// Format the policy files with Cedar's formatter.
    Fmt {
        /// List unformatted files and exit 1 instead of rewriting them.
        #[arg(long)]
        check: bool,
        /// The directory (default: --policies, or ./policies).
        dir: Option<PathBuf>,
    },
    /// Run the test suites in DIR/tests (warden *.toml suites and Cedar *.json test files).
    Test {
        /// The directory (default: --policies, or ./policies).
        dir: Option<PathBuf>,
        /// Only cases whose name contains this text.
        #[arg(long)]
        filter: Option<String>,
        /// Report per policy how many cases it determined; fail if any policy is untouched.
        #[arg(long)]
        coverage: bool,
    },
    /// Publish DIR as the next policy version (policy_source = "store"): validated, its tests
    /// run, its impact on the latest logged decisions shown; refused, nothing activated, on
    /// any error, failing test, too many flips or no administrator left.
    Publish {
        /// The policy directory: *.cedar, schema.cedarschema, links.json, tests/*.toml|json.
        dir: PathBuf,
        /// Why (kept with the version and in the audit log).
        #[arg(short = 'm', long)]
        message: String,
        /// Validate, test and preview, but activate nothing.
        #[arg(long)]
        dry_run: bool,
        /// Refuse when more than K replayed decisions would flip.
        #[arg(long, value_name = "K")]
        max_changes: Option<u64>,
        /// Replay the latest N logged decisions (default 10000).
        #[arg(long, value_name = "N")]
        replay: Option<u64>,
    },
    /// The published versions, newest first, the active one marked with *.
    Versions,
    /// One published version: its files, or with --export the files written to DIR.
    Show {
        /// The version number.
        #[arg(value_name = "VERSION")]
        number: i64,
        /// Write the version's files to DIR (created if missing; refused when not empty).
        #[arg(long, value_name = "DIR")]
        export: Option<PathBuf>,
        /// With --export: write into a non-empty DIR, over files of the same name.
        #[arg(long, requires = "export")]
        force: bool,
    },
    /// The per-file unified diff from version A to version B.
    Diff { from: i64, to: i64 },
    /// Publish an old version's files again as a new active version (gated like publish).
    Rollback {
        /// The version whose files become the new active version.
        #[arg(value_name = "VERSION")]
        number: i64,
        /// Why (default: "rollback to version N").
        #[arg(short = 'm', long)]
        message: Option<String>,
        /// Validate, test and preview, but activate nothing.
        #[arg(long)]
        dry_run: bool,
        /// Refuse when more than K replayed decisions would flip.
        #[arg(long, value_name = "K")]
        max_changes: Option<u64>,
        /// Replay the latest N logged decisions (default 10000).
        #[arg(long, value_name = "N")]
        replay: Option<u64>,
    },
}

#[derive(clap::Args, Debug)]
#[command(group(ArgGroup::new("principal").required(true).args(["token", "user"])))]
pub struct DecideArgs {
    /// Decide for the holder of this access token.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Decide for this directory user (a user id).
    #[arg(long, value_name = "ID")]
    pub user: Option<String>,
    /// The action, e.g. deleteUserResource or Warden::Action::"users.read".
    #[arg(long)]
    pub action: String,
    /// The resource, e.g. 'UserResource::"r1"'.
    #[arg(long, required_unless_present = "plan", conflicts_with = "plan")]
    pub resource: Option<String>,
    /// Print the query plan instead: the condition a resource of --resource-type must meet
    /// (exit 0 when some resource may be allowed, 2 when none is).
    #[arg(long, requires = "resource_type")]
    pub plan: bool,
    /// With --plan: the resource type, e.g. Document.
    #[arg(long, value_name = "TYPE", requires = "plan")]
    pub resource_type: Option<String>,
    /// The resource's attributes as a JSON object.
    #[arg(long, value_name = "JSON")]
    pub properties: Option<String>,
    /// The context as a JSON object.
    #[arg(long, value_name = "JSON")]
    pub context: Option<String>,
    /// Show the determining policies' source and every evaluation error.
    #[arg(long)]
    pub explain: bool,
    /// With --plan: print the plan as a SQL WHERE fragment and its parameters (--json: the
    /// answer of POST /v1/authorize/plan/sql), over the columns of --column and --set, or of
    /// --mapping. A plan that SQL cannot say exactly is an error (exit 1), never a looser
    /// fragment.
    #[arg(long, requires = "plan")]
    pub sql: bool,
    /// With --sql: the column of an attribute path, e.g. resource.owner=owner_id, or
    /// resource=documents.id for the resource's id (repeat for several).
    #[arg(long = "column", value_name = "ATTR=COLUMN", requires = "sql")]
    pub columns: Vec<String>,
    /// With --sql: where a set attribute is held: a join table,
    /// resource.tags=document_tags:document_id:tag (TABLE:KEY:VALUE), or an array column,
    /// resource.tags=tags (repeat for several).
    #[arg(long = "set", value_name = "ATTR=TABLE:KEY:VALUE", requires = "sql")]
    pub sets: Vec<String>,
    /// With --sql: the SQL dialect, sqlite (?N placeholders) or postgres ($N) [default: sqlite].
    #[arg(
        long,
        value_name = "DIALECT",
        requires = "sql",
        conflicts_with = "mapping"
    )]
    pub dialect: Option<String>,
    /// With --sql: the number of the first placeholder [default: 1].
    #[arg(long, value_name = "N", requires = "sql", conflicts_with = "mapping")]
    pub first_param: Option<u64>,
    /// With --sql: the column mapping as a JSON file, as POST /v1/authorize/plan/sql takes it
    /// ({"dialect", "first_param", "columns"}), instead of --column, --set and --dialect.
    #[arg(long, value_name = "FILE", requires = "sql", conflicts_with_all = ["columns", "sets"])]
    pub mapping: Option<std::path::PathBuf>,
}

/// Filters of `warden audit` (those of `GET /admin/v1/audit`).
#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    /// Only rows by this actor, e.g. cli or user:admin.
    #[arg(long)]
    pub actor: Option<String>,
    /// Only rows of this admin action (the one that allowed the change), e.g. users.update.
    #[arg(long)]
    pub action: Option<String>,
    /// At most this many rows (1 to 1000; more gives 1000).
    #[arg(long, default_value_t = 100)]
    pub limit: i64,
}

/// Filters of `warden decisions` (those of `GET /admin/v1/decisions`).
#[derive(clap::Args, Debug)]
pub struct DecisionsArgs {
    /// Only decisions for this principal: a user id (alice) or an entity ('User::"alice"').
    #[arg(long)]
    pub principal: Option<String>,
    /// Only decisions on this action.
    #[arg(long)]
    pub action: Option<String>,
    /// Only decisions of this kind: allow, deny, or plan (query plans).
    #[arg(long, value_name = "KIND")]
    pub decision: Option<crate::model::DecisionKind>,
    /// Only decisions at or after this time (RFC 3339, or seconds since the epoch).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// At most this many rows (1 to 1000; more gives 1000).
    #[arg(long, default_value_t = 100)]
    pub limit: i64,
    /// Keep running and print new decisions as they are logged (one JSON object a line
    /// with --json).
    #[arg(long, short)]
    pub follow: bool,
}
