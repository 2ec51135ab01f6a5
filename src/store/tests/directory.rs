//! Users and roles: unique emails, look-alikes, role sets and hierarchy, all-or-nothing
//! updates with their audit rows, the last administrator kept.

use super::*;

on_both! {
async fn emails_are_unique_case_insensitively_and_nothing_is_half_written(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    store.create_role(&role("USER"), &[], None).await.unwrap();
    store
        .create_user(&new_user("a", "Ann@Example.com", &["USER"]), None)
        .await
        .unwrap();
    let err = store
        .create_user(&new_user("b", "ann@example.COM", &["USER"]), None)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Conflict(Conflict::EmailTaken { .. })), "{err}");
    // Unknown role: the user row must not remain.
    let err = store
        .create_user(&new_user("c", "c@example.com", &["NOPE"]), None)
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("unknown role NOPE"));
    assert_eq!(store.count_users().await.unwrap(), 1);
    assert!(store
        .user_by_email(&"ANN@example.com".parse().unwrap())
        .await
        .unwrap()
        .is_some());
}
}

/// Run SQL on the store's database directly, as an older warden (that did not refuse
/// look-alikes) would have written it.
async fn raw_sql(kind: Kind, dir: &Option<TempDir>, store: &Store, sql: &str) {
    match kind {
        Kind::Sqlite => {
            let conn =
                rusqlite::Connection::open(dir.as_ref().unwrap().path().join("w.db")).unwrap();
            conn.execute_batch(sql).unwrap();
        }
        Kind::Postgres => {
            let (client, connection) =
                tokio_postgres::connect(&pg_url(store), tokio_postgres::NoTls)
                    .await
                    .unwrap();
            tokio::spawn(connection);
            client.batch_execute(sql).await.unwrap();
        }
    }
}

on_both! {
/// A new user id or role name that differs from an existing one only in ASCII case is a
/// conflict naming both; look-alikes an older warden stored stay, and stay addressable.
async fn case_only_look_alikes_are_refused_and_old_ones_kept(kind) {
    let Some((dir, store)) = open(kind).await else { return };
    store.create_role(&role("ADMIN"), &[], None).await.unwrap();
    store
        .create_user(&new_user("admin", "admin@example.com", &["ADMIN"]), None)
        .await
        .unwrap();
    let err = store
        .create_user(&new_user("Admin", "other@example.com", &[]), None)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Conflict(Conflict::LookAlike { what: LookAlike::User, .. })), "{err}");
    assert_eq!(
        err.to_string(),
        "user id Admin differs only in case from the existing user admin"
    );
    let err = store.create_role(&role("admin"), &[], None).await.err().unwrap();
    assert!(matches!(err, StoreError::Conflict(Conflict::LookAlike { what: LookAlike::Role, .. })), "{err}");
    assert_eq!(
        err.to_string(),
        "role name admin differs only in case from the existing role ADMIN"
    );
    // Nothing was half written.
    assert_eq!(store.count_users().await.unwrap(), 1);
    assert!(store.user("Admin").await.is_err());
    assert_eq!(store.role_graph().await.unwrap().len(), 1);
    // An exact duplicate is still the plain conflict; a different id is fine.
    let err = store
        .create_user(&new_user("admin", "third@example.com", &[]), None)
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("already exists"), "{err}");
    store
        .create_user(&new_user("admin2", "admin2@example.com", &[]), None)
        .await
        .unwrap();

    // An older database already holding look-alikes: they stay and are found by their own
    // exact id; a third variant is refused.
    raw_sql(
        kind,
        &dir,
        &store,
        "INSERT INTO users (id, email, name, created_at, updated_at) VALUES ('ADMIN2', 'old@example.com', '', 0, 0);
         INSERT INTO roles (name, created_at) VALUES ('Admin', 0);",
    )
    .await;
    let store = open_again(kind, &dir, &store).await;
    assert_eq!(store.user("ADMIN2").await.unwrap().email, "old@example.com");
    assert_eq!(store.user("admin2").await.unwrap().email, "admin2@example.com");
    assert!(store.role_graph().await.unwrap().contains_key("Admin"));
    let err = store
        .create_user(&new_user("Admin2", "new@example.com", &[]), None)
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Conflict(Conflict::LookAlike { .. })), "{err}");
    let err = store.create_role(&role("aDMIN"), &[], None).await.err().unwrap();
    assert!(matches!(err, StoreError::Conflict(Conflict::LookAlike { .. })), "{err}");
}
}

on_both! {
async fn set_roles_refuses_unknown_roles_and_keeps_the_old_ones(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    store.create_role(&role("USER"), &[], None).await.unwrap();
    store
        .create_user(&new_user("a", "a@example.com", &["USER"]), None)
        .await
        .unwrap();
    let err = store
        .set_user_roles("a", &[role("USER"), role("GHOST")], Change::default())
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Invalid(Invalid::UnknownRole { .. })), "{err}");
    assert_eq!(
        store.user("a").await.unwrap().roles,
        vec!["USER".to_string()]
    );
    assert!(matches!(
        store.set_user_roles("nobody", &[], Change::default()).await,
        Err(StoreError::NotFound { .. })
    ));
}
}

on_both! {
async fn role_hierarchy_and_cycles(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    store.create_role(&role("USER"), &[], None).await.unwrap();
    store
        .create_role(&role("SUPPORT"), &[role("USER")], None)
        .await
        .unwrap();
    store
        .create_role(&role("ADMIN"), &[role("SUPPORT")], None)
        .await
        .unwrap();
    let graph = store.role_graph().await.unwrap();
    let all: Vec<_> = ancestors(&graph, &["ADMIN".into()]).into_iter().collect();
    assert_eq!(all, vec!["ADMIN", "SUPPORT", "USER"]);
    let err = store
        .set_role_parents(&role("USER"), &[role("ADMIN")], Change::default())
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("cycle"));
    assert!(store
        .create_role(&role("X"), &[role("MISSING")], None)
        .await
        .is_err());
    assert!(
        store.role("X").await.is_err(),
        "failed create leaves nothing behind"
    );
    // Removing a role still in use needs force.
    store
        .create_user(&new_user("a", "a@example.com", &["SUPPORT"]), None)
        .await
        .unwrap();
    assert!(matches!(
        store.remove_role("SUPPORT", false, Change::default()).await,
        Err(StoreError::Conflict(Conflict::RoleInUse { .. }))
    ));
    store.remove_role("SUPPORT", true, Change::default()).await.unwrap();
    assert!(store.user("a").await.unwrap().roles.is_empty());
}
}

/// An audit row of `action` on `target` by the CLI, with only the new values (`after`), as
/// the core gives it.
fn audit_after(action: &str, target: &str, after: serde_json::Value) -> Audit {
    Audit {
        actor: "cli".into(),
        action: action.into(),
        target: target.into(),
        detail: serde_json::json!({ "after": after }),
        address: String::new(),
    }
}

on_both! {
/// A user change of several fields is one transaction with its audit row: refused whole when
/// the last administrator would be lost (the email does not change, no row is written), and
/// when it lands, the one row has `before` (read inside it) for exactly the changed fields.
async fn update_user_is_all_or_nothing_and_audits_what_it_replaced(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    store.create_role(&role("ADMIN"), &[], None).await.unwrap();
    store.create_role(&role("USER"), &[], None).await.unwrap();
    store.create_user(&new_user("root", "root@example.com", &["ADMIN"]), None).await.unwrap();
    store.create_user(&new_user("b", "b@example.com", &["USER"]), None).await.unwrap();
    let rule = AdminRule::new(|u: &UserRow, _: &RoleGraph| u.roles.iter().any(|r| r == "ADMIN"));
    let keep = |audit| Change::audited(audit).keeping(Some(&rule));
    let email = Email::parse("new@x.y").unwrap();
    let audit = audit_after(
        "users.update",
        "user:root",
        serde_json::json!({"email": "new@x.y", "disabled": true}),
    );
    let err = store
        .update_user("root", Some(&email), None, Some(true), keep(&audit))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Conflict(Conflict::LastAdministrator)), "{err}");
    let root = store.user("root").await.unwrap();
    assert_eq!((root.email.as_str(), root.disabled), ("root@example.com", false));
    assert!(store.list_audit(None, None, 10).await.unwrap().is_empty());

    let session = store.create_session("b", "refresh-hash", 3600).await.unwrap();
    let name = UserName::parse("Bea").unwrap();
    let after = serde_json::json!({"email": "new@x.y", "name": "Bea", "disabled": true});
    let audit = audit_after("users.update", "user:b", after.clone());
    let row = store
        .update_user("b", Some(&email), Some(&name), Some(true), keep(&audit))
        .await
        .unwrap();
    assert_eq!((row.email.as_str(), row.name.as_str(), row.disabled), ("new@x.y", "Bea", true));
    let ended = store.session(&session.id).await.unwrap().unwrap();
    assert_eq!(ended.revoked_reason.as_deref(), Some("user_disabled"));
    let rows = store.list_audit(None, None, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].detail,
        serde_json::json!({
            "before": {"email": "b@example.com", "name": "b", "disabled": false},
            "after": after,
        })
    );

    // Nothing given: nothing written, not even an audit row.
    let same = store.update_user("b", None, None, None, keep(&audit)).await.unwrap();
    assert_eq!(same, row);
    assert_eq!(store.list_audit(None, None, 10).await.unwrap().len(), 1);
    assert!(matches!(
        store.update_user("nobody", None, None, Some(false), keep(&audit)).await,
        Err(StoreError::NotFound { .. })
    ));
}
}

on_both! {
/// The keep-an-administrator rule is incremental: once it knows a witness, a role edit asks
/// it at most twice whatever the directory's size (the admin sorts last, so a scan would ask
/// once per user). Demoting the witness while another admin remains goes through (the scan
/// finds the other); demoting, disabling or deleting the last one is refused, and nothing of
/// the refused change lands. A directory where nobody passes can still be changed (repair).
async fn keep_admin_is_incremental_and_refuses_the_last(kind) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let Some((_d, store)) = open(kind).await else { return };
    store.create_role(&role("ADMIN"), &[], None).await.unwrap();
    store.create_role(&role("USER"), &[], None).await.unwrap();
    for i in 0..150 {
        let id = format!("u{i:03}");
        store.create_user(&new_user(&id, &format!("{id}@example.com"), &["USER"]), None).await.unwrap();
    }
    store.create_user(&new_user("zz-root", "root@example.com", &["ADMIN"]), None).await.unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let rule = AdminRule::new(move |u: &UserRow, _: &RoleGraph| {
        counted.fetch_add(1, Ordering::SeqCst);
        u.roles.iter().any(|r| r == "ADMIN")
    });
    let keep = || Change::default().keeping(Some(&rule));
    // The first change finds the witness (a scan of every user).
    store.set_user_roles("u000", &[role("USER")], keep()).await.unwrap();
    assert!(calls.load(Ordering::SeqCst) >= 150);
    calls.store(0, Ordering::SeqCst);
    for i in 1..=20 {
        store.set_user_roles(&format!("u{i:03}"), &[role("USER")], keep()).await.unwrap();
    }
    let asked = calls.load(Ordering::SeqCst);
    assert!(asked <= 40, "20 edits asked the rule {asked} times");

    store.create_user(&new_user("zz-second", "second@example.com", &["ADMIN"]), None).await.unwrap();
    store.set_user_roles("zz-root", &[role("USER")], keep()).await.unwrap();
    let refused = |r: Result<_, StoreError>| matches!(r, Err(StoreError::Conflict(Conflict::LastAdministrator)));
    assert!(refused(store.set_user_roles("zz-second", &[role("USER")], keep()).await.map(|_| ())));
    assert!(refused(store.update_user("zz-second", None, None, Some(true), keep()).await.map(|_| ())));
    assert!(refused(store.delete_user("zz-second", keep()).await));
    assert!(refused(store.remove_role("ADMIN", true, keep()).await));
    let second = store.user("zz-second").await.unwrap();
    assert_eq!((second.roles, second.disabled), (vec!["ADMIN".to_owned()], false));

    // Nobody passes a rule asking for a role nobody holds: changes go through.
    let nobody = AdminRule::new(|u: &UserRow, _: &RoleGraph| u.roles.iter().any(|r| r == "SUPER"));
    store
        .set_user_roles("zz-second", &[role("USER")], Change::default().keeping(Some(&nobody)))
        .await
        .unwrap();
}
}

on_both! {
/// Replacing a user's roles or a role's parents records what they were, read in the change's
/// transaction.
async fn role_changes_audit_what_they_replaced(kind) {
    let Some((_d, store)) = open(kind).await else { return };
    store.create_role(&role("USER"), &[], None).await.unwrap();
    store.create_role(&role("TEAM"), &[role("USER")], None).await.unwrap();
    store.create_user(&new_user("a", "a@example.com", &["USER"]), None).await.unwrap();
    let audit = audit_after("users.roles", "user:a", serde_json::json!(["TEAM", "USER"]));
    store
        .set_user_roles("a", &[role("TEAM"), role("USER")], Change::audited(&audit))
        .await
        .unwrap();
    let mut audit = audit_after("roles.write", "role:TEAM", serde_json::json!([]));
    audit.detail["change"] = "update".into();
    store.set_role_parents(&role("TEAM"), &[], Change::audited(&audit)).await.unwrap();
    let rows = store.list_audit(None, None, 10).await.unwrap();
    let details: Vec<_> = rows.iter().map(|r| (r.action.as_str(), &r.detail)).collect();
    assert_eq!(
        details,
        [
            (
                "roles.write",
                &serde_json::json!({"change": "update", "before": ["USER"], "after": []})
            ),
            (
                "users.roles",
                &serde_json::json!({"before": ["USER"], "after": ["TEAM", "USER"]})
            ),
        ]
    );
}
}
