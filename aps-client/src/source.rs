//! The one trait: something that hands out valid tokens.

use std::sync::Arc;

use crate::{Result, Token};

/// Something that hands out valid access tokens, like Go's `oauth2.TokenSource`.
///
/// [`Client`](crate::Client) implements it (cached, refreshed ahead of expiry), and so does
/// [`CachedTokenSource`](crate::CachedTokenSource), which caches any other source. The
/// middleware and [`send_with_token`](crate::send_with_token) accept any implementation, so a
/// test or an unusual identity provider can plug in its own.
///
/// ```
/// use aps_client::{Result, Token, TokenSource};
///
/// #[derive(Debug)]
/// struct Fixed(Token);
///
/// #[async_trait::async_trait]
/// impl TokenSource for Fixed {
///     async fn token(&self) -> Result<Token> {
///         Ok(self.0.clone())
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait TokenSource: Send + Sync {
    /// A token that is valid now.
    ///
    /// # Errors
    ///
    /// When no valid token can be had: see [`Error`](crate::Error).
    async fn token(&self) -> Result<Token>;

    /// Tells the source that an API refused `rejected` (HTTP 401), so that the next call gets a
    /// new token. A source drops its cached token only if it is still `rejected`, so that many
    /// requests failing with the same token cause one refresh, not one each. Does nothing by
    /// default.
    fn invalidate(&self, rejected: &Token) {
        let _ = rejected;
    }
}

#[async_trait::async_trait]
impl<T: TokenSource + ?Sized> TokenSource for Arc<T> {
    async fn token(&self) -> Result<Token> {
        (**self).token().await
    }

    fn invalidate(&self, rejected: &Token) {
        (**self).invalidate(rejected);
    }
}

#[async_trait::async_trait]
impl<T: TokenSource + ?Sized> TokenSource for Box<T> {
    async fn token(&self) -> Result<Token> {
        (**self).token().await
    }

    fn invalidate(&self, rejected: &Token) {
        (**self).invalidate(rejected);
    }
}
