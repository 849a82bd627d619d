//! [`Keycloak`]: the [`IdentityProvider`](crate::IdentityProvider) over Keycloak's Admin REST
//! API, as the API Services Portal drives it.
//!
//! A management client of the realm (service account only, with the `realm-management` roles
//! `manage-clients` and `manage-users`) registers consumer clients from the portal's template
//! (disabled, service account only, no flows, `fullScopeAllowed: false`, no client scopes, one
//! audience mapper per audience), sets their exact default scopes and roles on approval,
//! enables, rotates and deletes them. Its token comes from [`aps_client::Client`], which caches
//! and refreshes it.
//!
//! ```no_run
//! # async fn run() -> aps_idp::Result<()> {
//! use aps_idp::{Authentication, ClientGrants, IdentityProvider, Keycloak, NewClient};
//!
//! let keycloak = Keycloak::builder()
//!     .issuer("https://loginproxy.gov.bc.ca/auth/realms/apigw")
//!     .management_client("aps-management", "its-secret")
//!     .build()?;
//! let new = NewClient::new("app-1", Authentication::Secret(None)).audience("ap-my-api");
//! let secret = keycloak.register_client(&new).await?;
//! keycloak.set_grants("app-1", &ClientGrants::scopes(["Function1/read"])).await?;
//! keycloak.set_enabled("app-1", true).await?;
//! # let _ = secret; Ok(()) }
//! ```
//!
//! With an initial access token ([`KeycloakBuilder::initial_access_token`], the portal's `iat`
//! mode), clients are registered through the client registration service instead
//! (`POST {issuer}/clients-registrations/default`, the same template); everything else still
//! needs the management client. The realm's authenticated client-registration policy "Allowed
//! Protocol Mapper Types" must allow `oidc-audience-mapper` (`docs/provisioning.md`).
//!
//! For profiles with `resourceType`, [`grant_resource_access`] gives an approved consumer a
//! UMA 2.0 permission on the provider's resource server through the Authorization Services
//! endpoints of the Admin REST API (`/clients/{rs}/authz/resource-server/...`).
//!
//! [`grant_resource_access`]: crate::IdentityProvider::grant_resource_access
//!
//! # What Keycloak adds, and how it is kept out
//!
//! - Keycloak gives every client with a service account the realm's `service_account` client
//!   scope, even when the registration lists no scopes, and gives it back on every update that
//!   sends `serviceAccountsEnabled: true`. Registration removes it (the client is still
//!   disabled), and updates send only the fields they change.
//! - Roles reach tokens only through the realm's `roles` client scope. `set_grants` adds it as a
//!   default scope whenever roles are granted and removes it when none are; [`ClientState`]
//!   leaves it out of `default_scopes` while the service account has client roles, so that
//!   `default_scopes` equals the granted scopes. This is the one difference from the grants.
//! - A client without full scope gets a role in its tokens only with a scope mapping of that
//!   role, so `set_grants` keeps the scope mappings equal to the granted roles.
//!
//! [`ClientState`]: crate::ClientState

mod admin;
mod authz;
mod builder;
mod clients;
mod diff;
mod grants;
mod model;
mod profile;
mod profile_clients;
mod provider;
mod realm_url;
mod registration;

use std::fmt;

pub use builder::KeycloakBuilder;

use admin::Admin;
use realm_url::RealmUrl;
use registration::Registration;

use crate::Endpoints;

/// A Keycloak realm managed through its Admin REST API. Cheap to clone (clones share the HTTP
/// connections and the cached management token).
///
/// Build it with [`Keycloak::builder`] or, from an Authorization Profile, with
/// [`Keycloak::from_profile`]. `Debug` shows no secret.
///
/// ```
/// use aps_idp::{IdentityProvider, Keycloak};
///
/// let keycloak = Keycloak::builder()
///     .issuer("https://loginproxy.gov.bc.ca/auth/realms/apigw")
///     .management_client("aps-management", "its-secret")
///     .build()?;
/// assert_eq!(keycloak.realm(), "apigw");
/// assert_eq!(keycloak.admin_url(), "https://loginproxy.gov.bc.ca/auth/admin/realms/apigw");
/// assert_eq!(
///     keycloak.endpoints().token_endpoint,
///     "https://loginproxy.gov.bc.ca/auth/realms/apigw/protocol/openid-connect/token"
/// );
/// assert!(!format!("{keycloak:?}").contains("its-secret"));
/// # Ok::<(), aps_idp::Error>(())
/// ```
#[derive(Clone)]
pub struct Keycloak {
    admin: Admin,
    url: RealmUrl,
    endpoints: Endpoints,
    management_client_id: Option<String>,
    /// `iat` mode: registrations go through the client registration service.
    registration: Option<Registration>,
}

impl fmt::Debug for Keycloak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keycloak")
            .field("issuer", &self.url.issuer)
            .field("realm", &self.url.realm)
            .field("management_client_id", &self.management_client_id)
            .field("initial_access_token", &self.registration.is_some())
            .finish_non_exhaustive()
    }
}

impl Keycloak {
    /// Starts configuring a Keycloak realm.
    pub fn builder() -> KeycloakBuilder {
        KeycloakBuilder::new()
    }

    /// The realm name, e.g. `apigw`.
    pub fn realm(&self) -> &str {
        &self.url.realm
    }

    /// The realm's Admin REST API root, e.g. `https://host/auth/admin/realms/apigw`.
    pub fn admin_url(&self) -> &str {
        self.url.admin.as_str()
    }
}
