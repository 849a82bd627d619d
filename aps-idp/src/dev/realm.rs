//! The realm's clients and keys, and every change the `IdentityProvider` operations make to
//! them: pure functions that check everything before they change anything.

use std::collections::{BTreeMap, BTreeSet};

use super::client::{Credential, DevClient, JwtKey};
use super::config::Config;
use super::keys::KeyRing;
use crate::model::{Authentication, ClientGrants, NewClient, PublicKey};
use crate::{ClientSecret, Error, Result};

/// Everything the IdP holds that a state file keeps.
#[derive(Debug, Clone)]
pub(super) struct Realm {
    /// The clients, by `client_id`.
    pub(super) clients: BTreeMap<String, DevClient>,
    /// The signing keys.
    pub(super) keys: KeyRing,
}

/// Random values an operation may need, drawn before it runs so that it stays pure. No
/// `Debug`: it holds a secret.
pub(super) struct Fresh {
    /// A new secret.
    pub(super) secret: String,
    /// A new id.
    pub(super) id: String,
}

fn not_found(config: &Config, client_id: &str) -> Error {
    Error::NotFound {
        what: "client",
        name: client_id.to_owned(),
        realm: config.realm.clone(),
    }
}

impl Realm {
    fn get_mut(&mut self, config: &Config, client_id: &str) -> Result<&mut DevClient> {
        self.clients
            .get_mut(client_id)
            .ok_or_else(|| not_found(config, client_id))
    }

    fn check_new(&self, config: &Config, client_id: &str) -> Result<()> {
        if client_id.trim().is_empty() {
            return Err(Error::config("client_id", "empty"));
        }
        if self.clients.contains_key(client_id) {
            return Err(Error::AlreadyExists {
                client_id: client_id.to_owned(),
                realm: config.realm.clone(),
            });
        }
        Ok(())
    }

    /// Registers a consumer client, disabled.
    pub(super) fn register(
        &mut self,
        config: &Config,
        new: &NewClient,
        fresh: Fresh,
    ) -> Result<Option<ClientSecret>> {
        self.check_new(config, &new.client_id)?;
        let (credential, secret) = match &new.authentication {
            Authentication::Secret(given) => {
                let secret = given
                    .clone()
                    .unwrap_or_else(|| ClientSecret::new(fresh.secret));
                if secret.expose().is_empty() {
                    return Err(Error::config("client_secret", "empty"));
                }
                (Credential::Secret(secret.clone()), Some(secret))
            }
            Authentication::Jwt(key) => (Credential::Jwt(JwtKey::parse(key)?), None),
        };
        let mut client = DevClient::new(&new.client_id, credential, fresh.id);
        client.audiences = new.audiences.iter().cloned().collect();
        self.clients.insert(new.client_id.clone(), client);
        Ok(secret)
    }

    /// Creates an enabled, bearer-only profile client.
    pub(super) fn create_profile_client(
        &mut self,
        config: &Config,
        client_id: &str,
        fresh: Fresh,
    ) -> Result<()> {
        self.check_new(config, client_id)?;
        let mut client = DevClient::new(client_id, Credential::BearerOnly, fresh.id);
        client.enabled = true;
        self.clients.insert(client_id.to_owned(), client);
        Ok(())
    }

    /// The client's secret.
    pub(super) fn secret(&self, config: &Config, client_id: &str) -> Result<ClientSecret> {
        let client = self
            .clients
            .get(client_id)
            .ok_or_else(|| not_found(config, client_id))?;
        match &client.credential {
            Credential::Secret(secret) => Ok(secret.clone()),
            Credential::Jwt(_) => Err(Error::Conflict(format!(
                "client `{client_id}` authenticates with a signed JWT and has no secret"
            ))),
            Credential::BearerOnly => Err(Error::Conflict(format!(
                "client `{client_id}` is bearer-only and has no secret"
            ))),
        }
    }

    /// Sets exactly these scopes and roles, after checking that they all exist.
    pub(super) fn set_grants(
        &mut self,
        config: &Config,
        client_id: &str,
        grants: &ClientGrants,
    ) -> Result<()> {
        if let Some(scope) = grants
            .scopes
            .iter()
            .find(|s| !config.client_scopes.contains(*s))
        {
            return Err(Error::UnknownScope {
                scope: scope.clone(),
                realm: config.realm.clone(),
            });
        }
        let mut roles = BTreeMap::new();
        if !grants.roles.is_empty() {
            let owner = grants
                .roles_client
                .as_deref()
                .ok_or_else(|| Error::config("roles_client", "required when roles are granted"))?;
            let defined = self.clients.get(owner).map(|c| &c.own_roles);
            if let Some(role) = grants
                .roles
                .iter()
                .find(|r| !defined.is_some_and(|d| d.contains(*r)))
            {
                return Err(Error::UnknownRole {
                    role: role.clone(),
                    client: owner.to_owned(),
                    realm: config.realm.clone(),
                });
            }
            roles.insert(owner.to_owned(), grants.roles.iter().cloned().collect());
        }
        let client = self.get_mut(config, client_id)?;
        client.default_scopes = grants.scopes.iter().cloned().collect();
        client.roles = roles;
        Ok(())
    }

    /// Enables or disables a client.
    pub(super) fn set_enabled(&mut self, config: &Config, client_id: &str, on: bool) -> Result<()> {
        self.get_mut(config, client_id)?.enabled = on;
        Ok(())
    }

    /// Deletes a client, and the role mappings to its roles; `false` when there was none.
    pub(super) fn delete(&mut self, client_id: &str) -> bool {
        let existed = self.clients.remove(client_id).is_some();
        for client in self.clients.values_mut() {
            client.roles.remove(client_id);
        }
        existed
    }

    /// Replaces a secret client's secret.
    pub(super) fn regenerate_secret(
        &mut self,
        config: &Config,
        client_id: &str,
        fresh: Fresh,
    ) -> Result<ClientSecret> {
        self.secret(config, client_id)?;
        let secret = ClientSecret::new(fresh.secret);
        self.get_mut(config, client_id)?.credential = Credential::Secret(secret.clone());
        Ok(secret)
    }

    /// Replaces a JWT client's key.
    pub(super) fn set_public_key(
        &mut self,
        config: &Config,
        client_id: &str,
        key: &PublicKey,
    ) -> Result<()> {
        let client = self.get_mut(config, client_id)?;
        if !matches!(client.credential, Credential::Jwt(_)) {
            return Err(Error::Conflict(format!(
                "client `{client_id}` does not authenticate with a signed JWT"
            )));
        }
        client.credential = Credential::Jwt(JwtKey::parse(key)?);
        Ok(())
    }

    /// Makes a client's roles exactly `roles`; mappings to deleted roles go too.
    pub(super) fn set_client_roles(
        &mut self,
        config: &Config,
        client_id: &str,
        roles: &[String],
    ) -> Result<()> {
        let roles: BTreeSet<String> = roles.iter().cloned().collect();
        if let Some(role) = roles.iter().find(|r| r.trim().is_empty()) {
            return Err(Error::config(
                "roles",
                format!("role name `{role}` is empty"),
            ));
        }
        self.get_mut(config, client_id)?.own_roles = roles.clone();
        for client in self.clients.values_mut() {
            if let Some(held) = client.roles.get_mut(client_id) {
                held.retain(|r| roles.contains(r));
                if held.is_empty() {
                    client.roles.remove(client_id);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
