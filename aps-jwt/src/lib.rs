//! Keys, JWK/JWKS, client assertions, and a standalone bearer-token validator.
//!
//! Who adds it: the owner of an upstream service behind the APS gateway, to validate the access
//! tokens that Keycloak issued (as the gateway's `jwt-keycloak` plugin does) and the JWT that the
//! gateway signs for the upstream. `aps-client` uses it to sign client assertions
//! (`private_key_jwt`).
//!
//! # Quick start: validating bearer tokens
//! ```no_run
//! # async fn run(token: &str) -> Result<(), Box<dyn std::error::Error>> {
//! use aps_jwt::Validator;
//!
//! let validator = Validator::builder()
//!     .issuer("https://loginproxy.gov.bc.ca/auth/realms/apigw") // keys via OIDC discovery
//!     .scope("Function1/read")
//!     .build()?;
//! let verified = validator.validate(token).await?; // Err: a ValidationError with its HTTP status
//! println!("{:?} may read", verified.client_id());
//! # Ok(()) }
//! ```
//!
//! # Quick start: a client assertion
//! ```
//! use std::time::SystemTime;
//! use aps_jwt::{ClientAssertion, SigningKey};
//!
//! let key = SigningKey::generate_p256()?; // or SigningKey::from_pem(&pem)?
//! let assertion = ClientAssertion::builder("my-client", "https://idp.example/realms/apigw").build()?;
//! let signed = assertion.sign(&key, SystemTime::now())?;
//! // POST client_assertion_type=aps_jwt::CLIENT_ASSERTION_TYPE&client_assertion=<signed>
//! # let _ = signed.expose_secret();
//! // The public half, to register with the IdP:
//! let jwks = key.public_jwks().to_json();
//! # assert!(jwks.contains("\"use\":\"sig\""));
//! # Ok::<(), aps_jwt::Error>(())
//! ```
//!
//! # What is in it
//! - Keys: [`SigningKey`] (RSA and EC private keys from PEM/DER/JWK, or generated),
//!   [`VerifyingKey`] (SPKI, X.509, JWK), [`Jwk`]/[`Jwks`] with RFC 7638 thumbprints, and
//!   [`verify_signature`], the low-level entry point (Wycheproof-tested).
//! - Client assertions: [`ClientAssertion`] signs them, [`AssertionVerifier`] checks them as
//!   Keycloak does. Spent `jti`s go to a [`ReplayStore`] ([`MemoryReplayStore`] by default),
//!   per client, until their token dies.
//! - The [`Validator`] of access tokens, and [`upstream::Verifier`] for the JWT the APS gateway
//!   signs for the upstream ([`upstream::Signer`] signs it the same way, for tests and gateways).
//!   Guide: `docs/upstream-validation.md`.
//!
//! # Optional features
//! - `tower`: `BearerLayer`, a tower layer validating every request's bearer token.
//! - `axum`: the layer, plus [`VerifiedToken`] as an axum extractor and [`ValidationError`]
//!   as a response.
//!
//! # Design
//! All cryptography goes through aws-lc-rs with keys parsed once (`SigningKey`,
//! `VerifyingKey`), so no call re-parses a key, and each token is parsed once. There is no
//! `none` and no HMAC algorithm at all: an algorithm is always tied to an asymmetric key type.
//! PEM/DER public keys are located by a small strict DER walker (exact tags, minimal lengths,
//! no trailing bytes) and parsed again by aws-lc; private keys are parsed by aws-lc alone.
//! Decisions are pure functions of the state and "now" (a [`Clock`] that tests pin); the
//! network is touched only to fetch an allowed issuer's keys, bounded in size and time, in a
//! task of its own that every caller needing the keys waits for. Refusals and key fetches are
//! logged with `tracing` (target `aps_jwt`, never a token) and counted in [`Stats`].

mod alg;
mod assertion;
mod assertion_verify;
mod claims;
mod clock;
mod der;
mod encoding;
mod error;
#[cfg(feature = "axum")]
mod extract;
mod jwk;
mod jws;
mod keyset;
#[cfg(feature = "tower")]
mod layer;
mod replay;
mod signing_key;
mod token;
pub mod upstream;
#[cfg(feature = "axum")]
mod upstream_layer;
mod validation_error;
mod validator;
mod verifying_key;

pub use alg::{Algorithm, KeyType, UnsupportedAlgorithm};
pub use assertion::{
    CLIENT_ASSERTION_TYPE, ClientAssertion, ClientAssertionBuilder, SignedAssertion,
};
pub use assertion_verify::{
    AssertionVerifier, AssertionVerifierBuilder, VerifiedAssertion, unverified_client_id,
};
pub use claims::ClaimList;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Error, KeyProblem, Result};
pub use jwk::{Jwk, Jwks};
#[cfg(feature = "tower")]
pub use layer::{Bearer, BearerLayer, bearer_token};
pub use replay::{MemoryReplayStore, ReplayError, ReplayStore};
pub use signing_key::SigningKey;
pub use validation_error::ValidationError;
pub use validator::{
    DEFAULT_LEEWAY, FetchError, Refusals, Stats, TokenType, Validator, ValidatorBuilder,
    VerifiedToken,
};
pub use verifying_key::{VerifyingKey, verify_signature};

#[allow(dead_code)]
fn _assert_impls() {
    fn send_sync_clone<T: Send + Sync + Clone>() {}
    send_sync_clone::<SigningKey>();
    send_sync_clone::<VerifyingKey>();
    send_sync_clone::<ClientAssertion>();
    send_sync_clone::<SignedAssertion>();
    send_sync_clone::<Jwks>();
    send_sync_clone::<Validator>();
    send_sync_clone::<VerifiedToken>();
    send_sync_clone::<ValidationError>();
    send_sync_clone::<AssertionVerifier>();
    send_sync_clone::<upstream::Verifier>();
    fn send_sync<T: Send + Sync>() {}
    send_sync::<MemoryReplayStore>();
}

// The Rust snippets of docs/upstream-validation.md, compiled by `cargo test --doc` against this
// API (they use the `axum` feature). Only exists for doc tests.
#[cfg(all(doctest, feature = "axum"))]
#[doc = include_str!("../../docs/upstream-validation.md")]
struct UpstreamValidationGuide;
