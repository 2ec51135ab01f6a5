//! The application core's records as the API's own wire types: no store row crosses HTTP.
//! Each conversion names every field, so a new column is a compile error here rather than a
//! silent change on the wire.

use crate::api;
use crate::app::{
    AuditRow, ClientRow, DecisionRow, DecisionStats, IdentityRow, KeyRow, RoleRow, SessionRow,
    UserRow,
};

impl From<IdentityRow> for api::Identity {
    fn from(i: IdentityRow) -> Self {
        let IdentityRow {
            issuer,
            subject,
            user_id,
            created_at,
        } = i;
        api::Identity {
            issuer,
            subject,
            user_id,
            created_at,
        }
    }
}

impl From<UserRow> for api::User {
    fn from(u: UserRow) -> Self {
        let UserRow {
            id,
            email,
            name,
            disabled,
            tokens_valid_after,
            created_at,
            roles,
        } = u;
        api::User {
            id,
            email,
            name,
            disabled,
            tokens_valid_after,
            created_at,
            roles,
        }
    }
}

impl From<RoleRow> for api::Role {
    fn from(r: RoleRow) -> Self {
        let RoleRow {
            name,
            parents,
            users,
        } = r;
        api::Role {
            name,
            parents,
            users,
        }
    }
}

impl From<SessionRow> for api::Session {
    fn from(s: SessionRow) -> Self {
        let SessionRow {
            id,
            user_id,
            created_at,
            last_used_at,
            expires_at,
            revoked_at,
            revoked_reason,
        } = s;
        api::Session {
            id,
            user_id,
            created_at,
            last_used_at,
            expires_at,
            revoked_at,
            revoked_reason,
        }
    }
}

impl From<ClientRow> for api::Client {
    fn from(c: ClientRow) -> Self {
        let ClientRow {
            id,
            name,
            created_at,
            revoked_at,
        } = c;
        api::Client {
            id,
            name,
            created_at,
            revoked_at,
        }
    }
}

impl From<KeyRow> for api::SigningKey {
    /// The private half stays behind.
    fn from(k: KeyRow) -> Self {
        api::SigningKey {
            kid: k.kid,
            alg: k.alg,
            created_at: k.created_at,
            retired_at: k.retired_at,
        }
    }
}

impl From<crate::app::ReplicaStatus> for api::Replica {
    fn from(r: crate::app::ReplicaStatus) -> Self {
        let crate::app::ReplicaStatus {
            replica,
            policy_differs,
        } = r;
        api::Replica {
            id: replica.id,
            address: replica.address,
            version: replica.version,
            started_at: replica.started_at,
            policy_hash: replica.policy_hash,
            seen_at: replica.seen_at,
            policy_differs,
        }
    }
}

impl From<AuditRow> for api::AuditEntry {
    fn from(a: AuditRow) -> Self {
        let AuditRow {
            id,
            at,
            actor,
            action,
            target,
            detail,
            address,
        } = a;
        api::AuditEntry {
            id,
            at,
            actor,
            action,
            target,
            detail,
            address,
        }
    }
}

impl From<DecisionRow> for api::DecisionEntry {
    fn from(d: DecisionRow) -> Self {
        let DecisionRow {
            id,
            at,
            request_id,
            client,
            principal,
            action,
            resource,
            decision,
            reasons,
            errors,
            latency_us,
            properties,
            context,
            address,
        } = d;
        api::DecisionEntry {
            address,
            id,
            at,
            request_id,
            client,
            principal,
            action,
            resource,
            decision,
            reasons,
            errors,
            latency_us,
            properties,
            context,
        }
    }
}

impl From<DecisionStats> for api::DecisionStats {
    fn from(s: DecisionStats) -> Self {
        let DecisionStats {
            allowed,
            denied,
            top_denied,
            last_id,
        } = s;
        api::DecisionStats {
            allowed,
            denied,
            top_denied,
            last_id,
        }
    }
}

/// A list of records as wire types.
pub fn all<T, W: From<T>>(rows: Vec<T>) -> Vec<W> {
    rows.into_iter().map(W::from).collect()
}
