//! `ClientBuilder`: infallible setters, checks in `build()`.

use std::fmt;
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use aps_jwt::SigningKey;

use super::{Client, Config};
use crate::assertion::AssertionAudience;
use crate::auth::AuthMethod;
use crate::credentials::CredentialDocument;
use crate::endpoint::{Endpoint, check_url, parse_url};
use crate::{CachePolicy, ClientSecret, Error, Result, RetryPolicy, TokenRequest};

/// Configures a [`Client`]. Setters never fail; [`build`](Self::build) checks everything and
/// reports the first problem, naming the setting. No network call is made before the first
/// token request.
///
/// ```
/// use aps_client::{Client, Error};
///
/// let client = Client::builder()
///     .token_endpoint("https://idp.example/realms/apigw/protocol/openid-connect/token")
///     .client_id("my-client")
///     .client_secret("my-secret")
///     .scope("Function1/read")
///     .build()?;
/// assert_eq!(client.client_id(), "my-client");
///
/// let plain_http = Client::builder()
///     .token_endpoint("http://idp.example/token")
///     .client_id("my-client")
///     .client_secret("my-secret")
///     .build();
/// assert!(matches!(plain_http, Err(Error::InsecureUrl { .. })));
/// # Ok::<(), Error>(())
/// ```
#[must_use]
pub struct ClientBuilder {
    client_id: Option<String>,
    secret: Option<ClientSecret>,
    method: Option<AuthMethod>,
    key: Option<KeyInput>,
    key_id: Option<String>,
    token_endpoint: Option<String>,
    issuer: Option<String>,
    request: TokenRequest,
    default_lifetime: Duration,
    retry: RetryPolicy,
    cache_policy: CachePolicy,
    timeout: Duration,
    connect_timeout: Duration,
    http: Option<reqwest::Client>,
    allow_http_loopback: bool,
    max_cached_requests: usize,
    assertion_audience: AssertionAudience,
    assertion_lifetime: Duration,
    error: Option<Error>,
}

enum KeyInput {
    Key(SigningKey),
    Pem(ClientSecret),
    /// A credential document's `clientPrivateKey`: the portal registered its public half with
    /// Keycloak as a PEM, so it signs with [`keycloak_key_id`](crate::keycloak_key_id).
    PortalPem(ClientSecret),
    Jwk(ClientSecret),
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("client_id", &self.client_id)
            .field("secret", &self.secret)
            .field("method", &self.method)
            .field("key", &self.key.as_ref().map(|_| "[redacted]"))
            .field("token_endpoint", &self.token_endpoint)
            .field("issuer", &self.issuer)
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBuilder {
    /// A builder with the defaults stated on each setter.
    pub fn new() -> Self {
        Self {
            client_id: None,
            secret: None,
            method: None,
            key: None,
            key_id: None,
            token_endpoint: None,
            issuer: None,
            request: TokenRequest::new(),
            default_lifetime: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            cache_policy: CachePolicy::default(),
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            http: None,
            allow_http_loopback: false,
            max_cached_requests: 64,
            assertion_audience: AssertionAudience::default(),
            assertion_lifetime: Duration::from_secs(60),
            error: None,
        }
    }

    fn fail(mut self, error: Error) -> Self {
        self.error.get_or_insert(error);
        self
    }

    /// The client id (`clientId` in the portal's credential document). Required.
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// Authenticate with a client secret, sent with `client_secret_basic` unless
    /// [`auth_method`](Self::auth_method) says `client_secret_post`.
    pub fn client_secret(mut self, secret: impl Into<ClientSecret>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// The authentication method. Defaults to `client_secret_basic` with a secret and
    /// `private_key_jwt` with a key.
    pub fn auth_method(mut self, method: AuthMethod) -> Self {
        self.method = Some(method);
        self
    }

    /// Authenticate with `private_key_jwt`, signing assertions with `key` (RSA or EC) and its
    /// [`kid`](SigningKey::kid). The key can be swapped later with [`Client::rotate_key`].
    pub fn private_key(mut self, key: SigningKey) -> Self {
        self.key = Some(KeyInput::Key(key));
        self
    }

    /// Authenticate with `private_key_jwt`, with a PEM private key (PKCS#8, PKCS#1 or SEC1).
    /// Parsed by `build()`. Its `kid` is the one [`SigningKey::from_pem`] gives it, the RFC 7638
    /// thumbprint that `public_jwks()` publishes (see [`key_id`](Self::key_id)).
    pub fn private_key_pem(mut self, pem: impl Into<ClientSecret>) -> Self {
        self.key = Some(KeyInput::Pem(pem.into()));
        self
    }

    /// Authenticate with `private_key_jwt`, with a private JWK (JSON). Parsed by `build()`.
    pub fn private_key_jwk(mut self, jwk: impl Into<ClientSecret>) -> Self {
        self.key = Some(KeyInput::Jwk(jwk.into()));
        self
    }

    /// The `kid` put in assertion headers, overriding the rule.
    ///
    /// **The rule: a key signs with the `kid` it publishes**, however it was given:
    /// [`SigningKey::kid`] (the RFC 7638 thumbprint unless set with
    /// [`SigningKey::with_kid`]) for a [`SigningKey`] or a PEM, the JWK's own `kid` for a JWK.
    /// So a JWKS made with `SigningKey::from_pem(pem)?.public_jwks()` matches a client built
    /// with `.private_key_pem(pem)`. One exception, where the key was registered: the
    /// `clientPrivateKey` of a credential document ([`credentials`](Self::credentials)) signs
    /// with [`keycloak_key_id`](crate::keycloak_key_id), since the portal registered its public
    /// half with Keycloak as a PEM, and Keycloak names such keys itself.
    ///
    /// Set it for a key you uploaded to Keycloak yourself as a PEM or certificate
    /// (`.key_id(aps_client::keycloak_key_id(&key)?)`), or to match a JWKS entry with another
    /// `kid`.
    pub fn key_id(mut self, kid: impl Into<String>) -> Self {
        self.key_id = Some(kid.into());
        self
    }

    /// The `aud` of client assertions. Defaults to [`AssertionAudience::Issuer`].
    pub fn assertion_audience(mut self, audience: AssertionAudience) -> Self {
        self.assertion_audience = audience;
        self
    }

    /// How long an assertion is valid (between 1 s and 1 h). Defaults to 60 s.
    pub fn assertion_lifetime(mut self, lifetime: Duration) -> Self {
        self.assertion_lifetime = lifetime;
        self
    }

    /// The token endpoint URL. Required unless an [`issuer`](Self::issuer) is set; with both,
    /// this endpoint is used and no discovery runs.
    pub fn token_endpoint(mut self, url: impl Into<String>) -> Self {
        self.token_endpoint = Some(url.into());
        self
    }

    /// The issuer (realm) URL, such as `https://…/auth/realms/apigw`. Without a token endpoint,
    /// OIDC discovery finds it (once; cached for 24 hours; when
    /// rediscovery fails, the known endpoint is kept with a warning and discovery is retried
    /// 5 minutes later). Also the default assertion audience.
    pub fn issuer(mut self, url: impl Into<String>) -> Self {
        self.issuer = Some(url.into());
        self
    }

    /// Everything from the portal's credential document: client id, secret or private key
    /// (replacing any secret or key set before), token endpoint and issuer. The private key
    /// signs with [`keycloak_key_id`](crate::keycloak_key_id), the `kid` Keycloak gives the
    /// public key the portal registered (see [`key_id`](Self::key_id)).
    pub fn credentials(mut self, document: &CredentialDocument) -> Self {
        self.client_id = Some(document.client_id().to_owned());
        self.secret = document.client_secret().cloned();
        self.key = document
            .client_private_key()
            .cloned()
            .map(KeyInput::PortalPem);
        if let Some(url) = document.token_endpoint() {
            self.token_endpoint = Some(url.to_owned());
        }
        if let Some(url) = document.issuer() {
            self.issuer = Some(url.to_owned());
        }
        self
    }

    /// Adds scopes (space separated) to every request. Sent as the OAuth `scope` parameter.
    /// Defaults to none: the server grants the client's default scopes.
    pub fn scope(mut self, scope: impl AsRef<str>) -> Self {
        self.request = self.request.scope(scope);
        self
    }

    /// Adds an `audience` parameter to every request. Defaults to none.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.request = self.request.audience(audience);
        self
    }

    /// Adds an RFC 8707 `resource` parameter to every request. Defaults to none.
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.request = self.request.resource(resource);
        self
    }

    /// Adds another form parameter to every request. Defaults to none; the parameters the
    /// crate sets itself are refused by `build()` (see [`TokenRequest::param`]).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.request = self.request.param(name, value);
        self
    }

    /// The lifetime assumed when a token response has no `expires_in`. Defaults to 60 s.
    pub fn default_lifetime(mut self, lifetime: Duration) -> Self {
        self.default_lifetime = lifetime;
        self
    }

    /// How transient failures are retried. Defaults to [`RetryPolicy::default`].
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How many per-request caches ([`Client::source`], [`Client::token_for`]) the client keeps
    /// besides the one for its configured request; past that, the least recently used is
    /// dropped (its token is requested again on next use). Defaults to 64; 0 keeps none.
    pub fn max_cached_requests(mut self, max: usize) -> Self {
        self.max_cached_requests = max;
        self
    }

    /// How tokens are cached and refreshed. Defaults to [`CachePolicy::default`].
    pub fn cache_policy(mut self, policy: CachePolicy) -> Self {
        self.cache_policy = policy;
        self
    }

    /// The timeout of one HTTP request to the identity provider. Defaults to 10 s. Ignored with
    /// [`http_client`](Self::http_client).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The connect timeout. Defaults to 5 s. Ignored with [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Uses this HTTP client for the identity provider instead of the built-in one (rustls, the
    /// timeouts above, no redirects). Its timeouts and redirect policy are then yours to set.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Allows plain `http://` URLs on loopback hosts (`127.0.0.0/8`, `::1`, `localhost`) for the
    /// identity provider (issuer, token endpoint), for tests against a local one. Defaults to
    /// false: both must be HTTPS. Also set by `APS_ALLOW_HTTP_LOOPBACK=1` with
    /// [`load_env`](Self::load_env).
    ///
    /// The SDK's one rule: plain HTTP only ever goes to a loopback host, never elsewhere. Where
    /// the client's own secret or key is used (the identity provider), loopback HTTP also needs
    /// this opt-in, since it is a test setup that must not reach production by accident. Bearer
    /// tokens sent with [`send_with_token`](crate::send_with_token) or the middleware to an API
    /// on a loopback host (a local sidecar), and the public keys aps-jwt's validator fetches,
    /// need no opt-in: a short-lived token or public data, on a connection that never leaves the
    /// host.
    pub fn danger_allow_http_loopback(mut self, allow: bool) -> Self {
        self.allow_http_loopback = allow;
        self
    }

    /// Checks the configuration and builds the client. No network call is made.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] (naming the setting) when the client id, the credentials or the
    /// endpoint is missing or contradictory, [`Error::InsecureUrl`] for a non-HTTPS URL, and
    /// the first error met by a setter (such as an unreadable credential file).
    pub fn build(self) -> Result<Client> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let client_id = self
            .client_id
            .filter(|id| !id.trim().is_empty())
            .ok_or_else(|| {
                Error::config(
                    "client_id",
                    "not set (client_id(), credentials() or APS_CLIENT_ID)",
                )
            })?;
        let parsed_issuer = self
            .issuer
            .as_deref()
            .map(|u| parse_url("issuer", u))
            .transpose()?;
        if let Some(url) = &parsed_issuer {
            check_url("issuer", url, self.allow_http_loopback)?;
        }
        let endpoint = match (self.token_endpoint.as_deref(), parsed_issuer) {
            (Some(url), _) => {
                let url = parse_url("token_endpoint", url)?;
                check_url("token endpoint", &url, self.allow_http_loopback)?;
                Endpoint::Token(url)
            }
            (None, Some(issuer)) => Endpoint::Issuer {
                issuer,
                discovered: Mutex::new(None),
            },
            (None, None) => {
                return Err(Error::config(
                    "token_endpoint",
                    "neither a token endpoint nor an issuer is set",
                ));
            }
        };
        let credential = credential::resolve(
            self.secret,
            self.key,
            self.method,
            self.key_id,
            self.assertion_lifetime,
        )?;
        self.request.validate()?;
        for (field, value) in [
            ("timeout", self.timeout),
            ("connect_timeout", self.connect_timeout),
            ("default_lifetime", self.default_lifetime),
        ] {
            if value.is_zero() {
                return Err(Error::config(field, "must be more than zero"));
            }
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("aps-client/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| Error::config("http_client", e.to_string()))?,
        };
        Ok(Client::from_config(Config {
            http,
            endpoint,
            // Kept as written: the parsed `Url` is for checks and discovery only.
            issuer: self.issuer.map(|url| url.trim().to_owned()),
            client_id,
            credential: RwLock::new(credential),
            assertion_audience: self.assertion_audience,
            defaults: self.request,
            default_lifetime: self.default_lifetime,
            retry: self.retry,
            cache_policy: self.cache_policy,
            allow_http_loopback: self.allow_http_loopback,
            max_cached_requests: self.max_cached_requests,
        }))
    }
}

mod credential;
mod env;

#[cfg(test)]
mod tests;
