//! A client secret that cannot be printed.

use std::fmt;

/// A client secret, as the portal hands it out.
///
/// Its `Debug` prints `ClientSecret([redacted])`, it has no `Display`, and it never appears in
/// an [`Error`](crate::Error) or a log line. Read it with [`expose`](Self::expose).
///
/// ```
/// let secret = aps_client::ClientSecret::new("s3cret");
/// assert_eq!(format!("{secret:?}"), "ClientSecret([redacted])");
/// assert_eq!(secret.expose(), "s3cret");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(Box<str>);

impl ClientSecret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into().into_boxed_str())
    }

    /// The secret itself, for sending it to the token endpoint.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret([redacted])")
    }
}

impl From<String> for ClientSecret {
    fn from(secret: String) -> Self {
        Self::new(secret)
    }
}

/// From an Authorization Profile's secret (aps-core), such as a `managed` environment's client
/// secret. The portal's masked form `****` has no value and is refused.
impl TryFrom<&aps_core::Secret> for ClientSecret {
    type Error = crate::Error;

    fn try_from(secret: &aps_core::Secret) -> Result<Self, Self::Error> {
        secret.expose().map(Self::new).ok_or_else(|| {
            crate::Error::config(
                "client_secret",
                "masked (****): the portal keeps the real value",
            )
        })
    }
}

impl From<&str> for ClientSecret {
    fn from(secret: &str) -> Self {
        Self::new(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_secrets_convert_unless_masked() {
        let secret = ClientSecret::try_from(&aps_core::Secret::new("s3cret")).unwrap();
        assert_eq!(secret.expose(), "s3cret");
        let masked = ClientSecret::try_from(&aps_core::Secret::masked()).unwrap_err();
        assert!(
            masked.is_config() && masked.to_string().contains("masked"),
            "{masked}"
        );
    }
}
