//! A token endpoint stub (wiremock) and a client configured for it, shared by the fault tests
//! and the log test.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aps_client::{Client, ClientBuilder, RetryPolicy};
use serde_json::json;
use wiremock::{Request, Respond, ResponseTemplate};

/// The Keycloak token path the stub answers on.
pub const TOKEN_PATH: &str = "/realms/apigw/protocol/openid-connect/token";

/// A client for a stub at `base`, with fast retries so that the tests do not wait long.
pub fn builder(base: &str) -> ClientBuilder {
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

pub fn token_json(token: &str) -> serde_json::Value {
    json!({ "access_token": token, "token_type": "Bearer", "expires_in": 300, "scope": "profile" })
}

/// Answers each token request with a new token: `t1`, `t2`, …
#[derive(Debug, Default)]
pub struct Numbered(AtomicUsize);

impl Respond for Numbered {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200).set_body_json(token_json(&format!("t{n}")))
    }
}

/// An OIDC discovery document naming `issuer` and `token_endpoint`.
pub fn discovery(issuer: &str, token_endpoint: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "issuer": issuer,
        "token_endpoint": token_endpoint,
    }))
}
