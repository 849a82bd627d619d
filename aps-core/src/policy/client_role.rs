//! Small typed values of a policy: `client:role` pairs and the time claims to verify.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::PolicyError;

/// A role of a named client, written `client:role` in the plugin configuration.
///
/// Parsing splits at the **last** `:` (the plugin's `(%S+):(%S+)` is greedy), so
/// `urn:app:read` is client `urn:app`, role `read`. Neither part may be empty or contain
/// whitespace.
///
/// ```
/// use aps_core::ClientRole;
///
/// let pair: ClientRole = "ap-my-api:read".parse()?;
/// assert_eq!((pair.client(), pair.role()), ("ap-my-api", "read"));
/// assert_eq!(pair.to_string(), "ap-my-api:read");
/// # Ok::<(), aps_core::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientRole {
    client: String,
    role: String,
}

impl ClientRole {
    /// A pair from its parts.
    ///
    /// # Errors
    /// [`PolicyError::InvalidClientRole`] if a part is empty or contains whitespace, or the
    /// role contains `:` (it would not read back the same).
    pub fn new(client: impl Into<String>, role: impl Into<String>) -> Result<Self, PolicyError> {
        let (client, role) = (client.into(), role.into());
        if !is_part(&client) || !is_part(&role) || role.contains(':') {
            return Err(PolicyError::InvalidClientRole {
                value: format!("{client}:{role}"),
            });
        }
        Ok(Self { client, role })
    }

    /// The client id whose `resource_access` entry is checked.
    pub fn client(&self) -> &str {
        &self.client
    }

    /// The role name.
    pub fn role(&self) -> &str {
        &self.role
    }
}

fn is_part(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(char::is_whitespace)
}

impl FromStr for ClientRole {
    type Err = PolicyError;

    fn from_str(s: &str) -> Result<Self, PolicyError> {
        match s.rsplit_once(':') {
            Some((client, role)) => Self::new(client, role),
            None => Err(PolicyError::InvalidClientRole {
                value: s.to_owned(),
            }),
        }
    }
}

impl fmt::Display for ClientRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.client, self.role)
    }
}

impl Serialize for ClientRole {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClientRole {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A time claim the plugin can be told to verify (`claims_to_verify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ClaimToVerify {
    /// `exp` must be present and in the future.
    Exp,
    /// `nbf` must be present and not in the future.
    Nbf,
}

impl ClaimToVerify {
    /// The claim name: `exp` or `nbf`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exp => "exp",
            Self::Nbf => "nbf",
        }
    }
}

impl fmt::Display for ClaimToVerify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
