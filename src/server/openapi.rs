//! The OpenAPI 3.1 document, generated from the route table ([`super::routes::ROUTES`]) and
//! the wire types of [`crate::api`] (utoipa's builders; no handler is annotated).
//!
//! Besides the statuses each entry lists, an operation documents those of its kind:
//! - every route: 414 and 431 (a request head over the limits), 503 (a request that did not
//!   finish in time, or storage briefly unavailable);
//! - a route with credentials: 401; an admin route: 403 (the policies do not allow it);
//! - a route with a body: 400, 408 (the body did not arrive in time), 413, and 415 for a
//!   route that takes JSON;
//! - a route with query or path parameters: 400; with path parameters: 404.

use super::routes::{Answer, Content};
pub use super::routes::{Auth, Route, ROUTES};
use super::schemas::{one, Schemas};
use crate::api;
use crate::config::Config;
use serde_json::Value;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{
    Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityRequirement,
    SecurityScheme,
};
use utoipa::openapi::server::Server;
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApiBuilder, PathItem, PathsBuilder,
    Required, ResponseBuilder,
};

/// What an error status means, for the document.
fn meaning(status: u16) -> &'static str {
    match status {
        400 => "Bad input; the message names the field or parameter at fault",
        401 => "Missing, invalid or expired credentials (or wrong email or password)",
        403 => "The policies do not allow the caller this action",
        404 => "Not found",
        408 => "The request body did not arrive in time",
        409 => "Conflicts with the current state",
        413 => "The request body is too large",
        414 => "The request target is too long",
        415 => "Unsupported Content-Type",
        422 => "The policies do not load; the previous ones keep serving",
        429 => "Too many failed sign-ins; retry after the Retry-After seconds",
        431 => "Too many or too large header fields",
        503 => "Unavailable for a moment (storage, overload, or the request took too long); retry",
        _ => "An error",
    }
}

/// What a path parameter is, and the pattern of the values the route accepts.
fn path_parameter(path: &str, name: &str) -> (&'static str, &'static str) {
    match (name, path.starts_with("/admin/v1/users/")) {
        ("name", _) => ("The role's name", api::ROLE_NAME_PATTERN),
        ("version", _) => ("A published policy version's number", "^[0-9]{1,18}$"),
        (_, true) => ("The user's id", api::USER_ID_PATTERN),
        // Session and client ids are at most 256 bytes without control characters; 64
        // characters never exceed that.
        _ => ("The id", "^[^\\u0000-\\u001f\\u007f-\\u009f]{1,64}$"),
    }
}

fn method(name: &str) -> HttpMethod {
    match name {
        "post" => HttpMethod::Post,
        "put" => HttpMethod::Put,
        "patch" => HttpMethod::Patch,
        "delete" => HttpMethod::Delete,
        _ => HttpMethod::Get,
    }
}

/// The error statuses of a route: its own and those of its kind (see the module doc).
pub fn error_statuses(route: &Route) -> Vec<u16> {
    let mut statuses = vec![414, 431, 503];
    let path_params = route.path.contains('{');
    if route.auth != Auth::None {
        statuses.push(401);
    }
    if route.admin_action.is_some() {
        statuses.push(403);
    }
    if let Some(body) = &route.body {
        statuses.extend([400, 408, 413]);
        if body.media.contains(&"application/json") {
            statuses.push(415);
        }
    }
    if route.query.is_some() || path_params {
        statuses.push(400);
    }
    if path_params {
        statuses.push(404);
    }
    statuses.extend(route.errors);
    statuses.retain(|s| !route.ok.iter().any(|a| a.status == *s));
    statuses.sort_unstable();
    statuses.dedup();
    statuses
}

/// The OpenAPI 3.1 document of everything [`ROUTES`] serves, as `config` serves it: at its
/// public URL, with its password length and its directory subject types.
pub fn document(config: &Config) -> Value {
    let public_url = config.base_url();
    let public_url = public_url.as_str();
    let mut schemas = Schemas::new();
    let error = one::<api::ErrorBody>(&mut schemas);
    let oauth_error = one::<api::OAuthError>(&mut schemas);
    let mut paths = PathsBuilder::new();
    for route in ROUTES {
        let mut op = OperationBuilder::new()
            .tag(route.tag)
            .summary(Some(route.summary))
            .operation_id(Some(route.name));
        for name in route
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        {
            let (what, pattern) = path_parameter(route.path, name);
            op = op.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .description(Some(what))
                    .schema(Some(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some(pattern)),
                    )),
            );
        }
        if let Some(query) = route.query {
            op = op.parameters(Some(query()));
        }
        if let Some(body) = &route.body {
            let schema = (body.schema)(&mut schemas);
            let mut request = RequestBodyBuilder::new().required(Some(if body.optional {
                Required::False
            } else {
                Required::True
            }));
            for media in body.media {
                request = request.content(
                    *media,
                    ContentBuilder::new().schema(Some(schema.clone())).build(),
                );
            }
            op = op.request_body(Some(request.build()));
        }
        for Answer {
            status,
            description,
            content,
        } in route.ok
        {
            let content = match content {
                Content::Json(schema) => (
                    "application/json",
                    ContentBuilder::new().schema(Some(schema(&mut schemas))),
                ),
                Content::Text => (
                    "text/plain",
                    ContentBuilder::new()
                        .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
                ),
            };
            op = op.response(
                status.to_string(),
                ResponseBuilder::new()
                    .description(*description)
                    .content(content.0, content.1.build()),
            );
        }
        // The token endpoint answers errors in RFC 6749's form.
        let error = if route.name == "token" {
            &oauth_error
        } else {
            &error
        };
        for status in error_statuses(route) {
            op = op.response(
                status.to_string(),
                ResponseBuilder::new().description(meaning(status)).content(
                    "application/json",
                    ContentBuilder::new().schema(Some(error.clone())).build(),
                ),
            );
        }
        op = match route.auth {
            Auth::None => op,
            Auth::UserToken => op.security(SecurityRequirement::new("userToken", [""; 0])),
            Auth::ClientKey => op.security(SecurityRequirement::new("clientKey", [""; 0])),
            // No credential is the public answer; either credential shows the detail.
            Auth::Operations => op
                .security(SecurityRequirement::default())
                .security(SecurityRequirement::new("operationsKey", [""; 0]))
                .security(SecurityRequirement::new("userToken", [""; 0])),
        };
        if let Some(action) = route.admin_action {
            op = op.extensions(Some(Extensions::from_iter([(
                "x-warden-action",
                format!("Warden::Action::\"{action}\""),
            )])));
        }
        paths = paths.path(route.path, PathItem::new(method(route.method), op));
    }
    let bearer = |description: &str, format: Option<&str>| {
        let mut http = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(description));
        if let Some(format) = format {
            http = http.bearer_format(format);
        }
        SecurityScheme::Http(http.build())
    };
    let components = ComponentsBuilder::new()
        .schemas_from_iter(schemas)
        .security_scheme(
            "userToken",
            bearer(
                "A user's access token (POST /v1/auth/login); admin routes also need the policies to allow the route's x-warden-action",
                Some("JWT"),
            ),
        )
        .security_scheme(
            "clientKey",
            bearer("A service client key (warden client add)", None),
        )
        .security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::Password(Password::with_refresh_url(
                    format!("{public_url}/v1/auth/token"),
                    Scopes::new(),
                    format!("{public_url}/v1/auth/token"),
                ))],
                "The token endpoint for OAuth 2.0 clients: the tokens it issues are userToken's",
            )),
        )
        .security_scheme(
            "operationsKey",
            bearer("The configured operations_key (probes and scrapers)", None),
        )
        .build();
    let doc = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("warden")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some("Sign-in, tokens and Cedar policy decisions")),
        )
        .servers(Some([Server::new(public_url)]))
        .paths(paths)
        .components(Some(components))
        .build();
    let mut doc = serde_json::to_value(doc).unwrap_or_default();
    // What the configuration decides: the shortest password, and the subject types a subject
    // search reads from the directory (any other type is a 400 there).
    for pointer in [
        "/components/schemas/CreateUser/properties/password",
        "/components/schemas/SetPassword/properties/password",
        "/components/schemas/ChangePassword/properties/new_password",
    ] {
        if let Some(field) = doc.pointer_mut(pointer) {
            field["minLength"] = config.min_password_length.into();
        }
    }
    if let Some(kind) = doc.pointer_mut("/components/schemas/SubjectKind/properties/type") {
        *kind = serde_json::json!({
            "type": "string",
            "enum": config.directory_subject_types,
            "description": "A directory subject type (the configured directory_subject_types)",
        });
    }
    // What the derive cannot say: without items, the top level of an evaluations request is
    // the evaluation, so its subject, action and resource are then required.
    if let Some(evaluations) = doc.pointer_mut("/components/schemas/Evaluations") {
        let one = |name: &str| serde_json::json!({"$ref": format!("#/components/schemas/{name}")});
        evaluations["anyOf"] = serde_json::json!([
            {
                "required": ["evaluations"],
                "properties": {"evaluations": {"type": "array", "minItems": 1}}
            },
            {
                "required": ["subject", "action", "resource"],
                "properties": {
                    "subject": one("Subject"),
                    "action": one("Action"),
                    "resource": one("Resource")
                }
            }
        ]);
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_config() -> Config {
        Config {
            public_url: "http://warden.test".into(),
            ..Config::default()
        }
    }

    #[test]
    fn every_operation_has_a_unique_id_and_documents_its_parameters() {
        let doc = document(&test_config());
        let mut ids = std::collections::HashSet::new();
        for route in ROUTES {
            let op = &doc["paths"][route.path][route.method];
            assert!(ids.insert(route.name), "{} is used twice", route.name);
            assert_eq!(op["operationId"], route.name);
            let declared: Vec<&str> = op["parameters"]
                .as_array()
                .map(|p| {
                    p.iter()
                        .filter(|p| p["in"] == "path")
                        .filter_map(|p| p["name"].as_str())
                        .collect()
                })
                .unwrap_or_default();
            let in_path: Vec<&str> = route
                .path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .collect();
            assert_eq!(declared, in_path, "{} {}", route.method, route.path);
        }
        assert_eq!(doc["servers"][0]["url"], "http://warden.test");
    }

    #[test]
    fn every_schema_referred_to_is_defined() {
        let doc = document(&test_config());
        let text = doc.to_string();
        for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = &piece[..piece.find('"').unwrap()];
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "{name} is referred to but not defined"
            );
        }
    }
}
