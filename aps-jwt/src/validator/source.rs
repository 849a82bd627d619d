//! The keys of one issuer: static, or fetched (discovery + JWKS) with a cache, a cooldown on
//! refetches, single-flight, and stale-if-error. The decision of what to do is a pure function
//! ([`plan`]) of the state and `now`; the async shell only does what it says.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use url::Url;

use crate::alg::Algorithm;
use crate::keyset::{KeyEntry, KeySet, Selection};
use crate::validation_error::ValidationError;
use crate::validator::http::{FetchError, Http};

/// How remote keys are kept fresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RemoteSettings {
    /// Minimum time between two fetches of one issuer's keys.
    pub(crate) cooldown: Duration,
    /// Age after which keys are refreshed (in the background, on use).
    pub(crate) max_age: Duration,
    /// How long past `max_age` known keys stay usable while refreshing fails.
    pub(crate) stale_if_error: Duration,
}

impl Default for RemoteSettings {
    fn default() -> Self {
        RemoteSettings {
            cooldown: Duration::from_secs(10),
            max_age: Duration::from_secs(300),
            stale_if_error: Duration::from_secs(3600),
        }
    }
}

/// Where remote keys come from.
#[derive(Debug, Clone)]
pub(crate) enum Endpoint {
    Discovery,
    JwksUri(Url),
}

/// What the hot path reads: cheap to copy out of the lock (one `Arc` clone).
#[derive(Debug, Clone, Default)]
pub(crate) struct State {
    pub(crate) keys: Arc<KeySet>,
    pub(crate) fetched_at: Option<SystemTime>,
    pub(crate) last_attempt: Option<SystemTime>,
    pub(crate) attempts: u64,
}

/// What to do for one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Use the key found.
    Use,
    /// Use the key found, and refresh the set in the background.
    UseAndRefresh,
    /// Fetch now and look again.
    Fetch,
    /// Refuse: the key is not known (401).
    Unknown,
    /// Refuse: keys cannot be had (503).
    Unavailable,
}

fn age(since: SystemTime, now: SystemTime) -> Duration {
    now.duration_since(since).unwrap_or(Duration::ZERO)
}

/// The pure decision, for a remote source.
pub(crate) fn plan(state: &State, s: &RemoteSettings, now: SystemTime, found: bool) -> Plan {
    let usable = state
        .fetched_at
        .is_some_and(|t| age(t, now) <= s.max_age + s.stale_if_error);
    let cooled = state.last_attempt.is_none_or(|t| age(t, now) >= s.cooldown);
    let stale = state.fetched_at.is_some_and(|t| age(t, now) > s.max_age);
    match (usable, found, cooled) {
        (true, true, true) if stale => Plan::UseAndRefresh,
        (true, true, _) => Plan::Use,
        (_, _, true) => Plan::Fetch,
        (true, false, false) => Plan::Unknown,
        (false, _, false) => Plan::Unavailable,
    }
}

struct Remote {
    endpoint: Endpoint,
    http: Http,
    settings: RemoteSettings,
    fetch_lock: tokio::sync::Mutex<()>,
    jwks_uri: Mutex<Option<Url>>,
    last_error: Mutex<Option<FetchError>>,
    fetches: AtomicU64,
}

/// One allowed issuer and its keys.
pub(crate) struct IssuerKeys {
    pub(crate) issuer: String,
    remote: Option<Remote>,
    state: RwLock<State>,
}

impl std::fmt::Debug for IssuerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerKeys")
            .field("issuer", &self.issuer)
            .field("remote", &self.remote.as_ref().map(|r| &r.endpoint))
            .finish_non_exhaustive()
    }
}

impl IssuerKeys {
    pub(crate) fn fixed(issuer: String, keys: KeySet) -> Self {
        IssuerKeys {
            issuer,
            remote: None,
            state: RwLock::new(State {
                keys: Arc::new(keys),
                ..State::default()
            }),
        }
    }

    pub(crate) fn remote(
        issuer: String,
        endpoint: Endpoint,
        http: Http,
        settings: RemoteSettings,
    ) -> Self {
        IssuerKeys {
            issuer,
            remote: Some(Remote {
                endpoint,
                http,
                settings,
                fetch_lock: tokio::sync::Mutex::new(()),
                jwks_uri: Mutex::new(None),
                last_error: Mutex::new(None),
                fetches: AtomicU64::new(0),
            }),
            state: RwLock::default(),
        }
    }

    fn snapshot(&self) -> State {
        self.state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The number of JWKS fetches started so far.
    pub(crate) fn fetches(&self) -> u64 {
        self.remote
            .as_ref()
            .map_or(0, |r| r.fetches.load(Ordering::Relaxed))
    }

    /// The current key set.
    pub(crate) fn keys(&self) -> Arc<KeySet> {
        Arc::clone(
            &self
                .state
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .keys,
        )
    }

    /// The keys that may verify a token with this `kid` and `alg`.
    pub(crate) async fn select(
        self: &Arc<Self>,
        kid: Option<&str>,
        alg: Algorithm,
        now: SystemTime,
    ) -> Result<Vec<KeyEntry>, ValidationError> {
        let state = self.snapshot();
        let found = pick(&state.keys, kid, alg)?;
        let Some(remote) = &self.remote else {
            return found.ok_or(ValidationError::UnknownKey);
        };
        match plan(&state, &remote.settings, now, found.is_some()) {
            Plan::Use => found.ok_or(ValidationError::UnknownKey),
            Plan::UseAndRefresh => {
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    let this = Arc::clone(self);
                    runtime.spawn(async move { this.refresh(state.attempts, now).await });
                }
                found.ok_or(ValidationError::UnknownKey)
            }
            Plan::Unknown => Err(ValidationError::UnknownKey),
            Plan::Unavailable => Err(ValidationError::KeysUnavailable),
            Plan::Fetch => {
                self.refresh(state.attempts, now).await;
                let state = self.snapshot();
                match pick(&state.keys, kid, alg)? {
                    Some(found)
                        if plan(&state, &remote.settings, now, true) != Plan::Unavailable =>
                    {
                        Ok(found)
                    }
                    _ if state.fetched_at.is_some_and(|t| {
                        age(t, now) <= remote.settings.max_age + remote.settings.stale_if_error
                    }) =>
                    {
                        Err(ValidationError::UnknownKey)
                    }
                    _ => Err(ValidationError::KeysUnavailable),
                }
            }
        }
    }

    /// Fetches the keys unless another fetch happened since `seen_attempts` (single-flight:
    /// concurrent callers wait for the one fetch in progress, then use its result).
    pub(crate) async fn refresh(&self, seen_attempts: u64, now: SystemTime) {
        let Some(remote) = &self.remote else { return };
        let _guard = remote.fetch_lock.lock().await;
        {
            let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
            if state.attempts != seen_attempts {
                return;
            }
            state.attempts += 1;
            state.last_attempt = Some(now);
        }
        remote.fetches.fetch_add(1, Ordering::Relaxed);
        let result = self.fetch(remote).await;
        let error = match result {
            Ok(mut keys) => {
                let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
                keys.succeed(&state.keys);
                state.keys = Arc::new(keys);
                state.fetched_at = Some(now);
                None
            }
            Err(err) => Some(err),
        };
        *remote
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = error;
    }

    /// Fetches now, ignoring the cooldown (startup warm-up, explicit refresh).
    pub(crate) async fn refresh_now(&self, now: SystemTime) -> Result<(), FetchError> {
        let Some(remote) = &self.remote else {
            return Ok(());
        };
        let attempts = self.snapshot().attempts;
        self.refresh(attempts, now).await;
        match remote
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
        {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    async fn fetch(&self, remote: &Remote) -> Result<KeySet, FetchError> {
        let uri = match &remote.endpoint {
            Endpoint::JwksUri(uri) => uri.clone(),
            Endpoint::Discovery => {
                let known = remote
                    .jwks_uri
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone();
                match known {
                    Some(uri) => uri,
                    None => {
                        let uri = remote.http.discover(&self.issuer).await?;
                        *remote
                            .jwks_uri
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner) = Some(uri.clone());
                        uri
                    }
                }
            }
        };
        let jwks = remote.http.jwks(&uri).await?;
        Ok(KeySet::from_jwks(&jwks))
    }
}

/// Looks a key up; a `kid` that exists but cannot verify `alg` is a hard refusal.
fn pick(
    keys: &KeySet,
    kid: Option<&str>,
    alg: Algorithm,
) -> Result<Option<Vec<KeyEntry>>, ValidationError> {
    match keys.select(kid, alg) {
        Selection::Found(entries) => Ok(Some(entries.into_iter().cloned().collect())),
        Selection::WrongAlgorithm => Err(ValidationError::AlgorithmNotAllowed),
        Selection::NotFound => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_800_000_000;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(T0 + secs)
    }

    fn state(fetched: Option<u64>, attempt: Option<u64>) -> State {
        State {
            fetched_at: fetched.map(at),
            last_attempt: attempt.map(at),
            ..State::default()
        }
    }

    #[test]
    fn plan_follows_cooldown_max_age_and_stale_window() {
        let s = RemoteSettings::default(); // cooldown 10 s, max age 300 s, stale 3600 s
        // Nothing fetched yet: fetch, unless a failed attempt is within the cooldown.
        assert_eq!(plan(&state(None, None), &s, at(0), false), Plan::Fetch);
        assert_eq!(
            plan(&state(None, Some(0)), &s, at(9), false),
            Plan::Unavailable
        );
        assert_eq!(plan(&state(None, Some(0)), &s, at(10), false), Plan::Fetch);
        // Fresh keys.
        assert_eq!(plan(&state(Some(0), Some(0)), &s, at(5), true), Plan::Use);
        assert_eq!(
            plan(&state(Some(0), Some(0)), &s, at(5), false),
            Plan::Unknown
        );
        assert_eq!(
            plan(&state(Some(0), Some(0)), &s, at(10), false),
            Plan::Fetch
        );
        // Stale: refresh in the background, keep serving.
        assert_eq!(
            plan(&state(Some(0), Some(0)), &s, at(301), true),
            Plan::UseAndRefresh
        );
        assert_eq!(
            plan(&state(Some(0), Some(300)), &s, at(301), true),
            Plan::Use
        );
        // Stale-if-error window: still usable until max age + stale window, then not.
        assert_eq!(
            plan(&state(Some(0), Some(3895)), &s, at(3900), true),
            Plan::Use
        );
        assert_eq!(
            plan(&state(Some(0), Some(3895)), &s, at(3901), true),
            Plan::Unavailable
        );
        assert_eq!(
            plan(&state(Some(0), Some(3800)), &s, at(3901), true),
            Plan::Fetch
        );
        // A clock that went backwards counts as no time passed.
        assert_eq!(
            plan(&state(Some(100), Some(100)), &s, at(50), true),
            Plan::Use
        );
    }
}
