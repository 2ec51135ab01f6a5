//! Query plans: the condition a resource must meet for a principal to be allowed an action on
//! it, as a small JSON tree over the resource's attributes (the wire format is written down in
//! docs/query-plans.md, "The plan").
//!
//! A leaf module: the engine builds plans from Cedar's residual policies
//! (`engine::plan`), the server sends them, [`eval`] checks a resource against one and
//! [`sql`] turns one into a parameterised `WHERE` fragment, over the columns a
//! [`mapping`] names (the checked wire form services send). Nothing here knows Cedar.

pub mod eval;
pub mod mapping;
pub mod sql;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// The condition tree. Unknown ops do not parse: a client (or this crate) that meets an op
/// it does not know must fail closed, never skip it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "op")]
pub enum Expr {
    #[serde(rename = "true")]
    True,
    #[serde(rename = "false")]
    False,
    #[serde(rename = "and")]
    And { args: Vec<Expr> },
    #[serde(rename = "or")]
    Or { args: Vec<Expr> },
    #[serde(rename = "not")]
    Not { arg: Box<Expr> },
    #[serde(rename = "==")]
    Eq { left: Operand, right: Operand },
    #[serde(rename = "!=")]
    Ne { left: Operand, right: Operand },
    #[serde(rename = "<")]
    Lt { left: Operand, right: Operand },
    #[serde(rename = "<=")]
    Le { left: Operand, right: Operand },
    #[serde(rename = ">")]
    Gt { left: Operand, right: Operand },
    #[serde(rename = ">=")]
    Ge { left: Operand, right: Operand },
    /// `left` is one of the values of the set `right`.
    #[serde(rename = "in")]
    In { left: Operand, right: Operand },
    /// The set `left` contains the value `right`.
    #[serde(rename = "contains")]
    Contains { left: Operand, right: Operand },
    /// The (optional) attribute is present.
    #[serde(rename = "has")]
    Has { attr: String },
    /// Cedar `like`: `*` any run of characters, `\*` a literal star, `\\` a literal backslash.
    #[serde(rename = "like")]
    Like { left: Operand, pattern: String },
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Operand {
    /// An attribute path: `resource`, then dotted names (`resource.owner`). `resource` alone
    /// is the resource itself (compared with an entity reference).
    Attr { attr: String },
    /// A literal: string, whole number, boolean, or a list of those; or, on the right of
    /// `in`, a list of entity references `{"type", "id"}` of one type.
    Value {
        /// Any JSON value (a string, whole number, boolean, or a list of those; or a list
        /// of entity references `{"type", "id"}`).
        value: Value,
    },
    /// An entity reference.
    Entity { entity: EntityRef },
}

/// `{"type": "User", "id": "alice"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct EntityRef {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// The comparison ops, for code that treats them alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    /// The same comparison with its sides swapped (`a < b` is `b > a`).
    pub fn flipped(self) -> Cmp {
        match self {
            Cmp::Eq => Cmp::Eq,
            Cmp::Ne => Cmp::Ne,
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
        }
    }

    /// The SQL operator.
    pub fn sql(self) -> &'static str {
        match self {
            Cmp::Eq => "=",
            Cmp::Ne => "<>",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }
}

impl Expr {
    /// A comparison node.
    pub fn cmp(op: Cmp, left: Operand, right: Operand) -> Expr {
        match op {
            Cmp::Eq => Expr::Eq { left, right },
            Cmp::Ne => Expr::Ne { left, right },
            Cmp::Lt => Expr::Lt { left, right },
            Cmp::Le => Expr::Le { left, right },
            Cmp::Gt => Expr::Gt { left, right },
            Cmp::Ge => Expr::Ge { left, right },
        }
    }

    /// A comparison as (op, left, right), if this is one.
    pub fn as_cmp(&self) -> Option<(Cmp, &Operand, &Operand)> {
        match self {
            Expr::Eq { left, right } => Some((Cmp::Eq, left, right)),
            Expr::Ne { left, right } => Some((Cmp::Ne, left, right)),
            Expr::Lt { left, right } => Some((Cmp::Lt, left, right)),
            Expr::Le { left, right } => Some((Cmp::Le, left, right)),
            Expr::Gt { left, right } => Some((Cmp::Gt, left, right)),
            Expr::Ge { left, right } => Some((Cmp::Ge, left, right)),
            _ => None,
        }
    }

    /// `args` and-ed, folded: `true` members dropped, any `false` makes it `false`, nested
    /// `and`s flattened, a single member stands alone.
    pub fn and(args: impl IntoIterator<Item = Expr>) -> Expr {
        let mut out = Vec::new();
        for a in args {
            match a {
                Expr::True => {}
                Expr::False => return Expr::False,
                Expr::And { args } => out.extend(args),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Expr::True,
            1 => out.pop().unwrap_or(Expr::True),
            _ => Expr::And { args: out },
        }
    }

    /// `args` or-ed, folded like [`Expr::and`].
    pub fn or(args: impl IntoIterator<Item = Expr>) -> Expr {
        let mut out = Vec::new();
        for a in args {
            match a {
                Expr::False => {}
                Expr::True => return Expr::True,
                Expr::Or { args } => out.extend(args),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Expr::False,
            1 => out.pop().unwrap_or(Expr::False),
            _ => Expr::Or { args: out },
        }
    }

    /// `arg` negated, folded: `not true` is `false`, `not not x` is `x`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(arg: Expr) -> Expr {
        match arg {
            Expr::True => Expr::False,
            Expr::False => Expr::True,
            Expr::Not { arg } => *arg,
            other => Expr::Not {
                arg: Box::new(other),
            },
        }
    }
}

impl std::fmt::Display for Operand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Operand::Attr { attr } => f.write_str(attr),
            // A set of entity references reads as Cedar writes it: `[Role::"a", Role::"b"]`.
            Operand::Value {
                value: Value::Array(items),
            } if !items.is_empty() && items.iter().all(is_entity_ref) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(
                        f,
                        "{}::{:?}",
                        item["type"].as_str().unwrap_or_default(),
                        item["id"].as_str().unwrap_or_default()
                    )?;
                }
                f.write_str("]")
            }
            Operand::Value { value } => write!(f, "{value}"),
            Operand::Entity { entity } => write!(f, "{}::{:?}", entity.kind, entity.id),
        }
    }
}

/// `{"type": T, "id": I}`, the form of an entity reference inside a set value.
fn is_entity_ref(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        m.len() == 2
            && m.get("type").is_some_and(Value::is_string)
            && m.get("id").is_some_and(Value::is_string)
    })
}

/// The condition in Cedar's syntax (for people: the CLI, the console).
impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let join = |f: &mut std::fmt::Formatter<'_>, args: &[Expr], op: &str| {
            f.write_str("(")?;
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    write!(f, " {op} ")?;
                }
                write!(f, "{a}")?;
            }
            f.write_str(")")
        };
        let op = match self {
            Expr::Eq { .. } => "==",
            Expr::Ne { .. } => "!=",
            Expr::Lt { .. } => "<",
            Expr::Le { .. } => "<=",
            Expr::Gt { .. } => ">",
            Expr::Ge { .. } => ">=",
            _ => "",
        };
        match self {
            Expr::True => f.write_str("true"),
            Expr::False => f.write_str("false"),
            Expr::And { args } => join(f, args, "&&"),
            Expr::Or { args } => join(f, args, "||"),
            Expr::Not { arg } => write!(f, "!{arg}"),
            Expr::Eq { left, right }
            | Expr::Ne { left, right }
            | Expr::Lt { left, right }
            | Expr::Le { left, right }
            | Expr::Gt { left, right }
            | Expr::Ge { left, right } => write!(f, "{left} {op} {right}"),
            Expr::In { left, right } => write!(f, "{right}.contains({left})"),
            Expr::Contains { left, right } => write!(f, "{left}.contains({right})"),
            Expr::Has { attr } => match attr.split_once('.') {
                Some((head, rest)) => write!(f, "{head} has {rest}"),
                None => write!(f, "{attr} has ?"),
            },
            Expr::Like { left, pattern } => {
                write!(f, "{left} like \"{}\"", pattern.replace('"', "\\\""))
            }
        }
    }
}

/// What a plan says about every resource of the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// Every resource of the type is allowed.
    AlwaysAllowed,
    /// No resource of the type is allowed.
    AlwaysDenied,
    /// The resources meeting `condition` are allowed (or, when `unsupported` is not empty,
    /// each resource must be decided one by one).
    Conditional,
}

/// A query plan (the answer of `POST /v1/authorize/plan`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Plan {
    pub kind: PlanKind,
    /// `{"op":"true"}` when always allowed, `{"op":"false"}` when always denied; `null`
    /// only when `unsupported` is not empty.
    #[schema(no_recursion)]
    pub condition: Option<Expr>,
    /// Why the condition could not be written as a tree (empty when it is exact). When not
    /// empty, `condition` is null and the caller must check each resource with
    /// `/v1/authorize`.
    pub unsupported: Vec<String>,
    /// The ids of the policies that contributed.
    pub reasons: Vec<String>,
}

impl Plan {
    /// The plan of a condition: its kind follows from its folded form.
    pub fn of(condition: Expr, reasons: Vec<String>) -> Plan {
        let kind = match condition {
            Expr::True => PlanKind::AlwaysAllowed,
            Expr::False => PlanKind::AlwaysDenied,
            _ => PlanKind::Conditional,
        };
        Plan {
            kind,
            condition: Some(condition),
            unsupported: Vec::new(),
            reasons,
        }
    }

    /// A plan whose condition cannot be written as a tree.
    pub fn unsupported(unsupported: Vec<String>, reasons: Vec<String>) -> Plan {
        Plan {
            kind: PlanKind::Conditional,
            condition: None,
            unsupported,
            reasons,
        }
    }

    /// Whether `resource` meets this plan, or `None` when the plan cannot say (unsupported:
    /// decide the resource on its own). An attribute error counts as not allowed (fail
    /// closed, as a single decision's evaluation error does).
    pub fn allows(&self, resource: &eval::Subject<'_>) -> Option<bool> {
        let condition = self.condition.as_ref()?;
        if !self.unsupported.is_empty() {
            return None;
        }
        Some(eval::evaluate(condition, resource).unwrap_or(false))
    }
}

#[cfg(test)]
mod tests;
