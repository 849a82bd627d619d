//! What goes into and comes out of an [`IdentityProvider`](crate::IdentityProvider).

use std::collections::BTreeMap;

use crate::ClientSecret;

/// The URLs a consumer (and a validator) uses: the issuer, its token endpoint and its keys.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoints {
    /// The issuer exactly as tokens carry it in `iss` (no trailing slash added or removed).
    pub issuer: String,
    /// The token endpoint.
    pub token_endpoint: String,
    /// The JWKS URL with the keys that sign tokens.
    pub jwks_uri: String,
}

impl Endpoints {
    /// The endpoints of an issuer.
    pub fn new(
        issuer: impl Into<String>,
        token_endpoint: impl Into<String>,
        jwks_uri: impl Into<String>,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            token_endpoint: token_endpoint.into(),
            jwks_uri: jwks_uri.into(),
        }
    }
}

/// A public key a client's assertions (`private_key_jwt`) are checked with.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKey {
    /// A PEM `PUBLIC KEY` (SPKI) or `CERTIFICATE` (X.509).
    Pem(String),
    /// A JWKS URL the IdP fetches keys from, by `kid`.
    JwksUrl(String),
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Pem(pem) => f
                .debug_tuple("Pem")
                .field(&pem.lines().next().unwrap_or_default())
                .finish(),
            Self::JwksUrl(url) => f.debug_tuple("JwksUrl").field(url).finish(),
        }
    }
}

/// How a new client authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Authentication {
    /// A client secret (`client-secret`); `None`: the IdP generates one.
    Secret(Option<ClientSecret>),
    /// A signed JWT (`client-jwt`, `client-jwt-jwks-url`) checked with this key.
    Jwt(PublicKey),
}

/// A consumer client to register, disabled.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewClient {
    /// The OAuth `client_id`.
    pub client_id: String,
    /// How it authenticates.
    pub authentication: Authentication,
    /// Audiences its tokens carry (one audience mapper each).
    pub audiences: Vec<String>,
}

impl NewClient {
    /// A client with no audience mapper.
    pub fn new(client_id: impl Into<String>, authentication: Authentication) -> Self {
        Self {
            client_id: client_id.into(),
            authentication,
            audiences: Vec::new(),
        }
    }

    /// Adds an audience mapper.
    #[must_use]
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }
}

/// What a client is granted: default scopes, and roles of one client (the profile's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientGrants {
    /// Realm client scopes set as the client's default scopes (the only ones it has).
    pub scopes: Vec<String>,
    /// The client whose roles are granted (`ap-<profile>[-env]`, or the profile's managing
    /// client); required when `roles` is not empty.
    pub roles_client: Option<String>,
    /// Roles of `roles_client` given to the client's service account.
    pub roles: Vec<String>,
}

impl ClientGrants {
    /// These scopes, no roles.
    pub fn scopes<I>(scopes: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        Self {
            scopes: scopes.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// Adds roles of `client`.
    #[must_use]
    pub fn roles<I>(mut self, client: impl Into<String>, roles: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.roles_client = Some(client.into());
        self.roles = roles.into_iter().map(Into::into).collect();
        self
    }
}

/// How a registered client authenticates, as the IdP holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegisteredAuthentication {
    /// A client secret.
    Secret,
    /// A signed JWT checked with this key (or none set yet).
    Jwt(Option<PublicKey>),
}

/// A client as the IdP holds it now, so that callers can check and converge.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientState {
    /// The OAuth `client_id`.
    pub client_id: String,
    /// Whether it can get tokens.
    pub enabled: bool,
    /// How it authenticates.
    pub authentication: RegisteredAuthentication,
    /// Its default client scopes, sorted (scopes the IdP manages itself are left out, see the
    /// implementation's docs).
    pub default_scopes: Vec<String>,
    /// Its optional client scopes, sorted (empty after an approval).
    pub optional_scopes: Vec<String>,
    /// Roles of its service account, by the client that owns them, sorted.
    pub roles: BTreeMap<String, Vec<String>>,
    /// Audiences its tokens carry (audience mappers), sorted.
    pub audiences: Vec<String>,
}

impl ClientState {
    /// Whether it holds exactly `grants` (default scopes, no optional scope, and exactly the
    /// granted roles of the roles client).
    pub fn has_exactly(&self, grants: &ClientGrants) -> bool {
        let mut scopes = grants.scopes.clone();
        scopes.sort();
        scopes.dedup();
        let mut roles = grants.roles.clone();
        roles.sort();
        roles.dedup();
        let held = grants
            .roles_client
            .as_ref()
            .and_then(|c| self.roles.get(c))
            .cloned()
            .unwrap_or_default();
        self.default_scopes == scopes && self.optional_scopes.is_empty() && held == roles
    }
}

/// What a consumer may do on the resources of a resource server (UMA 2.0, Keycloak's
/// Authorization Services): the profile's `resourceType` and `resourceScopes`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResourceAccess {
    /// The `clientId` of the resource server: a client with Authorization enabled and the
    /// `Affirmative` decision strategy (the provider's client).
    pub resource_server: String,
    /// The resource type; the access covers every resource of this type.
    pub resource_type: String,
    /// The authorization scopes granted on those resources.
    pub scopes: Vec<String>,
}

impl ResourceAccess {
    /// These scopes on every resource of `resource_type` of `resource_server`.
    pub fn new<I>(
        resource_server: impl Into<String>,
        resource_type: impl Into<String>,
        scopes: I,
    ) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        Self {
            resource_server: resource_server.into(),
            resource_type: resource_type.into(),
            scopes: scopes.into_iter().map(Into::into).collect(),
        }
    }
}
