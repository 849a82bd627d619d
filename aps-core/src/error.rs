//! The crate's error type: one enum over the areas, each with its own typed detail.

use crate::access::TransitionError;
#[cfg(feature = "yaml")]
use crate::document::LoadError;
use crate::policy::PolicyError;

/// Anything aps-core can refuse.
///
/// ```
/// let err: aps_core::Error = aps_core::AccessPolicy::new("http://idp.example/realms/x")
///     .unwrap_err()
///     .into();
/// assert!(err.is_policy());
/// assert_eq!(
///     err.to_string(),
///     "issuer `http://idp.example/realms/x` is not allowed: must use https (http is allowed \
///      only for loopback hosts)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An access policy that cannot be enforced safely.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[cfg(feature = "yaml")]
    /// A file that could not be loaded (syntax or type errors, with positions).
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A refused access-request step.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[cfg(feature = "yaml")]
    /// Writing YAML failed.
    #[error("could not write YAML: {0}")]
    Write(String),
}

impl Error {
    /// Whether this is an invalid access policy.
    pub fn is_policy(&self) -> bool {
        matches!(self, Self::Policy(_))
    }

    /// Whether an access-request step was refused.
    pub fn is_transition(&self) -> bool {
        matches!(self, Self::Transition(_))
    }

    #[cfg(feature = "yaml")]
    /// Whether a file could not be loaded.
    pub fn is_load(&self) -> bool {
        matches!(self, Self::Load(_))
    }

    #[cfg(feature = "yaml")]
    /// Whether writing YAML failed.
    pub fn is_write(&self) -> bool {
        matches!(self, Self::Write(_))
    }
}

/// `Result` with aps-core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
