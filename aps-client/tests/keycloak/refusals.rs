//! What a consumer sees when Keycloak says no: wrong secret, disabled client (an access request
//! not yet approved), unknown client, unknown scope.

use aps_client::{AuthMethod, ErrorCode, TokenRequest};
use aps_testkit::consumer_client;

use crate::{TestResult, builder};

#[tokio::test]
async fn a_wrong_secret_is_unauthorized_client_and_not_retried() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let created = kc.create_confidential_client("aps-client-wrong").await?;
    for method in [AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost] {
        let client = builder(&kc)
            .client_id(&created.client_id)
            .client_secret("wrong")
            .auth_method(method)
            .build()?;
        let error = client.token().await.expect_err("a wrong secret is refused");
        let oauth = error.oauth().expect("an RFC 6749 error");
        assert_eq!(
            oauth.code,
            ErrorCode::UnauthorizedClient,
            "{method}: Keycloak 26 answers this for a wrong secret"
        );
        assert_eq!(oauth.status.as_u16(), 401);
        assert!(!error.is_transient());
        let text = error.to_string();
        assert!(text.contains("secret or private key is wrong"), "{text}");
        assert!(
            !text.contains("wrong\""),
            "the secret itself is never shown: {text}"
        );
    }
    kc.delete_client(&created.id).await?;
    Ok(())
}

#[tokio::test]
async fn a_disabled_client_is_told_its_access_request_is_not_approved_until_it_is() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    // The portal registers a consumer's client disabled and enables it on approval.
    let client_id = aps_testkit::unique_id("aps-client-pending");
    let mut representation = consumer_client(&client_id);
    representation["enabled"] = false.into();
    let secret = representation["secret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let created = kc.create_client(representation).await?;
    let client = builder(&kc)
        .client_id(&client_id)
        .client_secret(secret.as_str())
        .build()?;

    let error = client
        .token()
        .await
        .expect_err("a disabled client gets no token");
    let oauth = error.oauth().expect("an RFC 6749 error");
    assert_eq!(oauth.code, ErrorCode::InvalidClient);
    assert_eq!(oauth.status.as_u16(), 401);
    assert!(error.is_client_rejected() && !error.is_transient());
    let text = error.to_string();
    assert!(text.contains(&format!("client `{client_id}`")), "{text}");
    assert!(
        text.contains("disabled because its access request is not approved yet"),
        "{text}"
    );

    kc.set_enabled(&created.id, true).await?; // the provider approves the request
    let token = client.token().await?;
    assert!(
        !token.secret().is_empty(),
        "the same client works once approved"
    );
    kc.delete_client(&created.id).await?;
    Ok(())
}

#[tokio::test]
async fn an_unknown_client_is_invalid_client() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let client = builder(&kc)
        .client_id(aps_testkit::unique_id("aps-client-nobody"))
        .client_secret("x")
        .build()?;
    let error = client.token().await.expect_err("no such client");
    assert_eq!(
        error.oauth().map(|e| &e.code),
        Some(&ErrorCode::InvalidClient),
        "{error}"
    );
    Ok(())
}

#[tokio::test]
async fn an_unknown_scope_is_invalid_scope_with_keycloaks_description() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let created = kc.create_confidential_client("aps-client-badscope").await?;
    let client = builder(&kc)
        .client_id(&created.client_id)
        .client_secret(created.secret.clone().unwrap_or_default())
        .build()?;
    let error = client
        .token_for(&TokenRequest::new().scope("Function9/nothing"))
        .await
        .expect_err("unknown scope");
    let oauth = error.oauth().expect("an RFC 6749 error");
    assert_eq!(oauth.code, ErrorCode::InvalidScope);
    assert_eq!(oauth.status.as_u16(), 400);
    assert_eq!(
        oauth.description.as_deref(),
        Some("Invalid scopes: Function9/nothing")
    );
    assert!(!error.is_transient());
    kc.delete_client(&created.id).await?;
    Ok(())
}
