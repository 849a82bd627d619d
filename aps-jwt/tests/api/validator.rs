use std::sync::Arc;
use std::time::Duration;

use aps_jwt::{Algorithm, ManualClock, TokenType, ValidationError, Validator};
use serde_json::json;

use crate::support::{
    ISSUER, NOW, ec_key, header_for, keycloak_claims, mint, patch, rsa_key, validator_builder,
};

#[tokio::test]
async fn valid_keycloak_token_gives_typed_claims() {
    let validator = validator_builder().build().unwrap();
    for key in [rsa_key(), ec_key()] {
        let token = mint(&key, &header_for(&key), &keycloak_claims());
        let verified = validator.validate(&token).await.unwrap();
        assert_eq!(verified.issuer(), ISSUER);
        assert_eq!(verified.subject(), Some("6c1b9e1f"));
        assert_eq!(verified.audience(), ["account", "ap-my-api"]);
        assert_eq!(verified.authorized_party(), Some("app-1"));
        assert_eq!(verified.client_id(), Some("app-1"));
        assert_eq!(verified.preferred_username(), Some("service-account-app-1"));
        assert!(verified.has_scope("Function1/read") && !verified.has_scope("Function1"));
        assert_eq!(verified.scopes().count(), 3);
        assert_eq!(verified.realm_roles(), ["offline_access", "reader"]);
        assert_eq!(verified.client_roles("ap-my-api"), ["write"]);
        assert!(verified.client_roles("nope").is_empty());
        assert_eq!(verified.token_type(), Some("Bearer"));
        assert_eq!(verified.algorithm(), key.algorithm());
        assert_eq!(verified.key_id(), Some(key.kid()));
        assert_eq!(verified.jwt_id(), Some("0b8f5a2e-1"));
        let raw: serde_json::Value = serde_json::from_str(verified.raw_claims()).unwrap();
        assert_eq!(raw, keycloak_claims());
        let custom: serde_json::Value = verified.claims().unwrap();
        assert_eq!(custom["clientId"], "app-1");
        assert!(!format!("{verified:?}").contains(&token[..40]));
    }
}

#[tokio::test]
async fn newer_keycloak_client_id_claim_is_read() {
    let validator = validator_builder().build().unwrap();
    let key = ec_key();
    let claims = patch(
        keycloak_claims(),
        json!({"clientId": null, "client_id": "app-2"}),
    );
    let verified = validator
        .validate(&mint(&key, &header_for(&key), &claims))
        .await
        .unwrap();
    assert_eq!(verified.client_id(), Some("app-2"));
}

#[tokio::test]
async fn cache_hits_skip_verification_but_never_outlive_exp() {
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let validator = validator_builder()
        .clock(Arc::clone(&clock))
        .leeway(Duration::ZERO)
        .build()
        .unwrap();
    let key = ec_key();
    let token = mint(&key, &header_for(&key), &keycloak_claims());
    validator.validate(&token).await.unwrap();
    validator.validate(&token).await.unwrap();
    let stats = validator.stats();
    assert_eq!((stats.cache_hits, stats.cache_misses), (1, 1));
    // A copy differing by one byte of the signature is not a hit, and fails verification.
    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(
        validator.validate(&tampered).await.unwrap_err(),
        ValidationError::BadSignature
    );
    assert_eq!(validator.stats().cache_hits, 1);
    // At exp, the cached token is refused like any other.
    clock.advance(Duration::from_secs(299));
    validator.validate(&token).await.unwrap();
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        validator.validate(&token).await.unwrap_err(),
        ValidationError::Expired
    );
    let uncached = validator_builder().cache(false).build().unwrap();
    uncached.validate(&token).await.unwrap();
    uncached.validate(&token).await.unwrap();
    assert_eq!(uncached.stats().cache_hits, 0);
}

#[tokio::test]
async fn grants_map_to_403_with_the_scope_named() {
    let validator = validator_builder()
        .scope("Function2/*")
        .scope("Function3/write")
        .build()
        .unwrap();
    let key = ec_key();
    let err = validator
        .validate(&mint(&key, &header_for(&key), &keycloak_claims()))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 403);
    assert!(err.is_forbidden());
    assert_eq!(
        err.www_authenticate().unwrap(),
        r#"Bearer error="insufficient_scope", error_description="insufficient scope: Missing required scope (one of: Function2/*, Function3/write)", scope="Function2/* Function3/write""#
    );
    let ok = validator_builder()
        .scope("Function2/*")
        .scope("Function1/read")
        .realm_role("reader")
        .role("read")
        .client_role("ap-my-api", "write")
        .build()
        .unwrap();
    ok.validate(&mint(&key, &header_for(&key), &keycloak_claims()))
        .await
        .unwrap();
    let all = validator_builder()
        .scope("Function2/*")
        .scope("Function1/read")
        .require_all_grants(true)
        .build()
        .unwrap();
    assert!(
        all.validate(&mint(&key, &header_for(&key), &keycloak_claims()))
            .await
            .unwrap_err()
            .is_forbidden()
    );
}

#[tokio::test]
async fn kidless_tokens_are_matched_by_algorithm() {
    let validator = validator_builder().build().unwrap();
    for key in [rsa_key(), ec_key()] {
        let header = json!({"alg": key.algorithm().as_str(), "typ": "JWT"});
        validator
            .validate(&mint(&key, &header, &keycloak_claims()))
            .await
            .unwrap();
    }
    let stranger = aps_jwt::SigningKey::generate_p256().unwrap();
    let header = json!({"alg": "ES256", "typ": "JWT"});
    assert_eq!(
        validator
            .validate(&mint(&stranger, &header, &keycloak_claims()))
            .await
            .unwrap_err(),
        ValidationError::BadSignature
    );
}

#[tokio::test]
async fn audience_azp_lifetime_and_token_type_settings() {
    let key = ec_key();
    let token = |claims| mint(&key, &header_for(&key), &claims);
    let v = validator_builder()
        .audience("ap-my-api")
        .authorized_party("app-1")
        .build()
        .unwrap();
    v.validate(&token(keycloak_claims())).await.unwrap();
    let v = validator_builder().audience("ap-other").build().unwrap();
    assert_eq!(
        v.validate(&token(keycloak_claims())).await.unwrap_err(),
        ValidationError::Audience
    );
    let v = validator_builder()
        .authorized_party("app-2")
        .build()
        .unwrap();
    assert_eq!(
        v.validate(&token(keycloak_claims())).await.unwrap_err(),
        ValidationError::AuthorizedParty
    );
    let v = validator_builder()
        .maximum_expiration(Duration::from_secs(299))
        .build()
        .unwrap();
    assert_eq!(
        v.validate(&token(keycloak_claims())).await.unwrap_err(),
        ValidationError::LifetimeTooLong
    );
    let id_token = patch(keycloak_claims(), json!({"typ": "ID"}));
    let v = validator_builder().build().unwrap();
    assert_eq!(
        v.validate(&token(id_token.clone())).await.unwrap_err(),
        ValidationError::TokenType
    );
    let any = validator_builder()
        .token_type(TokenType::Any)
        .build()
        .unwrap();
    any.validate(&token(id_token)).await.unwrap();
    let v = validator_builder()
        .require_jti(true)
        .require_nbf(true)
        .build()
        .unwrap();
    assert_eq!(
        v.validate(&token(keycloak_claims())).await.unwrap_err(),
        ValidationError::MissingClaim("nbf")
    );
}

#[test]
fn builder_refuses_unsafe_configuration() {
    let err = |b: aps_jwt::ValidatorBuilder| b.build().unwrap_err().to_string();
    assert!(err(Validator::builder()).contains("no issuer"));
    assert!(err(Validator::builder().issuer("http://idp.example/realms/a")).contains("https"));
    assert!(
        err(Validator::builder().issuer_with_jwks_uri(ISSUER, "http://idp.example/certs"))
            .contains("https")
    );
    assert!(err(Validator::builder().issuer(ISSUER).issuer(ISSUER)).contains("twice"));
    assert!(
        err(Validator::builder()
            .issuer(ISSUER)
            .leeway(Duration::from_secs(301)))
        .contains("leeway")
    );
    assert!(err(Validator::builder().issuer(ISSUER).client_role("", "r")).contains("client role"));
    assert!(
        err(Validator::builder()
            .issuer(ISSUER)
            .jwks_cooldown(Duration::from_millis(999)))
        .contains("cooldown")
    );
    Validator::builder()
        .issuer("http://127.0.0.1:18080/realms/apigw")
        .build()
        .unwrap();
    Validator::builder()
        .issuer("http://localhost:18080/realms/apigw")
        .build()
        .unwrap();
}

#[tokio::test]
async fn default_algorithms_are_rs256_only() {
    let key = ec_key();
    let jwks = aps_jwt::Jwks::new(vec![key.public_jwk()]);
    let v = Validator::builder()
        .issuer_with_jwks(ISSUER, &jwks)
        .algorithm(Algorithm::ES256)
        .clock(ManualClock::at_unix(NOW))
        .build()
        .unwrap();
    v.validate(&mint(&key, &header_for(&key), &keycloak_claims()))
        .await
        .unwrap();
    // With both keys but only the default RS256, the EC key's tokens are refused.
    let both = aps_jwt::Jwks::new(vec![key.public_jwk(), rsa_key().public_jwk()]);
    let v = Validator::builder()
        .issuer_with_jwks(ISSUER, &both)
        .clock(ManualClock::at_unix(NOW))
        .build()
        .unwrap();
    assert_eq!(
        v.validate(&mint(&key, &header_for(&key), &keycloak_claims()))
            .await
            .unwrap_err(),
        ValidationError::AlgorithmNotAllowed
    );
}

/// Issue 11, section 4: a fixed key set that cannot verify any allowed algorithm (P-256 keys
/// with the default RS256) used to build, then refuse every token.
#[test]
fn issue_11_static_keys_unusable_for_the_allowed_algorithms_fail_at_build() {
    let ec = aps_jwt::Jwks::new(vec![ec_key().public_jwk()]);
    let err = Validator::builder()
        .issuer_with_jwks(ISSUER, &ec)
        .build()
        .unwrap_err();
    assert!(err.is_config());
    let message = err.to_string();
    assert!(
        message.contains("allowed algorithms (RS256)") && message.contains("keys are for ES256"),
        "{message}"
    );
    assert!(
        message.contains(".algorithm(Algorithm::ES256)"),
        "{message}"
    );
    let err = Validator::builder()
        .issuer_with_keys(ISSUER, [ec_key().verifying_key().unwrap()])
        .algorithm(Algorithm::PS256)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("keys are for ES256"), "{err}");
    let mut enc = rsa_key().public_jwk();
    enc.use_ = Some("enc".into());
    for useless in [vec![], vec![enc]] {
        let err = Validator::builder()
            .issuer_with_jwks(ISSUER, &aps_jwt::Jwks::new(useless))
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("no usable key"), "{err}");
    }
}

#[tokio::test]
async fn built_from_an_aps_core_access_policy() {
    let policy = aps_core::AccessPolicy::builder()
        .issuer(ISSUER)
        .audience("ap-my-api")
        .scope("Function1/read")
        .client_role("ap-my-api:write")
        .build()
        .unwrap();
    let builder: aps_jwt::ValidatorBuilder = (&policy).into();
    assert!(format!("{builder:?}").contains(ISSUER));
    // A key source set first wins over the policy's discovery.
    let jwks = aps_jwt::Jwks::new(vec![rsa_key().public_jwk()]);
    let v = Validator::builder()
        .issuer_with_jwks(ISSUER, &jwks)
        .clock(ManualClock::at_unix(NOW))
        .policy(&policy)
        .build()
        .unwrap();
    let key = rsa_key();
    v.validate(&mint(&key, &header_for(&key), &keycloak_claims()))
        .await
        .unwrap();
    let no_scope = patch(keycloak_claims(), json!({"scope": "profile"}));
    assert!(
        v.validate(&mint(&key, &header_for(&key), &no_scope))
            .await
            .unwrap_err()
            .is_forbidden()
    );
    let wrong_aud = patch(keycloak_claims(), json!({"aud": "account"}));
    assert_eq!(
        v.validate(&mint(&key, &header_for(&key), &wrong_aud))
            .await
            .unwrap_err(),
        ValidationError::Audience
    );
}

/// Issue 11, section 2: `.scope("")` used to let tokens without any scope through.
#[tokio::test]
async fn issue_11_empty_scopes_and_roles_are_refused_by_the_builder() {
    for builder in [
        validator_builder().scope(""),
        validator_builder().scope("X").scope(""),
        validator_builder().scope(" "),
        validator_builder().scope("a b"),
        validator_builder().realm_role(""),
        validator_builder().role("  "),
    ] {
        let err = builder.build().unwrap_err();
        assert!(err.is_config(), "{err}");
    }
}

/// Issue 11, section 2: `"kid": null` is refused like a numeric `kid`, not read as no `kid`.
#[tokio::test]
async fn issue_11_a_null_kid_or_typ_is_refused() {
    let validator = validator_builder().build().unwrap();
    let key = ec_key();
    for header in [
        json!({"alg": "ES256", "typ": "JWT", "kid": null}),
        json!({"alg": "ES256", "typ": null, "kid": key.kid()}),
    ] {
        assert!(
            matches!(
                validator
                    .validate(&mint(&key, &header, &keycloak_claims()))
                    .await,
                Err(ValidationError::Malformed(_))
            ),
            "{header}"
        );
    }
    let null_azp = crate::support::mint_raw(
        &key,
        &header_for(&key).to_string(),
        &keycloak_claims()
            .to_string()
            .replace(r#""azp":"app-1""#, r#""azp":null"#),
    );
    assert_eq!(
        validator.validate(&null_azp).await.unwrap_err(),
        ValidationError::InvalidClaims
    );
}

/// Issue 11, section 2: RFC 9068 tokens carry `client_id` and may have no `azp`.
#[tokio::test]
async fn issue_11_client_id_stands_for_a_missing_azp() {
    let key = ec_key();
    let rfc9068 = patch(
        keycloak_claims(),
        json!({"azp": null, "clientId": null, "client_id": "app-1"}),
    );
    let token = mint(&key, &header_for(&key), &rfc9068);
    let v = validator_builder()
        .authorized_party("app-1")
        .role("read")
        .build()
        .unwrap();
    v.validate(&token).await.unwrap();
    // azp, when there, decides: client_id cannot override it.
    let both = patch(
        keycloak_claims(),
        json!({"azp": "app-2", "client_id": "app-1"}),
    );
    assert_eq!(
        v.validate(&mint(&key, &header_for(&key), &both))
            .await
            .unwrap_err(),
        ValidationError::AuthorizedParty
    );
}

/// Issue 11, section 5: refusals are counted by reason and logged with the reason, issuer, kid
/// and client, never with the token or its signature.
#[tokio::test]
async fn issue_11_refusals_are_counted_and_logged_without_the_token() {
    let logs = crate::support::logs();
    let validator = validator_builder().scope("Function1/read").build().unwrap();
    let key = ec_key();
    // A client id of its own, to find this test's lines among the other tests'.
    let client = "issue-11-logs";
    let claims = |changes| patch(patch(keycloak_claims(), json!({ "azp": client })), changes);
    let expired = mint(&key, &header_for(&key), &claims(json!({"exp": NOW - 60})));
    let forbidden = mint(
        &key,
        &header_for(&key),
        &claims(json!({"scope": "profile"})),
    );
    let stranger = aps_jwt::SigningKey::generate_p256()
        .unwrap()
        .with_kid(key.kid());
    let forged = mint(&stranger, &header_for(&stranger), &claims(json!({})));
    for token in [&expired, &expired, &forbidden, &forged, &"x".repeat(10)] {
        validator.validate(token).await.unwrap_err();
    }
    validator
        .validate(&mint(&key, &header_for(&key), &claims(json!({}))))
        .await
        .unwrap();
    let refused = validator.stats().refused;
    assert_eq!(refused.total(), 5);
    for (reason, count) in [
        ("expired", 2),
        ("forbidden", 1),
        ("bad_signature", 1),
        ("malformed", 1),
        ("unknown_key", 0),
    ] {
        assert_eq!(refused.get(reason), count, "{reason}");
    }
    let lines = logs.lines_with(&format!(r#"client_id=Some("{client}")"#));
    let logs = lines.join("\n");
    assert_eq!(lines.len(), 4, "{logs}"); // the malformed one names no client
    assert!(lines.iter().all(|l| l.contains("token refused")), "{logs}");
    assert!(lines[0].contains(" INFO aps_jwt: "), "{logs}");
    assert!(lines[0].contains(r#"reason="expired""#), "{logs}");
    assert!(
        lines[0].contains(&format!(r#"issuer=Some("{ISSUER}")"#)),
        "{logs}"
    );
    assert!(
        lines[0].contains(&format!(r#"kid=Some("{}")"#, key.kid())),
        "{logs}"
    );
    for token in [&expired, &forbidden, &forged] {
        for part in token.split('.') {
            assert!(!logs.contains(part), "a token part is in the logs: {logs}");
        }
    }
}

/// Issue 11, section 4: without discovery nothing fetches the IdP's own issuer string, so a
/// configured issuer with a trailing `/` shows only as refusals: they say what differs.
#[tokio::test]
async fn issue_11_an_issuer_slip_is_hinted_at_in_the_refusal_log() {
    let logs = crate::support::logs();
    let configured = "https://slip.example/realms/apigw/";
    let jwks = aps_jwt::Jwks::new(vec![ec_key().public_jwk()]);
    let validator = Validator::builder()
        .issuer_with_jwks(configured, &jwks)
        .algorithm(Algorithm::ES256)
        .clock(ManualClock::at_unix(NOW))
        .build()
        .unwrap();
    let key = ec_key();
    let claims = patch(
        keycloak_claims(),
        json!({"iss": "https://slip.example/realms/apigw"}),
    );
    assert_eq!(
        validator
            .validate(&mint(&key, &header_for(&key), &claims))
            .await
            .unwrap_err(),
        ValidationError::IssuerNotAllowed
    );
    let lines = logs.lines_with("slip.example").join("\n");
    assert!(lines.contains("trailing `/`"), "{lines}");
}
