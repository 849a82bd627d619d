//! Loads the test realms into the Keycloak at `KEYCLOAK_URL` (see `testkit/realms/README.md`).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let Ok(url) = std::env::var("KEYCLOAK_URL") else {
        eprintln!("provision-keycloak: KEYCLOAK_URL is not set");
        return ExitCode::FAILURE;
    };
    let kc = aps_testkit::Keycloak::at(url);
    match aps_testkit::provision::provision(&kc).await {
        Ok(log) => {
            for line in log {
                println!("provision-keycloak: {line}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("provision-keycloak: {e}");
            ExitCode::FAILURE
        }
    }
}
