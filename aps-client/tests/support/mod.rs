//! Helpers shared by the aps-client test binaries.
#![allow(dead_code, unreachable_pub)]

pub mod http_server;
pub mod stub;

use base64::Engine as _;
use serde_json::Value;

/// The claims of a JWT, without checking anything (the tests only read what Keycloak put in).
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT has three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

/// Adds a realm client scope to a client's optional scopes (requestable with `scope=`).
pub async fn add_optional_scope(
    kc: &aps_testkit::Keycloak,
    id: &str,
    scope: &str,
) -> Result<(), aps_testkit::Error> {
    let scopes = kc
        .management_call(reqwest::Method::GET, "/client-scopes", None)
        .await?;
    let scopes: Value = serde_json::from_str(&scopes.body).expect("client scopes JSON");
    let scope_id = scopes
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["name"] == scope)
        .and_then(|s| s["id"].as_str())
        .unwrap_or_else(|| panic!("client scope {scope} is provisioned"))
        .to_owned();
    let path = format!("/clients/{id}/optional-client-scopes/{scope_id}");
    kc.management_call(reqwest::Method::PUT, &path, None)
        .await
        .map(drop)
}
