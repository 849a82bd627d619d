//! What a real Keycloak cannot be made to do, on a stub: a JWKS endpoint that fails, hangs,
//! lies, redirects, or sends too much.

mod support;

mod faults {
    mod issue_11;
}

use std::sync::Arc;
use std::time::Duration;

use aps_jwt::{Jwks, ManualClock, ValidationError, Validator};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use support::{NOW, ec_key, header_for, keycloak_claims, mint, patch};

struct Stub {
    server: MockServer,
    issuer: String,
}

impl Stub {
    async fn new() -> Self {
        let server = MockServer::start().await;
        let issuer = format!("{}/realms/stub", server.uri());
        Stub { server, issuer }
    }

    async fn discovery(&self, issuer: &str) {
        Mock::given(method("GET"))
            .and(path("/realms/stub/.well-known/openid-configuration"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "issuer": issuer,
                "jwks_uri": format!("{}/realms/stub/certs", self.server.uri()),
            })))
            .mount(&self.server)
            .await;
    }

    async fn certs(&self, response: ResponseTemplate) {
        Mock::given(method("GET"))
            .and(path("/realms/stub/certs"))
            .respond_with(response)
            .mount(&self.server)
            .await;
    }

    fn token(&self) -> String {
        let key = ec_key();
        mint(
            &key,
            &header_for(&key),
            &patch(keycloak_claims(), json!({ "iss": self.issuer })),
        )
    }

    fn validator(&self, clock: &Arc<ManualClock>) -> Validator {
        Validator::builder()
            .issuer(self.issuer.clone())
            .algorithm(aps_jwt::Algorithm::ES256)
            .jwks_timeout(Duration::from_millis(300))
            .jwks_max_bytes(64 * 1024)
            .clock(Arc::clone(clock))
            .build()
            .expect("validator")
    }
}

fn good_jwks() -> serde_json::Value {
    serde_json::from_str(&Jwks::new(vec![ec_key().public_jwk()]).to_json()).expect("json")
}

async fn unavailable(response: ResponseTemplate) -> Validator {
    let stub = Stub::new().await;
    stub.discovery(&stub.issuer).await;
    stub.certs(response).await;
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let validator = stub.validator(&clock);
    let err = validator.validate(&stub.token()).await.unwrap_err();
    assert_eq!(err, ValidationError::KeysUnavailable);
    assert_eq!(err.status(), 503);
    // Within the cooldown, no second fetch: the failure is answered at once.
    assert_eq!(
        validator.validate(&stub.token()).await.unwrap_err(),
        ValidationError::KeysUnavailable
    );
    assert_eq!(validator.stats().jwks_fetches, 1);
    validator
}

#[tokio::test]
async fn failing_jwks_endpoint_is_503_and_rate_limited() {
    unavailable(ResponseTemplate::new(503)).await;
}

#[tokio::test]
async fn garbage_jwks_body_is_503() {
    unavailable(ResponseTemplate::new(200).set_body_string("<html>oops</html>")).await;
    unavailable(ResponseTemplate::new(200).set_body_json(json!({"keys": "no"}))).await;
}

#[tokio::test]
async fn hanging_jwks_endpoint_times_out_as_503() {
    unavailable(
        ResponseTemplate::new(200)
            .set_body_json(good_jwks())
            .set_delay(Duration::from_secs(30)),
    )
    .await;
}

#[tokio::test]
async fn oversized_jwks_is_refused() {
    let mut jwks = good_jwks();
    jwks["padding"] = json!("x".repeat(100 * 1024));
    unavailable(ResponseTemplate::new(200).set_body_json(jwks)).await;
}

#[tokio::test]
async fn redirects_are_not_followed() {
    unavailable(ResponseTemplate::new(302).insert_header("location", "https://evil.example/certs"))
        .await;
}

#[tokio::test]
async fn a_redirect_to_good_keys_is_still_not_followed() {
    // The redirect points at a working JWKS on the same server: following it would succeed.
    let stub = Stub::new().await;
    stub.discovery(&stub.issuer).await;
    let moved = format!("{}/realms/stub/moved", stub.server.uri());
    stub.certs(ResponseTemplate::new(302).insert_header("location", moved.as_str()))
        .await;
    Mock::given(method("GET"))
        .and(path("/realms/stub/moved"))
        .respond_with(ResponseTemplate::new(200).set_body_json(good_jwks()))
        .expect(0)
        .mount(&stub.server)
        .await;
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let validator = stub.validator(&clock);
    assert_eq!(
        validator.validate(&stub.token()).await.unwrap_err(),
        ValidationError::KeysUnavailable
    );
    stub.server.verify().await;
}

#[tokio::test]
async fn discovery_for_another_issuer_is_refused() {
    let stub = Stub::new().await;
    stub.discovery("https://evil.example/realms/stub").await;
    stub.certs(ResponseTemplate::new(200).set_body_json(good_jwks()))
        .await;
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let validator = stub.validator(&clock);
    assert_eq!(
        validator.validate(&stub.token()).await.unwrap_err(),
        ValidationError::KeysUnavailable
    );
    assert!(validator.refresh_keys().await.is_err());
}

#[tokio::test]
async fn known_keys_survive_a_failing_endpoint_for_the_stale_window() {
    let stub = Stub::new().await;
    stub.discovery(&stub.issuer).await;
    stub.certs(ResponseTemplate::new(200).set_body_json(good_jwks()))
        .await;
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let validator = Validator::builder()
        .issuer(stub.issuer.clone())
        .algorithm(aps_jwt::Algorithm::ES256)
        .jwks_max_age(Duration::from_secs(300))
        .jwks_stale_if_error(Duration::from_secs(3600))
        .cache(false)
        .clock(Arc::clone(&clock))
        .build()
        .unwrap();
    validator.refresh_keys().await.unwrap();
    validator.validate(&stub.token()).await.unwrap();
    // The endpoint breaks.
    stub.server.reset().await;
    stub.discovery(&stub.issuer).await;
    stub.certs(ResponseTemplate::new(500)).await;
    // Within max age + stale window: still validating with the known key (each token minted
    // at the pinned time, so only the key age matters).
    for (advance, expected_ok) in [(200, true), (3000, true), (700, true)] {
        clock.advance(Duration::from_secs(advance));
        let now = NOW + clock_offset(&clock);
        let token = token_at(&stub, now);
        assert_eq!(validator.validate(&token).await.is_ok(), expected_ok);
        // Let an eventual background refresh run to completion before the next step.
        let _ = validator.refresh_keys().await;
    }
    // Past the window: 503.
    clock.advance(Duration::from_secs(200));
    let token = token_at(&stub, NOW + clock_offset(&clock));
    assert_eq!(
        validator.validate(&token).await.unwrap_err(),
        ValidationError::KeysUnavailable
    );
}

fn clock_offset(clock: &ManualClock) -> u64 {
    use aps_jwt::Clock as _;
    clock
        .now()
        .duration_since(std::time::UNIX_EPOCH + Duration::from_secs(NOW))
        .expect("after NOW")
        .as_secs()
}

fn token_at(stub: &Stub, now: u64) -> String {
    let key = ec_key();
    mint(
        &key,
        &header_for(&key),
        &patch(
            keycloak_claims(),
            json!({ "iss": stub.issuer, "iat": now, "exp": now + 300 }),
        ),
    )
}

#[tokio::test]
async fn background_refresh_fetches_on_its_own_and_stops_with_the_validator() {
    let stub = Stub::new().await;
    stub.discovery(&stub.issuer).await;
    stub.certs(ResponseTemplate::new(200).set_body_json(good_jwks()))
        .await;
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let validator = stub.validator(&clock);
    let task = validator
        .spawn_background_refresh(Duration::from_millis(20))
        .unwrap();
    // Wait for the event (two fetches done by the task), without sleeping.
    tokio::time::timeout(Duration::from_secs(20), async {
        while validator.stats().jwks_fetches < 2 {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the task fetched twice");
    validator.validate(&stub.token()).await.unwrap();
    drop(validator);
    tokio::time::timeout(Duration::from_secs(20), task)
        .await
        .expect("the task ends once the validator is gone")
        .unwrap();
}
