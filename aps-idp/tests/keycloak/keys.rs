//! Secrets and keys: after a rotation the old credential is refused at once.

use aps_idp::{
    Authentication, ClientGrants, IdentityProvider, NewClient, PublicKey, RegisteredAuthentication,
};
use aps_jwt::SigningKey;

use super::support::{TestResult, cleanup, idp, key_token, secret_token};

#[tokio::test]
async fn a_regenerated_secret_replaces_the_old_one() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let idp = idp(&kc);
    let client_id = aps_testkit::unique_id("idp-rotate");
    let given = aps_idp::ClientSecret::new(format!("{client_id}-given"));
    let new = NewClient::new(&client_id, Authentication::Secret(Some(given.clone())));
    assert_eq!(idp.register_client(&new).await?, Some(given.clone()));
    idp.set_grants(&client_id, &ClientGrants::default()).await?;
    idp.set_enabled(&client_id, true).await?;
    secret_token(&kc, &client_id, given.expose()).await?;

    let fresh = idp.regenerate_secret(&client_id).await?;
    assert_ne!(fresh, given);
    assert_eq!(idp.client_secret(&client_id).await?, fresh);
    assert!(secret_token(&kc, &client_id, given.expose()).await.is_err());
    secret_token(&kc, &client_id, fresh.expose()).await?;
    cleanup(&idp, &[&client_id]).await;
    Ok(())
}

#[tokio::test]
async fn a_new_public_key_refuses_the_old_one_at_once() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let idp = idp(&kc);
    let client_id = aps_testkit::unique_id("idp-key");
    let old = SigningKey::generate_rsa(2048)?;
    let old_pem = old.public_key_pem()?;
    let new = NewClient::new(
        &client_id,
        Authentication::Jwt(PublicKey::Pem(old_pem.clone())),
    );
    assert_eq!(idp.register_client(&new).await?, None);
    idp.set_enabled(&client_id, true).await?;
    key_token(&kc, &client_id, &old).await?;
    let conflict = idp.client_secret(&client_id).await.unwrap_err();
    assert!(
        matches!(conflict, aps_idp::Error::Conflict(_)),
        "{conflict}"
    );

    // A certificate replaces the public key: the old key (cached by Keycloak after its first
    // use) must fail right away.
    let next = SigningKey::generate_rsa(2048)?;
    let certificate = rcgen::CertificateParams::new(vec![client_id.clone()])?
        .self_signed(&rcgen::KeyPair::from_pem(next.to_pkcs8_pem()?.as_str())?)?
        .pem();
    idp.set_public_key(&client_id, &PublicKey::Pem(certificate.clone()))
        .await?;
    assert!(key_token(&kc, &client_id, &old).await.is_err());
    key_token(&kc, &client_id, &next).await?;
    let state = idp.client(&client_id).await?.expect("registered");
    assert_eq!(
        state.authentication,
        RegisteredAuthentication::Jwt(Some(PublicKey::Pem(certificate)))
    );

    // And a public key replaces the certificate.
    let last = SigningKey::generate_p256()?;
    idp.set_public_key(&client_id, &PublicKey::Pem(last.public_key_pem()?))
        .await?;
    assert!(key_token(&kc, &client_id, &next).await.is_err());
    key_token(&kc, &client_id, &last).await?;
    cleanup(&idp, &[&client_id]).await;
    Ok(())
}
