//! A small axum service whose routes are guarded by warden in process.
//!
//! ```sh
//! WARDEN_ADMIN_PASSWORD='admin-password-123' cargo run --example embedded_axum
//! TOKEN=$(curl -s localhost:3000/v1/auth/login -H 'content-type: application/json' \
//!   -d '{"email":"admin@localhost","password":"admin-password-123"}' | jq -r .token)
//! curl -i -X DELETE localhost:3000/resources/r1 -H "authorization: Bearer $TOKEN"   # 200
//! curl -i -X DELETE localhost:3000/resources/r1                                     # 401
//! ```
//!
//! It keeps its data in ./embedded.db and its policies in ./policies (the shipped ones are
//! written there on first start), and serves warden's own sign-in routes beside its own.

use axum::routing::{delete, get};
use axum::{Json, Router};
use serde_json::{json, Value};
use warden::config::Config;
use warden::embed::Warden;
use warden::guard::{Action, Authorized, WardenState};

/// Deleting a user's resource: `deleteUserResource` on `UserResource::"<id>"`.
struct DeleteUserResource;

impl Action for DeleteUserResource {
    const NAME: &'static str = "deleteUserResource";
    const RESOURCE_TYPE: &'static str = "UserResource";
}

async fn remove(allowed: Authorized<DeleteUserResource>) -> Json<Value> {
    Json(json!({
        "deleted": allowed.resource.id,
        "by": allowed.verified.user.id,
        "allowed_by": allowed.decision.reasons,
    }))
}

async fn health() -> &'static str {
    "ok"
}

/// The service: its own guarded routes, plus warden's sign-in and decision API.
fn app(warden: &Warden) -> Router {
    let own = Router::new()
        .route("/resources/{id}", delete(remove))
        .route("/health", get(health))
        .with_state(WardenState(warden.clone()));
    own.merge(warden::server::router(warden::server::AppState::serving(
        warden.opened().clone(),
    )))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = Config::load(None)?;
    if std::env::var_os("WARDEN_DB").is_none() {
        config.db = "embedded.db".into();
    }
    warden::engine::create_shipped(&config.policies)?;
    let warden = Warden::open(config).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!(
        "embedded_axum listening on http://{}",
        listener.local_addr()?
    );
    axum::serve(
        listener,
        app(&warden).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn routes_are_guarded_in_process() {
        let dir = tempfile::TempDir::new().unwrap();
        let policies = dir.path().join("policies");
        warden::engine::create_shipped(&policies).unwrap();
        let warden = Warden::open(Config {
            db: dir.path().join("w.db"),
            policies,
            watch_policies: false,
            ..Config::default()
        })
        .await
        .unwrap();
        // Changes go through the application core, validated and audited as `embedder`.
        let core = warden.app();
        let me = warden::app::Actor::Embedder;
        core.reset_password(&me, "admin", "admin-password-123".into())
            .await
            .unwrap();
        core.create_user(
            &me,
            warden::app::UserInput {
                id: Some("bob".into()),
                email: "bob@example.com".into(),
                name: "Bob".into(),
                roles: vec!["USER".into()],
                password: Some("user-password-123".into()),
            },
        )
        .await
        .unwrap();

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let service = app(&warden).into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });

        let checks = tokio::task::spawn_blocking(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            let login = |email: &str, password: &str| -> String {
                let mut r = agent
                    .post(&format!("{base}/v1/auth/login"))
                    .header("Content-Type", "application/json")
                    .send(json!({"email": email, "password": password}).to_string())
                    .unwrap();
                let v: Value =
                    serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
                v["token"].as_str().unwrap().to_string()
            };
            let delete = |token: Option<&str>| -> (u16, Value) {
                let mut req = agent.delete(&format!("{base}/resources/r1"));
                if let Some(t) = token {
                    req = req.header("Authorization", &format!("Bearer {t}"));
                }
                let mut r = req.call().unwrap();
                let status = r.status().as_u16();
                (
                    status,
                    serde_json::from_str(&r.body_mut().read_to_string().unwrap())
                        .unwrap_or(Value::Null),
                )
            };
            let (status, body) = delete(Some(&login("admin@localhost", "admin-password-123")));
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["deleted"], "r1");
            assert_eq!(
                body["allowed_by"],
                json!(["app.admin-delete-user-resource"])
            );
            let (status, body) = delete(Some(&login("bob@example.com", "user-password-123")));
            assert_eq!((status, body["error"].as_str()), (403, Some("forbidden")));
            assert!(body["message"]
                .as_str()
                .unwrap()
                .contains("no policy permits it"));
            let (status, body) = delete(None);
            assert_eq!(
                (status, body["error"].as_str()),
                (401, Some("missing_token"))
            );
            let (status, _) = delete(Some("not-a-token"));
            assert_eq!(status, 401);
        });
        checks.await.unwrap();
    }
}
