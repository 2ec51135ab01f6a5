//! Evaluating a plan's condition over one resource, with Cedar's semantics for the ops of the
//! tree: `==` across types is false, `<` on anything but whole numbers is an error, a missing
//! attribute is an error (guard it with `has`), `and`/`or` short-circuit.

use super::{Cmp, EntityRef, Expr, Operand};
use serde_json::{Map, Value};

/// The resource a condition is evaluated on: the same `{type, id, properties}` a single
/// decision takes (properties in Cedar's JSON entity format).
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub kind: &'a str,
    pub id: &'a str,
    pub properties: &'a Map<String, Value>,
}

/// A value of the tree, as Cedar sees it.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Bool(bool),
    Long(i64),
    Str(String),
    Entity(EntityRef),
    Set(Vec<Val>),
    Record(Vec<(String, Val)>),
}

/// Why a condition could not be evaluated (Cedar would report an evaluation error: the
/// single decision denies).
pub type EvalError = String;

fn entity_of(m: &Map<String, Value>) -> Option<EntityRef> {
    let inner = match m.get("__entity") {
        Some(Value::Object(e)) => e,
        _ if m.len() == 2 => m,
        _ => return None,
    };
    match (
        inner.get("type").and_then(Value::as_str),
        inner.get("id").and_then(Value::as_str),
    ) {
        (Some(t), Some(id)) => Some(EntityRef {
            kind: t.to_string(),
            id: id.to_string(),
        }),
        _ => None,
    }
}

fn val(v: &Value) -> Result<Val, EvalError> {
    Ok(match v {
        Value::Null => return Err("null is not a Cedar value".into()),
        Value::Bool(b) => Val::Bool(*b),
        Value::Number(n) => Val::Long(
            n.as_i64()
                .ok_or_else(|| format!("{n} is not a whole number"))?,
        ),
        Value::String(s) => Val::Str(s.clone()),
        Value::Array(items) => Val::Set(items.iter().map(val).collect::<Result<_, _>>()?),
        Value::Object(m) => {
            if let Some(e) = entity_of(m) {
                Val::Entity(e)
            } else if m.contains_key("__extn") {
                return Err("extension values are not in the plan language".into());
            } else {
                let mut fields = m
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), val(v)?)))
                    .collect::<Result<Vec<_>, EvalError>>()?;
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                Val::Record(fields)
            }
        }
    })
}

/// The value at an attribute path: `Ok(None)` when an attribute on the way is absent.
fn lookup(path: &str, subject: &Subject<'_>) -> Result<Option<Val>, EvalError> {
    let mut parts = path.split('.');
    if parts.next() != Some("resource") {
        return Err(format!(
            "attribute path {path:?} does not start with `resource`"
        ));
    }
    let Some(first) = parts.next() else {
        return Ok(Some(Val::Entity(EntityRef {
            kind: subject.kind.to_string(),
            id: subject.id.to_string(),
        })));
    };
    let Some(mut current) = subject.properties.get(first) else {
        return Ok(None);
    };
    for name in parts {
        match current {
            Value::Object(m) if entity_of(m).is_none() && !m.contains_key("__extn") => {
                match m.get(name) {
                    Some(next) => current = next,
                    None => return Ok(None),
                }
            }
            _ => {
                return Err(format!(
                    "{path:?}: only records have attributes here (an entity's attributes are not known to a plan)"
                ))
            }
        }
    }
    val(current).map(Some)
}

fn operand(o: &Operand, subject: &Subject<'_>) -> Result<Val, EvalError> {
    match o {
        Operand::Attr { attr } => {
            lookup(attr, subject)?.ok_or_else(|| format!("attribute {attr:?} is absent"))
        }
        Operand::Value { value } => val(value),
        Operand::Entity { entity } => Ok(Val::Entity(entity.clone())),
    }
}

/// Cedar equality: sets compare as sets, values of different types are unequal.
fn equal(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Set(x), Val::Set(y)) => {
            x.iter().all(|v| y.iter().any(|w| equal(v, w)))
                && y.iter().all(|w| x.iter().any(|v| equal(v, w)))
        }
        (Val::Record(x), Val::Record(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((k, v), (l, w))| k == l && equal(v, w))
        }
        _ => a == b,
    }
}

/// Cedar `like`: `*` matches any run of characters, `\*` a literal star, `\\` a backslash.
pub fn like(text: &str, pattern: &str) -> bool {
    #[derive(PartialEq)]
    enum P {
        Char(char),
        Star,
    }
    let mut elems = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) => elems.push(P::Char(next)),
                None => elems.push(P::Char('\\')),
            },
            '*' => elems.push(P::Star),
            other => elems.push(P::Char(other)),
        }
    }
    let text: Vec<char> = text.chars().collect();
    // Classic wildcard matching with one backtrack point: linear in practice, bounded by
    // text * pattern in the worst case (no exponential blow-up).
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match elems.get(p) {
            Some(P::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            Some(P::Star) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    elems[p..].iter().all(|e| *e == P::Star)
}

/// Evaluate `expr` on `subject`. An error is what Cedar would report as an evaluation error
/// (a missing attribute, `<` on a string): the caller must treat it as a deny.
pub fn evaluate(expr: &Expr, subject: &Subject<'_>) -> Result<bool, EvalError> {
    if let Some((op, left, right)) = expr.as_cmp() {
        let (l, r) = (operand(left, subject)?, operand(right, subject)?);
        return match op {
            Cmp::Eq => Ok(equal(&l, &r)),
            Cmp::Ne => Ok(!equal(&l, &r)),
            _ => match (l, r) {
                (Val::Long(a), Val::Long(b)) => Ok(match op {
                    Cmp::Lt => a < b,
                    Cmp::Le => a <= b,
                    Cmp::Gt => a > b,
                    _ => a >= b,
                }),
                _ => Err("ordering compares whole numbers only".into()),
            },
        };
    }
    match expr {
        Expr::True => Ok(true),
        Expr::False => Ok(false),
        Expr::And { args } => {
            for a in args {
                if !evaluate(a, subject)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Expr::Or { args } => {
            for a in args {
                if evaluate(a, subject)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Expr::Not { arg } => Ok(!evaluate(arg, subject)?),
        Expr::In { left, right } => match operand(right, subject)? {
            Val::Set(items) => {
                let l = operand(left, subject)?;
                Ok(items.iter().any(|v| equal(v, &l)))
            }
            _ => Err("`in` needs a set on its right".into()),
        },
        Expr::Contains { left, right } => match operand(left, subject)? {
            Val::Set(items) => {
                let r = operand(right, subject)?;
                Ok(items.iter().any(|v| equal(v, &r)))
            }
            _ => Err("`contains` needs a set on its left".into()),
        },
        Expr::Has { attr } => Ok(lookup(attr, subject)?.is_some()),
        Expr::Like { left, pattern } => match operand(left, subject)? {
            Val::Str(s) => Ok(like(&s, pattern)),
            _ => Err("`like` needs a string".into()),
        },
        // The comparisons were answered above.
        _ => Err("unknown op".into()),
    }
}
