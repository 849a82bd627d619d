//! The RFC 6749 section 5.2 error response, its codes, and what they mean in plain words.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

/// An RFC 6749 section 5.2 error response from the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthError {
    /// The `error` code.
    pub code: ErrorCode,
    /// The `error_description`, as the server wrote it.
    pub description: Option<String>,
    /// The `error_uri`.
    pub uri: Option<String>,
    /// The HTTP status.
    pub status: StatusCode,
    /// The client that asked.
    pub client_id: String,
    /// The `Retry-After` the server asked for, if any.
    pub retry_after: Option<Duration>,
    /// With `private_key_jwt`: the `aud` and `kid` of the client assertion that was sent (never
    /// the assertion itself), the two values a provider most often refuses.
    pub assertion: Option<AssertionFacts>,
}

/// What a refused client assertion carried, for the error message: its `aud` and `kid`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AssertionFacts {
    /// The assertion's `aud`.
    pub audience: String,
    /// The assertion's `kid`.
    pub key_id: String,
}

impl OAuthError {
    /// What the error means for the consumer, in plain words.
    ///
    /// Keycloak (26.x) answers `invalid_client` for a client that is unknown **or disabled**
    /// (the portal creates a consumer's client disabled until the access request is approved),
    /// and `unauthorized_client` for an enabled client with a wrong secret or key.
    pub fn explanation(&self) -> &'static str {
        let description = self.description.as_deref().unwrap_or_default();
        if description.contains("Unable to load public key") {
            return "the identity provider has no public key for this client matching the assertion's \
                    `kid`: register the key (upload or JWKS URL), or sign with the kid it expects \
                    (see aps_client::keycloak_key_id)";
        }
        if description.contains("signed JWT failed") {
            return "the client assertion was refused: wrong key, audience, or an expired or reused \
                    assertion (check the clock)";
        }
        match self.code {
            ErrorCode::InvalidClient | ErrorCode::UnauthorizedClient
                if self.assertion.is_some() =>
            {
                "the identity provider refused the client or its assertion: the client may be \
                 unknown, or disabled because its access request is not approved yet in the API \
                 Services Portal; or the assertion failed a check: its audience (`aud`: the \
                 provider's issuer exactly as it writes it, or its token endpoint), its key id \
                 (`kid`: a key registered for this client, under that name), or its times \
                 (`iat`/`exp`: check this machine's clock)"
            }
            ErrorCode::InvalidClient => {
                "the identity provider does not accept this client: it is unknown, or it is \
                 disabled because its access request is not approved yet in the API Services \
                 Portal (with servers other than Keycloak, the secret or key may also be wrong)"
            }
            ErrorCode::UnauthorizedClient => {
                "the client's secret or private key is wrong, or the client may not use the \
                 client credentials grant"
            }
            ErrorCode::InvalidScope => {
                "a requested scope is unknown or not granted to this client; ask the API \
                 provider which scopes the access request gave you"
            }
            ErrorCode::InvalidGrant => "the grant was refused",
            ErrorCode::InvalidRequest => "the token request is malformed or misses a parameter",
            ErrorCode::UnsupportedGrantType => {
                "the client credentials grant is not enabled for this client (service accounts \
                 off in Keycloak)"
            }
            ErrorCode::Other(_) => "the token endpoint refused the request",
        }
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "token request for client `{}` refused ({} {}",
            self.client_id,
            self.status.as_u16(),
            self.code
        )?;
        if let Some(description) = &self.description {
            write!(f, ": {description}")?;
        }
        write!(f, "): {}", self.explanation())?;
        if let Some(facts) = &self.assertion {
            write!(
                f,
                " (the assertion had aud `{}` and kid `{}`)",
                facts.audience, facts.key_id
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for OAuthError {}

/// The `error` code of an RFC 6749 section 5.2 response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `invalid_request`
    InvalidRequest,
    /// `invalid_client`
    InvalidClient,
    /// `invalid_grant`
    InvalidGrant,
    /// `unauthorized_client`
    UnauthorizedClient,
    /// `unsupported_grant_type`
    UnsupportedGrantType,
    /// `invalid_scope`
    InvalidScope,
    /// Any other code, kept as the server sent it.
    Other(String),
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::Other(code) => code,
        }
    }
}

impl From<&str> for ErrorCode {
    fn from(code: &str) -> Self {
        match code {
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "invalid_scope" => Self::InvalidScope,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Keycloak's refusal of client `app-1` with `code` and `status`, for the crate's unit tests.
#[cfg(test)]
impl OAuthError {
    pub(crate) fn sample(code: &str, status: u16) -> Self {
        Self {
            code: code.into(),
            description: Some("Invalid client or Invalid client credentials".into()),
            uri: None,
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            client_id: "app-1".into(),
            retry_after: None,
            assertion: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oauth(code: &str, status: u16) -> OAuthError {
        OAuthError::sample(code, status)
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_are_kept() {
        for code in [
            "invalid_request",
            "invalid_client",
            "invalid_grant",
            "unauthorized_client",
            "unsupported_grant_type",
            "invalid_scope",
            "temporarily_unavailable",
        ] {
            assert_eq!(ErrorCode::from(code).as_str(), code);
        }
        assert_eq!(
            ErrorCode::from("slow_down"),
            ErrorCode::Other("slow_down".into())
        );
    }

    #[test]
    fn disabled_client_message_says_so_in_plain_words() {
        let text = oauth("invalid_client", 401).to_string();
        assert!(text.contains("client `app-1`"), "{text}");
        assert!(text.contains("401 invalid_client"), "{text}");
        assert!(
            text.contains("disabled because its access request is not approved"),
            "{text}"
        );
    }

    #[test]
    fn key_problems_are_not_explained_as_a_disabled_client() {
        let mut error = OAuthError {
            code: ErrorCode::InvalidClient,
            description: Some("Unable to load public key".into()),
            uri: None,
            status: StatusCode::BAD_REQUEST,
            client_id: "app-1".into(),
            retry_after: None,
            assertion: None,
        };
        assert!(error.explanation().contains("keycloak_key_id"));
        error.description =
            Some("Client authentication with signed JWT failed: Token reuse detected".into());
        assert!(error.explanation().contains("assertion was refused"));
    }

    #[test]
    fn issue_12_a_refused_assertion_names_the_checks_with_its_aud_and_kid() {
        for code in ["invalid_client", "unauthorized_client"] {
            let mut error = oauth(code, 401);
            error.description = Some("client authentication failed".into());
            error.assertion = Some(AssertionFacts {
                audience: "http://127.0.0.1:8080".into(),
                key_id: "kid-1".into(),
            });
            let text = error.to_string();
            for expected in [
                "audience",
                "key id",
                "clock",
                "aud `http://127.0.0.1:8080`",
                "kid `kid-1`",
                "not approved",
            ] {
                assert!(text.contains(expected), "{expected}: {text}");
            }
        }
    }
}
