//! The deployment warden is built for (issue 25): behind an app server and a reverse proxy.
//! Every sign-in of an app's users arrives from the app's (or the proxy's) address; the end
//! user's address is believed only from a trusted proxy or a service client that vouches
//! for it, and IPv6 clients share one budget per /64.

use crate::common::*;
use serde_json::json;

fn login(app: &TestApp, email: &str, password: &str, headers: &[(&str, &str)]) -> Reply {
    let body = json!({"email": email, "password": password}).to_string();
    app.post_raw(
        "/v1/auth/login",
        Some("application/json"),
        body.as_bytes(),
        headers,
    )
}

/// 20 wrong passwords for 20 unknown emails from one end user: that user is stopped.
fn typo_storm(app: &TestApp, headers: &[(&str, &str)]) {
    for n in 0..20 {
        let r = login(
            app,
            &format!("nobody{n}@example.com"),
            "wrong-password-1",
            headers,
        );
        assert_eq!(r.status, 401, "attempt {n}: {}", r.text);
    }
    let r = login(app, "nobody@example.com", "wrong-password-1", headers);
    assert_eq!(r.status, 429, "{}", r.text);
}

fn client_key(app: &TestApp) -> String {
    let admin = app.admin_token();
    let r = app.call(
        "post",
        "/admin/v1/clients",
        Some(&json!({"name": "nextjs"})),
        Some(&admin),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()["key"].as_str().unwrap().to_string()
}

#[test]
fn behind_a_trusted_proxy_one_typist_does_not_lock_everyone_out() {
    let app = &spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".into()]);
    typo_storm(app, &[("X-Forwarded-For", "203.0.113.7")]);
    // The admin, at another address behind the same proxy, signs in.
    let r = login(
        app,
        "admin@localhost",
        ADMIN_PASSWORD,
        &[("X-Forwarded-For", "198.51.100.1, 203.0.113.8")],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    // RFC 7239's header too, with a port and a quoted IPv6 hop.
    let r = login(
        app,
        "alice@example.com",
        USER_PASSWORD,
        &[("Forwarded", "for=\"[2001:db8::5]:4711\";proto=https")],
    );
    assert_eq!(r.status, 200, "{}", r.text);
}

#[test]
fn forwarding_headers_from_an_untrusted_peer_are_ignored() {
    // No trusted proxy: a guesser rotating X-Forwarded-For is one address.
    let app = spawn_app();
    for n in 0..20 {
        let fake = format!("203.0.113.{n}");
        let r = login(
            &app,
            &format!("nobody{n}@example.com"),
            "wrong-password-1",
            &[
                ("X-Forwarded-For", fake.as_str()),
                ("Forwarded", &format!("for={fake}")),
            ],
        );
        assert_eq!(r.status, 401);
    }
    let r = login(
        &app,
        "alice@example.com",
        USER_PASSWORD,
        &[("X-Forwarded-For", "198.51.100.99")],
    );
    assert_eq!(r.status, 429, "{}", r.text);
    // A peer outside the trusted range is not a proxy either.
    let app = spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".into()]);
    for n in 0..20 {
        let r = app.post_from(
            "127.0.0.2",
            "/v1/auth/login",
            &json!({"email": format!("nobody{n}@example.com"), "password": "wrong-password-1"}),
        );
        assert_eq!(r.status, 401);
    }
    let r = app.post_from(
        "127.0.0.2",
        "/v1/auth/login",
        &json!({"email": "alice@example.com", "password": USER_PASSWORD}),
    );
    assert_eq!(r.status, 429, "{}", r.text);
}

#[test]
fn an_app_server_vouches_for_its_users_addresses_with_a_client_key() {
    let app = &spawn_app();
    let key = client_key(app);
    typo_storm(
        app,
        &[
            ("X-Warden-Client-Key", key.as_str()),
            ("X-Warden-Client-IP", "203.0.113.7"),
        ],
    );
    let r = login(
        app,
        "admin@localhost",
        ADMIN_PASSWORD,
        &[
            ("X-Warden-Client-Key", key.as_str()),
            ("X-Warden-Client-IP", "203.0.113.8"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    // Without a valid key the address header is ignored: the app's own address is spent.
    let r = login(
        app,
        "alice@example.com",
        USER_PASSWORD,
        &[("X-Warden-Client-IP", "198.51.100.1")],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    // A wrong key is said, not silently ignored; a bad address too.
    let r = login(
        app,
        "alice@example.com",
        USER_PASSWORD,
        &[
            ("X-Warden-Client-Key", "not-a-key"),
            ("X-Warden-Client-IP", "198.51.100.1"),
        ],
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "invalid_client");
    let r = login(
        app,
        "alice@example.com",
        USER_PASSWORD,
        &[
            ("X-Warden-Client-Key", key.as_str()),
            ("X-Warden-Client-IP", "alice's laptop"),
        ],
    );
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("X-Warden-Client-IP") || r.text.contains("x-warden-client-ip"));
}

#[test]
fn a_flooding_app_server_is_stopped_by_its_own_budget() {
    let app = spawn_app_with(|c| c.login_max_failures_per_client = 10);
    let key = client_key(&app);
    for n in 0..10 {
        let ip = format!("203.0.113.{n}");
        let r = login(
            &app,
            &format!("nobody{n}@example.com"),
            "wrong-password-1",
            &[
                ("X-Warden-Client-Key", key.as_str()),
                ("X-Warden-Client-IP", &ip),
            ],
        );
        assert_eq!(r.status, 401);
    }
    let r = login(
        &app,
        "alice@example.com",
        USER_PASSWORD,
        &[
            ("X-Warden-Client-Key", key.as_str()),
            ("X-Warden-Client-IP", "198.51.100.1"),
        ],
    );
    assert_eq!(r.status, 429, "{}", r.text);
    // Users who reach warden directly are not affected.
    assert_eq!(
        login(&app, "alice@example.com", USER_PASSWORD, &[]).status,
        200
    );
}

#[test]
fn ipv6_clients_of_one_prefix_share_one_budget() {
    let app = spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1".into()]);
    for n in 0..20 {
        let ip = format!("2001:db8:1:2::{:x}", n + 1);
        let r = login(
            &app,
            &format!("nobody{n}@example.com"),
            "wrong-password-1",
            &[("X-Forwarded-For", ip.as_str())],
        );
        assert_eq!(r.status, 401);
    }
    let r = login(
        &app,
        "alice@example.com",
        USER_PASSWORD,
        &[("X-Forwarded-For", "2001:db8:1:2:ffff::1")],
    );
    assert_eq!(r.status, 429, "{}", r.text);
    // Another /64 is another budget.
    let r = login(
        &app,
        "alice@example.com",
        USER_PASSWORD,
        &[("X-Forwarded-For", "2001:db8:1:3::1")],
    );
    assert_eq!(r.status, 200, "{}", r.text);
}

#[test]
fn a_trusted_proxy_list_that_does_not_parse_refuses_to_start() {
    let mut config = warden::config::Config {
        trusted_proxies: vec!["10.0.0.0/33".into()],
        ..Default::default()
    };
    let err = config.check().unwrap_err().to_string();
    assert!(err.contains("trusted_proxies"), "{err}");
    config.trusted_proxies = vec!["10.0.0.0/8".into(), "::1".into()];
    config.check().unwrap();
    config.ipv6_prefix = 0;
    assert!(config
        .check()
        .unwrap_err()
        .to_string()
        .contains("ipv6_prefix"));
}

#[test]
fn replicas_share_one_issuer_or_refuse_to_start() {
    let app = spawn_app();
    // The same public_url: a token minted on one server verifies on the other.
    let (other, _) = app.second_server();
    let token = app.alice()["token"].as_str().unwrap().to_string();
    let r = app
        .agent
        .get(format!("{other}/v1/auth/me"))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    // Another public_url on the same database refuses to start, naming both.
    let mut config = (*app.state.config).clone();
    config.public_url = "http://10.0.0.2:8080".into();
    let err = match block(warden::server::AppState::build(config.clone())) {
        Ok(_) => panic!("a second issuer started"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("http://warden.test") && err.contains("http://10.0.0.2:8080"),
        "{err}"
    );
    assert!(err.contains("warden db set-issuer"), "{err}");
    // Moving the deployment on purpose: set the issuer, then it starts.
    let out = app.warden(&["db", "set-issuer", "http://10.0.0.2:8080"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    block(warden::server::AppState::build(config)).unwrap();
}

#[test]
fn postgres_without_public_url_refuses_to_start() {
    // About PostgreSQL: runs on it in the default run.
    if skip_in_the_postgres_run("postgres_without_public_url_refuses_to_start") {
        return;
    }
    let Some(url) = block(warden::testkit::database_or_skip(
        "postgres_without_public_url_refuses_to_start",
    )) else {
        return;
    };
    let dir = tempfile::TempDir::new().unwrap();
    copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"),
        &dir.path().join("policies"),
    );
    let config = warden::config::Config {
        db: url.into(),
        policies: dir.path().join("policies"),
        watch_policies: false,
        ..Default::default()
    };
    let err = match block(warden::server::AppState::build(config)) {
        Ok(_) => panic!("started without an issuer on PostgreSQL"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("public_url"), "{err}");
}

#[test]
fn rfc8414_metadata_and_basic_client_authentication_at_introspection() {
    use base64::Engine as _;
    let app = spawn_app();
    let metadata = app.get("/.well-known/oauth-authorization-server", None);
    assert_eq!(metadata.status, 200);
    let metadata = metadata.json();
    assert_eq!(metadata["issuer"], "http://warden.test");
    assert_eq!(
        metadata,
        app.get("/.well-known/openid-configuration", None).json()
    );
    assert!(metadata["introspection_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("client_secret_basic")));
    let token = app.alice()["token"].as_str().unwrap().to_string();
    let (client, key) = block(app.state.app.store().create_client("api", None)).unwrap();
    let basic = |id: &str, secret: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
        )
    };
    let introspect = |auth: &str| {
        app.post_raw(
            "/v1/auth/introspect",
            Some("application/x-www-form-urlencoded"),
            format!("token={token}").as_bytes(),
            &[("Authorization", auth)],
        )
    };
    let r = introspect(&basic(&client.id, &key));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["active"], true);
    // The key of another client, or a wrong key, is refused.
    assert_eq!(introspect(&basic("someone-else", &key)).status, 401);
    assert_eq!(introspect(&basic(&client.id, "wrong")).status, 401);
    assert_eq!(introspect("Basic !!!").status, 401);
}

/// Unicode look-alikes of an ASCII address: U+0130 (capital I with dot, which PostgreSQL's
/// `lower()` folds to `i`), the Kelvin sign (NFC makes it `K`), full-width letters.
const LOOK_ALIKES: [&str; 4] = [
    "al\u{130}ce@example.com",
    "AL\u{130}CE@EXAMPLE.COM",
    "\u{212A}ate@example.com",
    "\u{FF41}lice@example.com",
];

#[test]
fn one_canonical_email() {
    let app = &spawn_app();
    let admin = app.admin_token();
    let r = app.call(
        "post",
        "/admin/v1/users",
        Some(&json!({"email": "kate@example.com", "password": USER_PASSWORD})),
        Some(&admin),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    // A look-alike never signs in as the ASCII account, even with its password, and its
    // failures are not the account's.
    for variant in LOOK_ALIKES {
        let r = login(app, variant, USER_PASSWORD, &[]);
        assert_eq!(r.status, 401, "{variant}: {}", r.text);
    }
    // (4 more: the look-alike's own pair budget of 5 is then spent.)
    for _ in 0..4 {
        assert_eq!(
            login(app, "al\u{130}ce@example.com", "wrong-password-1", &[]).status,
            401
        );
    }
    assert_eq!(
        login(app, "alice@example.com", USER_PASSWORD, &[]).status,
        200
    );
    // A case variant is the same account, and the same throttle keys.
    assert_eq!(
        login(app, "ALICE@Example.COM", USER_PASSWORD, &[]).status,
        200
    );
    for _ in 0..5 {
        assert_eq!(
            login(app, "Alice@EXAMPLE.com", "wrong-password-1", &[]).status,
            401
        );
    }
    let r = login(app, "alice@example.com", USER_PASSWORD, &[]);
    assert_eq!(r.status, 429, "{}", r.text);
    // AuthZEN subjects: a look-alike names nobody; a case variant names alice.
    for variant in LOOK_ALIKES {
        let found = block(app.state.resolver.directory_subject(variant)).unwrap();
        assert!(found.is_none(), "{variant} named {found:?}");
    }
    let found = block(app.state.resolver.directory_subject("ALICE@EXAMPLE.COM")).unwrap();
    assert_eq!(found.unwrap().id, "alice");
    // And no look-alike can be registered beside the account.
    for variant in LOOK_ALIKES {
        let r = app.call(
            "post",
            "/admin/v1/users",
            Some(&json!({"email": variant})),
            Some(&admin),
        );
        assert_eq!(r.status, 400, "{variant}: {}", r.text);
    }
}

/// The chosen address is what the logs keep: the decision log the app server's vouched end
/// user, the audit log the admin behind the proxy.
#[test]
fn the_logs_keep_the_end_users_address() {
    let app = spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".into()]);
    let key = client_key(&app);
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let body =
        json!({"action": "deleteUserResource", "resource": {"type": "UserResource", "id": "r1"}});
    let auth = format!("Bearer {alice}");
    let r = app.post_raw(
        "/v1/authorize",
        Some("application/json"),
        body.to_string().as_bytes(),
        &[
            ("Authorization", auth.as_str()),
            ("X-Warden-Client-Key", key.as_str()),
            ("X-Warden-Client-IP", "203.0.113.44"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let logged = || {
        block(app.state.app.store().list_decisions(
            None,
            Some("deleteUserResource"),
            None,
            None,
            10,
        ))
        .unwrap()
    };
    crate::decisions::wait_for("the logged decision", || !logged().is_empty());
    let logged = logged().remove(0);
    assert_eq!(logged.address, "203.0.113.44");
    // An admin change through the proxy: the audit row has the admin's address.
    let admin = app.admin_token();
    let bearer = format!("Bearer {admin}");
    let r = app.post_raw(
        "/admin/v1/users/alice/revoke",
        Some("application/json"),
        b"{}",
        &[
            ("Authorization", bearer.as_str()),
            ("X-Forwarded-For", "198.51.100.77"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let audit = app
        .get("/admin/v1/audit?action=users.revoke", Some(&admin))
        .json();
    assert_eq!(audit[0]["address"], "198.51.100.77", "{audit}");
}
