//! Access tokens shaped like Keycloak's for the client-credentials grant, and the token
//! response. Pure: the client, the key, `now` and a fresh `jti` in; the token out.

use std::collections::BTreeMap;

use aps_jwt::SigningKey;
use serde::Serialize;
use serde_json::{Value, json};

use super::client::DevClient;
use super::config::Config;
use super::oauth_error::OAuthError;

/// The scope every client may request (Keycloak adds it to the token's `scope`).
const OPENID: &str = "openid";

#[derive(Serialize)]
struct Roles<'a> {
    roles: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Audience<'a> {
    One(&'a str),
    Many(Vec<&'a str>),
}

#[derive(Serialize)]
struct Claims<'a> {
    exp: u64,
    iat: u64,
    jti: &'a str,
    iss: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<Audience<'a>>,
    sub: &'a str,
    typ: &'static str,
    azp: &'a str,
    scope: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    resource_access: BTreeMap<&'a str, Roles<'a>>,
    #[serde(rename = "clientId")]
    client_id_legacy: &'a str,
    client_id: &'a str,
    preferred_username: String,
}

/// The scope a token for `client` carries when `requested` was asked for: all its default
/// scopes (Keycloak always includes them), and `openid` first when requested.
///
/// # Errors
/// `invalid_scope` when a requested scope is not one of the client's.
pub(super) fn granted_scope(
    client: &DevClient,
    requested: &[String],
) -> Result<String, OAuthError> {
    if let Some(scope) = requested
        .iter()
        .find(|s| *s != OPENID && !client.default_scopes.contains(*s))
    {
        return Err(OAuthError::invalid_scope(format!(
            "invalid scopes: `{scope}` is not a scope of client `{}`",
            client.client_id
        )));
    }
    let openid = requested.iter().any(|s| s == OPENID).then_some(OPENID);
    Ok(openid
        .into_iter()
        .chain(client.default_scopes.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" "))
}

/// Signs an access token for `client` and returns the token response body.
///
/// # Errors
/// `server_error` if signing fails.
pub(super) fn token_response(
    config: &Config,
    client: &DevClient,
    key: &SigningKey,
    scope: &str,
    now: u64,
    jti: &str,
) -> Result<Value, OAuthError> {
    // As Keycloak's audience resolution: the audience mappers' values, then every client whose
    // roles the token carries.
    let mut audiences: Vec<&str> = client.audiences.iter().map(String::as_str).collect();
    for (owner, roles) in &client.roles {
        if !roles.is_empty() && !audiences.contains(&owner.as_str()) {
            audiences.push(owner);
        }
    }
    let aud = match audiences.as_slice() {
        [] => None,
        [one] => Some(Audience::One(one)),
        _ => Some(Audience::Many(audiences)),
    };
    let resource_access = client
        .roles
        .iter()
        .filter(|(_, roles)| !roles.is_empty())
        .map(|(owner, roles)| {
            let roles = roles.iter().map(String::as_str).collect();
            (owner.as_str(), Roles { roles })
        })
        .collect();
    let claims = Claims {
        exp: now.saturating_add(config.token_lifetime),
        iat: now,
        jti,
        iss: config.issuer(),
        aud,
        sub: &client.service_account_id,
        typ: "Bearer",
        azp: &client.client_id,
        scope,
        resource_access,
        client_id_legacy: &client.client_id,
        client_id: &client.client_id,
        preferred_username: format!("service-account-{}", client.client_id.to_lowercase()),
    };
    let token = key
        .sign_jwt("JWT", &claims)
        .map_err(|e| OAuthError::server_error(format!("cannot sign the token: {e}")))?;
    Ok(json!({
        "access_token": token.as_str(),
        "token_type": "Bearer",
        "expires_in": config.token_lifetime,
        "scope": scope,
        "not-before-policy": 0,
    }))
}

#[cfg(test)]
mod tests;
