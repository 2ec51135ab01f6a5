//! The library API for embedding warden.

use crate::common::*;
use serde_json::json;
use warden::embed::Warden;
use warden::engine::Resource;
use warden::identity::IdentityError;
use warden::tokens::Rejection;

fn r1() -> Resource {
    Resource {
        kind: "UserResource".into(),
        id: "r1".into(),
        properties: Default::default(),
    }
}

#[test]
fn decide_for_users_and_tokens_in_process() {
    let app = spawn_app();
    let warden = app.state.warden();
    let d =
        block(warden.decide_for_user("admin", "deleteUserResource", &r1(), &json!({}))).unwrap();
    assert!(d.allowed);
    assert_eq!(
        d.reasons,
        vec!["app.admin-delete-user-resource".to_string()]
    );
    assert!(
        !block(warden.decide_for_user("alice", "deleteUserResource", &r1(), &json!({})))
            .unwrap()
            .allowed
    );
    assert!(matches!(
        block(warden.decide_for_user("ghost", "deleteUserResource", &r1(), &json!({}))),
        Err(IdentityError::UnknownUser(_))
    ));

    let token = app.admin_token();
    assert!(
        block(warden.decide_for_token(&token, "deleteUserResource", &r1(), &json!({})))
            .unwrap()
            .allowed
    );
    let verified = block(warden.verify(&token)).unwrap();
    assert_eq!(verified.user.id, "admin");
    assert_eq!(verified.principal.roles, vec!["ADMIN".to_string()]);
    // Through the core, as an embedder changes anything: validated and audited.
    block(
        warden
            .app()
            .revoke_token(&warden::app::Actor::Embedder, &verified.claims.jti),
    )
    .unwrap();
    assert_eq!(
        block(warden.decide_for_token(&token, "deleteUserResource", &r1(), &json!({}))).err(),
        Some(Rejection::Revoked)
    );
    assert_eq!(
        block(warden.decide_for_token("junk", "deleteUserResource", &r1(), &json!({}))).err(),
        Some(Rejection::Malformed)
    );

    block(
        app.state
            .app
            .store()
            .update_user("alice", None, None, Some(true), Default::default()),
    )
    .unwrap();
    assert!(matches!(
        block(warden.decide_for_user("alice", "deleteUserResource", &r1(), &json!({}))),
        Err(IdentityError::Disabled(_))
    ));
}

#[test]
fn open_from_a_config() {
    // Opens a SQLite file of its own (the embedding API is the same on either back end).
    if skip_in_the_postgres_run("open_from_a_config") {
        return;
    }
    let dir = tempfile::TempDir::new().unwrap();
    let policies = dir.path().join("policies");
    warden::engine::create_shipped(&policies).unwrap();
    let warden = block(Warden::open(warden::config::Config {
        db: dir.path().join("w.db"),
        policies,
        ..warden::config::Config::default()
    }))
    .unwrap();
    assert!(
        block(warden.decide_for_user("admin", "deleteUserResource", &r1(), &json!({})))
            .unwrap()
            .allowed
    );
}
