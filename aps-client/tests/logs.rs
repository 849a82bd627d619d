//! Logs and errors never carry the secret, the assertion or the token.
//!
//! Alone in its test binary: `tracing` caches each callsite's interest when it is first hit, and
//! a test on another thread hitting a callsite before this test's scoped subscriber is set can
//! cache "never" for it, which made this test fail now and then among the fault tests.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use support::stub::{TOKEN_PATH, builder, token_json};

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn trace_logs_show_the_client_but_never_secrets_or_tokens() -> TestResult {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("eyJ-the-access-token")))
        .mount(&server)
        .await;
    let client = builder(&server.uri()).build()?;
    let token = client.token().await?;
    let debug = format!("{client:?} {token:?}");

    let logs = String::from_utf8(capture.0.lock().map(|b| b.clone()).unwrap_or_default())?;
    assert!(
        logs.contains("aps_client.token_request"),
        "the span is there: {logs}"
    );
    assert!(logs.contains("app-1"), "the client id is there: {logs}");
    assert!(logs.contains("retrying"), "the retry is logged: {logs}");
    for secret in [
        "s3cret-value",
        "eyJ-the-access-token",
        "czNjcmV0LXZhbHVl", /* base64 of the secret */
    ] {
        assert!(!logs.contains(secret), "{secret} leaked into the logs");
        assert!(!debug.contains(secret), "{secret} leaked into Debug");
    }
    Ok(())
}
