//! All of the console's HTTP I/O, on worker threads: jobs go in through a channel, replies
//! come out as events (gitui's `asyncgit` shape). The interface thread never waits on the
//! network, so a slow or dead server shows as "loading" or "connection lost", never as a
//! frozen screen.
//!
//! Two threads share one [`Client`] (and so one session): one runs requests in order, the
//! other only the decision log's long-poll, which would otherwise hold up everything else
//! for its whole wait.

use super::client::{Client, ClientError, Me};
use super::view::ViewId;
use serde_json::Value;
use std::sync::mpsc::{channel, Receiver, Sender};

/// What a finished change does next (its message, which modal to close).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// A change started from a form: the form stays open with the error on failure.
    Form(String),
    /// A change confirmed in a dialog (or a plain key): a message either way.
    Change(String),
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
}

/// A reply with the epoch of the job it answers; the app drops replies of an earlier
/// sign-in.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub epoch: u64,
    pub reply: Reply,
}

/// Where jobs go in.
#[derive(Clone)]
pub struct Worker {
    jobs: Sender<Job>,
    tails: Sender<Job>,
}

impl Worker {
    /// Start the worker threads for the server at `url`; events arrive on the receiver.
    pub fn start(url: &str) -> (Worker, Receiver<Event>) {
        let client = Client::new(url);
        let (events, out) = channel();
        let (jobs, jobs_in) = channel::<Job>();
        let (tails, tails_in) = channel::<Job>();
        for (input, client, events) in [
            (jobs_in, client.clone(), events.clone()),
            (tails_in, client, events),
        ] {
            std::thread::spawn(move || {
                for job in input {
                    let reply = run(&client, &job);
                    if events
                        .send(Event {
                            epoch: job.epoch,
                            reply,
                        })
                        .is_err()
                    {
                        break;
                    }
                }
            });
        }
        (Worker { jobs, tails }, out)
    }

    /// Queue a job (a closed worker is ignored: the app is quitting).
    pub fn submit(&self, job: Job) {
        let lane = if matches!(job.request, Request::Tail { .. }) {
            &self.tails
        } else {
            &self.jobs
        };
        let _ = lane.send(job);
    }
}

/// Run one job (blocking; on a worker thread or in a test).
pub fn run(client: &Client, job: &Job) -> Reply {
    let epoch = job.epoch;
    match &job.request {
        Request::SignIn { email, password } => {
            Reply::SignedIn(client.login(epoch, email, password))
        }
        Request::SignOut => {
            client.logout();
            Reply::SignedIn(Err(ClientError::SessionEnded("signed out".into())))
        }
        Request::Load { view, path } => Reply::Loaded {
            view: *view,
            result: client.call(epoch, "GET", path, None),
        },
        Request::LoadPart { view, path } => Reply::LoadedPart {
            view: *view,
            path: path.clone(),
            result: client.call(epoch, "GET", path, None),
        },
        Request::Tail { path } => Reply::Tailed(client.call(epoch, "GET", path, None)),
        Request::Send {
            method,
            path,
            body,
            what,
        } => Reply::Sent {
            what: what.clone(),
            result: client.call(epoch, method, path, body.as_ref()),
        },
    }
}
