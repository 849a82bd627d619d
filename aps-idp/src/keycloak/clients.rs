//! Consumer clients: lookup by `clientId`, registration, state, enabling, secrets and keys.

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::Keycloak;
use super::admin::{MANAGE_CLIENTS, MANAGE_USERS, Request, VIEW_CLIENTS};
use super::grants::{DEFAULT, OPTIONAL, Style};
use super::model::{self, ClientRep, RoleMappings, SecretRep, UserRep};
use crate::{Authentication, ClientSecret, ClientState, Error, NewClient, PublicKey, Result};

/// Clients asked for per page when looking a `clientId` up.
const PAGE: usize = 100;
/// Pages read at most, so that a server that ignores `first` cannot loop us forever.
const MAX_PAGES: usize = 1000;

impl Keycloak {
    /// The client with exactly this `clientId`, or `None`.
    ///
    /// Keycloak's `clientId` query is exact by default, but some versions and `search=true`
    /// match infixes: only exact matches are kept, over every page.
    pub(super) async fn find(&self, client_id: &str) -> Result<Option<ClientRep>> {
        let mut found = Vec::new();
        for page in 0..MAX_PAGES {
            let request = Request::new(Method::GET, VIEW_CLIENTS, ["clients"])
                .query("clientId", client_id)
                .query("first", page * PAGE)
                .query("max", PAGE);
            let clients: Vec<ClientRep> = self.admin.call(request).await?;
            let full = clients.len() >= PAGE;
            found.extend(clients.into_iter().filter(|c| c.client_id == client_id));
            if !full {
                break;
            }
        }
        if found.len() > 1 {
            return Err(Error::Conflict(format!(
                "{} clients have the clientId `{client_id}` in realm `{}`",
                found.len(),
                self.realm()
            )));
        }
        Ok(found.pop())
    }

    /// The client with exactly this `clientId`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is none.
    pub(super) async fn require(&self, client_id: &str) -> Result<ClientRep> {
        self.find(client_id)
            .await?
            .ok_or_else(|| self.not_found("client", client_id))
    }

    pub(super) fn not_found(&self, what: &'static str, name: &str) -> Error {
        Error::NotFound {
            what,
            name: name.to_owned(),
            realm: self.realm().to_owned(),
        }
    }

    /// Registers the portal's template: `POST /clients` as the management client, or, with an
    /// initial access token, `POST {issuer}/clients-registrations/default`. Then, with a
    /// management client, the scopes Keycloak added are removed.
    pub(super) async fn register(&self, client: &NewClient) -> Result<Option<ClientSecret>> {
        let template = model::new_client(client)?;
        let (id, registered_secret) = match &self.registration {
            Some(registration) => {
                let registered = registration.register(&template, &client.client_id).await?;
                (registered.id.clone(), registered.secret())
            }
            None => {
                let request = Request::new(Method::POST, MANAGE_CLIENTS, ["clients"])
                    .json(template)
                    .creates(&client.client_id);
                (self.admin.send(request).await?.created_id()?, None)
            }
        };
        // Keycloak adds `service_account` (and, for lists it was not sent, the realm's
        // defaults); the client is still disabled, so nothing can use them meanwhile. With an
        // initial access token only, they stay until the approval makes the scopes exact.
        if self.admin.token.is_some() {
            for kind in [DEFAULT, OPTIONAL] {
                self.converge(["clients", &id, kind], &[], MANAGE_CLIENTS, Style::PerItem)
                    .await?;
            }
        }
        match &client.authentication {
            Authentication::Secret(Some(secret)) => Ok(Some(secret.clone())),
            Authentication::Secret(None) => match registered_secret {
                Some(secret) => Ok(Some(secret)),
                None => self.read_secret(&id, &client.client_id).await.map(Some),
            },
            Authentication::Jwt(_) => Ok(None),
        }
    }

    /// The client's state, or `None`.
    pub(super) async fn state(&self, client_id: &str) -> Result<Option<ClientState>> {
        let Some(rep) = self.find(client_id).await? else {
            return Ok(None);
        };
        let roles = if rep.service_accounts_enabled {
            let user = self.service_account(&rep).await?;
            let path = ["users", user.as_str(), "role-mappings"];
            let mappings: RoleMappings = self
                .admin
                .call(
                    Request::new(Method::GET, MANAGE_USERS, path)
                        .missing("service account", client_id),
                )
                .await?;
            model::roles_by_client(mappings)
        } else {
            Default::default()
        };
        Ok(Some(model::state(&rep, roles)))
    }

    /// The id of the client's service-account user.
    pub(super) async fn service_account(&self, rep: &ClientRep) -> Result<String> {
        let path = ["clients", rep.id.as_str(), "service-account-user"];
        let user: UserRep = self
            .admin
            .call(
                Request::new(Method::GET, VIEW_CLIENTS, path)
                    .missing("service account of client", &rep.client_id),
            )
            .await?;
        Ok(user.id)
    }

    /// `PUT /clients/{id}` with only the fields that change: a full representation would
    /// carry `serviceAccountsEnabled: true`, on which Keycloak adds `service_account` back.
    pub(super) async fn update(&self, rep: &ClientRep, fields: Value) -> Result<()> {
        let request = Request::new(Method::PUT, MANAGE_CLIENTS, ["clients", rep.id.as_str()])
            .json(fields)
            .missing("client", &rep.client_id);
        self.admin.send(request).await.map(drop)
    }

    pub(super) async fn enable(&self, client_id: &str, enabled: bool) -> Result<()> {
        let rep = self.require(client_id).await?;
        if rep.enabled == enabled {
            return Ok(());
        }
        self.update(&rep, json!({ "enabled": enabled })).await
    }

    pub(super) async fn delete(&self, client_id: &str) -> Result<bool> {
        let Some(rep) = self.find(client_id).await? else {
            return Ok(false);
        };
        let request = Request::new(Method::DELETE, MANAGE_CLIENTS, ["clients", rep.id.as_str()])
            .missing("client", client_id);
        match self.admin.send(request).await {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The secret of a client that authenticates with one.
    pub(super) async fn secret(&self, client_id: &str) -> Result<ClientSecret> {
        let rep = self.secret_client(client_id).await?;
        self.read_secret(&rep.id, client_id).await
    }

    pub(super) async fn new_secret(&self, client_id: &str) -> Result<ClientSecret> {
        let rep = self.secret_client(client_id).await?;
        let request = Request::new(
            Method::POST,
            MANAGE_CLIENTS,
            ["clients", rep.id.as_str(), "client-secret"],
        )
        .missing("client", client_id)
        .secret_answer();
        let answer: SecretRep = self.admin.call(request).await?;
        self.secret_value(answer, client_id)
    }

    /// The client, if it authenticates with a secret.
    async fn secret_client(&self, client_id: &str) -> Result<ClientRep> {
        let rep = self.require(client_id).await?;
        if rep.is_jwt() {
            return Err(Error::Conflict(format!(
                "client `{client_id}` authenticates with a signed JWT: it has no secret"
            )));
        }
        Ok(rep)
    }

    async fn read_secret(&self, id: &str, client_id: &str) -> Result<ClientSecret> {
        let request = Request::new(Method::GET, VIEW_CLIENTS, ["clients", id, "client-secret"])
            .missing("client", client_id)
            .secret_answer();
        let answer: SecretRep = self.admin.call(request).await?;
        self.secret_value(answer, client_id)
    }

    fn secret_value(&self, answer: SecretRep, client_id: &str) -> Result<ClientSecret> {
        answer
            .value
            .filter(|v| !v.is_empty())
            .map(ClientSecret::new)
            .ok_or_else(|| Error::Conflict(format!("client `{client_id}` has no secret")))
    }

    /// Makes `key` the only key the client's assertions are checked with.
    pub(super) async fn replace_key(&self, client_id: &str, key: &PublicKey) -> Result<()> {
        let attributes: Map<String, Value> = model::key_attributes(key)?
            .into_iter()
            .map(|(name, value)| (name.to_owned(), Value::String(value)))
            .collect();
        let rep = self.require(client_id).await?;
        if !rep.is_jwt() {
            return Err(Error::Conflict(format!(
                "client `{client_id}` authenticates with a secret: it has no public key"
            )));
        }
        self.update(&rep, json!({ "attributes": attributes })).await
    }
}
