//! A blocking facade for programs without an async runtime.

use std::fmt;
use std::sync::Arc;

use crate::{Error, Result, Token, TokenRequest};

/// A [`Client`](crate::Client) for synchronous code: each call blocks the calling thread. It owns
/// a one-worker tokio runtime on which the cache's background refreshes keep running between
/// calls. Cheap to clone; clones share the runtime and the cache.
///
/// ```no_run
/// let client = aps_client::Client::builder()
///     .issuer("https://dev.loginproxy.gov.bc.ca/auth/realms/apigw")
///     .client_id("my-client")
///     .client_secret("my-secret")
///     .build()?;
/// let client = aps_client::blocking::Client::new(client)?;
/// let token = client.token()?;
/// # let _ = token; Ok::<(), aps_client::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<Runtime>,
}

/// Shuts the runtime down without blocking, so dropping the facade is safe anywhere.
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Client")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Wraps an async client, starting its runtime (one worker thread).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the runtime cannot be started.
    pub fn new(inner: crate::Client) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("aps-client")
            .enable_all()
            .build()
            .map_err(|e| Error::config("blocking", format!("cannot start a runtime: {e}")))?;
        Ok(Self {
            inner,
            runtime: Arc::new(Runtime(Some(runtime))),
        })
    }

    fn block_on<T>(&self, future: impl Future<Output = Result<T>>) -> Result<T> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::config(
                "blocking",
                "called from async code; use aps_client::Client there",
            ));
        }
        match &self.runtime.0 {
            Some(runtime) => runtime.block_on(future),
            None => Err(Error::RefreshAborted),
        }
    }

    /// A valid token; see [`Client::token`](crate::Client::token).
    ///
    /// # Errors
    ///
    /// As the async method, and [`Error::Config`] when called from inside an async runtime.
    pub fn token(&self) -> Result<Token> {
        self.block_on(self.inner.token())
    }

    /// A valid token for more scopes or parameters; see
    /// [`Client::token_for`](crate::Client::token_for).
    ///
    /// # Errors
    ///
    /// As [`token`](Self::token).
    pub fn token_for(&self, request: &TokenRequest) -> Result<Token> {
        self.block_on(self.inner.token_for(request))
    }

    /// Drops the cached token if it is still `rejected` (an API answered 401).
    pub fn invalidate(&self, rejected: &Token) {
        self.inner.invalidate(rejected);
    }

    /// The async client inside.
    pub fn get_ref(&self) -> &crate::Client {
        &self.inner
    }
}
