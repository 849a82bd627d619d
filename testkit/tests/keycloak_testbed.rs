//! Proves the testbed: the real Keycloak of scripts/keycloak.sh, provisioned from testkit/realms,
//! issues client-credentials tokens to a client that the management client creates, and refuses
//! them once that client is disabled. Later integration tests follow this pattern.

use std::time::{SystemTime, UNIX_EPOCH};

use aps_testkit::{Error, keycloak};
use jsonwebtoken::{DecodingKey, Validation, decode, decode_header, jwk::JwkSet};
use serde_json::Value;

async fn get_json(
    kc: &aps_testkit::Keycloak,
    url: &str,
) -> Result<Value, Box<dyn std::error::Error>> {
    Ok(kc
        .http()
        .get(url)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?)
}

#[tokio::test]
async fn management_client_creates_a_client_whose_token_verifies_and_disabling_it_refuses_tokens()
-> Result<(), Box<dyn std::error::Error>> {
    let Some(kc) = keycloak() else { return Ok(()) };

    let client = kc.create_confidential_client("testbed").await?;
    let secret = client
        .secret
        .clone()
        .ok_or("a confidential client has a secret")?;
    let token = kc
        .client_credentials_token(&client.client_id, &secret)
        .await?;

    let discovery = get_json(&kc, &kc.discovery_url()).await?;
    assert_eq!(discovery["issuer"], kc.issuer().as_str());
    let jwks_uri = discovery["jwks_uri"]
        .as_str()
        .ok_or("discovery has a jwks_uri")?;
    let jwks: JwkSet = serde_json::from_value(get_json(&kc, jwks_uri).await?)?;

    let header = decode_header(&token)?;
    let kid = header
        .kid
        .as_deref()
        .ok_or("Keycloak puts a kid in the header")?;
    let jwk = jwks
        .find(kid)
        .ok_or("the token's kid is in the realm's JWKS")?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[kc.issuer()]);
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "iss"]);
    let claims = decode::<Value>(&token, &DecodingKey::from_jwk(jwk)?, &validation)?.claims;

    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    assert_eq!(claims["iss"], kc.issuer().as_str());
    assert_eq!(claims["azp"], client.client_id.as_str());
    assert_eq!(claims["typ"], "Bearer");
    let exp = claims["exp"].as_u64().ok_or("exp is a number")?;
    let iat = claims["iat"].as_u64().ok_or("iat is a number")?;
    assert_eq!(exp - iat, 300, "the realm's access-token lifespan");
    assert!(exp > now, "a fresh token is not expired");

    let mut tampered = token.clone();
    tampered.insert(token.rfind('.').ok_or("three parts")? + 1, 'A');
    assert!(decode::<Value>(&tampered, &DecodingKey::from_jwk(jwk)?, &validation).is_err());

    kc.set_enabled(&client.id, false).await?;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client.client_id.as_str()),
        ("client_secret", secret.as_str()),
    ];
    let (status, body) = kc.token_response(&form).await?;
    assert_eq!(status.as_u16(), 401, "{body}");
    assert_eq!(body["error"], "invalid_client", "{body}");
    assert!(body.get("access_token").is_none());

    kc.delete_client(&client.id).await?;
    Ok(())
}

#[tokio::test]
async fn a_short_lifespan_attribute_gives_a_short_lived_token()
-> Result<(), Box<dyn std::error::Error>> {
    let Some(kc) = keycloak() else { return Ok(()) };
    let client = kc.create_confidential_client("short-lived").await?;
    kc.update_client(
        &client.id,
        serde_json::json!({ "attributes": { aps_testkit::SHORT_LIFESPAN_ATTRIBUTE: "5" } }),
    )
    .await?;
    let secret = client.secret.clone().unwrap_or_default();
    let token = kc
        .client_credentials_token(&client.client_id, &secret)
        .await?;
    // Only the lifetime matters here; the first test checks the signature.
    let claims: Value = jsonwebtoken::dangerous::insecure_decode_claims(&token)?;
    let exp = claims["exp"].as_u64().ok_or("exp is a number")?;
    let iat = claims["iat"].as_u64().ok_or("iat is a number")?;
    assert_eq!(exp - iat, 5, "{claims}");
    Ok(kc.delete_client(&client.id).await?)
}

#[tokio::test]
async fn the_realm_has_the_profile_scopes_and_client_roles() -> Result<(), Error> {
    let Some(kc) = keycloak() else { return Ok(()) };
    let scopes = kc
        .management_call(reqwest::Method::GET, "/client-scopes", None)
        .await?;
    let scopes: Value = serde_json::from_str(&scopes.body).unwrap_or_default();
    for scope in aps_testkit::provision::CLIENT_SCOPES {
        assert!(
            scopes
                .as_array()
                .into_iter()
                .flatten()
                .any(|s| s["name"] == scope),
            "scope {scope} missing"
        );
    }
    let client = kc.create_confidential_client("scoped").await?;
    kc.add_default_scope(&client.id, "Function1/read").await?;
    let secret = client.secret.clone().unwrap_or_default();
    let (status, body) = kc
        .token_response(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client.client_id),
            ("client_secret", &secret),
        ])
        .await?;
    assert!(status.is_success(), "{body}");
    let granted = body["scope"].as_str().unwrap_or_default();
    assert!(
        granted.split(' ').any(|s| s == "Function1/read"),
        "{granted}"
    );
    kc.delete_client(&client.id).await
}
