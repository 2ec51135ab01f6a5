//! The admin API client the TUI talks through (the TUI knows no database).
//!
//! It runs only on the worker's threads (never in a key handler or a draw). It keeps one
//! session, shared by the worker's threads: the access token is refreshed silently shortly
//! before it expires, or once after a 401; when the refresh token is dead the session has
//! ended and the TUI goes back to its sign-in screen.
//!
//! Every call carries the sign-in epoch it was made for. A call queued before a new sign-in
//! is dropped instead of being sent with the next person's token (it could otherwise show
//! the admin's data to the next user, or write a deny for them in the decision log).

use crate::api::{ErrorBody, Login, SignedIn};
use serde_json::Value;
use std::sync::{Arc, Mutex, MutexGuard};
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
    /// The call was made for an earlier sign-in; it was not sent.
    #[error("made for an earlier sign-in")]
    Stale,
    /// Something on the console's own machine failed before anything was sent (a publish
    /// directory that cannot be read): said as it is, never retried.
    #[error("{0}")]
    Local(String),
    /// The server answered an error.
    #[error("{message} ({status} {code})")]
    Api {
        status: u16,
        code: String,
        message: String,
    },
}

impl ClientError {
    /// The server refused the caller this action (403).
    pub fn is_forbidden(&self) -> bool {
        matches!(self, ClientError::Api { status: 403, .. })
    }
}

/// Who signed in: what the header shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Me {
    pub id: String,
    pub email: String,
    pub roles: Vec<String>,
    pub session_id: String,
}

#[derive(Debug, Clone)]
struct Session {
    epoch: u64,
    access: String,
    refresh: String,
    expires_at: i64,
}

/// A blocking client of warden's admin API; clones share the session.
#[derive(Clone)]
pub struct Client {
    base: String,
    agent: ureq::Agent,
    session: Arc<Mutex<Option<Session>>>,
}

/// Seconds since the epoch (the token's `expires_at` is in these).
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Long-polls wait this long on the server: less than the client's own timeout.
pub const LONG_POLL_SECS: u64 = 8;

impl Client {
    /// A client of the server at `base` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base: &str) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(3)))
            // Never reuse a connection the server may be closing: it ends keep-alive
            // connections idle for `header_timeout` (10 s by default).
            .max_idle_age(Duration::from_secs(4))
            .timeout_global(Some(Duration::from_secs(LONG_POLL_SECS + 4)))
            .build()
            .into();
        Client {
            base: base.trim_end_matches('/').to_string(),
            agent,
            session: Arc::new(Mutex::new(None)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Session>> {
        match self.session.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
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

    fn tokens(text: &str) -> Result<SignedIn, ClientError> {
        serde_json::from_str(text)
            .map_err(|e| ClientError::Connection(format!("unexpected answer: {e}")))
    }

    /// Sign in for `epoch`, replacing any earlier session.
    pub fn login(&self, epoch: u64, email: &str, password: &str) -> Result<Me, ClientError> {
        *self.lock() = None;
        let body = serde_json::to_value(Login {
            email: email.into(),
            password: password.into(),
        })
        .map_err(|e| ClientError::Connection(e.to_string()))?;
        let (status, text) = self.send("POST", "/v1/auth/login", None, Some(&body))?;
        if status != 200 {
            return Err(Self::api_error(status, &text));
        }
        let t = Self::tokens(&text)?;
        *self.lock() = Some(Session {
            epoch,
            access: t.access_token,
            refresh: t.refresh_token,
            expires_at: t.expires_at,
        });
        Ok(Me {
            id: t.id,
            email: t.email,
            roles: t.roles,
            session_id: t.session_id,
        })
    }

    /// End the session on the server (best effort) and forget it.
    pub fn logout(&self) {
        let session = self.lock().take();
        if let Some(s) = session {
            let body = serde_json::json!({"refresh_token": s.refresh});
            let _ = self.send("POST", "/v1/auth/logout", None, Some(&body));
        }
    }

    /// Rotate the refresh token, unless another thread already did since `seen` was read.
    fn refresh(&self, epoch: u64, seen: &str) -> Result<(), ClientError> {
        let mut guard = self.lock();
        let Some(session) = guard.as_ref() else {
            return Err(ClientError::SessionEnded("not signed in".into()));
        };
        if session.epoch != epoch {
            return Err(ClientError::Stale);
        }
        if session.access != seen {
            return Ok(());
        }
        let body = serde_json::json!({"refresh_token": session.refresh});
        let (status, text) = self.send("POST", "/v1/auth/refresh", None, Some(&body))?;
        match status {
            200 => {
                let t = Self::tokens(&text)?;
                *guard = Some(Session {
                    epoch,
                    access: t.access_token,
                    refresh: t.refresh_token,
                    expires_at: t.expires_at,
                });
                Ok(())
            }
            400 | 401 => {
                *guard = None;
                Err(ClientError::SessionEnded(
                    Self::api_error(status, &text).to_string(),
                ))
            }
            _ => Err(Self::api_error(status, &text)),
        }
    }

    /// The access token of `epoch`'s session.
    fn access(&self, epoch: u64) -> Result<(String, i64), ClientError> {
        match self.lock().as_ref() {
            None => Err(ClientError::SessionEnded("not signed in".into())),
            Some(s) if s.epoch != epoch => Err(ClientError::Stale),
            Some(s) => Ok((s.access.clone(), s.expires_at)),
        }
    }

    /// Call an admin route as `epoch`'s signed-in user; the answer as JSON.
    pub fn call(
        &self,
        epoch: u64,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, ClientError> {
        let (mut token, expires_at) = self.access(epoch)?;
        if expires_at - unix_now() < 30 {
            self.refresh(epoch, &token)?;
            token = self.access(epoch)?.0;
        }
        let mut retried = false;
        loop {
            let (status, text) = self.send(method, path, Some(&token), body)?;
            if (200..300).contains(&status) {
                return serde_json::from_str(&text)
                    .map_err(|e| ClientError::Connection(format!("unexpected answer: {e}")));
            }
            let error = Self::api_error(status, &text);
            if status == 401 && !retried {
                // Expired or otherwise refused: one silent refresh, then try again.
                retried = true;
                self.refresh(epoch, &token)?;
                token = self.access(epoch)?.0;
                continue;
            }
            if status == 401 {
                *self.lock() = None;
                return Err(ClientError::SessionEnded(error.to_string()));
            }
            return Err(error);
        }
    }
}
