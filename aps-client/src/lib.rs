//! Token acquisition for API consumers.
//!
//! Who adds it: a consumer application that holds the credentials the portal handed out (a client
//! id with a secret or a private key) and calls an API behind the APS gateway. It gets tokens with
//! the OAuth2 client credentials grant, caches them, refreshes them ahead of expiry and adds them
//! to requests.
//!
//! # Quick start
//!
//! ```no_run
//! # #[tokio::main] async fn main() -> aps_client::Result<()> {
//! use aps_client::{Client, CredentialDocument};
//!
//! // The JSON document the API Services Portal hands out, or .client_id()/.client_secret()/...
//! let credentials = CredentialDocument::from_file("credentials.json")?;
//! let client = Client::builder().credentials(&credentials).scope("Function1/read").build()?;
//!
//! // Cached; refreshed in the background ahead of expiry; one request however many callers.
//! let token = client.token().await?;
//! let response = reqwest::Client::new()
//!     .get("https://my-api.dev.api.gov.bc.ca/")
//!     .header(reqwest::header::AUTHORIZATION, token.authorization())
//!     .send()
//!     .await;
//! # let _ = response; Ok(()) }
//! ```
//!
//! With a private key instead of a secret (`private_key_jwt`), pass
//! [`ClientBuilder::private_key`], [`ClientBuilder::private_key_pem`] or
//! [`ClientBuilder::private_key_jwk`], or the credential document with its `clientPrivateKey`.
//! **A key signs with the `kid` it publishes** ([`SigningKey::kid`], what
//! [`SigningKey::public_jwks`] puts in a JWKS), however it was loaded; the one exception is the
//! credential document's key, which signs with the `kid` Keycloak gives the public key the
//! portal registered ([`keycloak_key_id`]). [`ClientBuilder::key_id`] states the rule in full
//! and overrides it.
//!
//! # Features
//!
//! - `blocking`: `blocking::Client`, a synchronous facade with its own small runtime.
//! - `middleware`: `AuthMiddleware`, a `reqwest-middleware` middleware that adds the bearer
//!   token and retries once with a new token when the API answers 401.
//!
//! # Design
//!
//! Decisions are pure functions of state and `now` (token freshness in `cache`, retries in
//! `retry`, form and response handling in `request` and `response`); a thin async shell does
//! the HTTP. A cached token is read under a read lock that no refresh holds across I/O, so a
//! caller holding a valid token never waits; a refresh runs in its own task and every caller
//! that needs it waits on that one task. Secrets, keys, assertions and tokens are wrapped so
//! that `Debug` and errors never show them.

mod assertion;
mod auth;
mod bearer;
#[cfg(feature = "blocking")]
pub mod blocking;
mod cache;
mod client;
mod credentials;
mod endpoint;
mod error;
#[cfg(feature = "middleware")]
mod middleware;
mod request;
mod response;
mod retry;
mod secret;
mod source;
mod sync;
mod token;

pub use assertion::{AssertionAudience, keycloak_key_id};
pub use auth::AuthMethod;
pub use bearer::{BearerError, send_with_token};
pub use cache::{CachePolicy, CachedTokenSource};
pub use client::{Client, ClientBuilder, UncachedSource};
pub use credentials::{CredentialDocument, env};
pub use error::{AssertionFacts, Error, ErrorCode, OAuthError, Result, TransportKind};
#[cfg(feature = "middleware")]
pub use middleware::AuthMiddleware;
pub use request::TokenRequest;
pub use retry::RetryPolicy;
pub use secret::ClientSecret;
pub use source::TokenSource;
pub use token::Token;

/// Re-exported so that users need not depend on aps-jwt to pass a key.
pub use aps_jwt::SigningKey;

/// Compile-time checks: what users share across tasks and threads stays `Send + Sync`, and what
/// is meant to be cloned stays `Clone`.
const _: () = {
    const fn send_sync<T: Send + Sync + 'static>() {}
    const fn send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    send_sync_clone::<Client>();
    send_sync_clone::<Token>();
    send_sync_clone::<Error>();
    send_sync_clone::<CachedTokenSource<UncachedSource>>();
    send_sync_clone::<UncachedSource>();
    send_sync_clone::<CredentialDocument>();
    send_sync_clone::<ClientSecret>();
    send_sync_clone::<TokenRequest>();
    send_sync_clone::<RetryPolicy>();
    send_sync_clone::<CachePolicy>();
    send_sync::<ClientBuilder>();
    send_sync::<BearerError>();
    #[cfg(feature = "middleware")]
    send_sync::<AuthMiddleware<Client>>();
    #[cfg(feature = "blocking")]
    send_sync_clone::<blocking::Client>();
};

// The Rust snippets of docs/consumer-guide.md, compiled by `cargo test --doc` against this API
// (some use the `middleware` and `blocking` features). Only exists for doc tests.
#[cfg(all(doctest, feature = "middleware", feature = "blocking"))]
#[doc = include_str!("../../docs/consumer-guide.md")]
struct ConsumerGuide;
