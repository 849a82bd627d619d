//! Test support shared by the aps crates: the Keycloak test server, and the HTTP load generator
//! of the benches ([`load`]).
//!
//! Tests that need Keycloak start with
//!
//! ```no_run
//! # async fn t() -> Result<(), aps_testkit::Error> {
//! let Some(kc) = aps_testkit::keycloak() else { return Ok(()) };
//! let token = kc.management_token().await?;
//! # Ok(()) }
//! ```
//!
//! [`keycloak()`] applies one rule for every crate: with `KEYCLOAK_URL` set it hands back a
//! [`Keycloak`]; without it the test prints `skipped: no Keycloak (...)` and passes, unless
//! `CI=true` or `APS_REQUIRE_KEYCLOAK=1` is set, in which case the test fails and says why.
//! `scripts/test.sh` installs, starts and provisions the server, then exports `KEYCLOAK_URL`.

mod error;
#[cfg(test)]
mod fake_env;
mod keycloak;
pub mod load;
mod policy;
pub mod provision;

pub use error::Error;
pub use keycloak::{
    AdminResponse, CreatedClient, Keycloak, SHORT_LIFESPAN_ATTRIBUTE, consumer_client, unique_id,
};
pub use policy::{Presence, SKIP_LINE, keycloak_presence};

/// The Keycloak that the tests use, or `None` (with a visible `skipped:` line) when there is
/// none and none is required.
///
/// # Panics
///
/// When `KEYCLOAK_URL` is unset and `CI=true` or `APS_REQUIRE_KEYCLOAK=1` is set: a test that
/// needs Keycloak must fail in CI, not skip silently.
pub fn keycloak() -> Option<Keycloak> {
    match keycloak_presence(|name| std::env::var(name).ok()) {
        Presence::Available(url) => Some(Keycloak::at(url)),
        Presence::Skip(line) => {
            // Written past the test harness's capture, so the skip is visible in a passing run.
            use std::io::Write;
            let _ = writeln!(std::io::stderr().lock(), "{line}");
            None
        }
        Presence::Required(reason) => panic!("{reason}"),
    }
}
