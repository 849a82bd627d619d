//! The embedded development IdP, [`DevIdp`]: a small, strict OpenID Provider inside the
//! process, for examples and tests only (plain HTTP on 127.0.0.1, no rate limiting, keys in
//! memory or a plain file).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> aps_idp::Result<()> {
//! let idp = aps_idp::DevIdp::start().await?;
//! assert!(idp.issuer().starts_with("http://127.0.0.1:"));
//! assert!(idp.issuer().ends_with("/realms/apigw"));
//! idp.shutdown().await;
//! # Ok(()) }
//! ```

mod authenticate;
mod builder;
mod client;
mod client_key;
mod config;
mod issue;
mod jwks_cache;
mod keys;
mod oauth_error;
mod provider;
mod random;
mod realm;
mod request;
mod server;
mod shared;
mod store;

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

pub use builder::DevIdpBuilder;
use shared::{Shared, unix_now};

use crate::Result;

/// A running development IdP: a small, strict OpenID Provider inside the process over real
/// HTTP, and an [`IdentityProvider`](crate::IdentityProvider), for examples and tests.
///
/// It has no authorization services: UMA 2.0 resource permissions
/// ([`grant_resource_access`](crate::IdentityProvider::grant_resource_access)) fail with
/// [`Error::Unsupported`](crate::Error::Unsupported), so a profile with `resourceType` cannot be
/// approved on it.
///
/// **For development and tests only.** It serves plain HTTP (no TLS) on 127.0.0.1, has no
/// rate limiting and no brute-force protection, keeps its state in memory or in a plain JSON
/// file holding client secrets and the private signing keys, and promises nothing beyond that
/// file. Never put it in front of anything real.
///
/// What it does, as Keycloak does for the client-credentials grant:
/// - discovery at `{issuer}/.well-known/openid-configuration`, its keys at
///   `{issuer}/protocol/openid-connect/certs`, tokens at `{issuer}/protocol/openid-connect/token`;
/// - client authentication with `client_secret_basic` (id and secret form-decoded, RFC 6749
///   section 2.3.1), `client_secret_post` and `private_key_jwt` (RFC 7523; keys as a PEM public
///   key or certificate, with Keycloak's `kid`, or a JWKS URL), one method per request;
/// - access tokens shaped like Keycloak's (`typ: Bearer`, `azp`, `scope`, `resource_access`,
///   `clientId`, `client_id`, `preferred_username: service-account-<client>`) and RFC 6749
///   section 5.2 errors;
/// - signing-key rotation with a grace period, and [`IdentityProvider`](crate::IdentityProvider)
///   for the portal's operations.
///
/// Where it differs from Keycloak:
/// - a wrong secret is `401 invalid_client` (Keycloak: `401 unauthorized_client`), and so is a
///   failed signed JWT (Keycloak: `400 invalid_client`); error descriptions say more;
/// - `resource_access` always lists the granted roles (Keycloak needs the `roles` scope), and
///   `aud` holds the audience mappers' values, then every client whose roles it carries (as
///   Keycloak's audience resolution);
/// - `scope=openid` is accepted but no ID token is issued; clients have no built-in scopes
///   (`profile`, `email` ...), so `ClientState::default_scopes` lists exactly the granted ones;
/// - `preferred_username` is lower-cased as Keycloak's user names are; there is no `nbf`,
///   `realm_access`, `clientHost` or `clientAddress`;
/// - a bearer-only (profile) client has no secret: `client_secret` answers `Conflict`.
///
/// # Example
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use aps_idp::{Authentication, ClientGrants, DevIdp, IdentityProvider, NewClient};
///
/// let idp = DevIdp::start().await?; // http://127.0.0.1:<port>/realms/apigw
/// let new = NewClient::new("my-app", Authentication::Secret(None));
/// let secret = idp.register_client(&new).await?.expect("a secret client");
/// idp.set_grants("my-app", &ClientGrants::scopes(["Function1/read"])).await?;
/// idp.set_enabled("my-app", true).await?;
///
/// let client = aps_client::Client::builder()
///     .issuer(idp.issuer())
///     .client_id("my-app")
///     .client_secret(secret)
///     .danger_allow_http_loopback(true)
///     .build()?;
/// let token = client.token().await?;
/// assert!(token.scopes().any(|s| s == "Function1/read"));
/// idp.shutdown().await;
/// # Ok(()) }
/// ```
///
/// Cloning shares the same server. It stops on [`shutdown`](Self::shutdown), or when the
/// last clone is dropped (the server task is aborted). `Debug` shows no key or secret.
#[derive(Clone)]
pub struct DevIdp {
    shared: Arc<Shared>,
    server: Arc<Server>,
}

/// The server task, aborted when the last handle goes.
struct Server {
    addr: SocketAddr,
    stop: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(task) = self
            .task
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            task.abort();
        }
    }
}

impl DevIdp {
    /// Starts an IdP with the defaults: an ephemeral port on 127.0.0.1, realm `apigw`, RS256,
    /// 300 s tokens, in memory.
    ///
    /// # Errors
    /// As [`DevIdpBuilder::start`].
    pub async fn start() -> Result<Self> {
        Self::builder().start().await
    }

    /// Starts configuring an IdP.
    pub fn builder() -> DevIdpBuilder {
        DevIdpBuilder::default()
    }

    fn new(
        shared: Arc<Shared>,
        addr: SocketAddr,
        stop: tokio::sync::oneshot::Sender<()>,
        task: tokio::task::JoinHandle<()>,
    ) -> Self {
        Self {
            shared,
            server: Arc::new(Server {
                addr,
                stop: Mutex::new(Some(stop)),
                task: Mutex::new(Some(task)),
            }),
        }
    }

    /// The issuer, exactly as tokens carry it in `iss`.
    pub fn issuer(&self) -> &str {
        self.shared.config.issuer()
    }

    /// The realm name (`dev` for a bare issuer), as error messages name it.
    pub fn realm(&self) -> &str {
        &self.shared.config.realm
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.server.addr.port()
    }

    /// Publishes a new signing key and signs every new token with it; the previous key stays
    /// in the JWKS for the grace period (so that tokens it signed keep validating), then goes.
    /// Returns the new key's `kid`.
    ///
    /// # Errors
    /// [`Error::Key`](crate::Error::Key) if a key cannot be generated,
    /// [`Error::Config`](crate::Error::Config) if the state file cannot be written.
    pub async fn rotate_signing_key(&self) -> Result<String> {
        let key = keys::generate(self.shared.config.algorithm)?;
        let kid = key.kid().to_owned();
        self.shared
            .change(|realm, config| {
                realm.keys.rotate(key, unix_now(), config.key_grace);
                Ok(())
            })
            .await?;
        Ok(kid)
    }

    /// Stops the server gracefully: requests in flight are answered (for up to 5 s), idle
    /// connections closed. Every clone of this handle stops serving too.
    pub async fn shutdown(self) {
        if let Some(stop) = self
            .server
            .stop
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            let _ = stop.send(());
        }
        let task = self
            .server
            .task
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(mut task) = task
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl fmt::Debug for DevIdp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (clients, kid) = self
            .shared
            .read(|r| (r.clients.len(), r.keys.current().kid().to_owned()));
        f.debug_struct("DevIdp")
            .field("issuer", &self.issuer())
            .field("addr", &self.server.addr)
            .field("clients", &clients)
            .field("signing_kid", &kid)
            .finish_non_exhaustive()
    }
}

/// Compile-time checks: the handle is shared across tasks and used as
/// `Arc<dyn IdentityProvider>`.
const _: () = {
    const fn send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    send_sync_clone::<DevIdp>();
    send_sync_clone::<DevIdpBuilder>();
    fn _object_safe(idp: DevIdp) -> Arc<dyn crate::IdentityProvider> {
        Arc::new(idp)
    }
};
