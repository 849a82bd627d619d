use std::collections::BTreeSet;

use base64::Engine as _;

use super::*;
use crate::dev::client::Credential;
use crate::dev::config::test_config;

fn client() -> DevClient {
    let mut client = DevClient::new("My-App", Credential::BearerOnly, "sa-1".into());
    client.default_scopes = BTreeSet::from(["Function1/read".into(), "Function2/*".into()]);
    client
}

fn claims(response: &Value) -> Value {
    let token = response["access_token"].as_str().unwrap();
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn scopes_are_the_clients_defaults() {
    let client = client();
    assert_eq!(
        granted_scope(&client, &[]).unwrap(),
        "Function1/read Function2/*"
    );
    assert_eq!(
        granted_scope(&client, &["openid".into(), "Function2/*".into()]).unwrap(),
        "openid Function1/read Function2/*"
    );
    let e = granted_scope(&client, &["Function3/read".into()]).unwrap_err();
    assert_eq!(e.code, "invalid_scope");
}

#[test]
fn tokens_are_shaped_like_keycloaks() {
    let config = test_config();
    let key = aps_jwt::SigningKey::generate_p256().unwrap();
    let mut client = client();
    let response = token_response(&config, &client, &key, "s", 1000, "jti-1").unwrap();
    assert_eq!(response["token_type"], "Bearer");
    assert_eq!(response["expires_in"], 300);
    let c = claims(&response);
    assert_eq!(c["iss"], config.issuer());
    assert_eq!(
        (c["iat"].as_u64(), c["exp"].as_u64()),
        (Some(1000), Some(1300))
    );
    assert_eq!(
        (&c["sub"], &c["typ"], &c["azp"]),
        (&json!("sa-1"), &json!("Bearer"), &json!("My-App"))
    );
    assert_eq!(
        (&c["clientId"], &c["client_id"]),
        (&json!("My-App"), &json!("My-App"))
    );
    assert_eq!(c["preferred_username"], "service-account-my-app");
    assert!(c.get("aud").is_none() && c.get("resource_access").is_none());

    client.audiences.insert("ap-one".into());
    client
        .roles
        .insert("ap-one".into(), BTreeSet::from(["read".into()]));
    let c = claims(&token_response(&config, &client, &key, "s", 1000, "j").unwrap());
    assert_eq!(c["aud"], "ap-one");
    assert_eq!(c["resource_access"], json!({"ap-one": {"roles": ["read"]}}));
    client.audiences.insert("ap-two".into());
    let c = claims(&token_response(&config, &client, &key, "s", 1000, "j").unwrap());
    assert_eq!(c["aud"], json!(["ap-one", "ap-two"]));
}
