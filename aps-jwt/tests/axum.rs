//! The tower layer and the axum extractor (feature `axum`).
#![cfg(feature = "axum")]

mod support;

use aps_jwt::{BearerLayer, ValidationError, Validator, VerifiedToken};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;
use serde_json::json;
use tower::ServiceExt as _;

use support::{ec_key, header_for, keycloak_claims, mint, patch, validator_builder};

async fn hello(token: VerifiedToken) -> String {
    format!("hello {}", token.client_id().unwrap_or("?"))
}

fn app(validator: Validator) -> Router {
    Router::new()
        .route("/", get(hello))
        .layer(BearerLayer::new(validator))
}

async fn call(app: Router, authorization: &[&str]) -> (StatusCode, Option<String>, String) {
    let mut request = Request::builder().uri("/");
    for value in authorization {
        request = request.header(header::AUTHORIZATION, *value);
    }
    let response = app
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let www = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_owned());
    let body = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    (status, www, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn valid_token_reaches_the_handler() {
    let key = ec_key();
    let token = mint(&key, &header_for(&key), &keycloak_claims());
    let app = app(validator_builder().build().unwrap());
    let (status, _, body) = call(app.clone(), &[&format!("Bearer {token}")]).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "hello app-1"));
    let (status, _, _) = call(app, &[&format!("bearer {token}")]).await;
    assert_eq!(status, StatusCode::OK, "the scheme is case-insensitive");
}

/// A token verified before is answered from the cache inside the layer (issue 13), with the
/// same rules: a query token beside it is still 400, and an expired one is still refused.
#[tokio::test]
async fn cache_hits_in_the_layer_keep_every_rule() {
    let key = ec_key();
    let token = mint(&key, &header_for(&key), &keycloak_claims());
    let clock = std::sync::Arc::new(aps_jwt::ManualClock::at_unix(support::NOW));
    let validator = validator_builder().clock(clock.clone()).build().unwrap();
    let app = app(validator.clone());
    let bearer = format!("Bearer {token}");
    for _ in 0..3 {
        let (status, _, body) = call(app.clone(), &[&bearer]).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "hello app-1"));
    }
    // A credential refused for its characters is looked up (it is not found) but is no miss.
    let (status, _, _) = call(app.clone(), &["Bearer a,b"]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let stats = validator.stats();
    assert_eq!((stats.cache_misses, stats.cache_hits), (1, 2));
    let request = Request::builder()
        .uri("/?access_token=x")
        .header(header::AUTHORIZATION, &bearer)
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    clock.advance(std::time::Duration::from_secs(3600));
    let (status, www, _) = call(app, &[&bearer]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(www.unwrap().starts_with(r#"Bearer error="invalid_token""#));
}

#[tokio::test]
async fn refusals_follow_rfc6750() {
    let key = ec_key();
    let app = app(validator_builder().scope("Function2/*").build().unwrap());
    let (status, www, _) = call(app.clone(), &[]).await;
    assert_eq!(
        (status, www.as_deref()),
        (StatusCode::UNAUTHORIZED, Some("Bearer"))
    );
    let (status, www, _) = call(app.clone(), &["Basic dXNlcjpwYXNz"]).await;
    assert_eq!(
        (status, www.as_deref()),
        (StatusCode::UNAUTHORIZED, Some("Bearer"))
    );
    let expired = mint(
        &key,
        &header_for(&key),
        &patch(keycloak_claims(), json!({"exp": 1})),
    );
    let (status, www, body) = call(app.clone(), &[&format!("Bearer {expired}")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(www.unwrap().starts_with(r#"Bearer error="invalid_token""#));
    assert!(body.is_empty());
    let good = mint(&key, &header_for(&key), &keycloak_claims());
    let (status, www, _) = call(app.clone(), &[&format!("Bearer {good}")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(www.unwrap().contains(r#"error="insufficient_scope""#));
    let (status, _, _) = call(app, &[&format!("Bearer {good}"), &format!("Bearer {good}")]).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "exactly one Authorization header"
    );
}

/// Issue 11, section 2: a token in the header and another in the query is 400 (RFC 6750
/// section 3.1); a query token alone is not supported (401, as without a token).
#[tokio::test]
async fn issue_11_header_and_query_tokens_together_are_400() {
    let key = ec_key();
    let token = mint(&key, &header_for(&key), &keycloak_claims());
    let app = app(validator_builder().build().unwrap());
    let send = |uri: String, header: bool| {
        let mut request = Request::builder().uri(uri);
        if header {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let app = app.clone();
        async move {
            let response = app
                .oneshot(request.body(Body::empty()).unwrap())
                .await
                .unwrap();
            let www = response
                .headers()
                .get(header::WWW_AUTHENTICATE)
                .map(|v| v.to_str().unwrap().to_owned());
            (response.status(), www)
        }
    };
    for query in [
        "access_token=abc",
        "a=1&access_token=",
        "access%5Ftoken=abc",
    ] {
        let (status, www) = send(format!("/?{query}"), true).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            www.unwrap()
                .starts_with(r#"Bearer error="invalid_request""#),
            "{query}"
        );
    }
    let (status, _) = send(format!("/?access_token={token}"), false).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "query tokens are not supported"
    );
    let (status, _) = send("/?token=abc".into(), true).await;
    assert_eq!(status, StatusCode::OK, "other parameters are fine");
}

#[tokio::test]
async fn unreachable_keys_are_503() {
    let validator = Validator::builder()
        .issuer_with_jwks_uri(support::ISSUER, "http://127.0.0.1:9/certs")
        .algorithm(aps_jwt::Algorithm::ES256)
        .clock(aps_jwt::ManualClock::at_unix(support::NOW))
        .build()
        .unwrap();
    let key = ec_key();
    let token = mint(&key, &header_for(&key), &keycloak_claims());
    let (status, www, _) = call(app(validator), &[&format!("Bearer {token}")]).await;
    assert_eq!((status, www), (StatusCode::SERVICE_UNAVAILABLE, None));
}

#[tokio::test]
async fn extractor_without_the_layer_fails_closed() {
    let app = Router::new().route("/", get(hello));
    let (status, _, _) = call(app, &["Bearer a.b.c"]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn validation_error_is_a_response() {
    use axum::response::IntoResponse as _;
    let response = ValidationError::Expired.into_response();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
}

mod upstream {
    use std::sync::Arc;

    use aps_jwt::upstream::{GatewayRequest, UpstreamLayer, Verifier};
    use aps_jwt::{Jwks, ManualClock};
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::post;
    use serde_json::json;
    use tower::ServiceExt as _;

    use crate::support::{NOW, mint, rsa_key};

    async fn echo(gateway: GatewayRequest, body: String) -> String {
        format!("{}:{body}", gateway.consumer_name().unwrap_or("?"))
    }

    fn app() -> Router {
        let verifier = Verifier::builder("my-service")
            .header("GW-JWT")
            .jwks(&Jwks::new(vec![rsa_key().public_jwk()]))
            .clock(Arc::new(ManualClock::at_unix(NOW)))
            .build()
            .unwrap();
        Router::new()
            .route("/", post(echo))
            .layer(UpstreamLayer::new(verifier).max_body(64))
    }

    fn gateway_jwt(body: &str, jti: &str) -> String {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, body.as_bytes());
        let hash: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        let claims = json!({"exp": NOW + 60, "jti": jti, "aud": "my-service",
            "payloadhash": hash, "consumername": "app-1"});
        let key = rsa_key();
        mint(
            &key,
            &json!({"alg": "RS256", "typ": "JWT", "kid": key.kid()}),
            &claims,
        )
    }

    async fn send(jwt: Option<&str>, body: &str) -> (StatusCode, String) {
        send_all(jwt.as_slice(), body).await
    }

    async fn send_all(jwts: &[&str], body: &str) -> (StatusCode, String) {
        let mut request = Request::builder().method("POST").uri("/");
        for jwt in jwts {
            request = request.header("GW-JWT", *jwt);
        }
        let response = app()
            .oneshot(request.body(Body::from(body.to_owned())).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn the_handler_gets_the_body_the_gateway_hashed() {
        let jwt = gateway_jwt(r#"{"n":1}"#, "j1");
        assert_eq!(
            send(Some(&jwt), r#"{"n":1}"#).await,
            (StatusCode::OK, r#"app-1:{"n":1}"#.into())
        );
        let (status, _) = send(Some(&jwt), r#"{"n":2}"#).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "body swapped after signing"
        );
        let (status, _) = send(None, "x").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let big = "x".repeat(65);
        let (status, _) = send(Some(&gateway_jwt(&big, "j2")), &big).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[tokio::test]
    async fn exactly_one_gateway_header_and_no_body_read_without_one() {
        let jwt = gateway_jwt("{}", "j3");
        let (status, _) = send_all(&[&jwt, &jwt], "{}").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "two gateway headers");
        // No header: refused before the (oversized) body is read, so 401 and not 413.
        let (status, _) = send(None, &"x".repeat(65)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

/// Issue 11: a client that hangs up while the keys are being fetched cancels nothing but its
/// own request; over a real socket, as hyper drops the request's future.
mod issue_11 {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use aps_jwt::{Algorithm, BearerLayer, Jwks, ManualClock, Validator};
    use axum::Router;
    use axum::routing::get;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::sync::{Notify, watch};

    use crate::support::{ISSUER, NOW, ec_key, header_for, keycloak_claims, mint};

    /// A JWKS endpoint that answers only once the test opens the gate.
    struct GatedJwks {
        url: String,
        arrived: Arc<Notify>,
        requests: Arc<AtomicUsize>,
        gate: watch::Sender<bool>,
    }

    async fn gated_jwks() -> GatedJwks {
        let body = Jwks::new(vec![ec_key().public_jwk()]).to_json();
        let arrived = Arc::new(Notify::new());
        let requests = Arc::new(AtomicUsize::new(0));
        let (gate, open) = watch::channel(false);
        let (a, r) = (Arc::clone(&arrived), Arc::clone(&requests));
        let certs = get(move || {
            let (arrived, requests, mut open, body) =
                (Arc::clone(&a), Arc::clone(&r), open.clone(), body.clone());
            async move {
                requests.fetch_add(1, Ordering::SeqCst);
                arrived.notify_one();
                let _ = open.wait_for(|open| *open).await;
                body
            }
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/certs", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, Router::new().route("/certs", certs))
                .await
                .unwrap()
        });
        GatedJwks {
            url,
            arrived,
            requests,
            gate,
        }
    }

    /// Notifies when dropped: tells the test that hyper dropped the request's future.
    struct DropSignal(Arc<Notify>);

    impl Drop for DropSignal {
        fn drop(&mut self) {
            self.0.notify_one();
        }
    }

    async fn send(address: &str, token: &str) -> TcpStream {
        let mut stream = TcpStream::connect(address).await.unwrap();
        let request = format!(
            "GET / HTTP/1.1\r\nhost: app\r\nauthorization: Bearer {token}\r\nconnection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        stream
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn issue_11_a_client_hanging_up_mid_fetch_cancels_nothing_for_the_others() {
        let jwks = gated_jwks().await;
        let validator = Validator::builder()
            .issuer_with_jwks_uri(ISSUER, jwks.url.clone())
            .algorithm(Algorithm::ES256)
            .clock(ManualClock::at_unix(NOW))
            .build()
            .unwrap();
        let dropped = Arc::new(Notify::new());
        let signal = Arc::clone(&dropped);
        let app = Router::new()
            .route("/", get(|| async { "hello" }))
            .layer(BearerLayer::new(validator.clone()))
            .layer(axum::middleware::from_fn(
                move |request: axum::extract::Request, next: axum::middleware::Next| {
                    let guard = DropSignal(Arc::clone(&signal));
                    async move {
                        let response = next.run(request).await;
                        std::mem::forget(guard); // completed: not a drop mid-request
                        response
                    }
                },
            ));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let key = ec_key();
        let token = mint(&key, &header_for(&key), &keycloak_claims());

        // Client A starts the first (cold) fetch, then hangs up while it is in flight.
        let first = send(&address, &token).await;
        let bound = Duration::from_secs(10);
        tokio::time::timeout(bound, jwks.arrived.notified())
            .await
            .expect("the fetch started");
        drop(first);
        tokio::time::timeout(bound, dropped.notified())
            .await
            .expect("the server dropped the request of the client that hung up");

        // Client B, a legitimate request, arrives while the fetch is still in flight; then the
        // JWKS endpoint answers.
        let mut second = send(&address, &token).await;
        jwks.gate.send_replace(true);
        let mut response = String::new();
        tokio::time::timeout(bound, second.read_to_string(&mut response))
            .await
            .expect("an answer")
            .unwrap();
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(response.ends_with("hello"), "{response}");
        assert_eq!(jwks.requests.load(Ordering::SeqCst), 1, "one fetch");
        assert_eq!(validator.stats().jwks_fetches, 1);
    }
}
