//! The identity provider behind a trait, and the provisioning of access requests on it.
//!
//! Who adds it: a portal operator or API provider that provisions consumer clients through the
//! access-request lifecycle (request, approve, reject, revoke, rotate), on Keycloak or on the
//! embedded development IdP; and anyone who wants a real OpenID Provider in their own tests.
//!
//! # Quick start
//! Steps 3 to 5 of the flow on the embedded development IdP (feature `dev-idp`). On a real
//! Keycloak the provisioner is the same: build the IdP with [`Keycloak::from_profile`] (a
//! profile with its own `managed` environment) or [`Keycloak::builder`] (a shared IdP, whose
//! management credentials the profile does not hold).
//! ```
//! # #[cfg(feature = "dev-idp")]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use aps_core::{AccessRequest, ClientAuthenticator, CredentialIssuer, Environment, Grants, Step};
//! use aps_idp::{DevIdp, Provisioner};
//!
//! let idp = DevIdp::start().await?; // http://127.0.0.1:<port>/realms/apigw
//! let mut profile = CredentialIssuer::new("My API default");
//! profile.client_authenticator = Some(ClientAuthenticator::ClientSecret);
//! profile.inherit_from = Some("Gold Shared IdP".into());
//! profile.client_roles = vec!["read".into()];
//! let provisioner = Provisioner::new(Arc::new(idp.clone()), profile.clone());
//! provisioner.sync_profile_client(Environment::Dev).await?; // ap-my-api-default-dev, role read
//!
//! // A consumer asks: its client is made, disabled, and its credentials handed out once.
//! let request = AccessRequest::new(&profile, Environment::Dev, "ENV1-APP1", None)?;
//! let issued = provisioner.perform(&request, &Step::IssueCredentials).await?;
//! let document = issued.credentials.expect("new credentials").document()?;
//!
//! // The access manager approves: exact grants first, then the client is enabled.
//! let approve = Step::Approve { grants: Grants::new(Vec::<String>::new(), ["read"]) };
//! provisioner.perform(&issued.request, &approve).await?;
//!
//! // The consumer gets a token with aps-client.
//! let consumer = aps_client::Client::builder()
//!     .credentials(&document)
//!     .danger_allow_http_loopback(true)
//!     .build()?;
//! let token = consumer.token().await?;
//! assert!(!token.secret().is_empty());
//! # Ok(()) }
//! # #[cfg(not(feature = "dev-idp"))] fn main() {}
//! ```
//!
//! # What is in it
//! - [`IdentityProvider`]: the IdP's operations in the portal's words (register disabled,
//!   exact grants, enable, delete, rotate secrets and keys, shared-IdP profile clients, read a
//!   client's state), with [`NewClient`], [`ClientGrants`], [`ClientState`], [`Endpoints`].
//! - [`Keycloak`]: the Admin REST API, its management token from aps-client.
//! - `DevIdp` (feature `dev-idp`): an OpenID Provider inside the process, over real HTTP on
//!   127.0.0.1, for development and tests. Never a production IdP.
//! - [`Provisioner`]: performs `aps_core::AccessRequest` steps on any IdP, safely under
//!   crashes, retries and concurrent portals; hands out [`IssuedCredentials`].
//! - [`Error`]: typed, secret-free errors (`Forbidden` names the missing role).
//!
//! Guide: `docs/provisioning.md` (the lifecycle, the exact Keycloak calls, errors and what to
//! do, the crash-safety guarantees and their limits).
//!
//! On Keycloak also: the `iat` registration mode (an initial access token,
//! [`KeycloakBuilder::initial_access_token`]), and UMA2 resource-server permissions for profiles
//! with `resourceType` / `resourceScopes` ([`IdentityProvider::grant_resource_access`]; the
//! DevIdp answers [`Error::Unsupported`]).
//!
//! # Optional features
//! - `dev-idp`: `DevIdp`, an OpenID Provider inside the process (axum on 127.0.0.1) that
//!   implements [`IdentityProvider`], for examples and tests. Never a production IdP.
//!
//! # Design
//! The decisions are aps-core's: `AccessRequest::next` says which actions a step needs. This
//! crate performs them, in an order that keeps every intermediate state safe (grants before
//! enabling), and every operation converges when repeated, so a failed step is simply run
//! again. One conformance suite (`tests/conformance`) runs against `DevIdp` and Keycloak.

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

// The Rust snippets of docs/provisioning.md, compiled by `cargo test --doc` against this API.
// Only exists for doc tests.
#[cfg(all(doctest, feature = "dev-idp"))]
#[doc = include_str!("../../docs/provisioning.md")]
struct ProvisioningGuide;

// The same for docs/dev-idp.md.
#[cfg(all(doctest, feature = "dev-idp"))]
#[doc = include_str!("../../docs/dev-idp.md")]
struct DevIdpGuide;
