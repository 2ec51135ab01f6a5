//! `warden decide`: a decision as the server would make it, or with `--plan` the query plan
//! for a resource type. The outcome is the exit status: 0 allowed, 2 denied (also when an
//! evaluation error denied: fail closed), 1 when no decision could be made.

use super::exit::{coded, invalid_request, reworded, ExitStatus};
use super::output::Out;
use super::setup::{block, cli_app};
use super::DecideArgs;
use crate::api;
use crate::config::Config;
use crate::engine::{parse_action, parse_entity_ref, Engine, Query, Resource};
use crate::plan::mapping::Mapping;
use anyhow::Result;
use serde_json::{json, Value};

pub(super) fn run(args: &DecideArgs, config: &Config, out: &Out) -> Result<ExitStatus> {
    use crate::admin_action::with_default_context;
    // The mapping before the plan: a refused mapping is reported without evaluating.
    let mapping = if args.sql {
        Some(sql_mapping(args)?)
    } else {
        None
    };
    // The policies the server would decide by: the directory, or in store mode the active
    // published version (a directory beside a store-mode database is not what it serves).
    let engine = match config.policy_source {
        crate::publishing::PolicySource::Dir => std::sync::Arc::new(
            Engine::load(&config.policies)
                .map_err(|e| reworded(e.clone(), format!("policies: {e}")))?,
        ),
        crate::publishing::PolicySource::Store => cli_app(config, true)?
            .engine
            .clone()
            .ok_or_else(|| coded("policy_error", "the published policies are not loaded"))?,
    };
    if let (true, Some(user)) = (args.plan, &args.user) {
        // A directory user's plan is the core's what-if plan, the one the admin API's
        // `POST /admin/v1/whatif/plan` answers with (the policies loaded above, again, by
        // the core).
        let app = cli_app(config, true)?;
        let resource_type = args.resource_type.clone().unwrap_or_default();
        let plan = block(app.what_if_plan(
            user,
            &args.action,
            &resource_type,
            json_object(&args.context, "context")?,
        ))?
        .map_err(|e| {
            let message = format!("plan: {e}");
            reworded(e, message)
        })?;
        return match &mapping {
            Some(mapping) => print_plan_sql(plan, mapping, out),
            None => print_plan(plan, &resource_type, out),
        };
    }
    let app = cli_app(config, false)?;
    let principal = match (&args.user, &args.token) {
        (Some(user), _) => block(app.user_principal(user))??,
        (None, Some(token)) => block(app.token_principal(token))??,
        // clap's argument group requires one of them.
        (None, None) => return Err(coded("usage", "give --user ID or --token TOKEN")),
    };
    let (action_type, action) =
        parse_action(&args.action).map_err(|e| invalid_request(format!("action: {e}")))?;
    if args.plan {
        let context = with_default_context(&action_type, json_object(&args.context, "context")?);
        let query = crate::engine::PlanQuery {
            principal,
            action_type,
            action,
            resource_type: args.resource_type.clone().unwrap_or_default(),
            context,
        };
        let plan = engine
            .plan(&query)
            .map_err(|e| invalid_request(format!("plan: {e}")))?;
        return match &mapping {
            Some(mapping) => print_plan_sql(plan, mapping, out),
            None => print_plan(plan, &query.resource_type, out),
        };
    }
    let resource = args
        .resource
        .as_deref()
        .ok_or_else(|| invalid_request("give --resource, or --plan --resource-type TYPE"))?;
    let (kind, id) = parse_entity_ref(resource)
        .map_err(|e| invalid_request(format!("invalid resource: {e}")))?;
    let properties = match json_object(&args.properties, "properties")? {
        Value::Object(m) => m,
        _ => Default::default(),
    };
    let context = with_default_context(&action_type, json_object(&args.context, "context")?);
    let query = Query {
        principal,
        action_type,
        action,
        resource: Resource {
            kind,
            id,
            properties,
        },
        context,
    };
    let decision = engine.decide(&query);
    let bundle = engine.bundle();
    // A request that lacks an attribute the schema requires is denied before any policy is
    // asked: said as such, so it does not read as the policies' answer (issue 32).
    let r = &query.resource;
    let incomplete = !decision.allowed
        && bundle
            .required
            .missing(&r.kind, &r.id, &r.properties)
            .is_some();
    let located: Vec<Value> = decision
        .reasons
        .iter()
        .map(|id| match bundle.policy(id) {
            Some(p) => json!({"id": id, "file": p.file, "line": p.line, "effect": p.effect, "source": policy_source(&bundle, p)}),
            None => json!({"id": id}),
        })
        .collect();
    // A deny exits 2, also when evaluation failed (fail closed: as `cedar authorize` does,
    // with the error printed); 1 is for what stops a decision being made at all.
    let code = if decision.allowed {
        ExitStatus::Success
    } else {
        ExitStatus::Deny
    };
    out.emit(
        json!({
            "decision": if decision.allowed { "allow" } else { "deny" },
            "allowed": decision.allowed,
            "reasons": decision.reasons,
            "policies": located,
            "errors": decision.errors,
        }),
        || {
            let mut s = format!("{}\n", if decision.allowed { "allow" } else { "deny" });
            if incomplete {
                s.push_str("  not a policy's answer: the request is incomplete (see the error)\n");
            }
            for id in &decision.reasons {
                match bundle.policy(id) {
                    Some(p) => s.push_str(&format!(
                        "  {} policy {id} ({}:{})\n",
                        p.effect, p.file, p.line
                    )),
                    None => s.push_str(&format!("  policy {id}\n")),
                }
            }
            if decision.reasons.is_empty() && decision.errors.is_empty() && !decision.allowed {
                s.push_str("  no policy permits this (default deny)\n");
            }
            for (i, e) in decision.errors.iter().enumerate() {
                s.push_str(&format!("  error {}: {e}\n", i + 1));
            }
            if args.explain {
                for id in &decision.reasons {
                    if let Some(p) = bundle.policy(id) {
                        s.push_str(&format!("\n{} ({}:{}):\n", id, p.file, p.line));
                        for line in policy_source(&bundle, p).lines() {
                            s.push_str(&format!("    {line}\n"));
                        }
                    }
                }
            }
            s
        },
    );
    Ok(code)
}

fn json_object(text: &Option<String>, what: &str) -> Result<Value> {
    match text {
        None => Ok(json!({})),
        Some(t) => {
            let v: Value = serde_json::from_str(t)
                .map_err(|e| invalid_request(format!("invalid {what} JSON: {e}")))?;
            if !v.is_object() {
                return Err(invalid_request(format!("{what} must be a JSON object")));
            }
            Ok(v)
        }
    }
}

/// `warden decide --plan`: the query plan, readable (the condition in Cedar's syntax) or
/// as the wire format with `--json`. Exit 0 when some resource may be allowed, 2 when none
/// is, 1 when no plan can be made.
fn print_plan(plan: crate::plan::Plan, resource_type: &str, out: &Out) -> Result<ExitStatus> {
    let code = if plan.kind == crate::plan::PlanKind::AlwaysDenied {
        ExitStatus::Deny
    } else {
        ExitStatus::Success
    };
    out.emit(serde_json::to_value(&plan)?, || {
        let mut s = match plan.kind {
            crate::plan::PlanKind::AlwaysAllowed => format!("every {resource_type} is allowed\n"),
            crate::plan::PlanKind::AlwaysDenied => format!("no {resource_type} is allowed\n"),
            crate::plan::PlanKind::Conditional => format!("a {resource_type} is allowed when:\n"),
        };
        match (&plan.condition, plan.kind) {
            (Some(c), crate::plan::PlanKind::Conditional) => s.push_str(&format!("  {c}\n")),
            (None, _) => {
                s.push_str("  (no exact condition: decide each resource with `warden decide --resource`)\n");
                for u in &plan.unsupported {
                    s.push_str(&format!("  unsupported: {u}\n"));
                }
            }
            _ => {}
        }
        for id in &plan.reasons {
            s.push_str(&format!("  policy {id}\n"));
        }
        s
    });
    Ok(code)
}

/// The column mapping of `--sql`: the `--mapping` file, or `--column`, `--set`,
/// `--dialect` and `--first-param`; checked as the endpoint checks it (the same codes).
fn sql_mapping(args: &DecideArgs) -> Result<Mapping> {
    use crate::plan::mapping::{ColumnMapping, ColumnTarget, JoinTable};
    let raw = match &args.mapping {
        Some(file) => {
            let text = std::fs::read_to_string(file).map_err(|e| {
                invalid_request(format!("cannot read the mapping {}: {e}", file.display()))
            })?;
            serde_json::from_str::<ColumnMapping>(&text)
                .map_err(|e| invalid_request(format!("invalid mapping {}: {e}", file.display())))?
        }
        None => {
            let mut columns = std::collections::BTreeMap::new();
            let flags = args.columns.iter().map(|c| ("--column", c));
            for (flag, given) in flags.chain(args.sets.iter().map(|s| ("--set", s))) {
                let (attr, target) = given.split_once('=').ok_or_else(|| {
                    invalid_request(format!("{flag} {given:?}: expected ATTR=..."))
                })?;
                let parts: Vec<&str> = target.split(':').collect();
                let target = match (flag, parts.as_slice()) {
                    ("--set", [table, key, value]) => ColumnTarget::JoinTable(JoinTable {
                        table: table.to_string(),
                        key: key.to_string(),
                        value: value.to_string(),
                    }),
                    (_, [column]) => ColumnTarget::Column(column.to_string()),
                    _ => {
                        return Err(invalid_request(format!(
                            "{flag} {given:?}: expected ATTR=COLUMN{}",
                            if flag == "--set" {
                                " or ATTR=TABLE:KEY:VALUE"
                            } else {
                                ""
                            }
                        )))
                    }
                };
                if columns.insert(attr.to_string(), target).is_some() {
                    return Err(invalid_request(format!("{attr:?} is mapped twice")));
                }
            }
            ColumnMapping {
                dialect: args.dialect.clone().unwrap_or_else(|| "sqlite".into()),
                first_param: args.first_param.unwrap_or(1),
                columns,
            }
        }
    };
    Mapping::parse(&raw).map_err(|e| {
        coded(
            api::mapping_error_code(&e).as_str(),
            format!("mapping: {e}"),
        )
    })
}

/// `warden decide --plan --sql`: the fragment and its parameters (`--json`: the endpoint's
/// answer). Exit as `--plan`: 0 when some resource may be allowed (the fragment says which),
/// 2 when none is (`(1 = 0)`), 1 when the plan cannot be written as SQL exactly.
fn print_plan_sql(plan: crate::plan::Plan, mapping: &Mapping, out: &Out) -> Result<ExitStatus> {
    let fragment = mapping
        .where_fragment(&plan)
        .map_err(|e| coded(api::sql_error_code(&e).as_str(), e.to_string()))?;
    let code = if plan.kind == crate::plan::PlanKind::AlwaysDenied {
        ExitStatus::Deny
    } else {
        ExitStatus::Success
    };
    let answer = api::PlanSql {
        sql: fragment.sql,
        params: fragment.params.iter().map(api::sql_param).collect(),
        plan,
    };
    out.emit(serde_json::to_value(&answer)?, || {
        let mut s = format!("{}\n", answer.sql);
        let first = mapping.first_param();
        for (i, p) in answer.params.iter().enumerate() {
            let n = first + i;
            let placeholder = match mapping.dialect() {
                crate::plan::sql::Dialect::Sqlite => format!("?{n}"),
                crate::plan::sql::Dialect::Postgres => format!("${n}"),
            };
            s.push_str(&format!("  {placeholder} = {p}\n"));
        }
        s
    });
    Ok(code)
}

/// The source text of a policy, from its line to the end of the statement.
fn policy_source(bundle: &crate::engine::PolicyBundle, p: &crate::engine::PolicyInfo) -> String {
    let Some(src) = bundle.sources.get(&p.file) else {
        return String::new();
    };
    let mut text = String::new();
    for line in src.lines().skip(p.line.saturating_sub(1)) {
        text.push_str(line);
        text.push('\n');
        if line.trim_end().ends_with(';') {
            break;
        }
    }
    text
}
