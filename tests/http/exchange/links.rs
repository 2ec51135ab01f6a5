use super::*;

/// Issue 25: a provider's `sub` is never a warden user id. With `link_claim = "sub"` a
/// provider subject `admin` used to sign in as the bootstrap admin.
#[test]
fn a_provider_subject_equal_to_a_local_user_id_takes_over_nobody() {
    let s = setup(|t| t.link_claim = LinkClaim::Sub);
    for sub in ["admin", "alice"] {
        s.refused(
            &s.provider.sign(&s.claims(
                json!({"sub": sub, "email": "mallory@example.com", "email_verified": true}),
            )),
            "does not create users",
        );
    }
    // By email, the subject `admin` with alice's verified email is alice, never admin.
    let s = setup(|_| {});
    let r = s.exchange(&s.provider.sign(&s.claims(json!({"sub": "admin"}))));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["id"], "alice");
    // A created user's id comes from its email, not from the subject.
    let s = setup(|t| {
        t.link_claim = LinkClaim::Sub;
        t.create_users = true;
    });
    let r = s.exchange(&s.provider.sign(
        &s.claims(json!({"sub": "admin", "email": "mallory@example.com", "email_verified": true})),
    ));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["id"], "mallory");
    assert_eq!(r.json()["roles"], json!([]));
}

/// Issue 25: two issuers do not share one id space. The first issuer's subject is linked to
/// alice; the same subject at a second issuer (with no verified email) reaches nobody.
#[test]
fn a_second_issuers_subject_equal_to_the_firsts_does_not_reach_the_firsts_user() {
    let second = Provider::start();
    let second_issuer = TrustedIssuer {
        issuer: second.issuer.clone(),
        audience: AUDIENCE.into(),
        algorithms: vec!["EdDSA".into()],
        link_claim: LinkClaim::Sub,
        create_users: false,
        default_roles: vec![],
    };
    let s = setup_with(|_| {}, |c| c.exchange_issuers.push(second_issuer));
    let r = s.exchange(&s.provider.sign(&s.claims(json!({"sub": "shared-1"}))));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["id"], "alice");
    let other = second.sign(&s.claims(json!({
        "iss": second.issuer, "sub": "shared-1", "email": null, "email_verified": null
    })));
    s.refused(&other, "no warden user is linked");
    // Nor does the second issuer's subject `alice` (once, with `link_claim = "sub"`, the
    // warden user id alice).
    let named = second.sign(&s.claims(json!({
        "iss": second.issuer, "sub": "alice", "email": null, "email_verified": null
    })));
    s.refused(&named, "no warden user is linked");
    let links = s.identities("alice");
    assert_eq!(links.as_array().unwrap().len(), 1, "{links}");
    assert_eq!(links[0]["issuer"], s.provider.issuer.as_str());
    assert_eq!(links[0]["subject"], "shared-1");
}

/// Issue 25: after the first exchange the person is found by `(iss, sub)` only. The email the
/// provider reports later changes nothing; another subject claiming alice's email is not
/// linked to her automatically.
#[test]
fn the_link_is_by_issuer_and_subject_only() {
    let s = &setup(|_| {});
    let first = s.exchange(&s.provider.sign(&s.claims(json!({"sub": "g-1"}))));
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json()["id"], "alice");
    // The person changes their email at the provider to that of another warden user (the
    // admin's): still alice, and nobody else.
    let moved = s.exchange(
        &s.provider
            .sign(&s.claims(json!({"sub": "g-1", "email": "admin@localhost"}))),
    );
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.json()["id"], "alice");
    // Without any email at all: still found by (iss, sub).
    let bare = s.exchange(
        &s.provider
            .sign(&s.claims(json!({"sub": "g-1", "email": null, "email_verified": null}))),
    );
    assert_eq!(bare.status, 200, "{}", bare.text);
    assert_eq!(bare.json()["id"], "alice");
    // Another account at the provider claiming alice's verified email is not linked.
    s.refused(
        &s.provider.sign(&s.claims(json!({"sub": "g-2"}))),
        "linked to another account",
    );
    let links = s.identities("alice");
    assert_eq!(links.as_array().unwrap().len(), 1, "{links}");
    // The link made by the exchange is audited, with the exchange as the actor.
    let rows = s.link_audit("link");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["actor"], format!("exchange:{}", s.provider.issuer));
    assert_eq!(rows[0]["target"], "user:alice");
    assert_eq!(rows[0]["detail"]["subject"], "g-1");
}

/// Issue 25: an admin lists, makes and removes a user's links through the admin API and the
/// command line; each change is a `users.update` audit row with `change` link or unlink; an
/// explicit link is what `link_claim = "sub"` signs in by; links go with their user.
#[test]
fn links_are_managed_by_admins() {
    let s = &setup(|t| t.link_claim = LinkClaim::Sub);
    let admin = s.app.admin_token();
    let issuer = s.provider.issuer.clone();
    // Nobody is linked yet: refused.
    let bare = json!({"sub": "g-77", "email": null, "email_verified": null});
    s.refused(&s.provider.sign(&s.claims(bare.clone())), "no warden user");
    // An explicit link by the admin.
    let r = s.app.post(
        "/admin/v1/users/alice/identities",
        &json!({"issuer": issuer, "subject": "g-77"}),
        Some(&admin),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["subject"], "g-77");
    // The same identity cannot be linked twice (to anyone).
    let r = s.app.post(
        "/admin/v1/users/admin/identities",
        &json!({"issuer": issuer, "subject": "g-77"}),
        Some(&admin),
    );
    assert_eq!(r.status, 409, "{}", r.text);
    // An issuer that is not trusted is refused.
    let r = s.app.post(
        "/admin/v1/users/alice/identities",
        &json!({"issuer": "https://elsewhere.example", "subject": "g-77"}),
        Some(&admin),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    let r = s.exchange(&s.provider.sign(&s.claims(bare.clone())));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["id"], "alice");
    // A plain user may not list anyone's links.
    let alice = s
        .app
        .login("alice@example.com", crate::common::USER_PASSWORD)["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = s.app.get("/admin/v1/users/alice/identities", Some(&alice));
    assert_eq!(r.status, 403, "{}", r.text);
    // The command line lists them (a second process on the same database).
    let out = s.app.warden(&["user", "identities", "alice", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed[0]["issuer"], issuer.as_str(), "{listed}");
    assert_eq!(listed[0]["subject"], "g-77");
    // ...and removes one.
    let out = s.app.warden(&[
        "user",
        "unlink",
        "alice",
        "--issuer",
        &issuer,
        "--subject",
        "g-77",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s.identities("alice"), json!([]));
    s.refused(&s.provider.sign(&s.claims(bare.clone())), "no warden user");
    let out = s.app.warden(&[
        "user",
        "unlink",
        "alice",
        "--issuer",
        &issuer,
        "--subject",
        "g-77",
    ]);
    assert!(!out.status.success(), "a second unlink finds nothing");
    // Link again, and remove through the API.
    let r = s.app.post(
        "/admin/v1/users/alice/identities",
        &json!({"issuer": issuer, "subject": "g-77"}),
        Some(&admin),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let r = s.app.call(
        "delete",
        &format!(
            "/admin/v1/users/alice/identities?issuer={}&subject=g-77",
            url_encode(&issuer)
        ),
        None,
        Some(&admin),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["unlinked"]["subject"], "g-77");
    assert_eq!(s.identities("alice"), json!([]));
    // Audited: two links by the admin, an unlink by the command line and one by the admin.
    let links = s.link_audit("link");
    assert_eq!(links.len(), 2, "{links:?}");
    assert!(links.iter().all(|r| r["actor"] == "user:admin"));
    let unlinks = s.link_audit("unlink");
    let actors: Vec<&str> = unlinks
        .iter()
        .map(|r| r["actor"].as_str().unwrap())
        .collect();
    assert_eq!(actors, ["user:admin", "cli"], "{unlinks:?}");
    assert!(unlinks
        .iter()
        .all(|r| r["target"] == "user:alice" && r["detail"]["subject"] == "g-77"));
    // Links go with their user.
    let r = s.app.post(
        "/admin/v1/users/alice/identities",
        &json!({"issuer": issuer, "subject": "g-77"}),
        Some(&admin),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let r = s
        .app
        .call("delete", "/admin/v1/users/alice", None, Some(&admin));
    assert_eq!(r.status, 200, "{}", r.text);
    let r = s.app.post(
        "/admin/v1/users/admin/identities",
        &json!({"issuer": issuer, "subject": "g-77"}),
        Some(&admin),
    );
    assert_eq!(r.status, 201, "the deleted user's link is gone: {}", r.text);
}

/// Issue 25: on PostgreSQL, `lower()` folded `alİce@example.com` (U+0130) and the Kelvin
/// sign into alice's and kate's addresses, so an ID token verified for a look-alike returned
/// their sessions. A look-alike names nobody, on both back ends.
#[test]
fn unicode_look_alike_verified_emails_take_over_nobody() {
    let s = &setup(|_| {});
    let admin = s.app.admin_token();
    let r = s.app.call(
        "post",
        "/admin/v1/users",
        Some(&json!({"email": "kate@example.com"})),
        Some(&admin),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    for (n, look_alike) in [
        "al\u{130}ce@example.com",
        "AL\u{130}CE@EXAMPLE.COM",
        "\u{212A}ate@example.com",
        "\u{FF41}lice@example.com",
    ]
    .into_iter()
    .enumerate()
    {
        let token = s
            .provider
            .sign(&s.claims(json!({"email": look_alike, "sub": format!("look-alike-{n}")})));
        s.refused(&token, "not accepted");
    }
    assert!(block_sessions(s, "alice") + block_sessions(s, "kate") == 0);
}

fn block_sessions(s: &Setup, user: &str) -> usize {
    crate::common::block(s.app.state.app.store().list_sessions(Some(user), true))
        .unwrap()
        .len()
}
