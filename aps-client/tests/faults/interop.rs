//! Issue 12: a strict, standards-compliant provider (not Keycloak) whose issuer has no path. It
//! compares the assertion's `aud` with its issuer character for character (RFC 7523) and looks
//! keys up by `kid`.

use aps_client::{Client, CredentialDocument, SigningKey};
use base64::Engine as _;
use serde_json::{Value, json};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::stub::discovery;
use crate::{TOKEN_PATH, TestResult, token_json};

/// Accepts an assertion whose `aud` is exactly `issuer` and whose `kid` is one of `kids`, or
/// the secret `SECRET` (Basic, form-encoded as RFC 6749 2.3.1 says, or in the form).
struct Strict {
    issuer: String,
    kids: Vec<String>,
}

const SECRET: &str = "s3cret+/:%";

fn segment(jwt: &str, at: usize) -> Value {
    let part = jwt.split('.').nth(at).unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap_or_default();
    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
}

impl Respond for Strict {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let field = |wanted: &str| {
            url::form_urlencoded::parse(&request.body)
                .find(|(name, _)| name == wanted)
                .map(|(_, value)| value.into_owned())
        };
        let basic = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|v| base64::engine::general_purpose::STANDARD.decode(v).ok());
        let encoded =
            |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let expected: String = format!("app-1:{}", encoded(SECRET));
        let secret_ok = match (basic, field("client_secret")) {
            (Some(pair), None) => pair == expected.as_bytes(),
            (None, Some(secret)) => {
                secret == SECRET && field("client_id").as_deref() == Some("app-1")
            }
            _ => false,
        };
        if secret_ok {
            return ResponseTemplate::new(200).set_body_json(token_json("t"));
        }
        let assertion = field("client_assertion").unwrap_or_default();
        let aud = &segment(&assertion, 1)["aud"];
        let kid = &segment(&assertion, 0)["kid"];
        let refuse = |why: String| {
            ResponseTemplate::new(401)
                .set_body_json(json!({ "error": "invalid_client", "error_description": why }))
        };
        if aud != self.issuer.as_str() {
            return refuse(format!("aud {aud} is not {}", self.issuer));
        }
        if !self.kids.iter().any(|k| kid == k.as_str()) {
            return refuse(format!("unknown kid {kid}"));
        }
        ResponseTemplate::new(200).set_body_json(token_json("t"))
    }
}

/// A strict provider at a path-less issuer (`http://127.0.0.1:PORT`, no trailing slash), with
/// discovery, accepting `kid`.
async fn strict_provider(kid: &str) -> MockServer {
    strict_provider_for(vec![kid.to_owned()]).await
}

/// A strict provider at a path-less issuer that has registered `kids`.
async fn strict_provider_for(kids: Vec<String>) -> MockServer {
    let server = MockServer::start().await;
    let issuer = server.uri();
    assert!(!issuer.ends_with('/'), "{issuer}");
    Mock::given(path("/.well-known/openid-configuration"))
        .respond_with(discovery(&issuer, &format!("{issuer}{TOKEN_PATH}")))
        .mount(&server)
        .await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(Strict { issuer, kids })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn issue_12_the_assertion_aud_is_a_pathless_issuer_exactly() -> TestResult {
    let key = SigningKey::generate_p256()?;
    let server = strict_provider(key.kid()).await;
    let issuer = server.uri();
    let token_endpoint = format!("{issuer}{TOKEN_PATH}");
    // Configured issuer, explicit token endpoint (no discovery).
    let explicit = Client::builder()
        .issuer(&issuer)
        .token_endpoint(&token_endpoint)
        .danger_allow_http_loopback(true)
        .client_id("app-1")
        .private_key(key.clone())
        .build()?;
    explicit.token().await?;
    // Issuer only: the token endpoint comes from discovery.
    let discovered = Client::builder()
        .issuer(&issuer)
        .danger_allow_http_loopback(true)
        .client_id("app-1")
        .private_key(key.clone())
        .build()?;
    discovered.token().await?;
    Ok(())
}

#[tokio::test]
async fn issue_12_a_credential_document_issuer_is_the_aud_as_written() -> TestResult {
    let key = SigningKey::generate_rsa(2048)?;
    let document = |issuer: &str| {
        CredentialDocument::from_json(
            &json!({
                "flow": "client-credentials",
                "clientId": "app-1",
                "issuer": issuer,
                "clientPrivateKey": key.to_pkcs8_pem().map(|p| p.as_str().to_owned()).unwrap_or_default(),
            })
            .to_string(),
        )
    };
    // A document's key was registered as a PEM: its kid is the one Keycloak derives.
    let server = strict_provider(&aps_client::keycloak_key_id(&key)?).await;
    let client = Client::builder()
        .credentials(&document(&server.uri())?)
        .danger_allow_http_loopback(true)
        .build()?;
    client.token().await?;
    Ok(())
}

#[tokio::test]
async fn issue_12_a_pem_key_signs_with_the_kid_its_jwks_publishes() -> TestResult {
    let pem = SigningKey::generate_p256()?.to_pkcs8_pem()?;
    let published = SigningKey::from_pem(pem.as_str())?;
    let server = strict_provider(published.kid()).await;
    let client = Client::builder()
        .issuer(server.uri())
        .danger_allow_http_loopback(true)
        .client_id("app-1")
        .private_key_pem(pem.as_str())
        .build()?;
    client.token().await?;
    Ok(())
}

#[tokio::test]
async fn issue_12_a_refused_assertion_is_explained_with_its_aud_and_kid() -> TestResult {
    let server = strict_provider("the-registered-kid").await;
    let client = Client::builder()
        .issuer(server.uri())
        .danger_allow_http_loopback(true)
        .client_id("app-1")
        .private_key(SigningKey::generate_p256()?.with_kid("another-kid"))
        .build()?;
    let error = client.token().await.expect_err("an unknown kid is refused");
    assert!(error.is_client_rejected(), "{error}");
    let text = error.to_string();
    let aud = format!("aud `{}`", server.uri());
    for expected in ["key id", "audience", "clock", "kid `another-kid`", &aud] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    assert!(!text.contains("eyJ"), "never the assertion: {text}");
    Ok(())
}

#[tokio::test]
async fn issue_12_every_method_and_way_of_giving_a_key_against_a_pathless_issuer() -> TestResult {
    let pem = SigningKey::generate_rsa(2048)?.to_pkcs8_pem()?;
    let jwk = include_str!("../../../aps-jwt/testdata/keys/p256.private.jwk.json");
    let key = SigningKey::generate_p256()?;
    // The portal's document carries another key, registered with the provider as a PEM.
    let portal = SigningKey::generate_rsa(2048)?;
    // The kids the provider has registered: each key's published kid, and for the portal's key
    // the kid Keycloak gives a registered PEM. A key signing with any other kid is refused.
    let server = strict_provider_for(vec![
        SigningKey::from_pem(pem.as_str())?.kid().to_owned(),
        SigningKey::from_jwk(jwk)?.kid().to_owned(),
        key.kid().to_owned(),
        aps_client::keycloak_key_id(&portal)?,
    ])
    .await;
    let issuer = server.uri();
    let document = CredentialDocument::from_json(
        &json!({ "flow": "client-credentials", "clientId": "app-1", "issuer": issuer, "clientPrivateKey": portal.to_pkcs8_pem()?.as_str() })
            .to_string(),
    )?;
    let base = || {
        Client::builder()
            .issuer(&issuer)
            .danger_allow_http_loopback(true)
            .client_id("app-1")
    };
    let clients = [
        ("basic", base().client_secret(SECRET)),
        (
            "post",
            base()
                .client_secret(SECRET)
                .auth_method(aps_client::AuthMethod::ClientSecretPost),
        ),
        ("SigningKey", base().private_key(key.clone())),
        ("PEM", base().private_key_pem(pem.as_str())),
        ("JWK", base().private_key_jwk(jwk)),
        (
            "document",
            Client::builder()
                .credentials(&document)
                .danger_allow_http_loopback(true),
        ),
    ];
    for (way, builder) in clients {
        let token = builder.build()?.token().await;
        assert!(token.is_ok(), "{way}: {token:?}");
    }
    Ok(())
}
