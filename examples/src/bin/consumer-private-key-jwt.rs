//! A consumer that signs a JWT with its own key (`private_key_jwt`): generate a key, publish
//! its JWKS, register the JWKS URL, get tokens, then rotate the key without downtime.
//!
//! `cargo run -p aps-examples --bin consumer-private-key-jwt [-- --keycloak [URL]]`

use std::sync::{Arc, RwLock};

use aps_client::Client;
use aps_core::{ClientAuthenticator, ClientKey, Grants};
use aps_examples::idp::{self, Target};
use aps_examples::{api, say};
use aps_jwt::{Jwks, SigningKey};
use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> Result<(), say::Error> {
    let target = Target::from_args(std::env::args().skip(1))?;
    let running = idp::start(&target).await?;

    // 1. A key pair, and its public half published at a JWKS URL the IdP can reach. The next
    //    key is published beside it ahead of time: IdPs re-read a JWKS at most every few
    //    seconds (Keycloak and the DevIdp: 10 s), so a key must be public before it signs.
    let key = SigningKey::generate_p256()?;
    let next = SigningKey::generate_p256()?;
    let published = Arc::new(RwLock::new(Jwks::new(vec![
        key.public_jwk(),
        next.public_jwk(),
    ])));
    let served = published.clone();
    let jwks = Router::new().route(
        "/jwks.json",
        get(move || {
            let json = served.read().map(|j| j.to_json()).unwrap_or_default();
            async move { json }
        }),
    );
    let jwks_url = format!("{}/jwks.json", api::serve(jwks).await?);
    say::value("JWKS URL", &jwks_url);
    say::value("key id", key.kid());

    // 2. The access request names the JWKS URL; the portal registers and approves it.
    let profile = idp::profile(&running, ClientAuthenticator::ClientJwtJwksUrl)?;
    let grants = Grants::new(["Function1/read"], ["read"]);
    let (request, issued) = running
        .approved_consumer(&profile, Some(ClientKey::JwksUrl(jwks_url)), grants)
        .await?;

    // 3. Tokens: each request signs a fresh assertion (iss = sub = client id, aud = issuer).
    let client = Client::builder()
        .client_id(request.consumer_client_id())
        .private_key(key.clone())
        .issuer(issued.issuer.clone().unwrap_or_default())
        .token_endpoint(&issued.token_endpoint)
        .danger_allow_http_loopback(true)
        .build()?;
    let token = client.token().await?;
    say::value(
        "token",
        format!(
            "{} characters, scope {:?}",
            token.secret().len(),
            token.scope()
        ),
    );

    // 4. Rotation: switch to the key published ahead, then stop publishing the old one.
    client.rotate_key(next.clone())?;
    client.invalidate(&token);
    let rotated = client.token().await?;
    *published.write().map_err(|_| "lock")? = next.public_jwks();
    say::value("after rotation", format!("signed with {}", next.kid()));
    say::expect(!rotated.same_as(&token), "a new token after rotation")?;
    running.forget(request.consumer_client_id()).await
}
