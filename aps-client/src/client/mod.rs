//! The client: configuration, the default cached token, more cached tokens per request, key
//! rotation.

mod builder;
mod fetch;
mod sources;

use std::fmt;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use url::Url;

pub use builder::ClientBuilder;
pub use fetch::UncachedSource;

use crate::assertion::{AssertionAudience, key_from_pem};
use crate::auth::{AuthMethod, Credential};
use crate::endpoint::Endpoint;
use crate::request::{CacheKey, TokenRequest};
use crate::sync::{lock, read, write};
use crate::{
    CachePolicy, CachedTokenSource, ClientSecret, Error, Result, RetryPolicy, Token, TokenSource,
};

/// Gets, caches and refreshes access tokens with the OAuth2 client credentials grant.
///
/// Build one per set of credentials with [`Client::builder`] and share it (it is cheap to
/// clone; clones share the cache). [`token`](Self::token) returns the cached token for the
/// configured scopes, refreshing it in the background ahead of expiry; see
/// [`CachedTokenSource`] for the rules.
///
/// ```no_run
/// # #[tokio::main] async fn main() -> aps_client::Result<()> {
/// let client = aps_client::Client::builder()
///     .issuer("https://dev.loginproxy.gov.bc.ca/auth/realms/apigw")
///     .client_id("my-client")
///     .client_secret("my-secret")
///     .scope("Function1/read")
///     .build()?;
/// let token = client.token().await?;
/// let response = reqwest::Client::new()
///     .get("https://my-api.dev.api.gov.bc.ca/")
///     .header(reqwest::header::AUTHORIZATION, token.authorization())
///     .send()
///     .await;
/// # let _ = response; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    config: Arc<Config>,
    default: CachedTokenSource<UncachedSource>,
    sources: Arc<Mutex<sources::Sources>>,
}

/// Everything a token request needs, shared by the client and its sources.
pub(crate) struct Config {
    pub(crate) http: reqwest::Client,
    pub(crate) endpoint: Endpoint,
    /// The issuer exactly as configured (trimmed), the default assertion audience.
    pub(crate) issuer: Option<String>,
    pub(crate) client_id: String,
    pub(crate) credential: RwLock<Credential>,
    pub(crate) assertion_audience: AssertionAudience,
    pub(crate) defaults: TokenRequest,
    pub(crate) default_lifetime: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) cache_policy: CachePolicy,
    pub(crate) allow_http_loopback: bool,
    /// How many per-request caches the client keeps besides the default one.
    pub(crate) max_cached_requests: usize,
}

impl Config {
    /// The credential in force (a clone: rotation may swap it at any time).
    pub(crate) fn credential(&self) -> Credential {
        read(&self.credential).clone()
    }

    /// The credential, for rotation.
    fn credential_mut(&self) -> std::sync::RwLockWriteGuard<'_, Credential> {
        write(&self.credential)
    }

    fn cache_key(&self, request: &TokenRequest) -> CacheKey {
        CacheKey {
            endpoint: self.endpoint.configured().to_string(),
            client_id: self.client_id.clone(),
            auth_method: self.credential().method().as_str(),
            request: request.clone(),
        }
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    fn from_config(config: Config) -> Self {
        let config = Arc::new(config);
        let request = config.defaults.clone();
        let key = config.cache_key(&request);
        let default = CachedTokenSource::with_policy(
            UncachedSource {
                config: Arc::clone(&config),
                request,
            },
            config.cache_policy.clone(),
        );
        let sources = sources::Sources::new(key, default.clone(), config.max_cached_requests);
        Self {
            config,
            default,
            sources: Arc::new(Mutex::new(sources)),
        }
    }

    /// A valid token for the configured scopes and parameters, from the cache when possible.
    ///
    /// # Errors
    ///
    /// When no token can be had; see [`Error`]. Transient failures were already retried.
    pub async fn token(&self) -> Result<Token> {
        self.default.token().await
    }

    /// A cached token source for other scopes or parameters, added to the configured ones.
    /// Sources for equal requests share one cache entry, so calling this again is cheap, but
    /// keep the source to skip the lookup. The client keeps at most
    /// [`max_cached_requests`](ClientBuilder::max_cached_requests) such entries (64 by
    /// default) besides its default one, dropping the least recently used: a dropped entry's
    /// token is requested again on next use, while sources already handed out keep theirs.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for reserved or malformed parameters.
    pub fn source(&self, request: &TokenRequest) -> Result<CachedTokenSource<UncachedSource>> {
        let request = self.config.defaults.merged(request);
        request.validate()?;
        let key = self.config.cache_key(&request);
        let source = lock(&self.sources).get_or_insert(key, || {
            CachedTokenSource::with_policy(
                UncachedSource {
                    config: Arc::clone(&self.config),
                    request,
                },
                self.config.cache_policy.clone(),
            )
        });
        Ok(source)
    }

    /// A valid token for the configured parameters plus `request`'s, cached per request.
    ///
    /// # Errors
    ///
    /// As [`source`](Self::source) and [`token`](Self::token).
    pub async fn token_for(&self, request: &TokenRequest) -> Result<Token> {
        self.source(request)?.token().await
    }

    /// A source that sends a new request on every call (no cache), with retries.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for reserved or malformed parameters.
    pub fn uncached(&self, request: &TokenRequest) -> Result<UncachedSource> {
        let request = self.config.defaults.merged(request);
        request.validate()?;
        Ok(UncachedSource {
            config: Arc::clone(&self.config),
            request,
        })
    }

    /// Drops the default cached token if it is still `rejected` (an API answered 401).
    pub fn invalidate(&self, rejected: &Token) {
        self.default.invalidate(rejected);
    }

    /// Replaces the client secret at run time (after the portal regenerated it). Cached tokens
    /// stay valid; the next request uses the new secret.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the client authenticates with a private key.
    pub fn rotate_secret(&self, secret: impl Into<ClientSecret>) -> Result<()> {
        match &mut *self.config.credential_mut() {
            Credential::Secret {
                secret: current, ..
            } => {
                *current = secret.into();
                Ok(())
            }
            Credential::Key(_) => Err(Error::config(
                "rotate_secret",
                "this client authenticates with a private key",
            )),
        }
    }

    /// Replaces the private key at run time (key rotation). Cached tokens stay valid; the next
    /// assertion is signed with the new key and its own [`kid`](aps_jwt::SigningKey::kid).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the client authenticates with a secret.
    pub fn rotate_key(&self, key: aps_jwt::SigningKey) -> Result<()> {
        match &mut *self.config.credential_mut() {
            Credential::Key(current) => {
                current.key = key;
                Ok(())
            }
            Credential::Secret { .. } => Err(Error::config(
                "rotate_key",
                "this client authenticates with a secret",
            )),
        }
    }

    /// Replaces the private key with a PEM key at run time. Its `kid` follows the rule of the
    /// key it replaces (see [`ClientBuilder::key_id`]): for a client built from a credential
    /// document, [`keycloak_key_id`](crate::keycloak_key_id), so that the `clientPrivateKey` of
    /// the portal's "regenerate credentials" works as is; otherwise the key's own `kid`.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the PEM cannot be read or the client authenticates with a secret.
    pub fn rotate_key_pem(&self, pem: impl Into<ClientSecret>) -> Result<()> {
        let rule = match &*read(&self.config.credential) {
            Credential::Key(current) => current.rule,
            Credential::Secret { .. } => {
                return Err(Error::config(
                    "rotate_key_pem",
                    "this client authenticates with a secret",
                ));
            }
        };
        self.rotate_key(key_from_pem(&pem.into(), rule)?)
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.config.client_id
    }

    /// How the client authenticates.
    pub fn auth_method(&self) -> AuthMethod {
        self.config.credential().method()
    }

    /// The token endpoint, running OIDC discovery when only an issuer was configured.
    ///
    /// # Errors
    ///
    /// When discovery fails.
    pub async fn token_endpoint(&self) -> Result<Url> {
        let (url, _) = self
            .config
            .endpoint
            .resolve(&self.config.http, self.config.allow_http_loopback)
            .await?;
        Ok(url)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("client_id", &self.config.client_id)
            .field("auth_method", &self.auth_method())
            .field("endpoint", &self.config.endpoint.configured().as_str())
            .field("defaults", &self.config.defaults)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl TokenSource for Client {
    async fn token(&self) -> Result<Token> {
        self.default.token().await
    }

    fn invalidate(&self, rejected: &Token) {
        self.default.invalidate(rejected);
    }
}
