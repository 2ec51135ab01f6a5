//! Service clients: the API keys of services that call the decision API.

use super::*;

impl App {
    /// Every service client (never its key).
    pub async fn list_clients(&self) -> Result<Vec<ClientRow>, AppError> {
        Ok(self.store.list_clients().await?)
    }

    /// Create a service client (`clients.write`); its key is returned this once.
    pub async fn create_client(&self, actor: &Actor, name: &str) -> Result<NewClient, AppError> {
        let name = name.trim();
        if name.is_empty() || name.len() > 128 || name.chars().any(char::is_control) {
            return Err(AppError::Invalid(
                "field `name` must be 1 to 128 characters without control characters".into(),
            ));
        }
        // The id is made by the store; the audit row names the client.
        self.authorize(actor, Check::area(AdminAction::ClientsWrite, "clients"))
            .await?;
        let audit = Self::audit(
            actor,
            AdminAction::ClientsWrite,
            "clients".into(),
            json!({"change": "create", "name": name}),
        );
        let (client, key) = self.store.create_client(name, Some(&audit)).await?;
        Ok(NewClient { client, key })
    }

    /// Revoke a service client's key (`clients.write`).
    pub async fn revoke_client(&self, actor: &Actor, id: &str) -> Result<ClientRow, AppError> {
        opaque("id", id)?;
        let check = match self.store.client(id).await {
            Ok(client) => Check {
                target: Some(crate::engine::Target::Client {
                    id: client.id.clone(),
                    name: client.name.clone(),
                }),
                ..Check::area(AdminAction::ClientsWrite, format!("client:{id}"))
            },
            Err(e) if e.is_not_found() => {
                Check::area(AdminAction::ClientsWrite, format!("client:{id}"))
            }
            Err(e) => return Err(e.into()),
        };
        self.authorize(actor, check).await?;
        let audit = Self::audit(
            actor,
            AdminAction::ClientsWrite,
            format!("client:{id}"),
            json!({"change": "revoke"}),
        );
        Ok(self.store.revoke_client(id, Some(&audit)).await?)
    }
}
