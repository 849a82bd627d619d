use super::*;
use crate::policy::ClaimToVerify;

#[cfg(feature = "yaml")]
#[test]
fn renders_the_portal_template_for_the_shared_idp() {
    let mut profile = CredentialIssuer::new("My API default");
    profile.namespace = Some("my-gw".into());
    profile.inherit_from = Some("Gold Shared IdP".into());
    let yaml = profile
        .jwt_keycloak_plugin(Environment::Test)
        .unwrap()
        .to_yaml()
        .unwrap();
    let expected = "\
- name: jwt-keycloak
  tags:
  - ns.my-gw
  enabled: true
  config:
    algorithm: RS256
    well_known_template: https://test.loginproxy.gov.bc.ca/auth/realms/apigw/.well-known/openid-configuration
    allowed_iss:
    - https://test.loginproxy.gov.bc.ca/auth/realms/apigw
    allowed_aud: ap-my-api-default-test
    run_on_preflight: true
    iss_key_grace_period: 10
    maximum_expiration: 0
    claims_to_verify:
    - exp
    uri_param_names:
    - jwt
    cookie_names: []
    scope: null
    roles: null
    realm_roles: null
    client_roles: null
    anonymous: null
    consumer_match: true
    consumer_match_claim: azp
    consumer_match_claim_custom_id: true
    consumer_match_ignore_not_found: false
";
    assert_eq!(yaml, expected);
}

#[test]
fn renders_every_requirement_of_the_policy() {
    let policy = AccessPolicy::builder()
        .issuer("https://idp.example/realms/apigw")
        .scopes(["Function1/read", "Function2/*"])
        .role("read")
        .realm_role("offline_access")
        .client_role("ap-x:write")
        .claims_to_verify([ClaimToVerify::Exp, ClaimToVerify::Nbf])
        .maximum_expiration_secs(300)
        .build()
        .unwrap();
    let plugin = JwtKeycloakPlugin::from_policy(&policy, None).unwrap();
    assert!(plugin.tags.is_empty());
    let c = &plugin.config;
    assert_eq!(
        c.scope.as_deref(),
        Some(&["Function1/read".to_string(), "Function2/*".into()][..])
    );
    assert_eq!(c.roles.as_deref(), Some(&["read".to_string()][..]));
    assert_eq!(
        c.realm_roles.as_deref(),
        Some(&["offline_access".to_string()][..])
    );
    assert_eq!(
        c.client_roles.as_deref(),
        Some(&["ap-x:write".to_string()][..])
    );
    assert_eq!(c.claims_to_verify, [ClaimToVerify::Exp, ClaimToVerify::Nbf]);
    assert_eq!(c.maximum_expiration, 300);
    assert_eq!(c.allowed_aud, None);
}

#[test]
fn refuses_policies_the_plugin_cannot_express() {
    let two_algs = AccessPolicy::builder()
        .issuer("https://idp.example/realms/a")
        .algorithm("RS256")
        .algorithm("ES256")
        .build()
        .unwrap();
    assert_eq!(
        JwtKeycloakPlugin::from_policy(&two_algs, None),
        Err(PolicyError::PluginNeedsOne {
            what: "algorithm",
            count: 2
        })
    );
    let two_issuers = AccessPolicy::builder()
        .issuers([
            "https://idp.example/realms/a",
            "https://idp.example/realms/b",
        ])
        .build()
        .unwrap();
    let err = JwtKeycloakPlugin::from_policy(&two_issuers, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the jwt-keycloak plugin needs exactly one issuer; the policy has 2"
    );
}
