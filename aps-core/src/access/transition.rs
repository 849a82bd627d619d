//! The one transition function.

use super::{AccessRequest, Action, Grants, State, Step, StepKind, Transition, TransitionError};
use crate::profile::{ClientAuthenticator, CredentialIssuer};

impl AccessRequest {
    /// Applies `step` and returns the next request with the IdP actions it needs; `self` is
    /// left as it was, so a refused step changes nothing. `profile` is the request's profile
    /// (grants are checked against it; audiences come from it).
    ///
    /// # Errors
    /// [`TransitionError::IllegalTransition`] naming the state and the step when the step
    /// cannot happen now; other variants for grants the profile does not offer or key
    /// material that does not fit.
    ///
    /// # Examples
    /// ```
    /// use aps_core::{AccessRequest, Action, ClientAuthenticator, CredentialIssuer, Environment,
    ///                Grants, State, Step};
    ///
    /// let mut profile = CredentialIssuer::new("My API default");
    /// profile.client_authenticator = Some(ClientAuthenticator::ClientSecret);
    /// profile.inherit_from = Some("Gold Shared IdP".into());
    /// profile.client_roles = vec!["read".into()];
    ///
    /// let request = AccessRequest::new(&profile, Environment::Dev, "ENV1-APP1", None)?;
    /// let issued = request.next(&Step::IssueCredentials, &profile)?;
    /// assert_eq!(issued.request.state(), State::CredentialsIssued);
    /// assert!(matches!(&issued.actions[0], Action::RegisterClient { audiences, .. }
    ///     if audiences == &["ap-my-api-default-dev"]));
    ///
    /// let approve = Step::Approve { grants: Grants::new(Vec::<String>::new(), ["read"]) };
    /// let approved = issued.request.next(&approve, &profile)?;
    /// assert_eq!(approved.request.state(), State::Approved);
    ///
    /// let err = approved.request.next(&Step::IssueCredentials, &profile).unwrap_err();
    /// assert_eq!(err.to_string(), "cannot issue credentials for an access request that is approved");
    /// # Ok::<(), aps_core::TransitionError>(())
    /// ```
    pub fn next(
        &self,
        step: &Step,
        profile: &CredentialIssuer,
    ) -> Result<Transition, TransitionError> {
        let mut next = self.clone();
        let client_id = self.consumer_client_id.clone();
        let actions = match (self.state, step) {
            (State::Requested, Step::IssueCredentials) => {
                next.state = State::CredentialsIssued;
                next.credential_generation = 1;
                vec![Action::RegisterClient {
                    client_id,
                    authenticator: self.authenticator,
                    generate_key_pair: self.authenticator == ClientAuthenticator::ClientJwt,
                    client_key: self.client_key.clone(),
                    audiences: audiences(self, profile),
                }]
            }
            (State::CredentialsIssued | State::Approved, Step::Approve { grants }) => {
                let grants = check_grants(grants, profile)?;
                next.state = State::Approved;
                next.grants = grants.clone();
                vec![Action::EnableClient { client_id, grants }]
            }
            // From `requested` too: a registration that failed half-way may have left a
            // client behind, and deleting one that does not exist is harmless.
            (State::Requested | State::CredentialsIssued, Step::Reject) => {
                next.state = State::Rejected;
                vec![Action::DeleteClient { client_id }]
            }
            (State::Approved, Step::Revoke) => {
                next.state = State::Revoked;
                vec![Action::DeleteClient { client_id }]
            }
            (State::CredentialsIssued | State::Approved, Step::RegenerateCredentials) => {
                match self.authenticator {
                    ClientAuthenticator::ClientSecret => {
                        next.credential_generation = self.credential_generation.saturating_add(1);
                        vec![Action::RegenerateSecret { client_id }]
                    }
                    ClientAuthenticator::ClientJwt => {
                        next.credential_generation = self.credential_generation.saturating_add(1);
                        vec![Action::RegenerateKeyPair { client_id }]
                    }
                    ClientAuthenticator::ClientJwtJwksUrl => Vec::new(),
                }
            }
            (State::CredentialsIssued | State::Approved, Step::UpdateClientKey { key }) => {
                if self.authenticator != ClientAuthenticator::ClientJwtJwksUrl {
                    return Err(TransitionError::UnsupportedAuthenticator {
                        step: StepKind::UpdateClientKey,
                        authenticator: self.authenticator,
                    });
                }
                key.check()?;
                next.client_key = Some(key.clone());
                vec![Action::UpdateClientKey {
                    client_id,
                    key: key.clone(),
                }]
            }
            (state, step) => {
                return Err(TransitionError::IllegalTransition {
                    state,
                    step: step.kind(),
                });
            }
        };
        Ok(Transition {
            request: next,
            actions,
        })
    }
}

/// The shared-IdP audience `ap-...`, or the profile's `audience` mapper values.
fn audiences(request: &AccessRequest, profile: &CredentialIssuer) -> Vec<String> {
    if profile.inherit_from.is_some() {
        return vec![profile.shared_client_id(request.environment)];
    }
    profile
        .client_mappers
        .iter()
        .filter(|m| m.name == "audience")
        .filter_map(|m| m.default_value.clone().filter(|v| !v.is_empty()))
        .collect()
}

/// Every granted scope must be in `availableScopes` and every role in `clientRoles`;
/// repeats are kept once.
fn check_grants(grants: &Grants, profile: &CredentialIssuer) -> Result<Grants, TransitionError> {
    Ok(Grants {
        default_client_scopes: offered(
            &grants.default_client_scopes,
            &profile.available_scopes,
            ("scope", "availableScopes"),
        )?,
        roles: offered(
            &grants.roles,
            &profile.client_roles,
            ("role", "clientRoles"),
        )?,
    })
}

/// `granted`, each once, if every one is in `offered` (the profile field `what.1`).
fn offered(
    granted: &[String],
    offered: &[String],
    (what, field): (&'static str, &'static str),
) -> Result<Vec<String>, TransitionError> {
    let mut checked: Vec<String> = Vec::with_capacity(granted.len());
    for value in granted {
        if !offered.contains(value) {
            return Err(TransitionError::NotOffered {
                what,
                field,
                value: value.clone(),
            });
        }
        if !checked.contains(value) {
            checked.push(value.clone());
        }
    }
    Ok(checked)
}
