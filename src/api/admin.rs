//! The admin API's requests and answers: request bodies, what a change did, query strings.

use serde::{Deserialize, Serialize};
use serde_json::Map;
use utoipa::{IntoParams, ToSchema};

use super::{
    null_as_empty, object, parse_entity_ref, DecisionKind, Identity, Name, Object, RoleNameText,
    UserIdText,
};

/// `POST /admin/v1/users`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// Default: derived from the email's local part.
    #[serde(default)]
    #[schema(value_type = Option<UserIdText>)]
    pub id: Option<String>,
    /// An address as RFC 5321 writes it, ASCII (look-alikes are refused).
    #[schema(min_length = 3, max_length = 254)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    /// At most 64; the primary one first; each must exist.
    #[serde(default)]
    #[schema(max_items = 64, value_type = Vec<RoleNameText>)]
    pub roles: Vec<String>,
    /// Without one the user cannot sign in until a password is set.
    #[serde(default)]
    pub password: Option<String>,
}

/// `PATCH /admin/v1/users/{id}`: the fields given change, the others stay.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub disabled: Option<bool>,
}

/// `PUT /admin/v1/users/{id}/roles`: the user's roles, the primary one first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRoles {
    #[schema(max_items = 64, value_type = Vec<RoleNameText>)]
    pub roles: Vec<String>,
}

/// `POST /admin/v1/users/{id}/password`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    pub password: String,
}

/// `POST /admin/v1/roles`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRole {
    #[schema(value_type = RoleNameText)]
    pub name: String,
    #[serde(default)]
    #[schema(max_items = 64, value_type = Vec<RoleNameText>)]
    pub parents: Vec<String>,
}

/// `PUT /admin/v1/roles/{name}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRole {
    #[schema(max_items = 64, value_type = Vec<RoleNameText>)]
    pub parents: Vec<String>,
}

/// `POST /admin/v1/clients`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClient {
    /// 1 to 128 characters, no control or invisible characters.
    #[schema(min_length = 1)]
    pub name: String,
}

/// A created client with its key (shown once).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedClient {
    pub id: String,
    pub name: String,
    /// The key, shown this once: send it as `Authorization: Bearer <key>`.
    pub key: String,
}

/// `POST /admin/v1/tokens/revoke`: revoke one access token by its `jti`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeToken {
    /// 1 to 128 bytes, no control characters.
    #[schema(min_length = 1)]
    pub jti: String,
}

/// A resource in a what-if question.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceRef {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub properties: Object,
}

impl ResourceRef {
    /// A resource written as Cedar writes an entity, `Type::"id"` (the id unescaped), without
    /// properties; read by Cedar's own parser ([`parse_entity_ref`]).
    pub fn parse(text: &str) -> Result<ResourceRef, String> {
        let (kind, id) = parse_entity_ref(text)?;
        Ok(ResourceRef {
            kind,
            id,
            properties: Map::new(),
        })
    }
}

/// `POST /admin/v1/policies/whatif`: how would the current policies decide for this user?
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIf {
    /// A user id.
    pub user: String,
    /// `name` (an `Action`) or a full `Namespace::Action::"name"`.
    pub action: String,
    #[serde(deserialize_with = "object")]
    pub resource: ResourceRef,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub context: Object,
}

/// `POST /admin/v1/whatif/plan`: which resources of a type would this user be allowed
/// `action` on? (the query plan for a directory user, without acting as them)
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIfPlan {
    /// A user id.
    pub user: String,
    /// `name` (an `Action`) or a full `Namespace::Action::"name"`.
    pub action: String,
    /// The resource's entity type (`Document`).
    pub resource_type: Name,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(value_type = Option<Object>)]
    pub context: Object,
}

/// The answer to a what-if question.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
pub struct DecisionAnswer {
    pub allowed: bool,
    /// The ids of the determining policies.
    pub reasons: Vec<String>,
    pub errors: Vec<String>,
}

// ---- admin answers ----

/// `POST /admin/v1/users/{id}/password`: what the reset did.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PasswordReset {
    /// `reset`.
    pub password: String,
    pub sessions_ended: i64,
    /// `revoked`: every access token of the user.
    pub tokens: String,
    /// `cleared`: the sign-in throttle.
    pub throttle: String,
}

/// A deletion's answer: what was deleted.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Deleted {
    pub deleted: String,
}

/// A revocation's answer: the user id or `jti` revoked.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Revoked {
    pub revoked: String,
}

/// `POST /admin/v1/users/{id}/unlock`: whose throttle was lifted, and how many counters.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Unlocked {
    pub unlocked: String,
    pub counters: i64,
}

/// `DELETE /admin/v1/users/{id}/identities`: the link removed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Unlinked {
    pub unlinked: Identity,
}

// ---- admin query strings ----

/// `GET /admin/v1/users`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Matches ids, emails and names (literally, case-insensitive).
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]{0,256}$")]
    pub filter: Option<String>,
    /// 1 to 1000 (default 100).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// `DELETE /admin/v1/roles/{name}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RoleDeleteQuery {
    /// Delete the role even while users hold it.
    pub force: Option<bool>,
}

/// `GET /admin/v1/sessions`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    /// Only this user's sessions.
    #[param(pattern = "^[A-Za-z0-9._@-]{1,128}$")]
    pub user: Option<String>,
    /// Only sessions that still count.
    pub active: Option<bool>,
}

/// `GET /admin/v1/decisions`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DecisionQuery {
    /// At most 256 bytes.
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]{0,256}$")]
    pub principal: Option<String>,
    /// At most 256 bytes.
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]{0,256}$")]
    pub action: Option<String>,
    /// Only decisions of this kind (`allow`, `deny`, or `plan` for query plans).
    pub decision: Option<DecisionKind>,
    /// Epoch seconds.
    pub since: Option<i64>,
    /// Only decisions newer than this row id (0 or more).
    #[param(minimum = 0)]
    pub after_id: Option<i64>,
    /// 1 or more (default 100); more than 1000 gives 1000.
    #[param(minimum = 1)]
    pub limit: Option<i64>,
    /// Long-poll: wait up to this many seconds (at most 25) for decisions newer than `after_id`.
    #[param(minimum = 0, maximum = 25)]
    pub wait: Option<u64>,
}

/// `GET /admin/v1/decisions/stats`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Seconds to look back (default 3600).
    pub window: Option<i64>,
}

/// `GET /admin/v1/audit`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// At most 256 bytes.
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]{0,256}$")]
    pub actor: Option<String>,
    /// At most 256 bytes.
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]{0,256}$")]
    pub action: Option<String>,
    /// 1 or more (default 100); more than 1000 gives 1000.
    #[param(minimum = 1)]
    pub limit: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_references_read_as_cedar_writes_them() {
        assert_eq!(
            parse_entity_ref(r#"Document::"d1""#).unwrap(),
            ("Document".into(), "d1".into())
        );
        assert_eq!(
            parse_entity_ref(" Warden::Resource::\"a \\\"q\\\" \\\\ \u{e9}\" ").unwrap(),
            ("Warden::Resource".into(), "a \"q\" \\ \u{e9}".into())
        );
        assert_eq!(
            parse_entity_ref(r#"Doc::"""#).unwrap(),
            ("Doc".into(), String::new())
        );
        for bad in [
            "Document",
            r#"Document::d1"#,
            r#"Document::"d1"#,
            r#"Doc ument::"d1""#,
            r#"1Doc::"d1""#,
            r#"::"d1""#,
            r#"Doc::"a"b""#,
            r#"Doc::"\q""#,
        ] {
            assert!(parse_entity_ref(bad).is_err(), "{bad}");
        }
    }

    /// The console once read references with its own reader, which took some that Cedar
    /// refuses; now it gets Cedar's answer, the one the server and the CLI give.
    #[test]
    fn the_console_gets_cedars_answer_where_the_old_reader_differed() {
        // A reserved word is not a type name; an id must be spelled as Cedar prints it
        // (`\'`, and `é` itself rather than `\u{e9}`).
        for (text, cedar_says) in [
            (r#"if::"x""#, "unexpected token"),
            (r#"Doc::"it's""#, r#"the normalized form is `Doc::"it\'s"`"#),
            (
                r#"Doc::"\u{e9}""#,
                "the normalized form is `Doc::\"\u{e9}\"`",
            ),
        ] {
            let e = ResourceRef::parse(text).unwrap_err();
            assert!(
                e.starts_with(&format!(
                    "invalid entity {text:?} (expected Type::\"id\"): "
                )),
                "{e}"
            );
            assert!(e.contains(cedar_says), "{text}: {e}");
        }
        let ok = ResourceRef::parse(r#"Doc::"it\'s""#).unwrap();
        assert_eq!((ok.kind.as_str(), ok.id.as_str()), ("Doc", "it's"));
    }
}
