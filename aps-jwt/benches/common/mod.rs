//! Fixtures shared by the benches: the Keycloak-shaped token, the validator under test, the raw
//! aws-lc-rs floor and jsonwebtoken's equivalent.
#![allow(dead_code)] // each bench uses its own subset

use std::pin::pin;
use std::task::{Context, Poll, Waker};

use aps_jwt::{Algorithm, Jwks, ManualClock, SigningKey, Validator};
use aws_lc_rs::signature::{self, ParsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

pub(crate) const RSA_PEM: &str = include_str!("../../testdata/keys/rsa2048.pkcs8.pem");
pub(crate) const EC_PEM: &str = include_str!("../../testdata/keys/p256.pkcs8.pem");
pub(crate) const RSA_PKCS1_PEM: &str = include_str!("../../testdata/keys/rsa2048.pkcs1.pem");
pub(crate) const ISSUER: &str = "https://idp.example/realms/apigw";
pub(crate) const NOW: u64 = 1_799_996_400;

/// Polls a future that completes without waiting (the validator's hot path never awaits I/O).
pub(crate) fn ready<T>(future: impl std::future::Future<Output = T>) -> T {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("the hot path awaited"),
    }
}

pub(crate) fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("pem")
}

/// A Keycloak-shaped access token payload (about 1 KB, like perf-baseline.md's).
pub(crate) fn claims() -> serde_json::Value {
    json!({
        "exp": NOW + 300, "iat": NOW - 5, "jti": "trrtcc:f973aa6a-9ba9-c5f6-787a-78eea8ad15ec",
        "iss": ISSUER, "aud": ["realm-management", "account", "ap-my-api"],
        "sub": "19cd4bbc-4fbc-4e59-8721-d362b3ef8e71", "typ": "Bearer", "azp": "consumer-app-1",
        "sid": "5b4b8d3c-0f77-4b57-9e2d-3c0c4e1f8a11", "acr": "1",
        "allowed-origins": ["https://app.example", "https://app2.example"],
        "realm_access": {"roles": ["offline_access", "uma_authorization", "default-roles-apigw"]},
        "resource_access": {
            "realm-management": {"roles": ["manage-users", "manage-clients", "view-clients"]},
            "account": {"roles": ["manage-account", "manage-account-links", "view-profile"]},
            "ap-my-api": {"roles": ["read", "write"]}
        },
        "scope": "profile email Function1/read Function2/*", "clientHost": "10.97.12.4",
        "email_verified": false, "preferred_username": "service-account-consumer-app-1",
        "clientAddress": "10.97.12.4", "client_id": "consumer-app-1", "clientId": "consumer-app-1"
    })
}

pub(crate) fn token(key: &SigningKey) -> String {
    token_with(key, &claims())
}

/// The token `i` of a pool of distinct ones (they differ by `jti`).
pub(crate) fn numbered_token(key: &SigningKey, i: usize) -> String {
    let mut claims = claims();
    claims["jti"] = json!(format!("trrtcc:{i:08}-9ba9-c5f6-787a-78eea8ad15ec"));
    token_with(key, &claims)
}

fn token_with(key: &SigningKey, claims: &serde_json::Value) -> String {
    let header = json!({"alg": key.algorithm().as_str(), "typ": "JWT", "kid": key.kid()});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = key.sign(input.as_bytes()).expect("sign");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

pub(crate) fn validator(key: &SigningKey, cache: bool) -> Validator {
    Validator::builder()
        .issuer_with_jwks(ISSUER, &Jwks::new(vec![key.public_jwk()]))
        .algorithms([Algorithm::RS256, Algorithm::ES256])
        .audience("ap-my-api")
        .scope("Function1/read")
        .cache(cache)
        .clock(ManualClock::at_unix(NOW))
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
