//! A secret string (client secret, initial access token) that never prints itself.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The portal's masked form of a stored secret.
pub const MASK: &str = "****";

/// A client secret or initial access token.
///
/// `Debug` and `Display` always show `****`. Serialisation writes the real value (so that a
/// file round-trips); use [`CredentialIssuer::redacted`](crate::CredentialIssuer::redacted)
/// before serialising for display. The portal's masked form `****` is understood as "the
/// portal keeps the stored value" ([`is_masked`](Self::is_masked)).
///
/// ```
/// use aps_core::Secret;
///
/// let secret = Secret::new("s3cr3t");
/// assert_eq!(format!("{secret} {secret:?}"), "**** ****");
/// assert_eq!(secret.expose(), Some("s3cr3t"));
/// assert!(Secret::new("****").is_masked());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Option<String>);

impl Secret {
    /// Wraps a value; the literal `****` becomes the masked form.
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        if value == MASK {
            Self::masked()
        } else {
            Self(Some(value))
        }
    }

    /// The masked form: the value is held elsewhere (by the portal).
    pub fn masked() -> Self {
        Self(None)
    }

    /// Whether this is the masked form `****`.
    pub fn is_masked(&self) -> bool {
        self.0.is_none()
    }

    /// The real value, or `None` when masked. Call it only where the secret is used.
    pub fn expose(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.as_deref().unwrap_or(MASK))
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s}"), MASK);
        assert_eq!(format!("{s:?}"), MASK);
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(****)");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"hunter2\"");
        assert_eq!(
            serde_json::to_string(&Secret::masked()).unwrap(),
            "\"****\""
        );
    }

    #[test]
    fn mask_reads_as_masked() {
        let s: Secret = serde_json::from_str("\"****\"").unwrap();
        assert!(s.is_masked());
        assert_eq!(s.expose(), None);
        assert_eq!(Secret::new("x").expose(), Some("x"));
    }
}
