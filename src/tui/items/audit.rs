//! The audit log view: who changed what, and the change in a few words.

use crate::api::AuditEntry;
use crate::tui::detail::Detail;
use crate::tui::list::Item;
use crate::tui::msg::ViewId;
use crate::tui::style::when;
use crate::tui::view::Ctx;
use ratatui::layout::Constraint;
use serde_json::Value;

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
    const SUBJECT: Option<&'static str> = Some("actor");

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
