//! `IdentityProvider` for the development IdP: each operation is one checked change of the
//! realm (see `realm.rs`), written to the state file before it takes effect.

use async_trait::async_trait;

use super::DevIdp;
use super::random;
use super::realm::Fresh;
use crate::model::{ClientGrants, ClientState, Endpoints, NewClient, PublicKey};
use crate::{ClientSecret, IdentityProvider, Result};

fn fresh() -> Result<Fresh> {
    Ok(Fresh {
        secret: random::secret()?,
        id: random::uuid()?,
    })
}

#[async_trait]
impl IdentityProvider for DevIdp {
    fn endpoints(&self) -> &Endpoints {
        &self.shared.config.endpoints
    }

    async fn register_client(&self, client: &NewClient) -> Result<Option<ClientSecret>> {
        let fresh = fresh()?;
        self.shared
            .change(|realm, config| realm.register(config, client, fresh))
            .await
    }

    async fn client(&self, client_id: &str) -> Result<Option<ClientState>> {
        Ok(self
            .shared
            .read(|realm| realm.clients.get(client_id).map(|c| c.state())))
    }

    async fn client_secret(&self, client_id: &str) -> Result<ClientSecret> {
        self.shared
            .read(|realm| realm.secret(&self.shared.config, client_id))
    }

    async fn set_grants(&self, client_id: &str, grants: &ClientGrants) -> Result<()> {
        self.shared
            .change(|realm, config| realm.set_grants(config, client_id, grants))
            .await
    }

    async fn set_enabled(&self, client_id: &str, enabled: bool) -> Result<()> {
        self.shared
            .change(|realm, config| realm.set_enabled(config, client_id, enabled))
            .await
    }

    async fn delete_client(&self, client_id: &str) -> Result<bool> {
        let deleted = self
            .shared
            .change(|realm, _| Ok(realm.delete(client_id)))
            .await?;
        self.shared.jwks.forget(client_id);
        Ok(deleted)
    }

    async fn regenerate_secret(&self, client_id: &str) -> Result<ClientSecret> {
        let fresh = fresh()?;
        self.shared
            .change(|realm, config| realm.regenerate_secret(config, client_id, fresh))
            .await
    }

    async fn set_public_key(&self, client_id: &str, key: &PublicKey) -> Result<()> {
        self.shared
            .change(|realm, config| realm.set_public_key(config, client_id, key))
            .await?;
        self.shared.jwks.forget(client_id);
        Ok(())
    }

    async fn create_profile_client(&self, client_id: &str) -> Result<()> {
        let fresh = fresh()?;
        self.shared
            .change(|realm, config| realm.create_profile_client(config, client_id, fresh))
            .await
    }

    async fn client_roles(&self, client_id: &str) -> Result<Option<Vec<String>>> {
        Ok(self.shared.read(|realm| {
            realm
                .clients
                .get(client_id)
                .map(|c| c.own_roles.iter().cloned().collect())
        }))
    }

    async fn set_client_roles(&self, client_id: &str, roles: &[String]) -> Result<()> {
        self.shared
            .change(|realm, config| realm.set_client_roles(config, client_id, roles))
            .await
    }
}
