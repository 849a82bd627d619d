use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aps_jwt::{
    AssertionVerifier, ClientAssertion, ManualClock, ValidationError, unverified_client_id,
};
use serde_json::json;

use crate::support::{NOW, ec_key, mint, rsa_key};

const AUD: &str = "https://idp.example/realms/apigw";

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

fn verifier(clock: &Arc<ManualClock>) -> AssertionVerifier {
    AssertionVerifier::builder()
        .audience(AUD)
        .audience(format!("{AUD}/protocol/openid-connect/token"))
        .clock(Arc::clone(clock))
        .build()
        .unwrap()
}

#[test]
fn assertions_we_sign_verify_once() {
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let v = verifier(&clock);
    for key in [rsa_key(), ec_key()] {
        let signed = ClientAssertion::builder("app-1", AUD)
            .build()
            .unwrap()
            .sign(&key, at(NOW))
            .unwrap();
        let token = signed.expose_secret();
        assert_eq!(unverified_client_id(token).as_deref(), Some("app-1"));
        let keys = [key.verifying_key().unwrap()];
        let ok = v.verify(token, "app-1", &keys).unwrap();
        assert_eq!(
            (ok.client_id.as_str(), ok.jwt_id.as_str()),
            ("app-1", signed.jti())
        );
        assert_eq!(
            v.verify(token, "app-1", &keys).unwrap_err(),
            ValidationError::Rejected("token reuse detected")
        );
    }
}

#[test]
fn keycloak_rules() {
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let v = verifier(&clock);
    let key = ec_key();
    let keys = [key.verifying_key().unwrap()];
    let header = json!({"alg": "ES256", "kid": key.kid()});
    let claims = |iss: &str, sub: &str, aud: serde_json::Value, exp: u64, jti: Option<&str>| {
        let mut c = json!({"iss": iss, "sub": sub, "aud": aud, "exp": exp, "iat": NOW});
        if let Some(jti) = jti {
            c["jti"] = json!(jti);
        }
        c
    };
    let cases = [
        (
            claims("app-2", "app-1", json!(AUD), NOW + 60, Some("1")),
            ValidationError::IssuerNotAllowed,
        ),
        (
            claims("app-1", "app-2", json!(AUD), NOW + 60, Some("2")),
            ValidationError::IssuerNotAllowed,
        ),
        (
            claims(
                "app-1",
                "app-1",
                json!("https://other"),
                NOW + 60,
                Some("3"),
            ),
            ValidationError::Audience,
        ),
        (
            claims("app-1", "app-1", json!([AUD, AUD]), NOW + 60, Some("4")),
            ValidationError::Audience,
        ),
        (
            claims("app-1", "app-1", json!(AUD), NOW - 31, Some("5")),
            ValidationError::Expired,
        ),
        (
            claims("app-1", "app-1", json!(AUD), NOW + 3600, Some("6")),
            ValidationError::LifetimeTooLong,
        ),
        (
            claims("app-1", "app-1", json!(AUD), NOW + 60, None),
            ValidationError::MissingClaim("jti"),
        ),
    ];
    for (claims, expected) in cases {
        assert_eq!(
            v.verify(&mint(&key, &header, &claims), "app-1", &keys)
                .unwrap_err(),
            expected,
            "{claims}"
        );
    }
    let good = claims("app-1", "app-1", json!([AUD]), NOW + 60, Some("7"));
    v.verify(&mint(&key, &header, &good), "app-1", &keys)
        .unwrap();
    // Another client's key, or a key with another kid: refused.
    let other = [rsa_key().verifying_key().unwrap()];
    let good = claims("app-1", "app-1", json!(AUD), NOW + 60, Some("8"));
    assert_eq!(
        v.verify(&mint(&key, &header, &good), "app-1", &other)
            .unwrap_err(),
        ValidationError::UnknownKey
    );
    // HMAC or none: never.
    let none = format!(
        "{}.{}.",
        crate::support::b64(br#"{"alg":"none"}"#),
        crate::support::b64(good.to_string().as_bytes())
    );
    assert_eq!(
        v.verify(&none, "app-1", &keys).unwrap_err(),
        ValidationError::AlgorithmNotAllowed
    );
    // (That a spent jti is forgotten only once its token is dead is tested in src/replay.rs.)
    assert!(AssertionVerifier::builder().build().is_err());
    let too_lenient = AssertionVerifier::builder()
        .audience("https://idp.example/realms/apigw")
        .leeway(Duration::from_secs(301))
        .build();
    assert!(matches!(too_lenient, Err(aps_jwt::Error::Config(_))));
}

/// Issue 11, section 2: a JWT whose `typ` says it is another kind is not a client assertion
/// (RFC 8725 sections 3.11, 3.12); a JWK Set is accepted as the client's keys; one default
/// leeway for both verifiers.
#[test]
fn issue_11_typ_jwks_and_one_default_leeway() {
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let v = verifier(&clock);
    let key = ec_key();
    let keys = [key.verifying_key().unwrap()];
    let claims = |jti: &str| json!({"iss": "app-1", "sub": "app-1", "aud": AUD, "exp": NOW + 60, "iat": NOW, "jti": jti});
    for (i, typ) in ["at+jwt", "application/at+jwt", "logout+jwt", "secevent+jwt"]
        .into_iter()
        .enumerate()
    {
        let header = json!({"alg": "ES256", "kid": key.kid(), "typ": typ});
        let token = mint(&key, &header, &claims(&format!("t{i}")));
        assert_eq!(
            v.verify(&token, "app-1", &keys).unwrap_err(),
            ValidationError::TokenType,
            "{typ}"
        );
    }
    for (i, typ) in [
        Some("JWT"),
        Some("application/jwt"),
        Some("client-authentication+jwt"),
        None,
    ]
    .into_iter()
    .enumerate()
    {
        let mut header = json!({"alg": "ES256", "kid": key.kid()});
        if let Some(typ) = typ {
            header["typ"] = json!(typ);
        }
        let token = mint(&key, &header, &claims(&format!("ok{i}")));
        v.verify(&token, "app-1", &keys).expect("an assertion");
    }
    // The keys as a JWK Set.
    let header = json!({"alg": "ES256", "kid": key.kid(), "typ": "JWT"});
    let token = mint(&key, &header, &claims("jwks"));
    v.verify_jwks(&token, "app-1", &key.public_jwks()).unwrap();
    let token = mint(&key, &header, &claims("no-keys"));
    assert_eq!(
        v.verify_jwks(&token, "app-1", &aps_jwt::Jwks::new(vec![]))
            .unwrap_err(),
        ValidationError::UnknownKey
    );
    // One default leeway: 30 s past exp is still valid, 31 s is not, for both verifiers.
    assert_eq!(aps_jwt::DEFAULT_LEEWAY, Duration::from_secs(30));
    let late = json!({"iss": "app-1", "sub": "app-1", "aud": AUD, "exp": NOW - 29, "jti": "late"});
    v.verify(&mint(&key, &header, &late), "app-1", &keys)
        .unwrap();
}

/// Issue 11, section 3: one client filling the replay window locks out neither the others
/// nor itself beyond the life of its assertions; a custom store can be plugged in.
#[test]
fn issue_11_one_client_cannot_fill_the_window_of_the_others() {
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let v = AssertionVerifier::builder()
        .audience(AUD)
        .max_replay_entries(3)
        .clock(Arc::clone(&clock))
        .build()
        .unwrap();
    let key = ec_key();
    let keys = [key.verifying_key().unwrap()];
    let header = json!({"alg": "ES256", "kid": key.kid()});
    let assertion = |client: &str, jti: &str, now: u64| {
        let claims = json!({"iss": client, "sub": client, "aud": AUD, "exp": now + 60, "jti": jti});
        mint(&key, &header, &claims)
    };
    for i in 0..3 {
        v.verify(&assertion("greedy", &format!("g{i}"), NOW), "greedy", &keys)
            .unwrap();
    }
    assert_eq!(
        v.verify(&assertion("greedy", "g3", NOW), "greedy", &keys)
            .unwrap_err(),
        ValidationError::Rejected("replay window full")
    );
    // Others are not affected, even with the same jti.
    v.verify(&assertion("app-1", "g0", NOW), "app-1", &keys)
        .unwrap();
    // Once its assertions are dead (exp + 30 s leeway), the greedy client may go on.
    clock.advance(Duration::from_secs(90));
    v.verify(&assertion("greedy", "g3", NOW + 90), "greedy", &keys)
        .unwrap();
    // A store of one's own (for example shared between replicas).
    let store = Arc::new(aps_jwt::MemoryReplayStore::new(10));
    let shared = |store: &Arc<aps_jwt::MemoryReplayStore>| {
        AssertionVerifier::builder()
            .audience(AUD)
            .replay_store(Arc::clone(store))
            .clock(Arc::clone(&clock))
            .build()
            .unwrap()
    };
    let (replica_1, replica_2) = (shared(&store), shared(&store));
    let once = assertion("app-1", "shared", NOW + 90);
    replica_1.verify(&once, "app-1", &keys).unwrap();
    assert_eq!(
        replica_2.verify(&once, "app-1", &keys).unwrap_err(),
        ValidationError::Rejected("token reuse detected")
    );
}
