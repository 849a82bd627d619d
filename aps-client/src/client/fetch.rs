//! One token request over HTTP, with retries for transient failures. No cache.

use std::fmt;
use std::sync::Arc;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use tokio::time::Instant;
use tracing::Instrument as _;

use super::Config;
use crate::auth::{Credential, authenticate};
use crate::endpoint::read_bounded;
use crate::request::TokenRequest;
use crate::response::{self, Answer, Context};
use crate::retry::{jitter, parse_retry_after};
use crate::{Error, Result, Token, TokenSource};

/// A [`TokenSource`] that sends one client credentials request (retried on transient failures)
/// per call, without caching. [`Client`](crate::Client) caches it; use it directly only to
/// build your own cache. Get one with [`Client::uncached`](crate::Client::uncached).
#[derive(Clone)]
pub struct UncachedSource {
    pub(crate) config: Arc<Config>,
    pub(crate) request: TokenRequest,
}

impl fmt::Debug for UncachedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UncachedSource")
            .field("client_id", &self.config.client_id)
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl TokenSource for UncachedSource {
    async fn token(&self) -> Result<Token> {
        fetch(&self.config, &self.request).await
    }
}

/// Sends the request, retrying transient failures as the retry policy allows.
pub(crate) async fn fetch(config: &Config, request: &TokenRequest) -> Result<Token> {
    let started = Instant::now();
    let span = tracing::info_span!(
        "aps_client.token_request",
        client_id = %config.client_id,
        endpoint = %config.endpoint.configured(),
        scope = request.scope_param().as_deref().unwrap_or(""),
    );
    async {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let error = match send_once(config, request, attempt).await {
                Ok(token) => return Ok(token),
                Err(error) => error,
            };
            match config.retry.next_delay(attempt, &error, started.elapsed(), jitter()) {
                Some(delay) => {
                    tracing::warn!(%error, attempt, retry_in_ms = delay.as_millis() as u64, "token request failed; retrying");
                    tokio::time::sleep(delay).await;
                }
                None => {
                    tracing::warn!(%error, attempt, "token request failed");
                    return Err(error);
                }
            }
        }
    }
    .instrument(span)
    .await
}

async fn send_once(config: &Config, request: &TokenRequest, attempt: u32) -> Result<Token> {
    let (token_endpoint, discovered_issuer) = config
        .endpoint
        .resolve(&config.http, config.allow_http_loopback)
        .await?;
    let url = token_endpoint.as_str();
    let credential = config.credential();
    // The issuer as written (by the discovery document, else the configuration), never
    // re-serialised: `Url` would turn `http://host:port` into `http://host:port/`.
    let issuer = discovered_issuer.as_deref().or(config.issuer.as_deref());
    let audience = config.assertion_audience.resolve(issuer, url);
    let auth = authenticate(&credential, &config.client_id, audience)?;
    let mut form: Vec<(&str, String)> = vec![("grant_type", "client_credentials".to_owned())];
    form.extend(auth.form);
    form.extend(request.form_fields());
    form.extend(
        request
            .extra()
            .iter()
            .map(|(name, value)| (name.as_str(), value.clone())),
    );
    let mut builder = config
        .http
        .post(token_endpoint.clone())
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .form(&form);
    if let Some(header) = auth.header {
        builder = builder.header(AUTHORIZATION, header);
    }
    let sent_at = Instant::now();
    tracing::debug!(attempt, method = %credential.method(), "sending token request");
    let mut response = builder.send().await.map_err(|e| Error::transport(url, e))?;
    let status = response.status();
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header(CONTENT_TYPE);
    let retry_after =
        header(RETRY_AFTER).and_then(|v| parse_retry_after(&v, std::time::SystemTime::now()));
    let body = read_bounded(&mut response, url).await?;
    let scope = request.scope_param();
    let answer = Answer {
        status,
        content_type: content_type.as_deref(),
        retry_after,
        body: &body,
    };
    let cx = Context {
        url,
        client_id: &config.client_id,
        requested_scope: scope.as_deref(),
        sent_at,
        default_lifetime: config.default_lifetime,
        assertion: match &credential {
            Credential::Key(jwt) => Some((audience, jwt.key.kid())),
            Credential::Secret { .. } => None,
        },
    };
    let token = response::parse(&answer, &cx)?;
    tracing::debug!(attempt, %status, lifetime_s = token.lifetime().as_secs(), "token received");
    Ok(token)
}
