//! The rows of each list view, a file per view: columns, details, filters and their own
//! keys (each an [`Item`](super::list::Item) of the one generic list).

pub mod audit;
pub mod clients;
mod common;
pub mod decisions;
pub mod policies;
pub mod roles;
pub mod sessions;
pub mod signing_keys;
pub mod users;
pub mod versions;
