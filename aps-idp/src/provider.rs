//! The one trait every identity provider implements: what the portal asks of an IdP.

use std::fmt;

use async_trait::async_trait;

use crate::model::{ClientGrants, ClientState, Endpoints, NewClient, PublicKey, ResourceAccess};
use crate::{ClientSecret, Error, Result};

/// An identity provider on which consumer clients are registered, approved, rotated and
/// deleted, named in the portal's words.
///
/// Implemented by [`Keycloak`](crate::Keycloak) (its Admin REST API) and, with the `dev-idp`
/// feature, by `DevIdp` (an OpenID Provider inside the process). Object safe: use it as
/// `Arc<dyn IdentityProvider>`.
///
/// Every operation is addressed by the OAuth `client_id` and is safe to repeat: setting what
/// is already set changes nothing, so a caller that failed half-way runs the same operations
/// again and converges. The [`Provisioner`](crate::Provisioner) orders them so that a client
/// is never enabled before it has exactly its grants.
#[async_trait]
pub trait IdentityProvider: Send + Sync + fmt::Debug {
    /// Where consumers get tokens and keys (for the credential document and validators).
    fn endpoints(&self) -> &Endpoints;

    /// Registers a consumer client, **disabled**, with no scopes and no roles.
    ///
    /// Returns the secret when the client authenticates with one (the one given, or one the
    /// IdP generated).
    ///
    /// # Errors
    /// [`Error::AlreadyExists`](crate::Error::AlreadyExists) when a client with this id exists.
    async fn register_client(&self, client: &NewClient) -> Result<Option<ClientSecret>>;

    /// A client's current state, or `None` when there is no such client.
    async fn client(&self, client_id: &str) -> Result<Option<ClientState>>;

    /// The client's current secret (to hand the same secret out again when a registration is
    /// re-run).
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound), or
    /// [`Error::Conflict`](crate::Error::Conflict) when the client has no secret.
    async fn client_secret(&self, client_id: &str) -> Result<ClientSecret>;

    /// Sets **exactly** these default client scopes (every optional scope removed) and these
    /// roles (service-account role mappings, and the scope mappings a client without full
    /// scope needs). Does not change whether the client is enabled.
    ///
    /// # Errors
    /// [`Error::UnknownScope`](crate::Error::UnknownScope) or
    /// [`Error::UnknownRole`](crate::Error::UnknownRole) before anything is changed.
    async fn set_grants(&self, client_id: &str, grants: &ClientGrants) -> Result<()>;

    /// Enables or disables the client.
    async fn set_enabled(&self, client_id: &str, enabled: bool) -> Result<()>;

    /// Deletes the client; `Ok(false)` when there was none.
    async fn delete_client(&self, client_id: &str) -> Result<bool>;

    /// Replaces the client secret with a new one the IdP generates; the old one stops working.
    async fn regenerate_secret(&self, client_id: &str) -> Result<ClientSecret>;

    /// Replaces the public key (PEM) or JWKS URL the client's assertions are checked with.
    async fn set_public_key(&self, client_id: &str, key: &PublicKey) -> Result<()>;

    /// Creates a shared-IdP profile client (`ap-<profile>[-env]`): enabled, bearer-only, no
    /// service account, the audience of its consumers' tokens.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`](crate::Error::AlreadyExists) when it exists.
    async fn create_profile_client(&self, client_id: &str) -> Result<()>;

    /// The roles of a profile client (or of any client), sorted; `None` when there is no such
    /// client.
    async fn client_roles(&self, client_id: &str) -> Result<Option<Vec<String>>>;

    /// Makes a client's roles exactly `roles` (creating and deleting roles).
    async fn set_client_roles(&self, client_id: &str, roles: &[String]) -> Result<()>;

    /// Gives the client exactly `access` on the resource server (UMA 2.0 resource
    /// permissions, for profiles with `resourceType` and `resourceScopes`): one permission
    /// named after the client, replaced when it exists. The client must exist.
    ///
    /// Optional: IdPs without authorization services keep the default, which fails.
    ///
    /// # Errors
    /// [`Error::Unsupported`] by default;
    /// [`Error::NotFound`] for a missing client, resource server or scope.
    async fn grant_resource_access(&self, client_id: &str, access: &ResourceAccess) -> Result<()> {
        let _ = (client_id, access);
        Err(unsupported::<Self>())
    }

    /// Removes what [`grant_resource_access`](Self::grant_resource_access) made for the client
    /// on `resource_server`; `Ok(false)` when there was nothing (also when the resource server
    /// does not exist).
    ///
    /// # Errors
    /// [`Error::Unsupported`] by default.
    async fn revoke_resource_access(&self, client_id: &str, resource_server: &str) -> Result<bool> {
        let _ = (client_id, resource_server);
        Err(unsupported::<Self>())
    }
}

/// The error of the default UMA 2.0 operations, naming the implementation.
fn unsupported<T: ?Sized>() -> Error {
    let name = std::any::type_name::<T>();
    Error::Unsupported {
        operation: "UMA 2.0 resource permissions",
        idp: name.rsplit("::").next().unwrap_or(name),
    }
}
