use std::collections::HashMap;

use super::*;
use crate::auth::Credential;

fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

/// Writes `json` to `credentials.json` in a fresh directory named after `name`; returns the
/// directory (to remove) and the file's path.
fn credential_file(name: &str, json: &str) -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("aps-client-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("credentials.json");
    std::fs::write(&path, json).unwrap();
    (dir, path.display().to_string())
}

fn secret_builder() -> ClientBuilder {
    ClientBuilder::new()
        .client_id("app-1")
        .client_secret("s3cret")
        .token_endpoint("https://idp/token")
}

#[test]
fn a_minimal_secret_client_uses_basic() {
    let client = secret_builder().build().unwrap();
    assert_eq!(client.auth_method(), AuthMethod::ClientSecretBasic);
    assert_eq!(client.client_id(), "app-1");
    let post = secret_builder()
        .auth_method(AuthMethod::ClientSecretPost)
        .build()
        .unwrap();
    assert_eq!(post.auth_method(), AuthMethod::ClientSecretPost);
    let debug = format!("{:?} {:?}", post, secret_builder());
    assert!(!debug.contains("s3cret"), "{debug}");
}

#[test]
fn missing_or_contradictory_settings_name_the_setting() {
    let field = |builder: ClientBuilder| match builder.build() {
        Err(Error::Config { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        field(
            ClientBuilder::new()
                .client_secret("s")
                .token_endpoint("https://t")
        ),
        "client_id"
    );
    assert_eq!(
        field(
            ClientBuilder::new()
                .client_id("a")
                .token_endpoint("https://t")
        ),
        "credentials"
    );
    assert_eq!(
        field(ClientBuilder::new().client_id("a").client_secret("s")),
        "token_endpoint"
    );
    assert_eq!(
        field(secret_builder().token_endpoint("not a url")),
        "token_endpoint"
    );
    assert_eq!(
        field(secret_builder().auth_method(AuthMethod::PrivateKeyJwt)),
        "auth_method"
    );
    assert_eq!(field(secret_builder().private_key_pem("x")), "credentials");
    assert_eq!(
        field(secret_builder().param("scopes", "openid")),
        "param(scopes)"
    );
    let key = ClientBuilder::new()
        .client_id("a")
        .token_endpoint("https://t")
        .private_key_pem("not pem");
    assert_eq!(field(key), "private_key");
    assert_eq!(field(secret_builder().timeout(Duration::ZERO)), "timeout");
    assert_eq!(
        field(secret_builder().connect_timeout(Duration::ZERO)),
        "connect_timeout"
    );
    assert_eq!(
        field(secret_builder().default_lifetime(Duration::ZERO)),
        "default_lifetime"
    );
}

#[test]
fn plain_http_needs_loopback_and_the_opt_out() {
    let http = secret_builder().token_endpoint("http://127.0.0.1:8080/token");
    assert!(matches!(http.build(), Err(Error::InsecureUrl { .. })));
    assert!(
        secret_builder()
            .token_endpoint("http://127.0.0.1:8080/token")
            .danger_allow_http_loopback(true)
            .build()
            .is_ok()
    );
    let remote = secret_builder()
        .token_endpoint("http://idp.example/token")
        .danger_allow_http_loopback(true);
    assert!(matches!(remote.build(), Err(Error::InsecureUrl { .. })));
    let issuer = ClientBuilder::new()
        .client_id("a")
        .client_secret("s")
        .issuer("http://idp.example/realms/x");
    assert!(matches!(
        issuer.build(),
        Err(Error::InsecureUrl { what: "issuer", .. })
    ));
}

#[test]
fn issue_12_load_env_reads_aps_allow_http_loopback() {
    let local = [
        ("APS_CLIENT_ID", "a"),
        ("APS_CLIENT_SECRET", "s"),
        ("APS_TOKEN_ENDPOINT", "http://127.0.0.1:8080/token"),
    ];
    let with = |allow: &str| {
        let mut pairs = local.to_vec();
        pairs.push(("APS_ALLOW_HTTP_LOOPBACK", allow));
        ClientBuilder::new().load_vars(vars(&pairs)).build()
    };
    assert!(matches!(
        ClientBuilder::new().load_vars(vars(&local)).build(),
        Err(Error::InsecureUrl { .. })
    ));
    assert!(with("1").is_ok());
    assert!(with(" TRUE ").is_ok());
    assert!(matches!(with("0"), Err(Error::InsecureUrl { .. })));
    assert!(
        matches!(with("yes please"), Err(Error::Config { field, .. }) if field == "APS_ALLOW_HTTP_LOOPBACK")
    );
    // Loopback only, whatever the setting.
    let mut remote = local.to_vec();
    remote[2].1 = "http://idp.example/token";
    remote.push(("APS_ALLOW_HTTP_LOOPBACK", "1"));
    assert!(matches!(
        ClientBuilder::new().load_vars(vars(&remote)).build(),
        Err(Error::InsecureUrl { .. })
    ));
}

#[test]
fn private_keys_from_pem_and_jwk_with_kid() {
    let key = SigningKey::generate_p256().unwrap();
    let pem = key.to_pkcs8_pem().unwrap();
    let client = ClientBuilder::new()
        .client_id("a")
        .issuer("https://idp/realms/x")
        .private_key_pem(pem.as_str())
        .key_id("k-1")
        .build()
        .unwrap();
    assert_eq!(client.auth_method(), AuthMethod::PrivateKeyJwt);
    let Credential::Key(jwt) = client.config.credential() else {
        panic!("a key")
    };
    assert_eq!(jwt.key.kid(), "k-1");
    assert!(!format!("{client:?}").contains("PRIVATE"));
    let lifetime = ClientBuilder::new()
        .client_id("a")
        .issuer("https://idp/realms/x")
        .private_key(key)
        .assertion_lifetime(Duration::from_secs(7200));
    assert!(
        matches!(lifetime.build(), Err(Error::Config { field, .. }) if field == "assertion_lifetime")
    );
}

#[test]
fn environment_variables_configure_everything() {
    let builder = ClientBuilder::new().load_vars(vars(&[
        ("APS_CLIENT_ID", " app-1 "),
        ("APS_CLIENT_SECRET", "s3cret"),
        ("APS_CLIENT_AUTH_METHOD", "client_secret_post"),
        ("APS_ISSUER", "https://idp/realms/apigw"),
        ("APS_SCOPE", "Function1/read Function3/write"),
    ]));
    let client = builder.build().unwrap();
    assert_eq!(client.client_id(), "app-1");
    assert_eq!(client.auth_method(), AuthMethod::ClientSecretPost);
    assert_eq!(
        client.config.defaults.scope_param().as_deref(),
        Some("Function1/read Function3/write")
    );
    assert!(matches!(client.config.endpoint, Endpoint::Issuer { .. }));
    let bad = ClientBuilder::new().load_vars(vars(&[("APS_CLIENT_AUTH_METHOD", "mtls")]));
    assert!(
        matches!(bad.build(), Err(Error::Config { field, .. }) if field == "APS_CLIENT_AUTH_METHOD")
    );
}

#[test]
fn the_credential_document_file_then_overrides() {
    let (dir, path_text) = credential_file(
        "test",
        r#"{"flow":"client-credentials","clientId":"from-doc","clientSecret":"doc-secret",
            "tokenEndpoint":"https://idp/realms/apigw/protocol/openid-connect/token"}"#,
    );
    let client = ClientBuilder::new()
        .load_vars(vars(&[
            ("APS_CREDENTIALS_FILE", &path_text),
            ("APS_CLIENT_ID", "override"),
        ]))
        .build()
        .unwrap();
    assert_eq!(client.client_id(), "override");
    assert_eq!(client.auth_method(), AuthMethod::ClientSecretBasic);
    let missing =
        ClientBuilder::new().load_vars(vars(&[("APS_CREDENTIALS_FILE", "/nonexistent.json")]));
    assert!(matches!(
        missing.build(),
        Err(Error::CredentialDocument { .. })
    ));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn rotation_swaps_material_but_not_the_method() {
    let client = secret_builder().build().unwrap();
    client.rotate_secret("new-secret").unwrap();
    let Credential::Secret { secret, .. } = client.config.credential() else {
        panic!("a secret")
    };
    assert_eq!(secret.expose(), "new-secret");
    assert!(
        client
            .rotate_key(SigningKey::generate_p256().unwrap())
            .is_err()
    );
    let key_client = ClientBuilder::new()
        .client_id("a")
        .token_endpoint("https://t")
        .private_key(SigningKey::generate_p256().unwrap().with_kid("old"))
        .build()
        .unwrap();
    key_client
        .rotate_key(SigningKey::generate_p256().unwrap().with_kid("new"))
        .unwrap();
    let Credential::Key(jwt) = key_client.config.credential() else {
        panic!("a key")
    };
    assert_eq!(jwt.key.kid(), "new");
    assert!(key_client.rotate_secret("x").is_err());
}

#[test]
fn sources_for_equal_requests_share_one_cache_entry() {
    let client = secret_builder().scope("a").build().unwrap();
    let one = client.source(&TokenRequest::new().scope("b")).unwrap();
    let two = client.source(&TokenRequest::new().scope("b b")).unwrap();
    assert!(one.shares_cache_with(&two));
    let default = client.source(&TokenRequest::new()).unwrap();
    assert!(default.shares_cache_with(&client.default));
    let other = client.source(&TokenRequest::new().audience("x")).unwrap();
    assert!(!one.shares_cache_with(&other));
    assert_eq!(one.source().request.scope_param().as_deref(), Some("a b"));
    assert!(
        client
            .source(&TokenRequest::new().param("grant_type", "password"))
            .is_err()
    );
}

#[test]
fn a_private_jwk_keeps_its_kid_and_an_encrypted_pem_is_refused() {
    let jwk = include_str!("../../../../aps-jwt/testdata/keys/p256.private.jwk.json");
    let client = ClientBuilder::new()
        .client_id("a")
        .token_endpoint("https://t")
        .private_key_jwk(jwk)
        .build()
        .unwrap();
    let Credential::Key(jwt) = client.config.credential() else {
        panic!("a key")
    };
    assert_eq!(jwt.key.kid(), "ec-fixture");
    let encrypted = include_str!("../../../../aps-jwt/testdata/keys/p256.encrypted.pem");
    let error = ClientBuilder::new()
        .client_id("a")
        .token_endpoint("https://t")
        .private_key_pem(encrypted)
        .build();
    assert!(matches!(error, Err(Error::Config { field, .. }) if field == "private_key"));
}

#[test]
fn a_credential_from_the_environment_replaces_the_documents() {
    let (dir, path_text) = credential_file(
        "env-key",
        r#"{"clientId":"from-doc","clientSecret":"doc-secret","tokenEndpoint":"https://idp/token"}"#,
    );
    let pem = SigningKey::generate_p256()
        .unwrap()
        .to_pkcs8_pem()
        .unwrap()
        .to_string();
    let client = ClientBuilder::new()
        .load_vars(vars(&[
            ("APS_CREDENTIALS_FILE", &path_text),
            ("APS_CLIENT_PRIVATE_KEY", &pem),
        ]))
        .build()
        .unwrap();
    assert_eq!(client.auth_method(), AuthMethod::PrivateKeyJwt);
    assert_eq!(client.client_id(), "from-doc");
    let both = ClientBuilder::new().load_vars(vars(&[
        ("APS_CREDENTIALS_FILE", &path_text),
        ("APS_CLIENT_SECRET", "env-secret"),
        ("APS_CLIENT_PRIVATE_KEY", &pem),
    ]));
    assert!(matches!(both.build(), Err(Error::Config { field, .. }) if field == "credentials"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_credential_document_replaces_an_earlier_secret() {
    let pem = SigningKey::generate_p256()
        .unwrap()
        .to_pkcs8_pem()
        .unwrap()
        .to_string();
    let document = CredentialDocument::from_json(
        &serde_json::json!({
            "clientId": "from-doc",
            "clientSecret": null,
            "issuer": "https://idp/realms/apigw",
            "tokenEndpoint": "https://idp/realms/apigw/protocol/openid-connect/token",
            "clientPrivateKey": pem,
        })
        .to_string(),
    )
    .unwrap();
    let client = ClientBuilder::new()
        .client_secret("earlier")
        .credentials(&document)
        .build()
        .unwrap();
    assert_eq!(client.auth_method(), AuthMethod::PrivateKeyJwt);
}

/// The `kid` in the header of the assertion `client` signs.
fn assertion_kid(client: &Client) -> String {
    use base64::Engine as _;
    let Credential::Key(jwt) = client.config.credential() else {
        panic!("a key")
    };
    let assertion = jwt.sign("a", "https://idp/realms/x").unwrap();
    let header = assertion.split('.').next().unwrap();
    let header: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

fn key_builder() -> ClientBuilder {
    ClientBuilder::new()
        .client_id("a")
        .issuer("https://idp/realms/x")
}

/// The kid of the only key of a published JWKS.
fn published_kid(jwks: &aps_jwt::Jwks) -> String {
    let json: serde_json::Value = serde_json::from_str(&jwks.to_json()).unwrap();
    json["keys"][0]["kid"].as_str().unwrap().to_owned()
}

#[test]
fn issue_12_a_pem_key_signs_with_the_kid_its_jwks_publishes() {
    for pem in [
        include_str!("../../../../aps-jwt/testdata/keys/p256.pkcs8.pem"),
        include_str!("../../../../aps-jwt/testdata/keys/rsa2048.pkcs8.pem"),
    ] {
        let published = published_kid(&SigningKey::from_pem(pem).unwrap().public_jwks());
        let client = key_builder().private_key_pem(pem).build().unwrap();
        assert_eq!(assertion_kid(&client), published);
        // The same PEM from the environment follows the same rule.
        let from_env = key_builder()
            .load_vars(vars(&[("APS_CLIENT_PRIVATE_KEY", pem)]))
            .build()
            .unwrap();
        assert_eq!(assertion_kid(&from_env), published);
        // An explicit key id still wins.
        let explicit = key_builder()
            .private_key_pem(pem)
            .key_id("mine")
            .build()
            .unwrap();
        assert_eq!(assertion_kid(&explicit), "mine");
    }
    let key = SigningKey::generate_p256().unwrap();
    let client = key_builder().private_key(key.clone()).build().unwrap();
    assert_eq!(assertion_kid(&client), published_kid(&key.public_jwks()));
    let jwk = include_str!("../../../../aps-jwt/testdata/keys/p256.private.jwk.json");
    let client = key_builder().private_key_jwk(jwk).build().unwrap();
    assert_eq!(
        assertion_kid(&client),
        published_kid(&SigningKey::from_jwk(jwk).unwrap().public_jwks())
    );
}

#[test]
fn issue_12_a_credential_documents_key_signs_with_the_kid_keycloak_gives_it() {
    let pem = include_str!("../../../../aps-jwt/testdata/keys/rsa2048.pkcs8.pem");
    let document = CredentialDocument::from_json(
        &serde_json::json!({
            "flow": "client-credentials",
            "clientId": "a",
            "issuer": "https://idp/realms/x",
            "clientPrivateKey": pem,
        })
        .to_string(),
    )
    .unwrap();
    let key = SigningKey::from_pem(pem).unwrap();
    let keycloak = crate::keycloak_key_id(&key).unwrap();
    let client = ClientBuilder::new().credentials(&document).build().unwrap();
    assert_eq!(assertion_kid(&client), keycloak);
    // The portal's regenerated key, rotated in, follows the same rule.
    let next = SigningKey::generate_p256().unwrap();
    client
        .rotate_key_pem(next.to_pkcs8_pem().unwrap().as_str())
        .unwrap();
    assert_eq!(
        assertion_kid(&client),
        crate::keycloak_key_id(&next).unwrap()
    );
    // Any other PEM rotated into any other client keeps its own kid.
    let own = key_builder().private_key_pem(pem).build().unwrap();
    own.rotate_key_pem(next.to_pkcs8_pem().unwrap().as_str())
        .unwrap();
    assert_eq!(assertion_kid(&own), next.kid());
    let overridden = ClientBuilder::new()
        .credentials(&document)
        .key_id("k-9")
        .build()
        .unwrap();
    assert_eq!(assertion_kid(&overridden), "k-9");
}

#[test]
fn issue_12_per_request_caches_are_bounded_least_recently_used_first() {
    let client = secret_builder().max_cached_requests(2).build().unwrap();
    let source = |scope: &str| client.source(&TokenRequest::new().scope(scope)).unwrap();
    let (a, b) = (source("a"), source("b"));
    assert!(
        source("a").shares_cache_with(&a),
        "a is now the most recent"
    );
    let c = source("c");
    assert!(source("a").shares_cache_with(&a), "kept");
    assert!(source("c").shares_cache_with(&c), "kept");
    assert!(
        !source("b").shares_cache_with(&b),
        "b was the least recently used"
    );
    let default = client.source(&TokenRequest::new()).unwrap();
    assert!(default.shares_cache_with(&client.default), "never evicted");
    let none = secret_builder().max_cached_requests(0).build().unwrap();
    let once = none.source(&TokenRequest::new().scope("a")).unwrap();
    let again = none.source(&TokenRequest::new().scope("a")).unwrap();
    assert!(!once.shares_cache_with(&again));
    let default = none.source(&TokenRequest::new()).unwrap();
    assert!(default.shares_cache_with(&none.default));
}
