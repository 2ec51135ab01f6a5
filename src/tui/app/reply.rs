//! The worker's answers, handled by their typed variants ([`Reply`], and [`What`] a change
//! was for), never by the text of a message: a load fills its view, a change reloads and
//! says so, a form's answer closes the form or stays in it, and a failure is shown where it
//! belongs (a lost connection in the header, an ended session on the sign-in screen).

use super::{App, Screen, Views};
use crate::api::{
    CreatedClient, DecisionAnswer, Identity, Plan, PolicyDiff, PolicyVersionDetail, PublishOutcome,
    Role, User,
};
use crate::tui::client::{ClientError, Me};
use crate::tui::form::{Form, FormKind};
use crate::tui::items::{clients, users};
use crate::tui::modal::{Confirm, Modal};
use crate::tui::msg::{Event, PolicyChange, Previewed, Reply, Request, ViewId, What};
use crate::tui::review;
use crate::tui::view::Component;
use crate::tui::whatif;
use serde::de::DeserializeOwned;
use serde_json::Value;

impl App {
    /// Handle one event of the worker.
    pub fn on_event(&mut self, event: Event) {
        if event.epoch != self.epoch {
            return;
        }
        match event.reply {
            Reply::SignedIn(result) => self.signed_in(result),
            Reply::Loaded { view, result } => {
                if let Err(e) = &result {
                    self.failed(e.clone());
                    if self.screen != Screen::Main {
                        return;
                    }
                } else {
                    self.restored();
                }
                self.views.get_mut(view).loaded(result);
            }
            Reply::LoadedPart { view, path, result } => {
                // The part shows its own error in place; only a lost connection or an ended
                // session concerns the whole console.
                if let Err(e @ (ClientError::Connection(_) | ClientError::SessionEnded(_))) =
                    &result
                {
                    self.failed(e.clone());
                    if self.screen != Screen::Main {
                        return;
                    }
                }
                self.views.get_mut(view).part_loaded(&path, result);
            }
            Reply::Tailed(result) => {
                if let Err(e) = &result {
                    self.failed(e.clone());
                    if self.screen != Screen::Main {
                        return;
                    }
                } else {
                    self.restored();
                }
                let now = self.now;
                self.views.decisions.tailed(result, now);
            }
            Reply::Sent { what, result } => self.sent(what, result),
            Reply::Previewed { change, result } => self.previewed(change, result),
        }
    }

    /// A policy change's dry run came back: its preview opens, and `y` there leads to the
    /// confirmation of exactly the previewed change. A refusal (a failing test, an invalid
    /// set, no administrator left, an unreadable directory) stays in the publish form when
    /// it is open, else it is said like any refused change. Nothing was activated either way.
    fn previewed(&mut self, change: PolicyChange, result: Result<Previewed, ClientError>) {
        // The preview opens only where it was asked for: over the publish form that is
        // still waiting for it, or (a rollback) over no other dialog. A person who gave up
        // the form meanwhile is not handed a change to confirm.
        let form_open = matches!(
            &self.modal,
            Some(Modal::Form(f)) if f.kind == FormKind::Publish
        );
        let asked_here = match change {
            PolicyChange::Publish { .. } => form_open,
            PolicyChange::Rollback { .. } => self.modal.is_none(),
        };
        let p = match result {
            Ok(p) => p,
            Err(e) => {
                if let (true, Some(Modal::Form(form))) = (form_open, &mut self.modal) {
                    form.failed(&e);
                }
                return match e {
                    ClientError::Api { message, .. } if !form_open => self.error(message),
                    ClientError::Local(message) if !form_open => self.error(message),
                    ClientError::Api { .. } | ClientError::Local(_) => {}
                    other => self.failed(other),
                };
            }
        };
        if !asked_here {
            return self.info(format!(
                "the preview of \"{}\" came after its dialog was closed: nothing was changed",
                change.label()
            ));
        }
        let Some(outcome) = self.answer::<PublishOutcome>(p.outcome) else {
            self.modal = None;
            return;
        };
        let impact = &outcome.impact;
        let flips = impact.allow_to_deny + impact.deny_to_allow;
        let label = change.label();
        let confirm = Confirm {
            prompt: format!("{label} and make it the active policy set on every replica?"),
            warning: (flips > 0).then(|| {
                format!(
                    "{flips} of {} replayed decisions would change ({} allow→deny, {} deny→allow).",
                    impact.replayed, impact.allow_to_deny, impact.deny_to_allow
                )
            }),
            request: Request::Send {
                method: "POST",
                path: p.path,
                body: Some(p.body),
                what: What::Activated(label),
            },
        };
        self.modal = Some(Modal::Review {
            detail: review::preview_detail(&change, &outcome),
            confirm,
        });
    }

    fn signed_in(&mut self, result: Result<Me, ClientError>) {
        match result {
            Ok(me) => {
                // A new person: nothing of the previous session may remain.
                let keep_read_only = self.read_only;
                self.views = Views::default();
                self.screen = Screen::Main;
                self.signin = Form::sign_in();
                self.signin_note = None;
                self.read_only = keep_read_only;
                self.current = ViewId::Dashboard;
                self.modal = None;
                self.refused.clear();
                self.asked.clear();
                self.info(format!("signed in as {}", me.id));
                self.me = me;
                self.load(ViewId::Dashboard);
            }
            Err(e) => {
                self.signin.failed(&e);
                self.signin.retype_secrets();
            }
        }
    }

    fn restored(&mut self) {
        if self.connection_lost {
            self.connection_lost = false;
            self.info("connection restored");
        }
    }

    /// A failed call: a lost connection is shown and retried by the polls; an ended session
    /// returns to sign-in; a refusal is the view's business (its pane says so).
    fn failed(&mut self, e: ClientError) {
        match e {
            ClientError::Connection(m) => {
                self.connection_lost = true;
                self.error(format!("connection lost: {m} (retrying)"));
            }
            ClientError::SessionEnded(_) => self.back_to_sign_in("session ended: sign in again"),
            ClientError::Stale => {}
            ClientError::Local(m) => self.error(m),
            ClientError::Api { status: 403, .. } => {}
            api @ ClientError::Api { .. } => self.error(api.to_string()),
        }
    }

    fn sent(&mut self, what: What, result: Result<Value, ClientError>) {
        let form_open = matches!(self.modal, Some(Modal::Form(_)));
        match (what, result) {
            (What::Permissions(view, actions), Ok(v)) => {
                // One answer per key, in order; anything else leaves every key shown (the
                // server refuses what it refuses when the key is used).
                let allowed: Vec<bool> = v["results"]
                    .as_array()
                    .map(|r| r.iter().map(|x| x["allowed"] == true).collect())
                    .unwrap_or_default();
                if allowed.len() == actions.len() {
                    let refused = actions
                        .into_iter()
                        .zip(allowed)
                        .filter(|(_, ok)| !ok)
                        .map(|(a, _)| a)
                        .collect();
                    self.refused.insert(view, refused);
                }
            }
            (What::Permissions(..), Err(e)) => {
                if matches!(e, ClientError::SessionEnded(_) | ClientError::Connection(_)) {
                    self.failed(e);
                }
            }
            (What::PickerRoles, Ok(v)) => {
                let roles: Vec<Role> = serde_json::from_value(v).unwrap_or_default();
                if let Some((target, chosen)) = self.picking.take() {
                    self.modal = Some(Modal::picker(target, &chosen, &roles));
                }
            }
            (What::Identities(user), Ok(v)) => {
                let links: Vec<Identity> = serde_json::from_value(v).unwrap_or_default();
                self.modal = Some(Modal::Detail(users::identities_detail(&user, &links)));
            }
            (What::VersionFiles, Ok(v)) => {
                self.modal = self
                    .answer::<PolicyVersionDetail>(v)
                    .map(|d| Modal::Detail(review::files_detail(&d)));
            }
            (What::Diff, Ok(v)) => {
                self.modal = self
                    .answer::<PolicyDiff>(v)
                    .map(|d| Modal::Detail(review::diff_detail(&d)));
            }
            (What::Activated(label), Ok(v)) => {
                match serde_json::from_value::<PublishOutcome>(v) {
                    Ok(PublishOutcome {
                        version: Some(n), ..
                    }) => self.info(format!("{label}: now version {n}")),
                    _ => self.info(format!("{label}: done")),
                }
                self.load(self.current);
            }
            (What::Change(done), Ok(_)) => {
                self.info(done);
                self.load(self.current);
            }
            (what, Ok(v)) if what.from_form() && form_open => self.form_done(what, v),
            // The form's error stays with the form.
            (what, Err(e)) if what.from_form() && form_open => {
                if let Some(Modal::Form(form)) = &mut self.modal {
                    form.failed(&e);
                }
                if matches!(e, ClientError::SessionEnded(_)) {
                    self.failed(e);
                }
            }
            (_, Ok(_)) => {}
            (_, Err(e)) => {
                self.picking = None;
                match e {
                    ClientError::Api { message, .. } => self.error(message),
                    other => self.failed(other),
                }
            }
        }
    }

    /// A form's change was made: the form closes, and its answer is said or shown.
    fn form_done(&mut self, what: What, v: Value) {
        match what {
            What::Form(done) => {
                self.modal = None;
                self.info(done);
                self.load(self.current);
            }
            What::UserCreated => {
                self.modal = None;
                let id = serde_json::from_value::<User>(v)
                    .map(|u| u.id)
                    .unwrap_or_default();
                self.info(format!("created user {id}"));
                self.load(self.current);
            }
            What::WhatIfPlan => {
                self.modal = self
                    .answer::<Plan>(v)
                    .map(|p| Modal::Detail(whatif::plan_detail(&p)));
            }
            What::WhatIf => {
                self.modal = self
                    .answer::<DecisionAnswer>(v)
                    .map(|d| Modal::Detail(whatif::decision_detail(&d)));
            }
            What::ClientCreated => {
                self.modal = self
                    .answer::<CreatedClient>(v)
                    .map(|c| Modal::Detail(clients::created_detail(c)));
                self.load(self.current);
            }
            What::Change(_)
            | What::Identities(_)
            | What::PickerRoles
            | What::Permissions(..)
            | What::VersionFiles
            | What::Diff
            | What::Activated(_) => {}
        }
    }

    /// An answer of the expected type, or an error said in the status bar.
    fn answer<T: DeserializeOwned>(&mut self, v: Value) -> Option<T> {
        match serde_json::from_value(v) {
            Ok(t) => Some(t),
            Err(e) => {
                self.error(format!("unexpected answer: {e}"));
                None
            }
        }
    }
}
