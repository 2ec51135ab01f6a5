//! Keys map to [`Action`]s through lists of [`Binding`]s: the global list here and each
//! view's own list. The same lists drive the key handling, the status-bar hints and the `?`
//! help, so a key that works is always shown and a key that is shown always works.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

/// Everything a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    NextTab,
    PrevTab,
    /// Go to a tab by number (the digit of the key).
    GoTab,
    Help,
    Refresh,
    SignOut,
    /// Open the last message in full.
    Messages,
    // Lists.
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Enter,
    Back,
    Filter,
    // Changes and view-specific keys.
    New,
    EditRoles,
    ToggleDisabled,
    ResetPassword,
    Revoke,
    Unlock,
    Identities,
    Unlink,
    Delete,
    Reload,
    ReloadError,
    WhatIf,
    DeniesOnly,
    Rotate,
    /// Policy versions: the diff against the active (or marked) version, mark a version as
    /// the diff's other side, roll back to a version, publish a directory.
    Diff,
    Mark,
    Rollback,
    Publish,
    /// Open the `:` command line (k9s-style: `:users`, `:sessions alice`).
    Command,
}

/// One key binding: the keys, how the key is shown, the action, whether it changes
/// anything (refused in `--read-only`), its help text, and its status-bar hint (empty: only
/// in the `?` help).
#[derive(Debug)]
pub struct Binding {
    pub keys: &'static [KeyCode],
    pub label: &'static str,
    pub action: Action,
    pub changes: bool,
    pub help: &'static str,
    pub hint: &'static str,
}

/// A binding that reads something.
pub const fn read(
    keys: &'static [KeyCode],
    label: &'static str,
    action: Action,
    help: &'static str,
    hint: &'static str,
) -> Binding {
    Binding {
        keys,
        label,
        action,
        changes: false,
        help,
        hint,
    }
}

/// A binding that changes something (refused and hidden in `--read-only`).
pub const fn change(
    keys: &'static [KeyCode],
    label: &'static str,
    action: Action,
    help: &'static str,
    hint: &'static str,
) -> Binding {
    Binding {
        keys,
        label,
        action,
        changes: true,
        help,
        hint,
    }
}

use KeyCode::Char as C;

/// Keys that work on every tab.
pub static GLOBAL: &[Binding] = &[
    read(&[C('q')], "q", Action::Quit, "quit", "quit"),
    read(&[C('?')], "?", Action::Help, "help", "help"),
    read(&[KeyCode::Tab], "Tab", Action::NextTab, "next tab", ""),
    read(
        &[KeyCode::BackTab],
        "S-Tab",
        Action::PrevTab,
        "previous tab",
        "",
    ),
    read(
        &[
            C('1'),
            C('2'),
            C('3'),
            C('4'),
            C('5'),
            C('6'),
            C('7'),
            C('8'),
            C('9'),
            C('0'),
        ],
        "0-9",
        Action::GoTab,
        "go to tab",
        "",
    ),
    read(
        &[C('R'), KeyCode::F(5)],
        "R/F5",
        Action::Refresh,
        "refresh (retries refusals)",
        "",
    ),
    read(&[C('m')], "m", Action::Messages, "last message in full", ""),
    read(&[C('L')], "L", Action::SignOut, "sign out", ""),
    read(&[C(':')], ":", Action::Command, "command line (:users)", ""),
];

/// Keys of every list.
pub static LIST: &[Binding] = &[
    read(&[KeyCode::Up, C('k')], "↑/k", Action::Up, "up", ""),
    read(&[KeyCode::Down, C('j')], "↓/j", Action::Down, "down", ""),
    read(&[KeyCode::PageUp], "PgUp", Action::PageUp, "page up", ""),
    read(
        &[KeyCode::PageDown],
        "PgDn",
        Action::PageDown,
        "page down",
        "",
    ),
    read(
        &[KeyCode::Home, C('g')],
        "Home/g",
        Action::Top,
        "first row",
        "",
    ),
    read(
        &[KeyCode::End, C('G')],
        "End/G",
        Action::Bottom,
        "last row",
        "",
    ),
    read(
        &[KeyCode::Enter],
        "Enter",
        Action::Enter,
        "details",
        "details",
    ),
    read(&[C('/')], "/", Action::Filter, "filter", "filter"),
    read(&[KeyCode::Esc], "Esc", Action::Back, "clear the filter", ""),
];

/// The binding among `lists` that `key` triggers.
pub fn lookup<'a>(key: &KeyEvent, lists: &[&'a [Binding]]) -> Option<&'a Binding> {
    lists
        .iter()
        .flat_map(|l| l.iter())
        .find(|b| b.keys.contains(&key.code))
}

/// The tab number of a digit key (`1` is 0).
pub fn tab_number(key: &KeyEvent) -> Option<usize> {
    match key.code {
        KeyCode::Char(c @ '1'..='9') => Some(c as usize - '1' as usize),
        // The tenth tab, as on a keyboard's number row.
        KeyCode::Char('0') => Some(9),
        _ => None,
    }
}
