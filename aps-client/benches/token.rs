//! Token acquisition benchmarks, one run: `flock /tmp/aps-bench.lock cargo bench -p aps-client`.
//!
//! - `cached_token`: one call on a warm cache (aps-client; aps-client through `dyn TokenSource`;
//!   a Go-style cache, a mutex held across the fetch).
//! - `callers_1000/*`: 1,000 concurrent callers against a local token endpoint (wiremock on
//!   127.0.0.1), on a cold and on a warm cache; the `oauth2` crate used the obvious way sends one
//!   request per call.

use std::future::Future;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use aps_client::{Client, Token, TokenRequest, TokenSource, UncachedSource};
use criterion::{Criterion, criterion_group, criterion_main};
use oauth2::basic::BasicClient;
use oauth2::{ClientId, ClientSecret, TokenUrl};
use tokio::time::Instant;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const CALLERS: usize = 1000;

/// Go's `ReuseTokenSource`: one mutex, held across the fetch, 10 s expiry delta.
struct GoStyle {
    source: UncachedSource,
    token: tokio::sync::Mutex<Option<Token>>,
}

impl GoStyle {
    fn new(source: UncachedSource) -> Self {
        Self {
            source,
            token: tokio::sync::Mutex::new(None),
        }
    }

    fn seeded(source: UncachedSource, token: Token) -> Self {
        Self {
            source,
            token: tokio::sync::Mutex::new(Some(token)),
        }
    }

    async fn token(&self) -> aps_client::Result<Token> {
        let mut guard = self.token.lock().await;
        if let Some(token) = guard.as_ref()
            && token.expires_at() > Instant::now() + Duration::from_secs(10)
        {
            return Ok(token.clone());
        }
        let token = self.source.token().await?;
        *guard = Some(token.clone());
        Ok(token)
    }
}

/// The oauth2 crate's HTTP client trait, over the same reqwest 0.13 the others use (what its
/// own `reqwest` feature does for reqwest 0.12).
async fn oauth2_http(request: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, reqwest::Error> {
    static HTTP: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let http = HTTP.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default()
    });
    let (parts, body) = request.into_parts();
    let response = http
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let mut builder = http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let body = response.bytes().await?.to_vec();
    Ok(builder.body(body).unwrap_or_default())
}

/// Hands out `seed` once, then asks the real source: puts a chosen token in a cache.
struct Seeded {
    seed: std::sync::Mutex<Option<Token>>,
    source: UncachedSource,
}

#[async_trait::async_trait]
impl TokenSource for Seeded {
    async fn token(&self) -> aps_client::Result<Token> {
        let seed = self.seed.lock().ok().and_then(|mut s| s.take());
        match seed {
            Some(token) => Ok(token),
            None => self.source.token().await,
        }
    }
}

fn now_or_never<F: Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(output) => Some(output),
        std::task::Poll::Pending => None,
    }
}

struct Setup {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
    http: reqwest::Client,
}

impl Setup {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server = runtime.block_on(async {
            let server = MockServer::start().await;
            let body = serde_json::json!({ "access_token": "x".repeat(900), "token_type": "Bearer", "expires_in": 300 });
            Mock::given(path("/token")).respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;
            server
        });
        Self {
            runtime,
            server,
            http: reqwest::Client::new(),
        }
    }

    fn token_url(&self) -> String {
        format!("{}/token", self.server.uri())
    }

    fn client(&self) -> Client {
        Client::builder()
            .token_endpoint(self.token_url())
            .danger_allow_http_loopback(true)
            .client_id("bench")
            .client_secret("bench-secret")
            .http_client(self.http.clone())
            .build()
            .expect("client")
    }
}

fn cached_token(c: &mut Criterion) {
    let setup = Setup::new();
    let client = setup.client();
    let _ = setup.runtime.block_on(client.token()).expect("warm");
    let go = GoStyle::new(client.uncached(&TokenRequest::new()).expect("source"));
    let _ = setup.runtime.block_on(go.token()).expect("warm");
    let dynamic: Arc<dyn TokenSource> = Arc::new(client.clone());

    let mut group = c.benchmark_group("cached_token");
    group.bench_function("aps_client", |b| {
        b.iter(|| black_box(now_or_never(client.token())))
    });
    group.bench_function("aps_client_dyn_token_source", |b| {
        b.iter(|| black_box(now_or_never(dynamic.token())))
    });
    group.bench_function("go_style_mutex", |b| {
        b.iter(|| black_box(now_or_never(go.token())))
    });
    group.finish();
}

async fn join_all<T: Send + 'static>(tasks: Vec<tokio::task::JoinHandle<T>>) {
    for task in tasks {
        let _ = black_box(task.await);
    }
}

fn callers(c: &mut Criterion) {
    let setup = Setup::new();
    let mut group = c.benchmark_group("callers_1000");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1));

    group.bench_function("cold/aps_client", |b| {
        b.to_async(&setup.runtime).iter(|| async {
            let client = setup.client();
            join_all(
                (0..CALLERS)
                    .map(|_| {
                        let client = client.clone();
                        tokio::spawn(async move { client.token().await })
                    })
                    .collect(),
            )
            .await;
        });
    });
    let base = setup.client();
    group.bench_function("cold/go_style_mutex", |b| {
        b.to_async(&setup.runtime).iter(|| async {
            let go = Arc::new(GoStyle::new(
                base.uncached(&TokenRequest::new()).expect("source"),
            ));
            join_all(
                (0..CALLERS)
                    .map(|_| {
                        let go = Arc::clone(&go);
                        tokio::spawn(async move { go.token().await })
                    })
                    .collect(),
            )
            .await;
        });
    });
    let oauth = BasicClient::new(ClientId::new("bench".into()))
        .set_client_secret(ClientSecret::new("bench-secret".into()))
        .set_token_uri(TokenUrl::new(setup.token_url()).expect("token url"));
    let oauth = Arc::new(oauth);
    group.bench_function("oauth2_request_per_call", |b| {
        b.to_async(&setup.runtime).iter(|| async {
            join_all(
                (0..CALLERS)
                    .map(|_| {
                        let oauth = Arc::clone(&oauth);
                        tokio::spawn(async move {
                            oauth
                                .exchange_client_credentials()
                                .request_async(&oauth2_http)
                                .await
                                .map(drop)
                        })
                    })
                    .collect(),
            )
            .await;
        });
    });

    let warm = setup.client();
    let _ = setup.runtime.block_on(warm.token()).expect("warm");
    group.bench_function("warm/aps_client", |b| {
        b.to_async(&setup.runtime).iter(|| async {
            join_all(
                (0..CALLERS)
                    .map(|_| {
                        let client = warm.clone();
                        tokio::spawn(async move { client.token().await })
                    })
                    .collect(),
            )
            .await;
        });
    });
    let go = Arc::new(GoStyle::new(
        base.uncached(&TokenRequest::new()).expect("source"),
    ));
    let _ = setup.runtime.block_on(go.token()).expect("warm");
    group.bench_function("warm/go_style_mutex", |b| {
        b.to_async(&setup.runtime).iter(|| async {
            join_all(
                (0..CALLERS)
                    .map(|_| {
                        let go = Arc::clone(&go);
                        tokio::spawn(async move { go.token().await })
                    })
                    .collect(),
            )
            .await;
        });
    });
    group.finish();

    let requests = setup
        .runtime
        .block_on(setup.server.received_requests())
        .map_or(0, |r| r.len());
    println!("token endpoint requests during callers_1000: {requests}");
}

/// 1,000 callers arrive when the cached token is still valid but due for refresh, and the token
/// endpoint takes 20 ms. Only the callers' phase is timed.
fn refresh_due(c: &mut Criterion) {
    let setup = Setup::new();
    let slow = setup.runtime.block_on(async {
        let server = MockServer::start().await;
        let body = serde_json::json!({ "access_token": "y".repeat(900), "token_type": "Bearer", "expires_in": 300 });
        Mock::given(path("/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body).set_delay(Duration::from_millis(20)))
            .mount(&server)
            .await;
        server
    });
    let client = Client::builder()
        .token_endpoint(format!("{}/token", slow.uri()))
        .danger_allow_http_loopback(true)
        .client_id("bench")
        .client_secret("bench-secret")
        .build()
        .expect("client");
    let source = client.uncached(&TokenRequest::new()).expect("source");
    let mut group = c.benchmark_group("refresh_due_1000_callers_20ms_idp");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1));

    group.bench_function("aps_client", |b| {
        b.to_async(&setup.runtime).iter_custom(|iters| {
            let source = source.clone();
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    // Refresh-ahead from the first moment: the seeded token is valid and due.
                    let seed =
                        Token::from_parts("seed", Duration::from_secs(300), None).expect("token");
                    let cache = aps_client::CachedTokenSource::with_policy(
                        Seeded {
                            seed: std::sync::Mutex::new(Some(seed)),
                            source: source.clone(),
                        },
                        aps_client::CachePolicy::default().refresh_fraction(0.0),
                    );
                    let _ = cache.token().await;
                    let start = std::time::Instant::now();
                    join_all(
                        (0..CALLERS)
                            .map(|_| {
                                let cache = cache.clone();
                                tokio::spawn(async move { cache.token().await })
                            })
                            .collect(),
                    )
                    .await;
                    total += start.elapsed();
                    // Let the background refresh land before the next round (untimed).
                    while cache.cached().is_some_and(|t| t.secret() == "seed") {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                }
                total
            }
        });
    });
    group.bench_function("go_style_mutex", |b| {
        b.to_async(&setup.runtime).iter_custom(|iters| {
            let source = source.clone();
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    // Valid for 5 s, inside Go's 10 s expiry delta: due for refresh.
                    let seed =
                        Token::from_parts("seed", Duration::from_secs(5), None).expect("token");
                    let go = Arc::new(GoStyle::seeded(source.clone(), seed));
                    let start = std::time::Instant::now();
                    join_all(
                        (0..CALLERS)
                            .map(|_| {
                                let go = Arc::clone(&go);
                                tokio::spawn(async move { go.token().await })
                            })
                            .collect(),
                    )
                    .await;
                    total += start.elapsed();
                }
                total
            }
        });
    });
    group.finish();
}

criterion_group!(benches, cached_token, callers, refresh_due);
criterion_main!(benches);
