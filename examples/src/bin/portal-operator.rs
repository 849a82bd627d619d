//! A portal operator's job: provision an access request through its lifecycle with aps-idp,
//! persisting the request between steps as a portal would.
//!
//! `cargo run -p aps-examples --bin portal-operator [-- --keycloak [URL]]`

use aps_core::{AccessRequest, ClientAuthenticator, Environment, Grants, Step};
use aps_examples::idp::{self, Target};
use aps_examples::say;
use aps_idp::Provisioner;

#[tokio::main]
async fn main() -> Result<(), say::Error> {
    let target = Target::from_args(std::env::args().skip(1))?;
    let running = idp::start(&target).await?;
    let profile = idp::profile(&running, ClientAuthenticator::ClientJwt)?;
    let provisioner = Provisioner::new(running.idp.clone(), profile.clone()).key_bits(2048);
    let client_id = aps_core::consumer_client_id("OPS", &idp::unique());

    // A consumer asks. The request is stored as JSON between steps (a database row).
    let request = AccessRequest::new(&profile, Environment::Dev, client_id.clone(), None)?;
    let mut stored = serde_json::to_string(&request)?;
    let steps = [
        Step::IssueCredentials,
        Step::Approve {
            grants: Grants::new(["Function1/read"], ["read", "write"]),
        },
        Step::RegenerateCredentials,
        Step::Revoke,
    ];
    for step in steps {
        let request: AccessRequest = serde_json::from_str(&stored)?;
        // On an error, keep the stored request and run the same step again: it converges.
        let outcome = provisioner.perform(&request, &step).await?;
        stored = serde_json::to_string(&outcome.request)?;
        let handed_out = match &outcome.credentials {
            Some(c) if c.client_private_key.is_some() => "a new key pair (private key shown once)",
            Some(_) => "a credential document",
            None => "nothing",
        };
        let state = running.idp.client(&client_id).await?;
        say::line(format!(
            "{:<24} -> {:<18} client {:<8} handed out: {handed_out}",
            format!("{:?}", step.kind()),
            outcome.request.state(),
            match state {
                Some(s) if s.enabled => "enabled",
                Some(_) => "disabled",
                None => "deleted",
            },
        ));
    }
    Ok(())
}
