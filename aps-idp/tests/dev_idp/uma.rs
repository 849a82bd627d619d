//! The DevIdp has no authorization services: UMA 2.0 permissions are refused plainly, before a
//! client is enabled, and revoking them has nothing to remove.

use std::sync::Arc;

use aps_core::{
    AccessRequest, ClientAuthenticator, ClientRegistration, CredentialIssuer, Environment,
    EnvironmentDetail, Flow, Grants, Mode, Secret, Step,
};
use aps_idp::{DevIdp, Error, IdentityProvider, Provisioner, ResourceAccess};

use super::support::TestResult;

#[tokio::test]
async fn uma_permissions_are_unsupported_and_nothing_is_enabled() -> TestResult {
    let idp = Arc::new(DevIdp::start().await?);
    idp.create_profile_client("aps-management").await?;
    let error = idp
        .grant_resource_access("app", &ResourceAccess::new("rs", "urn:x", ["read"]))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Unsupported { idp: "DevIdp", .. }),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "DevIdp does not support UMA 2.0 resource permissions"
    );

    let mut profile = CredentialIssuer::new("Uma Profile");
    profile.flow = Some(Flow::ClientCredentials);
    profile.mode = Some(Mode::Auto);
    profile.client_authenticator = Some(ClientAuthenticator::ClientSecret);
    profile.resource_type = Some("urn:x".into());
    profile.resource_scopes = vec!["read".into()];
    let mut env = EnvironmentDetail::new(Environment::Dev);
    env.issuer_url = Some(idp.endpoints().issuer.clone());
    env.client_registration = Some(ClientRegistration::Managed);
    env.client_id = Some("aps-management".into());
    env.client_secret = Some(Secret::new("unused"));
    profile.environment_details.push(env);

    let provisioner = Provisioner::new(idp.clone(), profile.clone());
    let request = AccessRequest::new(&profile, Environment::Dev, "uma-app", None)?;
    let issued = provisioner
        .perform(&request, &Step::IssueCredentials)
        .await?;
    let approve = Step::Approve {
        grants: Grants::new(Vec::<String>::new(), Vec::<String>::new()),
    };
    let error = provisioner
        .perform(&issued.request, &approve)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Unsupported { .. }), "{error}");
    assert!(!idp.client("uma-app").await?.expect("registered").enabled);

    provisioner.perform(&issued.request, &Step::Reject).await?;
    assert!(idp.client("uma-app").await?.is_none());
    Ok(())
}
