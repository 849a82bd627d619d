//! The error for keys, JWKs, assertions and configuration. Token validation has its own
//! [`ValidationError`](crate::ValidationError), which maps to an HTTP answer.

use crate::alg::{Algorithm, KeyType};

/// The result type of this crate's key, JWK and assertion functions.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong with a key, a JWK/JWKS document, an assertion or a configuration.
///
/// Messages never contain key material, tokens or secrets.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The key could not be read or is not acceptable.
    #[error("invalid key: {0}")]
    Key(#[from] KeyProblem),
    /// A JWK or JWKS document is not valid JSON of the right shape.
    #[error("invalid JWK at line {line}, column {column}: {category}")]
    JwkJson {
        /// Line of the problem in the input (1-based).
        line: usize,
        /// Column of the problem in the input (1-based).
        column: usize,
        /// What kind of problem (`syntax`, `data`, `eof`).
        category: &'static str,
    },
    /// A JWK member is missing or invalid.
    #[error("invalid JWK: member `{member}` {problem}")]
    JwkMember {
        /// The JWK member (`n`, `crv`, `x` ...).
        member: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The algorithm cannot be used with the key.
    #[error("algorithm {alg} cannot be used with a {} key", key.kty())]
    AlgorithmMismatch {
        /// The algorithm asked for.
        alg: Algorithm,
        /// The key's type.
        key: KeyType,
    },
    /// The signature does not verify with the key.
    #[error("signature does not verify")]
    BadSignature,
    /// The crypto backend failed to produce a signature or a random value.
    #[error("the crypto backend failed to {0}")]
    Crypto(&'static str),
    /// A builder was given settings that cannot work together.
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// Why a key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyProblem {
    /// The PEM text has no `-----BEGIN ...-----` line.
    #[error("no PEM block found")]
    NoPemBlock,
    /// The PEM block has no matching `-----END ...-----` line.
    #[error("PEM block is not terminated")]
    UnterminatedPem,
    /// The PEM body is not valid base64.
    #[error("PEM body is not valid base64 (line {line})")]
    PemBase64 {
        /// The first offending line (1-based).
        line: usize,
    },
    /// The PEM label is not one this function reads.
    #[error("unsupported PEM label `{0}`")]
    UnsupportedPemLabel(String),
    /// Encrypted private keys are not read; decrypt them first.
    #[error("encrypted private keys are not supported")]
    Encrypted,
    /// The bytes are not a key in any supported encoding.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// The key's type or curve is not supported.
    #[error("unsupported key type or curve")]
    UnsupportedKeyType,
    /// The RSA modulus is shorter than 2048 bits (or longer than 8192).
    #[error("RSA key size {bits} bits is outside 2048..=8192")]
    RsaSize {
        /// The modulus length in bits.
        bits: usize,
    },
    /// The RSA public exponent is below 65537 or even.
    #[error("RSA public exponent is too small or even")]
    RsaExponent,
    /// The EC point is not on the curve, or the key is otherwise refused by the crypto backend.
    #[error("key rejected by the crypto backend: {0}")]
    Rejected(&'static str),
    /// The key is marked for another use than signatures (`use: enc`, or `key_ops` without
    /// `verify`).
    #[error("the key is not meant for signatures")]
    NotForSignatures,
    /// The key was asked to generate a size it does not support.
    #[error("cannot generate an RSA key of {bits} bits (2048, 3072, 4096 or 8192)")]
    UnsupportedSize {
        /// The size asked for.
        bits: usize,
    },
}

impl Error {
    /// Whether this is a problem with a key.
    #[must_use]
    pub fn is_key(&self) -> bool {
        matches!(self, Error::Key(_))
    }

    /// Whether this is a problem with a JWK or JWKS document.
    #[must_use]
    pub fn is_jwk(&self) -> bool {
        matches!(self, Error::JwkJson { .. } | Error::JwkMember { .. })
    }

    /// Whether a builder was given settings that cannot work ([`Error::Config`]).
    ///
    /// # Examples
    /// ```
    /// let err = aps_jwt::Validator::builder().build().unwrap_err(); // no issuer
    /// assert!(err.is_config());
    /// ```
    #[must_use]
    pub fn is_config(&self) -> bool {
        matches!(self, Error::Config(_))
    }

    pub(crate) fn from_json(err: &serde_json::Error) -> Self {
        // serde_json's message can quote the input (a private key member), so keep only where.
        Error::JwkJson {
            line: err.line(),
            column: err.column(),
            category: match err.classify() {
                serde_json::error::Category::Io => "io",
                serde_json::error::Category::Syntax => "syntax",
                serde_json::error::Category::Data => "data",
                serde_json::error::Category::Eof => "eof",
            },
        }
    }
}

impl From<crate::encoding::PemError> for KeyProblem {
    fn from(err: crate::encoding::PemError) -> Self {
        match err {
            crate::encoding::PemError::NoBlock => KeyProblem::NoPemBlock,
            crate::encoding::PemError::UnterminatedBlock => KeyProblem::UnterminatedPem,
            crate::encoding::PemError::Base64 { line } => KeyProblem::PemBase64 { line },
        }
    }
}

impl From<aws_lc_rs::error::KeyRejected> for KeyProblem {
    fn from(err: aws_lc_rs::error::KeyRejected) -> Self {
        KeyProblem::Rejected(err.description_())
    }
}
