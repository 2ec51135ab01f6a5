//! The what-if question (the policies' answer for a user, an action and a resource, with no
//! change made) and its answers: a decision for `Type::"id"`, or the type's query plan when
//! only a type is given.

use super::detail::Detail;
use super::msg::{Request, What};
use crate::api::{DecisionAnswer, Name, Plan, PlanKind, ResourceRef, WhatIf, WhatIfPlan};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use serde_json::{Map, Value};

/// The what-if form's resource field: `Type::"id"` asks for a decision, a type alone for
/// the type's query plan.
pub const RESOURCE_LABEL: &str = "Resource (Type::\"id\"; a Type alone: its plan)";

/// What the what-if form asks, as typed (trimmed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Question {
    pub user: String,
    pub action: String,
    /// `Type::"id"`, or a type alone.
    pub resource: String,
    /// A JSON object, or empty.
    pub properties: String,
    /// A JSON object, or empty.
    pub context: String,
}

impl Question {
    /// The question as a request: a decision for `Type::"id"`, the type's query plan for a
    /// type alone (no id).
    pub fn request(&self) -> Result<Request, String> {
        let (path, body, what) = self.body()?;
        Ok(Request::Send {
            method: "POST",
            path: path.into(),
            body: Some(body),
            what,
        })
    }

    fn body(&self) -> Result<(&'static str, Value, What), String> {
        let typed = self.resource.trim();
        if !typed.is_empty() && !typed.contains('"') {
            let resource_type = Name::new(typed.trim_end_matches("::"))
                .map_err(|e| format!("resource type: {e}"))?;
            if !self.properties.is_empty() {
                return Err(
                    "a plan is for every resource of the type: leave Properties empty".into(),
                );
            }
            let body = WhatIfPlan {
                user: self.user.clone(),
                action: self.action.clone(),
                resource_type,
                context: object(&self.context)?,
            };
            return serde_json::to_value(body)
                .map(|b| ("/admin/v1/whatif/plan", b, What::WhatIfPlan))
                .map_err(|e| e.to_string());
        }
        // Cedar's own reading, with its reason (and the normalized form to type, when it has
        // one), plus the other form this field takes.
        let mut resource =
            ResourceRef::parse(typed).map_err(|e| format!("{e}; or a type alone for its plan"))?;
        resource.properties = object(&self.properties)?;
        let body = WhatIf {
            user: self.user.clone(),
            action: self.action.clone(),
            resource,
            context: object(&self.context)?,
        };
        serde_json::to_value(body)
            .map(|b| ("/admin/v1/policies/whatif", b, What::WhatIf))
            .map_err(|e| e.to_string())
    }
}

/// A JSON object typed in a field (empty: an empty object).
fn object(text: &str) -> Result<Map<String, Value>, String> {
    if text.is_empty() {
        return Ok(Default::default());
    }
    match serde_json::from_str(text) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(format!("not a JSON object: {text}")),
    }
}

/// A what-if plan: its kind in words, the condition in Cedar's syntax (the plan's own
/// renderer, the one `warden decide --plan` prints), what could not be expressed, and the
/// policies behind it.
pub fn plan_detail(p: &Plan) -> Detail {
    let (word, colour) = match p.kind {
        PlanKind::AlwaysAllowed => ("always allowed", Color::Green),
        PlanKind::AlwaysDenied => ("always denied", Color::Red),
        PlanKind::Conditional => ("conditional", Color::Yellow),
    };
    let condition = match (&p.condition, p.kind) {
        (Some(c), _) => c.to_string(),
        (None, _) => "(no exact condition: decide each resource)".into(),
    };
    let mut pairs = vec![("condition", condition)];
    if !p.unsupported.is_empty() {
        pairs.push(("unsupported", p.unsupported.join("\n")));
    }
    pairs.push((
        "policies",
        if p.reasons.is_empty() {
            "(none)".into()
        } else {
            p.reasons.join("\n")
        },
    ));
    let mut detail = Detail::fields("What if: plan", &pairs);
    detail.lines.insert(
        0,
        Line::from(vec![
            Span::raw(format!("{:<12}", "plan")),
            Span::styled(word, Style::new().fg(colour).add_modifier(Modifier::BOLD)),
        ]),
    );
    detail
}

/// A what-if decision: allow or deny, the policies behind it and any evaluation errors.
pub fn decision_detail(d: &DecisionAnswer) -> Detail {
    let (word, colour) = if d.allowed {
        ("allow", Color::Green)
    } else {
        ("deny", Color::Red)
    };
    let mut detail = Detail::fields(
        "What if",
        &[(
            "policies",
            if d.reasons.is_empty() {
                "(none)".into()
            } else {
                d.reasons.join("\n")
            },
        )],
    );
    detail.lines.insert(
        0,
        Line::from(vec![
            Span::raw(format!("{:<12}", "decision")),
            Span::styled(word, Style::new().fg(colour).add_modifier(Modifier::BOLD)),
        ]),
    );
    for e in &d.errors {
        detail.lines.push(Line::styled(
            format!("{:<12}{e}", "error"),
            Style::new().fg(Color::Red),
        ));
    }
    detail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_cedar_refuses_gets_cedars_reason_and_the_form_to_type() {
        let question = Question {
            user: "alice".into(),
            action: "readDocument".into(),
            resource: r#"Doc::"it's""#.into(),
            ..Question::default()
        };
        let refused = question.request().unwrap_err();
        assert!(refused.contains(r#"Doc::"it\'s""#), "{refused}");
        assert!(refused.contains("a type alone for its plan"), "{refused}");
    }
}
