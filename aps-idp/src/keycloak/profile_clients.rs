//! Shared-IdP profile clients (`ap-<profile>[-env]`) and the roles of a client.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::json;

use super::Keycloak;
use super::admin::{MANAGE_CLIENTS, Request, VIEW_CLIENTS};
use super::model::{self, Named};
use crate::Result;

impl Keycloak {
    pub(super) async fn create_profile(&self, client_id: &str) -> Result<()> {
        let request = Request::new(Method::POST, MANAGE_CLIENTS, ["clients"])
            .json(model::profile_client(client_id))
            .creates(client_id);
        self.admin.send(request).await.map(drop)
    }

    /// The role names of a client, sorted; `None` when it does not exist.
    pub(super) async fn roles_of(&self, client_id: &str) -> Result<Option<Vec<String>>> {
        let Some(rep) = self.find(client_id).await? else {
            return Ok(None);
        };
        let mut names: Vec<String> = self
            .role_list(&rep.id, client_id)
            .await?
            .into_iter()
            .map(|r| r.name)
            .collect();
        names.sort();
        Ok(Some(names))
    }

    pub(super) async fn make_roles(&self, client_id: &str, roles: &[String]) -> Result<()> {
        let rep = self.require(client_id).await?;
        let current = self.role_list(&rep.id, client_id).await?;
        let have: BTreeSet<&str> = current.iter().map(|r| r.name.as_str()).collect();
        let want: BTreeSet<&str> = roles.iter().map(String::as_str).collect();
        for name in want.difference(&have) {
            let request = Request::new(
                Method::POST,
                MANAGE_CLIENTS,
                ["clients", rep.id.as_str(), "roles"],
            )
            .json(json!({ "name": name }))
            .missing("client", client_id);
            self.admin.send(request).await?;
        }
        for name in have.difference(&want) {
            let request = Request::new(
                Method::DELETE,
                MANAGE_CLIENTS,
                ["clients", rep.id.as_str(), "roles", name],
            )
            .missing("client", client_id);
            self.admin.send(request).await?;
        }
        Ok(())
    }

    async fn role_list(&self, id: &str, client_id: &str) -> Result<Vec<Named>> {
        let request = Request::new(Method::GET, VIEW_CLIENTS, ["clients", id, "roles"])
            .missing("client", client_id);
        self.admin.call(request).await
    }
}
