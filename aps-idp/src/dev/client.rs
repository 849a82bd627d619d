//! A client as the development IdP holds it, and how its key is read.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use aps_jwt::VerifyingKey;
use url::Url;

use super::client_key;
use crate::model::{ClientState, PublicKey, RegisteredAuthentication};
use crate::{ClientSecret, Error, Result};

/// How a client authenticates.
#[derive(Debug, Clone)]
pub(super) enum Credential {
    /// `client_secret_basic` or `client_secret_post`.
    Secret(ClientSecret),
    /// `private_key_jwt`.
    Jwt(JwtKey),
    /// A bearer-only client (a profile client): it never gets a token.
    BearerOnly,
}

/// The key a JWT client's assertions are checked with.
#[derive(Debug, Clone)]
pub(super) enum JwtKey {
    /// A PEM public key or certificate, parsed, with Keycloak's `kid`.
    Pem {
        /// As registered.
        pem: String,
        /// Parsed.
        key: VerifyingKey,
    },
    /// A JWKS URL, fetched when needed.
    JwksUrl(Url),
}

impl JwtKey {
    /// Reads a registered key: the PEM must parse, the URL must be HTTPS (or HTTP on loopback).
    pub(super) fn parse(key: &PublicKey) -> Result<Self> {
        match key {
            PublicKey::Pem(pem) => Ok(Self::Pem {
                pem: pem.clone(),
                key: client_key::from_pem(pem)?,
            }),
            PublicKey::JwksUrl(url) => {
                let parsed = Url::parse(url)
                    .map_err(|e| Error::config("jwks_url", format!("`{url}`: {e}")))?;
                if !fetchable(&parsed) {
                    return Err(Error::config(
                        "jwks_url",
                        format!("`{url}` must be https (http only on a loopback address)"),
                    ));
                }
                Ok(Self::JwksUrl(parsed))
            }
        }
    }

    /// As registered.
    pub(super) fn public_key(&self) -> PublicKey {
        match self {
            Self::Pem { pem, .. } => PublicKey::Pem(pem.clone()),
            Self::JwksUrl(url) => PublicKey::JwksUrl(url.to_string()),
        }
    }
}

/// HTTPS, or HTTP to a loopback host.
pub(super) fn fetchable(url: &Url) -> bool {
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    };
    url.username().is_empty()
        && url.password().is_none()
        && (url.scheme() == "https" || (url.scheme() == "http" && loopback))
}

/// A client of the realm.
#[derive(Debug, Clone)]
pub(super) struct DevClient {
    /// The OAuth `client_id`.
    pub(super) client_id: String,
    /// Whether it can get tokens.
    pub(super) enabled: bool,
    /// How it authenticates.
    pub(super) credential: Credential,
    /// The id of its service account (the `sub` of its tokens).
    pub(super) service_account_id: String,
    /// Its default client scopes.
    pub(super) default_scopes: BTreeSet<String>,
    /// Roles of its service account, by the client that owns them.
    pub(super) roles: BTreeMap<String, BTreeSet<String>>,
    /// Audiences its tokens carry.
    pub(super) audiences: BTreeSet<String>,
    /// The roles this client defines.
    pub(super) own_roles: BTreeSet<String>,
}

impl DevClient {
    /// A new client with no scopes and no roles.
    pub(super) fn new(client_id: &str, credential: Credential, service_account_id: String) -> Self {
        Self {
            client_id: client_id.to_owned(),
            enabled: false,
            credential,
            service_account_id,
            default_scopes: BTreeSet::new(),
            roles: BTreeMap::new(),
            audiences: BTreeSet::new(),
            own_roles: BTreeSet::new(),
        }
    }

    /// The trait's view of it.
    pub(super) fn state(&self) -> ClientState {
        ClientState {
            client_id: self.client_id.clone(),
            enabled: self.enabled,
            authentication: match &self.credential {
                Credential::Jwt(key) => RegisteredAuthentication::Jwt(Some(key.public_key())),
                Credential::Secret(_) | Credential::BearerOnly => RegisteredAuthentication::Secret,
            },
            default_scopes: self.default_scopes.iter().cloned().collect(),
            optional_scopes: Vec::new(),
            roles: self
                .roles
                .iter()
                .map(|(client, roles)| (client.clone(), roles.iter().cloned().collect()))
                .collect(),
            audiences: self.audiences.iter().cloned().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwks_urls_must_be_https_or_loopback_http() {
        for ok in [
            "https://keys.example/jwks",
            "http://127.0.0.1:9/jwks",
            "http://localhost/jwks",
            "http://[::1]/jwks",
        ] {
            assert!(
                JwtKey::parse(&PublicKey::JwksUrl(ok.into())).is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "http://keys.example/jwks",
            "ftp://127.0.0.1/x",
            "not a url",
            "https://u:p@k.example/",
        ] {
            assert!(
                JwtKey::parse(&PublicKey::JwksUrl(bad.into())).is_err(),
                "{bad}"
            );
        }
    }
}
