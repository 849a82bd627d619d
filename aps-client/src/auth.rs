//! Client authentication at the token endpoint: `client_secret_basic`, `client_secret_post` and
//! `private_key_jwt`. Pure: it turns credentials into a header and form fields.

use std::fmt;

use base64::Engine as _;
use reqwest::header::HeaderValue;

use crate::assertion::PrivateKeyJwt;
use crate::{ClientSecret, Error, Result};

/// How the client proves its identity to the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthMethod {
    /// The secret in an `Authorization: Basic` header (RFC 6749 section 2.3.1), with the id and
    /// secret form-encoded first as the RFC requires. What RFC 6749 says every server supports.
    ClientSecretBasic,
    /// The id and secret as `client_id` and `client_secret` form fields.
    ClientSecretPost,
    /// A JWT signed with the client's private key (RFC 7523), the portal's `client-jwt` and
    /// `client-jwt-jwks-url` authenticators.
    PrivateKeyJwt,
}

impl AuthMethod {
    /// The name used in discovery documents (`token_endpoint_auth_methods_supported`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::PrivateKeyJwt => "private_key_jwt",
        }
    }

    /// Reads `client_secret_basic`, `client_secret_post` or `private_key_jwt`, ignoring case
    /// (also `basic`, `post`, `jwt`, and the portal's authenticator names: `client-secret` is
    /// `client_secret_basic`; `client-jwt` and `client-jwt-jwks-url` are `private_key_jwt`).
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "client_secret_basic" | "basic" | "client-secret" => Some(Self::ClientSecretBasic),
            "client_secret_post" | "post" => Some(Self::ClientSecretPost),
            "private_key_jwt" | "jwt" | "client-jwt" | "client-jwt-jwks-url" => {
                Some(Self::PrivateKeyJwt)
            }
            _ => None,
        }
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The credential material, swappable at run time (see `Client::rotate_*`).
#[derive(Debug, Clone)]
pub(crate) enum Credential {
    Secret {
        secret: ClientSecret,
        method: AuthMethod,
    },
    Key(PrivateKeyJwt),
}

impl Credential {
    pub(crate) fn method(&self) -> AuthMethod {
        match self {
            Self::Secret { method, .. } => *method,
            Self::Key(_) => AuthMethod::PrivateKeyJwt,
        }
    }
}

/// What client authentication adds to a token request.
pub(crate) struct Authentication {
    pub(crate) header: Option<HeaderValue>,
    pub(crate) form: Vec<(&'static str, String)>,
}

impl fmt::Debug for Authentication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = self.form.iter().map(|(name, _)| *name).collect();
        f.debug_struct("Authentication")
            .field("header", &self.header.as_ref().map(|_| "[redacted]"))
            .field("form_fields", &names)
            .finish()
    }
}

/// Builds the authentication of one request. `audience` is the assertion's `aud` for
/// `private_key_jwt`.
pub(crate) fn authenticate(
    credential: &Credential,
    client_id: &str,
    audience: &str,
) -> Result<Authentication> {
    match credential {
        Credential::Secret {
            secret,
            method: AuthMethod::ClientSecretPost,
        } => Ok(Authentication {
            header: None,
            form: vec![
                ("client_id", client_id.to_owned()),
                ("client_secret", secret.expose().to_owned()),
            ],
        }),
        Credential::Secret { secret, .. } => Ok(Authentication {
            header: Some(basic_header(client_id, secret)?),
            form: Vec::new(),
        }),
        Credential::Key(key) => Ok(Authentication {
            header: None,
            form: vec![
                ("client_id", client_id.to_owned()),
                (
                    "client_assertion_type",
                    aps_jwt::CLIENT_ASSERTION_TYPE.to_owned(),
                ),
                ("client_assertion", key.sign(client_id, audience)?),
            ],
        }),
    }
}

/// `Basic base64(form_urlencode(id) ":" form_urlencode(secret))`, RFC 6749 section 2.3.1.
pub(crate) fn basic_header(client_id: &str, secret: &ClientSecret) -> Result<HeaderValue> {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let pair = format!("{}:{}", encode(client_id), encode(secret.expose()));
    let value = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    );
    // Base64 output is always a valid header value; the error branch is kept rather than an
    // unwrap so that the function can never panic.
    let mut header = HeaderValue::try_from(value)
        .map_err(|_| Error::config("client_secret", "cannot be put in an Authorization header"))?;
    header.set_sensitive(true);
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(header: &HeaderValue) -> String {
        let value = header.to_str().unwrap().strip_prefix("Basic ").unwrap();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(value)
                .unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn basic_form_encodes_id_and_secret_before_base64() {
        let header = basic_header("my app:1", &ClientSecret::new("p@ss:w+rd/%é ~")).unwrap();
        assert!(header.is_sensitive());
        assert_eq!(
            decode(&header),
            "my+app%3A1:p%40ss%3Aw%2Brd%2F%25%C3%A9+%7E"
        );
    }

    #[test]
    fn plain_ids_and_uuid_secrets_are_unchanged() {
        let header = basic_header(
            "app-1",
            &ClientSecret::new("0b6f1c1e-5a6d-4c61-9d0e-7a1f2b3c4d5e"),
        )
        .unwrap();
        assert_eq!(
            decode(&header),
            "app-1:0b6f1c1e-5a6d-4c61-9d0e-7a1f2b3c4d5e"
        );
    }

    #[test]
    fn post_puts_id_and_secret_in_the_form_and_debug_hides_them() {
        let credential = Credential::Secret {
            secret: "s3cret".into(),
            method: AuthMethod::ClientSecretPost,
        };
        let auth = authenticate(&credential, "app-1", "unused").unwrap();
        assert!(auth.header.is_none());
        assert_eq!(auth.form[0], ("client_id", "app-1".to_owned()));
        assert_eq!(auth.form[1].0, "client_secret");
        assert!(!format!("{auth:?}").contains("s3cret"));
        let basic = Credential::Secret {
            secret: "s3cret".into(),
            method: AuthMethod::ClientSecretBasic,
        };
        let auth = authenticate(&basic, "app-1", "unused").unwrap();
        assert!(auth.form.is_empty() && auth.header.is_some());
        assert!(!format!("{auth:?}").contains("Basic"));
    }

    #[test]
    fn method_names_parse() {
        for method in [
            AuthMethod::ClientSecretBasic,
            AuthMethod::ClientSecretPost,
            AuthMethod::PrivateKeyJwt,
        ] {
            assert_eq!(AuthMethod::parse(method.as_str()), Some(method));
        }
        assert_eq!(
            AuthMethod::parse(" POST "),
            Some(AuthMethod::ClientSecretPost)
        );
        assert_eq!(
            AuthMethod::parse("client-jwt-jwks-url"),
            Some(AuthMethod::PrivateKeyJwt)
        );
        assert_eq!(
            AuthMethod::parse("client-secret"),
            Some(AuthMethod::ClientSecretBasic)
        );
        assert_eq!(AuthMethod::parse("tls_client_auth"), None);
    }
}
