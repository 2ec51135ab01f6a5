//! The store's tests, by area: `migrations`, `directory` (users and roles), `sessions`,
//! `handles` (several handles on one database), `logs` and `policies` (published sets).
//! Most run on both back ends ([`on_both`]); the helpers they share are here.

use super::*;
use crate::model::{DecisionKind, Email, RoleName, UserId, UserName};
use tempfile::TempDir;

/// Which back end a test runs on: every test written with [`on_both`] runs on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sqlite,
    Postgres,
}

/// A store of `kind` with the system clock; `None` when PostgreSQL is not installed here
/// (the test then passes as skipped, saying why).
async fn open(kind: Kind) -> Option<(Option<TempDir>, Store)> {
    open_at(kind, crate::clock::system()).await
}

/// [`open`] with a given clock.
async fn open_at(kind: Kind, clock: crate::clock::SharedClock) -> Option<(Option<TempDir>, Store)> {
    match kind {
        Kind::Sqlite => {
            let dir = TempDir::new().unwrap();
            let store = Store::connect(&dir.path().join("w.db"), clock)
                .await
                .unwrap();
            Some((Some(dir), store))
        }
        Kind::Postgres => {
            let url = crate::testkit::database_or_skip("a store test").await?;
            Some((None, Store::open_postgres(&url, clock).await.unwrap()))
        }
    }
}

/// A second handle on the same database (another process, or another replica).
async fn open_again(kind: Kind, dir: &Option<TempDir>, store: &Store) -> Store {
    match kind {
        Kind::Sqlite => Store::open(&dir.as_ref().unwrap().path().join("w.db")).unwrap(),
        Kind::Postgres => Store::open_postgres(&pg_url(store), crate::clock::system())
            .await
            .unwrap(),
    }
}

/// The URL of a PostgreSQL test store (test databases need no password).
fn pg_url(store: &Store) -> String {
    store.location().to_owned()
}

/// Write a test once and run it on SQLite and on PostgreSQL: `mod name { sqlite, postgres }`.
macro_rules! on_both {
    ($(#[$doc:meta])* async fn $name:ident($kind:ident) $body:block) => {
        $(#[$doc])*
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(Kind::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(Kind::Postgres).await
            }

            async fn run($kind: Kind) $body
        }
    };
}

fn role(s: &str) -> RoleName {
    RoleName::parse(s).unwrap()
}

fn new_user(id: &str, email: &str, roles: &[&str]) -> NewUser {
    NewUser {
        id: UserId::parse(id).unwrap(),
        email: Email::parse(email).unwrap(),
        name: id.parse().unwrap(),
        roles: roles.iter().map(|r| role(r)).collect(),
        password_hash: None,
    }
}

mod directory;
mod handles;
mod logs;
mod migrations;
mod policies;
mod sessions;
