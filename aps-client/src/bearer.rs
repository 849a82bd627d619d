//! The plain helper for users without middleware: send a request with the bearer token, and on
//! a 401 get a new token and send it once more.

use reqwest::header::AUTHORIZATION;
use reqwest::{Request, RequestBuilder, Response, StatusCode};
use url::Url;

use crate::{Error, TokenSource};

/// Sends `request` with `Authorization: Bearer <token>` from `source`. When the API answers
/// 401, the token is invalidated and the request is sent once more with a new token (requests
/// with a streaming body cannot be cloned and are not retried).
///
/// The token is only sent over HTTPS, or plain HTTP to a loopback host (RFC 6750 section 5.3):
/// a bearer token on the wire in clear is as good as stolen.
///
/// ```no_run
/// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let client = aps_client::Client::builder()
/// #     .issuer("https://idp.example/realms/apigw")
/// #     .client_id("my-app")
/// #     .client_secret(std::env::var("APS_CLIENT_SECRET")?)
/// #     .build()?;
/// let http = reqwest::Client::new();
/// let response = aps_client::send_with_token(&client, http.get("https://my-api.example/things")).await?;
/// println!("{}", response.status());
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// [`BearerError::InsecureUrl`] for a plain HTTP URL on another host (nothing is sent),
/// [`BearerError::Token`] when no token can be had, [`BearerError::Http`] when the request
/// itself fails. An API's error status is not an error: check the response.
pub async fn send_with_token<S: TokenSource + ?Sized>(
    source: &S,
    request: RequestBuilder,
) -> Result<Response, BearerError> {
    let (http, request) = request.build_split();
    let mut request = request?;
    check_api_url(request.url())?;
    let retry = request.try_clone();
    let token = source.token().await?;
    set_bearer(&mut request, &token);
    let response = http.execute(request).await?;
    if response.status() != StatusCode::UNAUTHORIZED {
        return Ok(response);
    }
    let Some(mut retry) = retry else {
        return Ok(response);
    };
    source.invalidate(&token);
    let token = source.token().await?;
    tracing::debug!(target: "aps_client", "API answered 401; retrying once with a new token");
    set_bearer(&mut retry, &token);
    Ok(http.execute(retry).await?)
}

/// Puts the token in the request's `Authorization` header, replacing any other value.
pub(crate) fn set_bearer(request: &mut Request, token: &crate::Token) {
    request
        .headers_mut()
        .insert(AUTHORIZATION, token.authorization().clone());
}

/// Refuses to put a bearer token on a request that is neither HTTPS nor to a loopback host.
pub(crate) fn check_api_url(url: &Url) -> Result<(), BearerError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if crate::endpoint::is_loopback(url) => Ok(()),
        _ => Err(BearerError::InsecureUrl {
            origin: url.origin().ascii_serialization(),
        }),
    }
}

/// Why [`send_with_token`] (or the middleware) did not send a request with a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BearerError {
    /// No token could be had.
    #[error(transparent)]
    Token(#[from] Error),
    /// The API URL is plain HTTP on a host that is not loopback; the token was not sent.
    #[error(
        "refusing to send a bearer token to {origin}: not HTTPS and not a loopback host \
         (RFC 6750 section 5.3)"
    )]
    InsecureUrl {
        /// The scheme, host and port of the refused URL (the path and query are left out).
        origin: String,
    },
    /// The API request failed.
    #[error("API request failed: {0}")]
    Http(#[from] reqwest::Error),
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::{Result, Token};

    /// Hands out token `t` and counts the calls.
    #[derive(Debug, Default)]
    pub(crate) struct Counting(pub(crate) AtomicUsize);

    #[async_trait::async_trait]
    impl TokenSource for Counting {
        async fn token(&self) -> Result<Token> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Token::from_parts("t", Duration::from_secs(60), None)
        }
    }

    #[tokio::test]
    async fn no_token_goes_to_a_plain_http_host_that_is_not_loopback() {
        let source = Counting::default();
        let request = reqwest::Client::new().get("http://api.example/things?key=k");
        let error = send_with_token(&source, request).await.unwrap_err();
        assert!(
            matches!(&error, BearerError::InsecureUrl { origin } if origin == "http://api.example"),
            "{error:?}"
        );
        assert!(error.to_string().contains("not HTTPS"), "{error}");
        assert_eq!(
            source.0.load(Ordering::SeqCst),
            0,
            "no token was even asked for"
        );
    }

    #[test]
    fn https_anywhere_and_http_on_loopback_only() {
        let ok = |url: &str| check_api_url(&Url::parse(url).unwrap()).is_ok();
        assert!(ok("https://api.example/"));
        assert!(ok("http://127.0.0.1:8080/"));
        assert!(ok("http://localhost/"));
        assert!(ok("http://[::1]/"));
        assert!(!ok("http://api.example/"));
        assert!(!ok("http://10.0.0.1/"));
        assert!(!ok("ws://127.0.0.1/"));
    }
}
