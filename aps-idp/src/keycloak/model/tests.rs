use serde_json::json;

use super::*;

fn rep(value: Value) -> ClientRep {
    serde_json::from_value(value).unwrap()
}

const SPKI: &str = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n";
const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n";

#[test]
fn the_template_is_the_portals() {
    let client = NewClient::new("app-1", Authentication::Secret(Some("s".into())))
        .audience("ap-my-api")
        .audience("other");
    let template = new_client(&client).unwrap();
    assert_eq!(
        template,
        json!({
            "clientId": "app-1",
            "enabled": false,
            "clientAuthenticatorType": "client-secret",
            "publicClient": false,
            "serviceAccountsEnabled": true,
            "standardFlowEnabled": false,
            "implicitFlowEnabled": false,
            "directAccessGrantsEnabled": false,
            "bearerOnly": false,
            "fullScopeAllowed": false,
            "protocol": "openid-connect",
            "attributes": { "client_credentials.use_refresh_token": "false" },
            "defaultClientScopes": [],
            "optionalClientScopes": [],
            "secret": "s",
            "protocolMappers": [
                {
                    "name": "audience-rule-1",
                    "protocol": "openid-connect",
                    "protocolMapper": "oidc-audience-mapper",
                    "config": {
                        "id.token.claim": "false",
                        "access.token.claim": "true",
                        "included.custom.audience": "ap-my-api",
                    },
                },
                {
                    "name": "audience-rule-2",
                    "protocol": "openid-connect",
                    "protocolMapper": "oidc-audience-mapper",
                    "config": {
                        "id.token.claim": "false",
                        "access.token.claim": "true",
                        "included.custom.audience": "other",
                    },
                },
            ],
        })
    );
    let generated = new_client(&NewClient::new("app-2", Authentication::Secret(None))).unwrap();
    assert!(generated.get("secret").is_none());
}

#[test]
fn jwt_templates_carry_exactly_one_key_attribute() {
    let attributes = |key: PublicKey| {
        new_client(&NewClient::new("a", Authentication::Jwt(key))).unwrap()["attributes"].clone()
    };
    assert_eq!(
        attributes(PublicKey::Pem(SPKI.into())),
        json!({ "client_credentials.use_refresh_token": "false", PUBLIC_KEY: SPKI, USE_JWKS_URL: "false" })
    );
    assert_eq!(
        attributes(PublicKey::Pem(CERT.into())),
        json!({ "client_credentials.use_refresh_token": "false", CERTIFICATE: CERT, USE_JWKS_URL: "false" })
    );
    assert_eq!(
        attributes(PublicKey::JwksUrl("https://app/jwks".into())),
        json!({ "client_credentials.use_refresh_token": "false", JWKS_URL: "https://app/jwks", USE_JWKS_URL: "true" })
    );
    let template = new_client(&NewClient::new(
        "a",
        Authentication::Jwt(PublicKey::Pem(SPKI.into())),
    ))
    .unwrap();
    assert_eq!(template["clientAuthenticatorType"], "client-jwt");
}

#[test]
fn unusable_keys_are_config_errors() {
    let rsa = "-----BEGIN RSA PUBLIC KEY-----\nMIIB\n-----END RSA PUBLIC KEY-----\n";
    for key in [
        PublicKey::Pem(rsa.into()),
        PublicKey::Pem("MIIB".into()),
        PublicKey::JwksUrl("ftp://x/jwks".into()),
        PublicKey::JwksUrl("not a url".into()),
    ] {
        let error = key_attributes(&key).unwrap_err();
        assert!(
            matches!(
                error,
                Error::Config {
                    field: "public_key",
                    ..
                }
            ),
            "{error}"
        );
    }
    let shown = key_attributes(&PublicKey::Pem(rsa.into()))
        .unwrap_err()
        .to_string();
    assert!(
        shown.contains("`RSA PUBLIC KEY`") && !shown.contains("MIIB"),
        "{shown}"
    );
}

#[test]
fn state_reads_authentication_scopes_and_audiences() {
    let client = rep(json!({
        "id": "u1",
        "clientId": "app-1",
        "enabled": true,
        "clientAuthenticatorType": "client-jwt",
        "serviceAccountsEnabled": true,
        "secret": "never-read",
        "attributes": { JWKS_URL: "https://app/jwks", USE_JWKS_URL: "true", PUBLIC_KEY: "" },
        "defaultClientScopes": ["roles", "Function2/*", "Function1/read"],
        "optionalClientScopes": ["b", "a"],
        "protocolMappers": [
            { "protocolMapper": "oidc-audience-mapper", "config": { "included.custom.audience": "z" } },
            { "protocolMapper": "oidc-hardcoded-claim-mapper", "config": { "claim.value": "x" } },
            { "protocolMapper": "oidc-audience-mapper", "config": { "included.custom.audience": "a" } },
        ],
    }));
    let roles = BTreeMap::from([("ap-x".to_owned(), vec!["read".to_owned()])]);
    let state = state(&client, roles.clone());
    assert_eq!(state.client_id, "app-1");
    assert!(state.enabled);
    assert_eq!(
        state.authentication,
        RegisteredAuthentication::Jwt(Some(PublicKey::JwksUrl("https://app/jwks".into())))
    );
    assert_eq!(state.default_scopes, ["Function1/read", "Function2/*"]);
    assert_eq!(state.optional_scopes, ["a", "b"]);
    assert_eq!(state.audiences, ["a", "z"]);
    assert_eq!(state.roles, roles);

    let no_roles = super::state(&client, BTreeMap::new());
    assert_eq!(
        no_roles.default_scopes,
        ["Function1/read", "Function2/*", "roles"]
    );
}

#[test]
fn uploaded_keys_read_back_as_pem() {
    let jwt = |attributes: Value| {
        authentication(&rep(
            json!({ "clientAuthenticatorType": "client-jwt", "attributes": attributes }),
        ))
    };
    assert_eq!(jwt(json!({})), RegisteredAuthentication::Jwt(None));
    assert_eq!(
        jwt(json!({ PUBLIC_KEY: SPKI, JWKS_URL: "https://x", USE_JWKS_URL: "false" })),
        RegisteredAuthentication::Jwt(Some(PublicKey::Pem(SPKI.into())))
    );
    assert_eq!(
        jwt(json!({ CERTIFICATE: "MIIC" })),
        RegisteredAuthentication::Jwt(Some(PublicKey::Pem(CERT.into())))
    );
    let secret = rep(json!({ "clientAuthenticatorType": "client-secret" }));
    assert_eq!(authentication(&secret), RegisteredAuthentication::Secret);
}

#[test]
fn role_mappings_group_by_client_and_sort() {
    let mappings: RoleMappings = serde_json::from_value(json!({
        "realmMappings": [{ "id": "r", "name": "default-roles-apigw" }],
        "clientMappings": {
            "ap-x": { "id": "c", "client": "ap-x", "mappings": [{ "id": "2", "name": "write" }, { "id": "1", "name": "read" }] },
            "empty": { "mappings": [] },
        },
    }))
    .unwrap();
    assert_eq!(
        roles_by_client(mappings),
        BTreeMap::from([(
            "ap-x".to_owned(),
            vec!["read".to_owned(), "write".to_owned()]
        )])
    );
    let profile = profile_client("ap-my-api");
    assert_eq!(profile["bearerOnly"], true);
    assert_eq!(profile["serviceAccountsEnabled"], false);
    assert_eq!(profile["enabled"], true);
}
