//! `private_key_jwt`: keys from a JWKS URL the test serves, and an uploaded public key.
//!
//! The kid rule (issue 12): a key signs with the kid it publishes, however it was loaded; a
//! credential document's key signs with the kid Keycloak derives for the PEM the portal
//! registered; a key the consumer uploaded as a PEM or certificate sets that kid explicitly.

use std::sync::{Arc, Mutex};

use aps_client::{
    AssertionAudience, AuthMethod, Client, ClientBuilder, CredentialDocument, SigningKey,
    TokenRequest, TokenSource,
};
use aps_jwt::Jwks;
use serde_json::{Value, json};

use crate::support::claims;
use crate::support::http_server::serve;
use crate::{TestResult, builder};

fn jwt_client(client_id: &str, attributes: Value) -> Value {
    json!({
        "clientId": client_id,
        "enabled": true,
        "protocol": "openid-connect",
        "publicClient": false,
        "clientAuthenticatorType": "client-jwt",
        "serviceAccountsEnabled": true,
        "standardFlowEnabled": false,
        "directAccessGrantsEnabled": false,
        "attributes": attributes,
    })
}

#[tokio::test]
async fn keys_from_a_jwks_url_and_rotation_to_a_published_next_key() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let current = SigningKey::generate_p256()?.with_kid("ec-current");
    let next = SigningKey::generate_rsa(2048)?.with_kid("rsa-next");
    // The JWKS publishes the next key before the client switches to it, as rotation should.
    let keys: Vec<_> = [&current, &next].iter().map(|k| k.public_jwk()).collect();
    let jwks = Arc::new(Mutex::new(Jwks::new(keys).to_json()));
    let served = Arc::clone(&jwks);
    let server = serve(move |request| match request.path.as_str() {
        "/jwks" => (
            200,
            "application/json",
            served.lock().map(|j| j.clone()).unwrap_or_default(),
        ),
        _ => (404, "text/plain", "not found".into()),
    })
    .await;
    let client_id = aps_testkit::unique_id("aps-client-jwks");
    let created = kc
        .create_client(jwt_client(
            &client_id,
            json!({ "use.jwks.url": "true", "jwks.url": server.url("/jwks") }),
        ))
        .await?;
    let client = Client::builder()
        .issuer(kc.issuer())
        .danger_allow_http_loopback(true)
        .client_id(&client_id)
        .private_key(current)
        .build()?;
    assert_eq!(client.auth_method(), AuthMethod::PrivateKeyJwt);
    let token = client.token().await?;
    assert_eq!(claims(token.secret())["azp"], client_id.as_str());
    assert!(
        server.count() >= 1,
        "Keycloak fetched the JWKS from the test's server"
    );

    client.rotate_key(next)?;
    let token = client.uncached(&TokenRequest::new())?.token().await?;
    assert_eq!(
        claims(token.secret())["azp"],
        client_id.as_str(),
        "signed with the rotated RSA key"
    );
    kc.delete_client(&created.id).await?;
    Ok(())
}

/// Serves `jwks` at a JWKS URL, registers a client with it, and gets a token with the key that
/// `key` adds to the builder (the issuer-based builder: discovery, and the issuer as `aud`).
async fn token_with_a_jwks_url(
    kc: &aps_testkit::Keycloak,
    jwks: String,
    key: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> TestResult {
    let server = serve(move |_| (200, "application/json", jwks.clone())).await;
    let client_id = aps_testkit::unique_id("aps-client-jwksurl");
    let created = kc
        .create_client(jwt_client(
            &client_id,
            json!({ "use.jwks.url": "true", "jwks.url": server.url("/jwks") }),
        ))
        .await?;
    let builder = Client::builder()
        .issuer(kc.issuer())
        .danger_allow_http_loopback(true)
        .client_id(&client_id);
    let token = key(builder).build()?.token().await?;
    assert_eq!(claims(token.secret())["azp"], client_id.as_str());
    kc.delete_client(&created.id).await?;
    Ok(())
}

#[tokio::test]
async fn a_private_jwk_with_its_own_kid_in_a_jwks() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let private = include_str!("../../../aps-jwt/testdata/keys/p256.private.jwk.json");
    let public = SigningKey::from_jwk(private)?.public_jwks().to_json();
    assert!(public.contains("\"kid\":\"ec-fixture\""), "{public}");
    token_with_a_jwks_url(&kc, public, |b| b.private_key_jwk(private)).await
}

#[tokio::test]
async fn issue_12_a_pem_key_published_with_public_jwks_at_a_jwks_url() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    // The consumer guide's recipe: publish `from_pem(pem).public_jwks()`, build from the PEM.
    let pem = SigningKey::generate_rsa(2048)?.to_pkcs8_pem()?;
    let public = SigningKey::from_pem(pem.as_str())?.public_jwks().to_json();
    token_with_a_jwks_url(&kc, public, |b| b.private_key_pem(pem.as_str())).await
}

#[tokio::test]
async fn an_uploaded_public_key_from_the_portal_credential_document() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    // What the portal does for `client-jwt`: generate an RSA pair, upload the public key, hand
    // the private key to the consumer in the credential document.
    let key = SigningKey::generate_rsa(2048)?;
    let client_id = aps_testkit::unique_id("aps-client-pubkey");
    let created = kc
        .create_client(jwt_client(
            &client_id,
            json!({ "jwt.credential.public.key": key.public_key_pem()? }),
        ))
        .await?;
    let document = CredentialDocument::from_json(
        &json!({
            "flow": "client-credentials",
            "clientId": client_id,
            "clientSecret": null,
            "issuer": kc.issuer(),
            "tokenEndpoint": kc.token_endpoint(),
            "clientPublicKey": key.public_key_pem()?,
            "clientPrivateKey": key.to_pkcs8_pem()?.as_str(),
        })
        .to_string(),
    )?;
    let client = Client::builder()
        .credentials(&document)
        .danger_allow_http_loopback(true)
        .build()?;
    assert_eq!(client.auth_method(), AuthMethod::PrivateKeyJwt);
    let token = client.token().await?;
    assert_eq!(claims(token.secret())["azp"], client_id.as_str());

    // Keycloak also accepts the token endpoint as the assertion audience; a SigningKey keeps its
    // own kid, so give it the one Keycloak derived for the uploaded key.
    let by_endpoint = builder(&kc)
        .client_id(&client_id)
        .private_key(key.clone().with_kid(aps_client::keycloak_key_id(&key)?))
        .assertion_audience(AssertionAudience::TokenEndpoint)
        .build()?;
    by_endpoint.token().await?;

    // Regenerated key (the portal's "regenerate credentials"): swap it in the running client.
    let new_key = SigningKey::generate_rsa(2048)?;
    kc.update_client(
        &created.id,
        json!({ "attributes": { "jwt.credential.public.key": new_key.public_key_pem()? } }),
    )
    .await?;
    let fresh = client.uncached(&TokenRequest::new())?;
    let refused = fresh.token().await.expect_err("the old key is refused");
    assert!(refused.is_client_rejected(), "{refused}");
    client.rotate_key_pem(new_key.to_pkcs8_pem()?.as_str())?;
    let token = fresh.token().await?;
    assert_eq!(claims(token.secret())["azp"], client_id.as_str());
    kc.delete_client(&created.id).await?;
    Ok(())
}

#[tokio::test]
async fn an_uploaded_certificate_with_an_ec_key() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    // "Signed JWT w/ Certificate": the consumer's self-signed certificate on the client.
    let key = SigningKey::generate_p256()?;
    let pem = key.to_pkcs8_pem()?;
    let client_id = aps_testkit::unique_id("aps-client-cert");
    let certificate = rcgen::CertificateParams::new(vec![client_id.clone()])?
        .self_signed(&rcgen::KeyPair::from_pem(pem.as_str())?)?
        .pem();
    let body: String = certificate
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let created = kc
        .create_client(jwt_client(
            &client_id,
            json!({ "jwt.credential.certificate": body }),
        ))
        .await?;
    // Keycloak names an uploaded certificate's key itself: say so with key_id.
    let client = builder(&kc)
        .client_id(&client_id)
        .private_key_pem(pem.as_str())
        .key_id(aps_client::keycloak_key_id(&key)?)
        .build()?;
    let token = client.token().await?;
    assert_eq!(claims(token.secret())["azp"], client_id.as_str());
    kc.delete_client(&created.id).await?;
    Ok(())
}

#[tokio::test]
async fn a_key_keycloak_does_not_know_is_refused_as_client_rejected() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let registered = SigningKey::generate_p256()?;
    let client_id = aps_testkit::unique_id("aps-client-wrongkey");
    let created = kc
        .create_client(jwt_client(
            &client_id,
            json!({ "jwt.credential.public.key": registered.public_key_pem()? }),
        ))
        .await?;
    let foreign = SigningKey::generate_p256()?;
    let client = builder(&kc)
        .client_id(&client_id)
        .private_key_pem(foreign.to_pkcs8_pem()?.as_str())
        .build()?;
    let error = client.token().await.expect_err("a foreign key is refused");
    assert!(error.is_client_rejected(), "{error}");
    // Keycloak 26.7 answers 400 invalid_client "Unable to load public key" for a kid it lacks.
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400), "{error}");
    assert_eq!(
        error.oauth().and_then(|e| e.description.as_deref()),
        Some("Unable to load public key")
    );
    assert!(
        error.to_string().contains("no public key for this client"),
        "{error}"
    );
    kc.delete_client(&created.id).await?;
    Ok(())
}
