//! `aps`: the command line of the aps SDK, for API providers and consumers behind the APS
//! gateway.
//!
//! ```text
//! aps lint FILE...                     every problem of Authorization Profiles, with positions
//! aps plugin FILE --env ENV            the jwt-keycloak plugin entry for a GatewayService
//! aps keygen --alg RS256|ES256         a client key pair, its JWKS (and kid), a certificate
//! aps token                            a client-credentials token (document, APS_* or flags)
//! aps verify TOKEN --issuer ISS        what the gateway would say about a token
//! aps jwks URL|FILE                    the keys of a JWKS and whether the validator uses them
//! aps dev-idp [--port --state FILE]    the embedded development IdP, with ready demo clients
//! ```
//!
//! Exit status: 0 when all is well; 1 when what was checked has problems (profile errors, an
//! invalid token, no usable key, credentials refused by the IdP); 2 for usage and I/O errors
//! (bad arguments, unreadable files, the network). Errors are one line on stderr; a progress
//! line is shown on stderr, on a terminal only, while waiting on the network. Secrets are never
//! printed, except the token itself by `aps token` and the private key by `aps keygen` without
//! `--out-dir`. See the crate's README for every command's output.
//!
//! Each subcommand lives in `commands/<name>.rs` with its clap arguments, its pure logic (unit
//! tested) and a small `run`; adding one is a module, a variant of [`Command`] and a match arm.

mod commands;
mod failure;
mod jwt;
mod net;
mod progress;
mod time;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::failure::Failure;

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "aps",
    version,
    about = "Authorization Profiles, client keys and tokens for APIs behind the APS gateway",
    after_help = "\
Examples:
  aps lint gw-config.yaml
  aps plugin gw-config.yaml --env test
  aps keygen --alg RS256 --out-dir keys
  aps token --credentials credentials.json --output decoded
  aps token --credentials credentials.json | aps verify - --issuer https://idp.example/realms/apigw
  aps jwks https://idp.example/realms/apigw/protocol/openid-connect/certs
  aps dev-idp --port 18090

Exit status: 0 all well, 1 problems found (invalid token, profile errors), 2 usage or I/O error.
Run `aps <command> --help` for a command's options and examples."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Check Authorization Profile files: every error and warning, as file:line:column.
    Lint(commands::lint::Args),
    /// Print the jwt-keycloak plugin entry of a profile for one environment.
    Plugin(commands::plugin::Args),
    /// Generate a client key pair for private_key_jwt, its JWKS and a certificate.
    Keygen(commands::keygen::Args),
    /// Get a token with the client credentials grant.
    Token(commands::token::Args),
    /// Validate a token as the gateway does: `valid` with its claims, or why not.
    Verify(commands::verify::Args),
    /// List the keys of a JWKS and whether the validator would use each.
    Jwks(commands::jwks::Args),
    /// Run the embedded development IdP (development and tests only), with demo clients.
    DevIdp(commands::dev_idp::Args),
}

impl Command {
    /// Runs the command; the network commands get a single-threaded runtime.
    fn run(&self) -> failure::Result {
        match self {
            Command::Lint(args) => commands::lint::run(args),
            Command::Plugin(args) => commands::plugin::run(args),
            Command::Keygen(args) => commands::keygen::run(args),
            Command::Token(args) => block_on(commands::token::run(args)),
            Command::Verify(args) => block_on(commands::verify::run(args)),
            Command::Jwks(args) => block_on(commands::jwks::run(args)),
            Command::DevIdp(args) => block_on(commands::dev_idp::run(args)),
        }
    }
}

fn block_on<F: Future<Output = failure::Result>>(future: F) -> failure::Result {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the async runtime: {e}")))?
        .block_on(future)
}

fn main() -> ExitCode {
    // clap prints usage errors itself and exits with 2.
    let cli = Cli::parse();
    match cli.command.run() {
        Ok(outcome) => outcome.exit_code(),
        Err(failure) => {
            eprintln!("aps: {failure}");
            failure.exit_code()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::Outcome;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
    }

    #[test]
    fn outcomes_map_to_exit_codes() {
        assert_eq!(Outcome::Clean.exit_code(), ExitCode::SUCCESS);
        assert_eq!(Outcome::Problems.exit_code(), ExitCode::from(1));
        assert_eq!(Failure::usage("x").exit_code(), ExitCode::from(2));
    }
}
