//! The rows of each list view: columns, details, filters and their own keys.

use super::keys::{change, read, Action, Binding};
use super::modal::{Confirm, Detail, Form, FormKind, PickFor, WHAT_IF_RESOURCE};
use super::ui::{dim, when};
use super::view::{Ctx, Effect, Item, ViewId};
use super::worker::{Request, What};
use crate::api::*;
use ratatui::crossterm::event::KeyCode::Char as C;
use ratatui::layout::Constraint;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use serde_json::Value;
use std::time::Duration;

fn confirm(prompt: String, warning: Option<String>, request: Request) -> Vec<Effect> {
    vec![Effect::Confirm(Confirm {
        prompt,
        warning,
        request,
    })]
}

fn send(method: &'static str, path: String, body: Option<Value>, done: String) -> Request {
    Request::Send {
        method,
        path,
        body,
        what: What::Change(done),
    }
}

/// Path segments are escaped: ids come from the server but may hold any character.
fn seg(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').replace('+', "%20"))
        .unwrap_or_default()
}

// ---- users ----

static USER_KEYS: &[Binding] = &[
    change(&[C('n')], "n", Action::New, "new user", "new"),
    change(&[C('e')], "e", Action::EditRoles, "edit roles", "roles"),
    change(
        &[C('d')],
        "d",
        Action::ToggleDisabled,
        "disable / enable",
        "(dis)able",
    ),
    change(
        &[C('p')],
        "p",
        Action::ResetPassword,
        "reset password",
        "passwd",
    ),
    change(
        &[C('x')],
        "x",
        Action::Revoke,
        "revoke all tokens, sessions",
        "revoke",
    ),
    change(
        &[C('u')],
        "u",
        Action::Unlock,
        "unlock (clear sign-in limit)",
        "unlock",
    ),
    read(
        &[C('i')],
        "i",
        Action::Identities,
        "identity links (list)",
        "links",
    ),
    change(
        &[C('U')],
        "U",
        Action::Unlink,
        "unlink an identity",
        "unlink",
    ),
];

impl Item for User {
    const VIEW: ViewId = ViewId::Users;
    const NOUN: &'static str = "users";
    const PATH: &'static str = "/admin/v1/users";
    const QUERY: &'static [(&'static str, &'static str)] = &[("limit", "1000")];
    const WORDS: Option<&'static str> = Some("filter");

    fn header() -> Vec<(&'static str, Constraint)> {
        vec![
            ("ID", Constraint::Percentage(18)),
            ("EMAIL", Constraint::Percentage(30)),
            ("NAME", Constraint::Percentage(18)),
            ("ROLES", Constraint::Percentage(20)),
            ("STATUS", Constraint::Min(8)),
        ]
    }

    fn cells(&self, ctx: &Ctx<'_>) -> Vec<String> {
        let me = if self.id == ctx.me.id { " (you)" } else { "" };
        vec![
            format!("{}{me}", self.id),
            self.email.clone(),
            self.name.clone(),
            self.roles.join(","),
            if self.disabled { "disabled" } else { "active" }.to_string(),
        ]
    }

    fn style(&self) -> Style {
        if self.disabled {
            dim()
        } else {
            Style::new()
        }
    }

    fn detail(&self, _ctx: &Ctx<'_>) -> Detail {
        Detail::fields(
            format!("User {}", self.id),
            &[
                ("id", self.id.clone()),
                ("email", self.email.clone()),
                ("name", self.name.clone()),
                ("roles", self.roles.join(", ")),
                (
                    "status",
                    if self.disabled { "disabled" } else { "active" }.into(),
                ),
                ("created", when(self.created_at)),
                (
                    "tokens from",
                    if self.tokens_valid_after == 0 {
                        "any time".into()
                    } else {
                        format!("{} (older ones revoked)", when(self.tokens_valid_after))
                    },
                ),
            ],
        )
    }

    fn keys() -> &'static [Binding] {
        USER_KEYS
    }

    fn act(action: Action, row: Option<&Self>, ctx: &Ctx<'_>) -> Vec<Effect> {
        if action == Action::New {
            return vec![Effect::Form(Form::new(
                FormKind::CreateUser,
                "New user",
                &[
                    ("Email", false),
                    ("Id (optional)", false),
                    ("Name", false),
                    ("Password", true),
                    ("Roles (comma-separated)", false),
                ],
            ))];
        }
        let Some(u) = row else {
            return Vec::new();
        };
        let you = u.id == ctx.me.id;
        let id = seg(&u.id);
        match action {
            Action::EditRoles => vec![Effect::Pick(
                PickFor::UserRoles(u.id.clone()),
                u.roles.clone(),
            )],
            Action::ToggleDisabled => {
                let disable = !u.disabled;
                confirm(
                    if disable {
                        format!("Disable {}? Their sessions end.", u.id)
                    } else {
                        format!("Enable {}?", u.id)
                    },
                    (you && disable).then(|| {
                        "This is you: you will be signed out and cannot sign back in.".into()
                    }),
                    send(
                        "PATCH",
                        format!("/admin/v1/users/{id}"),
                        serde_json::to_value(UpdateUser {
                            disabled: Some(disable),
                            ..Default::default()
                        })
                        .ok(),
                        format!(
                            "{} is now {}",
                            u.id,
                            if disable { "disabled" } else { "enabled" }
                        ),
                    ),
                )
            }
            Action::ResetPassword => vec![Effect::Form(Form::new(
                FormKind::ResetPassword(u.id.clone()),
                "Reset password",
                &[("New password", true)],
            ))],
            Action::Revoke => confirm(
                format!("Revoke every token and session of {}?", u.id),
                you.then(|| "This is you: this console's session ends too.".into()),
                send(
                    "POST",
                    format!("/admin/v1/users/{id}/revoke"),
                    None,
                    format!("revoked every token and session of {}", u.id),
                ),
            ),
            Action::Unlock => vec![Effect::Request(send(
                "POST",
                format!("/admin/v1/users/{id}/unlock"),
                None,
                format!("{} may sign in again (throttle cleared)", u.id),
            ))],
            Action::Identities => vec![Effect::Request(Request::Send {
                method: "GET",
                path: format!("/admin/v1/users/{id}/identities"),
                body: None,
                what: What::Identities(u.id.clone()),
            })],
            Action::Unlink => vec![Effect::Form(Form::new(
                FormKind::Unlink(u.id.clone()),
                "Unlink an identity provider",
                &[("Issuer", false), ("Subject", false)],
            ))],
            _ => Vec::new(),
        }
    }
}

// ---- roles ----

static ROLE_KEYS: &[Binding] = &[
    change(&[C('n')], "n", Action::New, "new role", "new"),
    change(&[C('e')], "e", Action::EditRoles, "edit parents", "parents"),
    change(&[C('D')], "D", Action::Delete, "delete role", "delete"),
];

impl Item for Role {
    const VIEW: ViewId = ViewId::Roles;
    const NOUN: &'static str = "roles";
    const PATH: &'static str = "/admin/v1/roles";

    fn header() -> Vec<(&'static str, Constraint)> {
        vec![
            ("ROLE", Constraint::Percentage(35)),
            ("PARENTS", Constraint::Percentage(50)),
            ("USERS", Constraint::Min(5)),
        ]
    }

    fn cells(&self, _ctx: &Ctx<'_>) -> Vec<String> {
        vec![
            self.name.clone(),
            self.parents.join(", "),
            self.users.to_string(),
        ]
    }

    fn detail(&self, _ctx: &Ctx<'_>) -> Detail {
        Detail::fields(
            format!("Role {}", self.name),
            &[
                ("name", self.name.clone()),
                (
                    "parents",
                    if self.parents.is_empty() {
                        "(none)".into()
                    } else {
                        self.parents.join(", ")
                    },
                ),
                ("users", format!("{} hold it directly", self.users)),
            ],
        )
    }

    fn keys() -> &'static [Binding] {
        ROLE_KEYS
    }

    fn act(action: Action, row: Option<&Self>, ctx: &Ctx<'_>) -> Vec<Effect> {
        if action == Action::New {
            return vec![Effect::Form(Form::new(
                FormKind::CreateRole,
                "New role",
                &[("Name", false), ("Parents (comma-separated)", false)],
            ))];
        }
        let Some(r) = row else {
            return Vec::new();
        };
        match action {
            Action::EditRoles => vec![Effect::Pick(
                PickFor::RoleParents(r.name.clone()),
                r.parents.clone(),
            )],
            Action::Delete => confirm(
                format!("Delete role {}? It is taken from every user.", r.name),
                ctx.me
                    .roles
                    .contains(&r.name)
                    .then(|| format!("You hold {}: you may lose your own access.", r.name)),
                send(
                    "DELETE",
                    format!("/admin/v1/roles/{}?force=true", seg(&r.name)),
                    None,
                    format!("deleted role {}", r.name),
                ),
            ),
            _ => Vec::new(),
        }
    }
}

// ---- sessions ----

static SESSION_KEYS: &[Binding] = &[change(
    &[C('x')],
    "x",
    Action::Revoke,
    "revoke session",
    "revoke",
)];

impl Item for Session {
    const VIEW: ViewId = ViewId::Sessions;
    const NOUN: &'static str = "sessions";
    const PATH: &'static str = "/admin/v1/sessions";
    const PARAMS: &'static [&'static str] = &["user", "active"];

    fn header() -> Vec<(&'static str, Constraint)> {
        vec![
            ("SESSION", Constraint::Length(12)),
            ("USER", Constraint::Min(10)),
            ("CREATED", Constraint::Length(19)),
            ("STATUS", Constraint::Min(8)),
        ]
    }

    fn cells(&self, ctx: &Ctx<'_>) -> Vec<String> {
        let status = match &self.revoked_reason {
            Some(r) => format!("revoked ({r})"),
            None if self.id == ctx.me.session_id => "active (this console)".into(),
            None => "active".to_string(),
        };
        vec![
            self.id.chars().take(10).collect(),
            self.user_id.clone(),
            when(self.created_at),
            status,
        ]
    }

    fn style(&self) -> Style {
        if self.revoked_at.is_some() {
            dim()
        } else {
            Style::new()
        }
    }

    fn detail(&self, _ctx: &Ctx<'_>) -> Detail {
        Detail::fields(
            format!("Session {}", self.id),
            &[
                ("session", self.id.clone()),
                ("user", self.user_id.clone()),
                ("created", when(self.created_at)),
                ("last used", when(self.last_used_at)),
                ("expires", when(self.expires_at)),
                (
                    "revoked",
                    match (self.revoked_at, &self.revoked_reason) {
                        (Some(at), r) => {
                            format!("{} ({})", when(at), r.clone().unwrap_or_default())
                        }
                        (None, _) => "no".into(),
                    },
                ),
            ],
        )
    }

    fn keys() -> &'static [Binding] {
        SESSION_KEYS
    }

    fn act(action: Action, row: Option<&Self>, ctx: &Ctx<'_>) -> Vec<Effect> {
        let (Action::Revoke, Some(s)) = (action, row) else {
            return Vec::new();
        };
        let warning = if s.id == ctx.me.session_id {
            Some("This is the session of this console: you will be signed out.".into())
        } else if s.user_id == ctx.me.id {
            Some("This is one of your own sessions.".into())
        } else {
            None
        };
        confirm(
            format!("Revoke session {} of {}?", s.id, s.user_id),
            warning,
            send(
                "DELETE",
                format!("/admin/v1/sessions/{}", seg(&s.id)),
                None,
                format!("revoked session {}", s.id),
            ),
        )
    }
}

// ---- decisions ----

/// Allows green, denies red, plans (neither) in the default colour of text.
fn decision_colour(kind: DecisionKind) -> Color {
    match kind {
        DecisionKind::Allow => Color::Green,
        DecisionKind::Deny => Color::Red,
        DecisionKind::Plan => Color::Reset,
    }
}

static DECISION_KEYS: &[Binding] = &[read(
    &[C('f')],
    "f",
    Action::DeniesOnly,
    "only denies (toggle)",
    "denies only",
)];

impl Item for DecisionEntry {
    const VIEW: ViewId = ViewId::Decisions;
    const NOUN: &'static str = "the decision log";
    const PATH: &'static str = "/admin/v1/decisions";
    const QUERY: &'static [(&'static str, &'static str)] = &[("limit", "200")];
    const PARAMS: &'static [&'static str] = &["principal", "action"];
    /// The long-poll keeps it live; this is only the fallback.
    const POLL: Duration = Duration::from_secs(60);

    fn header() -> Vec<(&'static str, Constraint)> {
        vec![
            ("TIME", Constraint::Length(19)),
            ("DECISION", Constraint::Length(8)),
            ("PRINCIPAL", Constraint::Percentage(25)),
            ("ACTION", Constraint::Percentage(25)),
            ("RESOURCE", Constraint::Min(8)),
        ]
    }

    fn cells(&self, _ctx: &Ctx<'_>) -> Vec<String> {
        vec![
            when(self.at),
            self.decision.to_string(),
            self.principal.clone(),
            self.action.clone(),
            self.resource.clone(),
        ]
    }

    fn style(&self) -> Style {
        Style::new().fg(decision_colour(self.decision))
    }

    fn detail(&self, _ctx: &Ctx<'_>) -> Detail {
        let mut d = Detail::fields(
            format!("Decision {}", self.id),
            &[
                ("time", when(self.at)),
                ("decision", self.decision.to_string()),
                ("principal", self.principal.clone()),
                ("action", self.action.clone()),
                ("resource", self.resource.clone()),
                ("properties", json_or_none(&self.properties)),
                ("context", json_or_none(&self.context)),
                (
                    "policies",
                    if self.reasons.is_empty() && !self.errors.is_empty() {
                        "(none: the errors below denied it)".into()
                    } else if self.reasons.is_empty() {
                        "(none: no policy applied, so the default deny)".into()
                    } else {
                        self.reasons.join("\n")
                    },
                ),
                ("client", self.client.clone()),
                ("request", self.request_id.clone()),
                ("latency", format!("{} µs", self.latency_us)),
            ],
        );
        let colour = decision_colour(self.decision);
        if let Some(line) = d.lines.get_mut(1) {
            *line = Line::from(vec![
                Span::styled(format!("{:<12}", "decision"), dim()),
                Span::styled(
                    self.decision.to_string(),
                    Style::new().fg(colour).add_modifier(Modifier::BOLD),
                ),
            ]);
        }
        for e in &self.errors {
            d.lines.push(Line::from(vec![
                Span::styled(format!("{:<12}", "error"), dim()),
                Span::styled(e.clone(), Style::new().fg(Color::Red)),
            ]));
        }
        d
    }

    fn keys() -> &'static [Binding] {
        DECISION_KEYS
    }

    fn params(filter: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for term in filter.split_whitespace() {
            match term.split_once(':') {
                Some((k, v)) if Self::PARAMS.contains(&k) => out.push((k.to_string(), v.into())),
                _ if DecisionKind::parse(term).is_ok() => {
                    out.push(("decision".into(), term.into()))
                }
                _ => {}
            }
        }
        out
    }

    fn row_id(&self) -> i64 {
        self.id
    }
}

// ---- policies ----

static POLICY_KEYS: &[Binding] = &[
    change(&[C('r')], "r", Action::Reload, "reload policies", "reload"),
    read(&[C('w')], "w", Action::WhatIf, "what-if", "what-if"),
    read(
        &[C('E')],
        "E",
        Action::ReloadError,
        "last refused reload in full",
        "",
    ),
];

impl Item for Policy {
    const VIEW: ViewId = ViewId::Policies;
    const NOUN: &'static str = "policies";
    const PATH: &'static str = "/admin/v1/policies";

    fn header() -> Vec<(&'static str, Constraint)> {
        vec![
            ("ID", Constraint::Percentage(45)),
            ("EFFECT", Constraint::Length(7)),
            ("WHERE", Constraint::Percentage(30)),
            ("STATUS", Constraint::Min(6)),
        ]
    }

    fn cells(&self, _ctx: &Ctx<'_>) -> Vec<String> {
        vec![
            self.id.clone(),
            self.effect.clone(),
            format!("{}:{}", self.file, self.line),
            self.status.clone(),
        ]
    }

    fn detail(&self, _ctx: &Ctx<'_>) -> Detail {
        let mut lines = vec![
            Line::styled(
                format!(
                    "{}:{} · {} · {}",
                    self.file, self.line, self.effect, self.status
                ),
                dim(),
            ),
            Line::raw(""),
        ];
        if self.source.is_empty() {
            lines.push(Line::raw("(the server did not send the source)"));
        }
        for (n, text) in self.source.lines().enumerate() {
            lines.push(Line::from(vec![
                Span::styled(format!("{:>4} ", self.line + n), dim()),
                Span::raw(text.to_string()),
            ]));
        }
        Detail::new(format!("Policy {}", self.id), lines)
    }

    fn keys() -> &'static [Binding] {
        POLICY_KEYS
    }

    fn act(action: Action, _row: Option<&Self>, _ctx: &Ctx<'_>) -> Vec<Effect> {
        match action {
            Action::Reload => vec![Effect::Request(send(
                "POST",
                "/admin/v1/policies/reload".into(),
                None,
                "policies reloaded".into(),
            ))],
            Action::WhatIf => vec![Effect::Form(Form::new(
                FormKind::WhatIf,
                "What if (no change is made)",
                &[
                    ("User", false),
                    ("Action", false),
                    (WHAT_IF_RESOURCE, false),
                    ("Properties (JSON)", false),
                    ("Context (JSON)", false),
                ],
            ))],
            _ => Vec::new(),
        }
    }

    fn listing(value: Value) -> Result<(Vec<Self>, Option<String>), String> {
        let list: PolicyList = serde_json::from_value(value).map_err(|e| e.to_string())?;
        Ok((list.policies, list.last_error))
    }
}

// ---- audit ----

/// What an audit entry changed, in a few words: `before -> after` when the entry has both
/// (field by field when they are objects, as a user's update has them).
pub fn change_summary(detail: &Value) -> String {
    fn short(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Array(a) if a.is_empty() => "(none)".into(),
            Value::Array(a) => a.iter().map(short).collect::<Vec<_>>().join(","),
            Value::Null => "(none)".into(),
            other => other.to_string(),
        }
    }
    let Some(map) = detail.as_object() else {
        return short(detail);
    };
    match (map.get("before"), map.get("after")) {
        (Some(Value::Object(before)), Some(Value::Object(after))) => {
            return after
                .iter()
                .map(|(k, v)| {
                    let was = before.get(k).unwrap_or(&Value::Null);
                    format!("{k}: {} -> {}", short(was), short(v))
                })
                .collect::<Vec<_>>()
                .join(" · ");
        }
        (Some(before), Some(after)) => {
            return format!("{} -> {}", short(before), short(after));
        }
        _ => {}
    }
    map.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match v {
            Value::Bool(true) => k.clone(),
            _ => format!("{k}: {}", short(v)),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

impl Item for AuditEntry {
    const VIEW: ViewId = ViewId::Audit;
    const NOUN: &'static str = "the audit log";
    const PATH: &'static str = "/admin/v1/audit";
    const QUERY: &'static [(&'static str, &'static str)] = &[("limit", "200")];
    const PARAMS: &'static [&'static str] = &["actor", "action"];

    fn header() -> Vec<(&'static str, Constraint)> {
        vec![
            ("TIME", Constraint::Length(19)),
            ("WHO", Constraint::Percentage(15)),
            ("ACTION", Constraint::Percentage(15)),
            ("TARGET", Constraint::Percentage(20)),
            ("CHANGE", Constraint::Min(8)),
        ]
    }

    fn cells(&self, _ctx: &Ctx<'_>) -> Vec<String> {
        vec![
            when(self.at),
            self.actor.clone(),
            self.action.clone(),
            self.target.clone(),
            change_summary(&self.detail),
        ]
    }

    fn detail(&self, _ctx: &Ctx<'_>) -> Detail {
        let pretty = serde_json::to_string_pretty(&self.detail).unwrap_or_default();
        Detail::fields(
            format!("Audit {}", self.id),
            &[
                ("time", when(self.at)),
                ("who", self.actor.clone()),
                ("action", self.action.clone()),
                ("target", self.target.clone()),
                ("change", change_summary(&self.detail)),
                ("detail", pretty),
            ],
        )
    }
}

// ---- service clients ----

static CLIENT_KEYS: &[Binding] = &[
    change(
        &[C('n')],
        "n",
        Action::New,
        "new client (key shown once)",
        "new",
    ),
    change(&[C('x')], "x", Action::Revoke, "revoke client", "revoke"),
];

impl Item for Client {
    const VIEW: ViewId = ViewId::Clients;
    const NOUN: &'static str = "service clients";
    const PATH: &'static str = "/admin/v1/clients";

    fn header() -> Vec<(&'static str, Constraint)> {
        vec![
            ("ID", Constraint::Percentage(30)),
            ("NAME", Constraint::Percentage(30)),
            ("CREATED", Constraint::Length(19)),
            ("STATUS", Constraint::Min(8)),
        ]
    }

    fn cells(&self, _ctx: &Ctx<'_>) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            when(self.created_at),
            match self.revoked_at {
                Some(at) => format!("revoked {}", when(at)),
                None => "active".into(),
            },
        ]
    }

    fn style(&self) -> Style {
        if self.revoked_at.is_some() {
            dim()
        } else {
            Style::new()
        }
    }

    fn detail(&self, _ctx: &Ctx<'_>) -> Detail {
        Detail::fields(
            format!("Client {}", self.id),
            &[
                ("id", self.id.clone()),
                ("name", self.name.clone()),
                ("created", when(self.created_at)),
                (
                    "revoked",
                    self.revoked_at.map(when).unwrap_or_else(|| "no".into()),
                ),
                (
                    "key",
                    "shown once at creation; warden keeps only its hash".into(),
                ),
            ],
        )
    }

    fn keys() -> &'static [Binding] {
        CLIENT_KEYS
    }

    fn act(action: Action, row: Option<&Self>, _ctx: &Ctx<'_>) -> Vec<Effect> {
        match (action, row) {
            (Action::New, _) => vec![Effect::Form(Form::new(
                FormKind::CreateClient,
                "New service client",
                &[("Name", false)],
            ))],
            (Action::Revoke, Some(c)) => confirm(
                format!(
                    "Revoke client {} ({})? Services using its key are refused.",
                    c.name, c.id
                ),
                None,
                send(
                    "DELETE",
                    format!("/admin/v1/clients/{}", seg(&c.id)),
                    None,
                    format!("revoked client {}", c.name),
                ),
            ),
            _ => Vec::new(),
        }
    }
}

// ---- signing keys ----

static SIGNING_KEYS: &[Binding] = &[change(
    &[C('r')],
    "r",
    Action::Rotate,
    "rotate the signing key",
    "rotate",
)];

impl Item for SigningKey {
    const VIEW: ViewId = ViewId::Keys;
    const NOUN: &'static str = "signing keys";
    const PATH: &'static str = "/admin/v1/keys";
    const POLL: Duration = Duration::from_secs(30);

    fn header() -> Vec<(&'static str, Constraint)> {
        vec![
            ("KID", Constraint::Length(18)),
            ("ALG", Constraint::Length(7)),
            ("CREATED", Constraint::Length(19)),
            ("STATUS", Constraint::Min(8)),
        ]
    }

    fn cells(&self, _ctx: &Ctx<'_>) -> Vec<String> {
        vec![
            self.kid.clone(),
            self.alg.clone(),
            when(self.created_at),
            match self.retired_at {
                Some(at) => format!("retired {}", when(at)),
                None => "active (signing)".into(),
            },
        ]
    }

    fn style(&self) -> Style {
        if self.retired_at.is_some() {
            dim()
        } else {
            Style::new()
        }
    }

    fn detail(&self, _ctx: &Ctx<'_>) -> Detail {
        Detail::fields(
            format!("Signing key {}", self.kid),
            &[
                ("kid", self.kid.clone()),
                ("algorithm", self.alg.clone()),
                ("created", when(self.created_at)),
                (
                    "retired",
                    match self.retired_at {
                        Some(at) => {
                            format!("{} (still verifies its tokens until they expire)", when(at))
                        }
                        None => "no: new tokens are signed with it".into(),
                    },
                ),
            ],
        )
    }

    fn keys() -> &'static [Binding] {
        SIGNING_KEYS
    }

    fn act(action: Action, _row: Option<&Self>, _ctx: &Ctx<'_>) -> Vec<Effect> {
        match action {
            Action::Rotate => confirm(
                "Rotate the signing key? New tokens get a new key; the old one keeps verifying until its tokens expire.".into(),
                None,
                send(
                    "POST",
                    "/admin/v1/keys/rotate".into(),
                    None,
                    "signing key rotated".into(),
                ),
            ),
            _ => Vec::new(),
        }
    }
}

/// A logged JSON object in full (pretty), or a word when there is none.
fn json_or_none(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(m) if m.is_empty() => "(none)".into(),
        serde_json::Value::Null => "(none)".into(),
        v => serde_json::to_string_pretty(v).unwrap_or_default(),
    }
}
