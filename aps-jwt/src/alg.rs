//! JWS algorithms (RFC 7518 section 3) and the key type each one is tied to.

use std::fmt;
use std::str::FromStr;

use aws_lc_rs::rsa::RsaParameters;
use aws_lc_rs::signature::{self, EcdsaSigningAlgorithm, EcdsaVerificationAlgorithm, RsaEncoding};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An asymmetric JWS algorithm.
///
/// There is deliberately no `none` and no HMAC variant: a public key can never be used as an HMAC
/// secret (RFC 8725 section 2.1), and an unsigned token is never accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 and MGF1 with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384 and MGF1 with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512 and MGF1 with SHA-512.
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
}

/// The family of key an [`Algorithm`] needs (the JWK `kty`, plus the curve for EC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// An RSA key (`kty: RSA`).
    Rsa,
    /// An EC key on P-256 (`kty: EC`, `crv: P-256`).
    EcP256,
    /// An EC key on P-384 (`kty: EC`, `crv: P-384`).
    EcP384,
}

impl Algorithm {
    /// Every supported algorithm.
    pub const ALL: [Algorithm; 8] = [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
    ];

    /// The name used in the JWS `alg` header and the JWK `alg` member.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
        }
    }

    /// The key type this algorithm is tied to.
    #[must_use]
    pub const fn key_type(self) -> KeyType {
        match self {
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => KeyType::Rsa,
            Algorithm::ES256 => KeyType::EcP256,
            Algorithm::ES384 => KeyType::EcP384,
        }
    }

    pub(crate) fn rsa_verify_params(self) -> Option<&'static RsaParameters> {
        Some(match self {
            Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
            Algorithm::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
            Algorithm::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
            Algorithm::ES256 | Algorithm::ES384 => return None,
        })
    }

    pub(crate) fn rsa_sign_encoding(self) -> Option<&'static dyn RsaEncoding> {
        Some(match self {
            Algorithm::RS256 => &signature::RSA_PKCS1_SHA256,
            Algorithm::RS384 => &signature::RSA_PKCS1_SHA384,
            Algorithm::RS512 => &signature::RSA_PKCS1_SHA512,
            Algorithm::PS256 => &signature::RSA_PSS_SHA256,
            Algorithm::PS384 => &signature::RSA_PSS_SHA384,
            Algorithm::PS512 => &signature::RSA_PSS_SHA512,
            Algorithm::ES256 | Algorithm::ES384 => return None,
        })
    }

    pub(crate) fn ec_verify_alg(self) -> Option<&'static EcdsaVerificationAlgorithm> {
        match self {
            Algorithm::ES256 => Some(&signature::ECDSA_P256_SHA256_FIXED),
            Algorithm::ES384 => Some(&signature::ECDSA_P384_SHA384_FIXED),
            _ => None,
        }
    }

    pub(crate) fn ec_sign_alg(self) -> Option<&'static EcdsaSigningAlgorithm> {
        match self {
            Algorithm::ES256 => Some(&signature::ECDSA_P256_SHA256_FIXED_SIGNING),
            Algorithm::ES384 => Some(&signature::ECDSA_P384_SHA384_FIXED_SIGNING),
            _ => None,
        }
    }
}

impl KeyType {
    /// The JWK `kty` value.
    #[must_use]
    pub const fn kty(self) -> &'static str {
        match self {
            KeyType::Rsa => "RSA",
            KeyType::EcP256 | KeyType::EcP384 => "EC",
        }
    }

    /// The JWK `crv` value, for EC keys.
    #[must_use]
    pub const fn curve(self) -> Option<&'static str> {
        match self {
            KeyType::Rsa => None,
            KeyType::EcP256 => Some("P-256"),
            KeyType::EcP384 => Some("P-384"),
        }
    }

    /// The algorithm a key of this type signs with unless told otherwise.
    #[must_use]
    pub const fn default_algorithm(self) -> Algorithm {
        match self {
            KeyType::Rsa => Algorithm::RS256,
            KeyType::EcP256 => Algorithm::ES256,
            KeyType::EcP384 => Algorithm::ES384,
        }
    }

    /// The algorithms a key of this type can be used with.
    pub fn algorithms(self) -> impl Iterator<Item = Algorithm> {
        Algorithm::ALL
            .into_iter()
            .filter(move |alg| alg.key_type() == self)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for an `alg` value that is not a supported asymmetric algorithm.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported algorithm")]
pub struct UnsupportedAlgorithm;

impl FromStr for Algorithm {
    type Err = UnsupportedAlgorithm;

    /// Parses an `alg` value exactly (case-sensitive, as RFC 7515 requires).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::ALL
            .into_iter()
            .find(|alg| alg.as_str() == s)
            .ok_or(UnsupportedAlgorithm)
    }
}

impl Serialize for Algorithm {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Algorithm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse()
            .map_err(|_| serde::de::Error::custom("unsupported algorithm"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_case_sensitive() {
        for alg in Algorithm::ALL {
            assert_eq!(alg.as_str().parse::<Algorithm>(), Ok(alg));
        }
        for bad in ["none", "None", "HS256", "rs256", "RS256 ", "EdDSA", ""] {
            assert!(bad.parse::<Algorithm>().is_err(), "{bad}");
        }
    }

    #[test]
    fn algorithms_are_tied_to_key_types() {
        let rsa: Vec<_> = KeyType::Rsa.algorithms().collect();
        assert_eq!(rsa.len(), 6);
        assert_eq!(
            KeyType::EcP256.algorithms().collect::<Vec<_>>(),
            [Algorithm::ES256]
        );
        assert_eq!(
            KeyType::EcP384.algorithms().collect::<Vec<_>>(),
            [Algorithm::ES384]
        );
    }
}
