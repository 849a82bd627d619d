//! The benches' bearer token (Keycloak-shaped, signed with the RSA fixture key) and the validator
//! that accepts it: a static JWKS and a clock pinned to the token's lifetime. Also used by
//! examples/benches/gateway_load.
#![allow(dead_code)] // each bench uses its own subset

use aps_jwt::{Jwks, ManualClock, SigningKey, Validator, ValidatorBuilder};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

pub(crate) const RSA_PEM: &str = include_str!("../../testdata/keys/rsa2048.pkcs8.pem");
pub(crate) const ISSUER: &str = "https://idp.example/realms/apigw";
pub(crate) const NOW: u64 = 1_799_996_400;

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

/// The checks every bench's validator makes (issuer with `key`'s JWKS, audience, scope, the
/// pinned clock); each bench adds its cache settings.
pub(crate) fn validator_builder(key: &SigningKey) -> ValidatorBuilder {
    Validator::builder()
        .issuer_with_jwks(ISSUER, &Jwks::new(vec![key.public_jwk()]))
        .audience("ap-my-api")
        .scope("Function1/read")
        .clock(ManualClock::at_unix(NOW))
}

/// The validator of the HTTP load benches: a cache of `entries` tokens (and 32 MiB).
pub(crate) fn validator_with_cache_entries(key: &SigningKey, entries: usize) -> Validator {
    validator_builder(key)
        .cache_limits(entries, 32 << 20)
        .build()
        .expect("validator")
}
