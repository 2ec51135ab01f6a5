//! Earlier names.
//!
//! The names these types had before they were the API's own; `server/admin.rs` still uses
//! them and moves to the current names with the application core.

use super::{
    CreateClient, CreateRole, CreateUser, CreatedClient, Policy, RevokeToken, SigningKey,
    UpdateRole, UpdateUser,
};

#[doc(hidden)]
pub type UserCreate = CreateUser;
#[doc(hidden)]
pub type UserUpdate = UpdateUser;
#[doc(hidden)]
pub type RoleCreate = CreateRole;
#[doc(hidden)]
pub type RoleUpdate = UpdateRole;
#[doc(hidden)]
pub type ClientCreate = CreateClient;
#[doc(hidden)]
pub type ClientCreated = CreatedClient;
#[doc(hidden)]
pub type RevokeJti = RevokeToken;
#[doc(hidden)]
pub type KeyView = SigningKey;
#[doc(hidden)]
pub type PolicyView = Policy;
