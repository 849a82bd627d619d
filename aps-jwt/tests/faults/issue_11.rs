//! Issue 11, section 1: valid tokens are never refused because of how keys are fetched.

use std::sync::Arc;
use std::time::Duration;

use aps_jwt::{Algorithm, Clock as _, FetchError, Jwks, ManualClock, SigningKey, Validator};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::Stub;
use crate::support::{NOW, ec_key, header_for, keycloak_claims, logs, mint, patch};

/// The fixture key plus a second one, as after a key rotation.
fn rotated_key() -> SigningKey {
    SigningKey::generate_p256()
        .expect("keygen")
        .with_kid("rotated-1")
}

fn jwks_of(keys: &[&SigningKey]) -> serde_json::Value {
    let jwks = Jwks::new(keys.iter().map(|k| k.public_jwk()).collect());
    serde_json::from_str(&jwks.to_json()).expect("json")
}

fn token_by(stub: &Stub, key: &SigningKey, clock: &ManualClock) -> String {
    let now = clock
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    mint(
        key,
        &header_for(key),
        &patch(
            keycloak_claims(),
            json!({ "iss": stub.issuer, "iat": now, "exp": now + 300 }),
        ),
    )
}

async fn serve_certs(stub: &Stub, body: serde_json::Value, delay: Duration) {
    stub.server.reset().await;
    stub.discovery(&stub.issuer).await;
    stub.certs(
        ResponseTemplate::new(200)
            .set_body_json(body)
            .set_delay(delay),
    )
    .await;
}

fn builder(stub: &Stub, clock: &Arc<ManualClock>) -> aps_jwt::ValidatorBuilder {
    Validator::builder()
        .issuer(stub.issuer.clone())
        .algorithm(Algorithm::ES256)
        .cache(false)
        .clock(Arc::clone(clock))
}

/// A stub serving the fixture key, and a validator that has fetched it.
async fn warm() -> (Stub, Arc<ManualClock>, Validator) {
    let stub = Stub::new().await;
    serve_certs(&stub, jwks_of(&[&ec_key()]), Duration::ZERO).await;
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let validator = builder(&stub, &clock).build().unwrap();
    validator.refresh_keys().await.unwrap();
    (stub, clock, validator)
}

/// 16 concurrent validations; returns how many were accepted.
async fn concurrently(validator: &Validator, token: &str) -> usize {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (validator, token) = (validator.clone(), token.to_owned());
        tasks.spawn(async move { validator.validate(&token).await });
    }
    let mut accepted = 0;
    while let Some(result) = tasks.join_next().await {
        match result.expect("task") {
            Ok(_) => accepted += 1,
            Err(err) => eprintln!("refused: {err} ({})", err.status()),
        }
    }
    accepted
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_11_cold_validator_callers_all_wait_for_the_one_fetch() {
    let stub = Stub::new().await;
    serve_certs(&stub, jwks_of(&[&ec_key()]), Duration::from_millis(300)).await;
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let validator = builder(&stub, &clock).build().unwrap();
    let token = token_by(&stub, &ec_key(), &clock);
    assert_eq!(concurrently(&validator, &token).await, 16);
    assert_eq!(validator.stats().jwks_fetches, 1, "exactly one fetch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_11_after_a_rotation_callers_all_wait_for_the_one_fetch() {
    let (stub, clock, validator) = warm().await;
    let new_key = rotated_key();
    serve_certs(
        &stub,
        jwks_of(&[&ec_key(), &new_key]),
        Duration::from_millis(300),
    )
    .await;
    clock.advance(Duration::from_secs(11));
    let token = token_by(&stub, &new_key, &clock);
    assert_eq!(concurrently(&validator, &token).await, 16);
    assert_eq!(validator.stats().jwks_fetches, 2, "exactly one more fetch");
}

#[tokio::test]
async fn issue_11_an_empty_or_useless_key_set_keeps_the_known_keys() {
    let logs = logs();
    let (stub, clock, validator) = warm().await;
    let kids = validator.loaded_keys(&stub.issuer).unwrap();
    let mut enc_only = ec_key().public_jwk();
    enc_only.use_ = Some("enc".into());
    let enc_only = serde_json::from_str(&Jwks::new(vec![enc_only]).to_json()).unwrap();
    for useless in [json!({"keys": []}), enc_only] {
        serve_certs(&stub, useless, Duration::ZERO).await;
        clock.advance(Duration::from_secs(301)); // past the max age: a refresh is due
        assert!(matches!(
            validator.refresh_keys().await,
            Err(FetchError::NoUsableKey { .. })
        ));
        assert_eq!(validator.loaded_keys(&stub.issuer).unwrap(), kids);
        validator
            .validate(&token_by(&stub, &ec_key(), &clock))
            .await
            .expect("the known key still verifies");
    }
    let logs = logs.lines_with(&stub.issuer).join("\n");
    assert!(
        logs.contains("JWKS fetch failed; keeping the known keys"),
        "{logs}"
    );
    assert!(logs.contains("no key usable"), "{logs}");
    // Section 5: the fetch that worked says what it loaded; the failed ones past the max age
    // say that stale keys are in use, and for how long they remain usable.
    assert!(
        logs.contains("JWKS fetched") && logs.contains("keys=1 skipped=0"),
        "{logs}"
    );
    assert!(logs.contains("using stale keys"), "{logs}");
    assert!(logs.contains("age_s=301 usable_for_s=3599"), "{logs}");
}

#[tokio::test]
async fn issue_11_a_wall_clock_stepped_back_does_not_stop_refreshes() {
    let (stub, clock, validator) = warm().await;
    let new_key = rotated_key();
    serve_certs(&stub, jwks_of(&[&ec_key(), &new_key]), Duration::ZERO).await;
    // The system clock is stepped back an hour, then 11 s pass: the cooldown is over.
    clock.set(clock.now() - Duration::from_secs(3600));
    clock.advance(Duration::from_secs(11));
    validator
        .validate(&token_by(&stub, &new_key, &clock))
        .await
        .expect("the rotated key is fetched");
    assert_eq!(validator.stats().jwks_fetches, 2);
}

#[tokio::test]
async fn issue_11_duration_max_settings_never_panic() {
    let stub = Stub::new().await;
    serve_certs(&stub, jwks_of(&[&ec_key()]), Duration::ZERO).await;
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let validator = builder(&stub, &clock)
        .jwks_stale_if_error(Duration::MAX)
        .jwks_max_age(Duration::MAX)
        .jwks_cooldown(Duration::MAX)
        .maximum_expiration(Duration::MAX)
        .build()
        .unwrap();
    validator
        .validate(&token_by(&stub, &ec_key(), &clock))
        .await
        .unwrap();
    clock.advance(Duration::from_secs(365 * 24 * 3600));
    validator
        .validate(&token_by(&stub, &ec_key(), &clock))
        .await
        .unwrap();
    // A timeout that cannot be meant is refused when the validator is built.
    for timeout in [Duration::MAX, Duration::ZERO] {
        let err = builder(&stub, &clock)
            .jwks_timeout(timeout)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("JWKS timeout"), "{err}");
    }
}

#[tokio::test]
async fn issue_11_background_refresh_with_a_zero_period_is_refused() {
    let stub = Stub::new().await;
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let validator = builder(&stub, &clock).build().unwrap();
    let err = validator
        .spawn_background_refresh(Duration::ZERO)
        .unwrap_err();
    assert!(err.is_config(), "{err}");
}

#[tokio::test]
async fn issue_11_a_jwks_uri_that_keeps_failing_is_looked_up_again() {
    let (stub, clock, validator) = warm().await;
    // The IdP moves its JWKS: the old URL answers 404, discovery names the new one.
    let new_key = rotated_key();
    stub.server.reset().await;
    Mock::given(method("GET"))
        .and(path("/realms/stub/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issuer": stub.issuer,
            "jwks_uri": format!("{}/realms/stub/protocol/certs", stub.server.uri()),
        })))
        .mount(&stub.server)
        .await;
    stub.certs(ResponseTemplate::new(404)).await;
    Mock::given(method("GET"))
        .and(path("/realms/stub/protocol/certs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(jwks_of(&[&ec_key(), &new_key])))
        .mount(&stub.server)
        .await;
    clock.advance(Duration::from_secs(11));
    validator
        .validate(&token_by(&stub, &new_key, &clock))
        .await
        .expect("keys from the rediscovered jwks_uri");
}

/// Section 4: an issuer that differs from the discovery document's says how, at the first
/// fetch.
#[tokio::test]
async fn issue_11_an_issuer_mismatch_shows_both_strings_and_a_hint() {
    let stub = Stub::new().await;
    serve_certs(&stub, jwks_of(&[&ec_key()]), Duration::ZERO).await;
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let configured = format!("{}/", stub.issuer);
    let validator = Validator::builder()
        .issuer(configured.clone())
        .algorithm(Algorithm::ES256)
        .clock(Arc::clone(&clock))
        .build()
        .unwrap();
    let err = validator.refresh_keys().await.unwrap_err().to_string();
    assert!(err.contains(&format!("\"{}\"", stub.issuer)), "{err}");
    assert!(err.contains(&format!("\"{configured}\"")), "{err}");
    assert!(err.contains("trailing `/`"), "{err}");
}
