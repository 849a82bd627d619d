//! UMA 2.0 resource permissions: a profile with `resourceType` and `resourceScopes` gives each
//! approved consumer a permission on the provider's resource server, which an RPT request
//! (`grant_type=urn:ietf:params:oauth:grant-type:uma-ticket`) shows; revocation removes it.

use std::sync::Arc;

use aps_core::{
    AccessRequest, ClientAuthenticator, ClientRegistration, CredentialIssuer, Environment,
    EnvironmentDetail, Flow, Grants, Mode, Secret, Step,
};
use aps_idp::{Error, IdentityProvider, Provisioner, ResourceAccess};
use reqwest::Method;
use serde_json::{Value, json};

use super::support::{TestResult, idp};

const UMA_TICKET: &str = "urn:ietf:params:oauth:grant-type:uma-ticket";

/// A resource server with Authorization enabled, `strategy` as its decision strategy, and one
/// resource of a new type with the scopes `read` and `write`: the client and the type.
async fn resource_server(
    kc: &aps_testkit::Keycloak,
    strategy: &str,
) -> (aps_testkit::CreatedClient, String) {
    let resource_type = format!("urn:{}:thing", aps_testkit::unique_id("uma"));
    let client_id = aps_testkit::unique_id("uma-rs");
    let mut rep = aps_testkit::consumer_client(&client_id);
    rep["authorizationServicesEnabled"] = json!(true);
    rep["authorizationSettings"] = json!({
        "decisionStrategy": strategy,
        "policyEnforcementMode": "ENFORCING",
        "scopes": [{ "name": "read" }, { "name": "write" }],
        "resources": [{
            "name": format!("{client_id}-thing"),
            "type": resource_type,
            "scopes": [{ "name": "read" }, { "name": "write" }],
        }],
        "policies": [],
    });
    let created = kc.create_client(rep).await.expect("the resource server");
    (created, resource_type)
}

/// The RPT of `client_id` for `audience`: `Ok(claims)` or `Err(status, body)`.
async fn rpt(
    kc: &aps_testkit::Keycloak,
    client_id: &str,
    secret: &str,
    audience: &str,
) -> Result<Value, (u16, Value)> {
    let token = kc
        .client_credentials_token(client_id, secret)
        .await
        .expect("the client gets a token");
    let form = [("grant_type", UMA_TICKET), ("audience", audience)];
    let answer = kc
        .http()
        .post(kc.token_endpoint())
        .bearer_auth(token)
        .form(&form)
        .send()
        .await
        .expect("Keycloak answers");
    let status = answer.status().as_u16();
    let body: Value = answer.json().await.expect("JSON");
    if status != 200 {
        return Err((status, body));
    }
    let validator = aps_jwt::Validator::builder()
        .issuer(kc.issuer())
        .build()
        .expect("a validator");
    let verified = validator
        .validate(body["access_token"].as_str().expect("an RPT"))
        .await
        .expect("the RPT validates");
    Ok(verified.claims().expect("claims"))
}

/// The policy or permission named `name` on the resource server, if any.
async fn policy(kc: &aps_testkit::Keycloak, rs: &str, name: &str) -> Option<Value> {
    let path = format!(
        "/clients/{rs}/authz/resource-server/policy/search?name={}",
        name.replace(' ', "%20")
            .replace('(', "%28")
            .replace(')', "%29")
    );
    let found = kc
        .management_call(Method::GET, &path, None)
        .await
        .expect("policies can be searched");
    serde_json::from_str(&found.body).ok()
}

fn profile(kc: &aps_testkit::Keycloak, resource_type: &str) -> CredentialIssuer {
    let mut profile = CredentialIssuer::new("Uma Profile");
    profile.flow = Some(Flow::ClientCredentials);
    profile.mode = Some(Mode::Auto);
    profile.client_authenticator = Some(ClientAuthenticator::ClientSecret);
    profile.available_scopes = vec!["Function1/read".into()];
    profile.resource_type = Some(resource_type.into());
    profile.resource_scopes = vec!["read".into()];
    profile.resource_access_scope = Some("write".into());
    let mut env = EnvironmentDetail::new(Environment::Dev);
    env.issuer_url = Some(kc.issuer());
    env.client_registration = Some(ClientRegistration::Managed);
    env.client_id = Some(kc.management_client_id().into());
    env.client_secret = Some(Secret::new(kc.management_client_secret()));
    profile.environment_details.push(env);
    profile
}

/// A new request of `profile` with credentials issued: the outcome and the consumer's id.
async fn issue(
    provisioner: &Provisioner,
    profile: &CredentialIssuer,
    prefix: &str,
) -> Result<(aps_idp::Outcome, String), Box<dyn std::error::Error + Send + Sync>> {
    let request = AccessRequest::new(
        profile,
        Environment::Dev,
        aps_testkit::unique_id(prefix),
        None,
    )?;
    let issued = provisioner
        .perform(&request, &Step::IssueCredentials)
        .await?;
    Ok((issued, request.consumer_client_id().to_owned()))
}

fn approve() -> Step {
    Step::Approve {
        grants: Grants::new(["Function1/read"], Vec::<String>::new()),
    }
}

#[tokio::test]
async fn approved_consumers_get_a_permission_on_the_resource_server_and_lose_it_on_revocation()
-> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let (rs, resource_type) = resource_server(&kc, "AFFIRMATIVE").await;
    let other = kc.create_confidential_client("uma-other").await?;
    let result = lifecycle(&kc, &rs, &other, &resource_type).await;
    for created in [&rs, &other] {
        let _ = kc.delete_client(&created.id).await;
    }
    result
}

async fn lifecycle(
    kc: &aps_testkit::Keycloak,
    rs: &aps_testkit::CreatedClient,
    other: &aps_testkit::CreatedClient,
    resource_type: &str,
) -> TestResult {
    let keycloak = Arc::new(idp(kc));
    let profile = profile(kc, resource_type);
    let provisioner =
        Provisioner::new(keycloak.clone(), profile.clone()).resource_server(&rs.client_id);
    let other_secret = other.secret.clone().unwrap_or_default();

    let (issued, client_id) = issue(&provisioner, &profile, "uma-app").await?;
    let secret = issued
        .credentials
        .as_ref()
        .and_then(|c| c.client_secret.clone())
        .expect("a secret");
    assert!(policy(kc, &rs.id, &client_id).await.is_none());

    let approve = approve();
    let approved = provisioner.perform(&issued.request, &approve).await?;
    let permission = policy(kc, &rs.id, &client_id).await.expect("a permission");
    assert_eq!(
        (&permission["type"], &permission["decisionStrategy"]),
        (&json!("scope"), &json!("AFFIRMATIVE"))
    );
    assert!(
        policy(kc, &rs.id, &format!("{client_id} (client)"))
            .await
            .is_some()
    );

    // The consumer gets an RPT with `read` (not `write`) on the resource; another client not.
    let claims = rpt(kc, &client_id, secret.expose(), &rs.client_id)
        .await
        .expect("the approved consumer gets an RPT");
    let permissions = claims["authorization"]["permissions"]
        .as_array()
        .expect("permissions");
    assert_eq!(permissions.len(), 1, "{permissions:?}");
    assert_eq!(permissions[0]["rsname"], format!("{}-thing", rs.client_id));
    assert_eq!(permissions[0]["scopes"], json!(["read"]));
    let (status, body) = rpt(kc, &other.client_id, &other_secret, &rs.client_id)
        .await
        .unwrap_err();
    assert_eq!((status, &body["error"]), (403, &json!("access_denied")));

    // Approving again converges on the same permission.
    let again = provisioner.perform(&approved.request, &approve).await?;
    assert_eq!(
        policy(kc, &rs.id, &client_id).await.expect("still there")["id"],
        permission["id"]
    );
    assert!(
        rpt(kc, &client_id, secret.expose(), &rs.client_id)
            .await
            .is_ok()
    );

    // Taking the permission away (the client stays enabled): its RPT request fails.
    assert!(
        keycloak
            .revoke_resource_access(&client_id, &rs.client_id)
            .await?
    );
    let (status, _) = rpt(kc, &client_id, secret.expose(), &rs.client_id)
        .await
        .unwrap_err();
    assert_eq!(status, 403);
    assert!(
        !keycloak
            .revoke_resource_access(&client_id, &rs.client_id)
            .await?,
        "deleting an absent permission succeeds"
    );

    let approved = provisioner.perform(&again.request, &approve).await?;
    provisioner
        .perform(&approved.request, &Step::Revoke)
        .await?;
    assert!(policy(kc, &rs.id, &client_id).await.is_none());
    assert!(
        policy(kc, &rs.id, &format!("{client_id} (client)"))
            .await
            .is_none()
    );
    assert!(keycloak.client(&client_id).await?.is_none());

    // Rejecting a request never approved: nothing to remove, and that succeeds.
    let (issued, rejected) = issue(&provisioner, &profile, "uma-rejected").await?;
    provisioner.perform(&issued.request, &Step::Reject).await?;
    assert!(keycloak.client(&rejected).await?.is_none());
    Ok(())
}

#[tokio::test]
async fn a_resource_server_that_is_not_affirmative_or_not_one_is_refused_before_enabling()
-> TestResult {
    let Some(kc) = aps_testkit::keycloak() else {
        return Ok(());
    };
    let keycloak = idp(&kc);
    let consumer = kc.create_confidential_client("uma-consumer").await?;
    let (unanimous, resource_type) = resource_server(&kc, "UNANIMOUS").await;
    for (rs, expected) in [
        (unanimous.client_id.as_str(), "Affirmative"),
        (consumer.client_id.as_str(), "enable Authorization"),
        ("uma-no-such-client", "does not exist"),
    ] {
        let access = ResourceAccess::new(rs, resource_type.as_str(), ["read"]);
        let error = keycloak
            .grant_resource_access(&consumer.client_id, &access)
            .await
            .unwrap_err();
        assert!(error.to_string().contains(expected), "{error}");
    }
    assert!(
        !keycloak
            .revoke_resource_access(&consumer.client_id, "uma-no-such-client")
            .await?
    );

    // Through the provisioner: the approval stops before enabling.
    let profile = profile(&kc, &resource_type);
    let provisioner = Provisioner::new(Arc::new(keycloak.clone()), profile.clone())
        .resource_server(&unanimous.client_id);
    let (issued, client_id) = issue(&provisioner, &profile, "uma-unanimous").await?;
    let error = provisioner
        .perform(&issued.request, &approve())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Conflict(_)), "{error}");
    let state = keycloak.client(&client_id).await?.expect("registered");
    assert!(!state.enabled);
    provisioner.perform(&issued.request, &Step::Reject).await?;

    for created in [&unanimous, &consumer] {
        let _ = kc.delete_client(&created.id).await;
    }
    Ok(())
}
