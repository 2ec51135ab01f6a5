//! A residual policy (what Cedar's partial evaluation leaves of it, the resource unknown)
//! as a condition of the plan's tree, or why it cannot be one. Every form here is exact
//! against a single decision over the same principal (the property test
//! `engine::tests::plan_property` is the judge); a form that is not is refused with its
//! reason, never written looser.
//!
//! Membership (`in`) is exact because a decision's entities are finite and known: the
//! principal with its roles as parents, every reachable role with its parents, the action
//! with its groups, and the resource with NO parents. So `E in resource.attr` holds exactly
//! when the attribute is `E` or one of `E`'s known ancestors, and `resource.attr in E` (or
//! `resource in E`) exactly when it is `E` or one of `E`'s known descendants, of the
//! attribute's entity type (another type's entity is never equal to it).

use super::shapes::{Kind, Shape, Shapes};
use crate::engine::entity_uid;
use crate::plan::{Cmp, EntityRef, Expr, Operand};
use cedar_policy::{pst, Entities, EntityUid};
use serde_json::{json, Value};
use std::cell::OnceCell;

/// What a residual is read against: the decision's known entities and the schema.
pub(super) struct Residuals<'a> {
    pub entities: &'a Entities,
    pub resource_type: &'a str,
    /// The schema's text (`.cedarschema`), read into [`Shapes`] when a form needs a type.
    pub schema_text: Option<&'a str>,
    pub shapes: OnceCell<Result<Shapes, String>>,
}

impl Residuals<'_> {
    /// A residual policy's condition: its clauses and-ed (a residual's scope is
    /// unconstrained).
    pub fn policy(&self, body: &pst::Template) -> Result<Expr, String> {
        if body.principal != pst::PrincipalConstraint::Any
            || body.resource != pst::ResourceConstraint::Any
            || body.action != pst::ActionConstraint::Any
        {
            return Err("a residual with a scope constraint".into());
        }
        body.clauses()
            .iter()
            .map(|c| match c {
                pst::Clause::When(e) => self.condition(e),
                pst::Clause::Unless(e) => self.condition(e).map(Expr::not),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Expr::and)
    }

    fn shape(&self, path: &str) -> Result<Shape, String> {
        let shapes = self.shapes.get_or_init(|| match self.schema_text {
            Some(text) => Shapes::from_cedarschema(text),
            None => Err("the schema's text is not at hand".into()),
        });
        match shapes {
            Ok(s) => s.of(self.resource_type, path),
            Err(e) => Err(e.clone()),
        }
    }

    /// A boolean residual expression as a condition, or why it cannot be one.
    fn condition(&self, e: &pst::Expr) -> Result<Expr, String> {
        use pst::{BinaryOp as B, Expr as E};
        match e {
            E::Literal(pst::Literal::Bool(b)) => Ok(if *b { Expr::True } else { Expr::False }),
            E::UnaryOp {
                op: pst::UnaryOp::Not,
                expr,
            } => self.condition(expr).map(Expr::not),
            E::BinaryOp { op, left, right } => match op {
                B::And => Ok(Expr::and([self.condition(left)?, self.condition(right)?])),
                B::Or => Ok(Expr::or([self.condition(left)?, self.condition(right)?])),
                B::In => self.membership(left, right),
                B::Contains => self.contains(left, right),
                B::ContainsAll | B::ContainsAny => {
                    let E::Set(items) = right.as_ref() else {
                        return Err(format!("`{op}` with a set that is not a literal"));
                    };
                    if !matches!(self.operand(left)?, Operand::Attr { .. }) {
                        return Err(format!("`{op}` on a literal set"));
                    }
                    let parts = items
                        .iter()
                        .map(|item| self.contains(left, item))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(if *op == B::ContainsAll {
                        Expr::and(parts)
                    } else {
                        Expr::or(parts)
                    })
                }
                _ => match cmp_of(*op) {
                    Some(cmp) => self.compare(cmp, self.operand(left)?, self.operand(right)?),
                    None => Err(format!("the operator `{op}`")),
                },
            },
            E::HasAttr { expr, attrs } => {
                let mut path = attr_path(expr)?;
                // `resource has a.b` is `resource has a && resource.a has b`: every prefix
                // but the last must be a record for the path to be a column (checked on
                // the whole path).
                for a in attrs.iter() {
                    path.push('.');
                    path.push_str(a);
                }
                self.check_path(&path)?;
                Ok(Expr::Has { attr: path })
            }
            E::Like { expr, pattern } => {
                let mut text = String::new();
                for p in pattern {
                    match p {
                        pst::PatternElem::Wildcard => text.push('*'),
                        pst::PatternElem::Char(c @ ('*' | '\\')) => {
                            text.push('\\');
                            text.push(*c);
                        }
                        pst::PatternElem::Char(c) => text.push(*c),
                    }
                }
                Ok(Expr::Like {
                    left: self.operand(expr)?,
                    pattern: text,
                })
            }
            E::IfThenElse {
                cond,
                then_expr,
                else_expr,
            } => {
                let c = self.condition(cond)?;
                Ok(Expr::or([
                    Expr::and([c.clone(), self.condition(then_expr)?]),
                    Expr::and([Expr::not(c), self.condition(else_expr)?]),
                ]))
            }
            E::Is {
                expr,
                entity_type,
                in_expr,
            } => {
                let is = self.is_type(expr, &entity_type.to_string())?;
                match in_expr {
                    Some(target) => Ok(Expr::and([is, self.membership(expr, target)?])),
                    None => Ok(is),
                }
            }
            E::GetAttr { .. } => Ok(Expr::Eq {
                left: self.operand(e)?,
                right: Operand::Value { value: json!(true) },
            }),
            #[allow(unreachable_patterns)]
            E::ResidualError => Err("a sub-expression that errors".into()),
            E::UnaryOp { op, .. } => Err(format!("the operator `{op}`")),
            _ => Err(format!("the expression `{e}`")),
        }
    }

    /// `x is T` on the resource or an entity attribute: decided by the schema's type.
    ///
    /// An optional attribute becomes `has` when its type is `T`: Cedar errors on an absent
    /// attribute, which strict validation only lets a policy reach behind a `has` guard, so
    /// the guard already decides that case.
    fn is_type(&self, expr: &pst::Expr, entity_type: &str) -> Result<Expr, String> {
        let path = attr_path(expr).map_err(|_| format!("`is` on `{expr}`"))?;
        let shape = self.shape(&path)?;
        let Kind::Entity(t) = &shape.kind else {
            return Err(format!("`is` on {path:?}, which is not an entity"));
        };
        Ok(match (t == entity_type, shape.required) {
            (false, _) => Expr::False,
            (true, true) => Expr::True,
            (true, false) => Expr::Has { attr: path },
        })
    }

    /// `left in right`, where one side is known: see the module's notes.
    fn membership(&self, left: &pst::Expr, right: &pst::Expr) -> Result<Expr, String> {
        if let Some(known) = entity_literal(left) {
            // `E in resource.attr`: the attribute is E or one of E's known ancestors.
            let path = attr_path(right).map_err(|_| format!("`in` with `{right}` on its right"))?;
            let shape = self.shape(&path)?;
            let mut candidates = vec![known.clone()];
            if let Some(up) = self.entities.ancestors(&known) {
                candidates.extend(up.cloned());
            }
            return match &shape.kind {
                Kind::Entity(t) => Ok(Expr::In {
                    left: Operand::Attr { attr: path },
                    right: entity_set(&candidates, t),
                }),
                // `E in set`: the set holds E or one of its ancestors.
                Kind::Set(element) => match element.as_ref() {
                    Kind::Entity(t) => Ok(Expr::or(of_type(&candidates, t).into_iter().map(
                        |entity| Expr::Contains {
                            left: Operand::Attr { attr: path.clone() },
                            right: Operand::Entity { entity },
                        },
                    ))),
                    _ => Err(format!("`in` on {path:?}, a set of non-entities")),
                },
                _ => Err(format!("`in` on {path:?}, which is not an entity")),
            };
        }
        let path = attr_path(left).map_err(|_| format!("`in` between `{left}` and `{right}`"))?;
        let shape = self.shape(&path)?;
        let Kind::Entity(t) = &shape.kind else {
            return Err(format!(
                "`in` with {path:?} on its left, which is not an entity"
            ));
        };
        let targets: Vec<EntityUid> = match right {
            pst::Expr::Set(items) => items
                .iter()
                .map(|i| entity_literal(i).ok_or_else(|| format!("`in` a set holding `{i}`")))
                .collect::<Result<_, _>>()?,
            other => vec![entity_literal(other)
                .ok_or_else(|| format!("`in` between {path:?} and `{other}`"))?],
        };
        // `resource.attr in E`: the attribute is E or one of E's known descendants.
        let mut candidates = Vec::new();
        for target in &targets {
            candidates.push(target.clone());
            candidates.extend(
                self.entities
                    .iter()
                    .map(|e| e.uid())
                    .filter(|uid| uid != target && self.entities.is_ancestor_of(target, uid)),
            );
        }
        Ok(Expr::In {
            left: Operand::Attr { attr: path },
            right: entity_set(&candidates, t),
        })
    }

    /// `set.contains(item)`: a literal set becomes `in` (or `==` for entity members), an
    /// attribute set `contains`.
    fn contains(&self, set: &pst::Expr, item: &pst::Expr) -> Result<Expr, String> {
        let item = self.operand(item)?;
        match set {
            pst::Expr::Set(members) => {
                let members = members
                    .iter()
                    .map(|m| self.operand(m))
                    .collect::<Result<Vec<_>, _>>()?;
                if members.iter().all(|m| matches!(m, Operand::Value { .. })) {
                    let values = members
                        .into_iter()
                        .filter_map(|m| match m {
                            Operand::Value { value } => Some(value),
                            _ => None,
                        })
                        .collect();
                    Ok(Expr::In {
                        left: item,
                        right: Operand::Value {
                            value: Value::Array(values),
                        },
                    })
                } else {
                    members
                        .into_iter()
                        .map(|m| self.compare(Cmp::Eq, item.clone(), m))
                        .collect::<Result<Vec<_>, _>>()
                        .map(Expr::or)
                }
            }
            other => match self.operand(other)? {
                Operand::Attr { attr } => {
                    // An entity of another type than the set's members is never in it (the
                    // SQL compares ids only).
                    if let Operand::Entity { entity } = &item {
                        let shape = self.shape(&attr)?;
                        let Kind::Set(element) = &shape.kind else {
                            return Err(format!("`contains` on {attr:?}, which is not a set"));
                        };
                        let Kind::Entity(t) = element.as_ref() else {
                            return Err(format!(
                                "`contains` of an entity on {attr:?}, a set of non-entities"
                            ));
                        };
                        if *t != entity.kind {
                            return Ok(self.absent_or(&attr, &shape, Expr::False));
                        }
                    }
                    Ok(Expr::Contains {
                        left: Operand::Attr { attr },
                        right: item,
                    })
                }
                _ => Err("`contains` on a value that is not a set".into()),
            },
        }
    }

    /// A comparison, attribute on the left as people write it.
    ///
    /// Security: SQL (and a column) holds an entity as its id only, the type being the
    /// column's, so `resource.owner == Team::"carol"` with `owner: User` would select
    /// `User::"carol"`'s row, which Cedar never allows (entities of different types are never
    /// equal). So an entity compared with an attribute is decided here by the schema's type:
    /// another type folds to `false` (`==`) or `true` (`!=`); an attribute whose type is not
    /// a known entity type is refused, never guessed.
    fn compare(&self, cmp: Cmp, l: Operand, r: Operand) -> Result<Expr, String> {
        let (cmp, l, r) = if !is_attr(&l) && is_attr(&r) {
            (cmp.flipped(), r, l)
        } else {
            (cmp, l, r)
        };
        let (Operand::Attr { attr }, Operand::Entity { entity }) = (&l, &r) else {
            return Ok(Expr::cmp(cmp, l, r));
        };
        let shape = self.shape(attr)?;
        let Kind::Entity(t) = &shape.kind else {
            return Err(format!(
                "{attr:?} compared with the entity {}, but the schema does not type it as an entity",
                Operand::Entity {
                    entity: entity.clone()
                }
            ));
        };
        if *t == entity.kind {
            return Ok(Expr::cmp(cmp, l, r));
        }
        let folded = match cmp {
            Cmp::Eq => Expr::False,
            Cmp::Ne => Expr::True,
            _ => return Err(format!("`{}` between entities", cmp.sql())),
        };
        Ok(self.absent_or(attr, &shape, folded))
    }

    /// `value` for an attribute that is present. For an optional one, as for `is`: Cedar
    /// errors on it when absent, which strict validation only lets a policy reach behind a
    /// `has` guard, so `true` becomes `has` (and `false` stays `false`).
    fn absent_or(&self, attr: &str, shape: &Shape, value: Expr) -> Expr {
        match (value, shape.required) {
            (Expr::True, false) => Expr::Has {
                attr: attr.to_string(),
            },
            (value, _) => value,
        }
    }

    /// A path deeper than one name must go through records only (see [`Shapes::of`]).
    fn check_path(&self, path: &str) -> Result<(), String> {
        if path.matches('.').count() > 1 {
            self.shape(path).map_err(|why| {
                format!("the nested attribute path {path:?} (only records have attributes in a plan: {why})")
            })?;
        }
        Ok(())
    }

    fn operand(&self, e: &pst::Expr) -> Result<Operand, String> {
        match e {
            pst::Expr::Var(pst::Var::Resource) | pst::Expr::GetAttr { .. } => {
                let attr = attr_path(e)?;
                self.check_path(&attr)?;
                Ok(Operand::Attr { attr })
            }
            pst::Expr::Literal(pst::Literal::EntityUID(uid)) => Ok(Operand::Entity {
                entity: EntityRef {
                    kind: uid.ty.to_string(),
                    id: uid.eid.to_string(),
                },
            }),
            pst::Expr::Literal(_) | pst::Expr::Set(_) => {
                literal(e).map(|value| Operand::Value { value })
            }
            other => Err(format!("the operand `{other}`")),
        }
    }
}

fn cmp_of(op: pst::BinaryOp) -> Option<Cmp> {
    Some(match op {
        pst::BinaryOp::Eq => Cmp::Eq,
        pst::BinaryOp::NotEq => Cmp::Ne,
        pst::BinaryOp::Less => Cmp::Lt,
        pst::BinaryOp::LessEq => Cmp::Le,
        pst::BinaryOp::Greater => Cmp::Gt,
        pst::BinaryOp::GreaterEq => Cmp::Ge,
        _ => return None,
    })
}

fn is_attr(o: &Operand) -> bool {
    matches!(o, Operand::Attr { .. })
}

/// An entity literal as Cedar's uid.
fn entity_literal(e: &pst::Expr) -> Option<EntityUid> {
    match e {
        pst::Expr::Literal(pst::Literal::EntityUID(uid)) => {
            entity_uid(&uid.ty.to_string(), uid.eid.as_str()).ok()
        }
        _ => None,
    }
}

/// The members of `uids` of entity type `t`, once each, sorted (plans are deterministic).
fn of_type(uids: &[EntityUid], t: &str) -> Vec<EntityRef> {
    let mut out: Vec<EntityRef> = uids
        .iter()
        .map(|uid| EntityRef {
            kind: uid.type_name().to_string(),
            id: uid.id().unescaped().to_string(),
        })
        .filter(|r| r.kind == t)
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out.dedup();
    out
}

/// A set of entity references as a value operand: `{"value":[{"type","id"},...]}`, the
/// entity form plans already use (and Cedar's JSON accepts).
fn entity_set(uids: &[EntityUid], t: &str) -> Operand {
    Operand::Value {
        value: Value::Array(
            of_type(uids, t)
                .into_iter()
                .map(|r| json!({"type": r.kind, "id": r.id}))
                .collect(),
        ),
    }
}

fn attr_path(e: &pst::Expr) -> Result<String, String> {
    match e {
        pst::Expr::Var(pst::Var::Resource) => Ok("resource".into()),
        pst::Expr::GetAttr { expr, attr } => {
            let mut path = attr_path(expr)?;
            path.push('.');
            path.push_str(attr);
            Ok(path)
        }
        other => Err(format!("an attribute of `{other}`")),
    }
}

fn literal(e: &pst::Expr) -> Result<Value, String> {
    match e {
        pst::Expr::Literal(pst::Literal::Bool(b)) => Ok(json!(b)),
        pst::Expr::Literal(pst::Literal::Long(n)) => Ok(json!(n)),
        pst::Expr::Literal(pst::Literal::String(s)) => Ok(json!(s.as_str())),
        pst::Expr::Set(items) => items
            .iter()
            .map(|i| literal(i))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Err(format!("the value `{other}`")),
    }
}
