//! `private_key_jwt`: PEM keys, certificates and JWKS URLs, RS256 and ES256, the audience of a
//! bare issuer, replays, and key changes.

use aps_client::AssertionAudience;
use aps_idp::{Authentication, DevIdp, IdentityProvider, NewClient, PublicKey};
use aps_jwt::{Jwks, SigningKey};

use super::support::{
    JwksServer, TestResult, assertion, assertion_form, borrowed, client, grant_and_enable,
    post_token, verified_token,
};

async fn jwt_client(idp: &DevIdp, id: &str, key: PublicKey) {
    let new = NewClient::new(id, Authentication::Jwt(key));
    assert!(idp.register_client(&new).await.unwrap().is_none());
    grant_and_enable(idp, id).await;
}

#[tokio::test]
async fn pem_keys_rs256_and_es256_with_keycloaks_kid() -> TestResult {
    let idp = DevIdp::start().await?;
    for (id, key) in [
        ("rsa", SigningKey::generate_rsa(2048)?),
        ("ec", SigningKey::generate_p256()?),
    ] {
        jwt_client(&idp, id, PublicKey::Pem(key.public_key_pem()?)).await;
        // A key registered as a PEM is named by the IdP (Keycloak's rule): the client says so.
        let pem = key.to_pkcs8_pem()?.to_string();
        let kid = aps_client::keycloak_key_id(&key)?;
        let with_pem = client(&idp, id).private_key_pem(pem).key_id(&kid);
        let verified = verified_token(&idp, with_pem).await?;
        assert_eq!(verified.authorized_party(), Some(id));

        // Keycloak refuses a kid other than its own for an uploaded key; so does the DevIdp.
        let thumbprint = client(&idp, id)
            .private_key(key.clone())
            .build()?
            .token()
            .await;
        assert!(thumbprint.unwrap_err().is_client_rejected(), "{id}");
        let kid = aps_client::keycloak_key_id(&key)?;
        client(&idp, id)
            .private_key(key.with_kid(kid))
            .build()?
            .token()
            .await?;
    }
    Ok(())
}

#[tokio::test]
async fn certificates_name_their_key_like_keycloak() -> TestResult {
    let idp = DevIdp::start().await?;
    let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let cert = rcgen::CertificateParams::new(vec!["app".to_owned()])?.self_signed(&pair)?;
    jwt_client(&idp, "app", PublicKey::Pem(cert.pem())).await;
    let key = SigningKey::from_pem(&pair.serialize_pem())?;
    let token = client(&idp, "app")
        .private_key_pem(pair.serialize_pem())
        .key_id(aps_client::keycloak_key_id(&key)?)
        .build()?
        .token()
        .await?;
    assert!(token.scopes().any(|s| s == "Function1/read"));
    Ok(())
}

#[tokio::test]
async fn jwks_urls_are_fetched_once_and_cached() -> TestResult {
    let idp = DevIdp::start().await?;
    let rsa = SigningKey::generate_rsa(2048)?;
    let ec = SigningKey::generate_p256()?;
    let jwks = Jwks::new(vec![rsa.public_jwk(), ec.public_jwk()]).to_json();
    let server = JwksServer::start(jwks).await;
    jwt_client(&idp, "app", PublicKey::JwksUrl(server.url.clone())).await;
    for key in [rsa, ec] {
        client(&idp, "app")
            .private_key(key)
            .build()?
            .token()
            .await?;
    }
    assert_eq!(server.fetches(), 1);

    // A key that is not in the JWKS: refused (the refetch waits for the cooldown).
    let stranger = SigningKey::generate_p256()?;
    let refused = client(&idp, "app")
        .private_key(stranger)
        .build()?
        .token()
        .await;
    assert!(refused.unwrap_err().is_client_rejected());
    Ok(())
}

#[tokio::test]
async fn a_bare_issuer_is_the_exact_audience() -> TestResult {
    let idp = DevIdp::builder().bare_issuer().start().await?;
    let key = SigningKey::generate_p256()?;
    let kid = aps_client::keycloak_key_id(&key)?;
    let key = key.with_kid(kid);
    jwt_client(&idp, "app", PublicKey::Pem(key.public_key_pem()?)).await;
    for audience in [
        AssertionAudience::Custom(idp.issuer().to_owned()),
        AssertionAudience::TokenEndpoint,
    ] {
        let built = client(&idp, "app")
            .private_key(key.clone())
            .assertion_audience(audience);
        built.build()?.token().await?;
    }
    let exact = assertion(&key, "app", idp.issuer());
    assert_eq!(
        post_token(&idp, &borrowed(&assertion_form(&exact)), None)
            .await
            .error(),
        "ok"
    );
    let slash = assertion(&key, "app", &format!("{}/", idp.issuer()));
    let answer = post_token(&idp, &borrowed(&assertion_form(&slash)), None).await;
    assert_eq!((answer.status, answer.error()), (401, "invalid_client"));
    Ok(())
}

#[tokio::test]
async fn assertions_are_single_use_and_bound_to_their_client() -> TestResult {
    let idp = DevIdp::start().await?;
    let key = SigningKey::generate_p256()?;
    let key = key.clone().with_kid(aps_client::keycloak_key_id(&key)?);
    jwt_client(&idp, "app", PublicKey::Pem(key.public_key_pem()?)).await;
    let signed = assertion(&key, "app", idp.issuer());
    let form = assertion_form(&signed);
    assert_eq!(post_token(&idp, &borrowed(&form), None).await.error(), "ok");
    let replay = post_token(&idp, &borrowed(&form), None).await;
    assert_eq!((replay.status, replay.error()), (401, "invalid_client"));

    let fresh = assertion(&key, "app", idp.issuer());
    let mut other_id = assertion_form(&fresh);
    other_id.push(("client_id", "someone-else".to_owned()));
    assert_eq!(
        post_token(&idp, &borrowed(&other_id), None).await.error(),
        "invalid_client"
    );
    let mut both = assertion_form(&fresh);
    both.push(("client_secret", "x".to_owned()));
    assert_eq!(
        post_token(&idp, &borrowed(&both), None).await.error(),
        "invalid_request"
    );

    // A secret client cannot present an assertion.
    let secret_client = NewClient::new("secret-app", Authentication::Secret(None));
    idp.register_client(&secret_client).await?;
    grant_and_enable(&idp, "secret-app").await;
    let wrong_method = assertion(&key, "secret-app", idp.issuer());
    let answer = post_token(&idp, &borrowed(&assertion_form(&wrong_method)), None).await;
    assert_eq!(answer.error(), "invalid_client");
    Ok(())
}

#[tokio::test]
async fn a_replaced_key_is_refused_at_once() -> TestResult {
    let idp = DevIdp::start().await?;
    let old = SigningKey::generate_p256()?;
    let new = SigningKey::generate_p256()?;
    jwt_client(&idp, "app", PublicKey::Pem(old.public_key_pem()?)).await;
    let new_pem = PublicKey::Pem(new.public_key_pem()?);
    idp.set_public_key("app", &new_pem).await?;
    let pem = |k: &SigningKey| k.to_pkcs8_pem().map(|p| p.to_string());
    let refused = client(&idp, "app")
        .private_key_pem(pem(&old)?)
        .key_id(aps_client::keycloak_key_id(&old)?)
        .build()?
        .token()
        .await;
    assert!(refused.unwrap_err().is_client_rejected());
    client(&idp, "app")
        .private_key_pem(pem(&new)?)
        .key_id(aps_client::keycloak_key_id(&new)?)
        .build()?
        .token()
        .await?;
    let state = idp.client("app").await?.unwrap();
    assert_eq!(
        state.authentication,
        aps_idp::RegisteredAuthentication::Jwt(Some(new_pem))
    );
    Ok(())
}
