use super::*;

/// cedar-agent's request: Cedar uids as text, the context, and the request's entities (the
/// principal with its roles as parents, the roles, the document with its attributes).
pub(crate) fn cedar_agent_body(user: &User, q: &Drawn, d: &Document) -> Value {
    let mut entities = vec![json!({
        "uid": {"type": "User", "id": user.id},
        "attrs": {"email": format!("{}@example.com", user.id), "name": format!("User {}", &user.id[1..])},
        "parents": user.roles.iter().map(|r| json!({"type": "Role", "id": r})).collect::<Vec<_>>(),
    })];
    for r in &user.roles {
        entities.push(json!({"uid": {"type": "Role", "id": r}, "attrs": {}, "parents": []}));
    }
    entities.push(json!({
        "uid": {"type": "Document", "id": d.id},
        "attrs": {"owner": {"__entity": {"type": "User", "id": format!("u{}", d.owner)}}, "level": d.level, "public": d.public},
        "parents": [],
    }));
    json!({
        "principal": format!("User::\"{}\"", user.id),
        "action": format!("Action::\"{}\"", q.action),
        "resource": format!("Document::\"{}\"", d.id),
        "context": q.context,
        "entities": entities,
    })
}

/// Start cedar-agent on a free loopback port with the same policies: the statements of the
/// policy files by their `@id`, and each template link written out as the static policy it
/// stands for (cedar-agent's policy store holds static policies only). No schema.
pub(crate) fn start_cedar_agent(
    bin: &str,
    dir: &Path,
    files: &[(String, String)],
    links: &str,
) -> (Child, String) {
    let mut list = Vec::new();
    for (_, text) in files {
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            let Some(id) = line
                .strip_prefix("@id(\"")
                .and_then(|r| r.strip_suffix("\")"))
            else {
                continue;
            };
            let body = lines.next().unwrap_or_default();
            if !body.contains('?') {
                list.push(json!({"id": id, "content": body}));
            }
        }
    }
    let links: Vec<Value> = serde_json::from_str(links).unwrap_or_default();
    for link in links {
        list.push(json!({
            "id": link["id"],
            "content": format!(
                "permit(principal == {}, action == Action::\"a0\", resource == {});",
                link["values"]["?principal"].as_str().unwrap_or_default(),
                link["values"]["?resource"].as_str().unwrap_or_default()
            ),
        }));
    }
    let file = dir.join("cedar-agent-policies.json");
    std::fs::write(&file, Value::Array(list).to_string()).expect("agent policies");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut child = Command::new(bin)
        .args([
            "--addr",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--policies",
        ])
        .arg(&file)
        .env("CEDAR_AGENT_LOG_LEVEL", "error")
        .env("ROCKET_LOG_LEVEL", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cedar-agent starts");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(120);
    let http = agent();
    while Instant::now() < deadline {
        if http
            .get(&format!("{url}/v1/policies"))
            .call()
            .is_ok_and(|mut r| {
                r.status().as_u16() == 200
                    && r.body_mut()
                        .with_config()
                        .limit(64 << 20)
                        .read_to_string()
                        .ok()
                        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                        .and_then(|v| v.as_array().map(Vec::len))
                        .unwrap_or(0)
                        > 0
            })
        {
            return (child, url);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("cedar-agent did not load its policies within 120 s");
}

pub(crate) fn start_server(command: &mut Command, ready: &str) -> (Child, String, Duration) {
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("server printed its address")
            .expect("utf-8");
        if let Some(rest) = line.strip_prefix(ready) {
            break rest.trim().to_string();
        }
    };
    let elapsed = started.elapsed();
    // Keep draining the pipe so the server never blocks on a full stderr.
    std::thread::spawn(move || for _ in lines {});
    (child, url, elapsed)
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

pub(crate) fn post(agent: &ureq::Agent, url: &str, body: &Value) -> Value {
    let mut r = agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .expect("request");
    serde_json::from_str(&r.body_mut().read_to_string().expect("body")).unwrap_or(Value::Null)
}

/// The built-in baseline: a plain axum handler that builds the request's entities from JSON
/// and calls `is_authorized` over the whole policy set.
pub(crate) fn baseline_server(dir: &Path) {
    let bundle = std::sync::Arc::new(warden::engine::load_dir(dir).expect("policies"));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async move {
        let app = axum::Router::new().route(
            "/authorize",
            axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
                let bundle = bundle.clone();
                async move { axum::Json(plain_decision(&bundle, &body)) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        eprintln!(
            "baseline listening on http://{}",
            listener.local_addr().expect("addr")
        );
        axum::serve(listener, app).await.expect("serve");
    });
}

pub(crate) fn plain_decision(bundle: &warden::engine::PolicyBundle, body: &Value) -> Value {
    use cedar_policy::{Authorizer, Context, Entities, EntityUid, Request};
    let schema = bundle.schema.as_ref();
    let decision = (|| -> Option<bool> {
        let uid = |t: &str, id: &str| -> Option<EntityUid> {
            Some(EntityUid::from_type_name_and_id(
                t.parse().ok()?,
                cedar_policy::EntityId::new(id),
            ))
        };
        let user = body["principal"].as_str()?;
        let principal = uid("User", user)?;
        let action = uid("Action", body["action"].as_str()?)?;
        let kind = body["resource"]["type"].as_str()?;
        let id = body["resource"]["id"].as_str()?;
        let resource = uid(kind, id)?;
        let roles: Vec<Value> = body["roles"].as_array().cloned().unwrap_or_default();
        let mut entities = vec![json!({
            "uid": {"type": "User", "id": user},
            "attrs": {"email": format!("{user}@example.com"), "name": format!("User {}", &user[1..])},
            "parents": roles.iter().map(|r| json!({"type": "Role", "id": r})).collect::<Vec<_>>(),
        })];
        for r in &roles {
            entities.push(json!({"uid": {"type": "Role", "id": r}, "attrs": {}, "parents": []}));
        }
        entities.push(json!({"uid": {"type": kind, "id": id}, "attrs": body["resource"]["properties"], "parents": []}));
        let entities = Entities::from_json_value(Value::Array(entities), schema).ok()?;
        let context =
            Context::from_json_value(body["context"].clone(), schema.map(|s| (s, &action))).ok()?;
        let request = Request::new(principal, action, resource, context, schema).ok()?;
        let response = Authorizer::new().is_authorized(&request, &bundle.policies, &entities);
        Some(response.decision() == cedar_policy::Decision::Allow)
    })();
    json!({"decision": decision.unwrap_or(false)})
}
