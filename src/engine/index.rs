//! The policy index (slicing): which policies can apply to a request, from their scope.
//!
//! Every policy goes into buckets keyed by (action, principal constraint, resource
//! constraint), each bucket its own Cedar `PolicySet`. A request only evaluates the buckets
//! its scope can match: its action (or any action), the principal itself or any of its
//! roles (or any principal), the resource itself (or any resource). A policy whose scope
//! cannot match the request is skipped; Cedar would not have evaluated its conditions
//! either (the scope short-circuits them), so decisions, reasons and errors are the same as
//! evaluating the whole set. The combination follows Cedar's rules: any satisfied forbid
//! denies (its ids are the reasons), else any satisfied permit allows (their ids), else deny.
//! A property test (`tests.rs`) checks the equivalence on random policies and requests.

use cedar_policy::{
    ActionConstraint, Authorizer, Entities, EntityUid, Policy, PolicySet, PrincipalConstraint,
    Request, ResourceConstraint, Schema,
};
use std::collections::{BTreeSet, HashMap};

/// The key of a scope part: unconstrained, or tied to one entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Any,
    Is(EntityUid),
}

/// Principal side of a bucket: `==` and `in` are kept apart (a request's principal is
/// looked up under `==`, its ancestors and itself under `in`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum PrincipalKey {
    Any,
    Eq(EntityUid),
    In(EntityUid),
}

type BucketKey = (Key, PrincipalKey, Key);

/// Buckets of policies by scope.
pub struct PolicyIndex {
    buckets: HashMap<BucketKey, PolicySet>,
    /// How many (policy, bucket) placements there are.
    placements: usize,
}

/// The scope of a request, as the index looks it up.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub principal: &'a EntityUid,
    /// Every ancestor of the principal (its roles, with their parents).
    pub principal_ancestors: &'a [EntityUid],
    pub action: &'a EntityUid,
    pub resource: &'a EntityUid,
}

/// The outcome of evaluating the applicable buckets.
pub struct Evaluated {
    pub allowed: bool,
    pub reasons: Vec<String>,
    pub errors: Vec<String>,
}

fn actions_of(
    constraint: ActionConstraint,
    schema: Option<&Schema>,
    actions: &Option<(Vec<EntityUid>, Entities)>,
) -> Vec<Key> {
    match constraint {
        ActionConstraint::Any => vec![Key::Any],
        ActionConstraint::Eq(a) => vec![Key::Is(a)],
        ActionConstraint::In(groups) => match (schema, actions) {
            // Expand action groups to the concrete actions under them.
            (Some(_), Some((all, entities))) => all
                .iter()
                .filter(|a| {
                    groups
                        .iter()
                        .any(|g| g == *a || entities.is_ancestor_of(g, a))
                })
                .map(|a| Key::Is(a.clone()))
                .collect(),
            // Without a schema the hierarchy is unknown: the policy may apply to any action.
            _ => vec![Key::Any],
        },
    }
}

fn principal_of(constraint: PrincipalConstraint) -> PrincipalKey {
    match constraint {
        PrincipalConstraint::Any | PrincipalConstraint::Is(_) => PrincipalKey::Any,
        PrincipalConstraint::Eq(uid) => PrincipalKey::Eq(uid),
        PrincipalConstraint::In(uid) | PrincipalConstraint::IsIn(_, uid) => PrincipalKey::In(uid),
    }
}

fn resource_of(constraint: ResourceConstraint) -> Key {
    match constraint {
        ResourceConstraint::Eq(uid) => Key::Is(uid),
        // `in` depends on the resource's ancestors, which only the request knows.
        _ => Key::Any,
    }
}

impl PolicyIndex {
    /// An index of nothing.
    pub fn empty() -> PolicyIndex {
        PolicyIndex {
            buckets: HashMap::new(),
            placements: 0,
        }
    }

    /// Index every static and template-linked policy of `policies`.
    pub fn build(policies: &PolicySet, schema: Option<&Schema>) -> Result<PolicyIndex, String> {
        let actions = schema
            .map(|s| -> Result<_, String> {
                let all: Vec<EntityUid> = s.actions().cloned().collect();
                Ok((all, s.action_entities().map_err(|e| e.to_string())?))
            })
            .transpose()?;
        let mut buckets: HashMap<BucketKey, PolicySet> = HashMap::new();
        let mut placements = 0;
        for policy in policies.policies() {
            let principal = principal_of(policy.principal_constraint());
            let resource = resource_of(policy.resource_constraint());
            for action in actions_of(policy.action_constraint(), schema, &actions) {
                let set = buckets
                    .entry((action, principal.clone(), resource.clone()))
                    .or_default();
                add(set, policies, policy)?;
                placements += 1;
            }
        }
        Ok(PolicyIndex {
            buckets,
            placements,
        })
    }

    /// How many buckets and placements the index holds (for diagnostics and benchmarks).
    pub fn size(&self) -> (usize, usize) {
        (self.buckets.len(), self.placements)
    }

    /// Evaluate the buckets that can apply to `request`, whose scope is `scope`.
    pub fn evaluate(
        &self,
        authorizer: &Authorizer,
        request: &Request,
        entities: &Entities,
        scope: &Scope<'_>,
    ) -> Evaluated {
        let Scope {
            principal,
            principal_ancestors,
            action,
            resource,
        } = *scope;
        let mut forbids = BTreeSet::new();
        let mut permits = BTreeSet::new();
        let mut errors = Vec::new();
        let principal_keys = std::iter::once(PrincipalKey::Any)
            .chain(std::iter::once(PrincipalKey::Eq(principal.clone())))
            .chain(std::iter::once(PrincipalKey::In(principal.clone())))
            .chain(
                principal_ancestors
                    .iter()
                    .map(|a| PrincipalKey::In(a.clone())),
            );
        let action_keys = [Key::Any, Key::Is(action.clone())];
        let resource_keys = [Key::Any, Key::Is(resource.clone())];
        for p in principal_keys {
            for a in &action_keys {
                for r in &resource_keys {
                    let Some(set) = self.buckets.get(&(a.clone(), p.clone(), r.clone())) else {
                        continue;
                    };
                    let response = authorizer.is_authorized(request, set, entities);
                    let reasons = response.diagnostics().reason().map(|id| id.to_string());
                    match response.decision() {
                        cedar_policy::Decision::Allow => permits.extend(reasons),
                        cedar_policy::Decision::Deny => forbids.extend(reasons),
                    }
                    errors.extend(response.diagnostics().errors().map(|e| e.to_string()));
                }
            }
        }
        let (allowed, reasons) = if !forbids.is_empty() {
            (false, forbids)
        } else if !permits.is_empty() {
            (true, permits)
        } else {
            (false, BTreeSet::new())
        };
        errors.sort();
        Evaluated {
            allowed,
            reasons: reasons.into_iter().collect(),
            errors,
        }
    }
}

/// Add `policy` (static or template-linked) to `set`.
fn add(set: &mut PolicySet, all: &PolicySet, policy: &Policy) -> Result<(), String> {
    if policy.is_static() {
        return set.add(policy.clone()).map_err(|e| e.to_string());
    }
    let (Some(template_id), Some(values)) = (policy.template_id(), policy.template_links()) else {
        return Err(format!(
            "policy {} is neither static nor linked",
            policy.id()
        ));
    };
    if set.template(template_id).is_none() {
        let template = all
            .template(template_id)
            .ok_or_else(|| format!("template {template_id} not found"))?;
        set.add_template(template.clone())
            .map_err(|e| e.to_string())?;
    }
    set.link(template_id.clone(), policy.id().clone(), values)
        .map_err(|e| e.to_string())
}
