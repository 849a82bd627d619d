//! The credential document the portal hands out, and the environment variables that carry the
//! same settings.

use std::fmt;
use std::path::Path;

use serde::Deserialize;

use crate::{ClientSecret, Error, Result};

/// The JSON credential document the API Services Portal hands a consumer when an access request
/// is made ("Collect credentials"), such as
///
/// ```json
/// { "flow": "client-credentials", "clientId": "abc-def", "clientSecret": "…",
///   "tokenEndpoint": "https://…/realms/apigw/protocol/openid-connect/token" }
/// ```
///
/// or, for a generated key pair, `clientPrivateKey` (PKCS#8 PEM), `clientPublicKey` and
/// `issuer` instead of `clientSecret`. Unknown fields are ignored. `Debug` never prints the
/// secret or the private key.
///
/// ```
/// let doc = aps_client::CredentialDocument::from_json(
///     r#"{"clientId":"app-1","clientSecret":"s3cret","tokenEndpoint":"https://idp/token"}"#,
/// )?;
/// assert_eq!(doc.client_id(), "app-1");
/// assert!(!format!("{doc:?}").contains("s3cret"));
/// # Ok::<(), aps_client::Error>(())
/// ```
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialDocument {
    flow: Option<String>,
    client_id: String,
    #[serde(default, deserialize_with = "secret")]
    client_secret: Option<ClientSecret>,
    issuer: Option<String>,
    token_endpoint: Option<String>,
    client_public_key: Option<String>,
    #[serde(default, deserialize_with = "secret")]
    client_private_key: Option<ClientSecret>,
}

fn secret<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<ClientSecret>, D::Error> {
    Ok(Option::<String>::deserialize(d)?
        .filter(|s| !s.trim().is_empty())
        .map(ClientSecret::new))
}

impl CredentialDocument {
    /// Reads a document from JSON text.
    ///
    /// # Errors
    ///
    /// [`Error::CredentialDocument`] with the line and column, or the missing field.
    pub fn from_json(json: &str) -> Result<Self> {
        Self::parse(json, "<string>")
    }

    /// Reads a document from a file.
    ///
    /// # Errors
    ///
    /// [`Error::CredentialDocument`] when the file cannot be read or parsed.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::CredentialDocument {
            origin: origin.clone(),
            reason: format!("cannot read: {e}"),
        })?;
        Self::parse(&text, &origin)
    }

    fn parse(json: &str, origin: &str) -> Result<Self> {
        let fail = |reason: String| Error::CredentialDocument {
            origin: origin.to_owned(),
            reason,
        };
        let doc: Self = serde_json::from_str(json).map_err(|e| {
            fail(format!(
                "{} at line {}, column {}",
                without_values(&strip_position(&e)),
                e.line(),
                e.column()
            ))
        })?;
        if doc.client_id.trim().is_empty() {
            return Err(fail("clientId: empty".into()));
        }
        if doc.client_secret.is_none() && doc.client_private_key.is_none() {
            return Err(fail(
                "neither clientSecret nor clientPrivateKey is set".into(),
            ));
        }
        if doc.token_endpoint.is_none() && doc.issuer.is_none() {
            return Err(fail("neither tokenEndpoint nor issuer is set".into()));
        }
        Ok(doc)
    }

    /// `clientId`.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// `clientSecret`, for the `client-secret` authenticator.
    pub fn client_secret(&self) -> Option<&ClientSecret> {
        self.client_secret.as_ref()
    }

    /// `clientPrivateKey` (PEM), for the portal-generated key pair.
    pub fn client_private_key(&self) -> Option<&ClientSecret> {
        self.client_private_key.as_ref()
    }

    /// `clientPublicKey` (PEM).
    pub fn client_public_key(&self) -> Option<&str> {
        self.client_public_key.as_deref()
    }

    /// `tokenEndpoint`.
    pub fn token_endpoint(&self) -> Option<&str> {
        self.token_endpoint.as_deref()
    }

    /// `issuer` (set by the portal for the JWT authenticators).
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// `flow` (`client-credentials`).
    pub fn flow(&self) -> Option<&str> {
        self.flow.as_deref()
    }
}

/// serde_json appends " at line L column C" itself; keep only the message.
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// serde's "invalid type: string \"…\", expected …" quotes the value it refused, which may be a
/// secret (a number, or the whole document being one string); keep only its kind.
fn without_values(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((unexpected, expected)) = rest.split_once(", expected ")
        {
            let kind = unexpected
                .split(['`', '"'])
                .next()
                .unwrap_or_default()
                .trim();
            return format!("{prefix}{kind}, expected {expected}");
        }
    }
    message.to_owned()
}

impl fmt::Debug for CredentialDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialDocument")
            .field("flow", &self.flow)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("issuer", &self.issuer)
            .field("token_endpoint", &self.token_endpoint)
            .field(
                "client_private_key",
                &self.client_private_key.as_ref().map(|_| "[redacted]"),
            )
            .finish_non_exhaustive()
    }
}

/// The environment variables that [`ClientBuilder::load_env`](crate::ClientBuilder::load_env)
/// reads, each optional.
pub mod env {
    /// Path of the portal's JSON credential document.
    pub const CREDENTIALS_FILE: &str = "APS_CREDENTIALS_FILE";
    /// The client id.
    pub const CLIENT_ID: &str = "APS_CLIENT_ID";
    /// The client secret.
    pub const CLIENT_SECRET: &str = "APS_CLIENT_SECRET";
    /// The private key, PEM text.
    pub const CLIENT_PRIVATE_KEY: &str = "APS_CLIENT_PRIVATE_KEY";
    /// Path of the private key PEM file.
    pub const CLIENT_PRIVATE_KEY_FILE: &str = "APS_CLIENT_PRIVATE_KEY_FILE";
    /// The `kid` to put in client assertions.
    pub const CLIENT_KEY_ID: &str = "APS_CLIENT_KEY_ID";
    /// `client_secret_basic`, `client_secret_post` or `private_key_jwt`.
    pub const CLIENT_AUTH_METHOD: &str = "APS_CLIENT_AUTH_METHOD";
    /// The token endpoint URL.
    pub const TOKEN_ENDPOINT: &str = "APS_TOKEN_ENDPOINT";
    /// The issuer URL (discovery finds the token endpoint).
    pub const ISSUER: &str = "APS_ISSUER";
    /// `1`/`true` (or `0`/`false`) for
    /// [`danger_allow_http_loopback`](crate::ClientBuilder::danger_allow_http_loopback): plain
    /// HTTP to a loopback identity provider, for a local test server.
    pub const ALLOW_HTTP_LOOPBACK: &str = "APS_ALLOW_HTTP_LOOPBACK";
    /// Scopes, space separated.
    pub const SCOPE: &str = "APS_SCOPE";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portal_secret_document() {
        let doc = CredentialDocument::from_json(
            r#"{"flow":"client-credentials","clientId":"abc-def","clientSecret":"0b6f-secret",
                "tokenEndpoint":"https://idp/realms/apigw/protocol/openid-connect/token",
                "clientPublicKey":null,"clientPrivateKey":null,"somethingNew":1}"#,
        )
        .unwrap();
        assert_eq!(doc.client_id(), "abc-def");
        assert_eq!(
            doc.client_secret().map(ClientSecret::expose),
            Some("0b6f-secret")
        );
        assert!(doc.client_private_key().is_none());
        assert_eq!(doc.flow(), Some("client-credentials"));
        let debug = format!("{doc:?}");
        assert!(!debug.contains("0b6f"), "{debug}");
    }

    #[test]
    fn portal_key_document_hides_the_key() {
        let doc = CredentialDocument::from_json(
            r#"{"clientId":"abc","clientSecret":null,"issuer":"https://idp/realms/apigw",
                "tokenEndpoint":"https://idp/t","clientPrivateKey":"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"}"#,
        )
        .unwrap();
        assert!(doc.client_secret().is_none());
        assert!(doc.client_private_key().is_some());
        assert!(!format!("{doc:?}").contains("MIIE"));
    }

    #[test]
    fn errors_give_line_column_or_the_missing_part() {
        let err = CredentialDocument::from_json("{\n  \"clientId\": 5\n}").unwrap_err();
        assert!(err.to_string().contains("line 2, column"), "{err}");
        let err =
            CredentialDocument::from_json(r#"{"clientSecret":"s3cret-value","tokenEndpoint":"x"}"#)
                .unwrap_err();
        assert!(
            err.to_string().contains("missing field `clientId`"),
            "{err}"
        );
        assert!(!err.to_string().contains("s3cret-value"));
        let err =
            CredentialDocument::from_json(r#"{"clientId":"a","tokenEndpoint":"x"}"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("neither clientSecret nor clientPrivateKey"),
            "{err}"
        );
        let err =
            CredentialDocument::from_json(r#"{"clientId":"a","clientSecret":"s"}"#).unwrap_err();
        assert!(
            err.to_string().contains("neither tokenEndpoint nor issuer"),
            "{err}"
        );
        for (json, kind) in [
            (r#"{"clientId":"a","clientSecret":123456789}"#, "integer"),
            (r#""0b6f1c1e-secret""#, "string"),
        ] {
            let err = CredentialDocument::from_json(json).unwrap_err().to_string();
            assert!(
                err.contains(&format!("invalid type: {kind}, expected")),
                "{err}"
            );
            assert!(!err.contains("123456789") && !err.contains("0b6f"), "{err}");
        }
        let err = CredentialDocument::from_file("/nonexistent/creds.json").unwrap_err();
        assert!(
            err.to_string()
                .contains("/nonexistent/creds.json: cannot read"),
            "{err}"
        );
    }
}
