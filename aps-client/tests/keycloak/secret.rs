//! `client_secret_basic` and `client_secret_post`, with discovery and scopes.

use aps_client::{AuthMethod, Client, TokenRequest};
use aps_testkit::consumer_client;

use crate::support::{add_optional_scope, claims};
use crate::{TestResult, builder};

#[tokio::test]
async fn client_secret_basic_gets_a_token_for_the_client() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let created = kc.create_confidential_client("aps-client-basic").await?;
    let client = builder(&kc)
        .client_id(&created.client_id)
        .client_secret(created.secret.clone().unwrap_or_default())
        .build()?;
    assert_eq!(client.auth_method(), AuthMethod::ClientSecretBasic);
    let token = client.token().await?;
    let claims = claims(token.secret());
    assert_eq!(claims["azp"], created.client_id.as_str());
    assert_eq!(claims["iss"], kc.issuer().as_str());
    assert_eq!(
        token.lifetime().as_secs(),
        300,
        "Keycloak's default lifespan, from expires_in"
    );
    assert!(token.lifetime_reported());
    assert!(
        client.token().await?.same_as(&token),
        "the second call is served from the cache"
    );
    kc.delete_client(&created.id).await?;
    Ok(())
}

#[tokio::test]
async fn client_secret_basic_form_encodes_special_characters_as_keycloak_expects() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    // RFC 6749 2.3.1: id and secret are form-encoded before base64; Keycloak decodes them.
    let client_id = aps_testkit::unique_id("aps client:basic+%");
    let secret = "p@ss:w+rd/%é ~&=?";
    let mut representation = consumer_client(&client_id);
    representation["secret"] = secret.into();
    let created = kc.create_client(representation).await?;
    let client = builder(&kc)
        .client_id(&client_id)
        .client_secret(secret)
        .build()?;
    let token = client.token().await?;
    assert_eq!(claims(token.secret())["azp"], client_id.as_str());
    kc.delete_client(&created.id).await?;
    Ok(())
}

#[tokio::test]
async fn client_secret_post_with_discovery_from_the_issuer() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let created = kc.create_confidential_client("aps-client-post").await?;
    let client = Client::builder()
        .issuer(kc.issuer())
        .danger_allow_http_loopback(true)
        .client_id(&created.client_id)
        .client_secret(created.secret.clone().unwrap_or_default())
        .auth_method(AuthMethod::ClientSecretPost)
        .build()?;
    assert_eq!(client.token_endpoint().await?.as_str(), kc.token_endpoint());
    let token = client.token().await?;
    assert_eq!(claims(token.secret())["azp"], created.client_id.as_str());
    kc.delete_client(&created.id).await?;
    Ok(())
}

#[tokio::test]
async fn requested_and_default_scopes_are_in_the_token() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let created = kc.create_confidential_client("aps-client-scopes").await?;
    kc.add_default_scope(&created.id, "Function3/write").await?;
    add_optional_scope(&kc, &created.id, "Function1/read").await?;
    add_optional_scope(&kc, &created.id, "Function2/*").await?;
    let client = builder(&kc)
        .client_id(&created.client_id)
        .client_secret(created.secret.clone().unwrap_or_default())
        .auth_method(AuthMethod::ClientSecretPost)
        .build()?;

    let plain = client.token().await?;
    assert!(
        plain.scopes().any(|s| s == "Function3/write"),
        "default scope: {:?}",
        plain.scope()
    );
    assert!(
        !plain.scopes().any(|s| s == "Function1/read"),
        "optional scope only on request"
    );

    let read = client
        .token_for(&TokenRequest::new().scope("Function1/read Function2/*"))
        .await?;
    let granted: Vec<&str> = read.scopes().collect();
    for scope in ["Function1/read", "Function2/*", "Function3/write"] {
        assert!(granted.contains(&scope), "{scope} in {granted:?}");
    }
    let claim = claims(read.secret())["scope"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        claim.split(' ').any(|s| s == "Function1/read"),
        "scope claim: {claim}"
    );
    assert!(
        !read.same_as(&plain),
        "different scopes, different cache entries"
    );
    kc.delete_client(&created.id).await?;
    Ok(())
}

#[tokio::test]
async fn a_rotated_secret_is_used_without_rebuilding_the_client() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let created = kc.create_confidential_client("aps-client-rotate").await?;
    let client = builder(&kc)
        .client_id(&created.client_id)
        .client_secret(created.secret.clone().unwrap_or_default())
        .build()?;
    client.token().await?;
    kc.update_client(
        &created.id,
        serde_json::json!({ "secret": "rotated-secret-1" }),
    )
    .await?;
    let stale = client.uncached(&TokenRequest::new())?;
    let refused = aps_client::TokenSource::token(&stale)
        .await
        .expect_err("the old secret is refused");
    assert!(refused.is_client_rejected(), "{refused}");
    client.rotate_secret("rotated-secret-1")?;
    let token = aps_client::TokenSource::token(&stale).await?;
    assert_eq!(claims(token.secret())["azp"], created.client_id.as_str());
    kc.delete_client(&created.id).await?;
    Ok(())
}
