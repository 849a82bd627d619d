//! The verified-token cache hit allocates nothing (issue 13): a hit is a keyed hash, a read
//! lock, a comparison and one reference-count increment. Counted with dhat's heap statistics.

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

#[test]
fn a_cache_hit_does_not_allocate() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let key = SigningKey::generate_p256().expect("key");
    let token = key
        .sign_jwt(
            "JWT",
            &serde_json::json!({
                "iss": ISSUER, "typ": "Bearer", "iat": NOW, "exp": NOW + 300, "azp": "app-1",
                "aud": ["account", "api"], "scope": "profile Function1/read",
                "realm_access": {"roles": ["reader"]},
                "resource_access": {"app-1": {"roles": ["read"]}},
            }),
        )
        .expect("token");
    let validator = Validator::builder()
        .issuer_with_jwks(ISSUER, &key.public_jwks())
        .algorithm(Algorithm::ES256)
        .audience("api")
        .scope("Function1/read")
        .clock(ManualClock::at_unix(NOW))
        .build()
        .expect("validator");
    let first = now_or_never(validator.validate(&token)).expect("valid");

    let before = dhat::HeapStats::get();
    for _ in 0..1000 {
        let hit = now_or_never(validator.validate(&token)).expect("valid");
        assert_eq!(hit.client_id(), first.client_id());
    }
    let after = dhat::HeapStats::get();
    assert_eq!(
        after.total_blocks - before.total_blocks,
        0,
        "allocations in 1,000 cache hits"
    );
    assert_eq!(validator.stats().cache_hits, 1000);
}
