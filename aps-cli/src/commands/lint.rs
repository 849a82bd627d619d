//! `aps lint FILE...`: every problem of each Authorization Profile file, with its position.

use std::path::{Path, PathBuf};

use aps_core::{Documents, LoadError, Problem, Severity};
use serde_json::{Value, json};

use crate::failure::{Failure, Outcome, Result, read_input};

/// Arguments of `aps lint`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  aps lint gw-config.yaml
  aps lint profiles/*.yaml --format json > problems.json

Each problem is printed as `file:line:column: error|warning: field.path: message`.
Exit status: 0 without errors (warnings allowed), 1 with errors, 2 when a file cannot be read.")]
pub(crate) struct Args {
    /// Files to check: YAML (JSON when the name ends in `.json`); `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// `text`: one line per problem; `json`: a JSON array of problems, for CI.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Loads a file's text and validates its profiles: load problems (errors make loading fail),
/// then the profiles' own problems, in file order.
pub(crate) fn check(name: &Path, text: &str) -> Vec<Problem> {
    match load(name, text) {
        Ok(docs) => {
            let mut problems = docs.warnings.clone();
            problems.extend(docs.validate());
            if docs.credential_issuers().next().is_none() {
                problems.push(Problem::warning(
                    "",
                    "no Authorization Profile (`kind: CredentialIssuer`) in this file",
                ));
            }
            problems.sort_by_key(|p| (p.document, p.location.map(|at| (at.line, at.column))));
            problems
        }
        Err(error) => error.problems().to_vec(),
    }
}

/// `load_json` for `*.json`, `load_yaml` otherwise.
pub(crate) fn load(name: &Path, text: &str) -> std::result::Result<Documents, LoadError> {
    if name
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        aps_core::load_json(text)
    } else {
        aps_core::load_yaml(text)
    }
}

/// `file:line:column: severity: path: message`; `file: severity: ...` without a position.
pub(crate) fn line(file: &str, problem: &Problem) -> String {
    let place = match problem.location {
        Some(at) => format!("{file}:{}:{}", at.line, at.column),
        None => file.to_owned(),
    };
    let path = if problem.path.is_empty() {
        String::new()
    } else {
        format!("{}: ", problem.path)
    };
    format!(
        "{place}: {}: {path}{}",
        severity(problem.severity),
        problem.message
    )
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        _ => "warning",
    }
}

/// One problem as a JSON object: `file`, `line`, `column` (null when unknown), `severity`,
/// `path`, `message`, `document` (1-based, null when unknown).
fn json_entry(file: &str, problem: &Problem) -> Value {
    json!({
        "file": file,
        "line": problem.location.map(|at| at.line),
        "column": problem.location.map(|at| at.column),
        "severity": severity(problem.severity),
        "path": problem.path,
        "message": problem.message,
        "document": problem.document.map(|d| d + 1),
    })
}

fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

pub(crate) fn run(args: &Args) -> Result {
    let mut entries = Vec::new();
    let (mut errors, mut warnings, mut unreadable) = (0, 0, 0);
    for path in &args.files {
        let text = match read_input(path) {
            Ok(text) => text,
            Err(failure) => {
                eprintln!("aps: {failure}");
                unreadable += 1;
                continue;
            }
        };
        let name = display_name(path);
        for problem in check(path, &text) {
            if problem.is_error() {
                errors += 1;
            } else {
                warnings += 1;
            }
            match args.format {
                Format::Text => println!("{}", line(&name, &problem)),
                Format::Json => entries.push(json_entry(&name, &problem)),
            }
        }
    }
    if args.format == Format::Json {
        let text = serde_json::to_string_pretty(&entries).unwrap_or_else(|_| "[]".into());
        println!("{text}");
    }
    if errors + warnings > 0 {
        eprintln!("{}", summary(errors, warnings));
    }
    if unreadable > 0 {
        return Err(Failure::usage(format!(
            "{unreadable} of {} files could not be read",
            args.files.len()
        )));
    }
    Ok(if errors > 0 {
        Outcome::Problems
    } else {
        Outcome::Clean
    })
}

fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "aps lint: {}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\
kind: CredentialIssuer
name: My API default
flow: client-credentials
mode: auto
authPlugin: jwt-keycloak
clientAuthenticator: client-secret
inheritFrom: Gold Shared IdP
";

    #[test]
    fn a_good_profile_has_no_problems() {
        assert_eq!(check(Path::new("gw.yaml"), GOOD), []);
    }

    #[test]
    fn problems_have_file_line_column_and_path() {
        let text = format!("{GOOD}availableScopes: [Function1/read]\nclientRoel: []\n");
        let lines: Vec<String> = check(Path::new("gw.yaml"), &text)
            .iter()
            .map(|p| line("gw.yaml", p))
            .collect();
        assert_eq!(
            lines,
            [
                "gw.yaml:8:18: error: availableScopes: Client Scopes not supported with Shared \
                 IdP: remove availableScopes or inheritFrom",
                "gw.yaml:9:1: warning: clientRoel: unknown field `clientRoel` is kept but not \
                 understood; did you mean `clientRoles`?",
            ]
        );
    }

    #[test]
    fn load_errors_are_problems_and_json_is_read_as_json() {
        let problems = check(
            Path::new("p.json"),
            r#"{"kind": "CredentialIssuer", "name": 1}"#,
        );
        assert!(problems.iter().any(Problem::is_error), "{problems:?}");
        let unpositioned = Problem::warning("", "no kind");
        assert_eq!(line("f.yaml", &unpositioned), "f.yaml: warning: no kind");
        let entry = json_entry("f.yaml", &unpositioned);
        assert_eq!(entry["line"], Value::Null);
        assert_eq!(entry["severity"], "warning");
    }

    #[test]
    fn a_file_without_profiles_is_a_warning() {
        let problems = check(Path::new("svc.yaml"), "kind: GatewayService\nname: s\n");
        assert_eq!(problems.len(), 1);
        assert!(!problems[0].is_error());
        assert_eq!(summary(1, 2), "aps lint: 1 error, 2 warnings");
    }
}
