//! `iat` mode: registration with an initial access token through the client registration
//! service, what a realm's client-registration policies do to it, and the rest of the
//! lifecycle through a management client.

use std::sync::Arc;

use aps_core::{
    AccessRequest, ClientAuthenticator, ClientMapper, ClientRegistration, CredentialIssuer,
    Environment, EnvironmentDetail, Flow, Grants, Mode, Secret, Step,
};
use aps_idp::{
    Authentication, Error, IdentityProvider, Keycloak, NewClient, Provisioner, PublicKey,
};
use serde_json::json;

use super::support::{TestRealm, TestResult, assert_portal_template, secret_token};

fn template(client_id: &str) -> NewClient {
    NewClient::new(client_id, Authentication::Secret(None)).audience("ap-iat")
}

/// On a realm with Keycloak's default policies: what an initial access token may register,
/// how its count is spent, and the typed errors for a spent, wrong or policy-refused request.
#[tokio::test]
async fn initial_access_tokens_register_disabled_clients_under_the_realms_policies() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let realm = Arc::new(TestRealm::create(&kc, "aps-iat").await);
    // In a task of its own, so that the realm is deleted when an assertion fails too.
    let outcome = tokio::spawn({
        let realm = realm.clone();
        async move { registrations(&kc, &realm).await }
    })
    .await;
    Arc::into_inner(realm)
        .expect("the task is over")
        .delete()
        .await;
    match outcome {
        Ok(result) => result,
        Err(failed) => std::panic::resume_unwind(failed.into_panic()),
    }
}

async fn registrations(kc: &aps_testkit::Keycloak, realm: &TestRealm) -> TestResult {
    let (iat_id, iat) = realm.initial_access_token(2).await;
    let idp = Keycloak::builder()
        .issuer(&realm.issuer)
        .initial_access_token(iat.as_str())
        .build()?;

    // Keycloak judges a request with an initial access token by the realm's *authenticated*
    // policies, whose "Allowed Protocol Mapper Types" lacks the audience mapper by default.
    let refused = idp.register_client(&template("iat-1")).await.unwrap_err();
    assert!(
        matches!(&refused, Error::RegistrationPolicy { policy, details, realm: r }
            if policy == "Allowed Protocol Mapper Types"
                && details == "ProtocolMapper type not allowed"
                && r == &realm.name),
        "{refused}"
    );
    assert!(!refused.to_string().contains(&iat), "{refused}");
    assert_eq!(realm.remaining_count(&iat_id).await, 2, "a refusal is free");

    // Allowing it for anonymous requests changes nothing; for authenticated ones, it works.
    realm
        .allow_protocol_mapper("anonymous", "oidc-audience-mapper")
        .await;
    let refused = idp.register_client(&template("iat-1")).await.unwrap_err();
    assert!(
        matches!(refused, Error::RegistrationPolicy { .. }),
        "{refused}"
    );
    realm
        .allow_protocol_mapper("authenticated", "oidc-audience-mapper")
        .await;

    let secret = idp
        .register_client(&template("iat-1"))
        .await?
        .expect("Keycloak generates the secret and answers it");
    assert!(secret.expose().len() >= 16);
    let rep = realm.client("iat-1").await;
    // Keycloak's own `service_account` scope stays until approval without a management client.
    assert_portal_template(&rep, "client-secret", json!(["service_account"]));
    assert_eq!(rep["consentRequired"], false, "no anonymous policy applied");
    assert_eq!(
        rep["protocolMappers"][0]["protocolMapper"],
        "oidc-audience-mapper"
    );
    assert_eq!(
        rep["protocolMappers"][0]["config"]["included.custom.audience"],
        "ap-iat"
    );
    // Disabled: the token endpoint refuses it.
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "iat-1"),
        ("client_secret", secret.expose()),
    ];
    let token_url = format!("{}/protocol/openid-connect/token", realm.issuer);
    let answer = kc.http().post(&token_url).form(&form).send().await?;
    assert_eq!(answer.status(), 401);
    assert_eq!(
        answer.json::<serde_json::Value>().await?["error"],
        "invalid_client"
    );

    // A name in use costs nothing either.
    let taken = idp.register_client(&template("iat-1")).await.unwrap_err();
    assert!(taken.is_already_exists(), "{taken}");
    assert_eq!(realm.remaining_count(&iat_id).await, 1);

    let key = aps_jwt::SigningKey::generate_rsa(2048)?;
    let jwt = NewClient::new(
        "iat-2",
        Authentication::Jwt(PublicKey::Pem(key.public_key_pem()?)),
    );
    assert!(idp.register_client(&jwt).await?.is_none());
    assert_eq!(
        realm.client("iat-2").await["clientAuthenticatorType"],
        "client-jwt"
    );
    assert_eq!(realm.remaining_count(&iat_id).await, 0);

    let spent = idp.register_client(&template("iat-3")).await.unwrap_err();
    assert!(
        matches!(&spent, Error::InitialAccessToken { reason, .. }
            if reason == "No remaining count on initial access token"),
        "{spent}"
    );
    assert!(!spent.to_string().contains(&iat), "{spent}");

    let wrong = Keycloak::builder()
        .issuer(&realm.issuer)
        .initial_access_token(format!("{iat}x"))
        .build()?;
    let error = wrong.register_client(&template("iat-3")).await.unwrap_err();
    assert!(
        matches!(&error, Error::InitialAccessToken { reason, .. } if reason.contains("wrong, expired")),
        "{error}"
    );
    assert!(!error.to_string().contains(&iat), "{error}");

    // Everything but registration needs a management client.
    for error in [
        idp.set_enabled("iat-1", true).await.unwrap_err(),
        idp.client("iat-1").await.unwrap_err(),
        idp.delete_client("iat-1").await.unwrap_err(),
        idp.regenerate_secret("iat-1").await.unwrap_err(),
    ] {
        assert!(
            matches!(&error, Error::Config { field: "management_client", reason }
                if reason.contains("WF09") && reason.contains("initial access token")),
            "{error}"
        );
    }
    assert_eq!(realm.client("iat-1").await["enabled"], false);
    Ok(())
}

/// A profile with `clientRegistration: iat` and a managing client: the portal's lifecycle,
/// registered with the token, approved and revoked through the Admin REST API.
#[tokio::test]
async fn iat_with_a_managing_client_runs_the_whole_lifecycle() -> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    // The management client may make initial access tokens (`manage-clients`); `apigw` allows
    // the audience mapper for authenticated registrations.
    let made = kc
        .management_call(
            reqwest::Method::POST,
            "/clients-initial-access",
            Some(&json!({ "expiration": 300, "count": 1 })),
        )
        .await?;
    let made: serde_json::Value = serde_json::from_str(&made.body)?;
    let iat = made["token"].as_str().expect("a token").to_owned();

    let mut profile = CredentialIssuer::new("Iat Profile");
    profile.flow = Some(Flow::ClientCredentials);
    profile.mode = Some(Mode::Auto);
    profile.client_authenticator = Some(ClientAuthenticator::ClientSecret);
    profile.available_scopes = vec!["Function1/read".into()];
    profile.client_mappers = vec![ClientMapper::new("audience", "ap-iat-lifecycle")];
    let mut env = EnvironmentDetail::new(Environment::Dev);
    env.issuer_url = Some(kc.issuer());
    env.client_registration = Some(ClientRegistration::Iat);
    env.initial_access_token = Some(Secret::new(iat.clone()));
    env.client_id = Some(kc.management_client_id().into());
    env.client_secret = Some(Secret::new(kc.management_client_secret()));
    profile.environment_details.push(env);

    let keycloak = Arc::new(Keycloak::from_profile(&profile, Environment::Dev)?);
    let provisioner = Provisioner::new(keycloak.clone(), profile.clone());
    let app = aps_testkit::unique_id("iat-app");
    let request = AccessRequest::new(&profile, Environment::Dev, &app, None)?;
    let issued = provisioner
        .perform(&request, &Step::IssueCredentials)
        .await?;
    let client_id = request.consumer_client_id().to_owned();
    let secret = issued
        .credentials
        .as_ref()
        .and_then(|c| c.client_secret.clone())
        .expect("a secret");

    // Registered by the token (now spent), scopes Keycloak added removed by the admin.
    let state = keycloak.client(&client_id).await?.expect("registered");
    assert!(!state.enabled && state.default_scopes.is_empty());
    assert_eq!(state.audiences, ["ap-iat-lifecycle"]);
    assert!(
        secret_token(&kc, &client_id, secret.expose())
            .await
            .is_err()
    );

    let approve = Step::Approve {
        grants: Grants::new(["Function1/read"], Vec::<String>::new()),
    };
    let approved = provisioner.perform(&issued.request, &approve).await?;
    let token = secret_token(&kc, &client_id, secret.expose()).await?;
    let claims = super::support::claims(&kc, &token).await;
    assert_eq!(claims["scope"], "Function1/read");

    provisioner
        .perform(&approved.request, &Step::Revoke)
        .await?;
    assert!(keycloak.client(&client_id).await?.is_none());

    let spent = keycloak
        .register_client(&template(&format!("{client_id}-again")))
        .await
        .unwrap_err();
    assert!(matches!(spent, Error::InitialAccessToken { .. }), "{spent}");
    Ok(())
}
