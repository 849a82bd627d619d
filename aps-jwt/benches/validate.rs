//! aps-jwt against the raw signature floor of its backend (aws-lc-rs) and jsonwebtoken 12.
//! Run (one run, as docs/performance.md reports it):
//! `flock /tmp/aps-bench.lock cargo bench -p aps-jwt --bench validate`

use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aps_jwt::{ClientAssertion, Jwks, ManualClock, SigningKey, Validator};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};

mod common;
use common::{
    EC_PEM, ISSUER, JwtClaims, NOW, RSA_PEM, RSA_PKCS1_PEM, pem_der, ready, token, validator,
};
use serde_json::json;

fn verify(c: &mut Criterion) {
    let rsa = SigningKey::from_pem(RSA_PEM).expect("rsa");
    let ec = SigningKey::from_pem(EC_PEM).expect("ec");
    for (name, key) in [("RS256", &rsa), ("ES256", &ec)] {
        let token = token(key);
        let (input, sig) = token.rsplit_once('.').expect("jws");
        let sig = URL_SAFE_NO_PAD.decode(sig).expect("sig");
        let floor = common::floor(key);
        let mut group = c.benchmark_group(format!("verify/{name}"));
        group.bench_function("raw aws-lc verify (floor)", |b| {
            b.iter(|| floor.verify_sig(input.as_bytes(), &sig).expect("verify"))
        });
        let cold = validator(key, false);
        group.bench_function("aps-jwt validate, cold (no cache)", |b| {
            b.iter(|| ready(cold.validate(&token)).expect("valid"))
        });
        let cached = validator(key, true);
        ready(cached.validate(&token)).expect("valid");
        group.bench_function("aps-jwt validate, cache hit", |b| {
            b.iter(|| ready(cached.validate(&token)).expect("valid"))
        });
        let (jwt_key, validation) = common::jsonwebtoken_setup(key);
        group.bench_function("jsonwebtoken decode", |b| {
            b.iter(|| {
                jsonwebtoken::decode::<JwtClaims>(&token, &jwt_key, &validation).expect("valid")
            })
        });
        group.finish();
    }
}

fn remote(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let rsa = SigningKey::from_pem(RSA_PEM).expect("rsa");
    let server = runtime.block_on(wiremock::MockServer::start());
    let body: serde_json::Value =
        serde_json::from_str(&Jwks::new(vec![rsa.public_jwk()]).to_json()).expect("jwks");
    runtime.block_on(
        wiremock::Mock::given(wiremock::matchers::path("/certs"))
            .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(body))
            .mount(&server),
    );
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let validator = Validator::builder()
        .issuer_with_jwks_uri(ISSUER, format!("{}/certs", server.uri()))
        .cache(false)
        .clock(Arc::clone(&clock))
        .build()
        .expect("validator");
    runtime.block_on(validator.refresh_keys()).expect("warm-up");
    let valid = token(&rsa);
    let mut group = c.benchmark_group("remote/RS256");
    group.bench_function("validate after warm-up (remote JWKS, no cache)", |b| {
        b.iter(|| ready(validator.validate(&valid)).expect("valid"))
    });
    // A flood of unknown kids inside the cooldown: refused without a fetch.
    let attacker = SigningKey::from_pem(EC_PEM).expect("ec");
    let unknown: Vec<String> = (0..1024)
        .map(|i| token(&attacker.clone().with_kid(format!("random-{i}"))))
        .collect();
    let before = validator.stats().jwks_fetches;
    let mut i = 0;
    group.bench_function("unknown kid inside the cooldown (refused)", |b| {
        b.iter(|| {
            i = (i + 1) % unknown.len();
            ready(validator.validate(&unknown[i])).expect_err("unknown")
        })
    });
    group.finish();
    eprintln!(
        "JWKS fetches during the unknown-kid flood: {}",
        validator.stats().jwks_fetches - before
    );
}

fn sign(c: &mut Criterion) {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(NOW);
    let assertion = ClientAssertion::builder("consumer-app-1", ISSUER)
        .build()
        .expect("assertion");
    for pem in [RSA_PEM, EC_PEM] {
        let key = SigningKey::from_pem(pem).expect("key");
        let name = key.algorithm().as_str();
        let mut group = c.benchmark_group(format!("sign/{name}"));
        let input = token(&key);
        let (input, _) = input.rsplit_once('.').expect("jws");
        let short_input = &input[..input.len().min(350)];
        group.bench_function("raw aws-lc sign, parsed key (floor)", |b| {
            b.iter(|| key.sign(short_input.as_bytes()).expect("sign"))
        });
        group.bench_function("aps-jwt client assertion", |b| {
            b.iter(|| assertion.sign(&key, now).expect("sign"))
        });
        let encoding_key = if name == "RS256" {
            jsonwebtoken::EncodingKey::from_rsa_der(&pem_der(RSA_PKCS1_PEM))
        } else {
            jsonwebtoken::EncodingKey::from_ec_der(&pem_der(EC_PEM))
        };
        let mut header = jsonwebtoken::Header::new(if name == "RS256" {
            jsonwebtoken::Algorithm::RS256
        } else {
            jsonwebtoken::Algorithm::ES256
        });
        header.kid = Some(key.kid().to_owned());
        let claims = json!({"iss": "consumer-app-1", "sub": "consumer-app-1", "aud": ISSUER,
            "jti": "AAAAAAAAAAAAAAAAAAAAAA", "iat": NOW, "exp": NOW + 60});
        group.bench_function("jsonwebtoken encode", |b| {
            b.iter(|| jsonwebtoken::encode(&header, &claims, &encoding_key).expect("sign"))
        });
        group.finish();
    }
}

fn cache_key(c: &mut Criterion) {
    let token = token(&SigningKey::from_pem(RSA_PEM).expect("rsa"));
    let signature = token.rsplit_once('.').expect("jws").1;
    let state = RandomState::new();
    let mut group = c.benchmark_group("cache-key");
    group.bench_function(
        format!("SHA-256 of the whole token ({} B)", token.len()),
        |b| b.iter(|| aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes())),
    );
    group.bench_function(
        format!(
            "SipHash of the signature part ({} B) + full compare",
            signature.len()
        ),
        |b| {
            let copy = token.clone();
            b.iter(|| (state.hash_one(signature), copy == token))
        },
    );
    let tail = &token.as_bytes()[token.len() - 64..];
    group.bench_function(
        "SipHash of the last 64 B + full compare (the cache's key)",
        |b| {
            let copy = token.clone();
            b.iter(|| (state.hash_one(tail), copy == token))
        },
    );
    group.finish();
}

/// Issue 11, section 5: refusals are logged (`tracing`) and counted; accepted tokens emit no
/// event at all. Each case with no subscriber (the default) and with one listening at `info`
/// (writing to a sink), so the cost of the events shows, and their absence on the accepted path.
fn events(c: &mut Criterion) {
    let rsa = SigningKey::from_pem(RSA_PEM).expect("rsa");
    let valid = token(&rsa);
    let cold = validator(&rsa, false);
    let cached = validator(&rsa, true);
    ready(cached.validate(&valid)).expect("valid");
    let malformed = "not-a-token";
    let listening = || {
        tracing_subscriber::fmt()
            .with_writer(std::io::sink)
            .with_max_level(tracing::Level::INFO)
            .finish()
    };
    let mut group = c.benchmark_group("events/RS256");
    for (name, subscriber) in [("no subscriber", false), ("subscriber at info", true)] {
        let run = |f: &mut dyn FnMut()| {
            if subscriber {
                tracing::subscriber::with_default(listening(), f);
            } else {
                f();
            }
        };
        run(&mut || {
            group.bench_function(format!("accepted, cache hit ({name})"), |b| {
                b.iter(|| ready(cached.validate(&valid)).expect("valid"))
            });
        });
        run(&mut || {
            group.bench_function(format!("accepted, cold ({name})"), |b| {
                b.iter(|| ready(cold.validate(&valid)).expect("valid"))
            });
        });
        run(&mut || {
            group.bench_function(format!("refused, malformed ({name})"), |b| {
                b.iter(|| ready(cold.validate(malformed)).expect_err("malformed"))
            });
        });
    }
    group.finish();
    eprintln!("refusals counted: {:?}", cold.stats().refused.total());
}

/// Resident memory of this process, in bytes (Linux; 0 elsewhere).
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// Issue 11, section 3: the replay store at 10,000 spends per second, tokens living 60 s plus
/// a 10 s leeway, on a simulated clock: two lifetimes timed as a whole (with the memory it
/// holds), then criterion on the steady state. Ids are 36 characters, like UUID `jti`s.
fn replay(c: &mut Criterion) {
    use aps_jwt::{MemoryReplayStore, ReplayStore};
    use std::fmt::Write as _;
    const RATE: u32 = 10_000;
    const LIFETIME: i64 = 70;
    let store = MemoryReplayStore::new(1_000_000);
    let mut id = String::with_capacity(36);
    let mut n: u64 = 0;
    let mut spend = |second: i64| {
        n += 1;
        id.clear();
        let _ = write!(id, "{n:036}");
        store.spend("gateway", &id, second + LIFETIME, second)
    };
    let before = rss();
    let started = std::time::Instant::now();
    for second in 0..2 * LIFETIME {
        for _ in 0..RATE {
            spend(second).expect("spent");
        }
    }
    let elapsed = started.elapsed();
    let spends = 2 * LIFETIME as u128 * u128::from(RATE);
    eprintln!(
        "replay: {spends} spends (two lifetimes at {RATE}/s) in {elapsed:.2?}: {} ns per spend; \
         {} live entries; resident memory +{} MiB",
        elapsed.as_nanos() / spends,
        store.len(),
        rss().saturating_sub(before) >> 20
    );
    let mut group = c.benchmark_group("replay");
    let (mut second, mut within) = (2 * LIFETIME, 0);
    group.bench_function("spend at 10,000/s, 70 s lifetime (steady state)", |b| {
        b.iter(|| {
            within += 1;
            if within == RATE {
                (second, within) = (second + 1, 0);
            }
            spend(second).expect("spent")
        })
    });
    group.finish();
}

/// What `BearerLayer` does besides validating: finding the one bearer token in the headers.
#[cfg(feature = "tower")]
fn header(c: &mut Criterion) {
    let key = SigningKey::from_pem(RSA_PEM).expect("key");
    let mut headers = http::HeaderMap::new();
    let value = format!("Bearer {}", token(&key));
    headers.insert(
        http::header::AUTHORIZATION,
        value.parse().expect("header value"),
    );
    c.bench_function("layer/bearer_token (1.7 KB token)", |b| {
        b.iter(|| aps_jwt::bearer_token(std::hint::black_box(&headers)).map(str::len));
    });
    // The whole layer on a cache hit, in process (no HTTP), against the same request to the same
    // inner service without it: what BearerLayer adds to each request.
    use tower::Layer as _;
    let inner = tower::service_fn(|_: http::Request<()>| async {
        Ok::<_, std::convert::Infallible>(http::Response::new(()))
    });
    let request = || {
        let mut request = http::Request::new(());
        *request.uri_mut() = "/orders".parse().expect("uri");
        *request.headers_mut() = headers.clone();
        request
    };
    let validator = validator(&key, true);
    let mut layered = aps_jwt::BearerLayer::new(validator).layer(inner);
    let mut bare = inner;
    respond(&mut layered, request());
    c.bench_function("layer/request through BearerLayer, cache hit", |b| {
        b.iter_batched(
            request,
            |r| respond(&mut layered, r),
            criterion::BatchSize::SmallInput,
        );
    });
    c.bench_function("layer/the same request without the layer", |b| {
        b.iter_batched(
            request,
            |r| respond(&mut bare, r),
            criterion::BatchSize::SmallInput,
        );
    });
}

/// The status of `service`'s answer to `request` (a service that never waits).
#[cfg(feature = "tower")]
fn respond<S>(service: &mut S, request: http::Request<()>) -> http::StatusCode
where
    S: tower::Service<http::Request<()>, Response = http::Response<()>>,
    S::Error: std::fmt::Debug,
{
    use tower::ServiceExt as _;
    ready(service.ready()).expect("ready");
    ready(service.call(request)).expect("response").status()
}

#[cfg(not(feature = "tower"))]
fn header(_: &mut Criterion) {}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(40);
    targets = verify, remote, sign, cache_key, events, replay, header
}
criterion_main!(benches);
