//! Reading a token request (RFC 6749 section 4.4, RFC 7523): the grant type, the scopes, and
//! which client authentication it presents. Pure: bytes and headers in, a request or an
//! RFC 6749 error out.

use std::collections::BTreeMap;

use base64::Engine as _;

use super::oauth_error::OAuthError;

/// `client_assertion_type` of RFC 7523 assertions.
const JWT_BEARER: &str = aps_jwt::CLIENT_ASSERTION_TYPE;

/// A well-formed `client_credentials` request.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct TokenRequest {
    /// The requested scopes (the `scope` parameter, split on spaces).
    pub(super) scopes: Vec<String>,
    /// How the client authenticates.
    pub(super) auth: Presented,
}

/// The client authentication a request presents.
#[derive(PartialEq, Eq)]
pub(super) enum Presented {
    /// `client_secret_basic` (`basic`) or `client_secret_post`.
    Secret {
        client_id: String,
        secret: String,
        basic: bool,
    },
    /// `private_key_jwt`, with the `client_id` parameter if one was sent.
    Assertion {
        client_id: Option<String>,
        assertion: String,
    },
}

impl std::fmt::Debug for Presented {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Secret {
                client_id, basic, ..
            } => f
                .debug_struct("Secret")
                .field("client_id", client_id)
                .field("basic", basic)
                .finish_non_exhaustive(),
            Self::Assertion { client_id, .. } => f
                .debug_struct("Assertion")
                .field("client_id", client_id)
                .finish_non_exhaustive(),
        }
    }
}

/// Reads a token request. `realm` names the HTTP Basic realm of `invalid_client` challenges.
pub(super) fn parse(
    content_type: Option<&str>,
    authorization: Option<&str>,
    body: &[u8],
    realm: &str,
) -> Result<TokenRequest, OAuthError> {
    let is_form = content_type.is_some_and(|ct| {
        ct.split(';').next().is_some_and(|t| {
            t.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    });
    if !is_form {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let mut form = BTreeMap::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        if form.insert(name.to_string(), value.into_owned()).is_some() {
            return Err(OAuthError::invalid_request(format!(
                "parameter `{name}` is repeated"
            )));
        }
    }
    match form.get("grant_type").map(String::as_str) {
        None => {
            return Err(OAuthError::invalid_request(
                "missing form parameter: grant_type",
            ));
        }
        Some("client_credentials") => {}
        Some(other) => {
            return Err(OAuthError::unsupported_grant_type(format!(
                "grant type `{other}` is not supported (only client_credentials)"
            )));
        }
    }
    let scopes = form
        .get("scope")
        .map(|s| {
            s.split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let basic = authorization
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .map(|(_, credentials)| credentials.trim());
    let post = form.contains_key("client_secret");
    let jwt = form.contains_key("client_assertion") || form.contains_key("client_assertion_type");
    if usize::from(basic.is_some()) + usize::from(post) + usize::from(jwt) > 1 {
        return Err(OAuthError::invalid_request(
            "more than one client authentication method in one request",
        ));
    }
    let form_client_id = form.remove("client_id");
    let auth = if let Some(credentials) = basic {
        let fail = |why: &str| OAuthError::invalid_client(why).with_basic_realm(Some(realm));
        let (client_id, secret) =
            decode_basic(credentials).ok_or_else(|| fail("malformed HTTP Basic credentials"))?;
        if form_client_id.as_ref().is_some_and(|id| *id != client_id) {
            return Err(fail("client_id does not match the HTTP Basic user"));
        }
        Presented::Secret {
            client_id,
            secret,
            basic: true,
        }
    } else if post {
        Presented::Secret {
            client_id: form_client_id
                .ok_or_else(|| OAuthError::invalid_client("client_secret without client_id"))?,
            secret: form.remove("client_secret").unwrap_or_default(),
            basic: false,
        }
    } else if jwt {
        match form.get("client_assertion_type").map(String::as_str) {
            Some(JWT_BEARER) => {}
            Some(other) => {
                return Err(OAuthError::invalid_client(format!(
                    "client_assertion_type `{other}` is not {JWT_BEARER}"
                )));
            }
            None => return Err(OAuthError::invalid_client("missing client_assertion_type")),
        }
        Presented::Assertion {
            client_id: form_client_id,
            assertion: form
                .remove("client_assertion")
                .ok_or_else(|| OAuthError::invalid_client("missing client_assertion"))?,
        }
    } else {
        return Err(OAuthError::invalid_client("no client authentication"));
    };
    Ok(TokenRequest { scopes, auth })
}

/// RFC 6749 section 2.3.1: base64 of `id:secret`, each form-urlencoded.
fn decode_basic(credentials: &str) -> Option<(String, String)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(credentials)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((form_decode(id)?, form_decode(secret)?))
}

/// Decodes `application/x-www-form-urlencoded` text strictly: `+` is a space, `%XX` a byte,
/// a `%` without two hex digits or bytes that are not UTF-8 are errors.
fn form_decode(text: &str) -> Option<String> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = [bytes.next()?, bytes.next()?];
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            other => out.push(other),
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests;
