//! Issue 11, defects 10, 11 and 13: bad input is refused (400 naming the field), every
//! error answer is JSON, and the operational endpoints tell strangers nothing but "ready".

use crate::common::{block, spawn_app, TestApp};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;

// ---- defect 10: bad input ----

fn create_user(app: &TestApp, token: &str, body: Value) -> crate::common::Reply {
    app.post("/admin/v1/users", &body, Some(token))
}

fn assert_refused(r: &crate::common::Reply, field: &str) {
    assert_eq!(r.status, 400, "{}", r.text);
    let v = r.json();
    assert_eq!(v["error"], "invalid_request");
    let message = v["message"].as_str().unwrap();
    assert!(message.contains(field), "{message:?} names {field}");
}

#[test]
fn look_alike_and_malformed_emails_are_refused() {
    let app = spawn_app();
    let admin = app.admin_token();
    for email in [
        "alice\u{202E}@example.com",
        "\u{FEFF}alice@example.com",
        "al\u{200B}ice@example.com",
        "al\u{200D}ice@example.com",
        "\u{FF41}lice@example.com",
        "alice@ex\u{FF41}mple.com",
        "alice\u{301}@example.com",
        "\u{430}lice@example.com",
        "alice@b\u{FC}cher.example",
        "al\0ice@example.com",
        "alice@@example.com",
        "alice@",
        "alice..lee@example.com",
        "alice@[127.0.0.1]",
    ] {
        let r = create_user(&app, &admin, json!({"email": email, "id": "lookalike"}));
        assert_refused(&r, "email");
    }
    let long = format!("{}@example.com", "a".repeat(300));
    assert_refused(&create_user(&app, &admin, json!({"email": long})), "email");
    assert_eq!(
        app.get("/admin/v1/users/lookalike", Some(&admin)).status,
        404,
        "nothing refused was written"
    );
    // The same rules on update.
    let r = app.call(
        "patch",
        "/admin/v1/users/alice",
        Some(&json!({"email": "\u{FEFF}alice@example.com"})),
        Some(&admin),
    );
    assert_refused(&r, "email");
}

#[test]
fn emails_and_names_are_normalised() {
    let app = spawn_app();
    let admin = app.admin_token();
    let r = create_user(
        &app,
        &admin,
        json!({"email": "  Ann.Lee+ops@Example.COM ", "name": " Jose\u{301} Garc\u{131}a "}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let user = r.json();
    assert_eq!(user["email"], "Ann.Lee+ops@example.com");
    assert_eq!(user["name"], "Jos\u{E9} Garc\u{131}a", "NFC and trimmed");
    // An address that differs only by the domain's case is the same address.
    let again = create_user(
        &app,
        &admin,
        json!({"email": "ann.lee+ops@EXAMPLE.com", "id": "ann2"}),
    );
    assert_eq!(again.status, 409, "{}", again.text);
    // Names of other scripts are names.
    let r = create_user(
        &app,
        &admin,
        json!({"email": "m@example.com", "name": "\u{645}\u{6CC}\u{200C}\u{62E}\u{648}\u{627}\u{647}\u{645}"}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
}

#[test]
fn names_with_controls_or_of_any_length_are_refused() {
    let app = spawn_app();
    let admin = app.admin_token();
    for name in [
        "Eve\0".to_string(),
        "Eve\u{1b}[31m".to_string(),
        "Eve\u{202E}nimda".to_string(),
        "\u{FEFF}Eve".to_string(),
        "E\u{200B}ve".to_string(),
        "n".repeat(60_000),
    ] {
        let r = create_user(
            &app,
            &admin,
            json!({"email": "eve@example.com", "name": name}),
        );
        assert_refused(&r, "name");
        assert!(r.text.len() < 500, "the value is not echoed back whole");
        let r = app.call(
            "patch",
            "/admin/v1/users/alice",
            Some(&json!({"name": name})),
            Some(&admin),
        );
        assert_refused(&r, "name");
    }
    assert_eq!(app.get("/admin/v1/users/eve", Some(&admin)).status, 404);
    // Client names follow the same rules.
    let r = app.post(
        "/admin/v1/clients",
        &json!({"name": "svc\u{202E}"}),
        Some(&admin),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    // Ids and role names have caps too.
    let r = create_user(
        &app,
        &admin,
        json!({"email": "x@example.com", "id": "i".repeat(200)}),
    );
    assert_refused(&r, "id");
    let r = app.post(
        "/admin/v1/roles",
        &json!({"name": "R".repeat(65)}),
        Some(&admin),
    );
    assert_refused(&r, "name");
    let r = app.get(
        &format!("/admin/v1/users/{}", "i".repeat(200)),
        Some(&admin),
    );
    assert_eq!(r.status, 400, "{}", r.text);
}

#[test]
fn unknown_fields_are_refused_in_every_body() {
    let app = spawn_app();
    let admin = app.admin_token();
    // The original report: `disabled` on create made an enabled user.
    let r = create_user(
        &app,
        &admin,
        json!({"email": "dis@example.com", "disabled": true}),
    );
    assert_refused(&r, "disabled");
    assert_eq!(app.get("/admin/v1/users/dis", Some(&admin)).status, 404);
    let bodies: Vec<(&str, &str, Value)> = vec![
        (
            "patch",
            "/admin/v1/users/alice",
            json!({"name": "A", "role": "ADMIN"}),
        ),
        (
            "put",
            "/admin/v1/users/alice/roles",
            json!({"roles": ["USER"], "primary": "USER"}),
        ),
        (
            "post",
            "/admin/v1/users/alice/password",
            json!({"password": "long-enough-pass", "temporary": true}),
        ),
        (
            "post",
            "/admin/v1/roles",
            json!({"name": "OPS", "parent": ["USER"]}),
        ),
        (
            "put",
            "/admin/v1/roles/USER",
            json!({"parents": [], "force": true}),
        ),
        (
            "post",
            "/admin/v1/clients",
            json!({"name": "svc", "scopes": ["all"]}),
        ),
        (
            "post",
            "/admin/v1/tokens/revoke",
            json!({"jti": "x", "user": "alice"}),
        ),
        (
            "post",
            "/admin/v1/policies/whatif",
            json!({"user": "alice", "action": "readDocument", "resource": {"type": "Document", "id": "d", "owner": "alice"}}),
        ),
    ];
    for (method, path, body) in bodies {
        let r = app.call(method, path, Some(&body), Some(&admin));
        assert_eq!(r.status, 400, "{method} {path}: {}", r.text);
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains("unknown field"),
            "{}",
            r.text
        );
    }
    // Sign-in, refresh, logout, revocation.
    let r = app.post(
        "/v1/auth/login",
        &json!({"email": "alice@example.com", "password": crate::common::USER_PASSWORD, "remember": true}),
        None,
    );
    assert_refused(&r, "remember");
    let refresh = app.alice()["refresh_token"].as_str().unwrap().to_string();
    let r = app.post(
        "/v1/auth/refresh",
        &json!({"refresh_token": refresh, "scope": "admin"}),
        None,
    );
    assert_refused(&r, "scope");
    let r = app.post(
        "/v1/auth/logout",
        &json!({"refresh_token": refresh, "all": true}),
        None,
    );
    assert_refused(&r, "all");
    let r = app.post(
        "/v1/auth/revoke",
        &json!({"token": refresh, "everything": true}),
        None,
    );
    assert_refused(&r, "everything");
    // Decisions: the body and the resource are closed; properties and context are free-form.
    let token = app.alice()["token"].as_str().unwrap().to_string();
    let ok = json!({"action": "readDocument", "resource": {"type": "Document", "id": "d1", "properties": {"anything": 1}}, "context": {"free": true}});
    assert_eq!(app.post("/v1/authorize", &ok, Some(&token)).status, 200);
    let mut bad = ok.clone();
    bad["principal"] = json!("admin");
    assert_refused(&app.post("/v1/authorize", &bad, Some(&token)), "principal");
    let mut bad = ok.clone();
    bad["resource"]["owner"] = json!("alice");
    assert_refused(
        &app.post("/v1/authorize", &bad, Some(&token)),
        "resource.owner",
    );
    let r = app.post(
        "/v1/authorize/batch",
        &json!({"items": [ok], "mode": "all"}),
        Some(&token),
    );
    assert_refused(&r, "mode");
    let r = app.post(
        "/v1/authorize/batch",
        &json!({"items": [bad]}),
        Some(&token),
    );
    assert_refused(&r, "items[0].resource.owner");
}

#[test]
fn authzen_bodies_refuse_unknown_fields_but_keep_properties_and_context_open() {
    let app = spawn_app();
    let (_, key) = block(app.state.app.store().create_client("tests", None)).unwrap();
    let post = |path: &str, body: &Value| {
        app.post_raw(
            path,
            Some("application/json"),
            body.to_string().as_bytes(),
            &[("Authorization", &format!("Bearer {key}"))],
        )
    };
    let eval = json!({
        "subject": {"type": "user", "id": "admin", "properties": {"department": "ops"}},
        "action": {"name": "deleteUserResource", "properties": {"method": "DELETE"}},
        "resource": {"type": "UserResource", "id": "r1", "properties": {"any": "thing"}},
        "context": {"ip": "10.0.0.1"}
    });
    // Accepted (the strict schema then denies the attributes it does not know: a decision,
    // not a refused request).
    let r = post("/access/v1/evaluation", &eval);
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json()["decision"].is_boolean());
    for (pointer, field) in [
        ("", "unknown"),
        ("/subject", "subject.unknown"),
        ("/action", "action.unknown"),
        ("/resource", "resource.unknown"),
    ] {
        let mut bad = eval.clone();
        bad.pointer_mut(pointer).unwrap()["unknown"] = json!({"x": 1});
        assert_refused(&post("/access/v1/evaluation", &bad), field);
    }
    let mut batch = eval.clone();
    batch["evaluations"] = json!([{}, {"action": {"name": "readDocument"}}]);
    assert_eq!(post("/access/v1/evaluations", &batch).status, 200);
    batch["options"] = json!({"evaluations_semantics": "deny_on_first_deny"});
    assert_refused(
        &post("/access/v1/evaluations", &batch),
        "options.evaluations_semantics",
    );
    batch["options"] = json!({});
    batch["evaluations"] = json!([{"subject": {"type": "user", "id": "admin"}, "extra": 1}]);
    let r = post("/access/v1/evaluations", &batch);
    assert_eq!(
        r.json(),
        json!({"evaluations": [{"decision": false}]}),
        "an item with an unknown field is a deny, like any bad item"
    );
    let search = json!({
        "subject": {"type": "user", "id": "alice"},
        "resource": {"type": "Document", "id": "d1"},
        "page": {"limit": 1, "size": 5}
    });
    assert_refused(&post("/access/v1/search/action", &search), "page.size");
    let search = json!({
        "subject": {"type": "user"},
        "action": {"name": "readDocument"},
        "resource": {"type": "Document", "id": "d1"},
        "filter": "a%"
    });
    assert_refused(&post("/access/v1/search/subject", &search), "filter");
}

#[test]
fn filters_match_literally_and_long_ones_are_refused() {
    let app = spawn_app();
    let admin = app.admin_token();
    for (email, name) in [("pct@example.com", "100% sure"), ("u_s@example.com", "")] {
        let r = create_user(&app, &admin, json!({"email": email, "name": name}));
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let ids = |filter: &str| -> Vec<String> {
        let r = app.get(&format!("/admin/v1/users?filter={filter}"), Some(&admin));
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("%25"), ["pct"], "% is not a wildcard");
    assert_eq!(ids("_"), ["u_s"], "_ is not a wildcard");
    assert_eq!(
        ids("%5C"),
        Vec::<String>::new(),
        "a backslash is literal too"
    );
    assert_eq!(ids("ALI"), ["alice"], "still a case-insensitive substring");
    let r = app.get(
        &format!("/admin/v1/users?filter={}", "x".repeat(300)),
        Some(&admin),
    );
    assert_refused(&r, "filter");
    // 50,000 characters: refused as JSON before it reaches the store (it was a 503).
    let r = app.get(
        &format!("/admin/v1/users?filter={}", "x".repeat(50_000)),
        Some(&admin),
    );
    assert_eq!(r.status, 414, "{}", r.text);
    assert!(r.json()["message"].is_string());
}

// ---- defect 11: every error answer is JSON ----

struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Send bytes as they are (no client library normalises them) and read the answer.
fn raw(app: &TestApp, request: &[u8]) -> Raw {
    let mut stream = TcpStream::connect(app.base.trim_start_matches("http://")).unwrap();
    stream.write_all(request).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    // The server may close without reading all we sent (an early refusal): keep what came.
    while let Ok(n) = stream.read(&mut chunk) {
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer head: {:?}", String::from_utf8_lossy(&buf)));
    let head = String::from_utf8_lossy(&buf[..end]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = buf[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap().trim(), 16)
                    .unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
            rest = &rest[line_end + 2 + size + 2..];
        }
        body = out;
    }
    Raw {
        status,
        headers,
        body,
    }
}

fn request(method: &str, target: &str, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut r = Vec::new();
    r.extend_from_slice(method.as_bytes());
    r.push(b' ');
    r.extend_from_slice(target.as_bytes());
    r.extend_from_slice(b" HTTP/1.1\r\nHost: warden.test\r\nConnection: close\r\n");
    for (k, v) in headers {
        r.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
        r.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    r.extend_from_slice(b"\r\n");
    r.extend_from_slice(body);
    r
}

#[test]
fn every_error_answer_is_json_with_error_and_message() {
    let app = spawn_app();
    let admin = app.admin_token();
    let alice = app.alice()["token"].as_str().unwrap().to_string();
    let (_, key) = block(app.state.app.store().create_client("tests", None)).unwrap();
    let bearer = |t: &str| ("Authorization", format!("Bearer {t}"));
    let json_ct = ("Content-Type", "application/json".to_string());
    let big_header = ("X-Filler", "f".repeat(40 * 1024));
    let many: Vec<(&str, String)> = (0..80).map(|_| ("X-Many", "m".to_string())).collect();
    let long_uri = format!("/healthz?x={}", "a".repeat(20_000));
    let long_filter = format!("/admin/v1/users?filter={}", "x".repeat(300));
    let a = || vec![bearer(&admin)];
    #[allow(clippy::type_complexity)]
    let corpus: Vec<(&str, &str, Vec<(&str, String)>, Vec<u8>, u16)> = vec![
        // Query strings.
        ("GET", "/admin/v1/users?limit=abc", a(), vec![], 400),
        ("GET", "/admin/v1/users?offset=-x", a(), vec![], 400),
        ("GET", "/admin/v1/users?limit=1&limit=2", a(), vec![], 400),
        ("GET", "/admin/v1/users?bogus=1", a(), vec![], 400),
        ("GET", &long_filter, a(), vec![], 400),
        ("GET", "/admin/v1/decisions?wait=-1", a(), vec![], 400),
        ("GET", "/admin/v1/decisions?after_id=x", a(), vec![], 400),
        (
            "GET",
            "/admin/v1/decisions?since=yesterday",
            a(),
            vec![],
            400,
        ),
        (
            "GET",
            "/admin/v1/decisions?decision=maybe",
            a(),
            vec![],
            400,
        ),
        ("DELETE", "/admin/v1/roles/USER?force=1", a(), vec![], 400),
        ("GET", "/admin/v1/sessions?active=yes", a(), vec![], 400),
        ("GET", "/admin/v1/sessions?user=a%20b", a(), vec![], 400),
        (
            "GET",
            "/admin/v1/decisions/stats?window=abc",
            a(),
            vec![],
            400,
        ),
        ("GET", "/admin/v1/audit?limit=1e3", a(), vec![], 400),
        // Methods the route does not serve.
        ("PUT", "/healthz", vec![], vec![], 405),
        ("DELETE", "/v1/auth/login", vec![], vec![], 405),
        ("GET", "/v1/auth/login", vec![], vec![], 405),
        ("POST", "/readyz", vec![], vec![], 405),
        ("PATCH", "/admin/v1/roles", a(), vec![], 405),
        ("BREW", "/healthz", vec![], vec![], 405),
        ("OPTIONS", "/v1/authorize", vec![], vec![], 405),
        ("GET", "/access/v1/evaluation", vec![], vec![], 405),
        // Bad JSON.
        (
            "POST",
            "/v1/auth/login",
            vec![json_ct.clone()],
            b"{".to_vec(),
            400,
        ),
        (
            "POST",
            "/v1/auth/login",
            vec![json_ct.clone()],
            b"[]".to_vec(),
            400,
        ),
        (
            "POST",
            "/v1/auth/login",
            vec![json_ct.clone()],
            br#"{"email":1,"password":"x"}"#.to_vec(),
            400,
        ),
        ("POST", "/v1/auth/login", vec![json_ct.clone()], vec![], 400),
        (
            "POST",
            "/v1/auth/login",
            vec![json_ct.clone()],
            b"{\"email\":\"\xff\",\"password\":\"x\"}".to_vec(),
            400,
        ),
        (
            "POST",
            "/v1/auth/refresh",
            vec![json_ct.clone()],
            br#"{"refresh_token":5}"#.to_vec(),
            400,
        ),
        (
            "POST",
            "/v1/authorize",
            vec![json_ct.clone(), bearer(&alice)],
            br#"{"action":"x","resource":{"type":"T","id":"1"},"extra":1}"#.to_vec(),
            400,
        ),
        (
            "POST",
            "/admin/v1/users",
            vec![json_ct.clone(), bearer(&admin)],
            br#"{"email":"a@b.c","disabled":true}"#.to_vec(),
            400,
        ),
        // Content types.
        (
            "POST",
            "/v1/auth/login",
            vec![("Content-Type", "text/plain".into())],
            br#"{"email":"a","password":"b"}"#.to_vec(),
            415,
        ),
        (
            "POST",
            "/v1/auth/login",
            vec![],
            br#"{"email":"a","password":"b"}"#.to_vec(),
            415,
        ),
        (
            "POST",
            "/v1/authorize",
            vec![
                ("Content-Type", "application/x-www-form-urlencoded".into()),
                bearer(&alice),
            ],
            b"action=x".to_vec(),
            415,
        ),
        (
            "POST",
            "/v1/auth/revoke",
            vec![("Content-Type", "text/xml".into())],
            b"<token/>".to_vec(),
            415,
        ),
        (
            "POST",
            "/v1/auth/login",
            vec![json_ct.clone()],
            vec![b' '; 70 * 1024],
            413,
        ),
        // Paths that are not UTF-8.
        ("GET", "/admin/v1/users/%FF", a(), vec![], 400),
        ("GET", "/admin/v1/users/%C3%28", a(), vec![], 400),
        ("DELETE", "/admin/v1/sessions/%FF%FE", a(), vec![], 400),
        ("GET", "/%FF%FE", vec![], vec![], 404),
        // Oversized heads.
        ("GET", &long_uri, vec![], vec![], 414),
        ("GET", "/healthz", vec![big_header], vec![], 431),
        ("GET", "/healthz", many, vec![], 431),
        // Unknown routes.
        ("GET", "/nope", vec![], vec![], 404),
        (
            "POST",
            "/v1/nope",
            vec![json_ct.clone()],
            b"{}".to_vec(),
            404,
        ),
        ("GET", "/admin/v1/users/alice/nope", a(), vec![], 404),
        ("GET", "/admin/v1", vec![], vec![], 404),
        // Credentials.
        ("GET", "/admin/v1/users", vec![], vec![], 401),
        (
            "GET",
            "/admin/v1/users",
            vec![bearer("garbage")],
            vec![],
            401,
        ),
        ("GET", "/admin/v1/users", vec![bearer(&alice)], vec![], 403),
        (
            "POST",
            "/access/v1/evaluation",
            vec![json_ct.clone()],
            b"{}".to_vec(),
            401,
        ),
        (
            "POST",
            "/access/v1/evaluation",
            vec![json_ct.clone(), bearer(&key)],
            b"{\"subject\":".to_vec(),
            400,
        ),
    ];
    assert!(corpus.len() >= 40);
    let mut failures = Vec::new();
    for (method, target, headers, body, status) in &corpus {
        let answer = raw(&app, &request(method, target, headers, body));
        let shown = format!("{method} {}", &target[..target.len().min(60)]);
        let parsed: Option<Value> = serde_json::from_slice(&answer.body).ok();
        let shape_ok = parsed.as_ref().is_some_and(|v| {
            v["error"].as_str().is_some_and(|s| !s.is_empty())
                && v["message"].as_str().is_some_and(|s| !s.is_empty())
        });
        let ct_ok = answer
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/json"));
        let allow_ok =
            answer.status != 405 || answer.header("allow").is_some_and(|a| !a.is_empty());
        if answer.status != *status || !shape_ok || !ct_ok || !allow_ok {
            failures.push(format!(
                "{shown}: {} (expected {status}), allow {:?}: {}",
                answer.status,
                answer.header("allow"),
                String::from_utf8_lossy(&answer.body[..answer.body.len().min(200)])
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} answers are wrong:\n{}",
        failures.len(),
        corpus.len(),
        failures.join("\n")
    );
    // 405 says what is allowed.
    let answer = raw(&app, &request("DELETE", "/admin/v1/roles", &a(), &[]));
    assert_eq!(answer.status, 405);
    let allow = answer.header("allow").unwrap().replace(' ', "");
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
}

#[test]
fn query_errors_name_the_parameter() {
    let app = spawn_app();
    let admin = app.admin_token();
    for (path, name) in [
        ("/admin/v1/users?limit=abc", "`limit`"),
        ("/admin/v1/decisions?wait=-1", "`wait`"),
        ("/admin/v1/users?activ=true", "activ"),
        ("/admin/v1/sessions?user=a%20b", "`user`"),
    ] {
        let r = app.get(path, Some(&admin));
        assert_eq!(r.status, 400, "{path}: {}", r.text);
        let message = r.json()["message"].as_str().unwrap().to_string();
        assert!(message.contains(name), "{path}: {message}");
    }
    let r = app.call("delete", "/admin/v1/roles/USER?force=1", None, Some(&admin));
    assert_eq!(r.status, 400);
    assert!(
        r.json()["message"].as_str().unwrap().contains("`force`"),
        "{}",
        r.text
    );
}
