//! RFC 8725 and the known JWT-library vulnerabilities, each as a token the validator must refuse.

use aps_jwt::{SigningKey, ValidationError, Validator};
use serde_json::{Value, json};

use crate::support::{
    ISSUER, NOW, b64, ec_key, header_for, keycloak_claims, mint, mint_raw, patch, rsa_key,
    validator_builder,
};

fn validator() -> Validator {
    validator_builder().build().expect("validator")
}

async fn refused(token: &str) -> ValidationError {
    let err = validator()
        .validate(token)
        .await
        .expect_err("must be refused");
    let shown = format!(
        "{err} {err:?} {}",
        err.www_authenticate().unwrap_or_default()
    );
    // No message echoes token content.
    for fragment in ["6c1b9e1f", "app-1", "0b8f5a2e", "attacker", "evil"] {
        assert!(!shown.contains(fragment), "{shown}");
    }
    err
}

fn unsigned(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}.",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    )
}

#[tokio::test]
async fn alg_none_in_every_spelling_is_refused() {
    for alg in ["none", "None", "NONE", "nOnE"] {
        let token = unsigned(&json!({"alg": alg, "typ": "JWT"}), &keycloak_claims());
        assert_eq!(
            refused(&token).await,
            ValidationError::AlgorithmNotAllowed,
            "{alg}"
        );
    }
    let missing_alg = unsigned(&json!({"typ": "JWT"}), &keycloak_claims());
    assert!(matches!(
        refused(&missing_alg).await,
        ValidationError::Malformed(_)
    ));
}

#[tokio::test]
async fn rsa_public_key_used_as_hmac_secret_is_refused() {
    // The classic key confusion: HS256 "signed" with the PEM of the RSA public key.
    let public_pem = rsa_key().public_key_pem().unwrap();
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": rsa_key().kid()});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(keycloak_claims().to_string().as_bytes())
    );
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, public_pem.as_bytes());
    let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
    let token = format!("{input}.{}", b64(tag.as_ref()));
    assert_eq!(refused(&token).await, ValidationError::AlgorithmNotAllowed);
}

#[tokio::test]
async fn algorithm_must_match_the_key_type() {
    // An ES256 header naming the RSA key's kid.
    let ec = ec_key();
    let header = json!({"alg": "ES256", "typ": "JWT", "kid": rsa_key().kid()});
    assert_eq!(
        refused(&mint(&ec, &header, &keycloak_claims())).await,
        ValidationError::AlgorithmNotAllowed
    );
    // PS256 with an RS256 signature: not in the allow-list.
    let rsa = rsa_key();
    let header = json!({"alg": "PS256", "typ": "JWT", "kid": rsa.kid()});
    assert_eq!(
        refused(&mint(&rsa, &header, &keycloak_claims())).await,
        ValidationError::AlgorithmNotAllowed
    );
}

#[tokio::test]
async fn ecdsa_zero_signatures_are_refused() {
    let ec = ec_key();
    let input = format!(
        "{}.{}",
        b64(header_for(&ec).to_string().as_bytes()),
        b64(keycloak_claims().to_string().as_bytes())
    );
    for sig in [vec![0u8; 64], vec![], vec![0u8; 1], vec![0xffu8; 64]] {
        let token = format!("{input}.{}", b64(&sig));
        assert_eq!(refused(&token).await, ValidationError::BadSignature);
    }
}

#[tokio::test]
async fn keys_embedded_in_or_pointed_to_by_the_header_are_never_used() {
    let attacker = SigningKey::generate_p256().unwrap().with_kid("attacker");
    let real_kid = ec_key().kid().to_owned();
    let jwk: Value = serde_json::from_str(&attacker.public_jwk().to_json()).unwrap();
    let cert_b64 = "MIIBfake";
    for header in [
        json!({"alg": "ES256", "typ": "JWT", "jwk": jwk}),
        json!({"alg": "ES256", "typ": "JWT", "kid": real_kid, "jwk": jwk}),
        json!({"alg": "ES256", "typ": "JWT", "kid": "attacker", "jwk": jwk}),
        json!({"alg": "ES256", "typ": "JWT", "kid": real_kid, "jku": "https://evil.example/jwks"}),
        json!({"alg": "ES256", "typ": "JWT", "jku": "https://evil.example/jwks"}),
        json!({"alg": "ES256", "typ": "JWT", "kid": real_kid, "x5u": "https://evil.example/cert"}),
        json!({"alg": "ES256", "typ": "JWT", "kid": real_kid, "x5c": [cert_b64]}),
    ] {
        let err = refused(&mint(&attacker, &header, &keycloak_claims())).await;
        assert!(
            matches!(
                err,
                ValidationError::BadSignature | ValidationError::UnknownKey
            ),
            "{header}: {err:?}"
        );
    }
    // The same headers on a token signed by the real key change nothing: they are ignored.
    let real = ec_key();
    let header =
        json!({"alg": "ES256", "typ": "JWT", "kid": real_kid, "jku": "https://evil.example/jwks"});
    validator()
        .validate(&mint(&real, &header, &keycloak_claims()))
        .await
        .unwrap();
}

#[tokio::test]
async fn kid_tricks_find_no_key() {
    let ec = ec_key();
    let long = "k".repeat(2000);
    for kid in [
        "../../../../dev/null",
        "' OR '1'='1",
        "",
        "\u{0}",
        &long,
        "*",
        "kid\"}",
    ] {
        let header = json!({"alg": "ES256", "typ": "JWT", "kid": kid});
        assert_eq!(
            refused(&mint(&ec, &header, &keycloak_claims())).await,
            ValidationError::UnknownKey,
            "{kid:?}"
        );
    }
    let header = json!({"alg": "ES256", "typ": "JWT", "kid": 7});
    assert!(matches!(
        refused(&mint(&ec, &header, &keycloak_claims())).await,
        ValidationError::Malformed(_)
    ));
}

#[tokio::test]
async fn crit_headers_are_refused() {
    let ec = ec_key();
    for crit in [json!(["exp"]), json!([]), json!(["b64"]), json!("x")] {
        let header = patch(header_for(&ec), json!({ "crit": crit, "b64": false }));
        assert_eq!(
            refused(&mint(&ec, &header, &keycloak_claims())).await,
            ValidationError::CriticalHeader
        );
    }
}

#[tokio::test]
async fn numeric_date_edge_cases() {
    let ec = ec_key();
    let token = |changes: Value| mint(&ec, &header_for(&ec), &patch(keycloak_claims(), changes));
    for bad in [
        json!({"exp": (NOW + 300).to_string()}),
        json!({"exp": true}),
        json!({"exp": [NOW + 300]}),
        json!({"exp": -1}),
        json!({"exp": 1e20}),
        json!({"nbf": "0"}),
        json!({"iat": {"t": 1}}),
    ] {
        assert_eq!(
            refused(&token(bad.clone())).await,
            ValidationError::InvalidClaims,
            "{bad}"
        );
    }
    let null_exp = mint_raw(
        &ec,
        &header_for(&ec).to_string(),
        &keycloak_claims().to_string().replacen(
            &format!("\"exp\":{}", NOW + 300),
            "\"exp\":null",
            1,
        ),
    );
    assert_eq!(refused(&null_exp).await, ValidationError::InvalidClaims);
    assert_eq!(
        refused(&token(json!({"exp": null}))).await,
        ValidationError::MissingExpiry
    );
    assert_eq!(
        refused(&token(json!({"exp": NOW - 31}))).await,
        ValidationError::Expired
    );
    assert_eq!(
        refused(&token(json!({"exp": 0}))).await,
        ValidationError::Expired
    );
    assert_eq!(
        refused(&token(json!({"nbf": NOW + 31}))).await,
        ValidationError::NotYetValid
    );
    assert_eq!(
        refused(&token(json!({"iat": NOW + 3600}))).await,
        ValidationError::IssuedInFuture
    );
    // A fractional NumericDate is valid (RFC 7519 section 2).
    let float = token(json!({"exp": (NOW + 300) as f64 + 0.5}));
    validator().validate(&float).await.unwrap();
}

#[tokio::test]
async fn audience_forms() {
    let ec = ec_key();
    let v = validator_builder().audience("ap-my-api").build().unwrap();
    let token = |aud: Value| {
        mint(
            &ec,
            &header_for(&ec),
            &patch(keycloak_claims(), json!({ "aud": aud })),
        )
    };
    v.validate(&token(json!("ap-my-api"))).await.unwrap();
    v.validate(&token(json!(["x", "ap-my-api"]))).await.unwrap();
    for aud in [
        json!("AP-MY-API"),
        json!("ap-my-api "),
        json!(["ap-my-api-x"]),
        json!([]),
        json!(""),
    ] {
        assert_eq!(
            v.validate(&token(aud.clone())).await.unwrap_err(),
            ValidationError::Audience,
            "{aud}"
        );
    }
    for aud in [json!(7), json!({"a": 1}), json!(["ap-my-api", 1])] {
        assert_eq!(
            v.validate(&token(aud.clone())).await.unwrap_err(),
            ValidationError::InvalidClaims,
            "{aud}"
        );
    }
    let missing = mint(
        &ec,
        &header_for(&ec),
        &patch(keycloak_claims(), json!({"aud": null})),
    );
    assert_eq!(
        v.validate(&missing).await.unwrap_err(),
        ValidationError::Audience
    );
}

#[tokio::test]
async fn issuer_look_alikes_are_refused_without_a_fetch() {
    let ec = ec_key();
    for iss in [
        "https://idp.example/realms/apigw/",
        "https://idp.example/realms/apigwx",
        "https://idp.example/realms/apig",
        "https://IDP.example/realms/apigw",
        "https://idp.example/realms/APIGW",
        "http://idp.example/realms/apigw",
        " https://idp.example/realms/apigw",
        "https://evil.example/https://idp.example/realms/apigw",
        "https://idp.example/realms/apigw.evil.example",
        "https://idp.example/auth/realms/apigw",
    ] {
        let token = mint(
            &ec,
            &header_for(&ec),
            &patch(keycloak_claims(), json!({ "iss": iss })),
        );
        assert_eq!(
            refused(&token).await,
            ValidationError::IssuerNotAllowed,
            "{iss}"
        );
    }
    let no_iss = mint(
        &ec,
        &header_for(&ec),
        &patch(keycloak_claims(), json!({"iss": null})),
    );
    assert_eq!(refused(&no_iss).await, ValidationError::IssuerNotAllowed);
    let wrong_type = mint(
        &ec,
        &header_for(&ec),
        &patch(keycloak_claims(), json!({"iss": [ISSUER]})),
    );
    assert_eq!(refused(&wrong_type).await, ValidationError::InvalidClaims);
}

#[tokio::test]
async fn only_an_allowed_issuer_can_make_the_validator_fetch_keys() {
    // Keys by discovery from a loopback port where nothing listens: any fetch is counted.
    let allowed = "http://127.0.0.1:9/realms/apigw";
    let v = Validator::builder()
        .issuer(allowed)
        .algorithm(aps_jwt::Algorithm::ES256)
        .clock(std::sync::Arc::new(aps_jwt::ManualClock::at_unix(
            crate::support::NOW,
        )))
        .build()
        .unwrap();
    let ec = ec_key();
    for iss in [
        "http://127.0.0.1:9/realms/apigw/",
        "http://127.0.0.1:9/realms/apigwx",
        "http://127.0.0.1:9/realms/APIGW",
        "http://localhost:9/realms/apigw",
        "https://evil.example/realms/apigw",
    ] {
        let token = mint(
            &ec,
            &header_for(&ec),
            &patch(keycloak_claims(), json!({ "iss": iss })),
        );
        assert_eq!(
            v.validate(&token).await.unwrap_err(),
            ValidationError::IssuerNotAllowed,
            "{iss}"
        );
    }
    assert_eq!(v.stats().jwks_fetches, 0);
    // The allowed issuer does fetch (and, with nothing listening, answers 503).
    let token = mint(
        &ec,
        &header_for(&ec),
        &patch(keycloak_claims(), json!({ "iss": allowed })),
    );
    assert_eq!(
        v.validate(&token).await.unwrap_err(),
        ValidationError::KeysUnavailable
    );
    assert_eq!(v.stats().jwks_fetches, 1);
}

#[tokio::test]
async fn duplicate_json_members_are_refused() {
    let ec = ec_key();
    let claims = keycloak_claims().to_string();
    let dup_iss = claims.replacen('{', r#"{"iss":"https://evil.example","#, 1);
    assert_eq!(
        refused(&mint_raw(&ec, &header_for(&ec).to_string(), &dup_iss)).await,
        ValidationError::InvalidClaims
    );
    let dup_exp = claims.replacen('{', &format!(r#"{{"exp":{},"#, NOW + 999_999), 1);
    assert_eq!(
        refused(&mint_raw(&ec, &header_for(&ec).to_string(), &dup_exp)).await,
        ValidationError::InvalidClaims
    );
    let header = header_for(&ec)
        .to_string()
        .replacen('{', r#"{"alg":"none","#, 1);
    assert!(matches!(
        refused(&mint_raw(&ec, &header, &claims)).await,
        ValidationError::Malformed(_)
    ));
}

#[tokio::test]
async fn malformed_and_oversized_tokens() {
    let ec = ec_key();
    let good = mint(&ec, &header_for(&ec), &keycloak_claims());
    let parts: Vec<&str> = good.split('.').collect();
    for bad in [
        String::new(),
        ".".into(),
        "..".into(),
        "a.b".into(),
        format!("{}.{}", parts[0], parts[1]),
        format!("{good}.{}", parts[2]),
        format!(
            "{}.{}.{}.{}.{}",
            parts[0], parts[1], parts[2], parts[2], parts[2]
        ),
        format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}.{}=", parts[0], parts[1], parts[2]),
        format!("{} .{}.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}+.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}.{}", b64(b"not json"), parts[1], parts[2]),
        format!("{}.{}.{}", parts[0], b64(b"[1,2]"), parts[2]),
        format!("{}.{}.{}", parts[0], b64(b"\xff\xfe"), parts[2]),
        format!("{}.{}.{}", b64(b"[]"), parts[1], parts[2]),
    ] {
        let err = refused(&bad).await;
        assert!(
            matches!(
                err,
                ValidationError::Malformed(_) | ValidationError::InvalidClaims
            ),
            "{bad:?}: {err:?}"
        );
        assert_eq!(err.status(), 401);
    }
    let big = format!("{}.{}.{}", parts[0], "A".repeat(20_000), parts[2]);
    assert_eq!(
        refused(&big).await,
        ValidationError::TooLarge { max: 16 * 1024 }
    );
    let small = validator_builder().max_token_size(100).build().unwrap();
    assert_eq!(
        small.validate(&good).await.unwrap_err(),
        ValidationError::TooLarge { max: 100 }
    );
}

#[tokio::test]
async fn tampered_claims_fail_the_signature() {
    let ec = ec_key();
    let good = mint(&ec, &header_for(&ec), &keycloak_claims());
    let parts: Vec<&str> = good.split('.').collect();
    let more_scope = patch(keycloak_claims(), json!({"scope": "Function1/read admin"}));
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64(more_scope.to_string().as_bytes()),
        parts[2]
    );
    assert_eq!(refused(&forged).await, ValidationError::BadSignature);
}

#[tokio::test]
async fn id_and_refresh_tokens_are_not_access_tokens() {
    let ec = ec_key();
    for typ in [json!("ID"), json!("Refresh"), json!("Logout"), json!(null)] {
        let token = mint(
            &ec,
            &header_for(&ec),
            &patch(keycloak_claims(), json!({ "typ": typ })),
        );
        assert_eq!(refused(&token).await, ValidationError::TokenType, "{typ}");
    }
}

#[test]
fn error_responses_follow_rfc6750() {
    assert_eq!(ValidationError::BadSignature.status(), 401);
    assert_eq!(
        ValidationError::BadSignature.www_authenticate().unwrap(),
        r#"Bearer error="invalid_token", error_description="invalid token signature""#
    );
    assert_eq!(ValidationError::KeysUnavailable.status(), 503);
    assert!(
        ValidationError::KeysUnavailable
            .www_authenticate()
            .is_none()
    );
    assert_eq!(
        ValidationError::Missing.www_authenticate().unwrap(),
        "Bearer"
    );
    assert_eq!(ValidationError::Missing.status(), 401);
}
