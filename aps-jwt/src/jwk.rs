//! Public JSON Web Keys (RFC 7517), JWK Sets, and RFC 7638 thumbprints.

use aws_lc_rs::digest;
use serde::{Deserialize, Deserializer, Serialize};

use crate::alg::Algorithm;
use crate::encoding::b64url;
use crate::error::{Error, Result};

/// A public JSON Web Key, as found in a JWKS document.
///
/// Members this crate does not use are ignored on input. Private members (`d`, `p` ...) are never
/// read into this type, so a `Jwk` never holds secret material.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Jwk {
    /// Key type: `RSA` or `EC`.
    pub kty: String,
    /// Key id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Intended use: `sig` or `enc`.
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    /// The algorithm the key is meant for (kept as text: JWKS documents also carry
    /// algorithms this crate does not verify with, such as `RSA-OAEP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Permitted operations (`verify`, `sign` ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_ops: Option<Vec<String>>,
    /// RSA modulus, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA public exponent, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// EC curve: `P-256` or `P-384`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// EC x coordinate, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// EC y coordinate, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// X.509 certificate chain (standard base64 DER), first certificate holds the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x5c: Option<Vec<String>>,
}

impl Jwk {
    /// Parses one JWK from JSON text.
    ///
    /// # Errors
    /// [`Error::JwkJson`] with the line and column when the text is not a JWK object.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| Error::from_json(&e))
    }

    /// Serializes the JWK as compact JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        // A struct of strings always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The `alg` member, if it names an algorithm this crate supports.
    #[must_use]
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.alg.as_deref().and_then(|alg| alg.parse().ok())
    }

    /// The RFC 7638 thumbprint (SHA-256, base64url): the default `kid` of exported keys.
    ///
    /// # Errors
    /// [`Error::JwkMember`] when a required member for the key type is missing.
    ///
    /// # Examples
    /// ```
    /// // The example key of RFC 7638 section 3.1.
    /// let jwk = aps_jwt::Jwk::from_json(r#"{"kty":"RSA","e":"AQAB","alg":"RS256","kid":"2011-04-29",
    ///   "n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}"#)?;
    /// assert_eq!(jwk.thumbprint()?, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    /// # Ok::<(), aps_jwt::Error>(())
    /// ```
    pub fn thumbprint(&self) -> Result<String> {
        let req = |member: &'static str, value: &Option<String>| {
            value.as_deref().map(json_string).ok_or(Error::JwkMember {
                member,
                problem: "is missing",
            })
        };
        let canonical = match self.kty.as_str() {
            "RSA" => format!(
                r#"{{"e":{},"kty":"RSA","n":{}}}"#,
                req("e", &self.e)?,
                req("n", &self.n)?
            ),
            "EC" => format!(
                r#"{{"crv":{},"kty":"EC","x":{},"y":{}}}"#,
                req("crv", &self.crv)?,
                req("x", &self.x)?,
                req("y", &self.y)?
            ),
            _ => {
                return Err(Error::JwkMember {
                    member: "kty",
                    problem: "is not RSA or EC",
                });
            }
        };
        Ok(b64url(
            digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref(),
        ))
    }
}

fn json_string(value: &str) -> String {
    // Serializing a &str cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

/// A JWK Set (RFC 7517 section 5).
///
/// Parsing follows RFC 7517 section 5: members of `keys` that are not JWK objects of a usable
/// shape are ignored rather than failing the whole set.
///
/// # Examples
/// ```
/// use aps_jwt::{Jwks, SigningKey};
///
/// let key = SigningKey::generate_p256()?.with_kid("k1");
/// let published = key.public_jwks().to_json();
/// let read = Jwks::from_json(&published)?;
/// assert_eq!(read.find("k1"), Some(&key.public_jwk()));
/// # Ok::<(), aps_jwt::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Jwks {
    /// The keys.
    pub keys: Vec<Jwk>,
}

impl Jwks {
    /// A set of the given keys.
    #[must_use]
    pub fn new(keys: Vec<Jwk>) -> Self {
        Jwks { keys }
    }

    /// Parses a JWKS document.
    ///
    /// # Errors
    /// [`Error::JwkJson`] when the text is not a JSON object with a `keys` array.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| Error::from_json(&e))
    }

    /// Parses a JWKS document from bytes (as received over HTTP).
    ///
    /// # Errors
    /// As [`Jwks::from_json`].
    pub fn from_slice(json: &[u8]) -> Result<Self> {
        serde_json::from_slice(json).map_err(|e| Error::from_json(&e))
    }

    /// Serializes the set as compact JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The key with this `kid`, if any.
    #[must_use]
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }
}

impl<'de> Deserialize<'de> for Jwks {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            keys: Vec<serde_json::Value>,
        }
        let raw = Raw::deserialize(deserializer)?;
        let keys = raw
            .keys
            .into_iter()
            .filter_map(|value| Jwk::deserialize(value).ok())
            .collect();
        Ok(Jwks { keys })
    }
}

impl FromIterator<Jwk> for Jwks {
    fn from_iter<T: IntoIterator<Item = Jwk>>(iter: T) -> Self {
        Jwks {
            keys: iter.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec_thumbprint_uses_only_required_members_in_order() {
        let a = Jwk::from_json(r#"{"kty":"EC","crv":"P-256","x":"AA","y":"BB","kid":"one"}"#)
            .expect("jwk");
        let b = Jwk::from_json(r#"{"y":"BB","x":"AA","crv":"P-256","kty":"EC","alg":"ES256"}"#)
            .expect("jwk");
        assert_eq!(a.thumbprint().expect("tp"), b.thumbprint().expect("tp"));
        let expected = b64url(
            digest::digest(
                &digest::SHA256,
                br#"{"crv":"P-256","kty":"EC","x":"AA","y":"BB"}"#,
            )
            .as_ref(),
        );
        assert_eq!(a.thumbprint().expect("tp"), expected);
    }

    #[test]
    fn thumbprint_needs_required_members() {
        let jwk = Jwk::from_json(r#"{"kty":"RSA","e":"AQAB"}"#).expect("jwk");
        assert!(matches!(
            jwk.thumbprint(),
            Err(Error::JwkMember { member: "n", .. })
        ));
    }

    #[test]
    fn jwks_skips_unusable_members_and_keeps_the_rest() {
        let set = Jwks::from_json(
            r#"{"keys":[{"kty":"RSA","kid":"a","n":"AQ","e":"AQAB"},42,{"kty":7},{"kid":"no-kty"},
               {"kty":"EC","kid":"b","crv":"P-256","x":"AA","y":"BB","use":"sig"}]}"#,
        )
        .expect("set");
        let kids: Vec<_> = set.keys.iter().filter_map(|k| k.kid.as_deref()).collect();
        assert_eq!(kids, ["a", "b"]);
        assert!(set.find("b").is_some());
        assert!(Jwks::from_json(r#"{"keys":{}}"#).is_err());
        assert!(Jwks::from_json("[]").is_err());
    }

    #[test]
    fn json_errors_do_not_quote_the_input() {
        let err = Jwk::from_json(r#"{"kty":"RSA","n":12345678}"#).expect_err("type error");
        assert!(!err.to_string().contains("12345678"), "{err}");
    }
}
