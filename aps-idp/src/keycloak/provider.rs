//! `impl IdentityProvider for Keycloak`: each operation names the function that does it.

use async_trait::async_trait;

use super::Keycloak;
use crate::{
    ClientGrants, ClientSecret, ClientState, Endpoints, IdentityProvider, NewClient, PublicKey,
    ResourceAccess, Result,
};

/// Keycloak's Admin REST API, with the portal's semantics. [`ClientState::default_scopes`]
/// leaves out the realm's `roles` scope while the service account has client roles
/// (`set_grants` adds it with roles, since Keycloak puts roles in tokens only with it): the
/// one difference from the grants.
#[async_trait]
impl IdentityProvider for Keycloak {
    fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    async fn register_client(&self, client: &NewClient) -> Result<Option<ClientSecret>> {
        self.register(client).await
    }

    async fn client(&self, client_id: &str) -> Result<Option<ClientState>> {
        self.state(client_id).await
    }

    async fn client_secret(&self, client_id: &str) -> Result<ClientSecret> {
        self.secret(client_id).await
    }

    async fn set_grants(&self, client_id: &str, grants: &ClientGrants) -> Result<()> {
        self.grant(client_id, grants).await
    }

    async fn set_enabled(&self, client_id: &str, enabled: bool) -> Result<()> {
        self.enable(client_id, enabled).await
    }

    async fn delete_client(&self, client_id: &str) -> Result<bool> {
        self.delete(client_id).await
    }

    async fn regenerate_secret(&self, client_id: &str) -> Result<ClientSecret> {
        self.new_secret(client_id).await
    }

    async fn set_public_key(&self, client_id: &str, key: &PublicKey) -> Result<()> {
        self.replace_key(client_id, key).await
    }

    async fn create_profile_client(&self, client_id: &str) -> Result<()> {
        self.create_profile(client_id).await
    }

    async fn client_roles(&self, client_id: &str) -> Result<Option<Vec<String>>> {
        self.roles_of(client_id).await
    }

    async fn set_client_roles(&self, client_id: &str, roles: &[String]) -> Result<()> {
        self.make_roles(client_id, roles).await
    }

    async fn grant_resource_access(&self, client_id: &str, access: &ResourceAccess) -> Result<()> {
        self.grant_access(client_id, access).await
    }

    async fn revoke_resource_access(&self, client_id: &str, resource_server: &str) -> Result<bool> {
        self.revoke_access(client_id, resource_server).await
    }
}
