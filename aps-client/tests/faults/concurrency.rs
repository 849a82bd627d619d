//! A thousand callers on a cold cache, through real HTTP: one token request.

use std::time::Duration;

use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{TOKEN_PATH, TestResult, builder, token_json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_callers_send_one_request() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(token_json("shared"))
                .set_delay(Duration::from_millis(50)),
        )
        .mount(&server)
        .await;
    let client = builder(&server.uri()).build()?;
    let callers: Vec<_> = (0..1000)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.token().await })
        })
        .collect();
    for caller in callers {
        assert_eq!(caller.await??.secret(), "shared");
    }
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));
    Ok(())
}
