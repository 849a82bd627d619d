//! Why an access policy could not be built.

use super::{MAX_MAXIMUM_EXPIRATION_SECS, SUPPORTED_ALGORITHMS};
use crate::issuer_url::IssuerUrlError;

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
    #[error("invalid value `{value}` in {field}")]
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
}
