//! The quickstart's gateway path under load: `aps_examples::api`'s gateway (validate the bearer
//! token with `BearerLayer`, sign the upstream JWT, proxy with reqwest) in front of its upstream
//! (`UpstreamLayer` verifying that JWT), measured like aps-jwt's load bench with the load
//! generator of `aps_testkit::load`, and the share of each part in the cost of a request.
//!
//! Every server (gateway, upstreams) runs on one one-thread tokio runtime and the load generator
//! on another: on a 2-vCPU machine each gets about one core, so at enough callers 10^6 /
//! requests/s is the server thread's time per request, the proxy's client included.
//!
//! Cases: the plain upstream (an axum handler with the upstream's body, no verification: the
//! HTTP floor); the upstream with `UpstreamLayer` called directly with pre-signed gateway JWTs
//! (each sent once, as the upstream refuses replays; a fresh upstream per run); the gateway on
//! cache hits to the plain upstream; the gateway on cache hits and on cold validations (256
//! tokens, 64 cached) to the quickstart's upstream. Then each part timed alone in process, and
//! the shares.
//!
//! Run: `cargo bench -p aps-examples --bench gateway_load` (`LOAD_SECS` per case, default 3;
//! `LOAD_CONCURRENCY`, default `1,16,64`; `LOAD_GATEWAY_JWTS`, the pre-signed JWTs, default
//! 100,000: a run that uses them up ends early, and says how long it measured).

#[path = "../../../aps-jwt/benches/common/bearer.rs"]
mod bearer;
mod parts;
#[path = "../../../aps-jwt/benches/common/ready.rs"]
mod ready;
mod servers;
mod shares;

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use aps_examples::api::{GATEWAY_HEADER, SERVICE};
use aps_jwt::SigningKey;
use aps_jwt::upstream::Signer;
use aps_testkit::load::{
    Credential, Generator, GroupResult, Settings, Traffic, env_or, one_thread_runtime, peak_rss_mib,
};

use bearer::{RSA_PEM, numbered_token, token, validator_with_cache_entries};
use parts::Parts;
use servers::{Servers, fresh_upstream};
use shares::PerRequest;

/// Distinct valid bearer tokens for the cold case, 4x the cache it runs against.
const POOL: usize = 256;
const COLD_CACHE_ENTRIES: usize = POOL / 4;

const PLAIN_UPSTREAM: &str = "upstream alone, no verification (HTTP floor)";
const VERIFIED_UPSTREAM: &str = "upstream alone, UpstreamLayer (pre-signed gateway JWTs)";
const GATEWAY_TO_PLAIN: &str = "gateway, cache hit -> plain upstream";
const GATEWAY_HIT: &str = "gateway, cache hit -> upstream (the quickstart path)";
const GATEWAY_COLD: &str = "gateway, cold validations -> upstream";

fn main() {
    let Settings { secs, concurrency } = Settings::from_env();
    // One RSA fixture key serves as the IdP's and the gateway's: any RSA-2048 key costs the same.
    let key = SigningKey::from_pem(RSA_PEM).expect("rsa");
    let bearer_token = token(&key);
    let pool: Vec<String> = (0..POOL).map(|i| numbered_token(&key, i)).collect();
    let hits = validator_with_cache_entries(&key, 10_000);
    let cold = validator_with_cache_entries(&key, COLD_CACHE_ENTRIES);
    let server_rt = one_thread_runtime();
    let servers = Servers::start(&server_rt, &key, &hits, &cold);
    let generator = Generator::new();

    let get = |label, credential| Traffic {
        label,
        path: "/",
        credential,
        expect: 200,
    };
    let hit = Credential::Bearer(Arc::from(vec![bearer_token.clone()]));
    let cases = [
        (
            &servers.plain_upstream,
            get(PLAIN_UPSTREAM, Credential::None),
        ),
        (
            &servers.gateway_hit_to_plain,
            get(GATEWAY_TO_PLAIN, hit.clone()),
        ),
        (&servers.gateway_hit, get(GATEWAY_HIT, hit)),
        (
            &servers.gateway_cold,
            get(GATEWAY_COLD, Credential::Bearer(pool.into())),
        ),
    ];
    let mut results: Vec<GroupResult> = Vec::new();
    for &callers in &concurrency {
        for (base, traffic) in &cases {
            results.extend(generator.run(base, &[(traffic.clone(), callers)], secs));
        }
    }
    let rss = peak_rss_mib();

    let gateway_jwts = presign(&key, env_or("LOAD_GATEWAY_JWTS", 100_000));
    for &callers in &concurrency {
        let upstream = fresh_upstream(&server_rt, &key);
        let once = Credential::Once {
            header: GATEWAY_HEADER,
            tokens: Arc::clone(&gateway_jwts),
        };
        results.extend(generator.run(&upstream, &[(get(VERIFIED_UPSTREAM, once), callers)], secs));
    }
    print_http_table(&concurrency, &results);

    let parts = Parts::measure(&key, &bearer_token, &gateway_jwts);
    println!("\nEach part alone, in process (us per call, median of 5 batches):\n");
    println!(
        "| bearer validation, cache hit | bearer validation, miss | signing the upstream JWT | the upstream's verification |"
    );
    println!("| --- | --- | --- | --- |");
    println!(
        "| {:.2} | {:.1} | {:.1} | {:.1} |",
        parts.validate_hit, parts.validate_miss, parts.sign, parts.verify
    );

    let stats = cold.stats();
    #[allow(clippy::cast_precision_loss)]
    let cold_misses = stats.cache_misses as f64 / (stats.cache_hits + stats.cache_misses) as f64;
    if let Some(&top) = concurrency.iter().max() {
        let us = |label: &str| {
            results
                .iter()
                .find(|r| r.label == label && r.callers == top)
                .map_or(f64::NAN, |r| 1e6 / r.rate())
        };
        let http = PerRequest {
            plain_upstream: us(PLAIN_UPSTREAM),
            verified_upstream: us(VERIFIED_UPSTREAM),
            gateway_hit_to_plain: us(GATEWAY_TO_PLAIN),
            gateway_hit: us(GATEWAY_HIT),
            gateway_cold: us(GATEWAY_COLD),
        };
        shares::print(top, &http, &parts, cold_misses);
    }
    println!(
        "\ncold gateway's validator: {} hits / {} misses (its cache holds {COLD_CACHE_ENTRIES} of {POOL} tokens); peak RSS of the process before the pre-signed JWTs {rss:.0} MiB, after {:.0} MiB",
        stats.cache_hits,
        stats.cache_misses,
        peak_rss_mib()
    );
}

/// `n` gateway JWTs (distinct `jti`s) for the upstream alone, valid for an hour, as the
/// quickstart's gateway signs them for `consumer-app-1`; signed on every core (RS256 signing is
/// slow).
fn presign(key: &SigningKey, n: usize) -> Arc<[String]> {
    let signer = Signer::builder(key.clone())
        .lifetime(Duration::from_secs(3600))
        .build()
        .expect("signer");
    let consumer = Some("consumer-app-1");
    let sign = |count: usize| -> Vec<String> {
        (0..count)
            .map(|_| {
                let jwt = signer.sign(SERVICE, b"", consumer, consumer).expect("sign");
                jwt.as_str().to_owned()
            })
            .collect()
    };
    let threads = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| scope.spawn(move || sign(n / threads + usize::from(t < n % threads))))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("signing thread"))
            .collect()
    })
}

/// The HTTP cases, by concurrency, in the order of [`main`]'s list.
fn print_http_table(concurrency: &[usize], results: &[GroupResult]) {
    println!("| case | callers | requests/s | us per request | p50 ms | p99 ms | s measured |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let order = [
        PLAIN_UPSTREAM,
        VERIFIED_UPSTREAM,
        GATEWAY_TO_PLAIN,
        GATEWAY_HIT,
        GATEWAY_COLD,
    ];
    for &callers in concurrency {
        for label in order {
            for r in results
                .iter()
                .filter(|r| r.label == label && r.callers == callers)
            {
                println!(
                    "| {label} | {callers} | {:.0} | {:.1} | {:.2} | {:.2} | {:.1} |",
                    r.rate(),
                    1e6 / r.rate(),
                    r.p50_ms,
                    r.p99_ms,
                    r.secs
                );
            }
        }
    }
}
