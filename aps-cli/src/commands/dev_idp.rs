//! `aps dev-idp`: the embedded development IdP as a standalone server, with two ready demo
//! clients, for consumers written in any language. Development and tests only.

use std::path::PathBuf;
use std::time::Duration;

use aps_idp::{Authentication, ClientGrants, DevIdp, IdentityProvider, NewClient, PublicKey};
use aps_jwt::SigningKey;
use serde_json::json;

use crate::failure::{Failure, Outcome, Result};

/// The demo client that authenticates with a secret.
const SECRET_CLIENT: &str = "demo-secret";
/// The demo client that signs a JWT (`private_key_jwt`).
const JWT_CLIENT: &str = "demo-jwt";
/// The audience of the demo clients' tokens.
const DEMO_AUDIENCE: &str = "demo-api";

/// Arguments of `aps dev-idp`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  aps dev-idp                                   # http://127.0.0.1:18090/realms/apigw
  aps dev-idp --port 0 --credentials-out demo.json
  aps dev-idp --state dev-idp.json              # clients and keys survive restarts
  aps dev-idp --bare-issuer                     # issuer http://127.0.0.1:18090, no path

Serves OIDC discovery, a JWKS and a client_credentials token endpoint on 127.0.0.1, with the
demo clients demo-secret (client_secret_basic or _post) and demo-jwt (private_key_jwt, a new
key each start). For development and tests only: no TLS, keys kept in plain files.")]
pub(crate) struct Args {
    /// The port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 18090)]
    port: u16,
    /// The realm: the issuer is http://127.0.0.1:PORT/realms/REALM.
    #[arg(long, default_value = "apigw", conflicts_with = "bare_issuer")]
    realm: String,
    /// Use the bare origin http://127.0.0.1:PORT as the issuer.
    #[arg(long)]
    bare_issuer: bool,
    /// Keep clients and signing keys in FILE across restarts (written atomically, mode 0600).
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Also write the demo clients' credentials as JSON to FILE (mode 0600), for scripts.
    #[arg(long, value_name = "FILE")]
    credentials_out: Option<PathBuf>,
    /// Stop after this many seconds (default: run until interrupted).
    #[arg(long, value_name = "SECONDS")]
    stop_after: Option<u64>,
}

pub(crate) async fn run(args: &Args) -> Result {
    let mut builder = DevIdp::builder().port(args.port);
    builder = if args.bare_issuer {
        builder.bare_issuer()
    } else {
        builder.realm(&args.realm)
    };
    if let Some(state) = &args.state {
        builder = builder.state_file(state);
    }
    let idp = builder.start().await.map_err(idp_failure)?;
    let secret = demo_secret_client(&idp).await.map_err(idp_failure)?;
    let key = demo_jwt_client(&idp).await.map_err(idp_failure)?;
    let endpoints = idp.endpoints();
    let private_key = key
        .to_pkcs8_pem()
        .map_err(|e| Failure::usage(e.to_string()))?;
    let demo = json!({
        "issuer": endpoints.issuer,
        "tokenEndpoint": endpoints.token_endpoint,
        "jwksUri": endpoints.jwks_uri,
        "secretClient": { "clientId": SECRET_CLIENT, "clientSecret": secret.expose() },
        "jwtClient": {
            "clientId": JWT_CLIENT,
            "privateKey": private_key.as_str(),
            "alg": key.algorithm().as_str(),
            "kid": key.kid(),
        },
    });
    if let Some(path) = &args.credentials_out {
        write_private(
            path,
            &serde_json::to_string_pretty(&demo).unwrap_or_default(),
        )?;
    }
    println!("aps dev-idp: an OpenID Provider for development and tests only (never production)");
    println!("  issuer           {}", endpoints.issuer);
    println!(
        "  discovery        {}/.well-known/openid-configuration",
        endpoints.issuer
    );
    println!("  token endpoint   {}", endpoints.token_endpoint);
    println!("  jwks             {}", endpoints.jwks_uri);
    println!(
        "\ndemo client {SECRET_CLIENT} (client_secret_basic, client_secret_post), scope Function1/read:"
    );
    println!("  client secret    {}", secret.expose());
    println!(
        "  try              curl -s -u {SECRET_CLIENT}:{} -d grant_type=client_credentials {}",
        secret.expose(),
        endpoints.token_endpoint
    );
    println!(
        "\ndemo client {JWT_CLIENT} (private_key_jwt, {}, kid {}), its private key:",
        key.algorithm(),
        key.kid()
    );
    print!("{}", private_key.as_str());
    if let Some(path) = &args.credentials_out {
        println!("\ncredentials also written to {}", path.display());
    }
    println!("\nServing; stop with Ctrl-C.");
    match args.stop_after {
        Some(seconds) => tokio::time::sleep(Duration::from_secs(seconds)).await,
        None => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
    idp.shutdown().await;
    Ok(Outcome::Clean)
}

/// The secret demo client: registered once (kept by a state file), enabled.
async fn demo_secret_client(idp: &DevIdp) -> aps_idp::Result<aps_idp::ClientSecret> {
    let new = NewClient::new(SECRET_CLIENT, Authentication::Secret(None)).audience(DEMO_AUDIENCE);
    let secret = match idp.register_client(&new).await {
        Ok(Some(secret)) => secret,
        Ok(None) => idp.client_secret(SECRET_CLIENT).await?,
        Err(error) if error.is_already_exists() => idp.client_secret(SECRET_CLIENT).await?,
        Err(error) => return Err(error),
    };
    idp.set_grants(SECRET_CLIENT, &ClientGrants::scopes(["Function1/read"]))
        .await?;
    idp.set_enabled(SECRET_CLIENT, true).await?;
    Ok(secret)
}

/// The JWT demo client, with a new key each start (private keys are never stored).
async fn demo_jwt_client(idp: &DevIdp) -> aps_idp::Result<SigningKey> {
    let key = SigningKey::generate_rsa(2048)?;
    let public = PublicKey::Pem(key.public_key_pem()?);
    let new =
        NewClient::new(JWT_CLIENT, Authentication::Jwt(public.clone())).audience(DEMO_AUDIENCE);
    match idp.register_client(&new).await {
        Ok(_) => {}
        Err(error) if error.is_already_exists() => idp.set_public_key(JWT_CLIENT, &public).await?,
        Err(error) => return Err(error),
    }
    idp.set_grants(JWT_CLIENT, &ClientGrants::scopes(["Function1/read"]))
        .await?;
    idp.set_enabled(JWT_CLIENT, true).await?;
    // A key registered as a PEM is named as Keycloak names it; assertions must carry that kid.
    let kid =
        aps_client::keycloak_key_id(&key).map_err(|e| aps_idp::Error::Conflict(e.to_string()))?;
    Ok(key.with_kid(kid))
}

fn idp_failure(error: aps_idp::Error) -> Failure {
    Failure::usage(format!("dev-idp: {error}"))
}

fn write_private(path: &std::path::Path, text: &str) -> Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
    // The mode above applies only to a new file: an existing one is narrowed before writing.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
    }
    file.write_all(text.as_bytes())
        .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))
}
