use std::sync::Arc;

use aps_jwt::upstream::Verifier;
use aps_jwt::{Jwks, ManualClock, ValidationError};
use serde_json::{Value, json};

use crate::support::{NOW, mint, patch, rsa_key, testdata};

fn sha256_hex(body: &[u8]) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, body);
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn cert_b64() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(testdata("keys/rsa2048.cert.der"))
}

fn gateway_claims(body: &[u8]) -> Value {
    json!({
        "exp": NOW + 60, "jti": "4a7d6f0e-jti", "aud": "my-service",
        "payloadhash": if body.is_empty() { String::new() } else { sha256_hex(body) },
        "consumerid": "c0ffee", "consumername": "app-1"
    })
}

fn header(kid: bool) -> Value {
    let mut h = json!({"typ": "JWT", "alg": "RS256", "x5c": [cert_b64()]});
    if kid {
        h["kid"] = json!(rsa_key().kid());
    }
    h
}

fn verifier() -> aps_jwt::upstream::VerifierBuilder {
    Verifier::builder("my-service")
        .header("GW-JWT")
        .jwks(&Jwks::new(vec![rsa_key().public_jwk()]))
        .clock(Arc::new(ManualClock::at_unix(NOW)))
}

#[tokio::test]
async fn gateway_jwt_is_verified_with_its_body() {
    let v = verifier().build().unwrap();
    assert_eq!(v.header_name(), "GW-JWT");
    let body = br#"{"order": 1}"#;
    let token = mint(&rsa_key(), &header(true), &gateway_claims(body));
    let request = v.verify(&token, body).await.unwrap();
    assert_eq!(request.consumer_name(), Some("app-1"));
    assert_eq!(request.consumer_id(), Some("c0ffee"));
    assert_eq!(request.jwt_id(), "4a7d6f0e-jti");
    // The same token again: a replay.
    assert_eq!(
        v.verify(&token, body).await.unwrap_err(),
        ValidationError::Rejected("token replayed")
    );
    // Another body than the one hashed.
    let other = mint(
        &rsa_key(),
        &header(true),
        &patch(gateway_claims(body), json!({"jti": "2"})),
    );
    assert!(matches!(
        v.verify(&other, b"{}").await,
        Err(ValidationError::Rejected(_))
    ));
    // No body: an empty payloadhash.
    let empty = mint(
        &rsa_key(),
        &header(true),
        &patch(gateway_claims(b""), json!({"jti": "3"})),
    );
    v.verify(&empty, b"").await.unwrap();
}

#[tokio::test]
async fn gateway_jwt_checks() {
    let v = verifier().issuer("https://gw.example").build().unwrap();
    let body = b"x";
    let claims = |changes: Value| patch(gateway_claims(body), changes);
    let cases = [
        (
            claims(json!({"iss": "https://gw.example", "aud": "other-service", "jti": "a"})),
            ValidationError::Audience,
        ),
        (
            claims(json!({"iss": "https://gw.example", "exp": NOW - 11, "jti": "b"})),
            ValidationError::Expired,
        ),
        (
            claims(json!({"iss": "https://evil.example", "jti": "c"})),
            ValidationError::IssuerNotAllowed,
        ),
        (
            claims(json!({"iss": "https://gw.example", "jti": null})),
            ValidationError::MissingClaim("jti"),
        ),
        (
            claims(json!({"iss": "https://gw.example", "payloadhash": null, "jti": "d"})),
            ValidationError::MissingClaim("payloadhash"),
        ),
    ];
    for (claims, expected) in cases {
        let token = mint(&rsa_key(), &header(true), &claims);
        assert_eq!(
            v.verify(&token, body).await.unwrap_err(),
            expected,
            "{claims}"
        );
    }
    let ok = mint(
        &rsa_key(),
        &header(true),
        &claims(json!({"iss": "https://gw.example", "jti": "e"})),
    );
    v.verify(&ok, body).await.unwrap();
}

#[tokio::test]
async fn bearer_prefix_is_configurable() {
    let body = b"";
    let token = mint(&rsa_key(), &header(true), &gateway_claims(body));
    let plain = verifier().build().unwrap();
    assert!(
        plain
            .verify(&format!("Bearer {token}"), body)
            .await
            .is_err()
    );
    let prefixed = verifier().bearer_prefix(true).build().unwrap();
    assert_eq!(
        prefixed.verify(&token, body).await.unwrap_err(),
        ValidationError::Missing
    );
    prefixed
        .verify(&format!("Bearer {token}"), body)
        .await
        .unwrap();
}

#[tokio::test]
async fn embedded_certificate_is_trusted_only_on_request() {
    let body = b"";
    let token = mint(&rsa_key(), &header(false), &gateway_claims(body));
    let strict = verifier().build().unwrap();
    // Without a kid, keys are matched by algorithm from the JWKS (never from x5c).
    strict.verify(&token, body).await.unwrap();
    // Any RSA key that is not the gateway's (the e = 3 fixture is refused as a signing key).
    let stranger = aps_jwt::SigningKey::generate_rsa(2048).unwrap();
    let forged = mint(
        &stranger,
        &header(false),
        &patch(gateway_claims(body), json!({"jti": "f"})),
    );
    assert_eq!(
        strict.verify(&forged, body).await.unwrap_err(),
        ValidationError::BadSignature
    );
    let trusting = Verifier::builder("my-service")
        .jwks(&Jwks::default())
        .dangerous_trust_embedded_certificate(true)
        .clock(Arc::new(ManualClock::at_unix(NOW)))
        .build()
        .unwrap();
    trusting.verify(&token, body).await.unwrap();
    assert_eq!(
        trusting.verify(&forged, body).await.unwrap_err(),
        ValidationError::BadSignature
    );
}

#[test]
fn builder_needs_one_key_source() {
    assert!(Verifier::builder("s").build().is_err());
    assert!(
        Verifier::builder("s")
            .jwks_uri("http://gw.example/certs")
            .build()
            .is_err()
    );
    assert!(
        Verifier::builder("")
            .jwks(&Jwks::default())
            .build()
            .is_err()
    );
    Verifier::builder("s")
        .jwks_uri(aps_jwt::upstream::APS_PROD_JWKS)
        .build()
        .unwrap();
    assert!(
        Verifier::builder("s")
            .jwks_uri(aps_jwt::upstream::APS_PROD_JWKS)
            .leeway(std::time::Duration::from_secs(301))
            .build()
            .is_err(),
        "leeway is bounded"
    );
}

/// Issue 11, section 3: the replay window is per consumer: one consumer at its bound is
/// refused until its tokens die, the others are not affected.
#[tokio::test]
async fn issue_11_the_replay_window_is_per_consumer() {
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let v = verifier()
        .max_replay_entries(2)
        .clock(Arc::clone(&clock))
        .build()
        .unwrap();
    let token = |consumer: &str, jti: &str, now: u64| {
        let claims = patch(
            gateway_claims(b""),
            json!({"consumerid": consumer, "jti": jti, "exp": now + 60}),
        );
        mint(&rsa_key(), &header(true), &claims)
    };
    for jti in ["a", "b"] {
        v.verify(&token("busy", jti, NOW), b"").await.unwrap();
    }
    assert_eq!(
        v.verify(&token("busy", "c", NOW), b"").await.unwrap_err(),
        ValidationError::Rejected("replay window full")
    );
    v.verify(&token("quiet", "a", NOW), b"").await.unwrap();
    clock.advance(std::time::Duration::from_secs(71)); // 60 s + the 10 s leeway
    v.verify(&token("busy", "c", NOW + 71), b"").await.unwrap();
}
