//! What goes on the wire: the exact form and headers of each authentication method. Keycloak
//! cannot echo a request, so a stub records it.

use aps_client::{AuthMethod, SigningKey, TokenRequest, TokenSource};
use base64::Engine as _;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{TOKEN_PATH, TestResult, builder, token_json};

async fn recorded(server: &MockServer) -> wiremock::Request {
    let requests = server.received_requests().await.unwrap_or_default();
    requests.into_iter().last().expect("one request")
}

fn form(request: &wiremock::Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect()
}

async fn stub() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("t")))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn basic_sends_form_encoded_credentials_in_the_header_and_scope_in_the_body() -> TestResult {
    let server = stub().await;
    let client = builder(&server.uri())
        .client_id("my app")
        .client_secret("p+s:s%")
        .scope("Function1/read")
        .audience("ap-api")
        .audience("ap-other")
        .resource("https://api.example/")
        .param("tenant", "blue")
        .build()?;
    client
        .token_for(&TokenRequest::new().scope("Function3/write"))
        .await?;
    let request = recorded(&server).await;
    let authorization = request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let encoded = authorization.strip_prefix("Basic ").expect("Basic auth");
    let decoded = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded)?)?;
    assert_eq!(decoded, "my+app:p%2Bs%3As%25");
    assert_eq!(
        request.headers.get("accept").and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let pairs = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        form(&request),
        pairs(&[
            ("grant_type", "client_credentials"),
            ("scope", "Function1/read Function3/write"),
            ("audience", "ap-api"),
            ("audience", "ap-other"),
            ("resource", "https://api.example/"),
            ("tenant", "blue"),
        ])
    );
    Ok(())
}

#[tokio::test]
async fn post_sends_id_and_secret_in_the_body_and_no_authorization_header() -> TestResult {
    let server = stub().await;
    let client = builder(&server.uri())
        .auth_method(AuthMethod::ClientSecretPost)
        .build()?;
    client.token().await?;
    let request = recorded(&server).await;
    assert!(request.headers.get("authorization").is_none());
    let form = form(&request);
    assert!(form.contains(&("client_id".into(), "app-1".into())));
    assert!(form.contains(&("client_secret".into(), "s3cret-value".into())));
    assert!(
        !form.iter().any(|(k, _)| k == "scope" || k == "scopes"),
        "no scope unless asked"
    );
    Ok(())
}

#[tokio::test]
async fn private_key_jwt_sends_a_fresh_assertion_per_request() -> TestResult {
    let server = stub().await;
    let key = SigningKey::generate_p256()?.with_kid("k1");
    let client = aps_client::Client::builder()
        .token_endpoint(format!("{}{TOKEN_PATH}", server.uri()))
        .issuer(format!("{}/realms/apigw", server.uri()))
        .danger_allow_http_loopback(true)
        .client_id("app-1")
        .private_key(key)
        .build()?;
    let uncached = client.uncached(&TokenRequest::new())?;
    uncached.token().await?;
    uncached.token().await?;
    let requests = server.received_requests().await.unwrap_or_default();
    let assertions: Vec<String> = requests
        .iter()
        .map(|r| {
            let form = form(r);
            assert!(form.contains(&("client_id".into(), "app-1".into())));
            assert!(form.contains(&(
                "client_assertion_type".into(),
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into()
            )));
            assert!(r.headers.get("authorization").is_none());
            form.into_iter()
                .find(|(k, _)| k == "client_assertion")
                .map(|(_, v)| v)
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(assertions.len(), 2);
    assert_ne!(assertions[0], assertions[1], "a new jti each time");
    let claims = crate::support::claims(&assertions[0]);
    assert_eq!(claims["iss"], "app-1");
    assert_eq!(claims["sub"], "app-1");
    assert_eq!(
        claims["aud"],
        format!("{}/realms/apigw", server.uri()),
        "the issuer by default"
    );
    Ok(())
}
