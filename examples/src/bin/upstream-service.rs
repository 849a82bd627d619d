//! An upstream service that checks bearer tokens itself, as the gateway's jwt-keycloak plugin
//! does: one layer, configured from the Authorization Profile's access policy.
//!
//! `cargo run -p aps-examples --bin upstream-service [-- --keycloak [URL]]`

use aps_client::Client;
use aps_core::{ClientAuthenticator, Environment, Grants};
use aps_examples::idp::{self, Target};
use aps_examples::{api, say};
use aps_jwt::{BearerLayer, Validator, VerifiedToken};
use axum::Router;
use axum::routing::get;

async fn records(token: VerifiedToken) -> String {
    format!("records for {}", token.authorized_party().unwrap_or("?"))
}

#[tokio::main]
async fn main() -> Result<(), say::Error> {
    let target = Target::from_args(std::env::args().skip(1))?;
    let running = idp::start(&target).await?;
    let profile = idp::profile(&running, ClientAuthenticator::ClientSecret)?;

    // The service: the profile's policy (issuer, audience, RS256), plus this API's scope.
    let policy = profile
        .access_policy(Environment::Dev)?
        .to_builder()
        .scope("Function1/read")
        .build()?;
    let validator = Validator::builder().policy(&policy).build()?;
    let app = Router::new()
        .route("/records", get(records))
        .layer(BearerLayer::new(validator));
    let service = api::serve(app).await?;
    say::value("service", &service);

    // A consumer calls it with and without a token.
    let (_, issued) = running
        .approved_consumer(&profile, None, Grants::new(["Function1/read"], ["read"]))
        .await?;
    let client = Client::builder()
        .credentials(&issued.document()?)
        .danger_allow_http_loopback(true)
        .build()?;
    let http = reqwest::Client::new();
    let url = format!("{service}/records");
    let with = http
        .get(&url)
        .header(
            reqwest::header::AUTHORIZATION,
            client.token().await?.authorization(),
        )
        .send()
        .await?;
    say::value("with a token", with.status());
    let status = with.status();
    say::line(with.text().await?);
    let without = http.get(&url).send().await?;
    say::value("without", without.status());
    say::expect(
        status == 200 && without.status() == 401,
        "200 with a token, 401 without",
    )?;
    running.forget(&issued.client_id).await
}
