//! AuthZEN 1.0 search (sections 8 to 10): which actions, resources or subjects a question
//! allows, one page at a time, with an opaque token for the next page.

use super::*;

/// A page request: where to continue (decoded from the opaque token) and how many results.
struct PageRequest {
    after: Option<String>,
    limit: usize,
}

/// Page tokens are opaque to clients (AuthZEN 1.0 section 8.2): base64url of `<kind>:<key>`,
/// where `kind` names the search and `key` is where the previous page stopped. The token is
/// validated, never trusted: a token that does not decode, names another search or carries an
/// over-long key is a 400. (The old tokens were row offsets: "9223372036854775808" became a
/// negative OFFSET that SQLite treats as 0, and a search that matched no one restarted at the
/// first row forever, one request pinning a core.)
fn page(page: Option<api::PageRequest>, kind: &str) -> Result<PageRequest, ApiError> {
    let page = page.unwrap_or_default();
    let invalid = || ApiError::bad_request("field `page.token` is not a token this server issued");
    let after = match page.token.as_deref() {
        None | Some("") => None,
        Some(s) => {
            if s.len() > 512 {
                return Err(invalid());
            }
            let raw = URL_SAFE_NO_PAD.decode(s).map_err(|_| invalid())?;
            let text = String::from_utf8(raw).map_err(|_| invalid())?;
            let key = text
                .strip_prefix(kind)
                .and_then(|rest| rest.strip_prefix(':'))
                .ok_or_else(invalid)?;
            if key.is_empty() || key.len() > 256 {
                return Err(invalid());
            }
            Some(key.to_string())
        }
    };
    let limit = match page.limit {
        None => DEFAULT_PAGE,
        Some(n) if n >= 1 => (n as usize).min(MAX_PAGE),
        Some(_) => {
            return Err(ApiError::bad_request(
                "field `page.limit` must be a positive integer",
            ))
        }
    };
    Ok(PageRequest { after, limit })
}

/// The `page` answer: the token to continue after `key`, or an empty token at the end.
fn next_token(kind: &str, key: Option<&str>) -> api::PageAnswer {
    api::PageAnswer {
        next_token: key
            .map(|k| URL_SAFE_NO_PAD.encode(format!("{kind}:{k}")))
            .unwrap_or_default(),
    }
}

pub async fn search_action(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    Extension(client): Extension<ClientRow>,
    CallerAddress(address): CallerAddress,
    JsonBody(body): JsonBody<api::ActionSearch>,
) -> Result<Json<api::ActionSearchAnswer>, ApiError> {
    let caller = caller(&client, request_id, &address);
    let (subject_type, subject_id) = (
        body.subject.kind.into_string(),
        body.subject.id.into_string(),
    );
    let properties = body.subject.properties;
    let resource = resource(body.resource);
    let context = body.context;
    let PageRequest { after, limit } = page(body.page, "action")?;
    let bundle = state.engine.bundle();
    // Candidates: the schema's actions that apply to a User and this resource type.
    let user_type: Option<cedar_policy::EntityTypeName> = "User".parse().ok();
    let resource_type: Option<cedar_policy::EntityTypeName> = resource.kind.parse().ok();
    let mut actions: Vec<String> = match (&bundle.schema, &user_type, &resource_type) {
        (Some(schema), Some(user), Some(res)) => schema
            .actions_for_principal_and_resource(user, res)
            .filter(|a| a.type_name().to_string() == "Action")
            .map(|a| a.id().unescaped().to_string())
            .collect(),
        _ => Vec::new(),
    };
    actions.sort();
    actions.dedup();
    let mut results = Vec::new();
    // Continue after the last action the previous page examined (actions are sorted).
    let mut index = match &after {
        Some(last) => actions.partition_point(|a| a.as_str() <= last.as_str()),
        None => 0,
    };
    while index < actions.len() && results.len() < limit {
        let e = Evaluation {
            subject_type: subject_type.clone(),
            subject_id: subject_id.clone(),
            subject_properties: properties.clone(),
            action: actions[index].clone(),
            resource: resource.clone(),
            context: context.clone(),
        };
        if evaluate(&state, &caller, &e).await.allowed {
            results.push(api::ActionFound {
                name: actions[index].clone(),
            });
        }
        index += 1;
    }
    let more = index < actions.len() && index > 0;
    let last = more.then(|| actions[index - 1].as_str());
    Ok(Json(api::ActionSearchAnswer {
        results,
        page: next_token("action", last),
    }))
}

/// The entity types whose resources warden holds and can list: its directory's users and
/// its roles.
const LISTED_TYPES: [&str; 2] = ["User", "Role"];

/// The next `want` resources of a listed type after `after` (in id order), with the
/// properties a single decision about each would carry.
async fn listed_after(
    state: &AppState,
    kind: &str,
    after: Option<&str>,
    want: i64,
) -> Result<Vec<(String, Map<String, Value>)>, ApiError> {
    if kind == "Role" {
        let mut names: Vec<String> = state
            .app
            .list_roles()
            .await?
            .into_iter()
            .map(|r| r.name)
            .filter(|name| after.is_none_or(|a| name.as_str() > a))
            .collect();
        names.sort();
        names.truncate(usize::try_from(want).unwrap_or(0));
        return Ok(names.into_iter().map(|n| (n, Map::new())).collect());
    }
    Ok(state
        .app
        .users_after(after, want)
        .await?
        .into_iter()
        .map(|user| {
            let mut properties = Map::new();
            properties.insert("email".into(), Value::String(user.email));
            properties.insert("name".into(), Value::String(user.name));
            (user.id, properties)
        })
        .collect())
}

/// `POST /access/v1/search/resource`: the query plan of the subject for the action on every
/// resource of the type, and, for the types warden holds (`User`, its directory, and `Role`),
/// a page of the resources allowed. Other resources live in the caller's store: it applies
/// the plan there (`enumerated: false`). An unknown or disabled subject is a deny: an
/// always-denied plan and no results. Fail closed: no plan (a bad action or type) is a 400,
/// never a list.
pub async fn search_resource(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    Extension(client): Extension<ClientRow>,
    CallerAddress(address): CallerAddress,
    JsonBody(body): JsonBody<api::ResourceSearch>,
) -> Result<Json<api::ResourceSearchAnswer>, ApiError> {
    let caller = caller(&client, request_id, &address);
    let subject_type = body.subject.kind.into_string();
    let subject_id = body.subject.id.into_string();
    let (action_type, action) =
        service_action(body.action.name.as_str()).map_err(ApiError::bad_request)?;
    let resource_type = body.resource.kind.into_string();
    let context = Value::Object(body.context);
    let PageRequest { after, limit } = page(body.page, "resource")?;
    let principal = subject_principal(&state, &subject_type, &subject_id, &body.subject.properties)
        .await
        .map_err(ApiError::bad_request)?;
    let enumerated = LISTED_TYPES.contains(&resource_type.as_str());
    let Some(principal) = principal else {
        return Ok(Json(api::ResourceSearchAnswer {
            results: Vec::new(),
            page: next_token("resource", None),
            enumerated,
            plan: crate::plan::Plan::of(crate::plan::Expr::False, Vec::new()),
        }));
    };
    let query = crate::engine::PlanQuery {
        principal,
        action_type,
        action,
        resource_type,
        context,
    };
    let started = std::time::Instant::now();
    let plan = state.engine.plan(&query);
    crate::server::decide::record_plan(&state, &caller, &query, &plan, started);
    let plan = plan.map_err(ApiError::bad_request)?;
    let (mut results, mut token) = (Vec::new(), None);
    if enumerated && plan.kind != crate::plan::PlanKind::AlwaysDenied {
        // Each resource decided on its own, as a single decision would (the plan's condition
        // may not be exact); bounded by the scan limit like the subject search.
        let scan_limit = state.config.search_scan_limit;
        let mut cursor = after;
        let mut examined = 0usize;
        'scan: loop {
            let want = SCAN_BATCH.min(scan_limit.saturating_sub(examined) as i64);
            if want == 0 {
                token = cursor;
                break;
            }
            let kind = query.resource_type.clone();
            let found = listed_after(&state, &kind, cursor.as_deref(), want).await?;
            let exhausted = (found.len() as i64) < want;
            let (engine, query) = (state.engine.clone(), query.clone());
            let decided: Vec<(String, bool)> = crate::server::blocking(move || {
                Ok(found
                    .into_iter()
                    .map(|(id, properties)| {
                        let allowed = engine
                            .decide(&Query {
                                principal: query.principal.clone(),
                                action_type: query.action_type.clone(),
                                action: query.action.clone(),
                                resource: crate::engine::Resource {
                                    kind: query.resource_type.clone(),
                                    id: id.clone(),
                                    properties,
                                },
                                context: query.context.clone(),
                            })
                            .allowed;
                        (id, allowed)
                    })
                    .collect())
            })
            .await?;
            for (id, allowed) in decided {
                examined += 1;
                cursor = Some(id.clone());
                if allowed {
                    results.push(api::ResourceFound {
                        kind: kind.clone(),
                        id,
                    });
                }
                if results.len() >= limit || examined >= scan_limit {
                    token = cursor;
                    break 'scan;
                }
            }
            if exhausted {
                break;
            }
        }
    }
    Ok(Json(api::ResourceSearchAnswer {
        results,
        page: next_token("resource", token.as_deref()),
        enumerated,
        plan,
    }))
}

/// How many directory rows are read at a time during a subject search.
const SCAN_BATCH: i64 = 200;

/// AuthZEN subject search: which users may do `action` on `resource`?
///
/// Bounded work per request: at most `search_scan_limit` users are examined (then the page
/// ends early with a token to continue), the scan runs on the blocking pool rather than an
/// async worker, and it writes one decision-log row for the whole search, not one per user.
pub async fn search_subject(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    Extension(client): Extension<ClientRow>,
    CallerAddress(address): CallerAddress,
    JsonBody(body): JsonBody<api::SubjectSearch>,
) -> Result<Json<api::SubjectSearchAnswer>, ApiError> {
    let caller = caller(&client, request_id, &address);
    let subject_type = body.subject.kind.into_string();
    if !state.config.directory_subject_types.contains(&subject_type) {
        return Err(ApiError::bad_request(format!(
            "subject.type {subject_type:?} is not a directory type"
        )));
    }
    let (action_type, action) =
        service_action(body.action.name.as_str()).map_err(ApiError::bad_request)?;
    let resource = resource(body.resource);
    let context = Value::Object(body.context);
    let PageRequest { after, limit } = page(body.page, "user")?;
    let scan_limit = state.config.search_scan_limit;
    let (logged_action, logged_resource, logged_context) = (
        crate::server::decide::logged_action(&action_type, &action),
        resource.clone(),
        context.clone(),
    );
    let st = state.clone();
    let started = std::time::Instant::now();
    let (results, last_examined, more) = async move {
        let state = st;
        let mut results: Vec<String> = Vec::new();
        let mut cursor = after;
        let mut examined = 0usize;
        // One read of the role hierarchy for the whole scan.
        let graph = Arc::new(state.app.role_graph().await?);
        loop {
            let want = SCAN_BATCH.min((scan_limit - examined) as i64);
            let users = state.app.users_after(cursor.as_deref(), want).await?;
            let exhausted = (users.len() as i64) < want;
            // The decisions of a batch are CPU work: off the async workers.
            let (engine, graph) = (state.engine.clone(), graph.clone());
            let (action_type, action, resource, context) = (
                action_type.clone(),
                action.clone(),
                resource.clone(),
                context.clone(),
            );
            let decided: Vec<(String, bool)> = crate::server::blocking(move || {
                Ok(users
                    .into_iter()
                    .map(|user| {
                        let allowed = !user.disabled
                            && engine
                                .decide(&Query {
                                    principal: identity::principal_from(
                                        &user.id,
                                        &user.email,
                                        &user.name,
                                        Map::new(),
                                        &user.roles,
                                        &graph,
                                    ),
                                    action_type: action_type.clone(),
                                    action: action.clone(),
                                    resource: resource.clone(),
                                    context: context.clone(),
                                })
                                .allowed;
                        (user.id, allowed)
                    })
                    .collect())
            })
            .await?;
            for (id, allowed) in decided {
                examined += 1;
                cursor = Some(id.clone());
                if allowed {
                    results.push(id);
                }
                if results.len() >= limit || examined >= scan_limit {
                    // More may follow; a page that happens to end on the last user answers
                    // one more empty page, which the spec allows.
                    return Ok::<_, ApiError>((results, cursor, true));
                }
            }
            if exhausted {
                return Ok((results, cursor, false));
            }
        }
    }
    .await?;
    // One decision-log row for the search: the subjects found are its reasons.
    let summary = Decision {
        allowed: !results.is_empty(),
        reasons: results
            .iter()
            .take(20)
            .map(|id| format!("User::{id:?}"))
            .collect(),
        errors: Vec::new(),
    };
    record(
        &state,
        &caller,
        Asked {
            principal: "search:User",
            action: &logged_action,
            resource: &logged_resource,
            context: &logged_context,
        },
        &summary,
        started,
    );
    let results = results
        .into_iter()
        .map(|id| api::SubjectFound {
            kind: subject_type.clone(),
            id,
        })
        .collect();
    let token = if more { last_examined } else { None };
    Ok(Json(api::SubjectSearchAnswer {
        results,
        page: next_token("user", token.as_deref()),
    }))
}
