//! Bodies that are not OAuth answers, and discovery documents that lie.

use aps_client::{Client, Error};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::stub::discovery;
use crate::{TOKEN_PATH, TestResult, builder, token_json};

#[tokio::test]
async fn an_html_login_page_with_200_is_a_clear_error_and_not_retried() -> TestResult {
    let server = MockServer::start().await;
    let html = "<!DOCTYPE html><html><head><title>Sign in - SiteMinder</title></head><body>…</body></html>";
    Mock::given(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_raw(html, "text/html; charset=utf-8"))
        .mount(&server)
        .await;
    let error = builder(&server.uri())
        .build()?
        .token()
        .await
        .expect_err("not a token");
    assert!(
        matches!(error, Error::UnexpectedResponse { .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("answered 200 OK with an HTML page"), "{text}");
    assert!(
        !text.contains("SiteMinder"),
        "a 2xx body is never quoted: {text}"
    );
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));
    Ok(())
}

#[tokio::test]
async fn a_proxy_error_page_is_retried_then_named() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(502)
                .set_body_raw("<html><title>502 Bad Gateway</title></html>", "text/html"),
        )
        .mount(&server)
        .await;
    let error = builder(&server.uri())
        .build()?
        .token()
        .await
        .expect_err("bad gateway");
    assert!(
        error
            .to_string()
            .contains("HTML page titled \"502 Bad Gateway\""),
        "{error}"
    );
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(3));
    Ok(())
}

#[tokio::test]
async fn garbage_and_truncated_json_name_what_came_back() -> TestResult {
    for (body, content_type, expected) in [
        (
            &b"\x00\x01\x02 binary"[..],
            "application/octet-stream",
            "application/octet-stream:",
        ),
        (
            &b"{\"access_token\": \"abc"[..],
            "application/json",
            "application/json: 21 bytes, not shown",
        ),
        (&b""[..], "application/json", "an empty body"),
    ] {
        let server = MockServer::start().await;
        Mock::given(path(TOKEN_PATH))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body.to_vec(), content_type))
            .mount(&server)
            .await;
        let error = builder(&server.uri())
            .build()?
            .token()
            .await
            .expect_err("garbage");
        assert!(error.to_string().contains(expected), "{error}");
    }
    Ok(())
}

#[tokio::test]
async fn discovery_is_cached_and_an_issuer_mismatch_is_refused() -> TestResult {
    let server = MockServer::start().await;
    let issuer = format!("{}/realms/apigw", server.uri());
    Mock::given(path("/realms/apigw/.well-known/openid-configuration"))
        .respond_with(discovery(&issuer, &format!("{}{TOKEN_PATH}", server.uri())))
        .mount(&server)
        .await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("t")))
        .mount(&server)
        .await;
    let client = Client::builder()
        .issuer(&issuer)
        .danger_allow_http_loopback(true)
        .client_id("app-1")
        .client_secret("s")
        .build()?;
    client.token().await?;
    client.uncached(&aps_client::TokenRequest::new())?;
    aps_client::TokenSource::token(&client.uncached(&aps_client::TokenRequest::new())?).await?;
    let requests = server.received_requests().await.unwrap_or_default();
    let discoveries = requests
        .iter()
        .filter(|r| r.url.path().ends_with("openid-configuration"))
        .count();
    assert_eq!(discoveries, 1, "discovery ran once for two token requests");

    let liar = Client::builder()
        .issuer(format!("{}/realms/other", server.uri()))
        .danger_allow_http_loopback(true)
        .client_id("app-1")
        .client_secret("s")
        .build()?;
    Mock::given(path("/realms/other/.well-known/openid-configuration"))
        .respond_with(discovery(&issuer, "https://attacker.example/token"))
        .mount(&server)
        .await;
    let error = liar.token().await.expect_err("another issuer's document");
    assert!(matches!(error, Error::Discovery { .. }), "{error:?}");
    assert!(error.to_string().contains("not the configured"), "{error}");
    Ok(())
}
