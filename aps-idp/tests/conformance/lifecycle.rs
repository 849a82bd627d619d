//! Steps 3 to 6 and revocation, for each authenticator, the same on every IdP: request (a
//! disabled client the token endpoint refuses), approve (exact scopes, roles, audience),
//! token, rotate (the old secret or key refused), revoke (refused again, client gone).

use aps_core::{AccessRequest, ClientAuthenticator, ClientKey, Grants, State, Step};
use aps_idp::RegisteredAuthentication;
use aps_jwt::SigningKey;

use crate::support::{
    API_AUDIENCE, Consumer, ENV, JwksServer, Target, client_id, key_and_certificate, verified,
};

fn grants() -> Grants {
    Grants::new(["Function1/read", "Function3/read"], ["read"])
}

/// Approves `request` and checks the client, its token, and what the gateway sees.
async fn approve_and_call(
    target: &Target,
    profile: &aps_core::CredentialIssuer,
    request: &AccessRequest,
    consumer: &Consumer,
) -> AccessRequest {
    let provisioner = target.provisioner(profile);
    let id = request.consumer_client_id();
    let approved = provisioner
        .perform(request, &Step::Approve { grants: grants() })
        .await
        .unwrap();
    assert_eq!(approved.request.state(), State::Approved);
    assert!(approved.credentials.is_none());

    let state = target.state(id).await.unwrap();
    assert!(state.enabled);
    assert_eq!(state.default_scopes, ["Function1/read", "Function3/read"]);
    assert!(state.optional_scopes.is_empty());
    assert_eq!(state.roles.get(&target.roles_client).unwrap(), &["read"]);

    let token = consumer
        .assert_token("an approved client gets a token")
        .await;
    let seen = verified(&target.validator(profile), &token).await;
    let mut scopes: Vec<&str> = seen.scopes().collect();
    scopes.sort_unstable();
    assert_eq!(
        scopes,
        ["Function1/read", "Function3/read"],
        "{}",
        target.name
    );
    assert_eq!(seen.client_roles(&target.roles_client), ["read"]);
    // Keycloak adds the client whose roles the token carries; the DevIdp does the same.
    let mut audience: Vec<&str> = seen.audience().collect();
    audience.sort();
    assert_eq!(audience, [API_AUDIENCE, target.roles_client.as_str()]);
    assert_eq!(seen.authorized_party(), Some(id));
    approved.request
}

async fn revoke(
    target: &Target,
    profile: &aps_core::CredentialIssuer,
    request: &AccessRequest,
    consumer: &Consumer,
) {
    let revoked = target
        .provisioner(profile)
        .perform(request, &Step::Revoke)
        .await
        .unwrap();
    assert_eq!(revoked.request.state(), State::Revoked);
    assert!(target.state(request.consumer_client_id()).await.is_none());
    consumer.assert_invalid_client("a revoked client").await;
}

/// New credentials: the old ones are refused, the new ones work; then revocation.
async fn regenerate_then_revoke(
    target: &Target,
    profile: &aps_core::CredentialIssuer,
    approved: &AccessRequest,
    consumer: &Consumer,
    what: &str,
) {
    let regenerated = target
        .provisioner(profile)
        .perform(approved, &Step::RegenerateCredentials)
        .await
        .unwrap();
    let new = Consumer::Document(regenerated.credentials.expect("new credentials"));
    consumer.assert_refused(&format!("the old {what}")).await;
    new.assert_token(&format!("{}: the new {what}", target.name))
        .await;
    revoke(target, profile, &regenerated.request, &new).await;
}

async fn client_secret_lifecycle(target: &Target) {
    let profile = target.profile(ClientAuthenticator::ClientSecret);
    let provisioner = target.provisioner(&profile);
    let request = AccessRequest::new(&profile, ENV, client_id("secret"), None).unwrap();

    let issued = provisioner
        .perform(&request, &Step::IssueCredentials)
        .await
        .unwrap();
    assert_eq!(issued.request.state(), State::CredentialsIssued);
    let credentials = issued.credentials.expect("a secret is handed out");
    assert!(credentials.client_secret.is_some());
    assert_eq!(
        credentials.token_endpoint,
        target.idp.endpoints().token_endpoint
    );
    let state = target.state(request.consumer_client_id()).await.unwrap();
    assert!(!state.enabled);
    assert_eq!(state.authentication, RegisteredAuthentication::Secret);
    assert!(state.default_scopes.is_empty() && state.optional_scopes.is_empty());
    assert!(state.roles.values().all(Vec::is_empty));
    assert_eq!(state.audiences, [API_AUDIENCE]);
    let consumer = Consumer::Document(credentials);
    consumer.assert_invalid_client("a disabled client").await;

    let approved = approve_and_call(target, &profile, &issued.request, &consumer).await;

    // Approving again with other grants makes them exact: roles granted before are taken away.
    let fewer = Grants::new(["Function2/*"], Vec::<String>::new());
    let approved = provisioner
        .perform(&approved, &Step::Approve { grants: fewer })
        .await
        .unwrap()
        .request;
    let state = target.state(request.consumer_client_id()).await.unwrap();
    assert!(state.enabled);
    assert_eq!(state.default_scopes, ["Function2/*"]);
    assert!(
        state
            .roles
            .get(&target.roles_client)
            .is_none_or(Vec::is_empty),
        "{state:?}"
    );

    regenerate_then_revoke(target, &profile, &approved, &consumer, "secret").await;
}

async fn generated_key_lifecycle(target: &Target) {
    let profile = target.profile(ClientAuthenticator::ClientJwt);
    let provisioner = target.provisioner(&profile);
    let request = AccessRequest::new(&profile, ENV, client_id("jwt"), None).unwrap();

    let issued = provisioner
        .perform(&request, &Step::IssueCredentials)
        .await
        .unwrap();
    let credentials = issued.credentials.expect("a key pair is handed out");
    assert!(credentials.client_secret.is_none());
    assert!(credentials.client_private_key.is_some());
    assert_eq!(credentials.issuer.as_deref(), Some(target.issuer()));
    let state = target.state(request.consumer_client_id()).await.unwrap();
    assert!(!state.enabled);
    assert!(matches!(
        state.authentication,
        RegisteredAuthentication::Jwt(Some(_))
    ));
    let consumer = Consumer::Document(credentials);
    consumer.assert_invalid_client("a disabled client").await;

    let approved = approve_and_call(target, &profile, &issued.request, &consumer).await;

    regenerate_then_revoke(target, &profile, &approved, &consumer, "key pair").await;
}

async fn jwks_url_lifecycle(target: &Target) {
    let profile = target.profile(ClientAuthenticator::ClientJwtJwksUrl);
    let provisioner = target.provisioner(&profile);
    let key = SigningKey::generate_p256().unwrap();
    let server = JwksServer::start(&key.public_jwks()).await;
    let id = client_id("jwks");
    let request = AccessRequest::new(
        &profile,
        ENV,
        id.clone(),
        Some(ClientKey::JwksUrl(server.url.clone())),
    )
    .unwrap();

    let issued = provisioner
        .perform(&request, &Step::IssueCredentials)
        .await
        .unwrap();
    let credentials = issued.credentials.expect("the document without a secret");
    assert!(credentials.client_secret.is_none() && credentials.client_private_key.is_none());
    let own_key = |key: &SigningKey| Consumer::OwnKey {
        client_id: id.clone(),
        key: key.clone(),
        issuer: target.issuer().to_owned(),
        token_endpoint: credentials.token_endpoint.clone(),
    };
    let consumer = own_key(&key);
    consumer.assert_invalid_client("a disabled client").await;

    let approved = approve_and_call(target, &profile, &issued.request, &consumer).await;

    // The consumer moves to a new JWKS URL with a new key: the old key is refused.
    let new_key = SigningKey::generate_p256().unwrap();
    let new_server = JwksServer::start(&new_key.public_jwks()).await;
    let updated = provisioner
        .perform(
            &approved,
            &Step::UpdateClientKey {
                key: ClientKey::JwksUrl(new_server.url.clone()),
            },
        )
        .await
        .unwrap();
    own_key(&new_key).assert_token("the new key works").await;
    consumer.assert_refused("the key of the old JWKS URL").await;

    revoke(target, &profile, &updated.request, &own_key(&new_key)).await;
}

async fn certificate_lifecycle(target: &Target) {
    let profile = target.profile(ClientAuthenticator::ClientJwtJwksUrl);
    let provisioner = target.provisioner(&profile);
    let (key, certificate) = key_and_certificate();
    let id = client_id("cert");
    let request = AccessRequest::new(
        &profile,
        ENV,
        id.clone(),
        Some(ClientKey::Certificate(certificate)),
    )
    .unwrap();

    let issued = provisioner
        .perform(&request, &Step::IssueCredentials)
        .await
        .unwrap();
    let token_endpoint = issued.credentials.expect("a document").token_endpoint;
    // A key registered as a certificate is named by the IdP: Keycloak's rule, which
    // aps-client applies with keycloak_key_id.
    let own_key = |key: &SigningKey| Consumer::OwnKey {
        client_id: id.clone(),
        key: key
            .clone()
            .with_kid(aps_client::keycloak_key_id(key).unwrap()),
        issuer: target.issuer().to_owned(),
        token_endpoint: token_endpoint.clone(),
    };
    let consumer = own_key(&key);
    consumer.assert_invalid_client("a disabled client").await;

    let approved = approve_and_call(target, &profile, &issued.request, &consumer).await;

    let (new_key, new_certificate) = key_and_certificate();
    let updated = provisioner
        .perform(
            &approved,
            &Step::UpdateClientKey {
                key: ClientKey::Certificate(new_certificate),
            },
        )
        .await
        .unwrap();
    own_key(&new_key)
        .assert_token("the new certificate's key works")
        .await;
    consumer.assert_refused("the old certificate's key").await;

    revoke(target, &profile, &updated.request, &own_key(&new_key)).await;
}

/// Rejecting a request deletes its client; an unknown scope is refused before anything is
/// enabled.
async fn reject_and_unknown_scope(target: &Target) {
    let mut profile = target.profile(ClientAuthenticator::ClientSecret);
    profile.available_scopes.push("Function9/read".into());
    let provisioner = target.provisioner(&profile);
    let request = AccessRequest::new(&profile, ENV, client_id("reject"), None).unwrap();
    let issued = provisioner
        .perform(&request, &Step::IssueCredentials)
        .await
        .unwrap();
    let id = request.consumer_client_id();

    let grants = Grants::new(["Function1/read", "Function9/read"], ["read"]);
    let error = provisioner
        .perform(&issued.request, &Step::Approve { grants })
        .await
        .unwrap_err();
    assert!(
        matches!(&error, aps_idp::Error::UnknownScope { scope, .. } if scope == "Function9/read"),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .starts_with("scope `Function9/read` does not exist in realm `"),
        "{error}"
    );
    let state = target.state(id).await.unwrap();
    assert!(!state.enabled, "nothing enabled after a refused approval");
    assert!(
        state.default_scopes.is_empty(),
        "nothing granted: {:?}",
        state.default_scopes
    );

    let rejected = provisioner
        .perform(&issued.request, &Step::Reject)
        .await
        .unwrap();
    assert_eq!(rejected.request.state(), State::Rejected);
    assert!(target.state(id).await.is_none());
}

/// `approval: false`: the client is enabled at once.
async fn without_approval(target: &Target) {
    let profile = target.profile(ClientAuthenticator::ClientSecret);
    let request = AccessRequest::new(&profile, ENV, client_id("auto"), None).unwrap();
    let outcome = target
        .provisioner(&profile)
        .issue_without_approval(&request, grants())
        .await
        .unwrap();
    assert_eq!(outcome.request.state(), State::Approved);
    let consumer = Consumer::Document(outcome.credentials.unwrap());
    let token = consumer.assert_token("enabled at once").await;
    verified(&target.validator(&profile), &token).await;

    // Issuing again for an enabled client never takes it over: the IdP's own `AlreadyExists`.
    let again = target
        .provisioner(&profile)
        .perform(&request, &Step::IssueCredentials)
        .await
        .unwrap_err();
    assert!(again.is_already_exists(), "{}: {again}", target.name);
    assert!(
        target
            .state(request.consumer_client_id())
            .await
            .unwrap()
            .enabled
    );
    consumer.assert_token("still working").await;
    target
        .idp
        .delete_client(request.consumer_client_id())
        .await
        .unwrap();
}

crate::on_every_idp!(
    client_secret_lifecycle,
    generated_key_lifecycle,
    jwks_url_lifecycle,
    certificate_lifecycle,
    reject_and_unknown_scope,
    without_approval,
);
