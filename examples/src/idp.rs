//! The identity provider an example runs on: the embedded development IdP (offline, the
//! default) or a real Keycloak (`--keycloak [URL]`).

use std::sync::Arc;

use aps_core::{CredentialIssuer, Environment};
use aps_idp::{DevIdp, IdentityProvider, Keycloak};

use crate::say::Error;

/// The Keycloak of `scripts/keycloak.sh`.
pub const DEFAULT_KEYCLOAK: &str = "http://127.0.0.1:18080";

/// Where the example runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The embedded development IdP, started in this process.
    DevIdp,
    /// A Keycloak server at this base URL, provisioned with `testkit/realms`.
    Keycloak(String),
}

impl Target {
    /// From the command line: nothing, or `--keycloak [URL]`.
    ///
    /// # Errors
    /// A usage message for anything else.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let args: Vec<String> = args.into_iter().collect();
        match args
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            [] => Ok(Self::DevIdp),
            ["--keycloak"] => Ok(Self::Keycloak(DEFAULT_KEYCLOAK.into())),
            ["--keycloak", url] if !url.starts_with('-') => Ok(Self::Keycloak((*url).into())),
            _ => Err(format!(
                "usage: [--keycloak [URL]]\n  offline by default (the embedded development IdP);\n  --keycloak runs against Keycloak (default {DEFAULT_KEYCLOAK}, set up by scripts/keycloak.sh start\n  and `cargo run -p aps-testkit --bin provision-keycloak`)"
            )),
        }
    }
}

/// A started identity provider and what the examples need to know about it.
#[derive(Debug, Clone)]
pub struct Running {
    /// The IdP behind the trait.
    pub idp: Arc<dyn IdentityProvider>,
    /// One line saying what it is.
    pub description: String,
    /// The client whose roles approvers grant (the profile's managing client).
    pub roles_client: String,
}

/// The roles the managing client offers, as in Keycloak's test realm.
const ROLES: [&str; 3] = ["read", "write", "admin"];

/// Starts (or connects to) the identity provider.
///
/// # Errors
/// When the DevIdp cannot start or Keycloak's settings are wrong.
pub async fn start(target: &Target) -> Result<Running, Error> {
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    let roles_client = var("APS_KEYCLOAK_MANAGEMENT_CLIENT_ID", "aps-management");
    match target {
        Target::DevIdp => {
            let dev = DevIdp::start().await?;
            dev.create_profile_client(&roles_client).await?;
            let roles: Vec<String> = ROLES.iter().map(|r| (*r).to_owned()).collect();
            dev.set_client_roles(&roles_client, &roles).await?;
            let description = format!("the embedded development IdP at {}", dev.issuer());
            Ok(Running {
                idp: Arc::new(dev),
                description,
                roles_client,
            })
        }
        Target::Keycloak(url) => {
            let realm = var("APS_KEYCLOAK_REALM", "apigw");
            let secret = var(
                "APS_KEYCLOAK_MANAGEMENT_CLIENT_SECRET",
                "aps-management-secret",
            );
            let issuer = format!("{}/realms/{realm}", url.trim_end_matches('/'));
            let keycloak = Keycloak::builder()
                .issuer(&issuer)
                .management_client(&roles_client, secret)
                .build()?;
            Ok(Running {
                idp: Arc::new(keycloak),
                description: format!("Keycloak at {issuer}"),
                roles_client,
            })
        }
    }
}

impl Running {
    /// Points `environment` of `profile` at this IdP: its issuer, and its managing client.
    pub fn adopt(&self, profile: &mut CredentialIssuer, environment: Environment) {
        for env in &mut profile.environment_details {
            if env.environment == environment {
                env.issuer_url = Some(self.idp.endpoints().issuer.clone());
                env.client_id = Some(self.roles_client.clone());
            }
        }
    }

    /// What the portal does before a consumer holds working credentials: its request is
    /// issued and approved with `grants`. Returns the request and the credential document.
    ///
    /// # Errors
    /// The provisioner's.
    pub async fn approved_consumer(
        &self,
        profile: &CredentialIssuer,
        client_key: Option<aps_core::ClientKey>,
        grants: aps_core::Grants,
    ) -> Result<(aps_core::AccessRequest, aps_idp::IssuedCredentials), Error> {
        let provisioner =
            aps_idp::Provisioner::new(self.idp.clone(), profile.clone()).key_bits(2048);
        let client_id = aps_core::consumer_client_id("EX", &unique());
        let request =
            aps_core::AccessRequest::new(profile, Environment::Dev, client_id, client_key)?;
        let outcome = provisioner.issue_without_approval(&request, grants).await?;
        let credentials = outcome.credentials.ok_or("credentials were handed out")?;
        Ok((outcome.request, credentials))
    }

    /// Deletes a consumer's client (examples clean up after themselves on Keycloak).
    ///
    /// # Errors
    /// The IdP's.
    pub async fn forget(&self, client_id: &str) -> Result<(), Error> {
        self.idp.delete_client(client_id).await?;
        Ok(())
    }
}

/// A profile of `authenticator` on this IdP: the first of `profiles/quickstart.yaml` pointed
/// here, with its authenticator replaced.
///
/// # Errors
/// When the bundled profile file cannot be read (a bug).
pub fn profile(
    running: &Running,
    authenticator: aps_core::ClientAuthenticator,
) -> Result<CredentialIssuer, Error> {
    let documents = aps_core::load_yaml(include_str!("../profiles/quickstart.yaml"))?;
    let mut profile = documents
        .credential_issuers()
        .next()
        .cloned()
        .ok_or("quickstart.yaml holds a profile")?;
    profile.client_authenticator = Some(authenticator);
    running.adopt(&mut profile, Environment::Dev);
    Ok(profile)
}

/// A suffix unique to this process and call, so that runs against one Keycloak never collide.
pub fn unique() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{:X}{}",
        nanos ^ std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}
