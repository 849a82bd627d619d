//! What the server and the handle share: the settings, the realm behind a lock that is never
//! held across an await, and the one path by which the realm changes (checked on a copy,
//! written to the state file, then made current).

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use aps_jwt::AssertionVerifier;

use super::config::Config;
use super::jwks_cache::JwksCache;
use super::realm::Realm;
use super::store;
use crate::{Error, Result};

/// The state of one running development IdP.
#[derive(Debug)]
pub(super) struct Shared {
    /// Its settings.
    pub(super) config: Config,
    realm: Mutex<Realm>,
    /// Serialises changes, so that the state file is written in the order changes happen.
    changes: tokio::sync::Mutex<()>,
    state_file: Option<PathBuf>,
    /// Checks client assertions and remembers their `jti`s.
    pub(super) verifier: AssertionVerifier,
    /// Keys of clients registered with a JWKS URL.
    pub(super) jwks: JwksCache,
}

/// Seconds since the Unix epoch.
pub(super) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Shared {
    /// Shares `realm`, persisted to `state_file` if given.
    pub(super) fn new(
        config: Config,
        realm: Realm,
        state_file: Option<PathBuf>,
        verifier: AssertionVerifier,
        jwks: JwksCache,
    ) -> Self {
        Self {
            config,
            realm: Mutex::new(realm),
            changes: tokio::sync::Mutex::new(()),
            state_file,
            verifier,
            jwks,
        }
    }

    /// Reads the realm.
    pub(super) fn read<T>(&self, f: impl FnOnce(&Realm) -> T) -> T {
        f(&self.realm.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Applies `op` to a copy of the realm; when it succeeds, writes the state file (if any) and
    /// makes the copy current. When either fails, nothing changed.
    pub(super) async fn change<T>(
        &self,
        op: impl FnOnce(&mut Realm, &Config) -> Result<T>,
    ) -> Result<T> {
        let _serialised = self.changes.lock().await;
        let mut next = self.read(Realm::clone);
        let out = op(&mut next, &self.config)?;
        self.persist(&next).await?;
        *self.realm.lock().unwrap_or_else(PoisonError::into_inner) = next;
        Ok(out)
    }

    /// Writes `realm` to the state file, if there is one.
    pub(super) async fn persist(&self, realm: &Realm) -> Result<()> {
        let Some(path) = self.state_file.clone() else {
            return Ok(());
        };
        let text = store::render(realm, self.config.issuer())?;
        tokio::task::spawn_blocking(move || store::write_atomically(&path, &text))
            .await
            .map_err(|e| Error::config("state_file", format!("the writing task failed: {e}")))?
    }
}
