//! The one error type of the crate. The RFC 6749 section 5.2 error response is in `oauth`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

mod oauth;

pub use oauth::{AssertionFacts, ErrorCode, OAuthError};

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while getting a token.
///
/// It is `Clone` (causes are shared) so that one failed refresh can be handed to every caller
/// that waited for it. No variant ever carries a secret, a private key, an assertion or a token.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is incomplete or contradictory: `field` says which setting.
    #[error("invalid configuration: {field}: {reason}")]
    Config {
        /// The setting, such as `token_endpoint` or `APS_CLIENT_ID`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The credential document the portal handed out cannot be read.
    #[error("credential document {origin}: {reason}")]
    CredentialDocument {
        /// Where the document came from (a file path, `APS_CREDENTIALS`, or `<string>`).
        origin: String,
        /// What is wrong, with the field path or the line and column.
        reason: String,
    },
    /// A URL that would carry credentials is not HTTPS and not an allowed loopback address.
    #[error(
        "{what} {url} is not HTTPS; plain HTTP is allowed only for loopback hosts, and only with \
         ClientBuilder::danger_allow_http_loopback(true) or APS_ALLOW_HTTP_LOOPBACK=1"
    )]
    InsecureUrl {
        /// Which URL (`token endpoint`, `issuer`).
        what: &'static str,
        /// The URL.
        url: String,
    },
    /// OIDC discovery did not give a usable token endpoint.
    #[error("OIDC discovery at {url} failed: {reason}")]
    Discovery {
        /// The discovery document's URL.
        url: String,
        /// The HTTP status, when the server answered with an error status (a 5xx or 429 is
        /// retried like a token endpoint's).
        status: Option<StatusCode>,
        /// What went wrong.
        reason: String,
    },
    /// The request did not get an HTTP answer: connection refused or reset, DNS, TLS, timeout.
    #[error("cannot reach {url}: {kind}")]
    Transport {
        /// The URL asked.
        url: String,
        /// Connect, timeout or other.
        kind: TransportKind,
        /// The underlying error.
        #[source]
        source: Arc<reqwest::Error>,
    },
    /// The token endpoint refused the request with an RFC 6749 section 5.2 error.
    #[error(transparent)]
    OAuth(Box<OAuthError>),
    /// The token endpoint answered something that is not an OAuth response (an HTML error
    /// page from a proxy, an empty body, plain text).
    #[error("{url} answered {status} with {summary}, not an OAuth JSON response")]
    UnexpectedResponse {
        /// The URL asked.
        url: String,
        /// The HTTP status.
        status: StatusCode,
        /// What came back, in a few words (`an HTML page titled "Bad Gateway"`).
        summary: String,
        /// The `Retry-After` the server asked for, if any.
        retry_after: Option<Duration>,
    },
    /// A successful (2xx) answer that is not a usable token response.
    #[error("the token response from {url} is invalid: {field}: {reason}")]
    InvalidTokenResponse {
        /// The URL asked.
        url: String,
        /// The field at fault (`access_token`, `token_type`, `expires_in`, or `body`).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The client assertion for `private_key_jwt` could not be signed.
    #[error("signing the client assertion failed: {0}")]
    Assertion(#[source] Arc<aps_jwt::Error>),
    /// The token endpoint failed a moment ago with a transient error (connection, timeout, 5xx,
    /// 429) and asked for a pause (`Retry-After`), or is backed off after an outage: no request
    /// was sent. `last` is that failure; try again after `retry_in` (also
    /// [`retry_after`](Self::retry_after)).
    #[error("not asking the token endpoint again for {}s after its last failure: {last}", retry_in.as_secs_f64().ceil())]
    Backoff {
        /// The time left before a new request is sent.
        retry_in: Duration,
        /// The failure that started the pause.
        #[source]
        last: Box<Error>,
    },
    /// The refresh that this caller waited for ended without an answer (its task was dropped,
    /// for example because the runtime shut down).
    #[error("the token refresh ended before it produced a token")]
    RefreshAborted,
}

/// Why a request got no HTTP answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// Connection refused, reset, DNS or TLS failure.
    Connect,
    /// The connect or request timeout elapsed.
    Timeout,
    /// The connection broke while sending or receiving, or another I/O failure.
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connection failed",
            Self::Timeout => "timed out",
            Self::Other => "the connection broke",
        })
    }
}

impl Error {
    pub(crate) fn config(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Config {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn transport(url: &str, source: reqwest::Error) -> Self {
        let kind = if source.is_timeout() {
            TransportKind::Timeout
        } else if source.is_connect() {
            TransportKind::Connect
        } else {
            TransportKind::Other
        };
        Self::Transport {
            url: url.to_owned(),
            kind,
            source: Arc::new(source),
        }
    }

    /// The RFC 6749 error response, when the token endpoint sent one.
    pub fn oauth(&self) -> Option<&OAuthError> {
        match self {
            Self::OAuth(e) => Some(e),
            Self::Backoff { last, .. } => last.oauth(),
            _ => None,
        }
    }

    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::OAuth(e) => Some(e.status),
            Self::UnexpectedResponse { status, .. } => Some(*status),
            Self::Discovery { status, .. } => *status,
            Self::Backoff { last, .. } => last.status(),
            _ => None,
        }
    }

    /// The wait the server asked for with `Retry-After`; for [`Error::Backoff`], the time left.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Backoff { retry_in, .. } => Some(*retry_in),
            Self::OAuth(e) => e.retry_after,
            Self::UnexpectedResponse { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// True for a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            Self::Transport {
                kind: TransportKind::Timeout,
                ..
            }
        )
    }

    /// True when no connection could be made.
    pub fn is_connect(&self) -> bool {
        matches!(
            self,
            Self::Transport {
                kind: TransportKind::Connect,
                ..
            }
        )
    }

    /// True when the same request may succeed later: connection failures, timeouts, 5xx and
    /// 429. These are the failures that are retried.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport { .. } | Self::Backoff { .. } => true,
            _ => self
                .status()
                .is_some_and(|s| s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS),
        }
    }

    /// True when the identity provider refused the client itself (`invalid_client` or
    /// `unauthorized_client`): unknown, disabled, or wrong credentials. Never retried.
    pub fn is_client_rejected(&self) -> bool {
        self.oauth().is_some_and(|e| {
            matches!(
                e.code,
                ErrorCode::InvalidClient | ErrorCode::UnauthorizedClient
            )
        })
    }

    /// True for a configuration problem found before any request was sent.
    pub fn is_config(&self) -> bool {
        matches!(
            self,
            Self::Config { .. } | Self::CredentialDocument { .. } | Self::InsecureUrl { .. }
        )
    }
}

impl From<OAuthError> for Error {
    fn from(e: OAuthError) -> Self {
        Self::OAuth(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oauth(code: &str, status: u16) -> Error {
        OAuthError::sample(code, status).into()
    }

    #[test]
    fn transient_means_5xx_and_429_only() {
        assert!(!oauth("invalid_client", 401).is_transient());
        assert!(!oauth("invalid_scope", 400).is_transient());
        assert!(!oauth("invalid_request", 404).is_transient());
        assert!(oauth("temporarily_unavailable", 503).is_transient());
        assert!(oauth("slow_down", 429).is_transient());
        assert!(oauth("invalid_client", 401).is_client_rejected());
        assert!(oauth("unauthorized_client", 401).is_client_rejected());
        assert!(!oauth("invalid_scope", 400).is_client_rejected());
    }

    #[test]
    fn error_is_send_sync_clone() {
        fn assert_impls<T: Send + Sync + Clone + 'static>() {}
        assert_impls::<Error>();
    }
}
