//! Client authentication at the token endpoint: which client a request claims to be, whether
//! that client may authenticate that way, its secret (compared in constant time) or its
//! assertion (RFC 7523, checked by `aps_jwt::AssertionVerifier`). Pure apart from the
//! verifier's memory of spent `jti`s.

use aps_jwt::{AssertionVerifier, VerifyingKey};
use base64::Engine as _;

use super::client::{Credential, DevClient, JwtKey};
use super::oauth_error::OAuthError;
use super::request::Presented;

/// The client a request claims to be: the Basic user, the `client_id` parameter, or the
/// assertion's `sub` (which must equal `client_id` when both are sent).
pub(super) fn claimed_client_id(presented: &Presented) -> Result<String, OAuthError> {
    match presented {
        Presented::Secret { client_id, .. } => Ok(client_id.clone()),
        Presented::Assertion {
            client_id,
            assertion,
        } => {
            let subject = aps_jwt::unverified_client_id(assertion)
                .ok_or_else(|| OAuthError::invalid_client("the client assertion cannot be read"))?;
            match client_id {
                Some(id) if *id != subject => Err(OAuthError::invalid_client(
                    "client_id does not match the client assertion's sub",
                )),
                _ => Ok(subject),
            }
        }
    }
}

/// What is left to check once the client may use the presented method.
#[derive(Debug)]
pub(super) enum Admitted {
    /// The secret matched: authenticated.
    Done,
    /// The assertion must be verified with this key (PEM) or the keys at this JWKS URL.
    Assertion(JwtKey),
}

/// A client that may get a token once [`Admission::admitted`] is done.
#[derive(Debug)]
pub(super) struct Admission {
    /// The client.
    pub(super) client: DevClient,
    /// What is left to check.
    pub(super) admitted: Admitted,
}

/// Checks that `client` exists, may get tokens, and authenticates as `presented` does.
pub(super) fn admit(
    client: Option<DevClient>,
    client_id: &str,
    presented: &Presented,
) -> Result<Admission, OAuthError> {
    let client = client
        .ok_or_else(|| OAuthError::invalid_client(format!("client `{client_id}` not found")))?;
    let admitted = check_method(&client, client_id, presented)?;
    Ok(Admission { client, admitted })
}

fn check_method(
    client: &DevClient,
    client_id: &str,
    presented: &Presented,
) -> Result<Admitted, OAuthError> {
    if !client.enabled {
        return Err(OAuthError::invalid_client(format!(
            "client `{client_id}` is disabled"
        )));
    }
    match (&client.credential, presented) {
        (Credential::BearerOnly, _) => Err(OAuthError::invalid_client(format!(
            "client `{client_id}` is bearer-only: it cannot get tokens"
        ))),
        (Credential::Secret(expected), Presented::Secret { secret, .. }) => {
            aws_lc_rs::constant_time::verify_slices_are_equal(
                expected.expose().as_bytes(),
                secret.as_bytes(),
            )
            .map(|()| Admitted::Done)
            .map_err(|_| OAuthError::invalid_client("invalid client credentials"))
        }
        (Credential::Jwt(key), Presented::Assertion { .. }) => Ok(Admitted::Assertion(key.clone())),
        (Credential::Secret(_), Presented::Assertion { .. }) => Err(OAuthError::invalid_client(
            format!("client `{client_id}` authenticates with a secret, not a signed JWT"),
        )),
        (Credential::Jwt(_), Presented::Secret { .. }) => Err(OAuthError::invalid_client(format!(
            "client `{client_id}` authenticates with a signed JWT, not a secret"
        ))),
    }
}

/// Verifies an assertion of `client_id` with `keys`; the `jti` is spent on success.
pub(super) fn verify_assertion(
    verifier: &AssertionVerifier,
    assertion: &str,
    client_id: &str,
    keys: &[VerifyingKey],
) -> Result<(), OAuthError> {
    verifier
        .verify(assertion, client_id, keys)
        .map(drop)
        .map_err(|e| {
            OAuthError::invalid_client(format!("client authentication with signed JWT failed: {e}"))
        })
}

/// The `kid` of an assertion's header, before any verification (to pick JWKS keys).
pub(super) fn assertion_kid(assertion: &str) -> Option<String> {
    let header = assertion.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .ok()?;
    let header: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    header.get("kid")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests;
