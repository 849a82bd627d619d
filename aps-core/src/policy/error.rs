//! Why an access policy could not be built.

use super::{MAX_MAXIMUM_EXPIRATION_SECS, SUPPORTED_ALGORITHMS};
use crate::issuer_url::IssuerUrlError;
use crate::profile::Environment;

/// A policy that cannot be enforced safely. Returned by [`AccessPolicyBuilder::build`]
/// and by deserialisation.
///
/// [`AccessPolicyBuilder::build`]: super::AccessPolicyBuilder::build
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// No issuer was given: a policy must name who may issue tokens.
    #[error("an access policy needs at least one issuer")]
    NoIssuer,
    /// An issuer is not a usable realm URL.
    #[error("issuer `{issuer}` is not allowed: {reason}")]
    InvalidIssuer {
        /// The issuer as given.
        issuer: String,
        /// What is wrong with it.
        reason: IssuerUrlError,
    },
    /// An algorithm outside the asymmetric allow-list (`none` and `HS*` included).
    #[error("algorithm `{algorithm}` is not supported; allowed: {}", SUPPORTED_ALGORITHMS.join(", "))]
    UnsupportedAlgorithm {
        /// The algorithm as given.
        algorithm: String,
    },
    /// A `client:role` value that does not split into a client and a role.
    #[error("`{value}` is not a `client:role` pair")]
    InvalidClientRole {
        /// The value as given.
        value: String,
    },
    /// A scope, role or audience that is empty, padded, or not a valid token.
    #[error("invalid value `{value}` in {field}: {}", value_rule(.field))]
    InvalidValue {
        /// Which list: `scopes`, `roles` or `audience`.
        field: &'static str,
        /// The value as given.
        value: String,
    },
    /// `maximum_expiration` above one year.
    #[error(
        "maximum expiration of {seconds} s exceeds the limit of {MAX_MAXIMUM_EXPIRATION_SECS} s"
    )]
    MaximumExpirationTooLarge {
        /// The value as given.
        seconds: u64,
    },
    /// `maximum_expiration` set while `exp` is not verified.
    #[error("maximum expiration needs `exp` among the claims to verify")]
    MaximumExpirationWithoutExp,
    /// The profile has no entry for the environment in `environmentDetails`.
    #[error("the profile has no `{environment}` entry in environmentDetails")]
    EnvironmentNotConfigured {
        /// The environment asked for.
        environment: Environment,
    },
    /// The environment's entry has no `issuerUrl`.
    #[error("environmentDetails `{environment}` has no issuerUrl")]
    MissingIssuerUrl {
        /// The environment asked for.
        environment: Environment,
    },
    /// `inheritFrom` names a shared IdP this crate does not know.
    #[error(
        "unknown shared IdP `{name}` in inheritFrom; known: {}",
        crate::SharedIdp::known_names()
    )]
    UnknownSharedIdp {
        /// The name as written.
        name: String,
    },
    /// The shared IdP does not serve the environment.
    #[error("shared IdP `{name}` does not serve environment `{environment}`")]
    SharedIdpEnvironment {
        /// The shared IdP's name.
        name: String,
        /// The environment asked for.
        environment: Environment,
    },
    /// The gateway plugin checks exactly one algorithm and pins key discovery to exactly one
    /// issuer; the policy has several of one of them.
    #[error("the jwt-keycloak plugin needs exactly one {what}; the policy has {count}")]
    PluginNeedsOne {
        /// `algorithm` or `issuer`.
        what: &'static str,
        /// How many the policy has.
        count: usize,
    },
}

/// What a valid value of `field` looks like.
fn value_rule(field: &str) -> &'static str {
    match field {
        "scopes" => "a scope is an RFC 6749 token (printable ASCII without spaces, `\"` or `\\`)",
        _ => "it must not be empty, padded with whitespace or contain control characters",
    }
}
