//! Performing access-request steps on an identity provider: aps-core decides, this module does.

use std::fmt;
use std::sync::Arc;

use aps_core::{AccessRequest, Action, ClientKey, CredentialIssuer, Environment, Grants, Step};
use aps_jwt::SigningKey;

use crate::credentials::IssuedCredentials;
use crate::model::{
    Authentication, ClientGrants, ClientState, NewClient, PublicKey, RegisteredAuthentication,
    ResourceAccess,
};
use crate::{Error, IdentityProvider, Result};

/// Performs the steps of access requests for one Authorization Profile on one IdP.
///
/// [`perform`](Self::perform) asks aps-core for the actions of a step
/// ([`AccessRequest::next`]), performs them in order, and returns the request as it now
/// stands with the credentials to hand out, if any. Persist the returned request only after
/// `perform` succeeds; on an error, run the same step on the same (unchanged) request again.
///
/// Safe under crashes, retries and concurrent provisioners, with the IdP as the only system of
/// record:
/// - a client is registered disabled, and enabled by the last call of an approval, after its
///   grants are exact: a failure at any earlier call leaves it disabled;
/// - running a step again converges: registering a client that exists (disabled) reuses it and
///   hands out its current secret, grants are made exact, deleting a deleted client succeeds;
/// - two provisioners issuing the same request both hand out the one secret the IdP holds.
///
/// For a profile with `resourceType`, an approval also gives the consumer its UMA 2.0
/// permission on the [`resource_server`](Self::resource_server) (before enabling), and a
/// rejection or revocation removes it (before deleting the client).
///
/// One limit: the private key of a generated key pair (`client-jwt`) is never stored, so
/// issuing again replaces the client's key, and only the last key handed out works.
///
/// # Examples
/// ```no_run
/// # async fn run(profile: aps_core::CredentialIssuer) -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use aps_core::{AccessRequest, Environment, Grants, Step};
/// use aps_idp::{Keycloak, Provisioner};
///
/// let keycloak = Keycloak::from_profile(&profile, Environment::Dev)?;
/// let provisioner = Provisioner::new(Arc::new(keycloak), profile.clone());
///
/// let request = AccessRequest::new(&profile, Environment::Dev, "ENV1-APP1", None)?;
/// let issued = provisioner.perform(&request, &Step::IssueCredentials).await?;
/// let document = issued.credentials.expect("new credentials").to_json(); // hand it over once
///
/// let approve = Step::Approve { grants: Grants::new(["Function1/read"], ["read"]) };
/// let approved = provisioner.perform(&issued.request, &approve).await?;
/// # drop((document, approved)); Ok(()) }
/// ```
#[derive(Clone)]
pub struct Provisioner {
    idp: Arc<dyn IdentityProvider>,
    profile: CredentialIssuer,
    key_bits: usize,
    resource_server: Option<String>,
}

/// The result of a step performed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Outcome {
    /// The request as it now stands: persist it.
    pub request: AccessRequest,
    /// New credentials to hand to the consumer (once), when the step made some.
    pub credentials: Option<IssuedCredentials>,
}

impl fmt::Debug for Provisioner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provisioner")
            .field("idp", &self.idp)
            .field("profile", &self.profile.name)
            .field("key_bits", &self.key_bits)
            .field("resource_server", &self.resource_server)
            .finish()
    }
}

impl Provisioner {
    /// A provisioner for requests of `profile` on `idp`.
    pub fn new(idp: Arc<dyn IdentityProvider>, profile: CredentialIssuer) -> Self {
        Self {
            idp,
            profile,
            key_bits: 4096,
            resource_server: None,
        }
    }

    /// The size of the RSA key pairs generated for `client-jwt` consumers. Defaults to 4096
    /// bits, as the portal; 2048 and 3072 are accepted too.
    #[must_use]
    pub fn key_bits(mut self, bits: usize) -> Self {
        self.key_bits = bits;
        self
    }

    /// The `clientId` of the resource server on which consumers of a profile with
    /// `resourceType` get their UMA 2.0 permission. Defaults to the client that owns the
    /// granted roles: the environment's managing `clientId` (the portal's provider client), or
    /// `ap-<profile>[-env]` on a shared IdP.
    #[must_use]
    pub fn resource_server(mut self, client_id: impl Into<String>) -> Self {
        self.resource_server = Some(client_id.into());
        self
    }

    /// The IdP it provisions on.
    pub fn idp(&self) -> &Arc<dyn IdentityProvider> {
        &self.idp
    }

    /// The profile whose requests it provisions.
    pub fn profile(&self) -> &CredentialIssuer {
        &self.profile
    }

    /// Performs `step` on `request`: the actions aps-core asks for, in order.
    ///
    /// # Errors
    /// [`Error::Transition`] when the step is not legal now (nothing is done), or the IdP's
    /// error for the first action that failed (run the step again to converge).
    pub async fn perform(&self, request: &AccessRequest, step: &Step) -> Result<Outcome> {
        let transition = request.next(step, &self.profile)?;
        let mut credentials = None;
        for action in &transition.actions {
            if let Some(issued) = self.act(request, action).await? {
                credentials = Some(issued);
            }
        }
        Ok(Outcome {
            request: transition.request,
            credentials,
        })
    }

    /// Issues credentials and approves at once with `grants`: what the portal does for a
    /// product environment with `approval: false`.
    ///
    /// # Errors
    /// As [`perform`](Self::perform) when issuing fails (run this again). When the approval
    /// fails after the credentials were issued, [`Error::ApprovalFailed`] carries the issued
    /// outcome: persist it, hand its credentials out, and run `Step::Approve` on its request
    /// (running this again would find the client registered and, if the lost answer was the
    /// enabling one, enabled: `AlreadyExists`).
    pub async fn issue_without_approval(
        &self,
        request: &AccessRequest,
        grants: Grants,
    ) -> Result<Outcome> {
        let issued = self.perform(request, &Step::IssueCredentials).await?;
        match self
            .perform(&issued.request, &Step::Approve { grants })
            .await
        {
            Ok(approved) => Ok(Outcome {
                request: approved.request,
                credentials: issued.credentials,
            }),
            Err(source) => Err(Error::ApprovalFailed {
                issued: Box::new(issued),
                source: Box::new(source),
            }),
        }
    }

    /// Makes the profile's own client on a shared IdP (`ap-<profile>[-env]`, the audience of its
    /// consumers' tokens) exist with exactly the profile's `clientRoles`: created when absent,
    /// roles added and removed otherwise. Run it after every edit of the profile. Returns the
    /// client id.
    ///
    /// The portal refuses to create a profile whose client exists already; profile names are
    /// unique there, so checking who owns an existing `ap-...` client is the caller's job.
    ///
    /// # Errors
    /// [`Error::Config`] when the profile does not `inheritFrom` a shared IdP, or the IdP's
    /// error.
    pub async fn sync_profile_client(&self, environment: Environment) -> Result<String> {
        let client_id = self.profile_client_id(environment)?;
        match self.idp.create_profile_client(&client_id).await {
            Ok(()) => {}
            Err(error) if error.is_already_exists() => {}
            Err(error) => return Err(error),
        }
        self.idp
            .set_client_roles(&client_id, &self.profile.client_roles)
            .await?;
        Ok(client_id)
    }

    /// Deletes the profile's own client on a shared IdP (when the profile is deleted);
    /// `Ok(false)` when there was none.
    ///
    /// # Errors
    /// As [`sync_profile_client`](Self::sync_profile_client).
    pub async fn delete_profile_client(&self, environment: Environment) -> Result<bool> {
        let client_id = self.profile_client_id(environment)?;
        self.idp.delete_client(&client_id).await
    }

    fn profile_client_id(&self, environment: Environment) -> Result<String> {
        if self.profile.inherit_from.is_none() {
            return Err(Error::config(
                "inheritFrom",
                "only a profile that inherits from a shared IdP has its own `ap-...` client",
            ));
        }
        Ok(self.profile.shared_client_id(environment))
    }

    async fn act(
        &self,
        request: &AccessRequest,
        action: &Action,
    ) -> Result<Option<IssuedCredentials>> {
        let idp = &*self.idp;
        match action {
            Action::RegisterClient {
                client_id,
                generate_key_pair,
                client_key,
                audiences,
                ..
            } => {
                let key = generate_key_pair
                    .then(|| SigningKey::generate_rsa(self.key_bits))
                    .transpose()?;
                let authentication = authentication(key.as_ref(), client_key.as_ref())?;
                let mut client = NewClient::new(client_id, authentication);
                client.audiences.clone_from(audiences);
                self.register(&client, key.as_ref()).await.map(Some)
            }
            Action::EnableClient { client_id, grants } => {
                let grants = self.client_grants(request, grants)?;
                idp.set_grants(client_id, &grants).await?;
                if let Some(access) = self.resource_access(request)? {
                    idp.grant_resource_access(client_id, &access).await?;
                }
                // Last, so that a failure before leaves the client disabled.
                idp.set_enabled(client_id, true).await?;
                Ok(None)
            }
            Action::DeleteClient { client_id } => {
                // Without a resource server named there is no permission to remove, and that
                // must never stop a rejection or a revocation.
                if let Ok(Some(access)) = self.resource_access(request) {
                    match idp
                        .revoke_resource_access(client_id, &access.resource_server)
                        .await
                    {
                        // An IdP without UMA 2.0 holds no permission to remove.
                        Ok(_) | Err(Error::Unsupported { .. }) => {}
                        Err(error) => return Err(error),
                    }
                }
                idp.delete_client(client_id).await?;
                Ok(None)
            }
            Action::RegenerateSecret { client_id } => {
                let mut issued = self.credentials(client_id);
                issued.client_secret = Some(idp.regenerate_secret(client_id).await?);
                Ok(Some(issued))
            }
            Action::RegenerateKeyPair { client_id } => {
                let key = SigningKey::generate_rsa(self.key_bits)?;
                idp.set_public_key(client_id, &PublicKey::Pem(key.public_key_pem()?))
                    .await?;
                self.key_credentials(client_id, &key).map(Some)
            }
            Action::UpdateClientKey { client_id, key } => {
                idp.set_public_key(client_id, &public_key(key)?).await?;
                Ok(None)
            }
            other => Err(Error::Conflict(format!(
                "this version of aps-idp cannot perform {other:?}"
            ))),
        }
    }

    /// Registers `client` disabled; when it exists already (a re-run, or another provisioner
    /// got there first), converges on the existing one instead.
    async fn register(
        &self,
        client: &NewClient,
        key: Option<&SigningKey>,
    ) -> Result<IssuedCredentials> {
        let id = &client.client_id;
        match self.idp.register_client(client).await {
            Ok(secret) => self.issued(id, secret, key),
            Err(exists) if exists.is_already_exists() => match self.idp.client(id).await? {
                // Someone else's access, or this request approved already: never take it over.
                Some(existing) if existing.enabled => Err(exists),
                Some(existing) => self.converge(client, key, &existing).await,
                None => Err(exists),
            },
            Err(error) => Err(error),
        }
    }

    /// Converges on `existing`, a disabled client registered before with this id.
    async fn converge(
        &self,
        client: &NewClient,
        key: Option<&SigningKey>,
        existing: &ClientState,
    ) -> Result<IssuedCredentials> {
        let id = &client.client_id;
        let mut audiences = client.audiences.clone();
        audiences.sort();
        let same_kind = matches!(
            (&client.authentication, &existing.authentication),
            (Authentication::Secret(_), RegisteredAuthentication::Secret)
                | (Authentication::Jwt(_), RegisteredAuthentication::Jwt(_))
        );
        if !same_kind || existing.audiences != audiences {
            // A disabled, never-approved client of another shape: make it anew.
            self.idp.delete_client(id).await?;
            let secret = self.idp.register_client(client).await?;
            return self.issued(id, secret, key);
        }
        match &client.authentication {
            Authentication::Secret(_) => {
                let secret = self.idp.client_secret(id).await?;
                self.issued(id, Some(secret), key)
            }
            Authentication::Jwt(public_key) => {
                self.idp.set_public_key(id, public_key).await?;
                self.issued(id, None, key)
            }
        }
    }

    fn issued(
        &self,
        client_id: &str,
        secret: Option<crate::ClientSecret>,
        key: Option<&SigningKey>,
    ) -> Result<IssuedCredentials> {
        match key {
            Some(key) => self.key_credentials(client_id, key),
            None => {
                let mut issued = self.credentials(client_id);
                if secret.is_none() {
                    issued.issuer = Some(self.idp.endpoints().issuer.clone());
                }
                issued.client_secret = secret;
                Ok(issued)
            }
        }
    }

    fn credentials(&self, client_id: &str) -> IssuedCredentials {
        IssuedCredentials::new(client_id, self.idp.endpoints())
    }

    fn key_credentials(&self, client_id: &str, key: &SigningKey) -> Result<IssuedCredentials> {
        let mut issued = self.credentials(client_id);
        issued.issuer = Some(self.idp.endpoints().issuer.clone());
        issued.client_public_key = Some(key.public_key_pem()?);
        issued.client_private_key = Some(key.to_pkcs8_pem()?);
        Ok(issued)
    }

    /// The UMA 2.0 access of the profile's consumers: its `resourceType` and `resourceScopes` on
    /// the resource server; `None` without `resourceType`.
    fn resource_access(&self, request: &AccessRequest) -> Result<Option<ResourceAccess>> {
        let Some(resource_type) = self
            .profile
            .resource_type
            .as_deref()
            .filter(|t| !t.trim().is_empty())
        else {
            return Ok(None);
        };
        let resource_server = match &self.resource_server {
            Some(client_id) => client_id.clone(),
            None => self.roles_client(request.environment()).ok_or_else(|| {
                Error::config(
                    "clientId",
                    format!(
                        "the profile has a resourceType, but environment `{}` has no clientId \
                         naming the resource server (or use Provisioner::resource_server)",
                        request.environment()
                    ),
                )
            })?,
        };
        Ok(Some(ResourceAccess::new(
            resource_server,
            resource_type,
            self.profile.resource_scopes.iter().cloned(),
        )))
    }

    /// The client owning the granted roles: the profile's client on a shared IdP, else the
    /// environment's managing client.
    fn roles_client(&self, environment: Environment) -> Option<String> {
        if self.profile.inherit_from.is_some() {
            Some(self.profile.shared_client_id(environment))
        } else {
            self.profile
                .environment(environment)
                .and_then(|e| e.client_id.clone())
        }
    }

    /// The grants as the IdP takes them: the roles belong to the profile's client on a shared
    /// IdP (`ap-<profile>[-env]`), else to the environment's managing client. The roles client
    /// is named even when no role is granted, so that roles granted before are taken away.
    fn client_grants(&self, request: &AccessRequest, grants: &Grants) -> Result<ClientGrants> {
        let scopes = ClientGrants::scopes(grants.default_client_scopes.iter().cloned());
        let environment = request.environment();
        match self.roles_client(environment) {
            Some(client) => Ok(scopes.roles(client, grants.roles.iter().cloned())),
            None if grants.roles.is_empty() => Ok(scopes),
            None => Err(Error::config(
                "clientId",
                format!(
                    "roles are granted, but environment `{environment}` of the profile has no clientId owning them"
                ),
            )),
        }
    }
}

fn authentication(
    generated: Option<&SigningKey>,
    client_key: Option<&ClientKey>,
) -> Result<Authentication> {
    Ok(match (generated, client_key) {
        (Some(key), _) => Authentication::Jwt(PublicKey::Pem(key.public_key_pem()?)),
        (None, Some(key)) => Authentication::Jwt(public_key(key)?),
        (None, None) => Authentication::Secret(None),
    })
}

fn public_key(key: &ClientKey) -> Result<PublicKey> {
    match key {
        ClientKey::JwksUrl(url) => Ok(PublicKey::JwksUrl(url.clone())),
        ClientKey::Certificate(pem) => Ok(PublicKey::Pem(pem.clone())),
        _ => Err(Error::Conflict(
            "this version of aps-idp does not know this kind of client key".into(),
        )),
    }
}
