//! `KeycloakBuilder`: infallible setters, checks in `build()`.

use std::fmt;
use std::time::Duration;

use aps_jwt::SigningKey;

use super::Keycloak;
use super::admin::Admin;
use super::realm_url::RealmUrl;
use super::registration::Registration;
use crate::{ClientSecret, Error, Result};

/// Configures a [`Keycloak`]. Setters never fail; [`build`](Self::build) checks everything and
/// names the setting at fault. No network call is made before the first operation.
///
/// ```
/// use std::time::Duration;
/// use aps_idp::{Error, Keycloak};
///
/// let keycloak = Keycloak::builder()
///     .issuer("http://127.0.0.1:18080/realms/apigw")
///     .management_client("aps-management", "aps-management-secret")
///     .timeout(Duration::from_secs(5))
///     .build()?;
/// assert_eq!(keycloak.realm(), "apigw");
///
/// let plain_http = Keycloak::builder()
///     .issuer("http://idp.example/realms/apigw")
///     .management_client("aps-management", "secret")
///     .build();
/// assert!(matches!(plain_http, Err(Error::Config { field: "issuer", .. })));
/// # Ok::<(), Error>(())
/// ```
#[must_use]
pub struct KeycloakBuilder {
    issuer: Option<String>,
    management: Option<(String, Credential)>,
    initial_access_token: Option<ClientSecret>,
    http: Option<reqwest::Client>,
    timeout: Duration,
}

enum Credential {
    Secret(ClientSecret),
    Key(SigningKey),
}

impl fmt::Debug for KeycloakBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeycloakBuilder")
            .field("issuer", &self.issuer)
            .field(
                "management_client_id",
                &self.management.as_ref().map(|m| &m.0),
            )
            .field("initial_access_token", &self.initial_access_token.is_some())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Default for KeycloakBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl KeycloakBuilder {
    /// A builder with the defaults stated on each setter.
    pub fn new() -> Self {
        Self {
            issuer: None,
            management: None,
            initial_access_token: None,
            http: None,
            timeout: Duration::from_secs(10),
        }
    }

    /// The realm URL (the issuer of its tokens): `https://host/auth/realms/{realm}` or
    /// `https://host/realms/{realm}`. Required. `http` is accepted only on loopback hosts; a
    /// query, fragment, credentials or a trailing slash are refused.
    pub fn issuer(mut self, url: impl Into<String>) -> Self {
        self.issuer = Some(url.into());
        self
    }

    /// The management client, authenticating with a client secret. It needs the
    /// `realm-management` roles `manage-clients` and `manage-users`.
    pub fn management_client(
        mut self,
        client_id: impl Into<String>,
        secret: impl Into<ClientSecret>,
    ) -> Self {
        self.management = Some((client_id.into(), Credential::Secret(secret.into())));
        self
    }

    /// The management client, authenticating with `private_key_jwt` signed by `key`.
    pub fn management_key(mut self, client_id: impl Into<String>, key: SigningKey) -> Self {
        self.management = Some((client_id.into(), Credential::Key(key)));
        self
    }

    /// An initial access token of the realm (`clientRegistration: iat`): clients are then
    /// registered through the client registration service
    /// (`POST {issuer}/clients-registrations/default`) with it, as the portal does.
    ///
    /// Alone, it only registers clients: reading, approving, rotating and deleting them still
    /// need a [`management_client`](Self::management_client) (or
    /// [`management_key`](Self::management_key)), and fail with [`Error::Config`] without one.
    /// With both, registration uses the token and everything else the management client.
    /// Keycloak applies the realm's *authenticated* client-registration policies to it: see
    /// `docs/provisioning.md` for what the realm must allow. Defaults to none.
    ///
    /// ```
    /// use aps_idp::Keycloak;
    ///
    /// let keycloak = Keycloak::builder()
    ///     .issuer("https://loginproxy.gov.bc.ca/auth/realms/apigw")
    ///     .initial_access_token("eyJhbGciOi...")
    ///     .build()?;
    /// assert!(!format!("{keycloak:?}").contains("eyJhbGciOi"));
    /// # Ok::<(), aps_idp::Error>(())
    /// ```
    pub fn initial_access_token(mut self, token: impl Into<ClientSecret>) -> Self {
        self.initial_access_token = Some(token.into());
        self
    }

    /// The HTTP client for the Admin REST API and the management token. Defaults to one with
    /// the [`timeout`](Self::timeout) and no redirects; with this one, its settings apply.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The timeout of one HTTP request. Defaults to 10 s. Ignored with
    /// [`http_client`](Self::http_client).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Checks the configuration and builds the client. No network call is made.
    ///
    /// # Errors
    /// [`Error::Config`] naming the setting: no or a bad issuer, neither a management client
    /// nor an initial access token, a zero timeout, or management credentials aps-client
    /// refuses.
    pub fn build(self) -> Result<Keycloak> {
        let issuer = self
            .issuer
            .ok_or_else(|| Error::config("issuer", "not set (the realm URL)"))?;
        let url = RealmUrl::parse(&issuer)?;
        if self.timeout.is_zero() {
            return Err(Error::config("timeout", "must be more than zero"));
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("aps-idp/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| Error::config("http_client", e.to_string()))?,
        };
        let endpoints = url.endpoints();
        let registration = match self.initial_access_token {
            Some(token) if token.expose().trim().is_empty() => {
                return Err(Error::config("initial_access_token", "is empty"));
            }
            Some(token) => Some(Registration::new(
                http.clone(),
                &url.issuer,
                token,
                &url.realm,
            )?),
            None => None,
        };
        let (management_client_id, token) = match self.management {
            Some((client_id, credential)) => {
                let token = aps_client::Client::builder()
                    .token_endpoint(&endpoints.token_endpoint)
                    .issuer(&endpoints.issuer)
                    .client_id(&client_id)
                    .http_client(http.clone())
                    .danger_allow_http_loopback(url.is_http());
                let token = match credential {
                    Credential::Secret(secret) => token.client_secret(secret),
                    Credential::Key(key) => token.private_key(key),
                }
                .build()
                .map_err(|e| Error::config("management_client", e.to_string()))?;
                (Some(client_id), Some(token))
            }
            None if registration.is_some() => (None, None),
            None => {
                return Err(Error::config(
                    "management_client",
                    "not set: management_client(id, secret), management_key(id, key) or \
                     initial_access_token(token)",
                ));
            }
        };
        Ok(Keycloak {
            admin: Admin {
                http,
                token,
                base: url.admin.clone(),
                realm: url.realm.clone(),
            },
            url,
            endpoints,
            management_client_id,
            registration,
        })
    }
}
