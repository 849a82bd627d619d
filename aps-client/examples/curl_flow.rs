//! The portal's curl flow ("Client Credential Protection", steps 5 and 6), line for line in Rust.
//!
//! ```sh
//! export CID="<Client ID>" CSC="<Client Secret>" URL="<Token Endpoint>"
//! cargo run -p aps-client --example curl_flow -- https://<MYSERVICE>.api.gov.bc.ca/
//! ```
//!
//! Against the local test Keycloak (plain HTTP on 127.0.0.1), also set
//! `APS_ALLOW_HTTP_LOOPBACK=1`. `examples/call_api.rs` does the same from the portal's credential
//! document or `APS_*` variables.

use std::process::ExitCode;

use aps_client::{AuthMethod, Client};

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
    let loopback = std::env::var("APS_ALLOW_HTTP_LOOPBACK").is_ok_and(|v| v == "1");
    let client = Client::builder()
        .token_endpoint(var("URL")?) // curl -X POST "$URL"
        .client_id(var("CID")?) // -d "client_id=$CID"
        .client_secret(var("CSC")?) // -d "client_secret=$CSC"
        .auth_method(AuthMethod::ClientSecretPost) // in the form, as curl sends them
        .danger_allow_http_loopback(loopback)
        .build()?; // grant_type=client_credentials is implied; `scopes=openid` is not OAuth

    let token = client.token().await?; // TOKEN=$(echo "$RESPONSE" | jq -r '.access_token')
    println!(
        "token for {}s, scope {:?}",
        token.lifetime().as_secs(),
        token.scope()
    );

    let api = std::env::args()
        .nth(1)
        .ok_or("usage: curl_flow <API URL>")?;
    let http = reqwest::Client::new();
    // curl -v -H "Authorization: Bearer $TOKEN" "$api" (and on a 401, once more with a new token)
    let response = aps_client::send_with_token(&client, http.get(&api)).await?;
    println!("GET {api}: {}", response.status());
    if !response.status().is_success() {
        return Err(format!("the API answered {}", response.status()).into());
    }
    Ok(())
}

fn var(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see the comment at the top)"))
}
