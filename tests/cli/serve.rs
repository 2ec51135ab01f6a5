//! The configuration (file, environment, flags, its errors and its reference) and `serve`.

use crate::*;

#[test]
fn config_file_env_and_print_config() {
    let env = Env::new();
    std::fs::write(env.path().join("warden.toml"), "listen = \"127.0.0.1:9999\"\njwt_algorithm = \"HS256\"\njwt_secret = \"0123456789abcdef0123456789abcdef\"\n").unwrap();
    let out = env
        .cmd(&["serve", "--print-config", "--json"])
        .env("WARDEN_ACCESS_TOKEN_TTL", "60")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["listen"], "127.0.0.1:9999");
    assert_eq!(v["access_token_ttl"], 60);
    assert_eq!(v["jwt_secret"], "********");
    let out = env.ok(&["serve", "--print-config", "--listen", "127.0.0.1:7777"]);
    assert!(out.contains("listen = \"127.0.0.1:7777\""));
    assert!(!out.contains("0123456789abcdef"), "secret must be masked");

    std::fs::write(env.path().join("warden.toml"), "lisen = \"x\"\n").unwrap();
    let err = env.fails(&["serve", "--print-config"]);
    assert!(
        one_line_error(&err).contains("unknown key `lisen`"),
        "{err}"
    );
    std::fs::write(
        env.path().join("warden.toml"),
        "access_token_ttl = \"soon\"\n",
    )
    .unwrap();
    let err = env.fails(&["serve", "--print-config"]);
    one_line_error(&err);
    std::fs::remove_file(env.path().join("warden.toml")).unwrap();
    let out = env
        .cmd(&["serve", "--print-config"])
        .env("WARDEN_ACCESS_TOKEN_TTL", "abc")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("WARDEN_ACCESS_TOKEN_TTL"));
}

#[test]
fn configuration_errors_name_the_line_and_the_nearest_key() {
    let env = Env::new();
    let cases = [
        (
            "listen = \"127.0.0.1:9000\"\nrefresh_grase = 3\n",
            "warden.toml:2: unknown key `refresh_grase`; did you mean `refresh_grace`?",
        ),
        (
            "# comment\n\naccess_token_ttl = \"ten\"\n",
            "warden.toml:3: access_token_ttl: expected an integer, found \"ten\"",
        ),
        (
            "watch_policies = 1\n",
            "warden.toml:1: watch_policies: expected true or false, found 1",
        ),
        ("leeway = -1\n", "warden.toml:1: leeway:"),
        ("zzzz = 1\n", "warden.toml:1: unknown key `zzzz`"),
    ];
    for (text, expected) in cases {
        std::fs::write(env.path().join("warden.toml"), text).unwrap();
        let err = env.fails(&["serve", "--print-config"]);
        let line = one_line_error(&err);
        assert!(
            line.starts_with(&format!("error: {expected}")),
            "{text:?}: {line}"
        );
    }
    std::fs::remove_file(env.path().join("warden.toml")).unwrap();
    // docs/configuration.md holds the table `warden config keys` prints, made from the doc
    // comments of the configuration's fields (one source), with a row for every key
    // --print-config shows, whose meaning is that key's doc comment.
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/configuration.md"),
    )
    .unwrap();
    let table = env.ok(&["config", "keys"]);
    assert!(
        docs.contains(&table),
        "docs/configuration.md's table is not what `warden config keys` prints; paste this there:\n{table}"
    );
    let reference = env.json(&["config", "keys"]);
    let shown = env.json(&["serve", "--print-config"]);
    for key in shown
        .as_object()
        .unwrap()
        .keys()
        .chain(["jwt_secret".to_string()].iter())
    {
        let entry = reference
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["key"] == *key)
            .unwrap_or_else(|| panic!("`warden config keys` misses {key}"));
        assert_eq!(entry["env"], format!("WARDEN_{}", key.to_uppercase()));
        let row = docs
            .lines()
            .find(|l| l.starts_with(&format!("| `{key}` |")))
            .unwrap_or_else(|| panic!("docs/configuration.md misses {key}"));
        let doc = entry["doc"].as_str().unwrap();
        assert!(
            !doc.is_empty() && row.ends_with(&format!(" | {doc} |")),
            "{key}: the table says {row:?}, its doc comment {doc:?}"
        );
    }
    assert_eq!(
        shown["public_url"], "http://127.0.0.1:8080",
        "derived from listen"
    );
}

#[test]
fn serve_in_an_empty_directory_answers_healthz_and_stops_on_sigterm() {
    let env = Env::new();
    std::fs::remove_dir_all(env.path().join("policies")).unwrap();
    let mut child = env
        .cmd(&["serve", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
    let addr = loop {
        let line = lines.next().expect("server printed its address").unwrap();
        if let Some(rest) = line.strip_prefix("warden listening on http://") {
            break rest.to_string();
        }
    };
    // Without public_url, the issuer is where the server really listens (not :8080): the
    // last line of the start-up banner (database, policies, issuer).
    let issuer = (0..3)
        .map(|_| lines.next().unwrap().unwrap())
        .last()
        .unwrap();
    assert_eq!(
        issuer,
        format!("  issuer    http://{addr} (public_url unset: the listen address)")
    );
    let discovery: serde_json::Value = serde_json::from_str(
        &ureq::get(&format!("http://{addr}/.well-known/openid-configuration"))
            .call()
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(discovery["issuer"], format!("http://{addr}"));
    assert_eq!(
        discovery["token_endpoint"],
        format!("http://{addr}/v1/auth/token")
    );
    let body = ureq::get(&format!("http://{addr}/healthz"))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    assert!(body.contains("ok"));
    // `warden openapi` prints, without a server, the very document the server serves.
    let served: serde_json::Value = serde_json::from_str(
        &ureq::get(&format!("http://{addr}/openapi.json"))
            .call()
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    let printed = env
        .cmd(&["openapi"])
        .env("WARDEN_LISTEN", &addr)
        .output()
        .unwrap();
    assert!(printed.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&printed.stdout).unwrap();
    assert_eq!(printed, served);
    // Decisions made right before the stop still reach the decision log.
    let login: serde_json::Value = serde_json::from_str(
        &ureq::post(&format!("http://{addr}/v1/auth/login"))
            .header("Content-Type", "application/json")
            .send(r#"{"email":"admin@localhost","password":"bootstrap-password-1"}"#)
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    let token = login["token"].as_str().unwrap();
    let claims = token.split('.').nth(1).unwrap();
    let claims =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, claims).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&claims).unwrap();
    assert_eq!(claims["iss"], format!("http://{addr}"));
    for _ in 0..30 {
        let answer = ureq::post(&format!("http://{addr}/v1/authorize"))
            .header("Content-Type", "application/json")
            .header("Authorization", &format!("Bearer {token}"))
            .send(r#"{"action":"deleteUserResource","resource":{"type":"UserResource","id":"r1"}}"#)
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap();
        assert!(answer.contains("\"allowed\":true"), "{answer}");
    }
    sigterm(child.id());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0");
    // It set itself up: database, shipped policies, keys, the admin.
    assert!(env.path().join("warden.db").exists());
    assert!(env.path().join("policies/app.cedar").exists());
    // ... with their test suites, which pass with full coverage.
    let (ok, stdout, stderr) = run_out(&env, &["policy", "test", "--coverage", "policies"]);
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("every policy is covered"), "{stdout}");
    let users = env.json(&["user", "list"]);
    assert_eq!(users[0]["id"], "admin");
    let keys = env.json(&["keys", "list"]);
    assert_eq!(keys.as_array().unwrap().len(), 1);
    let conn = rusqlite::Connection::open(env.path().join("warden.db")).unwrap();
    let logged: i64 = conn
        .query_row("SELECT COUNT(*) FROM decision_log", [], |r| r.get(0))
        .unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert_eq!(logged, 30, "server said: {rest:?}");
}
