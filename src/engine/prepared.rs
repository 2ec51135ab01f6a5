//! What a decision reuses from earlier decisions of the same bundle: the caller's Cedar
//! entities, and the entity type names requests name.
//!
//! Building and checking the principal's entities (the user with its attributes, every role
//! it reaches) against the schema was about a third of a decision at 10 policies, and it is
//! the same for every request of one caller. So each bundle keeps them per user id, built
//! and validated once, and a request adds only its action's entities and its resource.
//!
//! An entry is reused only when the principal it was built from equals the request's
//! principal in full (id, attributes, roles and the role hierarchy), so a changed role or
//! attribute (the identity layer resolves the caller again after any change to the
//! directory) builds a new entry instead of answering with the old one. The cache belongs to
//! the bundle: a reload, which may change the schema the entries were checked against,
//! starts empty. Errors are never cached. Bounded (`quick_cache`, CLOCK-Pro eviction).

use super::Principal;
use cedar_policy::{Entities, EntityTypeName, EntityUid, Schema};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

/// Most callers whose entities a bundle keeps. An entry (a user with two roles) holds a
/// few kilobytes of Cedar entities, so this bounds the cache to some megabytes; callers
/// beyond it are prepared again when they return, which costs what every decision cost
/// before the cache.
pub const PRINCIPAL_CACHE: usize = 4_096;

/// A caller's entities, ready for a request.
pub struct Prepared {
    /// What they were built from: an entry serves only this exact principal.
    principal: Principal,
    /// The principal and its roles, validated against the bundle's schema.
    pub entities: Entities,
    /// Every ancestor of the principal (its roles, with their parents), for the index.
    pub ancestors: Vec<EntityUid>,
}

impl Prepared {
    pub fn new(principal: &Principal, entities: Entities, ancestors: Vec<EntityUid>) -> Self {
        Prepared {
            principal: principal.clone(),
            entities,
            ancestors,
        }
    }
}

/// Prepared callers by user id.
pub struct PrincipalCache {
    entries: quick_cache::sync::Cache<String, Arc<Prepared>>,
}

impl Default for PrincipalCache {
    fn default() -> Self {
        PrincipalCache {
            entries: quick_cache::sync::Cache::new(PRINCIPAL_CACHE),
        }
    }
}

impl PrincipalCache {
    /// The prepared entities of `principal`: from the cache when an entry was built from an
    /// equal principal, else from `build` (kept when it succeeds).
    pub fn get_or_build(
        &self,
        principal: &Principal,
        build: impl FnOnce() -> Result<Prepared, String>,
    ) -> Result<Arc<Prepared>, String> {
        if let Some(hit) = self.entries.get(principal.id.as_str()) {
            if hit.principal == *principal {
                return Ok(hit);
            }
        }
        let prepared = Arc::new(build()?);
        self.entries.insert(principal.id.clone(), prepared.clone());
        Ok(prepared)
    }

    /// How many callers are kept now.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Entity type names already parsed: `User`, `Role`, every type and action type of the
/// schema. Parsing a name is a Cedar parser call; a decision names three.
#[derive(Default)]
pub struct TypeNames {
    names: HashMap<String, EntityTypeName>,
}

impl TypeNames {
    /// The names a bundle's requests use.
    pub fn of(schema: Option<&Schema>) -> Self {
        let mut names = HashMap::new();
        let mut add = |name: EntityTypeName| {
            names.entry(name.to_string()).or_insert(name);
        };
        for builtin in ["User", "Role", "Action"] {
            if let Ok(name) = EntityTypeName::from_str(builtin) {
                add(name);
            }
        }
        if let Some(schema) = schema {
            schema.entity_types().cloned().for_each(&mut add);
            schema
                .actions()
                .map(|a| a.type_name().clone())
                .for_each(&mut add);
        }
        TypeNames { names }
    }

    /// The entity uid `kind::"id"`, the type name from the table when it is there.
    pub fn uid(&self, kind: &str, id: &str) -> Result<EntityUid, String> {
        match self.names.get(kind) {
            Some(name) => Ok(EntityUid::from_type_name_and_id(
                name.clone(),
                cedar_policy::EntityId::new(id),
            )),
            None => super::entity_uid(kind, id),
        }
    }
}
