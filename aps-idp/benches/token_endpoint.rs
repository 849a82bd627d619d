//! Token endpoint throughput: the embedded development IdP beside Keycloak, on this machine.
//!
//! `CARGO_TARGET_DIR=target-bench KEYCLOAK_URL=http://127.0.0.1:18080 cargo bench -p aps-idp --features dev-idp --bench token_endpoint`
//!
//! Each iteration is one `client_credentials` request over HTTP on 127.0.0.1 (a kept-alive
//! connection, no client cache): `client_secret_basic`, and `private_key_jwt` with an ES256
//! assertion signed for the request (its signing, about 20 us, is included). Then 16 requests at
//! once, for throughput under concurrency. Without `KEYCLOAK_URL` only the DevIdp is measured.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aps_idp::{
    Authentication, ClientGrants, DevIdp, IdentityProvider, Keycloak, NewClient, PublicKey,
};
use aps_jwt::{CLIENT_ASSERTION_TYPE, ClientAssertion, SigningKey};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const CONCURRENT: usize = 16;

/// One IdP with a secret client and a JWT client, enabled.
struct Target {
    name: &'static str,
    idp: Arc<dyn IdentityProvider>,
    secret_client: String,
    secret: String,
    jwt_client: String,
    key: SigningKey,
}

impl Target {
    async fn new(name: &'static str, idp: Arc<dyn IdentityProvider>) -> Self {
        let suffix = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let secret_client = format!("bench-secret-{suffix}");
        let jwt_client = format!("bench-jwt-{suffix}");
        let secret = idp
            .register_client(&NewClient::new(
                &secret_client,
                Authentication::Secret(None),
            ))
            .await
            .unwrap()
            .unwrap();
        let key = SigningKey::generate_p256().unwrap();
        let kid = aps_client::keycloak_key_id(&key).unwrap();
        let key = key.with_kid(kid);
        let public = PublicKey::Pem(key.public_key_pem().unwrap());
        idp.register_client(&NewClient::new(&jwt_client, Authentication::Jwt(public)))
            .await
            .unwrap();
        for client in [&secret_client, &jwt_client] {
            idp.set_grants(client, &ClientGrants::scopes(["Function1/read"]))
                .await
                .unwrap();
            idp.set_enabled(client, true).await.unwrap();
        }
        Self {
            name,
            idp,
            secret_client,
            secret: secret.expose().to_owned(),
            jwt_client,
            key,
        }
    }

    fn token_endpoint(&self) -> &str {
        &self.idp.endpoints().token_endpoint
    }

    async fn with_secret(&self, http: &reqwest::Client) {
        let answer = http
            .post(self.token_endpoint())
            .basic_auth(&self.secret_client, Some(&self.secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "{}", answer.status());
        black_box(answer.bytes().await.unwrap());
    }

    async fn with_key(&self, http: &reqwest::Client) {
        let assertion = ClientAssertion::builder(&self.jwt_client, &self.idp.endpoints().issuer)
            .build()
            .unwrap()
            .sign(&self.key, SystemTime::now())
            .unwrap();
        let answer = http
            .post(self.token_endpoint())
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &self.jwt_client),
                ("client_assertion_type", CLIENT_ASSERTION_TYPE),
                ("client_assertion", assertion.expose_secret()),
            ])
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "{}", answer.status());
        black_box(answer.bytes().await.unwrap());
    }

    async fn cleanup(&self) {
        for client in [&self.secret_client, &self.jwt_client] {
            self.idp.delete_client(client).await.unwrap();
        }
    }
}

fn token_endpoint(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = reqwest::Client::new();
    let dev = runtime.block_on(DevIdp::start()).unwrap();
    let mut targets = vec![Arc::new(
        runtime.block_on(Target::new("dev-idp", Arc::new(dev))),
    )];
    if let Ok(url) = std::env::var("KEYCLOAK_URL") {
        let keycloak = Keycloak::builder()
            .issuer(format!("{}/realms/apigw", url.trim_end_matches('/')))
            .management_client("aps-management", "aps-management-secret")
            .build()
            .unwrap();
        targets.push(Arc::new(
            runtime.block_on(Target::new("keycloak", Arc::new(keycloak))),
        ));
    }

    let mut one = c.benchmark_group("token_request");
    one.measurement_time(Duration::from_secs(8));
    for target in &targets {
        one.bench_function(BenchmarkId::new("client_secret_basic", target.name), |b| {
            b.to_async(&runtime).iter(|| target.with_secret(&http));
        });
        one.bench_function(BenchmarkId::new("private_key_jwt", target.name), |b| {
            b.to_async(&runtime).iter(|| target.with_key(&http));
        });
    }
    one.finish();

    let mut many = c.benchmark_group("token_requests_16_at_once");
    many.measurement_time(Duration::from_secs(8));
    many.throughput(Throughput::Elements(CONCURRENT as u64));
    for target in &targets {
        for (method, with_key) in [("client_secret_basic", false), ("private_key_jwt", true)] {
            many.bench_function(BenchmarkId::new(method, target.name), |b| {
                b.to_async(&runtime)
                    .iter(|| at_once(target.clone(), http.clone(), with_key));
            });
        }
    }
    many.finish();

    for target in &targets {
        runtime.block_on(target.cleanup());
    }
}

/// `CONCURRENT` token requests at once, each in its own task.
async fn at_once(target: Arc<Target>, http: reqwest::Client, with_key: bool) {
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENT {
        let (target, http) = (target.clone(), http.clone());
        calls.spawn(async move {
            if with_key {
                target.with_key(&http).await;
            } else {
                target.with_secret(&http).await;
            }
        });
    }
    while let Some(done) = calls.join_next().await {
        done.unwrap();
    }
}

criterion_group!(benches, token_endpoint);
criterion_main!(benches);
