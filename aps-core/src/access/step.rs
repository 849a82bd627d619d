//! What can happen to a request (steps), and what the IdP must do about it (actions).

use std::fmt;

use serde::{Deserialize, Serialize};
use url::Url;

use super::{AccessRequest, TransitionError};
use crate::issuer_url::is_https_or_loopback_http;
use crate::profile::ClientAuthenticator;

/// What an approver grants: default client scopes (within the profile's
/// `availableScopes`) and roles (within its `clientRoles`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Grants {
    /// Realm client scopes set as the client's default scopes (optional scopes are cleared).
    #[serde(default)]
    pub default_client_scopes: Vec<String>,
    /// Roles of the profile's client given to the consumer's service account.
    #[serde(default)]
    pub roles: Vec<String>,
}

impl Grants {
    /// Grants of these scopes and roles.
    pub fn new<S, R>(scopes: S, roles: R) -> Self
    where
        S: IntoIterator,
        S::Item: Into<String>,
        R: IntoIterator,
        R::Item: Into<String>,
    {
        Self {
            default_client_scopes: scopes.into_iter().map(Into::into).collect(),
            roles: roles.into_iter().map(Into::into).collect(),
        }
    }
}

/// The consumer's public key material for `client-jwt-jwks-url`: exactly one of a JWKS URL
/// or a certificate / public key (PEM).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum ClientKey {
    /// A JWKS URL the IdP fetches keys from.
    JwksUrl(String),
    /// A PEM certificate or public key.
    Certificate(String),
}

impl ClientKey {
    /// From the portal's two optional fields, which must hold exactly one value.
    ///
    /// # Errors
    /// [`TransitionError::ClientKeyRequired`] when both are empty,
    /// [`TransitionError::BothClientKeys`] when both are set.
    ///
    /// # Examples
    /// ```
    /// use aps_core::{ClientKey, TransitionError};
    ///
    /// let key = ClientKey::from_parts(Some("https://consumer.example/jwks.json"), Some(""))?;
    /// assert_eq!(key, ClientKey::JwksUrl("https://consumer.example/jwks.json".into()));
    /// assert_eq!(
    ///     ClientKey::from_parts(None, None),
    ///     Err(TransitionError::ClientKeyRequired)
    /// );
    /// # Ok::<(), TransitionError>(())
    /// ```
    pub fn from_parts(
        jwks_url: Option<&str>,
        certificate: Option<&str>,
    ) -> Result<Self, TransitionError> {
        let present = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        match (present(jwks_url), present(certificate)) {
            (Some(url), None) => Ok(Self::JwksUrl(url)),
            (None, Some(cert)) => Ok(Self::Certificate(cert)),
            (Some(_), Some(_)) => Err(TransitionError::BothClientKeys),
            (None, None) => Err(TransitionError::ClientKeyRequired),
        }
    }

    /// Shallow checks: an absolute `https` URL (or `http` on loopback), or PEM armour.
    pub(super) fn check(&self) -> Result<(), TransitionError> {
        match self {
            Self::JwksUrl(text) => {
                let url = Url::parse(text).map_err(|_| TransitionError::InvalidJwksUrl)?;
                if !is_https_or_loopback_http(&url)
                    || url.host().is_none()
                    || !url.username().is_empty()
                    || url.password().is_some()
                {
                    return Err(TransitionError::InvalidJwksUrl);
                }
            }
            Self::Certificate(pem) => {
                let pem = pem.trim();
                let armoured = ["CERTIFICATE", "PUBLIC KEY"].iter().any(|label| {
                    pem.starts_with(&format!("-----BEGIN {label}-----"))
                        && pem.ends_with(&format!("-----END {label}-----"))
                });
                if !armoured {
                    return Err(TransitionError::InvalidCertificate);
                }
            }
        }
        Ok(())
    }
}

/// Something that happens to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "step",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum Step {
    /// Create the consumer's client, disabled, and hand out its credentials.
    IssueCredentials,
    /// Enable the client with these grants (again from `approved`: change the grants).
    Approve {
        /// What is granted.
        grants: Grants,
    },
    /// Refuse the request.
    Reject,
    /// Withdraw approved access.
    Revoke,
    /// New secret (`client-secret`), new key pair (`client-jwt`), nothing (JWKS URL).
    RegenerateCredentials,
    /// Replace the JWKS URL or certificate (`client-jwt-jwks-url` only).
    UpdateClientKey {
        /// The new key material.
        key: ClientKey,
    },
}

/// The name of a step, for errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum StepKind {
    /// [`Step::IssueCredentials`].
    IssueCredentials,
    /// [`Step::Approve`].
    Approve,
    /// [`Step::Reject`].
    Reject,
    /// [`Step::Revoke`].
    Revoke,
    /// [`Step::RegenerateCredentials`].
    RegenerateCredentials,
    /// [`Step::UpdateClientKey`].
    UpdateClientKey,
}

impl Step {
    /// Which step this is.
    pub fn kind(&self) -> StepKind {
        match self {
            Self::IssueCredentials => StepKind::IssueCredentials,
            Self::Approve { .. } => StepKind::Approve,
            Self::Reject => StepKind::Reject,
            Self::Revoke => StepKind::Revoke,
            Self::RegenerateCredentials => StepKind::RegenerateCredentials,
            Self::UpdateClientKey { .. } => StepKind::UpdateClientKey,
        }
    }
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::IssueCredentials => "issue credentials for",
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Revoke => "revoke",
            Self::RegenerateCredentials => "regenerate credentials of",
            Self::UpdateClientKey => "update the client key of",
        })
    }
}

/// What the IdP must do for a transition, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "action",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum Action {
    /// Register the consumer's client, **disabled**.
    RegisterClient {
        /// The consumer's client id.
        client_id: String,
        /// How it authenticates.
        authenticator: ClientAuthenticator,
        /// Generate an RSA key pair and hand out the private key (`client-jwt`).
        generate_key_pair: bool,
        /// The consumer's JWKS URL or certificate (`client-jwt-jwks-url`).
        client_key: Option<ClientKey>,
        /// Audiences added to its tokens by an audience mapper.
        audiences: Vec<String>,
    },
    /// Set exactly these default scopes and roles (no optional scopes), then enable it.
    EnableClient {
        /// The consumer's client id.
        client_id: String,
        /// What to grant.
        grants: Grants,
    },
    /// Delete the client (and its gateway consumer).
    DeleteClient {
        /// The consumer's client id.
        client_id: String,
    },
    /// Generate a new client secret.
    RegenerateSecret {
        /// The consumer's client id.
        client_id: String,
    },
    /// Generate a new key pair and upload its public key.
    RegenerateKeyPair {
        /// The consumer's client id.
        client_id: String,
    },
    /// Replace the JWKS URL or certificate.
    UpdateClientKey {
        /// The consumer's client id.
        client_id: String,
        /// The new key material.
        key: ClientKey,
    },
}

/// The outcome of a legal step: the request as it now stands and what the IdP must do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Transition {
    /// The request after the step.
    pub request: AccessRequest,
    /// What the IdP must do, in order (possibly nothing).
    pub actions: Vec<Action>,
}
