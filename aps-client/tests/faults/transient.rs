//! Transient failures are retried within bounds; the rest are not.

use std::time::Duration;

use aps_client::{ErrorCode, RetryPolicy};
use tokio::io::AsyncReadExt;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::stub::discovery as discovery_document;
use crate::{TOKEN_PATH, TestResult, builder, token_json};

#[tokio::test]
async fn a_timeout_is_reported_as_such_after_the_bounded_attempts() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(token_json("late"))
                .set_delay(Duration::from_secs(30)),
        )
        .mount(&server)
        .await;
    let client = builder(&server.uri())
        .timeout(Duration::from_millis(200))
        .build()?;
    let error = client
        .token()
        .await
        .expect_err("the endpoint never answers in time");
    assert!(error.is_timeout() && error.is_transient(), "{error:?}");
    assert!(error.to_string().contains("timed out"), "{error}");
    assert_eq!(
        server.received_requests().await.map(|r| r.len()),
        Some(3),
        "three attempts, then give up"
    );
    Ok(())
}

#[tokio::test]
async fn a_503_then_success_is_retried_transparently() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream unavailable"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("after-503")))
        .mount(&server)
        .await;
    let token = builder(&server.uri()).build()?.token().await?;
    assert_eq!(token.secret(), "after-503");
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(3));
    Ok(())
}

#[tokio::test]
async fn a_503_from_discovery_is_retried_like_one_from_the_token_endpoint() -> TestResult {
    let server = MockServer::start().await;
    let issuer = format!("{}/realms/apigw", server.uri());
    let discovery = "/realms/apigw/.well-known/openid-configuration";
    Mock::given(path(discovery))
        .respond_with(ResponseTemplate::new(503).set_body_string("starting"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path(discovery))
        .respond_with(discovery_document(
            &issuer,
            &format!("{}{TOKEN_PATH}", server.uri()),
        ))
        .mount(&server)
        .await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("after-discovery")))
        .mount(&server)
        .await;
    let token = aps_client::Client::builder()
        .issuer(&issuer)
        .danger_allow_http_loopback(true)
        .client_id("app-1")
        .client_secret("s")
        .build()?
        .token()
        .await?;
    assert_eq!(token.secret(), "after-discovery");
    let paths: Vec<_> = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(paths, [discovery, discovery, TOKEN_PATH]);
    Ok(())
}

#[tokio::test]
async fn a_429_waits_for_retry_after_then_succeeds() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(serde_json::json!({ "error": "slow_down" })),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("after-429")))
        .mount(&server)
        .await;
    let token = builder(&server.uri()).build()?.token().await?;
    assert_eq!(token.secret(), "after-429");
    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 2);
    Ok(())
}

#[tokio::test]
async fn a_retry_after_beyond_the_budget_gives_up_at_once() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "120"))
        .mount(&server)
        .await;
    let error = builder(&server.uri())
        .build()?
        .token()
        .await
        .expect_err("rate limited");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));
    Ok(())
}

#[tokio::test]
async fn issue_12_twenty_callers_against_retry_after_60_send_one_request() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "60"))
        .mount(&server)
        .await;
    let client = builder(&server.uri()).build()?;
    for caller in 0..20 {
        let error = client.token().await.expect_err("rate limited");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(429), "{error}");
        let wait = error.retry_after().unwrap_or_default();
        assert!(
            wait > Duration::from_secs(55) && wait <= Duration::from_secs(60),
            "{caller}: {wait:?}"
        );
        if caller > 0 {
            assert!(
                matches!(error, aps_client::Error::Backoff { .. }),
                "{error:?}"
            );
        }
    }
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));
    Ok(())
}

#[tokio::test]
async fn client_errors_are_never_retried() -> TestResult {
    for (status, code) in [
        (401, "invalid_client"),
        (401, "unauthorized_client"),
        (400, "invalid_grant"),
        (400, "invalid_scope"),
        (400, "invalid_request"),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(status).set_body_json(serde_json::json!({ "error": code })),
            )
            .mount(&server)
            .await;
        let client = builder(&server.uri())
            .retry(RetryPolicy::default().max_attempts(5))
            .build()?;
        let error = client.token().await.expect_err("refused");
        assert_eq!(
            error.oauth().map(|e| e.code.clone()),
            Some(ErrorCode::from(code))
        );
        assert_eq!(
            server.received_requests().await.map(|r| r.len()),
            Some(1),
            "{code} is not retried"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_connection_reset_is_retried_then_reported() -> TestResult {
    // A server that accepts, reads the request, and resets the connection (SO_LINGER 0).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&accepted);
    let server = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buffer = [0u8; 1024];
            let _ = stream.read(&mut buffer).await;
            let socket = socket2::SockRef::from(&stream);
            let _ = socket.set_linger(Some(Duration::ZERO));
            drop(stream);
        }
    });
    let error = builder(&base).build()?.token().await.expect_err("reset");
    assert!(
        matches!(error, aps_client::Error::Transport { .. }),
        "{error:?}"
    );
    assert!(error.is_transient());
    assert_eq!(
        accepted.load(std::sync::atomic::Ordering::SeqCst),
        3,
        "retried up to the attempt limit"
    );
    server.abort();
    Ok(())
}
