//! Public keys from PEM and DER: SubjectPublicKeyInfo, X.509 certificates, PKCS#1.

use aws_lc_rs::signature::ParsedPublicKey;

use super::{Material, VerifyingKey, coordinate_len};
use crate::alg::KeyType;
use crate::der::{self, SpkiKey};
use crate::encoding;
use crate::error::{KeyProblem, Result};

impl VerifyingKey {
    /// Reads a PEM public key: `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` (PKCS#1) or `CERTIFICATE`
    /// (X.509; only the key is used, the certificate is not validated).
    ///
    /// # Errors
    /// [`Error::Key`](crate::Error::Key) when the PEM or the key cannot be read or is not acceptable.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let block = encoding::decode_pem(pem).map_err(KeyProblem::from)?;
        match block.label.as_str() {
            "PUBLIC KEY" => Self::from_spki_der(&block.der),
            "RSA PUBLIC KEY" => Self::from_pkcs1_der(&block.der),
            "CERTIFICATE" => Self::from_certificate_der(&block.der),
            other => Err(KeyProblem::UnsupportedPemLabel(other.to_owned()).into()),
        }
    }

    /// Reads a DER public key: SPKI, an X.509 certificate, or a PKCS#1 RSAPublicKey.
    ///
    /// # Errors
    /// [`Error::Key`](crate::Error::Key) when the bytes are none of those or the key is not acceptable.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        if der::parse_spki(der).is_some() {
            Self::from_spki_der(der)
        } else if der::certificate_spki(der).is_some() {
            Self::from_certificate_der(der)
        } else {
            Self::from_pkcs1_der(der)
        }
    }

    /// Reads a DER SubjectPublicKeyInfo.
    ///
    /// # Errors
    /// [`Error::Key`](crate::Error::Key) when the bytes are not an RSA or P-256/P-384 SPKI, or the key is weak.
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        match der::parse_spki(der).ok_or(KeyProblem::Malformed("SubjectPublicKeyInfo"))? {
            SpkiKey::Rsa(pkcs1) => {
                let key = Self::from_pkcs1_der(pkcs1)?;
                backend_accepts(KeyType::Rsa, der)?;
                Ok(key)
            }
            SpkiKey::Ec { curve, point } => {
                let key_type = if curve == der::OID_P256 {
                    KeyType::EcP256
                } else if curve == der::OID_P384 {
                    KeyType::EcP384
                } else {
                    return Err(KeyProblem::UnsupportedKeyType.into());
                };
                if point.len() != 1 + 2 * coordinate_len(key_type) || point[0] != 0x04 {
                    return Err(KeyProblem::Malformed("EC point (must be uncompressed)").into());
                }
                let material = Material::Ec {
                    point: point.to_vec(),
                };
                let key = Self::build(key_type, material, None, None)?;
                backend_accepts(key_type, der)?;
                Ok(key)
            }
        }
    }

    /// Reads the public key of a DER X.509 certificate (the certificate itself is not checked:
    /// trust comes from how the certificate was obtained).
    ///
    /// # Errors
    /// [`Error::Key`](crate::Error::Key) when the bytes are not a certificate or its key is not acceptable.
    pub fn from_certificate_der(der: &[u8]) -> Result<Self> {
        let spki = der::certificate_spki(der).ok_or(KeyProblem::Malformed("certificate"))?;
        Self::from_spki_der(spki)
    }

    fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        let (n, e) =
            der::parse_rsa_public_key(der).ok_or(KeyProblem::Malformed("RSA public key"))?;
        let material = Material::Rsa {
            n: n.to_vec(),
            e: e.to_vec(),
        };
        let key = Self::build(KeyType::Rsa, material, None, None)?;
        backend_accepts(KeyType::Rsa, der)?;
        Ok(key)
    }
}

/// Defense in depth for DER input: the backend's own strict DER parser (BoringSSL's) must also
/// accept the SubjectPublicKeyInfo or PKCS#1 key that [`der`] walked, so that the two never
/// disagree about what the bytes mean.
fn backend_accepts(key_type: KeyType, der: &[u8]) -> Result<()> {
    let check: &'static dyn aws_lc_rs::signature::VerificationAlgorithm = match key_type {
        KeyType::Rsa => &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        KeyType::EcP256 => &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED,
        KeyType::EcP384 => &aws_lc_rs::signature::ECDSA_P384_SHA384_FIXED,
    };
    ParsedPublicKey::new(check, der)
        .map(drop)
        .map_err(|_| KeyProblem::Malformed("public key DER").into())
}
