//! The identity provider behind a trait, and the provisioning of access requests on it.
//!
//! Who adds it: a portal operator or API provider that provisions consumer clients through the
//! access-request lifecycle (request, approve, reject, revoke, rotate), on Keycloak or on the
//! embedded development IdP.
//!
//! # Optional features
//! - `dev-idp`: `DevIdp`, an OpenID Provider inside the process (axum on 127.0.0.1) that
//!   implements [`IdentityProvider`], for examples and tests. Never a production IdP.

mod credentials;
#[cfg(feature = "dev-idp")]
mod dev;
mod error;
mod keycloak;
mod model;
mod provider;
mod provisioning;

pub use aps_client::ClientSecret;
pub use credentials::IssuedCredentials;
#[cfg(feature = "dev-idp")]
pub use dev::{DevIdp, DevIdpBuilder};
pub use error::{Error, Result};
pub use keycloak::{Keycloak, KeycloakBuilder};
pub use model::{
    Authentication, ClientGrants, ClientState, Endpoints, NewClient, PublicKey,
    RegisteredAuthentication, ResourceAccess,
};
pub use provider::IdentityProvider;
pub use provisioning::{Outcome, Provisioner};
