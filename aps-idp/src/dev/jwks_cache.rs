//! The keys of clients registered with a JWKS URL: fetched on demand (2 s, 64 KiB, no
//! redirects), cached per client, fetched again for an unknown `kid` at most every
//! [`COOLDOWN`] seconds, and at the latest after [`MAX_AGE`]. A failed fetch is remembered for
//! the cooldown too, so a broken JWKS URL is not fetched on every request. (Requests that miss
//! at the same moment may each fetch: a development IdP, not a gateway.) The decision is
//! [`plan`], a pure function of the cache entry and `now`; [`JwksCache`] only fetches.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use aps_jwt::{Jwks, VerifyingKey};
use url::Url;

/// Least time between two fetches of one client's keys, in seconds.
pub(super) const COOLDOWN: u64 = 10;
/// Cached keys are fetched again after this many seconds.
pub(super) const MAX_AGE: u64 = 300;
/// Largest JWKS document read.
const MAX_BYTES: usize = 64 * 1024;
/// Time allowed for one fetch.
const TIMEOUT: Duration = Duration::from_secs(2);

/// One client's cached keys.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    url: Url,
    keys: Vec<VerifyingKey>,
    fetched_at: u64,
    /// Why the last fetch failed, if it did.
    failure: Option<String>,
}

/// What to do for a key lookup.
#[derive(Debug)]
pub(super) enum Plan {
    /// Use these keys.
    Use(Vec<VerifyingKey>),
    /// Fetch the JWKS first.
    Fetch,
    /// The last fetch failed inside the cooldown: refuse with its reason.
    Failed(String),
}

/// Whether the cached entry answers a lookup for `kid` at `now`.
pub(super) fn plan(entry: Option<&Entry>, url: &Url, kid: Option<&str>, now: u64) -> Plan {
    let Some(entry) = entry.filter(|e| e.url == *url) else {
        return Plan::Fetch;
    };
    let age = now.saturating_sub(entry.fetched_at);
    let known = kid.is_none_or(|kid| entry.keys.iter().any(|k| k.kid() == Some(kid)));
    match &entry.failure {
        _ if age >= MAX_AGE => Plan::Fetch,
        _ if !known && age >= COOLDOWN => Plan::Fetch,
        Some(failure) if !known => Plan::Failed(failure.clone()),
        _ => Plan::Use(entry.keys.clone()),
    }
}

/// The per-client cache and the HTTP client that fills it.
#[derive(Debug)]
pub(super) struct JwksCache {
    entries: Mutex<HashMap<String, Entry>>,
    http: reqwest::Client,
}

impl JwksCache {
    /// An empty cache.
    pub(super) fn new() -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            entries: Mutex::new(HashMap::new()),
            http,
        })
    }

    /// The keys of `client_id` at `url` for an assertion with `kid`.
    ///
    /// # Errors
    /// Why the JWKS could not be fetched or read.
    pub(super) async fn keys(
        &self,
        client_id: &str,
        url: &Url,
        kid: Option<&str>,
        now: u64,
    ) -> Result<Vec<VerifyingKey>, String> {
        let cached = self.lock().get(client_id).cloned();
        match plan(cached.as_ref(), url, kid, now) {
            Plan::Use(keys) => return Ok(keys),
            Plan::Failed(failure) => return Err(failure),
            Plan::Fetch => {}
        }
        let fetched = self.fetch(url).await;
        let (keys, failure) = match &fetched {
            Ok(keys) => (keys.clone(), None),
            // Keep the keys known before; remember the failure for the cooldown.
            Err(failure) => (
                cached
                    .filter(|e| e.url == *url)
                    .map(|e| e.keys)
                    .unwrap_or_default(),
                Some(failure.clone()),
            ),
        };
        let entry = Entry {
            url: url.clone(),
            keys,
            fetched_at: now,
            failure,
        };
        self.lock().insert(client_id.to_owned(), entry);
        fetched
    }

    /// Forgets a client's keys (its key was replaced or it was deleted).
    pub(super) fn forget(&self, client_id: &str) {
        self.lock().remove(client_id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn fetch(&self, url: &Url) -> Result<Vec<VerifyingKey>, String> {
        let mut response = self
            .http
            .get(url.clone())
            .send()
            .await
            .map_err(|e| format!("cannot fetch the JWKS: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("the JWKS URL answered {}", response.status()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("cannot read the JWKS: {e}"))?
        {
            if body.len() + chunk.len() > MAX_BYTES {
                return Err(format!("the JWKS is larger than {MAX_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        let jwks = Jwks::from_slice(&body).map_err(|e| format!("the JWKS is not valid: {e}"))?;
        Ok(jwks
            .keys
            .iter()
            .filter_map(|jwk| VerifyingKey::from_jwk(jwk).ok())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aps_jwt::SigningKey;

    #[test]
    fn refetch_on_unknown_kid_only_after_the_cooldown() {
        let url = Url::parse("http://127.0.0.1:1/jwks").unwrap();
        let key = SigningKey::generate_p256().unwrap().with_kid("k1");
        let entry = Entry {
            url: url.clone(),
            keys: vec![key.verifying_key().unwrap()],
            fetched_at: 1000,
            failure: None,
        };
        assert!(matches!(plan(None, &url, Some("k1"), 1000), Plan::Fetch));
        assert!(matches!(
            plan(Some(&entry), &url, Some("k1"), 1001),
            Plan::Use(_)
        ));
        assert!(matches!(plan(Some(&entry), &url, None, 1001), Plan::Use(_)));
        assert!(matches!(
            plan(Some(&entry), &url, Some("k2"), 1009),
            Plan::Use(_)
        ));
        assert!(matches!(
            plan(Some(&entry), &url, Some("k2"), 1010),
            Plan::Fetch
        ));
        assert!(matches!(
            plan(Some(&entry), &url, Some("k1"), 1300),
            Plan::Fetch
        ));
        let other = Url::parse("http://127.0.0.1:2/jwks").unwrap();
        assert!(matches!(
            plan(Some(&entry), &other, Some("k1"), 1001),
            Plan::Fetch
        ));
    }

    #[test]
    fn a_failed_fetch_is_not_repeated_inside_the_cooldown() {
        let url = Url::parse("http://127.0.0.1:1/jwks").unwrap();
        let failed = Entry {
            url: url.clone(),
            keys: Vec::new(),
            fetched_at: 1000,
            failure: Some("the JWKS URL answered 500".into()),
        };
        assert!(matches!(
            plan(Some(&failed), &url, Some("k1"), 1009),
            Plan::Failed(reason) if reason.contains("500")
        ));
        assert!(matches!(
            plan(Some(&failed), &url, Some("k1"), 1010),
            Plan::Fetch
        ));
    }
}
