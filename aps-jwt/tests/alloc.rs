//! The verified-token cache hit allocates nothing (issue 13): a hit is a keyed hash, a read
//! lock, a comparison and one reference-count increment. A cold validation allocates a fixed
//! handful of buffers, however many strings the claims hold. Counted with dhat's heap
//! statistics (one test: the profiler is global).

use aps_jwt::{Algorithm, ManualClock, SigningKey, Validator};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const ISSUER: &str = "https://idp.example/realms/apigw";
const NOW: u64 = 1_800_000_000;

fn now_or_never<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("the hot path awaited"),
    }
}

fn token(key: &SigningKey, realm_roles: &[String]) -> String {
    key.sign_jwt(
        "JWT",
        &serde_json::json!({
            "iss": ISSUER, "typ": "Bearer", "iat": NOW, "exp": NOW + 300, "azp": "app-1",
            "aud": ["account", "api"], "scope": "profile Function1/read",
            "realm_access": {"roles": realm_roles},
            "resource_access": {"app-1": {"roles": ["read"]}},
        }),
    )
    .expect("token")
    .to_string()
}

fn validator(key: &SigningKey, cache: bool) -> Validator {
    Validator::builder()
        .issuer_with_jwks(ISSUER, &key.public_jwks())
        .algorithm(Algorithm::ES256)
        .audience("api")
        .scope("Function1/read")
        .clock(ManualClock::at_unix(NOW))
        .cache(cache)
        .build()
        .expect("validator")
}

/// Blocks allocated by one cold validation of `token`.
fn allocations(validator: &Validator, token: &str) -> u64 {
    let before = dhat::HeapStats::get();
    now_or_never(validator.validate(token)).expect("valid");
    dhat::HeapStats::get().total_blocks - before.total_blocks
}

#[test]
fn a_cache_hit_does_not_allocate_and_a_cold_validation_allocates_a_handful() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let key = SigningKey::generate_p256().expect("key");
    let one_role = token(&key, &["reader".to_owned()]);
    let cached = validator(&key, true);
    let first = now_or_never(cached.validate(&one_role)).expect("valid");

    let before = dhat::HeapStats::get();
    for _ in 0..1000 {
        let hit = now_or_never(cached.validate(&one_role)).expect("valid");
        assert_eq!(hit.client_id(), first.client_id());
    }
    let after = dhat::HeapStats::get();
    assert_eq!(
        after.total_blocks - before.total_blocks,
        0,
        "allocations in 1,000 cache hits"
    );
    assert_eq!(cached.stats().cache_hits, 1000);

    let cold = validator(&key, false);
    let many_roles: Vec<String> = (0..24).map(|i| format!("role-{i}")).collect();
    let (few, many) = (
        allocations(&cold, &one_role),
        allocations(&cold, &token(&key, &many_roles)),
    );
    assert_eq!(
        few, many,
        "allocations do not grow with the number of roles"
    );
    assert!(few <= 10, "{few} allocations in a cold validation");
}
