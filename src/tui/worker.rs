//! All of the console's HTTP I/O, on worker threads: jobs go in through a channel, replies
//! come out as events (gitui's `asyncgit` shape). The interface thread never waits on the
//! network, so a slow or dead server shows as "loading" or "connection lost", never as a
//! frozen screen.
//!
//! Two threads share one [`Client`] (and so one session): one runs requests in order, the
//! other only the decision log's long-poll, which would otherwise hold up everything else
//! for its whole wait.
//!
//! The messages themselves live in [`super::msg`]: this module only runs them.

use super::client::{Client, ClientError};
use super::files::read_policy_dir;
use super::msg::{Event, Job, PolicyChange, Previewed, Reply, Request};
use crate::api::{PublishPolicies, RollbackPolicies};
use serde::Serialize;
use std::sync::mpsc::{channel, Receiver, Sender};

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
        Request::Preview(change) => Reply::Previewed {
            change: change.clone(),
            result: preview(client, epoch, change),
        },
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

/// Dry-run a policy change: read a publish's files here (the console's machine), ask the
/// server for the preview, and keep the real request, the same files with `dry_run`
/// false, for the confirmation.
///
/// Security: what is confirmed is the previewed set byte for byte (the directory is not
/// read again, so a file changed after the preview is not slipped in). The real request
/// goes through every server gate again (validation, the set's tests, the "someone can
/// still administer" rule, the `policies.publish` decision). What it cannot pin is the
/// active set the preview was measured against: the wire type carries no expected active
/// version, so a publish by someone else between the preview and the yes is not detected
/// here (the list shows it on the next poll, and the audit log has both).
fn preview(client: &Client, epoch: u64, change: &PolicyChange) -> Result<Previewed, ClientError> {
    fn json(body: &impl Serialize) -> Result<serde_json::Value, ClientError> {
        serde_json::to_value(body).map_err(|e| ClientError::Local(e.to_string()))
    }
    let (path, dry, real) = match change {
        PolicyChange::Publish { dir, message } => {
            let files = read_policy_dir(std::path::Path::new(dir)).map_err(ClientError::Local)?;
            let mut body = PublishPolicies {
                files,
                message: message.clone(),
                dry_run: true,
                max_changes: None,
                replay: None,
            };
            let dry = json(&body)?;
            body.dry_run = false;
            ("/admin/v1/policies/versions", dry, json(&body)?)
        }
        PolicyChange::Rollback { version } => {
            let mut body = RollbackPolicies {
                version: *version,
                message: None,
                dry_run: true,
                max_changes: None,
                replay: None,
            };
            let dry = json(&body)?;
            body.dry_run = false;
            ("/admin/v1/policies/rollback", dry, json(&body)?)
        }
    };
    let outcome = client.call(epoch, "POST", path, Some(&dry))?;
    Ok(Previewed {
        outcome,
        path: path.to_string(),
        body: real,
    })
}
