//! The vocabulary of the aps SDK.
//!
//! An API provider on the BC Government API Services Portal (APS) describes how its API is
//! protected with an *Authorization Profile* (`kind: CredentialIssuer`); a portal keeps an
//! *access request* for every consumer that asks for access. `aps-core` models both, validates
//! them, and turns a profile into the access policy that the gateway (and an upstream service)
//! enforces.
//!
//! Who adds it: API providers and portal operators, directly (and, once it is built, through
//! `aps-idp`); every other aps crate builds on it. It does no I/O and has no async code.
//!
//! # Quick start
//! ```
//! use aps_core::{Environment, load_yaml};
//!
//! let file = "\
//! kind: CredentialIssuer
//! name: My API default
//! flow: client-credentials
//! mode: auto
//! authPlugin: jwt-keycloak
//! clientAuthenticator: client-secret
//! inheritFrom: Gold Shared IdP
//! ";
//! let docs = load_yaml(file)?; // errors carry document, line, column and field path
//! let profile = docs.credential_issuers().next().expect("one profile");
//! assert!(profile.validate().is_empty()); // every problem at once, with paths
//!
//! // What the gateway enforces, as a typed policy for aps-jwt's validator...
//! let policy = profile.access_policy(Environment::Dev)?;
//! assert_eq!(policy.audience(), Some("ap-my-api-default-dev"));
//! // ...and as the jwt-keycloak plugin entry for the GatewayService.
//! let plugin_yaml = profile.jwt_keycloak_plugin(Environment::Dev)?.to_yaml()?;
//! assert!(plugin_yaml.contains("allowed_aud: ap-my-api-default-dev"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What is where
//! - Authorization Profiles: [`CredentialIssuer`] and its enums, [`CredentialIssuer::validate`]
//!   returning [`Problem`]s (with the document, line and column for a loaded profile, see
//!   [`CredentialIssuer::position`]), [`Secret`] for client secrets and initial access tokens.
//! - Files: [`load_yaml`], [`load_json`] → [`Documents`] (unknown kinds kept as
//!   [`OtherDocument`]s), [`Documents::validate`] for every profile of a file,
//!   [`Documents::to_yaml`] to write them back; [`LoadError`].
//! - Gateway requirements: [`AccessPolicy`] (also built by hand with
//!   [`AccessPolicy::builder`]), [`JwtKeycloakPlugin`] rendered from it, [`SharedIdp`] for the
//!   `Gold Shared IdP` issuers, [`shared_client_id`] and [`consumer_client_id`].
//! - Access requests: [`AccessRequest`], [`Step`], [`Action`], [`TransitionError`].
//!
//! # Features
//! - `yaml` (default): files — [`load_yaml`], [`load_json`], [`Documents`], writing YAML
//!   (through `serde-saphyr`). Without it the crate holds the model, validation, policies and
//!   the lifecycle only, and pulls no YAML parser (what `aps-jwt` uses).
//!
//! # Design
//! Everything is pure: loading takes text, the lifecycle takes a step and returns the actions
//! for an IdP to perform, policies are data. The gateway plugin is rendered *from* the access
//! policy, so the gateway and an upstream service built from the same policy check the same
//! claims. Profiles are decoded by hand from a positioned YAML tree (parsed by `serde-saphyr`),
//! so that every type error and unknown field is reported at once with its position. A loaded
//! profile keeps a field-path → position index beside its value (not part of it: equality and
//! serialisation ignore it), so problems found later by `validate` are placed in the file too.

mod access;
#[cfg(feature = "yaml")]
mod document;
mod error;
mod ids;
mod issuer_url;
mod plugin;
mod policy;
mod positions;
mod problem;
mod profile;
mod scope;
mod secret;
mod shared_idp;
mod words;
#[cfg(feature = "yaml")]
mod yaml_out;

pub use access::{
    AccessRequest, Action, ClientKey, Grants, State, Step, StepKind, Transition, TransitionError,
};
#[cfg(feature = "yaml")]
pub use document::{
    CREDENTIAL_ISSUER_KIND, Document, Documents, LoadError, OtherDocument, load_json, load_yaml,
};
pub use error::{Error, Result};
pub use ids::{consumer_client_id, kebab_case, shared_client_id};
pub use issuer_url::IssuerUrlError;
pub use plugin::{JwtKeycloakConfig, JwtKeycloakPlugin};
pub use policy::{
    AccessPolicy, AccessPolicyBuilder, ClaimToVerify, ClientRole, Denial,
    MAX_MAXIMUM_EXPIRATION_SECS, PolicyError, SUPPORTED_ALGORITHMS,
};
pub use problem::{Location, Problem, Severity};
pub use profile::{
    ClientAuthenticator, ClientMapper, ClientRegistration, CredentialIssuer, Environment,
    EnvironmentDetail, Flow, Mode, UnknownValue,
};
pub use secret::{MASK, Secret};
pub use shared_idp::{GOLD_SHARED_IDP, SharedIdp};

#[cfg(test)]
fn _assert_impls() {
    fn send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    send_sync_clone::<AccessPolicy>();
    send_sync_clone::<Error>();
    send_sync_clone::<CredentialIssuer>();
    send_sync_clone::<AccessRequest>();
    send_sync_clone::<Problem>();
    #[cfg(feature = "yaml")]
    send_sync_clone::<Documents>();
}
