//! The deployment (its issuer) and the signing keys.

use super::*;

impl App {
    /// Move every process on this database to the issuer `url` (`warden db set-issuer`): the
    /// next start of each server with `public_url = url` succeeds, and tokens of the old
    /// issuer stop verifying. The command line only (whoever owns the database).
    pub async fn set_issuer(&self, url: &str) -> Result<(), AppError> {
        let url = url.trim().trim_end_matches('/');
        if !(url.starts_with("https://") || url.starts_with("http://"))
            || url.contains(char::is_whitespace)
        {
            return Err(AppError::Invalid(format!(
                "the issuer must be an http(s) URL, not {url:?}"
            )));
        }
        Ok(self
            .store
            .replace_secret(ISSUER_SECRET, url.as_bytes().to_vec())
            .await?)
    }

    /// Signing keys, newest first (never a private half).
    pub async fn list_keys(&self) -> Result<Vec<KeyRow>, AppError> {
        Ok(self.store.keys().await?)
    }

    /// Sign new tokens with a fresh key (`keys.rotate`); the previous key keeps verifying
    /// until its tokens expire. Returns the new key id.
    pub async fn rotate_key(&self, actor: &Actor) -> Result<String, AppError> {
        if self.config.jwt_algorithm == crate::config::JwtAlgorithm::Hs256 {
            return Err(Conflict::SharedSecretKeys.into());
        }
        self.authorize(actor, Check::area(AdminAction::KeysRotate, "keys"))
            .await?;
        let audit = Self::audit(actor, AdminAction::KeysRotate, "keys".into(), json!({}));
        let kid = crate::tokens::rotate_key(&self.store, Some(&audit)).await?;
        if let Some(tokens) = &self.tokens {
            tokens.reload_keys(&self.store).await?;
        }
        Ok(kid)
    }
}
