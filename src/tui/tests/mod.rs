//! View snapshots drawn to ratatui's TestBackend, and the update loop without a server
//! (the worker's jobs are inspected, its replies made up), by area. The fixtures and the
//! snapshot helper are here: every snapshot is taken by [`snapshot_sizes`], so the files
//! keep one name (`warden__tui__tests__*`) whichever area's test takes them.

mod dashboard;
mod forms;
mod layers;
mod lists;
mod papercuts;
mod session;
mod versions;
mod views;

use super::app::{App, Screen};
use super::client::{ClientError, Me};
use super::ui::draw;
use crate::api::{
    AuditEntry, Client, DecisionEntry, DecisionStats, Policy, PolicySource, PolicyVersionInfo,
    PolicyVersionList, Replica, Role, Session, SigningKey, User,
};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use serde_json::json;
use std::time::Instant;

const SIZES: [(u16, u16); 2] = [(80, 24), (140, 40)];

fn render(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| draw(f, app)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol().to_string())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn snapshot_sizes(name: &str, app: &App) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(app, w, h));
    }
}

const T0: i64 = 1_795_747_619;

fn user(id: &str, roles: &[&str], disabled: bool) -> User {
    User {
        id: id.into(),
        email: format!("{id}@example.com"),
        name: id.to_uppercase(),
        disabled,
        tokens_valid_after: 0,
        created_at: T0 - 86_400,
        roles: roles.iter().map(|r| r.to_string()).collect(),
    }
}

fn decision(id: i64, principal: &str, action: &str, allowed: bool) -> DecisionEntry {
    DecisionEntry {
        id,
        at: T0 + id,
        request_id: format!("req-{id}"),
        client: "client:web".into(),
        principal: format!("User::\"{principal}\""),
        action: format!("Action::\"{action}\""),
        resource: "UserResource::\"r1\"".into(),
        decision: crate::api::DecisionKind::of(allowed),
        reasons: if allowed {
            vec!["app.admin-delete-user-resource".into()]
        } else {
            vec![]
        },
        errors: vec![],
        latency_us: 12,
        properties: serde_json::json!({"owner": {"type": "User", "id": "alice"}}),
        context: serde_json::json!({}),
        address: "203.0.113.5".into(),
    }
}

fn replica(id: &str, address: &str, hash: &str, differs: bool) -> Replica {
    Replica {
        id: id.into(),
        address: address.into(),
        version: "0.1.0".into(),
        started_at: T0 - 3_600,
        policy_hash: hash.repeat(16),
        seen_at: T0,
        policy_differs: differs,
    }
}

fn version(n: i64, active: bool, message: &str, rollback_of: Option<i64>) -> PolicyVersionInfo {
    PolicyVersionInfo {
        version: n,
        hash: format!("{n}f3a9c0d1e2b4").repeat(5),
        author: if n == 1 { "cli".into() } else { "admin".into() },
        created_at: T0 - 86_400 * (5 - n),
        message: message.into(),
        rollback_of,
        active,
        files: vec![
            "app.cedar".into(),
            "schema.cedarschema".into(),
            "warden.cedar".into(),
        ],
    }
}

/// Four published versions, the rollback on top active.
fn versions() -> PolicyVersionList {
    PolicyVersionList {
        source: PolicySource::Store,
        active: Some(4),
        versions: vec![
            version(4, true, "rollback to version 2", Some(2)),
            version(3, false, "editors may delete their own documents", None),
            version(2, false, "support may revoke sessions", None),
            version(1, false, "warden init: the shipped policies", None),
        ],
    }
}

fn me() -> Me {
    Me {
        id: "admin".into(),
        email: "admin@localhost".into(),
        roles: vec!["ADMIN".into()],
        session_id: "s-admin-1".into(),
    }
}

/// An admin signed in with every view loaded.
fn signed_in() -> App {
    let mut app = App::new("http://127.0.0.1:8080", false, Instant::now());
    app.screen = Screen::Main;
    app.me = me();
    let v = &mut app.views;
    v.dashboard.set(DecisionStats {
        allowed: 33,
        denied: 7,
        top_denied: vec![],
        last_id: 40,
    });
    v.dashboard.set(DecisionStats {
        allowed: 40,
        denied: 7,
        top_denied: vec![
            ("Action::\"deleteUserResource\"".into(), 6),
            ("Action::\"editDocument\"".into(), 1),
        ],
        last_id: 47,
    });
    v.dashboard.set_replicas(vec![
        replica(
            "5f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5",
            "10.0.0.1:8080",
            "aaaa",
            false,
        ),
        replica(
            "9a8b7c6d5e4f30211203f4e5d6c7b8a9",
            "10.0.0.2:8080",
            "aaaa",
            false,
        ),
        replica(
            "c0ffee00c0ffee00c0ffee00c0ffee00",
            "10.0.0.3:8080",
            "bbbb",
            true,
        ),
    ]);
    v.users.set_rows(vec![
        user("admin", &["ADMIN"], false),
        user("alice", &["USER"], false),
        user("mallory", &[], true),
    ]);
    v.roles.set_rows(vec![
        Role {
            name: "ADMIN".into(),
            parents: vec!["USER".into()],
            users: 1,
        },
        Role {
            name: "USER".into(),
            parents: vec![],
            users: 1,
        },
    ]);
    v.sessions.set_rows(vec![
        Session {
            id: "s-admin-1".into(),
            user_id: "admin".into(),
            created_at: T0,
            last_used_at: T0 + 60,
            expires_at: T0 + 7 * 86_400,
            revoked_at: None,
            revoked_reason: None,
        },
        Session {
            id: "s-alice-1".into(),
            user_id: "alice".into(),
            created_at: T0 - 3600,
            last_used_at: T0 - 60,
            expires_at: T0 + 6 * 86_400,
            revoked_at: Some(T0 - 30),
            revoked_reason: Some("revoked_by_admin".into()),
        },
    ]);
    v.decisions.set_rows(vec![
        decision(3, "alice", "deleteUserResource", false),
        decision(2, "admin", "deleteUserResource", true),
        decision(1, "alice", "readUserResource", true),
    ]);
    v.policies.set_rows(vec![
        Policy {
            id: "app.admin-delete-user-resource".into(),
            file: "app.cedar".into(),
            line: 4,
            effect: "permit".into(),
            status: "active".into(),
            source: "@id(\"app.admin-delete-user-resource\")\npermit (\n  principal in Role::\"ADMIN\",\n  action == Action::\"deleteUserResource\",\n  resource\n);".into(),
        },
        Policy {
            id: "warden.admin-all".into(),
            file: "warden.cedar".into(),
            line: 3,
            effect: "permit".into(),
            status: "active".into(),
            source: String::new(),
        },
    ]);
    v.audit.set_rows(vec![
        AuditEntry {
            id: 2,
            at: T0 + 5,
            actor: "user:admin".into(),
            action: "users.roles".into(),
            target: "user:alice".into(),
            detail: json!({"before": ["USER"], "after": ["ADMIN", "USER"]}),
            address: "127.0.0.1".into(),
        },
        AuditEntry {
            id: 1,
            at: T0,
            actor: "user:admin".into(),
            action: "sessions.revoke".into(),
            target: "session:s-alice-1".into(),
            detail: json!({"user": "alice"}),
            address: String::new(),
        },
    ]);
    v.clients.set_rows(vec![Client {
        id: "c-web".into(),
        name: "web".into(),
        created_at: T0,
        revoked_at: None,
    }]);
    v.versions.set(versions());
    v.keys.set_rows(vec![
        SigningKey {
            kid: "k2new".into(),
            alg: "EdDSA".into(),
            created_at: T0,
            retired_at: None,
        },
        SigningKey {
            kid: "k1old".into(),
            alg: "EdDSA".into(),
            created_at: T0 - 86_400,
            retired_at: Some(T0),
        },
    ]);
    app
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn press(app: &mut App, code: KeyCode) {
    app.on_key(key(code));
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn forbidden(what: &str) -> ClientError {
    ClientError::Api {
        status: 403,
        code: "forbidden".into(),
        message: format!("bob may not Warden::Action::\"{what}\": no policy permits it"),
    }
}
