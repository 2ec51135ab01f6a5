//! The policy index (slicing): which policies can apply to a request, from their scope.
//!
//! Every policy is listed under buckets keyed by (action, principal constraint, resource
//! constraint). A request gathers the buckets its scope can match: its action (or any
//! action), the principal itself or any of its roles (or any principal), the resource
//! itself (or any resource), and Cedar evaluates just those policies, as one small set. A
//! policy whose scope cannot match the request is skipped; Cedar would not have evaluated
//! its conditions either (the scope short-circuits them), so decisions, reasons and errors
//! are the same as evaluating the whole set. A property test (`tests.rs`) checks the
//! equivalence on random policies and requests.
//!
//! Buckets hold positions, not policy sets: a set per bucket cost about 5 KiB each (58 MiB
//! for 10,000 policies), where a list of positions costs bytes; building the small set for
//! a request costs a few microseconds (see `benches/decide.rs`).

use cedar_policy::{
    ActionConstraint, Entities, EntityUid, Policy, PolicyId, PolicySet, PrincipalConstraint,
    ResourceConstraint, Schema, Template,
};
use std::collections::HashMap;

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

/// Buckets of policy positions by scope.
pub struct PolicyIndex {
    /// Every static or linked policy, in set order.
    policies: Vec<Policy>,
    /// The templates of the linked policies.
    templates: HashMap<PolicyId, Template>,
    buckets: HashMap<BucketKey, Vec<u32>>,
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
            policies: Vec::new(),
            templates: HashMap::new(),
            buckets: HashMap::new(),
            placements: 0,
        }
    }

    /// Index every static and template-linked policy of `set`.
    pub fn build(set: &PolicySet, schema: Option<&Schema>) -> Result<PolicyIndex, String> {
        let actions = schema
            .map(|s| -> Result<_, String> {
                let all: Vec<EntityUid> = s.actions().cloned().collect();
                Ok((all, s.action_entities().map_err(|e| e.to_string())?))
            })
            .transpose()?;
        let mut index = PolicyIndex::empty();
        for policy in set.policies() {
            let position = index.policies.len() as u32;
            let principal = principal_of(policy.principal_constraint());
            let resource = resource_of(policy.resource_constraint());
            for action in actions_of(policy.action_constraint(), schema, &actions) {
                index
                    .buckets
                    .entry((action, principal.clone(), resource.clone()))
                    .or_default()
                    .push(position);
                index.placements += 1;
            }
            if let Some(template_id) = policy.template_id() {
                if !index.templates.contains_key(template_id) {
                    let template = set
                        .template(template_id)
                        .ok_or_else(|| format!("template {template_id} not found"))?;
                    index
                        .templates
                        .insert(template_id.clone(), template.clone());
                }
            }
            index.policies.push(policy.clone());
        }
        index.buckets.shrink_to_fit();
        Ok(index)
    }

    /// How many buckets and placements the index holds (for diagnostics and benchmarks).
    pub fn size(&self) -> (usize, usize) {
        (self.buckets.len(), self.placements)
    }

    /// The positions of the policies that can apply to a request of `scope`, sorted.
    fn candidates(&self, scope: &Scope<'_>) -> Vec<u32> {
        let mut found = Vec::new();
        let principal_keys = [
            PrincipalKey::Any,
            PrincipalKey::Eq(scope.principal.clone()),
            PrincipalKey::In(scope.principal.clone()),
        ]
        .into_iter()
        .chain(
            scope
                .principal_ancestors
                .iter()
                .map(|a| PrincipalKey::In(a.clone())),
        );
        let action_keys = [Key::Any, Key::Is(scope.action.clone())];
        let resource_keys = [Key::Any, Key::Is(scope.resource.clone())];
        for p in principal_keys {
            for a in &action_keys {
                for r in &resource_keys {
                    if let Some(bucket) = self.buckets.get(&(a.clone(), p.clone(), r.clone())) {
                        found.extend_from_slice(bucket);
                    }
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    /// The policies that can apply to a request of `scope`, as a set Cedar can evaluate.
    pub fn slice(&self, scope: &Scope<'_>) -> Result<PolicySet, String> {
        let mut set = PolicySet::new();
        for position in self.candidates(scope) {
            let Some(policy) = self.policies.get(position as usize) else {
                continue;
            };
            add(&mut set, &self.templates, policy)?;
        }
        Ok(set)
    }
}

/// Add `policy` (static or template-linked) to `set`.
fn add(
    set: &mut PolicySet,
    templates: &HashMap<PolicyId, Template>,
    policy: &Policy,
) -> Result<(), String> {
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
        let template = templates
            .get(template_id)
            .ok_or_else(|| format!("template {template_id} not found"))?;
        set.add_template(template.clone())
            .map_err(|e| e.to_string())?;
    }
    set.link(template_id.clone(), policy.id().clone(), values)
        .map_err(|e| e.to_string())
}
