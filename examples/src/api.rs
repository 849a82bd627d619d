//! A small API behind a gateway, both on 127.0.0.1 and built from the SDK's parts: the gateway
//! checks bearer tokens with aps-jwt's `BearerLayer` (what the `jwt-keycloak` plugin does) and
//! signs a JWT for the upstream (what Kong's Upstream JWT plugin does); the upstream verifies
//! that JWT with `aps_jwt::upstream::UpstreamLayer`.

use std::time::Duration;

use aps_jwt::upstream::{GatewayRequest, Signer, UpstreamLayer, Verifier};
use aps_jwt::{BearerLayer, SigningKey, Validator, VerifiedToken};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use serde_json::json;

use crate::say::Error;

/// The Kong service name: the `aud` of the gateway's upstream JWT.
pub const SERVICE: &str = "quickstart-api";
/// The header the gateway puts its JWT in, as APS services set it.
pub const GATEWAY_HEADER: &str = "GW-JWT";

/// Serves `app` on an ephemeral port of 127.0.0.1 and returns its base URL.
///
/// # Errors
/// When no port can be bound.
pub async fn serve(app: Router) -> Result<String, Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(url)
}

/// The upstream service: answers who called, only for requests that came through the gateway.
///
/// # Errors
/// When the verifier cannot be built or no port can be bound.
pub async fn start_upstream(gateway_key: &SigningKey) -> Result<String, Error> {
    let app = Router::new()
        .fallback(upstream)
        .layer(UpstreamLayer::new(upstream_verifier(gateway_key)?));
    serve(app).await
}

/// What the upstream checks the gateway's JWT with: its header, the service name, the
/// gateway's public keys.
///
/// # Errors
/// When the verifier cannot be built from the key.
pub fn upstream_verifier(gateway_key: &SigningKey) -> Result<Verifier, aps_jwt::Error> {
    Verifier::builder(SERVICE)
        .header(GATEWAY_HEADER)
        .jwks(&gateway_key.public_jwks())
        .build()
}

async fn upstream(gateway: GatewayRequest, body: Bytes) -> axum::Json<serde_json::Value> {
    axum::Json(json!({
        "upstream": "hello from the quickstart API",
        "consumer": gateway.consumer_name(),
        "gatewayJwtId": gateway.jwt_id(),
        "bodyBytes": body.len(),
    }))
}

#[derive(Clone)]
struct Gateway {
    signer: Signer,
    upstream: String,
    http: reqwest::Client,
}

/// The gateway: validates the bearer token with `validator`, then proxies to `upstream` with
/// its own JWT signed by `key`.
///
/// # Errors
/// When no port can be bound.
pub async fn start_gateway(
    validator: Validator,
    key: SigningKey,
    upstream: String,
) -> Result<String, Error> {
    let state = Gateway {
        signer: Signer::builder(key).build()?,
        upstream,
        http: reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(10))
            .build()?,
    };
    let app = Router::new()
        .fallback(proxy)
        .with_state(state)
        .layer(BearerLayer::new(validator));
    serve(app).await
}

async fn proxy(
    State(gateway): State<Gateway>,
    method: Method,
    uri: Uri,
    token: VerifiedToken,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let consumer = token.authorized_party().unwrap_or_default();
    let signed = match gateway
        .signer
        .sign(SERVICE, &body, Some(consumer), Some(consumer))
    {
        Ok(signed) => signed,
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "cannot sign".into()),
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = gateway
        .http
        .request(method, format!("{}{path}", gateway.upstream))
        .header(GATEWAY_HEADER, signed.as_str())
        .body(body);
    if let Some(kind) = headers.get(axum::http::header::CONTENT_TYPE) {
        request = request.header(axum::http::header::CONTENT_TYPE, kind);
    }
    match request.send().await {
        Ok(answer) => {
            let status =
                StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            (status, answer.text().await.unwrap_or_default())
        }
        Err(_) => (StatusCode::BAD_GATEWAY, "upstream unreachable".into()),
    }
}
