//! Wire types of the HTTP API, shared by the server, the OpenAPI document and the TUI's client.
//!
//! This module imports neither the store nor the engine: these are the API's own types, and
//! `/openapi.json` is generated from them (every type derives [`utoipa::ToSchema`], every
//! query-string struct [`utoipa::IntoParams`]). The server's answers and these types are held
//! together by tests: the TUI's update-loop tests against a real server read every admin
//! answer back into them, and CI runs schemathesis, which checks every answer against its
//! schema.
//!
//! Request bodies deny unknown fields: a field the server does not know is a 400 naming
//! it, never silently dropped (a `"disabled": true` sent to the create route once made an
//! enabled user). Answers stay open to new fields, so an older client reads a newer server.
//! Free-form objects (a resource's `properties`, a decision's `context`) are JSON objects
//! whose keys are the caller's.
//!
//! One file per area, every type re-exported here (`crate::api::User`, ...): `directory`
//! (what the admin API shows), `admin` (its request bodies, answers and query strings),
//! `auth` (sign-in and tokens), `decisions`, `authzen` (AuthZEN 1.0), `ops`
//! (operations and discovery), `error` (error answers) and `compat` (earlier names). This file
//! keeps what they share: the id patterns, [`Object`] and the readers that take JSON objects
//! only ([`ObjectOnly`]).

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use utoipa::ToSchema;

// The one reader of `Type::"id"` (Cedar's), below both the api and the engine.
pub use crate::entity_ref::parse_entity_ref;

/// A user id: 1 to 128 ASCII letters, digits or `._@-`.
pub const USER_ID_PATTERN: &str = "^[A-Za-z0-9._@-]{1,128}$";
/// A role name: 1 to 64 ASCII letters, digits or `_.-`.
pub const ROLE_NAME_PATTERN: &str = "^[A-Za-z0-9_.-]{1,64}$";
/// Free text without control characters (filters; session and client ids), in characters.
pub const TEXT_PATTERN: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]{0,256}$";

/// A string that matches `pattern` (schema only: the value is parsed where it is used).
macro_rules! text_schema {
    ($(#[$doc:meta])* $name:ident, $schema_name:literal, $pattern:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(Some($pattern))
                    .into()
            }
        }

        impl ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                $schema_name.into()
            }
        }
    };
}

text_schema!(
    /// A user id in the document.
    UserIdText,
    "UserId",
    USER_ID_PATTERN
);
text_schema!(
    /// A role name in the document.
    RoleNameText,
    "RoleName",
    ROLE_NAME_PATTERN
);

/// A free-form JSON object (resource properties, a decision context, an audit detail).
pub type Object = Map<String, Value>;

/// Read `null` as an empty object, as the decision APIs always have.
fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Object, D::Error> {
    Ok(Option::<Object>::deserialize(d)?.unwrap_or_default())
}

/// A struct read only from a JSON object. serde's derived structs also read a JSON array as
/// their fields in order (`[null, null]` as `{"token": null, "limit": null}`); the API takes
/// objects only, as its schemas say.
pub struct ObjectOnly<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fields<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Fields<T> {
            type Value = T;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }

        d.deserialize_map(Fields(std::marker::PhantomData))
            .map(ObjectOnly)
    }
}

fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    ObjectOnly::deserialize(d).map(|o| o.0)
}

fn optional_object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    Ok(Option::<ObjectOnly<T>>::deserialize(d)?.map(|o| o.0))
}

fn objects<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Vec::<ObjectOnly<T>>::deserialize(d)?
        .into_iter()
        .map(|o| o.0)
        .collect())
}

mod admin;
mod auth;
mod authzen;
mod compat;
mod decisions;
mod directory;
mod error;
mod ops;

pub use crate::publishing::*;
pub use admin::*;
pub use auth::*;
pub use authzen::*;
pub use compat::*;
pub use decisions::*;
pub use directory::*;
pub use error::*;
pub use ops::*;
