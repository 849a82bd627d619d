//! A consumer with a client secret: build a client from the portal's credential document, get
//! a token (cached: asking again costs nothing), and call an API with it.
//!
//! `cargo run -p aps-examples --bin consumer-secret [-- --keycloak [URL]]`

use aps_client::{Client, CredentialDocument};
use aps_core::{ClientAuthenticator, Grants};
use aps_examples::idp::{self, Target};
use aps_examples::say::{self, Error, expect};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let target = Target::from_args(std::env::args().skip(1))?;
    let running = idp::start(&target).await?;
    let profile = idp::profile(&running, ClientAuthenticator::ClientSecret)?;
    // The portal's part: the request is approved and the document handed out.
    let (_, issued) = running
        .approved_consumer(&profile, None, Grants::new(["Function1/read"], ["read"]))
        .await?;
    let json = issued.to_json();

    // The consumer's part: everything it needs is in the document.
    let document = CredentialDocument::from_json(&json)?;
    let client = Client::builder()
        .credentials(&document)
        .scope("Function1/read")
        .danger_allow_http_loopback(true) // the local IdP is plain HTTP; never needed with https
        .build()?;
    let token = client.token().await?;
    say::value("client id", client.client_id());
    say::value("token scope", token.scope().unwrap_or_default());
    say::value("expires in", format!("{:?}", token.expires_in()));
    let again = client.token().await?;
    expect(
        again.same_as(&token),
        "the second call is served from the cache",
    )?;
    say::line("Asked again: the same token, from the cache (refreshed ahead of expiry).");
    // Calling an API: add the header (or use aps_client::AuthMiddleware / send_with_token).
    let _request = reqwest::Client::new()
        .get("https://my-api.example/records")
        .header(reqwest::header::AUTHORIZATION, token.authorization());
    running.forget(document.client_id()).await
}
