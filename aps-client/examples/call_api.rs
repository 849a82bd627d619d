//! Gets a token with the credentials in the environment and calls an API with it.
//!
//! ```sh
//! export APS_CREDENTIALS_FILE=credentials.json        # the portal's document, or:
//! export APS_CLIENT_ID=… APS_CLIENT_SECRET=… APS_TOKEN_ENDPOINT=https://…/token
//! export APS_SCOPE="Function1/read"                   # optional
//! cargo run -p aps-client --example call_api -- https://my-service.api.gov.bc.ca/
//! ```
//!
//! Against the local test Keycloak (plain HTTP on 127.0.0.1), also set
//! `APS_ALLOW_HTTP_LOOPBACK=1` (read by `load_env`). Without a URL argument it only gets a token
//! and prints what it knows about it (never the token itself).

use std::process::ExitCode;

use aps_client::Client;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder().load_env().build()?;
    println!("client {} ({})", client.client_id(), client.auth_method());

    let token = client.token().await?;
    println!(
        "token: lifetime {:?}, scope {:?}",
        token.lifetime(),
        token.scope().unwrap_or("unknown (the server did not say)")
    );

    if let Some(url) = std::env::args().nth(1) {
        let response =
            aps_client::send_with_token(&client, reqwest::Client::new().get(&url)).await?;
        let status = response.status();
        println!("GET {url}: {status}");
        println!("{}", response.text().await?);
        if !status.is_success() {
            return Err(format!("the API answered {status}").into());
        }
    }
    Ok(())
}
