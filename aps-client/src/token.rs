//! An access token and what the token endpoint said about it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use serde_json::{Map, Value};
use tokio::time::Instant;

/// An access token, cheap to clone (one reference count), with its expiry on the monotonic
/// clock.
///
/// `Debug` shows the type, the remaining lifetime and the scope, never the token itself. Read the
/// token with [`secret`](Self::secret) or get the ready-made `Authorization` header with
/// [`authorization`](Self::authorization).
#[derive(Clone)]
pub struct Token {
    inner: Arc<Inner>,
}

struct Inner {
    access_token: Box<str>,
    authorization: HeaderValue,
    received_at: Instant,
    expires_at: Instant,
    lifetime_reported: bool,
    scope: Option<Box<str>>,
    requested_scope: Option<Box<str>>,
    extra: Map<String, Value>,
}

/// The longest lifetime a token is given (ten years), so that a `Duration::MAX` passed as a
/// lifetime cannot overflow the clock.
const MAX_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 60 * 60);

/// The parts of a token response that the parser hands to [`Token::new`].
pub(crate) struct TokenParts {
    pub(crate) access_token: String,
    pub(crate) lifetime: Option<Duration>,
    /// The `scope` of the response; `None` when the server left it out.
    pub(crate) scope: Option<String>,
    /// The `scope` parameter of the request.
    pub(crate) requested_scope: Option<String>,
    pub(crate) extra: Map<String, Value>,
}

impl Token {
    /// Builds a token from its parts. `received_at` is when the request was sent (so that the
    /// expiry errs on the early side); `default_lifetime` applies when `expires_in` was absent.
    ///
    /// Returns `None` when the access token cannot go in an HTTP header.
    pub(crate) fn new(
        parts: TokenParts,
        received_at: Instant,
        default_lifetime: Duration,
    ) -> Option<Self> {
        let mut authorization =
            HeaderValue::try_from(format!("Bearer {}", parts.access_token)).ok()?;
        authorization.set_sensitive(true);
        let lifetime = parts.lifetime.unwrap_or(default_lifetime).min(MAX_LIFETIME);
        Some(Self {
            inner: Arc::new(Inner {
                access_token: parts.access_token.into_boxed_str(),
                authorization,
                received_at,
                expires_at: received_at + lifetime,
                lifetime_reported: parts.lifetime.is_some(),
                scope: parts.scope.map(String::into_boxed_str),
                requested_scope: parts.requested_scope.map(String::into_boxed_str),
                extra: parts.extra,
            }),
        })
    }

    /// A token for tests and custom [`TokenSource`](crate::TokenSource)s: `access_token`, valid
    /// for `lifetime` from now (at most ten years).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> aps_client::Result<()> {
    /// use std::time::Duration;
    /// let token = aps_client::Token::from_parts("abc", Duration::from_secs(60), Some("read"))?;
    /// assert_eq!(token.secret(), "abc");
    /// assert_eq!(token.scopes().collect::<Vec<_>>(), ["read"]);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`](crate::Error::Config) (field `access_token`) when `access_token` holds
    /// characters that cannot go in an HTTP header, such as a line break.
    pub fn from_parts(
        access_token: &str,
        lifetime: Duration,
        scope: Option<&str>,
    ) -> crate::Result<Self> {
        let parts = TokenParts {
            access_token: access_token.to_owned(),
            lifetime: Some(lifetime),
            scope: scope.map(str::to_owned),
            requested_scope: None,
            extra: Map::new(),
        };
        Self::new(parts, Instant::now(), lifetime).ok_or_else(|| {
            crate::Error::config(
                "access_token",
                "contains characters that cannot go in an HTTP header",
            )
        })
    }

    /// The access token itself. Handle with care: it is a bearer credential.
    pub fn secret(&self) -> &str {
        &self.inner.access_token
    }

    /// The `Authorization: Bearer …` header value, marked sensitive so that `http` and
    /// `reqwest` do not print it.
    pub fn authorization(&self) -> &HeaderValue {
        &self.inner.authorization
    }

    /// When the token expires, on tokio's monotonic clock (measured from when the request was
    /// sent).
    pub fn expires_at(&self) -> Instant {
        self.inner.expires_at
    }

    /// When the token was requested.
    pub fn received_at(&self) -> Instant {
        self.inner.received_at
    }

    /// The lifetime the server granted (`expires_in`), or the configured default.
    pub fn lifetime(&self) -> Duration {
        self.inner.expires_at - self.inner.received_at
    }

    /// True when the server sent `expires_in`; false when the default lifetime was assumed.
    pub fn lifetime_reported(&self) -> bool {
        self.inner.lifetime_reported
    }

    /// The time left before expiry, zero once expired.
    pub fn expires_in(&self) -> Duration {
        self.inner
            .expires_at
            .saturating_duration_since(Instant::now())
    }

    /// The granted scope exactly as the server wrote it (space separated), or `None` when the
    /// server left `scope` out: then the granted scope is unknown. RFC 6749 section 5.1 lets a
    /// server omit it when it granted exactly the requested scope
    /// ([`requested_scope`](Self::requested_scope)), but not every server keeps to that, so
    /// this crate does not assume it; `token.scope().or(token.requested_scope())` does.
    pub fn scope(&self) -> Option<&str> {
        self.inner.scope.as_deref()
    }

    /// The `scope` parameter of the request that got this token (the configured scopes plus
    /// the request's), or `None` when no scope was asked for.
    pub fn requested_scope(&self) -> Option<&str> {
        self.inner.requested_scope.as_deref()
    }

    /// The granted scopes, one by one: none when the server did not say
    /// ([`scope`](Self::scope) is `None`).
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope().unwrap_or_default().split_ascii_whitespace()
    }

    /// A field of the token response that this crate does not interpret (Keycloak sends
    /// `refresh_expires_in`, `not-before-policy`, …).
    pub fn extra(&self, name: &str) -> Option<&Value> {
        self.inner.extra.get(name)
    }

    /// True when both values are the same token (the same response, not a copy of the string).
    pub fn same_as(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &"[redacted]")
            .field("lifetime", &self.lifetime())
            .field("scope", &self.scope())
            .field("requested_scope", &self.requested_scope())
            .field("extra_fields", &self.inner.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn debug_never_prints_the_token_or_extra_values() {
        let mut extra = Map::new();
        extra.insert("refresh_token".into(), Value::String("rt-secret".into()));
        let parts = TokenParts {
            access_token: "eyJ.secret.sig".into(),
            lifetime: None,
            scope: Some("a b".into()),
            requested_scope: None,
            extra,
        };
        let token = Token::new(parts, Instant::now(), Duration::from_secs(60)).unwrap();
        let debug = format!("{token:?}");
        assert!(
            !debug.contains("eyJ") && !debug.contains("rt-secret"),
            "{debug}"
        );
        assert!(debug.contains("refresh_token"), "{debug}");
        assert!(token.authorization().is_sensitive());
        assert_eq!(token.authorization(), "Bearer eyJ.secret.sig");
        assert_eq!(token.lifetime(), Duration::from_secs(60));
        assert!(!token.lifetime_reported());
        assert_eq!(token.scopes().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[tokio::test(start_paused = true)]
    async fn an_endless_lifetime_is_capped_not_a_panic() {
        let token = Token::from_parts("t", Duration::MAX, None).unwrap();
        assert_eq!(token.lifetime(), MAX_LIFETIME);
    }

    #[tokio::test(start_paused = true)]
    async fn expires_in_follows_the_paused_clock() {
        let token = Token::from_parts("t", Duration::from_secs(300), None).unwrap();
        tokio::time::advance(Duration::from_secs(100)).await;
        assert_eq!(token.expires_in(), Duration::from_secs(200));
        tokio::time::advance(Duration::from_secs(400)).await;
        assert_eq!(token.expires_in(), Duration::ZERO);
    }

    #[test]
    fn a_token_with_a_newline_is_refused_not_panicking() {
        let parts = TokenParts {
            access_token: "a\nb".into(),
            lifetime: None,
            scope: None,
            requested_scope: None,
            extra: Map::new(),
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let _guard = rt.enter();
        assert!(Token::new(parts, Instant::now(), Duration::from_secs(1)).is_none());
        let error = Token::from_parts("a\r\nX-Injected: 1", Duration::from_secs(1), None)
            .expect_err("a header injection is refused");
        assert!(error.is_config(), "{error}");
        assert!(!error.to_string().contains("X-Injected"), "{error}");
    }
}
