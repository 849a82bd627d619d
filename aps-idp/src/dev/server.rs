//! The HTTP shell: discovery, JWKS and token endpoints under the issuer's path. Every decision
//! is made by the pure modules; this file reads requests and writes answers.

use std::sync::Arc;

use aps_jwt::Algorithm;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::authenticate::{Admitted, admit, assertion_kid, claimed_client_id, verify_assertion};
use super::client::JwtKey;
use super::issue::{granted_scope, token_response};
use super::oauth_error::OAuthError;
use super::random;
use super::request::{self, Presented};
use super::shared::{Shared, unix_now};

/// Largest token request body read.
const MAX_BODY: usize = 64 * 1024;

/// The routes of the IdP.
pub(super) fn router(shared: Arc<Shared>) -> Router {
    let base = shared.config.issuer_path.clone();
    let token = post(token).layer(DefaultBodyLimit::max(MAX_BODY));
    Router::new()
        .route(
            &format!("{base}/.well-known/openid-configuration"),
            get(discovery),
        )
        .route(&format!("{base}/protocol/openid-connect/certs"), get(jwks))
        .route(&format!("{base}/protocol/openid-connect/token"), token)
        .route(
            &format!("{base}/protocol/openid-connect/auth"),
            get(authorize),
        )
        .with_state(shared)
}

/// The OpenID Provider metadata (OpenID Connect Discovery 1.0 section 3).
pub(super) fn discovery_document(shared: &Shared) -> Value {
    let endpoints = &shared.config.endpoints;
    let signing = shared.read(|realm| realm.keys.current().algorithm());
    json!({
        "issuer": endpoints.issuer,
        "authorization_endpoint": format!("{}/protocol/openid-connect/auth", endpoints.issuer),
        "token_endpoint": endpoints.token_endpoint,
        "jwks_uri": endpoints.jwks_uri,
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported":
            ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported":
            Algorithm::ALL.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        "id_token_signing_alg_values_supported": [signing.as_str()],
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "scopes_supported": std::iter::once("openid")
            .chain(shared.config.client_scopes.iter().map(String::as_str))
            .collect::<Vec<_>>(),
    })
}

async fn discovery(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(discovery_document(&shared)).into_response()
}

async fn jwks(State(shared): State<Arc<Shared>>) -> Response {
    let jwks = shared.read(|realm| realm.keys.published(unix_now(), shared.config.key_grace));
    let mut response = axum::Json(jwks).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn authorize() -> Response {
    let body = json!({
        "error": "unsupported_response_type",
        "error_description": "this development IdP supports only the client_credentials grant",
    });
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    match issue_token(&shared, &headers, &body).await {
        Ok(body) => {
            let mut response = axum::Json(body).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            response
        }
        Err(error) => error.into_response(),
    }
}

async fn issue_token(
    shared: &Shared,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, OAuthError> {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let realm = shared.config.realm.as_str();
    let request = request::parse(
        text(header::CONTENT_TYPE),
        text(header::AUTHORIZATION),
        body,
        realm,
    )?;
    let basic = matches!(request.auth, Presented::Secret { basic: true, .. }).then_some(realm);
    let client_id = claimed_client_id(&request.auth)?;
    let (client, key) =
        shared.read(|r| (r.clients.get(&client_id).cloned(), r.keys.current().clone()));
    let client = admit(client, &client_id, &request.auth).map_err(|e| e.with_basic_realm(basic))?;
    let now = unix_now();
    if let (Admitted::Assertion(jwt_key), Presented::Assertion { assertion, .. }) =
        (&client.admitted, &request.auth)
    {
        let keys = match jwt_key {
            JwtKey::Pem { key, .. } => vec![key.clone()],
            JwtKey::JwksUrl(url) => shared
                .jwks
                .keys(&client_id, url, assertion_kid(assertion).as_deref(), now)
                .await
                .map_err(|e| {
                    OAuthError::invalid_client(format!("unable to load public key: {e}"))
                })?,
        };
        verify_assertion(&shared.verifier, assertion, &client_id, &keys)?;
    }
    let scope = granted_scope(&client.client, &request.scopes)?;
    let jti = random::uuid().map_err(|e| OAuthError::server_error(e.to_string()))?;
    token_response(&shared.config, &client.client, &key, &scope, now, &jti)
}
