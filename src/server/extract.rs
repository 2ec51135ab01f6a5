//! Request extractors that answer bad input with warden's JSON errors.

use super::body::{body_bytes, is_json};
use super::error::ApiError;
use crate::api::ErrorCode;
use crate::api::ObjectOnly;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts, StatusCode};
use serde::de::DeserializeOwned;

/// A JSON body: 415 unless the Content-Type is JSON, 413 when too large, 400 naming the
/// problem (malformed JSON, a missing field, a wrong type).
pub struct JsonBody<T>(pub T);

/// Parse JSON into `T` with a message that names the field at fault by its path
/// (`items[0].resource.type: missing field`), after refusing duplicate keys.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ApiError::bad_request(
            "request body is empty; expected a JSON object",
        ));
    }
    serde_json::from_slice::<NoDuplicateKeys>(bytes).map_err(|e| describe(e, ""))?;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: ObjectOnly<T> = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        describe(e.into_inner(), &path)
    })?;
    de.end().map_err(|e| describe(e, ""))?;
    Ok(value.0)
}

/// Read a JSON value already parsed (an item of a batch) into `T`; errors name the field
/// by its path under `prefix` (`evaluations[2]`).
pub fn from_value<T: DeserializeOwned>(
    value: serde_json::Value,
    prefix: &str,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value)
        .map(|o: ObjectOnly<T>| o.0)
        .map_err(|e| {
            let path = match e.path().to_string().as_str() {
                "." => prefix.to_string(),
                p if prefix.is_empty() => p.to_string(),
                p if p.starts_with('[') => format!("{prefix}{p}"),
                p => format!("{prefix}.{p}"),
            };
            describe(e.into_inner(), &path)
        })
}

/// A 400 for a body that is not JSON, or not the JSON expected at `path`.
fn describe(e: serde_json::Error, path: &str) -> ApiError {
    let kind = if e.is_data() {
        "invalid request"
    } else {
        "malformed JSON"
    };
    let text = e.to_string();
    match path {
        "" | "." => ApiError::bad_request(format!("{kind}: {text}")),
        // serde names a missing field without its parent: put the path in front of it.
        path => match text
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split_once('`'))
        {
            Some((field, rest)) => {
                ApiError::bad_request(format!("{kind}: missing field `{path}.{field}`{rest}"))
            }
            None => ApiError::bad_request(format!("{kind}: field `{path}`: {text}")),
        },
    }
}

fn unsupported() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::UnsupportedMediaType,
        "Content-Type must be application/json",
    )
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(unsupported());
        }
        let bytes = body_bytes(req, state).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// A body that may be JSON or form-encoded (RFC 7009 and RFC 7662 use forms), or empty (read
/// as `{}`), parsed into `T` (whose unknown fields are refused, 400 naming them).
pub struct FlexibleBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for FlexibleBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = is_json(req.headers());
        let form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let bytes = body_bytes(req, state).await?;
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return parse_json(b"{}").map(FlexibleBody);
        }
        if json {
            return parse_json(&bytes).map(FlexibleBody);
        }
        if form {
            return serde_urlencoded::from_bytes(&bytes)
                .map(FlexibleBody)
                .map_err(|e| ApiError::bad_request(format!("invalid form body: {e}")));
        }
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Content-Type must be application/json or application/x-www-form-urlencoded",
        ))
    }
}

/// A query string parsed into `T`; a bad one is a JSON 400 naming the parameter at fault
/// (axum's own `Query` answers plain text). Query structs deny unknown parameters, so a
/// typo (`?activ=true`) is refused rather than silently ignored.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        parse_query(query).map(QueryParams)
    }
}

/// Parse a query string; on failure, name the first parameter that does not parse alone
/// (every query struct has only optional fields, so a single pair parses unless it is bad).
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    serde_urlencoded::from_str(query).map_err(|e| {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let culprit = pairs.iter().find_map(|pair| {
            let one = serde_urlencoded::to_string([pair]).ok()?;
            serde_urlencoded::from_str::<T>(&one)
                .err()
                .map(|e| (pair.0.clone(), e))
        });
        match culprit {
            Some((key, e)) => {
                ApiError::bad_request(format!("query parameter `{}`: {e}", key.escape_debug()))
            }
            None => ApiError::bad_request(format!("invalid query string: {e}")),
        }
    })
}

/// One path parameter as text: a JSON 400 when it is not UTF-8 after percent-decoding.
pub struct PathParam(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|p| PathParam(p.0))
            .map_err(|e| ApiError::bad_request(format!("invalid path: {}", e.body_text())))
    }
}

/// The bearer credential of a request, if any (RFC 6750 section 2.1).
pub struct BearerToken(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for BearerToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(BearerToken(bearer(&parts.headers)))
    }
}

/// The token after `Bearer ` (scheme case-insensitive).
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<String> {
    crate::guard::bearer(headers)
}

/// A JSON value with no object that names a key twice.
///
/// Attack answered: JSON parsers disagree on duplicate keys (serde_json keeps the last, many
/// proxies, WAFs and loggers the first), so `{"action":"readDocument","action":"delete..."}`
/// reads as one request to whatever inspected it and as another to warden. A body with a
/// duplicate key, at any depth, is refused (400) before it is parsed for real.
struct NoDuplicateKeys;

impl<'de> serde::Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicateKeysVisitor)
    }
}

struct NoDuplicateKeysVisitor;

impl<'de> serde::de::Visitor<'de> for NoDuplicateKeysVisitor {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(NoDuplicateKeys)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if !seen.insert(key.to_string()) {
                return Err(serde::de::Error::custom(format!(
                    "duplicate field `{}`",
                    key.escape_debug()
                )));
            }
            map.next_value::<NoDuplicateKeys>()?;
        }
        Ok(NoDuplicateKeys)
    }
}
