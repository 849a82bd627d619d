//! Fixtures shared by the benches: the Keycloak-shaped token, the validator under test, the raw
//! aws-lc-rs floor and jsonwebtoken's equivalent.
#![allow(dead_code)] // each bench uses its own subset

use aps_jwt::{Algorithm, SigningKey, Validator};
use aws_lc_rs::signature::{self, ParsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

mod bearer;
mod ready;
pub(crate) use bearer::*;
#[allow(unused_imports)] // each bench uses its own subset
pub(crate) use ready::ready;

pub(crate) const EC_PEM: &str = include_str!("../../testdata/keys/p256.pkcs8.pem");
pub(crate) const RSA_PKCS1_PEM: &str = include_str!("../../testdata/keys/rsa2048.pkcs1.pem");

pub(crate) fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("pem")
}

pub(crate) fn validator(key: &SigningKey, cache: bool) -> Validator {
    validator_builder(key)
        .algorithms([Algorithm::RS256, Algorithm::ES256])
        .cache(cache)
        .build()
        .expect("validator")
}

/// The raw aws-lc-rs verifying key (parsed once) for `key`'s algorithm: the floor.
pub(crate) fn floor(key: &SigningKey) -> ParsedPublicKey {
    let jwk = key.public_jwk();
    let b64 = |field: Option<&str>| URL_SAFE_NO_PAD.decode(field.expect("field")).expect("b64");
    match key.algorithm() {
        Algorithm::RS256 => aws_lc_rs::rsa::PublicKeyComponents {
            n: b64(jwk.n.as_deref()),
            e: b64(jwk.e.as_deref()),
        }
        .to_parsed_public_key(&signature::RSA_PKCS1_2048_8192_SHA256)
        .expect("key"),
        _ => {
            let mut point = vec![4];
            point.extend(b64(jwk.x.as_deref()));
            point.extend(b64(jwk.y.as_deref()));
            ParsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point).expect("key")
        }
    }
}

/// jsonwebtoken's key, algorithm and validation doing the same checks as [`validator`].
pub(crate) fn jsonwebtoken_setup(
    key: &SigningKey,
) -> (jsonwebtoken::DecodingKey, jsonwebtoken::Validation) {
    let jwt_key = jsonwebtoken::DecodingKey::from_jwk(
        &serde_json::from_str(&key.public_jwk().to_json()).expect("jwk"),
    )
    .expect("key");
    let alg = match key.algorithm() {
        Algorithm::RS256 => jsonwebtoken::Algorithm::RS256,
        _ => jsonwebtoken::Algorithm::ES256,
    };
    let mut v = jsonwebtoken::Validation::new(alg);
    v.set_issuer(&[ISSUER]);
    v.set_audience(&["ap-my-api"]);
    v.validate_exp = false; // the token's exp is in 2027; our clock is pinned, theirs is not
    (jwt_key, v)
}

/// The claims jsonwebtoken deserializes into.
#[derive(serde::Deserialize)]
pub(crate) struct JwtClaims {
    pub(crate) iss: String,
    pub(crate) exp: u64,
    pub(crate) scope: String,
    pub(crate) azp: String,
}
