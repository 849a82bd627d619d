//! aps-client against the real Keycloak of `scripts/keycloak.sh`: every authentication method,
//! and the refusals a consumer meets. Skips (visibly) without `KEYCLOAK_URL`.

mod support;

#[path = "keycloak/private_key_jwt.rs"]
mod private_key_jwt;
#[path = "keycloak/refusals.rs"]
mod refusals;
#[path = "keycloak/secret.rs"]
mod secret;

use aps_client::{Client, ClientBuilder};
use aps_testkit::Keycloak;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A builder for the test realm with plain HTTP allowed on 127.0.0.1.
fn builder(kc: &Keycloak) -> ClientBuilder {
    Client::builder()
        .token_endpoint(kc.token_endpoint())
        .danger_allow_http_loopback(true)
}
