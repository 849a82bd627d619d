//! `aps token`: a token with the client credentials grant, from a credential document, the
//! `APS_*` environment, or flags.

use std::path::PathBuf;
use std::time::Duration;

use aps_client::{AuthMethod, Client, ClientBuilder, CredentialDocument, RetryPolicy};
use serde_json::json;

use crate::failure::{Failure, Outcome, Result};
use crate::progress::Progress;

/// Arguments of `aps token`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  aps token --credentials credentials.json
  aps token --credentials credentials.json --output header   # Authorization: Bearer ...
  APS_CREDENTIALS_FILE=credentials.json aps token --output decoded
  aps token --client-id my-app --private-key private-key.pem \\
      --issuer https://loginproxy.gov.bc.ca/auth/realms/apigw --scope Function1/read

Where the settings come from: --credentials FILE (the portal's JSON document); else, when any
of --client-id, --client-secret or --private-key is given, the flags alone; else the APS_*
environment variables (APS_CREDENTIALS_FILE, APS_CLIENT_ID, APS_CLIENT_SECRET,
APS_CLIENT_PRIVATE_KEY[_FILE], APS_CLIENT_KEY_ID, APS_CLIENT_AUTH_METHOD, APS_TOKEN_ENDPOINT,
APS_ISSUER, APS_SCOPE). --token-endpoint, --issuer and --scope apply on top of any of them.
A secret given as a flag is visible to other users in the process list: prefer the document or
APS_CLIENT_SECRET. Only the token itself is ever printed.")]
pub(crate) struct Args {
    /// The portal's credential document (JSON).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["client_id", "client_secret", "private_key"])]
    credentials: Option<PathBuf>,
    /// The client id.
    #[arg(long, value_name = "ID")]
    client_id: Option<String>,
    /// The client secret (`client_secret_basic`).
    #[arg(long, value_name = "SECRET", conflicts_with = "private_key")]
    client_secret: Option<String>,
    /// A PEM private key file, for `private_key_jwt`.
    #[arg(long, value_name = "FILE")]
    private_key: Option<PathBuf>,
    /// The `kid` of client assertions. Defaults to Keycloak's id for the key (see `aps keygen`).
    #[arg(long, value_name = "KID", requires = "private_key")]
    key_id: Option<String>,
    /// The token endpoint URL.
    #[arg(long, value_name = "URL")]
    token_endpoint: Option<String>,
    /// The issuer (realm) URL; the token endpoint is found by OIDC discovery.
    #[arg(long, value_name = "URL")]
    issuer: Option<String>,
    /// Scopes to request (space separated, or repeat the flag).
    #[arg(long, value_name = "SCOPE")]
    scope: Vec<String>,
    /// Allows plain http:// URLs to loopback hosts (a local test IdP).
    #[arg(long)]
    allow_http_loopback: bool,
    /// `raw`: the token; `header`: `Authorization: Bearer <token>`; `decoded`: its JOSE header
    /// and claims as JSON, signature not checked.
    #[arg(long, value_enum, default_value_t = Output::Raw)]
    output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Output {
    Raw,
    Header,
    Decoded,
}

/// Where the credentials come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Document,
    Flags,
    Environment,
}

fn source(args: &Args) -> Source {
    if args.credentials.is_some() {
        Source::Document
    } else if args.client_id.is_some() || args.client_secret.is_some() || args.private_key.is_some()
    {
        Source::Flags
    } else {
        Source::Environment
    }
}

/// The client builder for `args`, with `env` standing for `ClientBuilder::load_env`.
fn builder(args: &Args, env: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Result<ClientBuilder> {
    let mut builder = Client::builder();
    match source(args) {
        Source::Document => {
            let path = args
                .credentials
                .as_deref()
                .unwrap_or(std::path::Path::new(""));
            let document =
                CredentialDocument::from_file(path).map_err(|e| Failure::usage(e.to_string()))?;
            builder = builder.credentials(&document);
        }
        Source::Flags => {
            if let Some(id) = &args.client_id {
                builder = builder.client_id(id);
            }
            if let Some(secret) = &args.client_secret {
                builder = builder.client_secret(secret.as_str());
            }
            if let Some(path) = &args.private_key {
                let pem = std::fs::read_to_string(path)
                    .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
                builder = builder
                    .private_key_pem(pem)
                    .auth_method(AuthMethod::PrivateKeyJwt);
            }
            if let Some(kid) = &args.key_id {
                builder = builder.key_id(kid);
            }
        }
        Source::Environment => builder = env(builder),
    }
    if let Some(url) = &args.token_endpoint {
        builder = builder.token_endpoint(url);
    }
    if let Some(url) = &args.issuer {
        builder = builder.issuer(url);
    }
    for scope in &args.scope {
        builder = builder.scope(scope);
    }
    Ok(builder
        .danger_allow_http_loopback(args.allow_http_loopback)
        .retry(RetryPolicy::default().max_elapsed(Duration::from_secs(20))))
}

/// What `--output` prints for `token`.
fn render(output: Output, token: &str) -> std::result::Result<String, String> {
    match output {
        Output::Raw => Ok(format!("{token}\n")),
        Output::Header => Ok(format!("Authorization: Bearer {token}\n")),
        Output::Decoded => {
            let (header, claims) = crate::jwt::decode_unverified(token)?;
            let shown = json!({"header": header, "claims": claims});
            Ok(serde_json::to_string_pretty(&shown).unwrap_or_default() + "\n")
        }
    }
}

fn client_error(error: &aps_client::Error) -> Failure {
    let message = format!("token request failed: {error}");
    if error.is_config() {
        Failure::usage(message)
    } else if error.oauth().is_some() || error.is_client_rejected() {
        Failure::refused(message)
    } else {
        Failure::usage(message)
    }
}

pub(crate) async fn run(args: &Args) -> Result {
    let client = builder(args, ClientBuilder::load_env)?
        .build()
        .map_err(|e| client_error(&e))?;
    let token = {
        let _progress = Progress::start("requesting a token");
        client.token().await.map_err(|e| client_error(&e))?
    };
    let text = render(args.output, token.secret()).map_err(|reason| {
        Failure::usage(format!(
            "cannot decode the token: {reason}; use --output raw"
        ))
    })?;
    if args.output == Output::Decoded {
        eprintln!("aps: decoded only: the signature was not checked (use `aps verify`)");
    }
    print!("{text}");
    Ok(Outcome::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(argv: &[&str]) -> std::result::Result<Args, clap::Error> {
        crate::commands::parse(argv)
    }

    #[test]
    fn the_source_is_one_of_document_flags_or_environment() {
        assert_eq!(source(&parse(&[]).unwrap()), Source::Environment);
        assert_eq!(
            source(&parse(&["--scope", "a", "--issuer", "https://i"]).unwrap()),
            Source::Environment
        );
        assert_eq!(
            source(&parse(&["--credentials", "c.json", "--scope", "a"]).unwrap()),
            Source::Document
        );
        assert_eq!(
            source(&parse(&["--client-id", "a", "--client-secret", "s"]).unwrap()),
            Source::Flags
        );
        assert!(parse(&["--credentials", "c.json", "--client-id", "a"]).is_err());
        assert!(parse(&["--client-secret", "s", "--private-key", "k.pem"]).is_err());
        assert!(
            parse(&["--key-id", "k"]).is_err(),
            "--key-id needs --private-key"
        );
    }

    #[test]
    fn flags_make_a_client_and_the_environment_is_not_read() {
        let args = parse(&[
            "--client-id",
            "app-1",
            "--client-secret",
            "s3cret",
            "--token-endpoint",
            "https://idp.example/token",
        ])
        .unwrap();
        let client = builder(&args, |_| panic!("the environment is not read"))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.client_id(), "app-1");
        let err = builder(&parse(&["--client-id", "a"]).unwrap(), |b| b)
            .unwrap()
            .build()
            .unwrap_err();
        assert_eq!(client_error(&err).code, 2);
        assert!(!client_error(&err).message.contains("s3cret"));
    }

    #[test]
    fn outputs() {
        let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln";
        assert_eq!(render(Output::Raw, token).unwrap(), format!("{token}\n"));
        assert_eq!(
            render(Output::Header, token).unwrap(),
            format!("Authorization: Bearer {token}\n")
        );
        let decoded: serde_json::Value =
            serde_json::from_str(&render(Output::Decoded, token).unwrap()).unwrap();
        assert_eq!(decoded["claims"]["sub"], "a");
        assert!(render(Output::Decoded, "opaque").is_err());
    }
}
