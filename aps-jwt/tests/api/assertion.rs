use std::time::{Duration, SystemTime};

use aps_jwt::{Algorithm, ClientAssertion, SigningKey, VerifyingKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::support::{ec_key, rsa_key};

fn decode(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn check(key: &SigningKey) {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let assertion = ClientAssertion::builder("client-a", "https://kc.example/realms/apigw")
        .build()
        .unwrap();
    let signed = assertion.sign(key, now).unwrap();
    let token = signed.expose_secret();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header = decode(parts[0]);
    assert_eq!(header["alg"], key.algorithm().as_str());
    assert_eq!(header["kid"], key.kid());
    assert_eq!(header["typ"], "JWT");
    let claims = decode(parts[1]);
    assert_eq!(claims["iss"], "client-a");
    assert_eq!(claims["sub"], "client-a");
    assert_eq!(claims["aud"], "https://kc.example/realms/apigw");
    assert_eq!(claims["iat"], 1_800_000_000u64);
    assert_eq!(claims["exp"], 1_800_000_060u64);
    let jti = claims["jti"].as_str().unwrap();
    assert_eq!(jti, signed.jti());
    assert!(
        URL_SAFE_NO_PAD.decode(jti).unwrap().len() >= 16,
        "jti has at least 128 bits"
    );
    assert_eq!(signed.expires_at(), now + Duration::from_secs(60));
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    let public = VerifyingKey::from_jwk(&key.public_jwk()).unwrap();
    public
        .verify(
            key.algorithm(),
            format!("{}.{}", parts[0], parts[1]).as_bytes(),
            &signature,
        )
        .unwrap();
    // jsonwebtoken, an independent implementation, accepts it too.
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_str(&key.public_jwk().to_json()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(match key.algorithm() {
        Algorithm::ES256 => jsonwebtoken::Algorithm::ES256,
        _ => jsonwebtoken::Algorithm::RS256,
    });
    validation.set_audience(&["https://kc.example/realms/apigw"]);
    validation.validate_exp = false;
    jsonwebtoken::decode::<Value>(
        token,
        &jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap(),
        &validation,
    )
    .unwrap();
    // Fresh jti on every signature.
    assert_ne!(assertion.sign(key, now).unwrap().jti(), signed.jti());
    assert!(!format!("{signed:?}").contains(parts[2]));
}

#[test]
fn rs256_assertion_has_the_rfc7523_claims() {
    check(&rsa_key());
}

#[test]
fn es256_assertion_has_the_rfc7523_claims() {
    check(&ec_key());
}

#[test]
fn builder_refuses_empty_values_and_unbounded_lifetimes() {
    assert!(ClientAssertion::builder("", "aud").build().is_err());
    assert!(ClientAssertion::builder("c", "").build().is_err());
    assert!(
        ClientAssertion::builder("c", "a")
            .lifetime(Duration::ZERO)
            .build()
            .is_err()
    );
    assert!(
        ClientAssertion::builder("c", "a")
            .lifetime(Duration::from_secs(7200))
            .build()
            .is_err()
    );
    let a = ClientAssertion::builder("c", "a")
        .audience("https://kc/token")
        .lifetime(Duration::from_secs(30))
        .build()
        .unwrap();
    assert_eq!(
        (a.audience(), a.lifetime()),
        ("https://kc/token", Duration::from_secs(30))
    );
}
