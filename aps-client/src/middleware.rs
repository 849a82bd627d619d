//! A `reqwest-middleware` middleware that adds the bearer token and retries once on 401.

use std::fmt;

use http::Extensions;
use reqwest::header::AUTHORIZATION;
use reqwest::{Request, Response, StatusCode};
use reqwest_middleware::{Middleware, Next};

use crate::TokenSource;
use crate::bearer::{check_api_url, set_bearer};

/// Adds `Authorization: Bearer <token>` from a [`TokenSource`] to every request. When the API
/// answers 401, the token is invalidated and the request is sent once more with a new token
/// (requests with a streaming body cannot be cloned and are not retried).
///
/// Requests that already carry an `Authorization` header are left alone. With
/// [`for_origin`](Self::for_origin), only requests to that origin get the token, so a client
/// shared with other hosts does not leak it. A request that would get the token but is plain
/// HTTP to a host that is not loopback fails with [`BearerError::InsecureUrl`](crate::BearerError::InsecureUrl)
/// (as a `reqwest_middleware::Error::Middleware`) and is not sent.
///
/// ```no_run
/// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let client = aps_client::Client::builder()
/// #     .issuer("https://idp.example/realms/apigw")
/// #     .client_id("my-app")
/// #     .client_secret(std::env::var("APS_CLIENT_SECRET")?)
/// #     .build()?;
/// let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
///     .with(aps_client::AuthMiddleware::new(client).for_origin("https://my-api.example")?)
///     .build();
/// let response = http.get("https://my-api.example/things").send().await?;
/// # let _ = response; Ok(()) }
/// ```
pub struct AuthMiddleware<S> {
    source: S,
    origin: Option<url::Origin>,
}

impl<S: TokenSource + 'static> AuthMiddleware<S> {
    /// A middleware that takes tokens from `source` (a [`Client`](crate::Client), for one).
    pub fn new(source: S) -> Self {
        Self {
            source,
            origin: None,
        }
    }

    /// Adds the token only to requests for `origin` (scheme, host and port of this URL).
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) when `origin` is not a URL.
    pub fn for_origin(mut self, origin: &str) -> crate::Result<Self> {
        self.origin = Some(crate::endpoint::parse_url("for_origin", origin)?.origin());
        Ok(self)
    }

    fn applies_to(&self, request: &Request) -> bool {
        !request.headers().contains_key(AUTHORIZATION)
            && self
                .origin
                .as_ref()
                .is_none_or(|origin| *origin == request.url().origin())
    }
}

impl<S> fmt::Debug for AuthMiddleware<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthMiddleware")
            .field(
                "origin",
                &self.origin.as_ref().map(url::Origin::ascii_serialization),
            )
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl<S: TokenSource + 'static> Middleware for AuthMiddleware<S> {
    async fn handle(
        &self,
        mut request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        if !self.applies_to(&request) {
            return next.run(request, extensions).await;
        }
        check_api_url(request.url()).map_err(reqwest_middleware::Error::middleware)?;
        let retry = request.try_clone();
        let token = self
            .source
            .token()
            .await
            .map_err(reqwest_middleware::Error::middleware)?;
        set_bearer(&mut request, &token);
        let response = next.clone().run(request, extensions).await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let Some(mut retry) = retry else {
            return Ok(response);
        };
        self.source.invalidate(&token);
        let token = self
            .source
            .token()
            .await
            .map_err(reqwest_middleware::Error::middleware)?;
        tracing::debug!(target: "aps_client", "API answered 401; retrying once with a new token");
        set_bearer(&mut retry, &token);
        next.run(retry, extensions).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::Ordering;

    use super::*;
    use crate::BearerError;
    use crate::bearer::tests::Counting;

    #[tokio::test]
    async fn no_token_goes_to_a_plain_http_host_that_is_not_loopback() {
        let source = Arc::new(Counting::default());
        let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            .with(AuthMiddleware::new(Arc::clone(&source)))
            .build();
        let error = http
            .get("http://api.example/things")
            .send()
            .await
            .unwrap_err();
        let reqwest_middleware::Error::Middleware(error) = error else {
            panic!("a middleware error, not a sent request: {error:?}")
        };
        assert!(
            matches!(error.downcast_ref(), Some(BearerError::InsecureUrl { .. })),
            "{error:?}"
        );
        assert_eq!(source.0.load(Ordering::SeqCst), 0);
    }
}
