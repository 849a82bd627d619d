//! What the aps examples share: the identity provider they run on (the embedded development
//! IdP by default, Keycloak with `--keycloak`), a small API behind a gateway built from the
//! SDK's parts, and the narration.
//!
//! Run the quickstart with `cargo run -p aps-examples --bin quickstart`.

pub mod api;
pub mod idp;
pub mod say;
