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
