//! The messages between the console and its worker: the views they address, the jobs that
//! go out ([`Request`] in a [`Job`]) and the answers that come back ([`Reply`] in an
//! [`Event`]). Data only: the app, the views and the worker all import them from here, and
//! this module imports nothing of the console but the client's result types and the keys'
//! actions.

use super::client::{ClientError, Me};
use super::keys::Action;
use serde_json::Value;

/// The views, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViewId {
    Dashboard,
    Users,
    Roles,
    Sessions,
    Decisions,
    Policies,
    Audit,
    Clients,
    Keys,
    /// The published policy versions (issue 29).
    Versions,
}

impl ViewId {
    /// Every view, in tab order.
    pub const ALL: [ViewId; 10] = [
        ViewId::Dashboard,
        ViewId::Users,
        ViewId::Roles,
        ViewId::Sessions,
        ViewId::Decisions,
        ViewId::Policies,
        ViewId::Audit,
        ViewId::Clients,
        ViewId::Keys,
        ViewId::Versions,
    ];

    /// The tab's title, and a short one for narrow terminals.
    pub fn titles(self) -> (&'static str, &'static str) {
        match self {
            ViewId::Dashboard => ("Dashboard", "Dash"),
            ViewId::Users => ("Users", "Users"),
            ViewId::Roles => ("Roles", "Roles"),
            ViewId::Sessions => ("Sessions", "Sess"),
            ViewId::Decisions => ("Decisions", "Decis"),
            ViewId::Policies => ("Policies", "Pol"),
            ViewId::Audit => ("Audit", "Audit"),
            ViewId::Clients => ("Clients", "Clients"),
            ViewId::Keys => ("Signing keys", "Keys"),
            ViewId::Versions => ("Versions", "Vers"),
        }
    }

    /// Position in [`ViewId::ALL`].
    pub fn index(self) -> usize {
        ViewId::ALL.iter().position(|v| *v == self).unwrap_or(0)
    }
}

/// What a finished change does next (its message, which dialog to open or close). The
/// answer is handled by this variant, never by reading a message's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// A change confirmed in a dialog (or a plain key): its message either way.
    Change(String),
    /// A change started from a form: its message on success; on failure the form stays
    /// open with the error.
    Form(String),
    /// A user created from a form: the message names the id the server gave.
    UserCreated,
    /// A what-if question: the answer opens in a popup.
    WhatIf,
    /// A what-if plan of a resource type: the plan opens in a popup.
    WhatIfPlan,
    /// A created client: its key is shown once.
    ClientCreated,
    /// A user's identity-provider links: they open in a popup.
    Identities(String),
    /// The role picker's options for a user or role.
    PickerRoles,
    /// A published version's files (`GET /admin/v1/policies/versions/{version}`): they
    /// open in a popup.
    VersionFiles,
    /// The difference between two versions: it opens in a popup.
    Diff,
    /// A publish or rollback made after its preview was confirmed: the message names the
    /// version the server gave (`label: now version N`).
    Activated(String),
    /// Whether the signed-in person may do each of these keys' admin actions on a view
    /// (asked once per view, through `POST /v1/authorize/batch`).
    Permissions(ViewId, Vec<Action>),
}

impl What {
    /// Whether the change was sent by a form (which then waits for the answer).
    pub fn from_form(&self) -> bool {
        matches!(
            self,
            What::Form(_)
                | What::UserCreated
                | What::WhatIf
                | What::WhatIfPlan
                | What::ClientCreated
        )
    }
}

/// A job for the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    SignIn {
        email: String,
        password: String,
    },
    SignOut,
    /// Load (or reload) a view.
    Load {
        view: ViewId,
        path: String,
    },
    /// Load one more part of a view (the dashboard's replicas), apart from its main load:
    /// one failing does not hide the other.
    LoadPart {
        view: ViewId,
        path: String,
    },
    /// Long-poll the decision log for rows after the newest one shown.
    Tail {
        path: String,
    },
    /// Dry-run a policy change and bring back its impact preview (the first step of a
    /// publish or a rollback; nothing is activated).
    Preview(PolicyChange),
    /// Change something.
    Send {
        method: &'static str,
        path: String,
        body: Option<Value>,
        what: What,
    },
}

/// A job with the sign-in epoch it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub epoch: u64,
    pub request: Request,
}

/// A worker's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    SignedIn(Result<Me, ClientError>),
    Loaded {
        view: ViewId,
        result: Result<Value, ClientError>,
    },
    LoadedPart {
        view: ViewId,
        path: String,
        result: Result<Value, ClientError>,
    },
    Tailed(Result<Value, ClientError>),
    Sent {
        what: What,
        result: Result<Value, ClientError>,
    },
    /// A policy change's dry run.
    Previewed {
        change: PolicyChange,
        result: Result<Previewed, ClientError>,
    },
}

/// A policy change the console previews before it asks to make it (issue 29).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyChange {
    /// Publish the policy files of a directory on the console's machine.
    Publish { dir: String, message: String },
    /// Make an earlier version's files the active set again (a new version).
    Rollback { version: i64 },
}

impl PolicyChange {
    /// The change in words ("publish ./policies", "roll back to version 3").
    pub fn label(&self) -> String {
        match self {
            PolicyChange::Publish { dir, .. } => format!("publish {dir}"),
            PolicyChange::Rollback { version } => format!("roll back to version {version}"),
        }
    }
}

/// A dry run's answer: the server's preview, and the request that makes the change.
#[derive(Debug, Clone, PartialEq)]
pub struct Previewed {
    /// The dry run's `PublishOutcome`.
    pub outcome: Value,
    /// The path and body of the real change: the same files that were previewed (a
    /// publish is never read from its directory again, so what is confirmed is what was
    /// previewed), with `dry_run` false.
    pub path: String,
    pub body: Value,
}

/// A reply with the epoch of the job it answers; the app drops replies of an earlier
/// sign-in.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub epoch: u64,
    pub reply: Reply,
}
