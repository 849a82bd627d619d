//! One conformance suite, two identity providers: every test runs against the embedded
//! development IdP (always, no server needed) and against Keycloak (when `KEYCLOAK_URL` is
//! set; always in CI, where a missing Keycloak fails the test).
//!
//! Where the two differ, `support.rs` says so in one place.

mod client_ways;
mod crash;
mod lifecycle;
mod shared_idp;
mod support;
