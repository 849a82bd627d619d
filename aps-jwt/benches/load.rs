//! The HTTP path under load: an axum service on 127.0.0.1 without auth, and behind
//! `BearerLayer` on cache hits, on cold validations and under a flood of bad signatures, driven
//! by the closed-loop load generator of `aps_testkit::load` (reqwest on hyper, HTTP/1.1
//! keep-alive, `c` concurrent callers each sending its next request when the last one is
//! answered) for a bounded time.
//!
//! The server runs on its own one-thread tokio runtime and the load generator on another: on a
//! 2-vCPU machine each gets about one core, so requests/s are those of one server core.
//!
//! The cache-hit goal (95 % of no auth) is then measured as ratios in alternating rounds: of
//! requests/s, and of the server thread's CPU time per request, which does not depend on how
//! fast the load generator is.
//!
//! Run: `cargo bench -p aps-jwt --features axum --bench load` (`LOAD_SECS` per case, default 3;
//! `LOAD_CONCURRENCY`, default `1,16,64`; `LOAD_ROUNDS` of the cache-hit / no-auth ratio,
//! default 9).

use std::sync::atomic::{AtomicU64, Ordering};

use aps_jwt::{BearerLayer, SigningKey, VerifiedToken};
use aps_testkit::load::{
    Credential, Generator, Settings, TABLE_HEADER, Traffic, env_or, nearest_rank,
    one_thread_runtime, peak_rss_mib, worker_cpu,
};
use axum::Router;
use axum::routing::get;

mod common;
use common::{RSA_PEM, numbered_token, token, validator_with_cache_entries};

/// Distinct valid tokens for the cold case, 4x the cache it runs against.
const POOL: usize = 256;
const COLD_CACHE_ENTRIES: usize = POOL / 4;

/// Requests the handlers answered (both routes count alike).
static SERVED: AtomicU64 = AtomicU64::new(0);

async fn hello(token: VerifiedToken) -> String {
    SERVED.fetch_add(1, Ordering::Relaxed);
    format!("hello {}", token.client_id().unwrap_or("?"))
}

/// Runs `groups` at once, prints a row per group (named `name`) and returns the requests/s of
/// the first.
fn run(
    generator: &Generator,
    base: &str,
    name: &str,
    groups: &[(Traffic, usize)],
    secs: f64,
) -> f64 {
    let results = generator.run(base, groups, secs);
    for result in &results {
        println!("{}", result.row(name));
    }
    results.first().map(|r| r.rate()).unwrap_or_default()
}

/// One unprinted run of a traffic alone: requests/s, and the server thread's CPU time per
/// request answered (µs, warm-up included on both sides of the division).
struct Round {
    rate: f64,
    cpu_us: f64,
}

fn round(
    generator: &Generator,
    server: &tokio::runtime::Runtime,
    base: &str,
    traffic: &Traffic,
    callers: usize,
) -> Round {
    let (cpu, served) = (worker_cpu(server), SERVED.load(Ordering::Relaxed));
    let rate = generator.run(base, &[(traffic.clone(), callers)], 1.0)[0].rate();
    let cpu = worker_cpu(server)
        .zip(cpu)
        .map(|(after, before)| after - before);
    // Counts of about 10^5 requests: exact in f64.
    #[allow(clippy::cast_precision_loss)]
    let requests = (SERVED.load(Ordering::Relaxed) - served) as f64;
    Round {
        rate,
        cpu_us: cpu.map_or(f64::NAN, |cpu| cpu.as_secs_f64() * 1e6 / requests),
    }
}

/// The median, lowest and highest of `values`.
fn spread(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let at = |q| nearest_rank(&values, q).unwrap_or(f64::NAN);
    (at(0.5), at(0.0), at(1.0))
}

fn main() {
    let Settings { secs, concurrency } = Settings::from_env();
    let key = SigningKey::from_pem(RSA_PEM).expect("rsa");
    let valid = token(&key);
    let pool: Vec<String> = (0..POOL).map(|i| numbered_token(&key, i)).collect();
    let bad: Vec<String> = {
        // The last signature character changed: well-formed, a valid kid, a bad signature.
        let mut t = valid.clone();
        let last = t.pop().expect("char");
        t.push(if last == 'A' { 'Q' } else { 'A' });
        vec![t]
    };
    let hits = validator_with_cache_entries(&key, 10_000);
    let cold = validator_with_cache_entries(&key, COLD_CACHE_ENTRIES);
    let app = Router::new()
        // The same body, built the same way, as `hello`'s.
        .route(
            "/open",
            get(|| async {
                SERVED.fetch_add(1, Ordering::Relaxed);
                format!("hello {}", std::hint::black_box("consumer-app-1"))
            }),
        )
        .route("/hit", get(hello).layer(BearerLayer::new(hits.clone())))
        .route("/cold", get(hello).layer(BearerLayer::new(cold.clone())));
    let server_rt = one_thread_runtime();
    let listener = server_rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    server_rt.spawn(async move { axum::serve(listener, app).await.expect("serve") });
    let generator = Generator::new();

    let traffic = |label, path, tokens: &[String], expect| Traffic {
        label,
        path,
        credential: Credential::Bearer(tokens.into()),
        expect,
    };
    let open = Traffic {
        label: "no auth",
        path: "/open",
        credential: Credential::None,
        expect: 200,
    };
    // The same request as the cache hits' (its 1.7 KB header read by the server too), to a
    // route without the layer: what is left between the two is the layer's own cost.
    let open_with_header = traffic(
        "no auth, same Authorization header",
        "/open",
        std::slice::from_ref(&valid),
        200,
    );
    let hit = traffic(
        "BearerLayer, cache hit",
        "/hit",
        std::slice::from_ref(&valid),
        200,
    );
    let miss = traffic("BearerLayer, cold", "/cold", &pool, 200);
    let flood = traffic("BearerLayer, bad signature", "/hit", &bad, 401);
    println!("{TABLE_HEADER}");
    for &c in &concurrency {
        for t in [&open, &open_with_header, &hit, &miss, &flood] {
            run(&generator, &base, "alone", &[(t.clone(), c)], secs);
        }
        if c > 1 {
            run(
                &generator,
                &base,
                "mixed, half the callers valid (cache hits)",
                &[(flood.clone(), c / 2), (hit.clone(), c / 2)],
                secs,
            );
            run(
                &generator,
                &base,
                "mixed, half the callers valid (cold)",
                &[(flood.clone(), c / 2), (miss.clone(), c / 2)],
                secs,
            );
        }
    }
    // The cache-hit goal (95 % of no auth) is a ratio: measured in alternating rounds, like the
    // steady bench, so that machine drift lands on both alike; the order flips every round.
    let rounds: usize = env_or("LOAD_ROUNDS", 9);
    println!();
    for &c in &concurrency {
        let pairs: Vec<(Round, Round)> = (0..rounds)
            .map(|i| {
                let one = |t: &Traffic| round(&generator, &server_rt, &base, t, c);
                if i % 2 == 0 {
                    let open = one(&open_with_header);
                    (open, one(&hit))
                } else {
                    let hit = one(&hit);
                    (one(&open_with_header), hit)
                }
            })
            .collect();
        let (rate, rate_low, rate_high) =
            spread(pairs.iter().map(|(o, h)| h.rate / o.rate).collect());
        let (cpu, cpu_low, cpu_high) =
            spread(pairs.iter().map(|(o, h)| o.cpu_us / h.cpu_us).collect());
        let (open_us, _, _) = spread(pairs.iter().map(|(o, _)| o.cpu_us).collect());
        let (hit_us, _, _) = spread(pairs.iter().map(|(_, h)| h.cpu_us).collect());
        println!(
            "cache hits / no auth (same header), {c} callers, {rounds} alternating rounds of 1 s: requests/s median {rate:.3} [{rate_low:.3}-{rate_high:.3}]; server CPU per request {open_us:.2} us no auth, {hit_us:.2} us cache hit, ratio median {cpu:.3} [{cpu_low:.3}-{cpu_high:.3}]"
        );
    }
    let (h, m) = (hits.stats(), cold.stats());
    println!(
        "\ncache hits/misses: hit validator {}/{}, cold validator {}/{} (its cache holds {COLD_CACHE_ENTRIES} of {POOL} tokens); peak RSS of the process (server and load generator) {:.0} MiB",
        h.cache_hits,
        h.cache_misses,
        m.cache_hits,
        m.cache_misses,
        peak_rss_mib()
    );
}
