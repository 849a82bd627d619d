//! Calling an API with the token: the plain helper and the middleware, with the 401 retry.

use wiremock::matchers::{header, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{Numbered, TOKEN_PATH, TestResult, builder};

/// An API that refuses `Bearer t1` (as if it were revoked) and accepts any other token.
async fn api() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(Numbered::default())
        .mount(&server)
        .await;
    Mock::given(path("/things"))
        .and(header("authorization", "Bearer t1"))
        .respond_with(ResponseTemplate::new(401))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/things"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    server
}

fn token_requests(requests: &[wiremock::Request]) -> usize {
    requests
        .iter()
        .filter(|r| r.url.path() == TOKEN_PATH)
        .count()
}

#[tokio::test]
async fn the_helper_adds_the_bearer_and_retries_once_on_401() -> TestResult {
    let server = api().await;
    let client = builder(&server.uri()).build()?;
    let http = reqwest::Client::new();
    let response =
        aps_client::send_with_token(&client, http.get(format!("{}/things", server.uri()))).await?;
    assert_eq!(response.status(), 200);
    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(
        token_requests(&requests),
        2,
        "the refused token was replaced once"
    );
    // The next call reuses the new token: no more token requests.
    aps_client::send_with_token(&client, http.get(format!("{}/things", server.uri()))).await?;
    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(token_requests(&requests), 2);
    Ok(())
}

#[cfg(feature = "middleware")]
#[tokio::test]
async fn the_middleware_adds_the_bearer_retries_once_and_keeps_to_its_origin() -> TestResult {
    let server = api().await;
    let other = MockServer::start().await;
    Mock::given(path("/elsewhere"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&other)
        .await;
    let client = builder(&server.uri()).build()?;
    let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(aps_client::AuthMiddleware::new(client).for_origin(&server.uri())?)
        .build();
    let response = http.get(format!("{}/things", server.uri())).send().await?;
    assert_eq!(response.status(), 200);
    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(token_requests(&requests), 2);
    let api_calls: Vec<_> = requests
        .iter()
        .filter(|r| r.url.path() == "/things")
        .collect();
    assert_eq!(api_calls.len(), 2, "one refused, one retried");
    assert_eq!(
        api_calls[1]
            .headers
            .get("authorization")
            .map(|v| v.as_bytes()),
        Some(&b"Bearer t2"[..])
    );

    http.get(format!("{}/elsewhere", other.uri()))
        .send()
        .await?;
    let elsewhere = other.received_requests().await.unwrap_or_default();
    assert!(
        elsewhere[0].headers.get("authorization").is_none(),
        "no token for another origin"
    );
    Ok(())
}

#[cfg(feature = "middleware")]
#[tokio::test]
async fn the_middleware_gives_up_after_one_retry() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(Numbered::default())
        .mount(&server)
        .await;
    Mock::given(path("/things"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let client = builder(&server.uri()).build()?;
    let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(aps_client::AuthMiddleware::new(client))
        .build();
    let response = http.get(format!("{}/things", server.uri())).send().await?;
    assert_eq!(
        response.status(),
        401,
        "the API's answer is returned, not looped on"
    );
    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.url.path() == "/things")
            .count(),
        2
    );
    Ok(())
}

#[cfg(feature = "blocking")]
#[test]
fn the_blocking_facade_gets_and_caches_tokens_outside_async_code() -> TestResult {
    let runtime = tokio::runtime::Runtime::new()?;
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(path(TOKEN_PATH))
            .respond_with(Numbered::default())
            .mount(&server)
            .await;
        server
    });
    let client = aps_client::blocking::Client::new(builder(&server.uri()).build()?)?;
    let first = client.token()?;
    assert_eq!(first.secret(), "t1");
    assert!(client.token()?.same_as(&first), "cached");
    client.invalidate(&first);
    assert_eq!(client.token()?.secret(), "t2");
    let inside = runtime.block_on(async { client.token() });
    assert!(
        matches!(inside, Err(aps_client::Error::Config { .. })),
        "refused inside async code, no panic"
    );
    Ok(())
}
