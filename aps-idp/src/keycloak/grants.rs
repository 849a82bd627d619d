//! `set_grants`: resolve every scope and role first, then make the client's default scopes,
//! optional scopes, service-account role mappings and scope mappings exactly the grants.

use reqwest::Method;
use serde_json::json;

use super::Keycloak;
use super::admin::{MANAGE_CLIENTS, MANAGE_USERS, Permission, Request, VIEW_CLIENTS};
use super::diff::{self, Changes};
use super::model::{ClientRep, Named};
use crate::{ClientGrants, Error, Result};

/// A client's default client scopes.
pub(super) const DEFAULT: &str = "default-client-scopes";
/// A client's optional client scopes.
pub(super) const OPTIONAL: &str = "optional-client-scopes";

/// How a collection is changed.
#[derive(Debug, Clone, Copy)]
pub(super) enum Style {
    /// `PUT`/`DELETE {path}/{id}` per item (client scopes).
    PerItem,
    /// `POST`/`DELETE {path}` with the items as the body (role and scope mappings).
    Batch,
}

/// The roles part of the grants, resolved.
struct RolesGrant {
    client: ClientRep,
    roles: Vec<Named>,
}

impl Keycloak {
    pub(super) async fn grant(&self, client_id: &str, grants: &ClientGrants) -> Result<()> {
        // Everything is resolved before anything changes.
        let rep = self.require(client_id).await?;
        let realm_scopes: Vec<Named> = self
            .admin
            .call(Request::new(Method::GET, VIEW_CLIENTS, ["client-scopes"]))
            .await?;
        let wanted = diff::target_scopes(grants);
        let scopes =
            diff::resolve(&realm_scopes, &wanted).map_err(|scope| Error::UnknownScope {
                scope: scope.to_owned(),
                realm: self.realm().to_owned(),
            })?;
        let roles = self.resolve_roles(grants).await?;
        let user = match &roles {
            Some(_) => Some(self.service_account(&rep).await?),
            None => None,
        };

        let id = rep.id.as_str();
        self.converge(
            ["clients", id, OPTIONAL],
            &[],
            MANAGE_CLIENTS,
            Style::PerItem,
        )
        .await?;
        self.converge(
            ["clients", id, DEFAULT],
            &scopes,
            MANAGE_CLIENTS,
            Style::PerItem,
        )
        .await?;
        if let (Some(grant), Some(user)) = (roles, user) {
            let roles_client = grant.client.id.as_str();
            let mappings = [
                "users",
                user.as_str(),
                "role-mappings",
                "clients",
                roles_client,
            ];
            self.converge(mappings, &grant.roles, MANAGE_USERS, Style::Batch)
                .await?;
            let scope_mappings = ["clients", id, "scope-mappings", "clients", roles_client];
            self.converge(scope_mappings, &grant.roles, MANAGE_CLIENTS, Style::Batch)
                .await?;
        }
        Ok(())
    }

    /// The roles client and the granted roles of it; `None` when no roles client is named.
    async fn resolve_roles(&self, grants: &ClientGrants) -> Result<Option<RolesGrant>> {
        let Some(name) = grants.roles_client.as_deref() else {
            if grants.roles.is_empty() {
                return Ok(None);
            }
            return Err(Error::config(
                "roles_client",
                "roles are granted but no roles client is named",
            ));
        };
        let client = self.require(name).await?;
        let available: Vec<Named> = self
            .admin
            .call(
                Request::new(
                    Method::GET,
                    VIEW_CLIENTS,
                    ["clients", client.id.as_str(), "roles"],
                )
                .missing("client", name),
            )
            .await?;
        let roles =
            diff::resolve(&available, &grants.roles).map_err(|role| Error::UnknownRole {
                role: role.to_owned(),
                client: name.to_owned(),
                realm: self.realm().to_owned(),
            })?;
        Ok(Some(RolesGrant { client, roles }))
    }

    /// Makes the collection at `path` exactly `target`: client scopes one `PUT`/`DELETE
    /// {path}/{id}` each, role and scope mappings one `POST`/`DELETE` carrying the roles.
    ///
    /// Another provisioner converging the same collection at the same time makes Keycloak
    /// refuse an addition it has just made (409 `Duplicate resource error` for client scopes
    /// and scope mappings, 400 `Could not add user role or group mappings!` for role
    /// mappings): the collection is then read and converged again, at most three times in all,
    /// so that a refusal with another cause is still returned.
    pub(super) async fn converge<const N: usize>(
        &self,
        path: [&str; N],
        target: &[Named],
        permission: Permission,
        style: Style,
    ) -> Result<()> {
        let mut attempt = 1;
        loop {
            match self.converge_once(path, target, permission, style).await {
                Err(Error::Conflict(_) | Error::Unexpected { status: 400, .. }) if attempt < 3 => {
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn converge_once<const N: usize>(
        &self,
        path: [&str; N],
        target: &[Named],
        permission: Permission,
        style: Style,
    ) -> Result<()> {
        let current: Vec<Named> = self
            .admin
            .call(Request::new(Method::GET, permission, path))
            .await?;
        let Changes { add, remove } = diff::changes(&current, target);
        let (add_method, item_per_call) = match style {
            Style::PerItem => (Method::PUT, true),
            Style::Batch => (Method::POST, false),
        };
        for (method, items) in [(Method::DELETE, remove), (add_method, add)] {
            if items.is_empty() {
                continue;
            }
            if item_per_call {
                for item in &items {
                    let item_path = path.iter().copied().chain([item.id.as_str()]);
                    self.admin
                        .send(Request::new(method.clone(), permission, item_path))
                        .await?;
                }
            } else {
                let request = Request::new(method, permission, path).json(json!(items));
                self.admin.send(request).await?;
            }
        }
        Ok(())
    }
}
