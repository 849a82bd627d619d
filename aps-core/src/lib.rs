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

mod document;
mod error;
mod issuer_url;
mod policy;
mod problem;
mod profile;
mod scope;
mod secret;

pub use document::{
    CREDENTIAL_ISSUER_KIND, Document, Documents, LoadError, OtherDocument, load_json, load_yaml,
};
pub use error::{Error, Result};
pub use issuer_url::IssuerUrlError;
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

#[cfg(test)]
fn _assert_impls() {
    fn send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    send_sync_clone::<AccessPolicy>();
    send_sync_clone::<Error>();
}
