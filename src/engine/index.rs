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
//! for 10,000 policies), where a list of positions costs bytes. Building the small set for a
//! request costs about a microsecond per policy in it (copying each policy and its map
//! entries), so the sets built are kept per candidate list, in a cache bounded by the number
//! of policies it holds ([`SLICE_CACHE_POLICIES`]): requests of the same action by callers
//! of the same roles share one list, and most requests repeat one.

use cedar_policy::{
    ActionConstraint, Entities, EntityUid, PolicyId, PolicySet, PrincipalConstraint,
    ResourceConstraint, Schema,
};
use std::collections::HashMap;
use std::sync::Arc;

/// Most policies held by the cache of sliced sets, summed over its sets (each policy held
/// costs a few hundred bytes). The cache belongs to the index, so a reloaded bundle starts
/// with an empty one.
pub const SLICE_CACHE_POLICIES: u64 = 16_384;

/// A cached set weighs the policies in it (at least 1, so that empty sets count too).
#[derive(Clone)]
struct SliceWeight;

impl quick_cache::Weighter<Box<[u32]>, Arc<PolicySet>> for SliceWeight {
    fn weight(&self, key: &Box<[u32]>, _set: &Arc<PolicySet>) -> u64 {
        key.len().max(1) as u64
    }
}

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

/// A bucket's key with its entities interned: (action, (principal kind, principal),
/// resource), where 0 is "any" and n is the (n-1)-th interned entity. Small keys hash fast
/// and weigh little, where entity uids would hash every string of them.
type BucketKey = (u32, (u8, u32), u32);

/// Buckets of policy positions by scope.
pub struct PolicyIndex {
    /// Every static or linked policy's id, in set order (the policies stay in the bundle's
    /// set).
    policies: Vec<PolicyId>,
    /// Entity uids named by scopes, interned.
    entities: HashMap<EntityUid, u32>,
    buckets: HashMap<BucketKey, Vec<u32>>,
    /// The same positions by (action, principal) alone, whatever their resource: what a
    /// query plan (resource unknown) looks up.
    by_scope: HashMap<(u32, (u8, u32)), Vec<u32>>,
    placements: usize,
    /// Sets already sliced, by candidate list (see the module documentation).
    slices: quick_cache::sync::Cache<Box<[u32]>, Arc<PolicySet>, SliceWeight>,
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

const ANY: u32 = 0;
const P_ANY: u8 = 0;
const P_EQ: u8 = 1;
const P_IN: u8 = 2;

impl PolicyIndex {
    /// An index of nothing.
    pub fn empty() -> PolicyIndex {
        PolicyIndex {
            policies: Vec::new(),
            entities: HashMap::new(),
            buckets: HashMap::new(),
            by_scope: HashMap::new(),
            placements: 0,
            slices: quick_cache::sync::Cache::with_weighter(
                1024,
                SLICE_CACHE_POLICIES,
                SliceWeight,
            ),
        }
    }

    fn intern(&mut self, uid: EntityUid) -> u32 {
        let next = self.entities.len() as u32 + 1;
        *self.entities.entry(uid).or_insert(next)
    }

    fn key(&mut self, key: Key) -> u32 {
        match key {
            Key::Any => ANY,
            Key::Is(uid) => self.intern(uid),
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
            let principal = match principal_of(policy.principal_constraint()) {
                PrincipalKey::Any => (P_ANY, ANY),
                PrincipalKey::Eq(uid) => (P_EQ, index.intern(uid)),
                PrincipalKey::In(uid) => (P_IN, index.intern(uid)),
            };
            let resource = index.key(resource_of(policy.resource_constraint()));
            for action in actions_of(policy.action_constraint(), schema, &actions) {
                let action = index.key(action);
                index
                    .buckets
                    .entry((action, principal, resource))
                    .or_default()
                    .push(position);
                index
                    .by_scope
                    .entry((action, principal))
                    .or_default()
                    .push(position);
                index.placements += 1;
            }
            index.policies.push(policy.id().clone());
        }
        index.buckets.shrink_to_fit();
        index.by_scope.shrink_to_fit();
        Ok(index)
    }

    /// How many buckets and placements the index holds (for diagnostics and benchmarks).
    pub fn size(&self) -> (usize, usize) {
        (self.buckets.len(), self.placements)
    }

    /// The positions of the policies that can apply to a request of `scope`, sorted.
    fn candidates(&self, scope: &Scope<'_>) -> Vec<u32> {
        let id = |uid: &EntityUid| self.entities.get(uid).copied();
        let (principal_keys, action_keys) = self.keys(scope);
        let mut resource_keys = vec![ANY];
        resource_keys.extend(id(scope.resource));
        let mut found = Vec::new();
        for p in &principal_keys {
            for a in &action_keys {
                for r in &resource_keys {
                    if let Some(bucket) = self.buckets.get(&(*a, *p, *r)) {
                        found.extend_from_slice(bucket);
                    }
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    /// The principal and action keys a request of `scope` looks up.
    fn keys(&self, scope: &Scope<'_>) -> (Vec<(u8, u32)>, Vec<u32>) {
        let id = |uid: &EntityUid| self.entities.get(uid).copied();
        let mut principal_keys = vec![(P_ANY, ANY)];
        if let Some(p) = id(scope.principal) {
            principal_keys.push((P_EQ, p));
            principal_keys.push((P_IN, p));
        }
        principal_keys.extend(
            scope
                .principal_ancestors
                .iter()
                .filter_map(id)
                .map(|a| (P_IN, a)),
        );
        let mut action_keys = vec![ANY];
        action_keys.extend(id(scope.action));
        (principal_keys, action_keys)
    }

    /// The policies of `all` (the set this index was built from) that can apply to a
    /// request of `scope`, as a set Cedar can evaluate; built once per candidate list and
    /// then shared from the cache.
    pub fn slice(&self, all: &PolicySet, scope: &Scope<'_>) -> Result<Arc<PolicySet>, String> {
        let candidates = self.candidates(scope);
        if let Some(set) = self.slices.get(&candidates[..]) {
            return Ok(set);
        }
        let set = Arc::new(self.build_slice(all, &candidates)?);
        self.slices
            .insert(candidates.into_boxed_slice(), set.clone());
        Ok(set)
    }

    /// The policies of `all` that can apply to a request of `scope` for some resource (its
    /// `resource` is ignored): every resource bucket of the principal's and action's keys.
    /// What a query plan evaluates, the resource being unknown.
    pub fn slice_any_resource(
        &self,
        all: &PolicySet,
        scope: &Scope<'_>,
    ) -> Result<Arc<PolicySet>, String> {
        let (principal_keys, action_keys) = self.keys(scope);
        let mut found = Vec::new();
        for p in &principal_keys {
            for a in &action_keys {
                if let Some(positions) = self.by_scope.get(&(*a, *p)) {
                    found.extend_from_slice(positions);
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        if let Some(set) = self.slices.get(&found[..]) {
            return Ok(set);
        }
        let set = Arc::new(self.build_slice(all, &found)?);
        self.slices.insert(found.into_boxed_slice(), set.clone());
        Ok(set)
    }

    /// How many sliced sets the cache holds now, and how many policies they hold in all.
    pub fn cached_slices(&self) -> (usize, u64) {
        (self.slices.len(), self.slices.weight())
    }

    fn build_slice(&self, all: &PolicySet, candidates: &[u32]) -> Result<PolicySet, String> {
        let mut set = PolicySet::new();
        for &position in candidates {
            let Some(id) = self.policies.get(position as usize) else {
                continue;
            };
            let policy = all
                .policy(id)
                .ok_or_else(|| format!("policy {id} is not in the set"))?;
            if policy.is_static() {
                set.add(policy.clone()).map_err(|e| e.to_string())?;
                continue;
            }
            let (Some(template_id), Some(values)) = (policy.template_id(), policy.template_links())
            else {
                return Err(format!("policy {id} is neither static nor linked"));
            };
            if set.template(template_id).is_none() {
                let template = all
                    .template(template_id)
                    .ok_or_else(|| format!("template {template_id} not found"))?;
                set.add_template(template.clone())
                    .map_err(|e| e.to_string())?;
            }
            set.link(template_id.clone(), id.clone(), values)
                .map_err(|e| e.to_string())?;
        }
        Ok(set)
    }
}
