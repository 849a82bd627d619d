//! Keycloak's JSON: the representations this crate reads, the templates it sends, and the
//! reading of a client's state. Pure.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::{
    Authentication, ClientState, Error, NewClient, PublicKey, RegisteredAuthentication, Result,
};

/// The attribute holding an uploaded `PUBLIC KEY` PEM.
pub(crate) const PUBLIC_KEY: &str = "jwt.credential.public.key";
/// The attribute holding an uploaded `CERTIFICATE` PEM.
pub(crate) const CERTIFICATE: &str = "jwt.credential.certificate";
/// The attribute holding a JWKS URL.
pub(crate) const JWKS_URL: &str = "jwks.url";
/// `"true"` when the JWKS URL is used instead of an uploaded key.
pub(crate) const USE_JWKS_URL: &str = "use.jwks.url";
/// The realm client scope that puts roles in tokens.
pub(crate) const ROLES_SCOPE: &str = "roles";
/// The protocol mapper type of audience mappers.
pub(crate) const AUDIENCE_MAPPER: &str = "oidc-audience-mapper";
const CUSTOM_AUDIENCE: &str = "included.custom.audience";
const CLIENT_JWT: &str = "client-jwt";

/// A client as the Admin REST API returns it (the fields this crate reads; the secret is
/// never read from here).
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct ClientRep {
    pub(crate) id: String,
    pub(crate) client_id: String,
    pub(crate) enabled: bool,
    pub(crate) client_authenticator_type: Option<String>,
    pub(crate) service_accounts_enabled: bool,
    pub(crate) authorization_services_enabled: bool,
    pub(crate) attributes: BTreeMap<String, Value>,
    pub(crate) protocol_mappers: Vec<MapperRep>,
    pub(crate) default_client_scopes: Vec<String>,
    pub(crate) optional_client_scopes: Vec<String>,
}

impl ClientRep {
    /// A string attribute, `None` when absent or empty.
    pub(crate) fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether it authenticates with a signed JWT (`client-jwt`).
    pub(crate) fn is_jwt(&self) -> bool {
        self.client_authenticator_type.as_deref() == Some(CLIENT_JWT)
    }
}

/// A protocol mapper of a client.
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct MapperRep {
    pub(crate) protocol_mapper: String,
    pub(crate) config: BTreeMap<String, Value>,
}

/// A client scope, role or user: what is addressed by id and shown by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub(crate) struct Named {
    pub(crate) id: String,
    pub(crate) name: String,
}

/// `GET /users/{id}/role-mappings`: client role mappings by the owning client's `clientId`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct RoleMappings {
    pub(crate) client_mappings: BTreeMap<String, ClientMappings>,
}

/// The roles of one client mapped to a user.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ClientMappings {
    pub(crate) mappings: Vec<Named>,
}

/// `{type, value}` of `…/client-secret`.
#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct SecretRep {
    pub(crate) value: Option<String>,
}

/// A user (the service account): only its id is needed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct UserRep {
    pub(crate) id: String,
}

/// The portal's consumer-client template (research 1.4): disabled, service account only, no
/// flows, no full scope, no client scopes, one audience mapper per audience.
pub(crate) fn new_client(client: &NewClient) -> Result<Value> {
    let mut attributes = Map::new();
    attributes.insert(
        "client_credentials.use_refresh_token".into(),
        "false".into(),
    );
    let (authenticator, secret) = match &client.authentication {
        Authentication::Secret(secret) => ("client-secret", secret.as_ref()),
        Authentication::Jwt(key) => {
            for (name, value) in key_attributes(key)? {
                if !value.is_empty() {
                    attributes.insert(name.into(), value.into());
                }
            }
            (CLIENT_JWT, None)
        }
    };
    let mappers: Vec<Value> = client
        .audiences
        .iter()
        .enumerate()
        .map(|(n, audience)| audience_mapper(n + 1, audience))
        .collect();
    let mut template = json!({
        "clientId": client.client_id,
        "enabled": false,
        "clientAuthenticatorType": authenticator,
        "publicClient": false,
        "serviceAccountsEnabled": true,
        "standardFlowEnabled": false,
        "implicitFlowEnabled": false,
        "directAccessGrantsEnabled": false,
        "bearerOnly": false,
        "fullScopeAllowed": false,
        "protocol": "openid-connect",
        "attributes": attributes,
        "defaultClientScopes": [],
        "optionalClientScopes": [],
        "protocolMappers": mappers,
    });
    if let (Some(secret), Some(fields)) = (secret, template.as_object_mut()) {
        fields.insert("secret".into(), secret.expose().into());
    }
    Ok(template)
}

/// The portal's audience mapper, named `audience-rule-{n}`.
fn audience_mapper(n: usize, audience: &str) -> Value {
    json!({
        "name": format!("audience-rule-{n}"),
        "protocol": "openid-connect",
        "protocolMapper": AUDIENCE_MAPPER,
        "config": {
            "id.token.claim": "false",
            "access.token.claim": "true",
            CUSTOM_AUDIENCE: audience,
        },
    })
}

/// A shared-IdP profile client: enabled, bearer-only, no service account, no flows.
pub(crate) fn profile_client(client_id: &str) -> Value {
    json!({
        "clientId": client_id,
        "enabled": true,
        "bearerOnly": true,
        "publicClient": false,
        "serviceAccountsEnabled": false,
        "clientAuthenticatorType": CLIENT_JWT,
        "standardFlowEnabled": false,
        "implicitFlowEnabled": false,
        "directAccessGrantsEnabled": false,
        "protocol": "openid-connect",
    })
}

/// The four key attributes that make `key` exactly the one used: the other ones empty.
///
/// # Errors
/// [`Error::Config`] for a PEM that is neither a `PUBLIC KEY` nor a `CERTIFICATE`, or a JWKS
/// URL that is not an `http(s)` URL.
pub(crate) fn key_attributes(key: &PublicKey) -> Result<[(&'static str, String); 4]> {
    let (public_key, certificate, jwks_url) = match key {
        PublicKey::Pem(pem) => match pem_label(pem) {
            Some("PUBLIC KEY") => (pem.clone(), String::new(), String::new()),
            Some("CERTIFICATE") => (String::new(), pem.clone(), String::new()),
            label => {
                return Err(Error::config(
                    "public_key",
                    format!(
                        "a PEM `PUBLIC KEY` (SPKI) or `CERTIFICATE` is expected, not {}",
                        label.map_or("this".to_owned(), |l| format!("`{l}`"))
                    ),
                ));
            }
        },
        PublicKey::JwksUrl(url) => {
            let parsed = url::Url::parse(url).ok();
            if !parsed.is_some_and(|u| matches!(u.scheme(), "https" | "http")) {
                return Err(Error::config(
                    "public_key",
                    format!("the JWKS URL `{url}` is not an http(s) URL"),
                ));
            }
            (String::new(), String::new(), url.clone())
        }
    };
    let use_jwks = if jwks_url.is_empty() { "false" } else { "true" };
    Ok([
        (PUBLIC_KEY, public_key),
        (CERTIFICATE, certificate),
        (JWKS_URL, jwks_url),
        (USE_JWKS_URL, use_jwks.to_owned()),
    ])
}

/// The label of the first PEM block (`PUBLIC KEY`, `CERTIFICATE`, ...).
fn pem_label(pem: &str) -> Option<&str> {
    let start = pem.find("-----BEGIN ")? + "-----BEGIN ".len();
    let rest = &pem[start..];
    rest.find("-----").map(|end| &rest[..end])
}

/// How a registered client authenticates: `client-jwt` with its key, anything else a secret.
pub(crate) fn authentication(rep: &ClientRep) -> RegisteredAuthentication {
    if !rep.is_jwt() {
        return RegisteredAuthentication::Secret;
    }
    let jwks = rep
        .attribute(JWKS_URL)
        .filter(|_| rep.attribute(USE_JWKS_URL) == Some("true"));
    let key = match jwks {
        Some(url) => Some(PublicKey::JwksUrl(url.to_owned())),
        None => rep
            .attribute(CERTIFICATE)
            .map(|c| as_pem("CERTIFICATE", c))
            .or_else(|| rep.attribute(PUBLIC_KEY).map(|k| as_pem("PUBLIC KEY", k)))
            .map(PublicKey::Pem),
    };
    RegisteredAuthentication::Jwt(key)
}

/// Keycloak keeps what the upload endpoint stored as bare base64: give it its PEM armour.
fn as_pem(label: &str, stored: &str) -> String {
    if stored.trim_start().starts_with("-----BEGIN ") {
        return stored.to_owned();
    }
    let body: String = stored.split_whitespace().collect();
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// The client's state from its representation and its service account's client role
/// mappings. The realm's `roles` scope is left out of the default scopes when the service
/// account has client roles: `set_grants` manages it with the roles.
pub(crate) fn state(rep: &ClientRep, roles: BTreeMap<String, Vec<String>>) -> ClientState {
    let has_roles = roles.values().any(|r| !r.is_empty());
    let mut default_scopes: Vec<String> = rep
        .default_client_scopes
        .iter()
        .filter(|s| !(has_roles && s.as_str() == ROLES_SCOPE))
        .cloned()
        .collect();
    default_scopes.sort();
    let mut optional_scopes = rep.optional_client_scopes.clone();
    optional_scopes.sort();
    let mut audiences: Vec<String> = rep
        .protocol_mappers
        .iter()
        .filter(|m| m.protocol_mapper == AUDIENCE_MAPPER)
        .filter_map(|m| m.config.get(CUSTOM_AUDIENCE).and_then(Value::as_str))
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect();
    audiences.sort();
    ClientState {
        client_id: rep.client_id.clone(),
        enabled: rep.enabled,
        authentication: authentication(rep),
        default_scopes,
        optional_scopes,
        roles,
        audiences,
    }
}

/// Client role mappings grouped by the owning client's `clientId`, names sorted.
pub(crate) fn roles_by_client(mappings: RoleMappings) -> BTreeMap<String, Vec<String>> {
    mappings
        .client_mappings
        .into_iter()
        .map(|(client, m)| {
            let mut names: Vec<String> = m.mappings.into_iter().map(|r| r.name).collect();
            names.sort();
            (client, names)
        })
        .filter(|(_, names)| !names.is_empty())
        .collect()
}

#[cfg(test)]
mod tests;
