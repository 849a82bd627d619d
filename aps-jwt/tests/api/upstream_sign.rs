//! `upstream::Signer` writes what the Kong plugin writes, and `upstream::Verifier` accepts it.

use std::sync::Arc;
use std::time::Duration;

use aps_jwt::upstream::{Signer, Verifier};
use aps_jwt::{Jwks, ManualClock, ValidationError};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::support::{NOW, ec_key, rsa_key, testdata};

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::at_unix(NOW))
}

fn signer() -> aps_jwt::upstream::SignerBuilder {
    Signer::builder(rsa_key()).clock(clock())
}

fn verifier(service: &str) -> Verifier {
    Verifier::builder(service)
        .jwks(&Jwks::new(vec![rsa_key().public_jwk()]))
        .clock(clock())
        .build()
        .unwrap()
}

/// The decoded header and claims of a compact JWS.
fn parts(jwt: &str) -> (Value, Value) {
    let mut it = jwt.split('.');
    let mut next = || serde_json::from_slice(&URL_SAFE_NO_PAD.decode(it.next().unwrap()).unwrap());
    (next().unwrap(), next().unwrap())
}

#[tokio::test]
async fn signed_jwt_has_the_plugins_shape_and_verifies() {
    let body = br#"{"order": 1}"#;
    let jwt = signer()
        .build()
        .unwrap()
        .sign("my-service", body, Some("c0ffee"), Some("app-1"))
        .unwrap();
    let (header, claims) = parts(&jwt);
    assert_eq!(
        header,
        json!({"typ": "JWT", "alg": "RS256", "kid": rsa_key().kid()})
    );
    let jti = claims["jti"].as_str().unwrap().to_owned();
    assert_eq!(jti.len(), 36, "a UUID: {jti}");
    assert_eq!(
        claims,
        json!({
            "exp": NOW + 60, "jti": jti, "aud": "my-service",
            "payloadhash": sha256_hex(body),
            "consumerid": "c0ffee", "consumername": "app-1"
        }),
        "no iss or iat without an issuer"
    );
    let request = verifier("my-service").verify(&jwt, body).await.unwrap();
    assert_eq!(request.consumer_id(), Some("c0ffee"));
    assert_eq!(request.consumer_name(), Some("app-1"));
    assert_eq!(request.jwt_id(), jti);
    assert_eq!(request.issuer(), None);
}

fn sha256_hex(body: &[u8]) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, body);
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn issuer_adds_iss_and_iat_and_the_verifier_can_require_it() {
    let jwt = signer()
        .issuer("https://gw.example")
        .lifetime(Duration::from_secs(30))
        .build()
        .unwrap()
        .sign("my-service", b"", None, None)
        .unwrap();
    let (_, claims) = parts(&jwt);
    assert_eq!(claims["iss"], "https://gw.example");
    assert_eq!(claims["iat"], NOW);
    assert_eq!(claims["exp"], NOW + 30);
    assert_eq!(claims["payloadhash"], "", "no body, empty hash");
    assert!(claims.get("consumerid").is_none() && claims.get("consumername").is_none());
    let strict = Verifier::builder("my-service")
        .issuer("https://gw.example")
        .jwks(&Jwks::new(vec![rsa_key().public_jwk()]))
        .clock(clock())
        .build()
        .unwrap();
    let request = strict.verify(&jwt, b"").await.unwrap();
    assert_eq!(request.issuer(), Some("https://gw.example"));
}

#[tokio::test]
async fn wrong_service_and_tampered_body_are_refused() {
    let s = signer().build().unwrap();
    let body = b"amount=10";
    let jwt = s.sign("my-service", body, None, None).unwrap();
    assert_eq!(
        verifier("other-service")
            .verify(&jwt, body)
            .await
            .unwrap_err(),
        ValidationError::Audience
    );
    assert_eq!(
        verifier("my-service")
            .verify(&jwt, b"amount=1000")
            .await
            .unwrap_err(),
        ValidationError::Rejected("payload hash does not match the body")
    );
    // The body dropped on the way: a hash was signed, none arrives.
    assert!(verifier("my-service").verify(&jwt, b"").await.is_err());
    // Each signature has its own jti, so two requests are not a replay.
    let v = verifier("my-service");
    v.verify(&s.sign("my-service", body, None, None).unwrap(), body)
        .await
        .unwrap();
    v.verify(&s.sign("my-service", body, None, None).unwrap(), body)
        .await
        .unwrap();
}

#[tokio::test]
async fn certificate_goes_into_x5c_as_the_plugin_writes_it() {
    let der = testdata("keys/rsa2048.cert.der");
    // No kid (the plugin's key_id unset): an x5c-trusting verifier takes the certificate.
    let s = Signer::builder(rsa_key().with_kid(""))
        .certificate_der(der.clone())
        .clock(clock())
        .build()
        .unwrap();
    let jwt = s.sign("my-service", b"", None, None).unwrap();
    let (header, _) = parts(&jwt);
    assert_eq!(
        header,
        json!({"typ": "JWT", "alg": "RS256", "x5c": [URL_SAFE_NO_PAD.encode(&der)]})
    );
    let trusting = Verifier::builder("my-service")
        .jwks(&Jwks::default())
        .dangerous_trust_embedded_certificate(true)
        .clock(clock())
        .build()
        .unwrap();
    trusting.verify(&jwt, b"").await.unwrap();
}

#[test]
fn builder_refuses_what_the_plugin_cannot_do() {
    let err = Signer::builder(ec_key()).build().unwrap_err();
    assert!(err.is_config(), "{err}");
    assert!(signer().lifetime(Duration::ZERO).build().is_err());
    assert!(
        signer()
            .lifetime(Duration::from_secs(3601))
            .build()
            .is_err()
    );
    assert!(signer().issuer("").build().is_err());
    assert!(signer().certificate_der(vec![1, 2, 3]).build().is_err());
    let stranger = aps_jwt::SigningKey::generate_rsa(2048).unwrap();
    let err = Signer::builder(stranger)
        .certificate_der(testdata("keys/rsa2048.cert.der"))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("another key"), "{err}");
    let s = signer().build().unwrap();
    assert!(s.sign("", b"", None, None).is_err());
}
