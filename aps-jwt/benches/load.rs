//! The HTTP path under load: an axum service on 127.0.0.1 without auth, and behind
//! `BearerLayer` on cache hits, on cold validations and under a flood of bad signatures, driven
//! by a small closed-loop load generator (reqwest on hyper, HTTP/1.1 keep-alive, `c` concurrent
//! callers each sending its next request when the last one is answered) for a bounded time.
//!
//! The server runs on its own one-thread tokio runtime and the load generator on another: on a
//! 2-vCPU machine each gets about one core, so requests/s are those of one server core.
//!
//! Run: `cargo bench -p aps-jwt --features axum --bench load` (`LOAD_SECS` per case, default 3;
//! `LOAD_CONCURRENCY`, default `1,16,64`; `LOAD_ROUNDS` of the cache-hit / no-auth ratio,
//! default 9).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aps_jwt::{BearerLayer, SigningKey, Validator, VerifiedToken};
use axum::Router;
use axum::routing::get;

mod common;
use common::{ISSUER, RSA_PEM, numbered_token, token};

/// Distinct valid tokens for the cold case, 4x the cache it runs against.
const POOL: usize = 256;
const COLD_CACHE_ENTRIES: usize = POOL / 4;

async fn hello(token: VerifiedToken) -> String {
    format!("hello {}", token.client_id().unwrap_or("?"))
}

fn validator(key: &SigningKey, cache_entries: usize) -> Validator {
    Validator::builder()
        .issuer_with_jwks(ISSUER, &aps_jwt::Jwks::new(vec![key.public_jwk()]))
        .audience("ap-my-api")
        .scope("Function1/read")
        .cache_limits(cache_entries, 32 << 20)
        .clock(aps_jwt::ManualClock::at_unix(common::NOW))
        .build()
        .expect("validator")
}

/// What one group of callers sends: a path and the tokens it cycles through (none: no header).
#[derive(Clone)]
struct Traffic {
    label: &'static str,
    path: &'static str,
    tokens: Arc<Vec<String>>,
    expect: u16,
}

struct Outcome {
    requests: usize,
    latencies_us: Vec<u32>,
}

async fn caller(
    client: reqwest::Client,
    url: String,
    traffic: Traffic,
    offset: usize,
    stop: Arc<AtomicBool>,
    record: Arc<AtomicBool>,
) -> Outcome {
    let mut out = Outcome {
        requests: 0,
        latencies_us: Vec::with_capacity(1 << 16),
    };
    let mut i = offset;
    while !stop.load(Ordering::Relaxed) {
        let mut request = client.get(&url);
        if !traffic.tokens.is_empty() {
            let token = &traffic.tokens[i % traffic.tokens.len()];
            request = request.bearer_auth(token);
            i += 1;
        }
        let start = Instant::now();
        let response = request.send().await.expect("response");
        let status = response.status().as_u16();
        response.bytes().await.expect("body");
        assert_eq!(status, traffic.expect, "{}", traffic.label);
        if record.load(Ordering::Relaxed) {
            out.requests += 1;
            out.latencies_us
                .push(u32::try_from(start.elapsed().as_micros()).unwrap_or(u32::MAX));
        }
    }
    out
}

fn percentile(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

/// Runs `groups` (each a traffic and its number of callers) at once for `secs` after a warm-up,
/// prints a row per group (unless `quiet`) and returns the requests/s of the first.
fn run(
    client_rt: &tokio::runtime::Runtime,
    base: &str,
    name: &str,
    groups: &[(Traffic, usize)],
    secs: f64,
    quiet: bool,
) -> f64 {
    let stop = Arc::new(AtomicBool::new(false));
    let record = Arc::new(AtomicBool::new(false));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("client");
    let outcomes: Vec<(String, usize, Outcome)> = client_rt.block_on(async {
        let mut tasks = Vec::new();
        for (traffic, callers) in groups {
            for c in 0..*callers {
                let task = tokio::spawn(caller(
                    client.clone(),
                    format!("{base}{}", traffic.path),
                    traffic.clone(),
                    c * 7919,
                    Arc::clone(&stop),
                    Arc::clone(&record),
                ));
                tasks.push((traffic.label.to_owned(), *callers, task));
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        record.store(true, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs_f64(secs)).await;
        record.store(false, Ordering::Relaxed);
        stop.store(true, Ordering::Relaxed);
        let mut out = Vec::new();
        for (label, callers, task) in tasks {
            out.push((label, callers, task.await.expect("caller")));
        }
        out
    });
    let mut labels: Vec<&String> = outcomes.iter().map(|(l, _, _)| l).collect();
    labels.dedup();
    let mut first = None;
    for label in labels {
        let mine: Vec<&(String, usize, Outcome)> =
            outcomes.iter().filter(|(l, _, _)| l == label).collect();
        let callers = mine[0].1;
        let requests: usize = mine.iter().map(|(_, _, o)| o.requests).sum();
        let mut latencies: Vec<u32> = mine
            .iter()
            .flat_map(|(_, _, o)| o.latencies_us.iter().copied())
            .collect();
        latencies.sort_unstable();
        #[allow(clippy::cast_precision_loss)]
        let rate = requests as f64 / secs;
        first.get_or_insert(rate);
        if quiet {
            continue;
        }
        println!(
            "| {name} | {label} | {callers} | {rate:.0} | {:.2} | {:.2} |",
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99),
        );
    }
    first.unwrap_or_default()
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(f64::NAN);
    kib / 1024.0
}

fn main() {
    let secs: f64 = std::env::var("LOAD_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3.0);
    let levels: Vec<usize> = std::env::var("LOAD_CONCURRENCY")
        .unwrap_or_else(|_| "1,16,64".into())
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect();
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
    let hits = validator(&key, 10_000);
    let cold = validator(&key, COLD_CACHE_ENTRIES);
    let app = Router::new()
        // The same body, built the same way, as `hello`'s.
        .route(
            "/open",
            get(|| async { format!("hello {}", std::hint::black_box("consumer-app-1")) }),
        )
        .route("/hit", get(hello).layer(BearerLayer::new(hits.clone())))
        .route("/cold", get(hello).layer(BearerLayer::new(cold.clone())));
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("server runtime");
    let listener = server_rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    server_rt.spawn(async move { axum::serve(listener, app).await.expect("serve") });
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("client runtime");

    let none = Arc::new(Vec::new());
    let traffic = |label, path, tokens: &Vec<String>, expect| Traffic {
        label,
        path,
        tokens: Arc::new(tokens.clone()),
        expect,
    };
    let open = Traffic {
        label: "no auth",
        path: "/open",
        tokens: none,
        expect: 200,
    };
    let hit = traffic("BearerLayer, cache hit", "/hit", &vec![valid.clone()], 200);
    let miss = traffic("BearerLayer, cold", "/cold", &pool, 200);
    let flood = traffic("BearerLayer, bad signature", "/hit", &bad, 401);
    println!("| run | traffic | callers | requests/s | p50 ms | p99 ms |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for &c in &levels {
        for t in [&open, &hit, &miss, &flood] {
            run(&client_rt, &base, "alone", &[(t.clone(), c)], secs, false);
        }
        if c > 1 {
            run(
                &client_rt,
                &base,
                "mixed, half the callers valid (cache hits)",
                &[(flood.clone(), c / 2), (hit.clone(), c / 2)],
                secs,
                false,
            );
            run(
                &client_rt,
                &base,
                "mixed, half the callers valid (cold)",
                &[(flood.clone(), c / 2), (miss.clone(), c / 2)],
                secs,
                false,
            );
        }
    }
    // The cache-hit goal (95 % of no auth) is a ratio: measured in alternating rounds, like the
    // steady bench, so that machine drift lands on both alike.
    let rounds: usize = std::env::var("LOAD_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(9);
    let mut ratios: Vec<f64> = (0..rounds)
        .map(|_| {
            let open = run(&client_rt, &base, "", &[(open.clone(), 16)], 1.0, true);
            let hit = run(&client_rt, &base, "", &[(hit.clone(), 16)], 1.0, true);
            hit / open
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    if let (Some(low), Some(high)) = (ratios.first(), ratios.last()) {
        println!(
            "\ncache hits / no auth, 16 callers, {rounds} alternating rounds of 1 s: median {:.3} [{low:.3}-{high:.3}]",
            ratios[ratios.len() / 2]
        );
    }
    let (h, m) = (hits.stats(), cold.stats());
    println!(
        "\ncache hits/misses: hit validator {}/{}, cold validator {}/{} (its cache holds {COLD_CACHE_ENTRIES} of {POOL} tokens); peak RSS of the process (server and load generator) {:.0} MiB",
        h.cache_hits,
        h.cache_misses,
        m.cache_hits,
        m.cache_misses,
        rss_mib()
    );
}
