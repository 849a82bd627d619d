//! Private JWKs (RFC 7518 section 6): reading an RSA or EC private key from its JSON form,
//! with every member zeroized on drop and never quoted in an error.

use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeyPairComponents, PublicKeyComponents};
use aws_lc_rs::signature::EcdsaKeyPair;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{Material, SigningKey};
use crate::alg::Algorithm;
use crate::encoding::b64url_decode;
use crate::error::{Error, KeyProblem, Result};
use crate::verifying_key::coordinate_len;

impl SigningKey {
    /// Reads a private JWK (RSA with `n, e, d, p, q, dp, dq, qi`; EC with `crv, x, y, d`).
    /// A `kid` and `alg` in the JWK are kept.
    ///
    /// # Errors
    /// [`Error::JwkJson`] / [`Error::JwkMember`] for malformed JSON or members (never quoting
    /// them), [`Error::Key`] when the key is not acceptable.
    pub fn from_jwk(json: &str) -> Result<Self> {
        let jwk: PrivateJwk = serde_json::from_str(json).map_err(|e| Error::from_json(&e))?;
        let key = match jwk.kty.as_str() {
            "RSA" => {
                let get = |member: &'static str, value: &Option<Zeroizing<String>>| {
                    private_member(member, value)
                };
                let (n, e, d) = (get("n", &jwk.n)?, get("e", &jwk.e)?, get("d", &jwk.d)?);
                let (p, q) = (get("p", &jwk.p)?, get("q", &jwk.q)?);
                let (dp, dq, qi) = (
                    get("dp", &jwk.dp)?,
                    get("dq", &jwk.dq)?,
                    get("qi", &jwk.qi)?,
                );
                let components = KeyPairComponents {
                    public_key: PublicKeyComponents {
                        n: &n[..],
                        e: &e[..],
                    },
                    d: &d[..],
                    p: &p[..],
                    q: &q[..],
                    dP: &dp[..],
                    dQ: &dq[..],
                    qInv: &qi[..],
                };
                Self::from_rsa(RsaKeyPair::from_components(&components))?
            }
            "EC" => {
                let alg = match jwk.crv.as_deref() {
                    Some("P-256") => Algorithm::ES256,
                    Some("P-384") => Algorithm::ES384,
                    _ => return Err(KeyProblem::UnsupportedKeyType.into()),
                };
                let size = coordinate_len(alg.key_type());
                let d = private_member("d", &jwk.d)?;
                let x = private_member("x", &jwk.x)?;
                let y = private_member("y", &jwk.y)?;
                if d.len() != size || x.len() != size || y.len() != size {
                    return Err(Error::JwkMember {
                        member: "d",
                        problem: "or x/y has the wrong length for the curve",
                    });
                }
                let mut point = vec![0x04];
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                let sign_alg = alg.ec_sign_alg().ok_or(KeyProblem::UnsupportedKeyType)?;
                let pair = EcdsaKeyPair::from_private_key_and_public_key(sign_alg, &d, &point)
                    .map_err(KeyProblem::from)?;
                Self::new(Material::Ec(pair), alg)
            }
            _ => return Err(KeyProblem::UnsupportedKeyType.into()),
        };
        let key = match jwk.alg.as_deref() {
            Some(alg) => key.with_algorithm(alg.parse().map_err(|_| Error::JwkMember {
                member: "alg",
                problem: "is not a supported signature algorithm",
            })?)?,
            None => key,
        };
        Ok(match jwk.kid {
            Some(kid) => key.with_kid(kid),
            None => key,
        })
    }
}

fn private_member(
    member: &'static str,
    value: &Option<Zeroizing<String>>,
) -> Result<Zeroizing<Vec<u8>>> {
    let text = value.as_deref().ok_or(Error::JwkMember {
        member,
        problem: "is missing",
    })?;
    b64url_decode(text)
        .map(Zeroizing::new)
        .ok_or(Error::JwkMember {
            member,
            problem: "is not base64url",
        })
}

#[derive(Deserialize)]
struct PrivateJwk {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    n: Option<Zeroizing<String>>,
    #[serde(default)]
    e: Option<Zeroizing<String>>,
    #[serde(default)]
    x: Option<Zeroizing<String>>,
    #[serde(default)]
    y: Option<Zeroizing<String>>,
    #[serde(default)]
    d: Option<Zeroizing<String>>,
    #[serde(default)]
    p: Option<Zeroizing<String>>,
    #[serde(default)]
    q: Option<Zeroizing<String>>,
    #[serde(default)]
    dp: Option<Zeroizing<String>>,
    #[serde(default)]
    dq: Option<Zeroizing<String>>,
    #[serde(default)]
    qi: Option<Zeroizing<String>>,
}
