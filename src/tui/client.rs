//! The admin API client the TUI talks through (the TUI knows no database).
//!
//! It keeps the admin's session: the access token is refreshed silently shortly before it
//! expires, or once after a 401 `token_expired`; when the refresh token is dead the session
//! has ended and the TUI goes back to its sign-in screen.

use crate::api::{ErrorBody, LoginRequest, TokenResponse};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::time::Duration;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The server could not be reached (or answered garbage): shown and retried.
    #[error("cannot reach the server: {0}")]
    Connection(String),
    /// The session is over (refresh refused, or no session): sign in again.
    #[error("session ended: {0}")]
    SessionEnded(String),
    /// The server answered an error.
    #[error("{message} ({status} {code})")]
    Api {
        status: u16,
        code: String,
        message: String,
    },
}

/// A signed-in session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
    pub role: Option<String>,
    access: String,
    refresh: String,
    expires_at: i64,
}

/// A blocking client of warden's admin API.
pub struct Client {
    base: String,
    agent: ureq::Agent,
    session: Option<Session>,
}

impl Client {
    /// A client of the server at `base` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base: &str) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        Client {
            base: base.trim_end_matches('/').to_string(),
            agent,
            session: None,
        }
    }

    /// The signed-in session, if any.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// Forget the session.
    pub fn sign_out(&mut self) {
        self.session = None;
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<(u16, String), ClientError> {
        let url = format!("{}{}", self.base, path);
        let auth = token.map(|t| format!("Bearer {t}"));
        let result = match method {
            "GET" | "DELETE" => {
                let mut req = if method == "GET" {
                    self.agent.get(&url)
                } else {
                    self.agent.delete(&url)
                };
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                req.call()
            }
            _ => {
                let mut req = match method {
                    "PUT" => self.agent.put(&url),
                    "PATCH" => self.agent.patch(&url),
                    _ => self.agent.post(&url),
                };
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                let text = body.map(Value::to_string).unwrap_or_else(|| "{}".into());
                req.header("Content-Type", "application/json").send(text)
            }
        };
        let mut response = result.map_err(|e| ClientError::Connection(e.to_string()))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| ClientError::Connection(e.to_string()))?;
        Ok((status, text))
    }

    fn api_error(status: u16, text: &str) -> ClientError {
        match serde_json::from_str::<ErrorBody>(text) {
            Ok(e) => ClientError::Api {
                status,
                code: e.error,
                message: e.message,
            },
            Err(_) => ClientError::Api {
                status,
                code: "http_error".into(),
                message: text.chars().take(200).collect(),
            },
        }
    }

    fn take_tokens(&mut self, text: &str) -> Result<(), ClientError> {
        let t: TokenResponse = serde_json::from_str(text)
            .map_err(|e| ClientError::Connection(format!("unexpected answer: {e}")))?;
        self.session = Some(Session {
            user: t.id,
            role: t.role,
            access: t.access_token,
            refresh: t.refresh_token,
            expires_at: t.expires_at,
        });
        Ok(())
    }

    /// Sign in.
    pub fn login(&mut self, email: &str, password: &str) -> Result<(), ClientError> {
        let body = serde_json::to_value(LoginRequest {
            email: email.into(),
            password: password.into(),
        })
        .unwrap_or_default();
        let (status, text) = self.send("POST", "/v1/auth/login", None, Some(&body))?;
        if status != 200 {
            return Err(Self::api_error(status, &text));
        }
        self.take_tokens(&text)
    }

    /// Rotate the refresh token for a new access token.
    pub fn refresh(&mut self) -> Result<(), ClientError> {
        let Some(session) = &self.session else {
            return Err(ClientError::SessionEnded("not signed in".into()));
        };
        let body = serde_json::json!({"refresh_token": session.refresh});
        let (status, text) = self.send("POST", "/v1/auth/refresh", None, Some(&body))?;
        match status {
            200 => self.take_tokens(&text),
            400 | 401 => {
                self.session = None;
                Err(ClientError::SessionEnded(
                    Self::api_error(status, &text).to_string(),
                ))
            }
            _ => Err(Self::api_error(status, &text)),
        }
    }

    /// Call an admin route as the signed-in user and parse the answer.
    pub fn call<T: DeserializeOwned>(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T, ClientError> {
        let body = body.map(|b| serde_json::to_value(b).unwrap_or_default());
        let Some(session) = &self.session else {
            return Err(ClientError::SessionEnded("not signed in".into()));
        };
        if session.expires_at - crate::util::now() < 30 {
            self.refresh()?;
        }
        let mut retried = false;
        loop {
            let token = self.session.as_ref().map(|s| s.access.clone());
            let (status, text) = self.send(method, path, token.as_deref(), body.as_ref())?;
            if (200..300).contains(&status) {
                return serde_json::from_str(&text)
                    .map_err(|e| ClientError::Connection(format!("unexpected answer: {e}")));
            }
            let error = Self::api_error(status, &text);
            if status == 401 && !retried {
                // Expired or otherwise refused: one silent refresh, then try again.
                retried = true;
                self.refresh()?;
                continue;
            }
            if status == 401 {
                self.session = None;
                return Err(ClientError::SessionEnded(error.to_string()));
            }
            return Err(error);
        }
    }

    /// A GET.
    pub fn get<T: DeserializeOwned>(&mut self, path: &str) -> Result<T, ClientError> {
        self.call::<T>("GET", path, None::<&Value>)
    }
}
