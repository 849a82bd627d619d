//! An API provider's job: load Authorization Profiles, see every problem with its place in the
//! file, and render the gateway's jwt-keycloak plugin entry. No network.
//!
//! `cargo run -p aps-examples --bin provider-profile [-- FILE]`

use aps_core::{Environment, load_yaml};

const BROKEN: &str = "\
kind: CredentialIssuer
name: My API default
flow: client-credentials
mode: auto
clientAuthenticator: client-secrets
inheritFrom: Gold Shared IdP
availableScopes: [Function1/read]
";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (name, text) = match std::env::args().nth(1) {
        Some(path) => (path.clone(), std::fs::read_to_string(path)?),
        None => (
            "examples/profiles/quickstart.yaml".into(),
            include_str!("../../profiles/quickstart.yaml").into(),
        ),
    };
    let documents = load_yaml(&text)?;
    let problems = documents.validate();
    let errors = problems.iter().filter(|p| p.is_error()).count();
    println!(
        "{name}: {} profile(s), {} problem(s)",
        documents.credential_issuers().count(),
        problems.len()
    );
    for profile in documents.credential_issuers() {
        println!("\n{}: the jwt-keycloak plugin for dev", profile.name);
        print!(
            "{}",
            profile.jwt_keycloak_plugin(Environment::Dev)?.to_yaml()?
        );
    }

    println!("\nA profile with mistakes:");
    match load_yaml(BROKEN) {
        Ok(broken) => broken.validate().iter().for_each(|p| println!("  {p}")),
        Err(error) => println!("  {error}"),
    }
    if errors > 0 {
        return Err(format!("{name}: {errors} error(s)").into());
    }
    Ok(())
}
