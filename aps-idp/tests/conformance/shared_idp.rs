//! A profile that inherits from a shared IdP: its own `ap-<profile>-<env>` client follows the
//! profile's `clientRoles`, and its consumers' tokens carry it as audience and role owner.

use aps_core::{AccessRequest, ClientAuthenticator, CredentialIssuer, Grants, Step};
use aps_jwt::Validator;

use crate::support::{Consumer, ENV, Target, client_id};

async fn profile_client_follows_client_roles(target: &Target) {
    let mut profile = CredentialIssuer::new(format!("Shared {}", client_id("p").replace('-', " ")));
    profile.client_authenticator = Some(ClientAuthenticator::ClientSecret);
    profile.inherit_from = Some("Gold Shared IdP".into());
    profile.client_roles = vec!["read".into(), "write".into()];
    let provisioner = target.provisioner(&profile);
    let ap_client = provisioner.sync_profile_client(ENV).await.unwrap();
    assert_eq!(ap_client, profile.shared_client_id(ENV));
    assert!(
        ap_client.starts_with("ap-shared-conf-p-") && ap_client.ends_with("-dev"),
        "{ap_client}"
    );
    assert_eq!(
        target.idp.client_roles(&ap_client).await.unwrap().unwrap(),
        ["read", "write"]
    );

    // The provider edits clientRoles; syncing again (twice: nothing changes the second time).
    profile.client_roles = vec!["audit".into(), "read".into()];
    let provisioner = target.provisioner(&profile);
    for _ in 0..2 {
        provisioner.sync_profile_client(ENV).await.unwrap();
        assert_eq!(
            target.idp.client_roles(&ap_client).await.unwrap().unwrap(),
            ["audit", "read"]
        );
    }

    // A consumer approved with a role of the profile client: audience and role in its token.
    let request = AccessRequest::new(&profile, ENV, client_id("shared"), None).unwrap();
    let issued = provisioner
        .perform(&request, &Step::IssueCredentials)
        .await
        .unwrap();
    let approve = Step::Approve {
        grants: Grants::new(Vec::<String>::new(), ["audit"]),
    };
    let approved = provisioner
        .perform(&issued.request, &approve)
        .await
        .unwrap();
    let token = Consumer::Document(issued.credentials.unwrap())
        .assert_token(target.name)
        .await;
    let validator = Validator::builder()
        .issuer(target.issuer())
        .audience(&ap_client)
        .client_role(&ap_client, "audit")
        .build()
        .unwrap();
    let seen = validator.validate(token.secret()).await.unwrap();
    assert_eq!(seen.audience(), [ap_client.as_str()]);
    assert_eq!(seen.client_roles(&ap_client), ["audit"]);

    provisioner
        .perform(&approved.request, &Step::Revoke)
        .await
        .unwrap();
    assert!(provisioner.delete_profile_client(ENV).await.unwrap());
    assert!(target.idp.client_roles(&ap_client).await.unwrap().is_none());
    assert!(
        !provisioner.delete_profile_client(ENV).await.unwrap(),
        "already gone"
    );
}

crate::on_every_idp!(profile_client_follows_client_roles);
