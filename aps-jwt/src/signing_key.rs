//! Private keys that sign: RSA and EC, read once, shared, zeroized on drop, never printed.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair as _};
use zeroize::Zeroizing;

use crate::alg::{Algorithm, KeyType};
use crate::der;
use crate::encoding::{self, b64url};
use crate::error::{Error, KeyProblem, Result};
use crate::jwk::{Jwk, Jwks};
use crate::verifying_key::{VerifyingKey, check_rsa, coordinate_len};

mod private_jwk;

/// A private key that signs JWS (client assertions, or tokens in a development IdP).
///
/// Parsed once; cloning shares the parsed key. The key material lives inside aws-lc, whose
/// allocator clears memory when the last clone drops; intermediate buffers (PEM bodies, DER,
/// private JWK members) are zeroized. `Debug` shows only the key type, algorithm and `kid`.
///
/// # Examples
/// ```
/// use aps_jwt::{Algorithm, SigningKey};
/// let key = SigningKey::generate_p256()?.with_kid("key-1");
/// assert_eq!(key.algorithm(), Algorithm::ES256);
/// assert_eq!(key.public_jwk().kid.as_deref(), Some("key-1"));
/// assert!(!format!("{key:?}").contains(key.public_jwk().x.as_deref().unwrap()));
/// # Ok::<(), aps_jwt::Error>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    material: Arc<Material>,
    alg: Algorithm,
    kid: Arc<str>,
}

enum Material {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

impl SigningKey {
    /// Reads a PEM private key: `PRIVATE KEY` (PKCS#8, RSA or EC), `RSA PRIVATE KEY` (PKCS#1)
    /// or `EC PRIVATE KEY` (SEC1).
    ///
    /// # Errors
    /// [`Error::Key`] when the PEM or the key cannot be read, is encrypted, or is not
    /// acceptable (RSA under 2048 bits or with an exponent below 65537, an unsupported curve).
    pub fn from_pem(pem: &str) -> Result<Self> {
        let block = encoding::decode_pem(pem).map_err(KeyProblem::from)?;
        match block.label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&block.der),
            "RSA PRIVATE KEY" => Self::from_rsa(RsaKeyPair::from_der(&block.der)),
            "EC PRIVATE KEY" => Self::from_sec1_der(&block.der),
            "ENCRYPTED PRIVATE KEY" => Err(KeyProblem::Encrypted.into()),
            other => Err(KeyProblem::UnsupportedPemLabel(other.to_owned()).into()),
        }
    }

    /// Reads a DER private key: PKCS#8, PKCS#1 or SEC1.
    ///
    /// # Errors
    /// As [`SigningKey::from_pem`].
    pub fn from_der(der: &[u8]) -> Result<Self> {
        if der::pkcs8_algorithm(der).is_some() {
            Self::from_pkcs8_der(der)
        } else if der::sec1_curve(der).is_some() {
            Self::from_sec1_der(der)
        } else {
            Self::from_rsa(RsaKeyPair::from_der(der))
        }
    }

    fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let (oid, curve) =
            der::pkcs8_algorithm(der).ok_or(KeyProblem::Malformed("PKCS#8 private key"))?;
        if oid == der::OID_RSA_ENCRYPTION {
            Self::from_rsa(RsaKeyPair::from_pkcs8(der))
        } else if oid == der::OID_EC_PUBLIC_KEY {
            let alg = curve_algorithm(curve)?;
            let sign_alg = alg.ec_sign_alg().ok_or(KeyProblem::UnsupportedKeyType)?;
            let pair = EcdsaKeyPair::from_pkcs8(sign_alg, der).map_err(KeyProblem::from)?;
            Ok(Self::new(Material::Ec(pair), alg))
        } else {
            Err(KeyProblem::UnsupportedKeyType.into())
        }
    }

    fn from_sec1_der(der: &[u8]) -> Result<Self> {
        let curve = der::sec1_curve(der).ok_or(KeyProblem::Malformed(
            "EC private key (SEC1 without a named curve)",
        ))?;
        let alg = curve_algorithm(curve)?;
        let sign_alg = alg.ec_sign_alg().ok_or(KeyProblem::UnsupportedKeyType)?;
        let pair = EcdsaKeyPair::from_private_key_der(sign_alg, der).map_err(KeyProblem::from)?;
        Ok(Self::new(Material::Ec(pair), alg))
    }

    fn from_rsa(
        pair: std::result::Result<RsaKeyPair, aws_lc_rs::error::KeyRejected>,
    ) -> Result<Self> {
        let pair = pair.map_err(KeyProblem::from)?;
        // The same rules as for public keys: a key whose public half every verifier here
        // refuses (under 2048 bits, e below 65537) is no use for signing either.
        let public = pair.public_key();
        check_rsa(
            public.modulus().big_endian_without_leading_zero(),
            public.exponent().big_endian_without_leading_zero(),
        )?;
        Ok(Self::new(Material::Rsa(pair), Algorithm::RS256))
    }

    /// Generates an RSA key of `bits` bits (2048, 3072, 4096 or 8192), signing with RS256.
    ///
    /// Slow in debug builds (tens to hundreds of milliseconds): tests should use fixtures.
    ///
    /// # Errors
    /// [`KeyProblem::UnsupportedSize`] for other sizes, [`Error::Crypto`] if generation fails.
    pub fn generate_rsa(bits: usize) -> Result<Self> {
        let size = match bits {
            2048 => KeySize::Rsa2048,
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            8192 => KeySize::Rsa8192,
            _ => return Err(KeyProblem::UnsupportedSize { bits }.into()),
        };
        let pair = RsaKeyPair::generate(size).map_err(|_| Error::Crypto("generate a key"))?;
        Ok(Self::new(Material::Rsa(pair), Algorithm::RS256))
    }

    /// Generates a P-256 key, signing with ES256.
    ///
    /// # Errors
    /// [`Error::Crypto`] if generation fails.
    pub fn generate_p256() -> Result<Self> {
        let pair = EcdsaKeyPair::generate(&aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING)
            .map_err(|_| Error::Crypto("generate a key"))?;
        Ok(Self::new(Material::Ec(pair), Algorithm::ES256))
    }

    fn new(material: Material, alg: Algorithm) -> Self {
        let mut key = SigningKey {
            material: Arc::new(material),
            alg,
            kid: Arc::from(""),
        };
        // Both members exist for the key types we build, so the thumbprint always computes.
        let kid = key.public_jwk().thumbprint().unwrap_or_default();
        key.kid = Arc::from(kid);
        key
    }

    /// Returns this key with another `kid` (defaults to the RFC 7638 thumbprint).
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Arc::from(kid.into());
        self
    }

    /// Returns this key signing with another algorithm of its type (an RSA key can use
    /// RS256/384/512 and PS256/384/512; an EC key only its curve's algorithm).
    ///
    /// # Errors
    /// [`Error::AlgorithmMismatch`] when the key cannot sign with `alg`.
    pub fn with_algorithm(mut self, alg: Algorithm) -> Result<Self> {
        if alg.key_type() != self.key_type() {
            return Err(Error::AlgorithmMismatch {
                alg,
                key: self.key_type(),
            });
        }
        self.alg = alg;
        Ok(self)
    }

    /// The `kid` put in JWS headers and in the public JWK.
    #[must_use]
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The algorithm this key signs with.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The key type.
    #[must_use]
    pub fn key_type(&self) -> KeyType {
        match &*self.material {
            Material::Rsa(_) => KeyType::Rsa,
            Material::Ec(_) => self.alg.key_type(),
        }
    }

    /// Signs `message` (a JWS signing input) with [`algorithm`](Self::algorithm); ECDSA
    /// signatures come in the JWS `r || s` form.
    ///
    /// # Errors
    /// [`Error::Crypto`] if the backend fails.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let rng = SystemRandom::new();
        match &*self.material {
            Material::Rsa(pair) => {
                let encoding = self.alg.rsa_sign_encoding().ok_or(Error::Crypto("sign"))?;
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(encoding, &rng, message, &mut signature)
                    .map_err(|_| Error::Crypto("sign"))?;
                Ok(signature)
            }
            Material::Ec(pair) => pair
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| Error::Crypto("sign")),
        }
    }

    /// The public JWK with `kid`, `use: sig` and `alg`.
    #[must_use]
    pub fn public_jwk(&self) -> Jwk {
        let mut jwk = Jwk {
            kty: self.key_type().kty().to_owned(),
            kid: (!self.kid.is_empty()).then(|| self.kid.to_string()),
            use_: Some("sig".to_owned()),
            alg: Some(self.alg.as_str().to_owned()),
            ..Jwk::default()
        };
        match &*self.material {
            Material::Rsa(pair) => {
                let public = pair.public_key();
                jwk.n = Some(b64url(public.modulus().big_endian_without_leading_zero()));
                jwk.e = Some(b64url(public.exponent().big_endian_without_leading_zero()));
            }
            Material::Ec(pair) => {
                let point = pair.public_key().as_ref();
                let size = coordinate_len(self.key_type());
                jwk.crv = self.key_type().curve().map(str::to_owned);
                jwk.x = point.get(1..=size).map(b64url);
                jwk.y = point.get(1 + size..).map(b64url);
            }
        }
        jwk
    }

    /// A JWKS document holding only this key's public JWK.
    #[must_use]
    pub fn public_jwks(&self) -> Jwks {
        Jwks::new(vec![self.public_jwk()])
    }

    /// The matching public key, restricted to this key's algorithm.
    ///
    /// # Errors
    /// [`Error::Key`] only if the backend refuses its own public key.
    pub fn verifying_key(&self) -> Result<VerifyingKey> {
        VerifyingKey::from_jwk(&self.public_jwk())
    }

    /// The public key as SPKI PEM (`PUBLIC KEY`), e.g. for Keycloak's
    /// `jwt.credential.public.key` client attribute.
    ///
    /// # Errors
    /// [`Error::Crypto`] if the backend cannot encode it.
    pub fn public_key_pem(&self) -> Result<String> {
        let der: PublicKeyX509Der<'static> = match &*self.material {
            Material::Rsa(pair) => pair.public_key().as_der(),
            Material::Ec(pair) => pair.public_key().as_der(),
        }
        .map_err(|_| Error::Crypto("encode the public key"))?;
        Ok(encoding::encode_pem("PUBLIC KEY", der.as_ref()))
    }

    /// The private key as PKCS#8 PEM (`PRIVATE KEY`), zeroized on drop: for handing a
    /// generated key to its owner once. Treat the result as a secret.
    ///
    /// # Errors
    /// [`Error::Crypto`] if the backend cannot encode it.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        let der: Zeroizing<Vec<u8>> = Zeroizing::new(match &*self.material {
            Material::Rsa(pair) => {
                let der: aws_lc_rs::encoding::Pkcs8V1Der<'static> = pair
                    .as_der()
                    .map_err(|_| Error::Crypto("encode the private key"))?;
                der.as_ref().to_vec()
            }
            Material::Ec(pair) => pair
                .to_pkcs8v1()
                .map_err(|_| Error::Crypto("encode the private key"))?
                .as_ref()
                .to_vec(),
        });
        Ok(Zeroizing::new(encoding::encode_pem("PRIVATE KEY", &der)))
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_type", &self.key_type())
            .field("alg", &self.alg)
            .field("kid", &&*self.kid)
            .finish_non_exhaustive()
    }
}

fn curve_algorithm(curve: &[u8]) -> Result<Algorithm> {
    if curve == der::OID_P256 {
        Ok(Algorithm::ES256)
    } else if curve == der::OID_P384 {
        Ok(Algorithm::ES384)
    } else {
        Err(KeyProblem::UnsupportedKeyType.into())
    }
}

impl SigningKey {
    /// Signs `claims` as a compact JWS with the header `{alg, typ, kid}` (e.g. `typ` = `JWT`,
    /// or `at+jwt` for RFC 9068 access tokens). The result is zeroized on drop.
    ///
    /// # Errors
    /// [`Error::Crypto`] if the claims cannot be serialized or the backend fails.
    pub fn sign_jwt(&self, typ: &str, claims: &impl serde::Serialize) -> Result<Zeroizing<String>> {
        crate::jws::sign_compact(self, typ, claims)
    }
}
