//! Registration: the portal's template, exact lookups, and what a management client without
//! the roles gets.

use aps_idp::{Authentication, Error, IdentityProvider, Keycloak, NewClient};
use serde_json::{Value, json};

use super::support::{TestResult, assert_portal_template, cleanup, idp, representation};

#[tokio::test]
async fn the_registered_client_is_the_portals_template_without_scopes() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let idp = idp(&kc);
    let client_id = aps_testkit::unique_id("idp-template");
    let new = NewClient::new(&client_id, Authentication::Secret(None)).audience("ap-template");
    let secret = idp
        .register_client(&new)
        .await?
        .expect("a generated secret");
    assert!(secret.expose().len() >= 16);

    let rep = representation(&kc, &client_id).await;
    assert_portal_template(&rep, "client-secret", json!([]));
    let mappers = rep["protocolMappers"].as_array().expect("mappers");
    assert_eq!(mappers.len(), 1);
    assert_eq!(mappers[0]["name"], "audience-rule-1");
    assert_eq!(mappers[0]["protocolMapper"], "oidc-audience-mapper");
    let config = &mappers[0]["config"];
    assert_eq!(config["included.custom.audience"], "ap-template");
    assert_eq!(config["access.token.claim"], "true");
    assert_eq!(config["id.token.claim"], "false");

    assert_eq!(idp.client_secret(&client_id).await?, secret);
    let state = idp.client(&client_id).await?.expect("registered");
    assert!(!state.enabled && state.default_scopes.is_empty() && state.optional_scopes.is_empty());
    assert_eq!(state.audiences, ["ap-template"]);

    let again = idp.register_client(&new).await.unwrap_err();
    assert!(again.is_already_exists(), "{again}");
    assert!(idp.delete_client(&client_id).await?);
    assert!(!idp.delete_client(&client_id).await?);
    assert!(idp.client(&client_id).await?.is_none());
    Ok(())
}

#[tokio::test]
async fn a_client_id_that_prefixes_another_resolves_exactly() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let idp = idp(&kc);
    let short = aps_testkit::unique_id("idp-prefix");
    let long = format!("{short}-longer");
    let infix = format!("x{short}");
    for (client_id, audience) in [(&long, "long"), (&infix, "infix"), (&short, "short")] {
        let new = NewClient::new(client_id, Authentication::Secret(None)).audience(audience);
        idp.register_client(&new).await?;
    }
    let state = idp.client(&short).await?.expect("registered");
    assert_eq!(
        (state.client_id.as_str(), state.audiences.as_slice()),
        (short.as_str(), &["short".to_owned()][..])
    );
    let missing = format!("{short}-");
    assert!(idp.client(&missing).await?.is_none());
    assert!(
        idp.set_enabled(&missing, true)
            .await
            .unwrap_err()
            .is_not_found()
    );
    cleanup(&idp, &[&short, &long, &infix]).await;
    Ok(())
}

#[tokio::test]
async fn a_management_client_without_manage_clients_is_forbidden() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    // A client with a service account and no realm-management role.
    let weak = kc.create_confidential_client("idp-weak").await?;
    let secret = weak.secret.clone().unwrap_or_default();
    let weak_idp = Keycloak::builder()
        .issuer(kc.issuer())
        .management_client(&weak.client_id, secret.as_str())
        .build()?;
    let new = NewClient::new(
        aps_testkit::unique_id("idp-forbidden"),
        Authentication::Secret(None),
    );
    let error = weak_idp.register_client(&new).await.unwrap_err();
    assert!(
        matches!(&error, Error::Forbidden { needed_role: "manage-clients", realm, .. } if realm == "apigw"),
        "{error}"
    );
    assert!(error.to_string().contains("manage-clients"), "{error}");
    assert!(!error.to_string().contains(&secret), "{error}");
    let read = weak_idp.client("aps-management").await.unwrap_err();
    assert!(
        matches!(
            read,
            Error::Forbidden {
                needed_role: "view-clients",
                ..
            }
        ),
        "{read}"
    );

    let wrong_secret = Keycloak::builder()
        .issuer(kc.issuer())
        .management_client(&weak.client_id, "not-the-secret")
        .build()?;
    let error = wrong_secret.client("aps-management").await.unwrap_err();
    assert!(matches!(error, Error::ManagementToken(_)), "{error}");
    kc.delete_client(&weak.id).await?;
    Ok(())
}

#[tokio::test]
async fn profile_clients_are_bearer_only_with_exact_roles() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let idp = idp(&kc);
    let client_id = aps_testkit::unique_id("ap-profile");
    assert_eq!(idp.client_roles(&client_id).await?, None);
    idp.create_profile_client(&client_id).await?;
    assert!(
        idp.create_profile_client(&client_id)
            .await
            .unwrap_err()
            .is_already_exists()
    );
    let rep = representation(&kc, &client_id).await;
    let flags: Vec<&Value> = ["enabled", "bearerOnly", "serviceAccountsEnabled"]
        .iter()
        .map(|f| &rep[*f])
        .collect();
    assert_eq!(flags, [&json!(true), &json!(true), &json!(false)]);
    assert_eq!(rep["clientAuthenticatorType"], "client-jwt");

    let roles = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
    idp.set_client_roles(&client_id, &roles(&["write", "read", "a/b c"]))
        .await?;
    assert_eq!(
        idp.client_roles(&client_id).await?,
        Some(roles(&["a/b c", "read", "write"]))
    );
    idp.set_client_roles(&client_id, &roles(&["read", "admin"]))
        .await?;
    assert_eq!(
        idp.client_roles(&client_id).await?,
        Some(roles(&["admin", "read"]))
    );
    cleanup(&idp, &[&client_id]).await;
    Ok(())
}
