//! The credential document the portal hands a consumer, written by the provisioner.

use std::fmt;

use serde::Serialize;
use zeroize::Zeroizing;

use crate::{ClientSecret, Endpoints};

/// The credentials handed to a consumer when its client is registered or its credentials are
/// regenerated: the portal's `NewCredential` JSON, which `aps_client::CredentialDocument`
/// reads.
///
/// Shown once: the private key of a generated key pair is never stored anywhere else. `Debug`
/// shows neither the secret nor the private key; [`to_json`](Self::to_json) does (it is the
/// document to hand over).
#[derive(Clone)]
#[non_exhaustive]
pub struct IssuedCredentials {
    /// The consumer's client id.
    pub client_id: String,
    /// The client secret (`client-secret`).
    pub client_secret: Option<ClientSecret>,
    /// The issuer (set for the JWT authenticators: the assertion audience).
    pub issuer: Option<String>,
    /// The token endpoint.
    pub token_endpoint: String,
    /// The public key of a generated key pair (SPKI PEM).
    pub client_public_key: Option<String>,
    /// The private key of a generated key pair (PKCS#8 PEM), zeroized on drop.
    pub client_private_key: Option<Zeroizing<String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Wire<'a> {
    flow: &'static str,
    client_id: &'a str,
    client_secret: Option<&'a str>,
    issuer: Option<&'a str>,
    token_endpoint: &'a str,
    client_public_key: Option<&'a str>,
    client_private_key: Option<&'a str>,
}

impl IssuedCredentials {
    pub(crate) fn new(client_id: &str, endpoints: &Endpoints) -> Self {
        Self {
            client_id: client_id.to_owned(),
            client_secret: None,
            issuer: None,
            token_endpoint: endpoints.token_endpoint.clone(),
            client_public_key: None,
            client_private_key: None,
        }
    }

    /// The portal's JSON document (`flow`, `clientId`, `clientSecret`, `issuer`,
    /// `tokenEndpoint`, `clientPublicKey`, `clientPrivateKey`), with the secret or private key
    /// in clear: hand it to the consumer, do not log it.
    pub fn to_json(&self) -> Zeroizing<String> {
        let wire = Wire {
            flow: "client-credentials",
            client_id: &self.client_id,
            client_secret: self.client_secret.as_ref().map(ClientSecret::expose),
            issuer: self.issuer.as_deref(),
            token_endpoint: &self.token_endpoint,
            client_public_key: self.client_public_key.as_deref(),
            client_private_key: self.client_private_key.as_ref().map(|k| k.as_str()),
        };
        // Serialising strings and options into a string cannot fail.
        Zeroizing::new(serde_json::to_string_pretty(&wire).unwrap_or_default())
    }

    /// The same document as aps-client reads it, to build a consumer's client.
    ///
    /// # Errors
    /// When there is nothing to authenticate with: a `client-jwt-jwks-url` consumer holds its
    /// own private key, so its document has neither secret nor key.
    pub fn document(&self) -> Result<aps_client::CredentialDocument, aps_client::Error> {
        aps_client::CredentialDocument::from_json(&self.to_json())
    }
}

impl fmt::Debug for IssuedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedCredentials")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_round_trips_through_aps_client_and_debug_hides_secrets() {
        let endpoints = Endpoints::new(
            "https://idp.example/realms/apigw",
            "https://idp.example/realms/apigw/protocol/openid-connect/token",
            "https://idp.example/realms/apigw/protocol/openid-connect/certs",
        );
        let mut issued = IssuedCredentials::new("ENV1-APP1", &endpoints);
        issued.client_secret = Some(ClientSecret::new("s3cr3t-value"));
        let doc = issued.document().unwrap();
        assert_eq!(doc.client_id(), "ENV1-APP1");
        assert_eq!(
            doc.client_secret().map(ClientSecret::expose),
            Some("s3cr3t-value")
        );
        assert_eq!(
            doc.token_endpoint(),
            Some(endpoints.token_endpoint.as_str())
        );
        assert!(issued.to_json().contains(r#""flow": "client-credentials""#));
        assert!(!format!("{issued:?}").contains("s3cr3t"));

        issued.client_secret = None;
        issued.client_private_key = Some(Zeroizing::new("-----BEGIN PRIVATE KEY-----".into()));
        assert!(!format!("{issued:?}").contains("BEGIN"));
    }
}
