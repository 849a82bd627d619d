//! UMA 2.0 resource permissions through the Admin REST API's Authorization Services endpoints
//! (`/clients/{rs}/authz/resource-server/...`): per consumer, a client policy naming it and a
//! scope permission (named after the consumer's `clientId`, as the portal names its policies)
//! granting the profile's scopes on every resource of the profile's type.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Keycloak;
use super::admin::{MANAGE_CLIENTS, Request, VIEW_CLIENTS};
use super::model::{ClientRep, Named};
use crate::{Error, ResourceAccess, Result};

/// A policy or permission as `…/policy/search` answers it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PolicyRep {
    id: String,
    #[serde(rename = "type")]
    kind: String,
}

/// The resource server's settings: only its decision strategy is read.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ResourceServerRep {
    decision_strategy: String,
}

/// The scope permission of a consumer: its `clientId`.
fn permission_name(client_id: &str) -> String {
    client_id.to_owned()
}

/// The client policy of a consumer (policies and permissions share one namespace).
fn policy_name(client_id: &str) -> String {
    format!("{client_id} (client)")
}

/// The path below the resource server's client.
fn authz<'a>(rs: &'a ClientRep, rest: &[&'a str]) -> Vec<&'a str> {
    let mut path = vec!["clients", rs.id.as_str(), "authz", "resource-server"];
    path.extend_from_slice(rest);
    path
}

impl Keycloak {
    pub(super) async fn grant_access(
        &self,
        client_id: &str,
        access: &ResourceAccess,
    ) -> Result<()> {
        let rs = self.resource_server(&access.resource_server).await?;
        let settings: ResourceServerRep = self
            .admin
            .call(Request::new(Method::GET, VIEW_CLIENTS, authz(&rs, &[])))
            .await?;
        if !settings
            .decision_strategy
            .eq_ignore_ascii_case("AFFIRMATIVE")
        {
            return Err(Error::Conflict(format!(
                "resource server `{}` decides {}: set its decision strategy to Affirmative, or \
                 each consumer's permission denies every other consumer",
                access.resource_server, settings.decision_strategy
            )));
        }
        let consumer = self.require(client_id).await?;
        let known: Vec<Named> = self
            .admin
            .call(Request::new(
                Method::GET,
                VIEW_CLIENTS,
                authz(&rs, &["scope"]),
            ))
            .await?;
        let scopes = access
            .scopes
            .iter()
            .map(|scope| {
                known
                    .iter()
                    .find(|k| &k.name == scope)
                    .map(|k| k.id.clone())
                    .ok_or_else(|| {
                        self.not_found("authorization scope", &format!("{}#{scope}", rs.client_id))
                    })
            })
            .collect::<Result<Vec<_>>>()?;

        let policy = json!({
            "name": policy_name(client_id),
            "description": format!("The consumer `{client_id}` (aps)"),
            "type": "client",
            "logic": "POSITIVE",
            "decisionStrategy": "UNANIMOUS",
            "clients": [consumer.id],
        });
        let policy_id = self.upsert(&rs, ["policy", "client"], policy).await?;
        let permission = json!({
            "name": permission_name(client_id),
            "description": format!("Access of the consumer `{client_id}` to `{}` (aps)", access.resource_type),
            "type": "scope",
            "logic": "POSITIVE",
            "decisionStrategy": "AFFIRMATIVE",
            "resourceType": access.resource_type,
            "resources": [],
            "scopes": scopes,
            "policies": [policy_id],
        });
        self.upsert(&rs, ["permission", "scope"], permission)
            .await?;
        Ok(())
    }

    pub(super) async fn revoke_access(
        &self,
        client_id: &str,
        resource_server: &str,
    ) -> Result<bool> {
        let Some(rs) = self.find(resource_server).await? else {
            return Ok(false);
        };
        if !rs.authorization_services_enabled {
            return Ok(false);
        }
        let mut deleted = false;
        // The permission first: without it, the policy grants nothing.
        for name in [permission_name(client_id), policy_name(client_id)] {
            let Some(found) = self.find_policy(&rs, &name).await? else {
                continue;
            };
            let path = authz(&rs, &["policy", found.id.as_str()]);
            match self
                .admin
                .send(Request::new(Method::DELETE, MANAGE_CLIENTS, path).missing("policy", &name))
                .await
            {
                Ok(_) => deleted = true,
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(deleted)
    }

    /// The resource server's client, with Authorization enabled.
    async fn resource_server(&self, client_id: &str) -> Result<ClientRep> {
        let rs = self
            .find(client_id)
            .await?
            .ok_or_else(|| self.not_found("resource server client", client_id))?;
        if !rs.authorization_services_enabled {
            return Err(Error::Conflict(format!(
                "client `{client_id}` is not a resource server: enable Authorization on it"
            )));
        }
        Ok(rs)
    }

    /// The policy or permission named exactly `name`, or `None`.
    async fn find_policy(&self, rs: &ClientRep, name: &str) -> Result<Option<PolicyRep>> {
        let request = Request::new(Method::GET, VIEW_CLIENTS, authz(rs, &["policy", "search"]))
            .query("name", name)
            .missing("resource server", &rs.client_id);
        let answer = self.admin.send(request).await?;
        // Keycloak answers 204 with no body when there is none.
        if answer.body.trim().is_empty() {
            return Ok(None);
        }
        answer.json().map(Some)
    }

    /// Creates the policy or permission `body` (by its name), or replaces the one with that
    /// name; returns its id. A concurrent creation (409) is found and replaced instead.
    async fn upsert(&self, rs: &ClientRep, kind: [&str; 2], body: Value) -> Result<String> {
        let name = body["name"].as_str().unwrap_or_default().to_owned();
        let wanted = kind[1];
        for _ in 0..2 {
            if let Some(found) = self.find_policy(rs, &name).await? {
                if found.kind != wanted {
                    return Err(Error::Conflict(format!(
                        "resource server `{}` has a {} policy named `{name}`, not a {wanted} one: \
                         rename or delete it",
                        rs.client_id, found.kind
                    )));
                }
                let mut body = body;
                body["id"] = Value::String(found.id.clone());
                let path = authz(rs, &[kind[0], kind[1], found.id.as_str()]);
                let request = Request::new(Method::PUT, MANAGE_CLIENTS, path)
                    .json(body)
                    .missing("policy", &name);
                self.admin.send(request).await?;
                return Ok(found.id);
            }
            let request =
                Request::new(Method::POST, MANAGE_CLIENTS, authz(rs, &kind)).json(body.clone());
            match self.admin.call::<PolicyRep>(request).await {
                Ok(created) => return Ok(created.id),
                Err(Error::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::Conflict(format!(
            "the policy `{name}` of resource server `{}` keeps changing",
            rs.client_id
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permission_is_named_after_the_consumer_and_the_policy_apart() {
        assert_eq!(permission_name("ENV1-APP1"), "ENV1-APP1");
        assert_eq!(policy_name("ENV1-APP1"), "ENV1-APP1 (client)");
        let rs = ClientRep {
            id: "u-1".into(),
            ..ClientRep::default()
        };
        assert_eq!(
            authz(&rs, &["policy", "search"]),
            [
                "clients",
                "u-1",
                "authz",
                "resource-server",
                "policy",
                "search"
            ]
        );
    }
}
