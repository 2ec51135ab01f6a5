use super::*;

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
