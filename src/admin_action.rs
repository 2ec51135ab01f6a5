//! The one list of warden's admin actions.
//!
//! Every admin call is a Cedar decision for one of these actions (`Warden::Action::"<name>"`).
//! The route table names its protection with a value of this type, every audit row of an
//! admin change is named after the action that allowed it, and the shipped schema
//! (`policies/schema.cedarschema`) and policies (`policies/warden.cedar`) are checked against
//! [`AdminAction::ALL`] by a test, so the four cannot drift apart.
//!
//! [`AdminAction::Escalate`] is not a route's action: it is the explicit right to give
//! others admin permissions one does not hold, and to act on users stronger than oneself
//! (see `app::delegation`). The shipped `ADMIN` role has it through the `admin` group.

use std::fmt;

/// The Cedar entity type of admin actions.
pub const ACTION_TYPE: &str = "Warden::Action";
/// The Cedar entity type of an admin area (`Warden::Resource::"users"`).
pub const AREA_TYPE: &str = "Warden::Resource";
/// The action group every admin action belongs to.
pub const GROUP: &str = "admin";

/// One admin action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AdminAction {
    UsersRead,
    UsersCreate,
    UsersUpdate,
    UsersPassword,
    UsersDelete,
    UsersRoles,
    UsersRevoke,
    UsersUnlock,
    RolesRead,
    RolesWrite,
    SessionsRead,
    SessionsRevoke,
    TokensRevoke,
    ClientsRead,
    ClientsWrite,
    PoliciesRead,
    PoliciesReload,
    PoliciesWhatif,
    PoliciesPublish,
    DecisionsRead,
    AuditRead,
    OperationsRead,
    KeysRead,
    KeysRotate,
    ReplicasRead,
    Escalate,
}

impl AdminAction {
    /// Every admin action, in the order of the schema.
    pub const ALL: [AdminAction; 26] = [
        AdminAction::UsersRead,
        AdminAction::UsersCreate,
        AdminAction::UsersUpdate,
        AdminAction::UsersPassword,
        AdminAction::UsersDelete,
        AdminAction::UsersRoles,
        AdminAction::UsersRevoke,
        AdminAction::UsersUnlock,
        AdminAction::RolesRead,
        AdminAction::RolesWrite,
        AdminAction::SessionsRead,
        AdminAction::SessionsRevoke,
        AdminAction::TokensRevoke,
        AdminAction::ClientsRead,
        AdminAction::ClientsWrite,
        AdminAction::PoliciesRead,
        AdminAction::PoliciesReload,
        AdminAction::PoliciesWhatif,
        AdminAction::PoliciesPublish,
        AdminAction::DecisionsRead,
        AdminAction::AuditRead,
        AdminAction::OperationsRead,
        AdminAction::KeysRead,
        AdminAction::KeysRotate,
        AdminAction::ReplicasRead,
        AdminAction::Escalate,
    ];

    /// The action's name: `Warden::Action::"<name>"`, and the audit row's action.
    pub const fn name(self) -> &'static str {
        match self {
            AdminAction::UsersRead => "users.read",
            AdminAction::UsersCreate => "users.create",
            AdminAction::UsersUpdate => "users.update",
            AdminAction::UsersPassword => "users.password",
            AdminAction::UsersDelete => "users.delete",
            AdminAction::UsersRoles => "users.roles",
            AdminAction::UsersRevoke => "users.revoke",
            AdminAction::UsersUnlock => "users.unlock",
            AdminAction::RolesRead => "roles.read",
            AdminAction::RolesWrite => "roles.write",
            AdminAction::SessionsRead => "sessions.read",
            AdminAction::SessionsRevoke => "sessions.revoke",
            AdminAction::TokensRevoke => "tokens.revoke",
            AdminAction::ClientsRead => "clients.read",
            AdminAction::ClientsWrite => "clients.write",
            AdminAction::PoliciesRead => "policies.read",
            AdminAction::PoliciesReload => "policies.reload",
            AdminAction::PoliciesWhatif => "policies.whatif",
            AdminAction::PoliciesPublish => "policies.publish",
            AdminAction::DecisionsRead => "decisions.read",
            AdminAction::AuditRead => "audit.read",
            AdminAction::OperationsRead => "operations.read",
            AdminAction::KeysRead => "keys.read",
            AdminAction::KeysRotate => "keys.rotate",
            AdminAction::ReplicasRead => "replicas.read",
            AdminAction::Escalate => "escalate",
        }
    }

    /// The area the action belongs to: the id of its `Warden::Resource` (`users`, `roles`,
    /// ...; `admin` for [`AdminAction::Escalate`]).
    pub const fn area(self) -> &'static str {
        match self {
            AdminAction::UsersRead
            | AdminAction::UsersCreate
            | AdminAction::UsersUpdate
            | AdminAction::UsersPassword
            | AdminAction::UsersDelete
            | AdminAction::UsersRoles
            | AdminAction::UsersRevoke
            | AdminAction::UsersUnlock => "users",
            AdminAction::RolesRead | AdminAction::RolesWrite => "roles",
            AdminAction::SessionsRead | AdminAction::SessionsRevoke => "sessions",
            AdminAction::TokensRevoke => "tokens",
            AdminAction::ClientsRead | AdminAction::ClientsWrite => "clients",
            AdminAction::PoliciesRead
            | AdminAction::PoliciesReload
            | AdminAction::PoliciesWhatif
            | AdminAction::PoliciesPublish => "policies",
            AdminAction::DecisionsRead => "decisions",
            AdminAction::AuditRead => "audit",
            AdminAction::OperationsRead => "operations",
            AdminAction::KeysRead | AdminAction::KeysRotate => "keys",
            AdminAction::ReplicasRead => "replicas",
            AdminAction::Escalate => "admin",
        }
    }

    /// Whether the action only reads (allowed reads are counted, not logged).
    pub const fn is_read(self) -> bool {
        matches!(
            self,
            AdminAction::UsersRead
                | AdminAction::RolesRead
                | AdminAction::SessionsRead
                | AdminAction::ClientsRead
                | AdminAction::PoliciesRead
                | AdminAction::PoliciesWhatif
                | AdminAction::DecisionsRead
                | AdminAction::AuditRead
                | AdminAction::OperationsRead
                | AdminAction::KeysRead
                | AdminAction::ReplicasRead
        )
    }

    /// The action named `name` (without its type), if it is one.
    pub fn parse(name: &str) -> Option<AdminAction> {
        AdminAction::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The action as Cedar writes it: `Warden::Action::"users.update"`.
    pub fn uid(self) -> String {
        format!("{ACTION_TYPE}::\"{}\"", self.name())
    }
}

/// The context of a question about an admin action as a person asks it (what-if, `warden
/// decide`, a policy test): `grants` (the roles a change gives) is empty unless given. The
/// schema requires it, and a question that leaves it out means "granting nothing".
pub fn with_default_context(action_type: &str, context: serde_json::Value) -> serde_json::Value {
    match context {
        serde_json::Value::Object(mut m) if action_type == ACTION_TYPE => {
            m.entry("grants").or_insert_with(|| serde_json::json!([]));
            serde_json::Value::Object(m)
        }
        serde_json::Value::Null if action_type == ACTION_TYPE => serde_json::json!({"grants": []}),
        other => other,
    }
}

impl fmt::Display for AdminAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        let mut names: Vec<&str> = AdminAction::ALL.iter().map(|a| a.name()).collect();
        for a in AdminAction::ALL {
            assert_eq!(AdminAction::parse(a.name()), Some(a));
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), AdminAction::ALL.len());
        assert_eq!(AdminAction::parse("users.disable"), None);
    }

    /// The shipped schema declares exactly these actions (plus the `admin` group), each a
    /// member of the group, and the shipped policies give the group to `ADMIN`.
    #[test]
    fn the_shipped_schema_and_policies_declare_exactly_these_actions() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
        let text = std::fs::read_to_string(dir.join("schema.cedarschema")).unwrap();
        let (schema, _) = cedar_policy::Schema::from_cedarschema_str(&text).unwrap();
        let mut declared: Vec<String> = schema
            .actions()
            .filter(|a| a.type_name().to_string() == ACTION_TYPE)
            .map(|a| a.id().unescaped().to_string())
            .filter(|n| n != GROUP)
            .collect();
        declared.sort();
        let mut listed: Vec<String> = AdminAction::ALL
            .iter()
            .map(|a| a.name().to_string())
            .collect();
        listed.sort();
        assert_eq!(
            declared, listed,
            "the schema's Warden actions and AdminAction::ALL"
        );
        let group: cedar_policy::EntityUid = format!("{ACTION_TYPE}::\"{GROUP}\"").parse().unwrap();
        let actions = schema.action_entities().unwrap();
        for a in AdminAction::ALL {
            let uid: cedar_policy::EntityUid = a.uid().parse().unwrap();
            let entity = actions.get(&uid).unwrap();
            assert!(
                entity.clone().into_inner().2.contains(&group),
                "{} is not in the admin group",
                a.uid()
            );
        }
        let policies = std::fs::read_to_string(dir.join("warden.cedar")).unwrap();
        assert!(policies.contains("action in Warden::Action::\"admin\""));
    }
}
