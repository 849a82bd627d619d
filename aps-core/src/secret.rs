//! A secret string (client secret, initial access token) that never prints itself.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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

/// Whether the name of a field this crate does not model says it holds a secret
/// (`client_secret`, `clientsecret`, `password`, `accessToken`, `private_key`, `apiKey`, ...).
/// Such values are masked like [`Secret`]s in `Debug` and in redacted copies: a misspelled
/// `clientSecret` still holds a secret.
pub(crate) fn looks_secret(key: &str) -> bool {
    let key: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    ["secret", "password", "passwd"]
        .iter()
        .any(|word| key.contains(word))
        || ["token", "privatekey", "apikey"]
            .iter()
            .any(|end| key.ends_with(end))
}

/// `value` with every value under a [secret-looking](looks_secret) key replaced by `****`, at
/// any depth.
pub(crate) fn mask_secret_fields(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(mask_map(map)),
        Value::Array(items) => Value::Array(items.iter().map(mask_secret_fields).collect()),
        other => other.clone(),
    }
}

/// [`mask_secret_fields`] for the fields of a mapping.
pub(crate) fn mask_map(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .map(|(key, value)| {
            let value = if looks_secret(key) {
                Value::String(MASK.to_owned())
            } else {
                mask_secret_fields(value)
            };
            (key.clone(), value)
        })
        .collect()
}

/// `Debug` of unknown fields (or an opaque document), secret-looking values masked.
pub(crate) struct MaskedDebug<'a>(pub(crate) &'a Map<String, Value>);

impl fmt::Debug for MaskedDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&mask_map(self.0), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_named_like_secrets_are_masked_at_any_depth() {
        for key in [
            "client_secret",
            "clientsecret",
            "Password",
            "accessToken",
            "refresh-token",
            "private_key",
            "apiKey",
        ] {
            assert!(looks_secret(key), "{key}");
        }
        for key in ["token_endpoint", "apiKeyName", "issuerUrl", "keys", "name"] {
            assert!(!looks_secret(key), "{key}");
        }
        let value = serde_json::json!({
            "name": "svc",
            "plugins": [{"config": {"client_secret": "hunter2", "client_id": "app"}}],
        });
        let masked = mask_secret_fields(&value);
        assert_eq!(masked["plugins"][0]["config"]["client_secret"], MASK);
        assert_eq!(masked["plugins"][0]["config"]["client_id"], "app");
        let Value::Object(map) = &value else {
            unreachable!("an object literal")
        };
        let shown = format!("{:?}", MaskedDebug(map));
        assert!(
            !shown.contains("hunter2") && shown.contains("client_id"),
            "{shown}"
        );
    }

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
