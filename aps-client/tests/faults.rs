//! Faults a real Keycloak cannot be made to produce, against an HTTP stub (wiremock) or a raw
//! socket: timeouts, 503 then success, 429 with Retry-After, garbage bodies, connection resets.
//! Also the 401-retry of the middleware and the plain helper, and what the logs never contain.

mod support;

#[path = "faults/api.rs"]
mod api;
#[path = "faults/bodies.rs"]
mod bodies;
#[path = "faults/concurrency.rs"]
mod concurrency;
#[path = "faults/logs.rs"]
mod logs;
#[path = "faults/transient.rs"]
mod transient;
#[path = "faults/wire.rs"]
mod wire;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aps_client::{Client, ClientBuilder, RetryPolicy};
use serde_json::json;
use wiremock::{Request, Respond, ResponseTemplate};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const TOKEN_PATH: &str = "/realms/apigw/protocol/openid-connect/token";

/// A client for a stub at `base`, with fast retries so that the tests do not wait long.
fn builder(base: &str) -> ClientBuilder {
    Client::builder()
        .token_endpoint(format!("{base}{TOKEN_PATH}"))
        .danger_allow_http_loopback(true)
        .client_id("app-1")
        .client_secret("s3cret-value")
        .retry(fast_retries(3))
}

fn fast_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
}

fn token_json(token: &str) -> serde_json::Value {
    json!({ "access_token": token, "token_type": "Bearer", "expires_in": 300, "scope": "profile" })
}

/// Answers each token request with a new token: `t1`, `t2`, …
#[derive(Debug, Default)]
struct Numbered(AtomicUsize);

impl Respond for Numbered {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200).set_body_json(token_json(&format!("t{n}")))
    }
}
