//! The vocabulary of the aps SDK.
//!
//! An API provider on the BC Government API Services Portal (APS) describes how its API is
//! protected with an *Authorization Profile* (`kind: CredentialIssuer`); a portal keeps an
//! *access request* for every consumer that asks for access. `aps-core` models both, validates
//! them, and turns a profile into the access policy that the gateway (and an upstream service)
//! enforces.
//!
//! Who adds it: API providers and portal operators, usually through `aps-idp`; every other aps
//! crate builds on it. It does no I/O and has no async code.
//!
//! # Quick start
//! ```
//! use aps_core::AccessPolicy;
//! use serde_json::json;
//!
//! let policy = AccessPolicy::builder()
//!     .issuer("https://loginproxy.gov.bc.ca/auth/realms/apigw")
//!     .audience("ap-my-api")
//!     .scope("Function1/read")
//!     .build()?;
//! assert!(policy.allows_issuer("https://loginproxy.gov.bc.ca/auth/realms/apigw"));
//! assert!(policy.authorize(&json!({ "scope": "Function1/read" })).is_ok());
//! # Ok::<(), aps_core::PolicyError>(())
//! ```

mod access;
mod document;
mod error;
mod ids;
mod issuer_url;
mod plugin;
mod policy;
mod problem;
mod profile;
mod scope;
mod secret;
mod shared_idp;
mod yaml_out;

pub use access::{
    AccessRequest, Action, ClientKey, Grants, State, Step, StepKind, Transition, TransitionError,
};
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
}
