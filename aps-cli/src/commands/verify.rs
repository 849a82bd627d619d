//! `aps verify TOKEN`: what aps-jwt's validator (and so the gateway) says about a token.

use aps_jwt::{Algorithm, Jwks, ValidationError, Validator, VerifiedToken};

use crate::failure::{Failure, Outcome, Result, read_input};
use crate::progress::Progress;
use crate::time::{relative, rfc3339, unix_secs};

/// Arguments of `aps verify`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  aps token --credentials credentials.json | aps verify - \\
      --issuer https://loginproxy.gov.bc.ca/auth/realms/apigw --scope Function1/read
  aps verify \"$TOKEN\" --issuer https://idp.example/realms/apigw --jwks jwks.json
  aps verify - --issuer http://127.0.0.1:18080/realms/apigw --allow-http-loopback < token.txt

Prints `valid` and the main claims (exit 0), or `invalid: <reason> (HTTP 401|403)` with the
status the gateway would answer (exit 1). Keys that cannot be fetched: exit 2.")]
pub(crate) struct Args {
    /// The token (`Bearer ` prefix allowed), or `-` to read it from standard input (which keeps
    /// it out of the process list).
    #[arg(value_name = "TOKEN")]
    token: String,
    /// The issuer the token must come from (compared exactly with `iss`).
    #[arg(long, value_name = "URL")]
    issuer: String,
    /// An audience the token's `aud` must contain (repeat: any of them).
    #[arg(long, value_name = "AUD")]
    audience: Vec<String>,
    /// A required scope (repeat: any of them, as the gateway plugin does).
    #[arg(long, value_name = "SCOPE")]
    scope: Vec<String>,
    /// A required role of the token's own client, `resource_access[azp].roles` (repeat: any).
    #[arg(long, value_name = "ROLE")]
    role: Vec<String>,
    /// A required realm role, `realm_access.roles` (repeat: any).
    #[arg(long, value_name = "ROLE")]
    realm_role: Vec<String>,
    /// An allowed signature algorithm (repeat). Defaults to RS256, as the gateway.
    #[arg(long, value_name = "ALG", value_parser = parse_algorithm)]
    alg: Vec<Algorithm>,
    /// The issuer's keys: a JWKS file, or a JWKS URL. Defaults to OIDC discovery from the issuer.
    #[arg(long, value_name = "FILE|URL")]
    jwks: Option<String>,
    /// Allows plain http:// URLs to loopback hosts (a local test IdP).
    #[arg(long)]
    allow_http_loopback: bool,
}

fn parse_algorithm(text: &str) -> std::result::Result<Algorithm, String> {
    text.parse()
        .map_err(|_| format!("unsupported algorithm `{text}`"))
}

/// Where the validator takes the keys from.
enum Keys {
    Discovery,
    Url(String),
    File(Jwks),
}

impl Keys {
    fn remote(&self) -> bool {
        !matches!(self, Keys::File(_))
    }
}

fn keys(args: &Args) -> Result<Keys> {
    match args.jwks.as_deref() {
        None => {
            crate::net::checked_url(&args.issuer, args.allow_http_loopback)?;
            Ok(Keys::Discovery)
        }
        Some(text) if text.starts_with("https://") || text.starts_with("http://") => {
            crate::net::checked_url(text, args.allow_http_loopback)?;
            Ok(Keys::Url(text.to_owned()))
        }
        Some(path) => {
            let text = read_input(std::path::Path::new(path))?;
            let jwks =
                Jwks::from_json(&text).map_err(|e| Failure::usage(format!("{path}: {e}")))?;
            Ok(Keys::File(jwks))
        }
    }
}

fn validator(args: &Args, keys: &Keys) -> Result<Validator> {
    let mut builder = match keys {
        Keys::Discovery => Validator::builder().issuer(&args.issuer),
        Keys::Url(url) => Validator::builder().issuer_with_jwks_uri(&args.issuer, url),
        Keys::File(jwks) => Validator::builder().issuer_with_jwks(&args.issuer, jwks),
    };
    builder = builder.algorithms(args.alg.iter().copied());
    for audience in &args.audience {
        builder = builder.audience(audience);
    }
    for scope in &args.scope {
        builder = builder.scope(scope);
    }
    for role in &args.role {
        builder = builder.role(role);
    }
    for role in &args.realm_role {
        builder = builder.realm_role(role);
    }
    builder
        .cache(false)
        .build()
        .map_err(|e| Failure::usage(e.to_string()))
}

/// `valid` and the main claims, one `name: value` per line.
fn describe(token: &VerifiedToken, now: i64) -> String {
    let mut lines = vec!["valid".to_owned()];
    let mut field = |name: &str, value: String| {
        if !value.is_empty() {
            lines.push(format!("{name:<13}{value}"));
        }
    };
    field("issuer:", token.issuer().to_owned());
    field("subject:", token.subject().unwrap_or_default().to_owned());
    field("client:", token.client_id().unwrap_or_default().to_owned());
    let joined =
        |strings: &mut dyn Iterator<Item = &str>, by: &str| strings.collect::<Vec<_>>().join(by);
    field("audience:", joined(&mut token.audience(), ", "));
    field("scope:", joined(&mut token.scopes(), " "));
    field("realm roles:", joined(&mut token.realm_roles(), ", "));
    if let Some(client) = token.authorized_party() {
        field("roles:", joined(&mut token.client_roles(client), ", "));
    }
    let exp = unix_secs(token.expires_at());
    field(
        "expires:",
        format!("{} ({})", rfc3339(exp), relative(exp, now)),
    );
    field(
        "key:",
        format!(
            "{} ({})",
            token.key_id().unwrap_or("no kid"),
            token.algorithm().as_str()
        ),
    );
    lines.join("\n") + "\n"
}

/// `invalid: <reason> (HTTP <status>)`.
fn refusal(error: &ValidationError) -> String {
    format!("invalid: {error} (HTTP {})", error.status())
}

pub(crate) async fn run(args: &Args) -> Result {
    let input = if args.token == "-" {
        read_input(std::path::Path::new("-"))?
    } else {
        args.token.clone()
    };
    let token = crate::jwt::strip_bearer(&input);
    let keys = keys(args)?;
    let validator = validator(args, &keys)?;
    let result = {
        let _progress = keys
            .remote()
            .then(|| Progress::start("fetching the issuer's keys"));
        if keys.remote() {
            validator.refresh_keys().await.map_err(|e| {
                Failure::usage(format!("cannot check the token: the issuer's keys: {e}"))
            })?;
        }
        validator.validate(token).await
    };
    match result {
        Ok(verified) => {
            print!(
                "{}",
                describe(&verified, unix_secs(std::time::SystemTime::now()))
            );
            Ok(Outcome::Clean)
        }
        Err(error) if error.is_unavailable() => Err(Failure::usage(format!(
            "cannot check the token: {error} (the gateway would answer HTTP 503)"
        ))),
        Err(error) => {
            println!("{}", refusal(&error));
            Ok(Outcome::Problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_status() {
        assert_eq!(
            refusal(&ValidationError::Expired),
            "invalid: token expired (HTTP 401)"
        );
        assert_eq!(
            refusal(&ValidationError::IssuerNotAllowed),
            "invalid: token issuer not allowed (HTTP 401)"
        );
    }
}
