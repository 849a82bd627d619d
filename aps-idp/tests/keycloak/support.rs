//! What the Keycloak tests share.

use aps_idp::{IdentityProvider, Keycloak};
use serde_json::Value;

pub(crate) type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// The test realm, managed by the provisioned management client.
pub(crate) fn idp(kc: &aps_testkit::Keycloak) -> Keycloak {
    Keycloak::builder()
        .issuer(kc.issuer())
        .management_client(kc.management_client_id(), kc.management_client_secret())
        .build()
        .expect("the test realm's settings are valid")
}

/// A token for a client with a secret, or aps-client's error.
pub(crate) async fn secret_token(
    kc: &aps_testkit::Keycloak,
    client_id: &str,
    secret: &str,
) -> aps_client::Result<aps_client::Token> {
    aps_client::Client::builder()
        .token_endpoint(kc.token_endpoint())
        .client_id(client_id)
        .client_secret(secret)
        .danger_allow_http_loopback(true)
        .build()?
        .token()
        .await
}

/// A token for a client signing assertions with `key`, registered with Keycloak as a PEM: the
/// `kid` is the one Keycloak derives for it (aps-client's rule for a key registered that way).
pub(crate) async fn key_token(
    kc: &aps_testkit::Keycloak,
    client_id: &str,
    key: &aps_jwt::SigningKey,
) -> aps_client::Result<aps_client::Token> {
    let pem = key.to_pkcs8_pem().expect("a generated key encodes");
    aps_client::Client::builder()
        .issuer(kc.issuer())
        .token_endpoint(kc.token_endpoint())
        .client_id(client_id)
        .private_key_pem(pem.as_str())
        .key_id(aps_client::keycloak_key_id(key)?)
        .danger_allow_http_loopback(true)
        .build()?
        .token()
        .await
}

/// The verified claims of a token of the test realm.
pub(crate) async fn claims(kc: &aps_testkit::Keycloak, token: &aps_client::Token) -> Value {
    let validator = aps_jwt::Validator::builder()
        .issuer(kc.issuer())
        .build()
        .expect("a validator of the test realm");
    let verified = validator
        .validate(token.secret())
        .await
        .expect("Keycloak's token validates");
    verified.claims().expect("claims are JSON")
}

/// The raw representation of the client `client_id` (as the management client reads it).
pub(crate) async fn representation(kc: &aps_testkit::Keycloak, client_id: &str) -> Value {
    let path = format!("/clients?clientId={client_id}");
    let found = kc
        .management_call(reqwest::Method::GET, &path, None)
        .await
        .expect("clients can be listed");
    let list: Value = serde_json::from_str(&found.body).expect("a JSON list");
    list[0].clone()
}

/// Deletes what a test created (ignoring what is already gone).
pub(crate) async fn cleanup(idp: &Keycloak, client_ids: &[&str]) {
    for client_id in client_ids {
        let _ = idp.delete_client(client_id).await;
    }
}
