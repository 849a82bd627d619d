//! Why a step is refused.

use super::{State, StepKind};
use crate::policy::PolicyError;
use crate::profile::{ClientAuthenticator, Environment};

/// A refused step or request; the request is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransitionError {
    /// The step cannot happen in the request's state.
    #[error("cannot {step} an access request that is {state}")]
    IllegalTransition {
        /// Where the request stands.
        state: State,
        /// The step attempted.
        step: StepKind,
    },
    /// A granted scope or role is not offered by the profile.
    #[error("{what} `{value}` is not offered by the profile (see its {field})")]
    NotOffered {
        /// `scope` or `role`.
        what: &'static str,
        /// The profile field that offers them: `availableScopes` or `clientRoles`.
        field: &'static str,
        /// The value granted.
        value: String,
    },
    /// The step needs another authenticator.
    #[error(
        "cannot {step} an access request whose client uses `{authenticator}`: only `client-jwt-jwks-url` has a JWKS URL or certificate"
    )]
    UnsupportedAuthenticator {
        /// The step attempted.
        step: StepKind,
        /// The request's authenticator.
        authenticator: ClientAuthenticator,
    },
    /// `client-jwt-jwks-url` without a JWKS URL or certificate.
    #[error("a JWKS URL or a client certificate is required with `client-jwt-jwks-url`")]
    ClientKeyRequired,
    /// Both a JWKS URL and a certificate.
    #[error("Only one of JWKS Url or Client Certificate are required.")]
    BothClientKeys,
    /// A JWKS URL or certificate with another authenticator.
    #[error("a JWKS URL or certificate is not used with `{authenticator}`")]
    ClientKeyNotAllowed {
        /// The profile's authenticator.
        authenticator: ClientAuthenticator,
    },
    /// Not an absolute `https` URL (or `http` on loopback).
    #[error("JWKS Url failed validation: it must be an absolute https URL")]
    InvalidJwksUrl,
    /// Not a PEM certificate or public key.
    #[error("Certificate failed validation: expected a PEM certificate or public key")]
    InvalidCertificate,
    /// The profile has no `clientAuthenticator`.
    #[error("the profile has no clientAuthenticator")]
    NoAuthenticator,
    /// The profile does not offer the environment (no usable issuer for it).
    #[error("the profile does not offer environment `{environment}`: {reason}")]
    EnvironmentNotOffered {
        /// The environment asked for.
        environment: Environment,
        /// Why the profile has no access policy for it.
        reason: PolicyError,
    },
    /// An empty consumer client id or one with whitespace.
    #[error("`{client_id}` is not a usable client id")]
    InvalidClientId {
        /// The id as given.
        client_id: String,
    },
}

impl TransitionError {
    /// Whether the step is illegal in the request's state (as opposed to bad input).
    pub fn is_illegal_transition(&self) -> bool {
        matches!(self, Self::IllegalTransition { .. })
    }
}
