//! `aps plugin FILE --env ENV`: the `jwt-keycloak` plugin entry for a GatewayService.

use std::path::{Path, PathBuf};

use aps_core::{CredentialIssuer, Documents, Environment};

use super::lint;
use crate::failure::{Failure, Outcome, Result, read_input};

/// Arguments of `aps plugin`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  aps plugin gw-config.yaml --env dev
  aps plugin gw-config.yaml --env prod --profile 'My API default'

Prints the plugin entry to paste under a GatewayService's `plugins:`. A profile with errors is
refused (exit 1) with its problems on stderr.")]
pub(crate) struct Args {
    /// The file holding the Authorization Profile (YAML, or JSON by extension).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The product environment: dev, test, prod, sandbox or other.
    #[arg(long, value_name = "ENV", value_parser = parse_environment)]
    env: Environment,
    /// The profile's `name`, when the file holds more than one.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
}

fn parse_environment(text: &str) -> std::result::Result<Environment, String> {
    text.parse()
        .map_err(|e: aps_core::UnknownValue| e.to_string())
}

/// The plugin YAML for the chosen profile of a file, or why not; warnings go to `warn`.
pub(crate) fn render(
    name: &Path,
    text: &str,
    env: Environment,
    profile: Option<&str>,
    warn: &mut Vec<String>,
) -> Result<String> {
    let file = name.display().to_string();
    let problems_failure = |problems: &[aps_core::Problem]| {
        let lines: Vec<String> = problems.iter().map(|p| lint::line(&file, p)).collect();
        Failure::refused(lines.join("\n"))
    };
    let docs = lint::load(name, text).map_err(|e| problems_failure(e.problems()))?;
    let chosen = select(&docs, profile).map_err(|m| Failure::usage(format!("{file}: {m}")))?;
    let problems = chosen.validate();
    if problems.iter().any(aps_core::Problem::is_error) {
        return Err(problems_failure(&problems));
    }
    warn.extend(problems.iter().map(|p| lint::line(&file, p)));
    let plugin = chosen
        .jwt_keycloak_plugin(env)
        .map_err(|e| Failure::refused(format!("{file}: {e}")))?;
    plugin
        .to_yaml()
        .map_err(|e| Failure::usage(format!("{file}: {e}")))
}

/// The profile named `name`, or the only one.
fn select<'a>(
    docs: &'a Documents,
    name: Option<&str>,
) -> std::result::Result<&'a CredentialIssuer, String> {
    let names = || {
        docs.credential_issuers()
            .map(|p| format!("`{}`", p.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match name {
        Some(name) => docs
            .credential_issuers()
            .find(|p| p.name == name)
            .ok_or_else(|| format!("no profile named `{name}` (profiles: {})", names())),
        None => {
            let mut all = docs.credential_issuers();
            match (all.next(), all.next()) {
                (Some(one), None) => Ok(one),
                (None, _) => Err("no Authorization Profile (`kind: CredentialIssuer`)".into()),
                (Some(_), Some(_)) => Err(format!(
                    "several profiles ({}): choose one with --profile",
                    names()
                )),
            }
        }
    }
}

pub(crate) fn run(args: &Args) -> Result {
    let text = read_input(&args.file)?;
    let mut warnings = Vec::new();
    let yaml = render(
        &args.file,
        &text,
        args.env,
        args.profile.as_deref(),
        &mut warnings,
    )?;
    for warning in warnings {
        eprintln!("{warning}");
    }
    print!("{yaml}");
    Ok(Outcome::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = "\
kind: CredentialIssuer
name: First API
flow: client-credentials
mode: auto
clientAuthenticator: client-secret
inheritFrom: Gold Shared IdP
---
kind: CredentialIssuer
name: Second API
flow: client-credentials
mode: auto
clientAuthenticator: client-secret
inheritFrom: Gold Shared IdP
";

    fn render_str(text: &str, profile: Option<&str>) -> Result<String> {
        render(
            Path::new("gw.yaml"),
            text,
            Environment::Test,
            profile,
            &mut Vec::new(),
        )
    }

    #[test]
    fn picks_the_named_profile() {
        let yaml = render_str(TWO, Some("Second API")).unwrap();
        assert!(yaml.contains("allowed_aud: ap-second-api-test"), "{yaml}");
        let err = render_str(TWO, None).unwrap_err();
        assert_eq!(err.code, 2);
        assert!(err.message.contains("--profile"), "{err}");
        let err = render_str(TWO, Some("Third")).unwrap_err();
        assert!(err.message.contains("`First API`, `Second API`"), "{err}");
    }

    #[test]
    fn a_profile_with_errors_is_refused_with_its_problems() {
        let bad = TWO.replace(
            "mode: auto\nclientAuthenticator: client-secret\ninheritFrom: Gold Shared IdP\n---",
            "mode: auto\n---",
        );
        let err = render_str(&bad, Some("First API")).unwrap_err();
        assert_eq!(err.code, 1);
        assert!(err.message.starts_with("gw.yaml:"), "{err}");
        assert!(render_str("kind: [", None).unwrap_err().code == 1);
    }
}
