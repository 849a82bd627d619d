//! Loads the test realms of `testkit/realms` into a Keycloak through the Admin REST API.
//!
//! The same steps work on the throw-away server of `scripts/keycloak.sh` and on a Keycloak you
//! already run: every step is skipped when what it makes is already there.

use reqwest::Method;
use serde_json::{Value, json};

use crate::keycloak::{admin_call, parse};
use crate::{Error, Keycloak};

/// The realm files, as `(realm name, JSON)`.
pub const REALMS: [(&str, &str); 2] = [
    ("apigw", include_str!("../realms/apigw.json")),
    ("apigw-other", include_str!("../realms/apigw-other.json")),
];

/// The client scopes of the mission's custom-IdP profile.
pub const CLIENT_SCOPES: [&str; 4] = [
    "Function1/read",
    "Function2/*",
    "Function3/write",
    "Function3/read",
];

const AUDIENCE_MAPPER: &str = "oidc-audience-mapper";
const REGISTRATION_POLICY: &str =
    "org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy";

/// Creates the test realms, their client scopes and the registration policy, where missing.
/// Returns one line per step taken, for the log.
///
/// # Errors
///
/// When the admin credentials are refused or a step fails.
pub async fn provision(kc: &Keycloak) -> Result<Vec<String>, Error> {
    let token = kc.admin_token().await?;
    let admin = Admin { kc, token };
    let mut log = Vec::new();
    for (name, json) in REALMS {
        let realm: Value = parse(json, name)?;
        log.push(admin.ensure_realm(name, &realm).await?);
    }
    let realm = kc.realm();
    for scope in CLIENT_SCOPES {
        log.push(admin.ensure_client_scope(realm, scope).await?);
    }
    log.push(admin.allow_audience_mapper(realm).await?);
    Ok(log)
}

struct Admin<'a> {
    kc: &'a Keycloak,
    token: String,
}

impl Admin<'_> {
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<String, Error> {
        let url = format!("{}/admin/realms{path}", self.kc.base_url());
        Ok(admin_call(self.kc.http(), &self.token, method, &url, body)
            .await?
            .body)
    }

    async fn ensure_realm(&self, name: &str, realm: &Value) -> Result<String, Error> {
        if self
            .call(Method::GET, &format!("/{name}"), None)
            .await
            .is_ok()
        {
            return Ok(format!("realm {name}: already there"));
        }
        self.call(Method::POST, "", Some(realm)).await?;
        Ok(format!("realm {name}: created"))
    }

    async fn ensure_client_scope(&self, realm: &str, scope: &str) -> Result<String, Error> {
        let existing = parse(
            &self
                .call(Method::GET, &format!("/{realm}/client-scopes"), None)
                .await?,
            "client scopes",
        )?;
        if existing
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["name"] == scope)
        {
            return Ok(format!("client scope {scope}: already there"));
        }
        let representation = json!({
            "name": scope,
            "protocol": "openid-connect",
            "attributes": { "include.in.token.scope": "true", "display.on.consent.screen": "false" },
        });
        self.call(
            Method::POST,
            &format!("/{realm}/client-scopes"),
            Some(&representation),
        )
        .await?;
        Ok(format!("client scope {scope}: created"))
    }

    /// Adds `oidc-audience-mapper` to the "Allowed Protocol Mapper Types" policy for
    /// authenticated client registrations, as APS's custom-IdP setup asks.
    async fn allow_audience_mapper(&self, realm: &str) -> Result<String, Error> {
        let path = format!("/{realm}/components?type={REGISTRATION_POLICY}");
        let components = parse(
            &self.call(Method::GET, &path, None).await?,
            "registration policies",
        )?;
        let mut policy = components
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| {
                c["providerId"] == "allowed-protocol-mappers" && c["subType"] == "authenticated"
            })
            .cloned()
            .ok_or_else(|| {
                Error::new(format!("realm {realm}: no allowed-protocol-mappers policy"))
            })?;
        let allowed = &mut policy["config"]["allowed-protocol-mapper-types"];
        let mut types: Vec<Value> = allowed.as_array().cloned().unwrap_or_default();
        if types.iter().any(|t| t == AUDIENCE_MAPPER) {
            return Ok(format!(
                "registration policy: {AUDIENCE_MAPPER} already allowed"
            ));
        }
        types.push(json!(AUDIENCE_MAPPER));
        *allowed = Value::Array(types);
        let id = policy["id"].as_str().unwrap_or_default().to_owned();
        self.call(
            Method::PUT,
            &format!("/{realm}/components/{id}"),
            Some(&policy),
        )
        .await?;
        Ok(format!("registration policy: {AUDIENCE_MAPPER} allowed"))
    }
}
