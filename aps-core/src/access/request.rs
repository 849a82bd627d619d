//! The access request itself and its states.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{ClientKey, Grants, TransitionError};
use crate::profile::{ClientAuthenticator, CredentialIssuer, Environment};

/// Where an access request stands, named after what has happened to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum State {
    /// A consumer asked for access; nothing exists in the IdP yet.
    Requested,
    /// The consumer's client exists, **disabled**, and its credentials were handed out.
    CredentialsIssued,
    /// The client is enabled with its grants.
    Approved,
    /// Refused (final); any client was deleted.
    Rejected,
    /// Access withdrawn after approval (final); the client was deleted.
    Revoked,
}

impl State {
    /// Whether no step can follow.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Rejected | Self::Revoked)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Requested => "requested",
            Self::CredentialsIssued => "credentials issued",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Revoked => "revoked",
        })
    }
}

/// One consumer's request for access to one product environment protected by a profile.
///
/// Fields change only through [`next`](Self::next); deserialising a persisted request resumes
/// it where it stood, after checking what [`new`](Self::new) checks (a corrupted record is an
/// error, not a request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "Persisted")]
pub struct AccessRequest {
    pub(super) consumer_client_id: String,
    pub(super) environment: Environment,
    pub(super) authenticator: ClientAuthenticator,
    pub(super) state: State,
    #[serde(default)]
    pub(super) grants: Grants,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) client_key: Option<ClientKey>,
    #[serde(default)]
    pub(super) credential_generation: u32,
}

impl AccessRequest {
    /// A new request (state [`State::Requested`]) for `environment` of `profile`, by the
    /// consumer client `consumer_client_id` (see [`consumer_client_id`](crate::consumer_client_id)).
    /// `client_key` is the consumer's JWKS URL or certificate, required exactly when the
    /// profile uses `client-jwt-jwks-url`.
    ///
    /// # Errors
    /// [`TransitionError`] when the profile has no authenticator or does not offer the
    /// environment, or the client key does not fit the authenticator.
    ///
    /// # Examples
    /// ```
    /// use aps_core::{AccessRequest, ClientAuthenticator, CredentialIssuer, Environment, State};
    ///
    /// let mut profile = CredentialIssuer::new("My API default");
    /// profile.client_authenticator = Some(ClientAuthenticator::ClientSecret);
    /// profile.inherit_from = Some("Gold Shared IdP".into());
    /// let request = AccessRequest::new(&profile, Environment::Dev, "8E1A2B3C-4F5D6E7A8B9C", None)?;
    /// assert_eq!(request.state(), State::Requested);
    /// # Ok::<(), aps_core::TransitionError>(())
    /// ```
    pub fn new(
        profile: &CredentialIssuer,
        environment: Environment,
        consumer_client_id: impl Into<String>,
        client_key: Option<ClientKey>,
    ) -> Result<Self, TransitionError> {
        let authenticator = profile
            .client_authenticator
            .ok_or(TransitionError::NoAuthenticator)?;
        if let Err(reason) = profile.access_policy(environment) {
            return Err(TransitionError::EnvironmentNotOffered {
                environment,
                reason,
            });
        }
        Self {
            consumer_client_id: consumer_client_id.into(),
            environment,
            authenticator,
            state: State::Requested,
            grants: Grants::default(),
            client_key,
            credential_generation: 0,
        }
        .checked()
    }

    /// The invariants of a request whatever its state: a usable client id, and key material
    /// exactly when the authenticator uses it. Checked when created and when resumed.
    fn checked(self) -> Result<Self, TransitionError> {
        let id = &self.consumer_client_id;
        if id.is_empty() || id.chars().any(char::is_whitespace) {
            return Err(TransitionError::InvalidClientId {
                client_id: self.consumer_client_id,
            });
        }
        match (self.authenticator, &self.client_key) {
            (ClientAuthenticator::ClientJwtJwksUrl, None) => {
                return Err(TransitionError::ClientKeyRequired);
            }
            (ClientAuthenticator::ClientJwtJwksUrl, Some(key)) => key.check()?,
            (other, Some(_)) => {
                return Err(TransitionError::ClientKeyNotAllowed {
                    authenticator: other,
                });
            }
            (_, None) => {}
        }
        Ok(self)
    }

    /// The consumer's client id (`<envAppId>-<appAppId>`).
    pub fn consumer_client_id(&self) -> &str {
        &self.consumer_client_id
    }

    /// The product environment.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// How the consumer authenticates (from the profile when requested).
    pub fn authenticator(&self) -> ClientAuthenticator {
        self.authenticator
    }

    /// Where the request stands.
    pub fn state(&self) -> State {
        self.state
    }

    /// The grants given at approval (empty before).
    pub fn grants(&self) -> &Grants {
        &self.grants
    }

    /// The consumer's JWKS URL or certificate (`client-jwt-jwks-url` only).
    pub fn client_key(&self) -> Option<&ClientKey> {
        self.client_key.as_ref()
    }

    /// How many times credentials were generated (1 after issuing, +1 per regeneration).
    pub fn credential_generation(&self) -> u32 {
        self.credential_generation
    }
}

/// A request as persisted; resuming re-checks the invariants of [`AccessRequest::new`], so a
/// corrupted or hand-edited record is refused instead of driving the IdP.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Persisted {
    consumer_client_id: String,
    environment: Environment,
    authenticator: ClientAuthenticator,
    state: State,
    #[serde(default)]
    grants: Grants,
    #[serde(default)]
    client_key: Option<ClientKey>,
    #[serde(default)]
    credential_generation: u32,
}

impl TryFrom<Persisted> for AccessRequest {
    type Error = TransitionError;

    fn try_from(p: Persisted) -> Result<Self, TransitionError> {
        Self {
            consumer_client_id: p.consumer_client_id,
            environment: p.environment,
            authenticator: p.authenticator,
            state: p.state,
            grants: p.grants,
            client_key: p.client_key,
            credential_generation: p.credential_generation,
        }
        .checked()
    }
}
