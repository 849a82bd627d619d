//! Configuring and starting a [`DevIdp`]: bind the socket, settle the issuer, load or create
//! the realm, spawn the server.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use aps_jwt::{Algorithm, AssertionVerifier};

use super::config::{Config, DEFAULT_CLIENT_SCOPES, valid_realm_name};
use super::jwks_cache::JwksCache;
use super::keys::{self, KeyRing};
use super::realm::Realm;
use super::shared::Shared;
use super::{DevIdp, server, store};
use crate::{Error, Result};

/// Settings of a [`DevIdp`]; [`start`](Self::start) binds and serves. From
/// [`DevIdp::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct DevIdpBuilder {
    port: u16,
    realm: Option<String>,
    algorithm: Algorithm,
    token_lifetime: Duration,
    key_grace_period: Duration,
    client_scopes: Vec<String>,
    state_file: Option<PathBuf>,
    bind: Option<SocketAddr>,
}

impl Default for DevIdpBuilder {
    fn default() -> Self {
        Self {
            port: 0,
            realm: Some("apigw".to_owned()),
            algorithm: Algorithm::RS256,
            token_lifetime: Duration::from_secs(300),
            key_grace_period: Duration::from_secs(600),
            client_scopes: DEFAULT_CLIENT_SCOPES.map(str::to_owned).to_vec(),
            state_file: None,
            bind: None,
        }
    }
}

impl DevIdpBuilder {
    /// The port on 127.0.0.1. Defaults to 0: a free port the system picks (read it back with
    /// [`DevIdp::port`]).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The realm: the issuer is `http://127.0.0.1:PORT/realms/<realm>`, as Keycloak's. Letters,
    /// digits, `-`, `_` and `.` only. Defaults to `apigw`.
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = Some(realm.into());
        self
    }

    /// Makes the issuer the bare origin `http://127.0.0.1:PORT` (no path, no trailing slash),
    /// exactly that string in `iss`, in discovery and as the accepted assertion `aud`. Error
    /// messages then name the realm `dev`. Defaults to off (a `/realms/apigw` issuer).
    pub fn bare_issuer(mut self) -> Self {
        self.realm = None;
        self
    }

    /// The algorithm tokens are signed with: `RS256` (RSA 2048) or `ES256` (P-256); RS384/512
    /// and PS256/384/512 also work with an RSA key. Defaults to RS256. Keys read from a state
    /// file keep their own algorithm until the next rotation.
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Lifetime of access tokens (whole seconds, at least 1). Defaults to 300 s, Keycloak's.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// How long a signing key replaced by [`DevIdp::rotate_signing_key`] stays in the JWKS.
    /// Defaults to 10 minutes.
    pub fn key_grace_period(mut self, grace: Duration) -> Self {
        self.key_grace_period = grace;
        self
    }

    /// The realm's client scopes (what `set_grants` accepts), replacing the default ones:
    /// `Function1/read`, `Function2/*`, `Function3/write`, `Function3/read` and `roles`.
    pub fn client_scopes<I>(mut self, scopes: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.client_scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Keeps the realm (clients, secrets, signing keys) in this JSON file: read at start when
    /// it exists, created otherwise, and replaced atomically after every change (mode 0600).
    /// Restart on the same [`port`](Self::port) to keep the issuer, and tokens issued before
    /// stay valid. Defaults to none: the state lives in memory only.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Binds `addr` instead of 127.0.0.1, e.g. `0.0.0.0:8080` for a container. Dangerous: the
    /// IdP has no TLS and no rate limiting, and anyone who reaches it can try secrets. The
    /// issuer uses the bound address (`127.0.0.1` for an unspecified one). Overrides
    /// [`port`](Self::port). Defaults to none: loopback only.
    pub fn danger_bind(mut self, addr: SocketAddr) -> Self {
        self.bind = Some(addr);
        self
    }

    /// Binds the socket and starts serving.
    ///
    /// # Errors
    /// [`Error::Config`] for a bad realm name or lifetime, a port that cannot be bound, or an
    /// unreadable or corrupt state file (naming the file, with the line and column of a JSON
    /// problem); [`Error::Key`] if a key cannot be generated.
    pub async fn start(self) -> Result<DevIdp> {
        if let Some(realm) = &self.realm
            && !valid_realm_name(realm)
        {
            return Err(Error::config(
                "realm",
                format!("`{realm}`: use letters, digits, `-`, `_` and `.`"),
            ));
        }
        if self.token_lifetime.as_secs() == 0 {
            return Err(Error::config("token_lifetime", "must be at least 1 s"));
        }
        let loaded = match &self.state_file {
            Some(path) => store::load(path)?,
            None => None,
        };
        let bind = self
            .bind
            .unwrap_or(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), self.port));
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|e| Error::config("port", format!("cannot bind {bind}: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::config("port", format!("cannot read the bound address: {e}")))?;
        let mut shown = addr;
        if shown.ip().is_unspecified() {
            shown.set_ip(IpAddr::V4(Ipv4Addr::LOCALHOST));
        }
        let scopes: BTreeSet<String> = self.client_scopes.into_iter().collect();
        let config = Config::new(
            &format!("http://{shown}"),
            self.realm.as_deref(),
            self.algorithm,
            self.token_lifetime,
            self.key_grace_period,
            scopes,
        );
        let verifier = AssertionVerifier::builder()
            .audience(config.issuer())
            .audience(config.endpoints.token_endpoint.clone())
            .build()?;
        let jwks = JwksCache::new()
            .map_err(|e| Error::config("jwks", format!("cannot build the HTTP client: {e}")))?;
        let fresh = loaded.is_none();
        let realm = match loaded {
            Some(realm) => realm,
            None => Realm {
                clients: Default::default(),
                keys: KeyRing::new(keys::generate(self.algorithm)?),
            },
        };
        let shared = Arc::new(Shared::new(config, realm, self.state_file, verifier, jwks));
        if fresh {
            // Creates the file, so that the signing key outlives this process.
            shared.persist(&shared.read(Realm::clone)).await?;
        }
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = server::router(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "development IdP server stopped");
            }
        });
        Ok(DevIdp::new(shared, addr, stop, task))
    }
}
