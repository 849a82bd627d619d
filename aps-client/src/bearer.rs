//! The plain helper for users without middleware: send a request with the bearer token, and on
//! a 401 get a new token and send it once more.

use reqwest::header::AUTHORIZATION;
use reqwest::{RequestBuilder, Response, StatusCode};

use crate::{Error, TokenSource};

/// Sends `request` with `Authorization: Bearer <token>` from `source`. When the API answers
/// 401, the token is invalidated and the request is sent once more with a new token (requests
/// with a streaming body cannot be cloned and are not retried).
///
/// ```no_run
/// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let client: aps_client::Client = unimplemented!();
/// let http = reqwest::Client::new();
/// let response = aps_client::send_with_token(&client, http.get("https://my-api.example/things")).await?;
/// println!("{}", response.status());
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// [`BearerError::Token`] when no token can be had, [`BearerError::Http`] when the request
/// itself fails. An API's error status is not an error: check the response.
pub async fn send_with_token<S: TokenSource + ?Sized>(
    source: &S,
    request: RequestBuilder,
) -> Result<Response, BearerError> {
    let retry = request.try_clone();
    let token = source.token().await?;
    let response = request
        .header(AUTHORIZATION, token.authorization())
        .send()
        .await?;
    if response.status() != StatusCode::UNAUTHORIZED {
        return Ok(response);
    }
    let Some(retry) = retry else {
        return Ok(response);
    };
    source.invalidate(&token);
    let token = source.token().await?;
    tracing::debug!(target: "aps_client", "API answered 401; retrying once with a new token");
    Ok(retry
        .header(AUTHORIZATION, token.authorization())
        .send()
        .await?)
}

/// Why [`send_with_token`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BearerError {
    /// No token could be had.
    #[error(transparent)]
    Token(#[from] Error),
    /// The API request failed.
    #[error("API request failed: {0}")]
    Http(#[from] reqwest::Error),
}
