//! Keys map to [`Action`]s. One table, [`KEYMAP`], drives the key handling, the status bar
//! hints and the `?` help, so they can never disagree.

use super::app::Tab;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    NextTab,
    PrevTab,
    GoTab(usize),
    Up,
    Down,
    Enter,
    Back,
    Help,
    Filter,
    New,
    EditRoles,
    ToggleDisabled,
    ResetPassword,
    Revoke,
    Delete,
    Reload,
    WhatIf,
    DeniesOnly,
    Refresh,
}

/// Where a key works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    Tab(Tab),
}

/// One key binding: the key as shown, the action, where it works, whether it changes
/// anything (refused in `--read-only`), its help text, and its status-bar hint (empty:
/// only in the `?` help).
pub struct Binding {
    pub key: &'static str,
    pub action: Action,
    pub scope: Scope,
    pub changes: bool,
    pub help: &'static str,
    pub hint: &'static str,
}

const fn b(
    key: &'static str,
    action: Action,
    scope: Scope,
    changes: bool,
    help: &'static str,
    hint: &'static str,
) -> Binding {
    Binding {
        key,
        action,
        scope,
        changes,
        help,
        hint,
    }
}

/// Every binding.
pub static KEYMAP: &[Binding] = &[
    b("q", Action::Quit, Scope::Everywhere, false, "quit", "quit"),
    b(
        "Tab",
        Action::NextTab,
        Scope::Everywhere,
        false,
        "next tab",
        "",
    ),
    b(
        "S-Tab",
        Action::PrevTab,
        Scope::Everywhere,
        false,
        "previous tab",
        "",
    ),
    b(
        "1-7",
        Action::GoTab(0),
        Scope::Everywhere,
        false,
        "go to tab",
        "",
    ),
    b("↑/k", Action::Up, Scope::Everywhere, false, "up", ""),
    b("↓/j", Action::Down, Scope::Everywhere, false, "down", ""),
    b(
        "Enter",
        Action::Enter,
        Scope::Everywhere,
        false,
        "details",
        "",
    ),
    b(
        "Esc",
        Action::Back,
        Scope::Everywhere,
        false,
        "back / close",
        "",
    ),
    b("?", Action::Help, Scope::Everywhere, false, "help", "help"),
    b(
        "R",
        Action::Refresh,
        Scope::Everywhere,
        false,
        "refresh now",
        "",
    ),
    b(
        "/",
        Action::Filter,
        Scope::Tab(Tab::Users),
        false,
        "filter users",
        "filter",
    ),
    b(
        "n",
        Action::New,
        Scope::Tab(Tab::Users),
        true,
        "new user",
        "new",
    ),
    b(
        "e",
        Action::EditRoles,
        Scope::Tab(Tab::Users),
        true,
        "edit roles",
        "roles",
    ),
    b(
        "d",
        Action::ToggleDisabled,
        Scope::Tab(Tab::Users),
        true,
        "disable / enable",
        "(dis)able",
    ),
    b(
        "p",
        Action::ResetPassword,
        Scope::Tab(Tab::Users),
        true,
        "reset password",
        "passwd",
    ),
    b(
        "x",
        Action::Revoke,
        Scope::Tab(Tab::Users),
        true,
        "revoke all tokens and sessions",
        "revoke",
    ),
    b(
        "x",
        Action::Revoke,
        Scope::Tab(Tab::Sessions),
        true,
        "revoke session",
        "revoke",
    ),
    b(
        "n",
        Action::New,
        Scope::Tab(Tab::Roles),
        true,
        "new role",
        "new",
    ),
    b(
        "e",
        Action::EditRoles,
        Scope::Tab(Tab::Roles),
        true,
        "edit parents",
        "parents",
    ),
    b(
        "D",
        Action::Delete,
        Scope::Tab(Tab::Roles),
        true,
        "delete role",
        "delete",
    ),
    b(
        "f",
        Action::DeniesOnly,
        Scope::Tab(Tab::Decisions),
        false,
        "only denies",
        "denies only",
    ),
    b(
        "r",
        Action::Reload,
        Scope::Tab(Tab::Policies),
        true,
        "reload policies",
        "reload",
    ),
    b(
        "w",
        Action::WhatIf,
        Scope::Tab(Tab::Policies),
        false,
        "what-if",
        "what-if",
    ),
];

/// The bindings that apply on `tab`.
pub fn bindings_for(tab: Tab) -> impl Iterator<Item = &'static Binding> {
    KEYMAP
        .iter()
        .filter(move |b| b.scope == Scope::Everywhere || b.scope == Scope::Tab(tab))
}

/// The action for a key on `tab`, if any.
pub fn action_for(key: KeyEvent, tab: Tab) -> Option<Action> {
    let action = match (key.code, key.modifiers) {
        (KeyCode::Char('c'), m) if m.contains(KeyModifiers::CONTROL) => return Some(Action::Quit),
        (KeyCode::Char('q'), _) => Action::Quit,
        (KeyCode::Tab, _) => Action::NextTab,
        (KeyCode::BackTab, _) => Action::PrevTab,
        (KeyCode::Char(c @ '1'..='7'), _) => return Some(Action::GoTab(c as usize - '1' as usize)),
        (KeyCode::Up | KeyCode::Char('k'), _) => Action::Up,
        (KeyCode::Down | KeyCode::Char('j'), _) => Action::Down,
        (KeyCode::Enter, _) => Action::Enter,
        (KeyCode::Esc, _) => Action::Back,
        (KeyCode::Char('?'), _) => Action::Help,
        (KeyCode::Char('R') | KeyCode::F(5), _) => Action::Refresh,
        (KeyCode::Char('/'), _) => Action::Filter,
        (KeyCode::Char('n'), _) => Action::New,
        (KeyCode::Char('e'), _) => Action::EditRoles,
        (KeyCode::Char('d'), _) => Action::ToggleDisabled,
        (KeyCode::Char('p'), _) => Action::ResetPassword,
        (KeyCode::Char('x'), _) => Action::Revoke,
        (KeyCode::Char('D'), _) => Action::Delete,
        (KeyCode::Char('r'), _) => Action::Reload,
        (KeyCode::Char('w'), _) => Action::WhatIf,
        (KeyCode::Char('f'), _) => Action::DeniesOnly,
        _ => return None,
    };
    // A key only does what the keymap says it does on this tab.
    bindings_for(tab)
        .any(|b| b.action == action)
        .then_some(action)
}

/// Whether `action` on `tab` would change something (refused in read-only mode).
pub fn changes(action: Action, tab: Tab) -> bool {
    bindings_for(tab).any(|b| b.action == action && b.changes)
}
