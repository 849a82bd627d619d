//! Why a bearer token was refused, and the HTTP answer RFC 6750 prescribes for it.

use aps_core::Denial;

/// Why [`Validator::validate`](crate::Validator::validate) refused a token.
///
/// Four families, each with its HTTP answer ([`status`](Self::status),
/// [`www_authenticate`](Self::www_authenticate)):
/// - the request is malformed (HTTP layer only): 400 with `error="invalid_request"`;
/// - the token is bad: 401 with `error="invalid_token"`;
/// - the token is good but lacks a grant: 403 with `error="insufficient_scope"`;
/// - the keys could not be had at all: 503 (the token may be fine; try again later).
///
/// Messages say what failed, never what the token contained.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// No bearer token was presented (HTTP layer only).
    #[error("no bearer token")]
    Missing,
    /// The request itself is malformed (HTTP layer only): for example a token in the
    /// `Authorization` header and another in an `access_token` query parameter (RFC 6750
    /// section 3.1: more than one method). Answered with 400 `invalid_request`.
    #[error("invalid request: {0}")]
    InvalidRequest(&'static str),
    /// The token is larger than the configured maximum (checked before decoding).
    #[error("token larger than {max} bytes")]
    TooLarge {
        /// The configured maximum.
        max: usize,
    },
    /// The token is not a well-formed compact JWS.
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    /// A claim has the wrong JSON type, a NumericDate is out of range, or a member is duplicated.
    #[error("token claims are malformed")]
    InvalidClaims,
    /// The header's `alg` is not in the allow-list (this includes `none` and HMAC).
    #[error("token algorithm not allowed")]
    AlgorithmNotAllowed,
    /// The header has a `crit` member: this validator understands no JWS extensions.
    #[error("token uses a critical header extension")]
    CriticalHeader,
    /// The `iss` claim is missing or not one of the configured issuers.
    #[error("token issuer not allowed")]
    IssuerNotAllowed,
    /// No key of the issuer matches the token's `kid` (or, without `kid`, its algorithm).
    #[error("no matching key for the token")]
    UnknownKey,
    /// The signature does not verify.
    #[error("invalid token signature")]
    BadSignature,
    /// `exp` is missing.
    #[error("token has no expiry")]
    MissingExpiry,
    /// The token has expired.
    #[error("token expired")]
    Expired,
    /// `nbf` is in the future.
    #[error("token not yet valid")]
    NotYetValid,
    /// `iat` is in the future.
    #[error("token issued in the future")]
    IssuedInFuture,
    /// `exp` is further away than the configured maximum expiration.
    #[error("token lifetime exceeds the maximum")]
    LifetimeTooLong,
    /// A required claim (`iat`, `nbf`, `jti` ...) is missing.
    #[error("token lacks the `{0}` claim")]
    MissingClaim(&'static str),
    /// `aud` does not contain an accepted audience.
    #[error("token audience not accepted")]
    Audience,
    /// `azp` is missing or not an accepted authorized party.
    #[error("token authorized party not accepted")]
    AuthorizedParty,
    /// The token is not an access token (an ID or refresh token, or a wrong `typ`).
    #[error("not an access token")]
    TokenType,
    /// A token-specific check failed (upstream JWT: replay, payload hash).
    #[error("token rejected: {0}")]
    Rejected(&'static str),
    /// The token is valid but lacks the scope or role needed.
    #[error("insufficient scope: {0}")]
    Forbidden(Denial),
    /// The issuer's keys could not be obtained (JWKS endpoint down beyond the stale window).
    #[error("signing keys unavailable for the issuer")]
    KeysUnavailable,
}

impl ValidationError {
    /// The HTTP status RFC 6750 section 3.1 prescribes: 400, 401, 403 or 503.
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            ValidationError::InvalidRequest(_) => 400,
            ValidationError::Forbidden(_) => 403,
            ValidationError::KeysUnavailable => 503,
            _ => 401,
        }
    }

    /// A stable snake_case code for the reason (`expired`, `bad_signature`, `forbidden` ...),
    /// for metrics labels and log queries; the keys of [`Refusals`](crate::Refusals).
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            ValidationError::Missing => "missing",
            ValidationError::InvalidRequest(_) => "invalid_request",
            ValidationError::TooLarge { .. } => "too_large",
            ValidationError::Malformed(_) => "malformed",
            ValidationError::InvalidClaims => "invalid_claims",
            ValidationError::AlgorithmNotAllowed => "algorithm_not_allowed",
            ValidationError::CriticalHeader => "critical_header",
            ValidationError::IssuerNotAllowed => "issuer_not_allowed",
            ValidationError::UnknownKey => "unknown_key",
            ValidationError::BadSignature => "bad_signature",
            ValidationError::MissingExpiry => "missing_expiry",
            ValidationError::Expired => "expired",
            ValidationError::NotYetValid => "not_yet_valid",
            ValidationError::IssuedInFuture => "issued_in_future",
            ValidationError::LifetimeTooLong => "lifetime_too_long",
            ValidationError::MissingClaim(_) => "missing_claim",
            ValidationError::Audience => "audience",
            ValidationError::AuthorizedParty => "authorized_party",
            ValidationError::TokenType => "token_type",
            ValidationError::Rejected(_) => "rejected",
            ValidationError::Forbidden(_) => "forbidden",
            ValidationError::KeysUnavailable => "keys_unavailable",
        }
    }

    /// Whether the token itself was refused (401).
    #[must_use]
    pub fn is_invalid_token(&self) -> bool {
        self.status() == 401
    }

    /// Whether the token was valid but lacks a grant (403).
    #[must_use]
    pub fn is_forbidden(&self) -> bool {
        matches!(self, ValidationError::Forbidden(_))
    }

    /// Whether the keys could not be had (503): not the client's fault.
    #[must_use]
    pub fn is_unavailable(&self) -> bool {
        matches!(self, ValidationError::KeysUnavailable)
    }

    /// The RFC 6750 error code: `invalid_request`, `invalid_token`, `insufficient_scope`; none
    /// for a missing token (section 3.1) or unavailable keys.
    #[must_use]
    pub fn error_code(&self) -> Option<&'static str> {
        match self {
            ValidationError::Missing | ValidationError::KeysUnavailable => None,
            ValidationError::Forbidden(_) => Some("insufficient_scope"),
            ValidationError::InvalidRequest(_) => Some("invalid_request"),
            _ => Some("invalid_token"),
        }
    }

    /// The `WWW-Authenticate` header value for the response, if it should have one.
    ///
    /// # Examples
    /// ```
    /// use aps_jwt::ValidationError;
    /// assert_eq!(
    ///     ValidationError::Expired.www_authenticate().as_deref(),
    ///     Some(r#"Bearer error="invalid_token", error_description="token expired""#)
    /// );
    /// assert_eq!(ValidationError::Missing.www_authenticate().as_deref(), Some("Bearer"));
    /// ```
    #[must_use]
    pub fn www_authenticate(&self) -> Option<String> {
        let code = match self.error_code() {
            None if self.is_unavailable() => return None,
            None => return Some("Bearer".to_owned()),
            Some(code) => code,
        };
        let description = quote(&self.to_string());
        let mut value = format!(r#"Bearer error="{code}", error_description="{description}""#);
        if let ValidationError::Forbidden(denial) = self {
            let scopes = required_scopes(denial);
            if !scopes.is_empty() {
                value.push_str(&format!(r#", scope="{}""#, quote(&scopes.join(" "))));
            }
        }
        Some(value)
    }
}

fn required_scopes(denial: &Denial) -> Vec<String> {
    match denial {
        Denial::MissingScope { required, .. } => required.clone(),
        _ => Vec::new(),
    }
}

/// Keeps a header quoted-string valid: only printable ASCII, no `"` or `\`.
fn quote(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insufficient_scope_names_the_scopes_in_a_valid_quoted_string() {
        let denial = Denial::MissingScope {
            required: vec!["Function2/*".into(), "a\"b\\c\u{e9}".into()],
            all_of: false,
        };
        let err = ValidationError::Forbidden(denial);
        assert_eq!(
            (err.status(), err.error_code()),
            (403, Some("insufficient_scope"))
        );
        assert_eq!(
            err.www_authenticate().as_deref(),
            Some(concat!(
                r#"Bearer error="insufficient_scope", "#,
                r#"error_description="insufficient scope: Missing required scope (one of: Function2/*, a?b?c?)", "#,
                r#"scope="Function2/* a?b?c?""#
            ))
        );
        // A role is not a scope: no scope attribute then.
        let role = ValidationError::Forbidden(Denial::MissingRealmRole {
            required: vec!["admin".into()],
            all_of: false,
        });
        assert!(
            !role
                .www_authenticate()
                .unwrap_or_default()
                .contains("scope=\"")
        );
    }

    #[test]
    fn every_refusal_has_the_answer_rfc_6750_prescribes() {
        for (err, status, code) in [
            (ValidationError::Missing, 401, None),
            (ValidationError::Expired, 401, Some("invalid_token")),
            (ValidationError::Malformed("x"), 401, Some("invalid_token")),
            (ValidationError::KeysUnavailable, 503, None),
            (
                ValidationError::InvalidRequest("x"),
                400,
                Some("invalid_request"),
            ),
        ] {
            assert_eq!((err.status(), err.error_code()), (status, code), "{err:?}");
        }
        assert_eq!(ValidationError::KeysUnavailable.www_authenticate(), None);
    }
}
