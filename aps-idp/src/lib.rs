//! The identity provider behind a trait, and the provisioning of access requests on it.
//!
//! Who adds it: a portal operator or API provider that provisions consumer clients through the
//! access-request lifecycle (request, approve, reject, revoke, rotate), on Keycloak or on the
//! embedded development IdP.

mod credentials;
mod error;
mod keycloak;
mod model;
mod provider;
mod provisioning;

pub use aps_client::ClientSecret;
pub use credentials::IssuedCredentials;
pub use error::{Error, Result};
pub use keycloak::{Keycloak, KeycloakBuilder};
pub use model::{
    Authentication, ClientGrants, ClientState, Endpoints, NewClient, PublicKey,
    RegisteredAuthentication,
};
pub use provider::IdentityProvider;
pub use provisioning::{Outcome, Provisioner};
