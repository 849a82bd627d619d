//! Public keys that verify JWS signatures, parsed once and shared.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::rsa::PublicKeyComponents;
use aws_lc_rs::signature::ParsedPublicKey;

use crate::alg::{Algorithm, KeyType};
use crate::encoding::{self, b64url, b64url_decode};
use crate::error::{Error, KeyProblem, Result};
use crate::jwk::Jwk;

mod from_der;

/// A public key ready to verify signatures: parsed once, cheap to clone, safe to share.
///
/// Construction refuses keys that are weak (RSA under 2048 bits or with an exponent below 65537),
/// off-curve, meant for encryption (`use: enc`), or whose `alg` does not fit the key type.
///
/// # Examples
/// ```
/// use aps_jwt::{Algorithm, SigningKey, VerifyingKey};
///
/// let signer = SigningKey::generate_p256()?;
/// let key = VerifyingKey::from_pem(&signer.public_key_pem()?)?; // or from_jwk, from_der ...
/// let signature = signer.sign(b"header.payload")?;
/// key.verify(Algorithm::ES256, b"header.payload", &signature)?;
/// assert!(key.verify(Algorithm::RS256, b"header.payload", &signature).is_err());
/// # Ok::<(), aps_jwt::Error>(())
/// ```
#[derive(Clone)]
pub struct VerifyingKey {
    inner: Arc<Inner>,
}

struct Inner {
    key_type: KeyType,
    jwk: Jwk,
    parsed: Vec<(Algorithm, ParsedPublicKey)>,
}

impl VerifyingKey {
    /// Reads a public JWK. If it has an `alg`, the key verifies only that algorithm; otherwise
    /// any algorithm of its key type.
    ///
    /// # Errors
    /// [`Error::JwkMember`] for a missing or malformed member, [`Error::Key`] for a key that is
    /// weak, off-curve or not for signatures, [`Error::AlgorithmMismatch`] when `alg` does not
    /// fit the key type.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self> {
        if jwk.use_.as_deref().is_some_and(|u| u != "sig") {
            return Err(KeyProblem::NotForSignatures.into());
        }
        if let Some(ops) = &jwk.key_ops
            && !ops.iter().any(|op| op == "verify")
        {
            return Err(KeyProblem::NotForSignatures.into());
        }
        let member = |member: &'static str, value: &Option<String>| -> Result<Vec<u8>> {
            let text = value.as_deref().ok_or(Error::JwkMember {
                member,
                problem: "is missing",
            })?;
            b64url_decode(text).ok_or(Error::JwkMember {
                member,
                problem: "is not base64url",
            })
        };
        let (key_type, material) = match jwk.kty.as_str() {
            "RSA" => {
                let n = member("n", &jwk.n)?;
                let e = member("e", &jwk.e)?;
                (KeyType::Rsa, Material::Rsa { n, e })
            }
            "EC" => {
                let key_type = match jwk.crv.as_deref() {
                    Some("P-256") => KeyType::EcP256,
                    Some("P-384") => KeyType::EcP384,
                    Some(_) => return Err(KeyProblem::UnsupportedKeyType.into()),
                    None => {
                        return Err(Error::JwkMember {
                            member: "crv",
                            problem: "is missing",
                        });
                    }
                };
                let size = coordinate_len(key_type);
                let x = member("x", &jwk.x)?;
                let y = member("y", &jwk.y)?;
                if x.len() != size || y.len() != size {
                    return Err(Error::JwkMember {
                        member: if x.len() == size { "y" } else { "x" },
                        problem: "has the wrong length for the curve",
                    });
                }
                let mut point = Vec::with_capacity(1 + 2 * size);
                point.push(0x04);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                (key_type, Material::Ec { point })
            }
            _ => return Err(KeyProblem::UnsupportedKeyType.into()),
        };
        let alg = match jwk.alg.as_deref() {
            None => None,
            Some(text) => match text.parse::<Algorithm>() {
                Ok(alg) if alg.key_type() == key_type => Some(alg),
                Ok(alg) => return Err(Error::AlgorithmMismatch { alg, key: key_type }),
                Err(_) => {
                    return Err(Error::JwkMember {
                        member: "alg",
                        problem: "is not a supported signature algorithm",
                    });
                }
            },
        };
        Self::build(key_type, material, alg, jwk.kid.clone())
    }

    fn build(
        key_type: KeyType,
        material: Material,
        alg: Option<Algorithm>,
        kid: Option<String>,
    ) -> Result<Self> {
        let algs: Vec<Algorithm> = match alg {
            Some(alg) => vec![alg],
            None => key_type.algorithms().collect(),
        };
        let mut parsed = Vec::with_capacity(algs.len());
        let mut jwk = Jwk {
            kty: key_type.kty().to_owned(),
            kid,
            use_: Some("sig".to_owned()),
            alg: alg.map(|a| a.as_str().to_owned()),
            ..Jwk::default()
        };
        match &material {
            Material::Rsa { n, e } => {
                let n = encoding::strip_leading_zeros(n);
                let e = encoding::strip_leading_zeros(e);
                check_rsa(n, e)?;
                let components = PublicKeyComponents { n, e };
                for alg in algs {
                    let params = alg
                        .rsa_verify_params()
                        .ok_or(Error::AlgorithmMismatch { alg, key: key_type })?;
                    let key = components
                        .to_parsed_public_key(params)
                        .map_err(KeyProblem::from)?;
                    parsed.push((alg, key));
                }
                jwk.n = Some(b64url(n));
                jwk.e = Some(b64url(e));
            }
            Material::Ec { point } => {
                for alg in algs {
                    let ec = alg
                        .ec_verify_alg()
                        .ok_or(Error::AlgorithmMismatch { alg, key: key_type })?;
                    let key = ParsedPublicKey::new(ec, point).map_err(KeyProblem::from)?;
                    parsed.push((alg, key));
                }
                let size = coordinate_len(key_type);
                jwk.crv = key_type.curve().map(str::to_owned);
                jwk.x = Some(b64url(&point[1..=size]));
                jwk.y = Some(b64url(&point[1 + size..]));
            }
        }
        Ok(VerifyingKey {
            inner: Arc::new(Inner {
                key_type,
                jwk,
                parsed,
            }),
        })
    }

    /// Returns this key with the given `kid`.
    #[must_use]
    pub fn with_kid(self, kid: impl Into<String>) -> Self {
        let mut jwk = self.inner.jwk.clone();
        jwk.kid = Some(kid.into());
        self.replace_jwk(jwk, None)
    }

    /// Returns this key restricted to one algorithm.
    ///
    /// # Errors
    /// [`Error::AlgorithmMismatch`] when the key cannot verify `alg`.
    pub fn with_algorithm(self, alg: Algorithm) -> Result<Self> {
        if !self.inner.parsed.iter().any(|(a, _)| *a == alg) {
            return Err(Error::AlgorithmMismatch {
                alg,
                key: self.inner.key_type,
            });
        }
        let mut jwk = self.inner.jwk.clone();
        jwk.alg = Some(alg.as_str().to_owned());
        Ok(self.replace_jwk(jwk, Some(alg)))
    }

    fn replace_jwk(self, jwk: Jwk, only: Option<Algorithm>) -> Self {
        let parsed = self
            .inner
            .parsed
            .iter()
            .filter(|(a, _)| only.is_none_or(|only| only == *a))
            .cloned()
            .collect();
        VerifyingKey {
            inner: Arc::new(Inner {
                key_type: self.inner.key_type,
                jwk,
                parsed,
            }),
        }
    }

    /// Verifies a JWS signature over `message` (the JWS signing input) with `alg`.
    ///
    /// ECDSA signatures are in the JWS form (`r || s`, RFC 7518 section 3.4).
    ///
    /// # Errors
    /// [`Error::AlgorithmMismatch`] when this key does not verify `alg`;
    /// [`Error::BadSignature`] when the signature does not verify.
    pub fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> Result<()> {
        let key = self.parsed(alg).ok_or(Error::AlgorithmMismatch {
            alg,
            key: self.inner.key_type,
        })?;
        key.verify_sig(message, signature)
            .map_err(|_| Error::BadSignature)
    }

    pub(crate) fn parsed(&self, alg: Algorithm) -> Option<&ParsedPublicKey> {
        self.inner
            .parsed
            .iter()
            .find_map(|(a, key)| (*a == alg).then_some(key))
    }

    /// Whether this key can verify `alg`.
    #[must_use]
    pub fn supports(&self, alg: Algorithm) -> bool {
        self.parsed(alg).is_some()
    }

    /// The key type.
    #[must_use]
    pub fn key_type(&self) -> KeyType {
        self.inner.key_type
    }

    /// The `kid`, if the key has one.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.inner.jwk.kid.as_deref()
    }

    /// The single algorithm the key is restricted to, if any.
    #[must_use]
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.inner.jwk.algorithm()
    }

    /// The public JWK (normalized: `use: sig`, no leading zeros, only public members).
    #[must_use]
    pub fn jwk(&self) -> &Jwk {
        &self.inner.jwk
    }

    /// Whether two keys are the same public key (same type and members, ignoring `kid`/`alg`).
    #[must_use]
    pub fn same_key(&self, other: &VerifyingKey) -> bool {
        let (a, b) = (&self.inner.jwk, &other.inner.jwk);
        a.kty == b.kty && a.n == b.n && a.e == b.e && a.crv == b.crv && a.x == b.x && a.y == b.y
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("key_type", &self.inner.key_type)
            .field("kid", &self.kid())
            .field(
                "algorithms",
                &self
                    .inner
                    .parsed
                    .iter()
                    .map(|(a, _)| *a)
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

enum Material {
    Rsa { n: Vec<u8>, e: Vec<u8> },
    Ec { point: Vec<u8> },
}

pub(crate) const fn coordinate_len(key_type: KeyType) -> usize {
    match key_type {
        KeyType::Rsa => 0,
        KeyType::EcP256 => 32,
        KeyType::EcP384 => 48,
    }
}

/// RFC 8725 section 3.5 / NIST SP 800-131A: at least 2048 bits; RFC 8017 and SP 800-56B: an odd
/// exponent, and we refuse the tiny ones (e = 3) that made signature forgeries practical.
pub(crate) fn check_rsa(n: &[u8], e: &[u8]) -> Result<()> {
    // `n` has no leading zero byte, so only its first byte can have leading zero bits.
    let bits = n
        .first()
        .map_or(0, |b| n.len() * 8 - b.leading_zeros() as usize);
    if !(2048..=8192).contains(&bits) {
        return Err(KeyProblem::RsaSize { bits }.into());
    }
    let even = e.last().is_none_or(|b| b & 1 == 0);
    let below_65537 = e.len() < 3 || (e.len() == 3 && e < &[0x01, 0x00, 0x01][..]);
    if even || below_65537 || e.len() > 8 {
        return Err(KeyProblem::RsaExponent.into());
    }
    Ok(())
}

/// Verifies one JWS signature given an algorithm, a public JWK, the signing input and the
/// signature bytes: the low-level entry point that the validator also uses, exposed so that
/// standard test vectors (Wycheproof) can be run against it.
///
/// # Errors
/// [`Error::Key`]/[`Error::JwkMember`] when the JWK is not an acceptable key,
/// [`Error::AlgorithmMismatch`] when it cannot verify `alg`, [`Error::BadSignature`] otherwise.
///
/// # Examples
/// ```
/// use aps_jwt::{Algorithm, SigningKey, verify_signature};
/// let key = SigningKey::generate_p256()?;
/// let signature = key.sign(b"header.payload")?;
/// verify_signature(Algorithm::ES256, &key.public_jwk(), b"header.payload", &signature)?;
/// assert!(verify_signature(Algorithm::ES256, &key.public_jwk(), b"header.payloaD", &signature).is_err());
/// # Ok::<(), aps_jwt::Error>(())
/// ```
pub fn verify_signature(
    alg: Algorithm,
    jwk: &Jwk,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<()> {
    VerifyingKey::from_jwk(jwk)?.verify(alg, signing_input, signature)
}
