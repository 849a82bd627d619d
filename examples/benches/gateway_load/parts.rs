//! Each part of the gateway path timed alone, in process, on this thread: the bearer token's
//! validation (cache hit and miss), signing the upstream JWT, and the upstream's verification.

use std::hint::black_box;
use std::time::Instant;

use aps_examples::api::{SERVICE, upstream_verifier};
use aps_jwt::SigningKey;
use aps_jwt::upstream::Signer;
use aps_testkit::load::nearest_rank;

use crate::bearer::{validator_builder, validator_with_cache_entries};
use crate::ready::ready;

const BATCHES: usize = 5;

/// Microseconds per call of each part (the median of [`BATCHES`] batches).
pub(crate) struct Parts {
    pub(crate) validate_hit: f64,
    pub(crate) validate_miss: f64,
    pub(crate) sign: f64,
    pub(crate) verify: f64,
}

impl Parts {
    /// Times the parts with the gateway's key, the bench's bearer token, and `gateway_jwts`
    /// (distinct, each verified once: the upstream refuses a replayed one).
    pub(crate) fn measure(key: &SigningKey, bearer: &str, gateway_jwts: &[String]) -> Parts {
        let hits = validator_with_cache_entries(key, 10_000);
        ready(hits.validate(bearer)).expect("valid");
        let no_cache = validator_builder(key)
            .cache(false)
            .build()
            .expect("validator");
        let signer = Signer::builder(key.clone()).build().expect("signer");
        let verifier = upstream_verifier(key).expect("verifier");
        let per_batch = (gateway_jwts.len() / BATCHES).min(4_000);
        let mut jwts = gateway_jwts.iter();
        Parts {
            validate_hit: per_call_us(20_000, || {
                drop(black_box(ready(hits.validate(bearer)).expect("valid")));
            }),
            validate_miss: per_call_us(2_000, || {
                drop(black_box(ready(no_cache.validate(bearer)).expect("valid")));
            }),
            sign: per_call_us(1_000, || {
                let consumer = Some("consumer-app-1");
                drop(black_box(
                    signer.sign(SERVICE, b"", consumer, consumer).expect("sign"),
                ));
            }),
            verify: per_call_us(per_batch, || {
                let jwt = jwts.next().expect("a gateway JWT");
                drop(black_box(
                    ready(verifier.verify(jwt, b"")).expect("verified"),
                ));
            }),
        }
    }
}

/// The median over [`BATCHES`] of the mean time of `calls` calls of `f`, in microseconds.
fn per_call_us(calls: usize, mut f: impl FnMut()) -> f64 {
    let mut means: Vec<f64> = (0..BATCHES)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..calls {
                f();
            }
            #[allow(clippy::cast_precision_loss)]
            let calls = calls as f64;
            start.elapsed().as_secs_f64() * 1e6 / calls
        })
        .collect();
    means.sort_by(f64::total_cmp);
    nearest_rank(&means, 0.5).unwrap_or(f64::NAN)
}
