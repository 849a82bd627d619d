//! The keys of one issuer: static, or fetched (discovery + JWKS) with a cache, a cooldown on
//! refetches, single-flight, and stale-if-error. The decision of what to do is a pure function
//! ([`plan`]) of the state and a monotonic `now`; the async shell only does what it says.
//!
//! A fetch runs in a task of its own, never inside a caller's future: every caller that needs
//! keys waits for the one fetch in flight (bounded by the fetch timeout) and then decides on
//! the new state, and a caller that is dropped (a client hanging up, a tower timeout) cancels
//! nothing but its own wait.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::watch;
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
    /// The longest one fetch (discovery and JWKS together) may take.
    pub(crate) timeout: Duration,
}

impl Default for RemoteSettings {
    fn default() -> Self {
        RemoteSettings {
            cooldown: Duration::from_secs(10),
            max_age: Duration::from_secs(300),
            stale_if_error: Duration::from_secs(3600),
            timeout: Duration::from_secs(5),
        }
    }
}

impl RemoteSettings {
    /// How long fetched keys stay usable: max age plus the stale window (saturating, so that
    /// `Duration::MAX` means "for ever" instead of an overflow).
    fn usable_for(&self) -> Duration {
        self.max_age.saturating_add(self.stale_if_error)
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
    pub(crate) fetched_at: Option<Instant>,
    pub(crate) last_attempt: Option<Instant>,
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
    /// Refuse: the key is not known (401), unless a fetch in flight brings it.
    Unknown,
    /// Refuse: keys cannot be had (503), unless a fetch in flight brings them.
    Unavailable,
}

fn age(since: Instant, now: Instant) -> Duration {
    now.saturating_duration_since(since)
}

fn usable(state: &State, s: &RemoteSettings, now: Instant) -> bool {
    state
        .fetched_at
        .is_some_and(|t| age(t, now) <= s.usable_for())
}

/// The pure decision, for a remote source.
pub(crate) fn plan(state: &State, s: &RemoteSettings, now: Instant, found: bool) -> Plan {
    let usable = usable(state, s, now);
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

/// The outcome of the fetch in flight: `None` until it ends.
type Outcome = Option<Result<(), FetchError>>;

struct Remote {
    endpoint: Endpoint,
    http: Http,
    settings: RemoteSettings,
    /// A set without a key for any of these is a failed fetch.
    algorithms: Vec<Algorithm>,
    /// The fetch in flight (or the last one): its outcome, when it ends.
    flight: Mutex<Option<watch::Receiver<Outcome>>>,
    jwks_uri: Mutex<Option<Url>>,
    fetches: AtomicU64,
}

fn running(flight: &watch::Receiver<Outcome>) -> bool {
    // A task that ended without an outcome (it panicked) dropped its sender: not running.
    flight.borrow().is_none() && flight.has_changed().is_ok()
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

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
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
        algorithms: Vec<Algorithm>,
    ) -> Self {
        IssuerKeys {
            issuer,
            remote: Some(Remote {
                endpoint,
                http,
                settings,
                algorithms,
                flight: Mutex::new(None),
                jwks_uri: Mutex::new(None),
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

    /// The keys that may verify a token with this `kid` and `alg`; `now` is a monotonic
    /// reading.
    pub(crate) async fn select(
        self: &Arc<Self>,
        kid: Option<&str>,
        alg: Algorithm,
        now: Instant,
    ) -> Result<Vec<KeyEntry>, ValidationError> {
        let state = self.snapshot();
        let found = pick(&state.keys, kid, alg)?;
        let Some(remote) = &self.remote else {
            return found.ok_or(ValidationError::UnknownKey);
        };
        let flight = match plan(&state, &remote.settings, now, found.is_some()) {
            Plan::Use => return found.ok_or(ValidationError::UnknownKey),
            Plan::UseAndRefresh => {
                // Nobody waits for it: the task runs on its own.
                drop(self.start(Some(state.attempts), now));
                return found.ok_or(ValidationError::UnknownKey);
            }
            Plan::Fetch => self.start(Some(state.attempts), now),
            // Within the cooldown: a fetch already in flight may still bring the key.
            Plan::Unknown | Plan::Unavailable => self.in_flight(),
        };
        if let Some(flight) = flight {
            // Its outcome is in the state; a failure keeps the known keys.
            let _ = self.wait(flight, &remote.settings).await;
        }
        // Decide on the state as it is now (also when no fetch was in flight: one may have
        // ended since the snapshot above).
        let state = self.snapshot();
        let usable = usable(&state, &remote.settings, now);
        match pick(&state.keys, kid, alg)? {
            Some(found) if usable => Ok(found),
            _ if usable => Err(ValidationError::UnknownKey),
            _ => Err(ValidationError::KeysUnavailable),
        }
    }

    /// The fetch in flight, if there is one.
    fn in_flight(&self) -> Option<watch::Receiver<Outcome>> {
        let remote = self.remote.as_ref()?;
        lock(&remote.flight)
            .as_ref()
            .filter(|f| running(f))
            .cloned()
    }

    /// Starts a fetch in a task of its own and returns it to wait on; joins the one in flight
    /// if there is one. With `seen_attempts`, starts none (and returns `None`) if a fetch was
    /// started since that count was read (single-flight across the cooldown).
    fn start(
        self: &Arc<Self>,
        seen_attempts: Option<u64>,
        now: Instant,
    ) -> Option<watch::Receiver<Outcome>> {
        let remote = self.remote.as_ref()?;
        let mut flight = lock(&remote.flight);
        if let Some(running) = flight.as_ref().filter(|f| running(f)) {
            return Some(running.clone());
        }
        {
            let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
            if seen_attempts.is_some_and(|seen| seen != state.attempts) {
                return None;
            }
            state.attempts += 1;
            state.last_attempt = Some(now);
        }
        remote.fetches.fetch_add(1, Ordering::Relaxed);
        let (done, outcome) = watch::channel(None);
        *flight = Some(outcome.clone());
        drop(flight);
        let this = Arc::clone(self);
        let task = async move {
            let result = this.fetch_and_store(now).await;
            done.send_replace(Some(result));
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn(task)),
            // reqwest needs a tokio runtime anyway: without one, the fetch fails (the dropped
            // task drops its sender, which ends every wait).
            Err(_) => drop(task),
        }
        Some(outcome)
    }

    /// Fetches now, ignoring the cooldown (startup warm-up, explicit refresh), or joins the
    /// fetch in flight.
    pub(crate) async fn refresh_now(self: &Arc<Self>, now: Instant) -> Result<(), FetchError> {
        let Some(remote) = &self.remote else {
            return Ok(());
        };
        match self.start(None, now) {
            Some(flight) => self.wait(flight, &remote.settings).await,
            None => Ok(()),
        }
    }

    /// One fetch, bounded by the timeout; stores the keys if they are usable, keeps the known
    /// ones otherwise.
    async fn fetch_and_store(&self, attempt: Instant) -> Result<(), FetchError> {
        let Some(remote) = &self.remote else {
            return Ok(());
        };
        let started = Instant::now();
        let result = tokio::time::timeout(remote.settings.timeout, self.fetch(remote))
            .await
            .unwrap_or_else(|_| {
                Err(FetchError::Request {
                    url: self.issuer.clone(),
                    reason: "timeout",
                })
            });
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        match result {
            Ok((mut keys, url)) => {
                for skipped in &keys.skipped {
                    tracing::debug!(
                        target: "aps_jwt",
                        issuer = %self.issuer,
                        kid = skipped.kid.as_deref().unwrap_or(""),
                        reason = %skipped.reason,
                        "JWKS key skipped"
                    );
                }
                tracing::info!(
                    target: "aps_jwt",
                    issuer = %self.issuer,
                    url = %url,
                    outcome = "ok",
                    duration_ms = elapsed_ms,
                    keys = keys.len(),
                    skipped = keys.skipped.len(),
                    "JWKS fetched"
                );
                let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
                keys.succeed(&state.keys);
                state.keys = Arc::new(keys);
                state.fetched_at = Some(attempt);
                Ok(())
            }
            Err(err) => {
                tracing::warn!(
                    target: "aps_jwt",
                    issuer = %self.issuer,
                    outcome = "failed",
                    duration_ms = elapsed_ms,
                    error = %err,
                    known_keys = self.keys().len(),
                    "JWKS fetch failed; keeping the known keys"
                );
                self.log_stale(remote, attempt);
                Err(err)
            }
        }
    }

    /// Waits for a fetch to end, at most for its timeout (plus a margin: the task bounds
    /// itself, so the margin is never reached unless the runtime is starved).
    async fn wait(
        &self,
        mut flight: watch::Receiver<Outcome>,
        settings: &RemoteSettings,
    ) -> Result<(), FetchError> {
        let bound = settings.timeout.saturating_add(Duration::from_secs(1));
        let failed = |reason| FetchError::Request {
            url: self.issuer.clone(),
            reason,
        };
        match tokio::time::timeout(bound, flight.wait_for(Option::is_some)).await {
            Ok(Ok(outcome)) => outcome.clone().unwrap_or(Ok(())),
            Ok(Err(_)) => Err(failed("the fetch task ended")),
            Err(_) => Err(failed("timeout")),
        }
    }

    /// After a failed refresh: says when the keys in use are past their max age (stale-if-error),
    /// and how long they remain usable. Once per attempt, so at most once per cooldown.
    fn log_stale(&self, remote: &Remote, attempt: Instant) {
        let Some(fetched) = self.snapshot().fetched_at else {
            return;
        };
        let age = age(fetched, attempt);
        if age > remote.settings.max_age {
            let left = remote.settings.usable_for().saturating_sub(age);
            tracing::warn!(
                target: "aps_jwt",
                issuer = %self.issuer,
                age_s = age.as_secs(),
                usable_for_s = left.as_secs(),
                "using stale keys (stale-if-error): refreshing them fails"
            );
        }
    }

    /// Discovery (the `jwks_uri` found once, looked up again when it stops working) and JWKS.
    async fn fetch(&self, remote: &Remote) -> Result<(KeySet, Url), FetchError> {
        let uri = match &remote.endpoint {
            Endpoint::JwksUri(uri) => return self.load(remote, uri).await,
            Endpoint::Discovery => lock(&remote.jwks_uri).clone(),
        };
        if let Some(known) = uri {
            let err = match self.load(remote, &known).await {
                Ok(loaded) => return Ok(loaded),
                Err(err) => err,
            };
            // The JWKS URL may have moved (a new IdP deployment): discover it again, and try
            // the new one if it differs.
            *lock(&remote.jwks_uri) = None;
            let fresh = remote.http.discover(&self.issuer).await?;
            *lock(&remote.jwks_uri) = Some(fresh.clone());
            if fresh == known {
                return Err(err);
            }
            tracing::info!(
                target: "aps_jwt",
                issuer = %self.issuer,
                old = %known,
                new = %fresh,
                "the discovery document names a new jwks_uri"
            );
            return self.load(remote, &fresh).await;
        }
        let fresh = remote.http.discover(&self.issuer).await?;
        *lock(&remote.jwks_uri) = Some(fresh.clone());
        self.load(remote, &fresh).await
    }

    /// Downloads a JWKS; a set without a key for the allowed algorithms is a failure.
    async fn load(&self, remote: &Remote, uri: &Url) -> Result<(KeySet, Url), FetchError> {
        let jwks = remote.http.jwks(uri).await?;
        let keys = KeySet::from_jwks(&jwks);
        if !keys.usable_for(&remote.algorithms) {
            return Err(FetchError::NoUsableKey {
                url: uri.to_string(),
                skipped: keys.skipped.len(),
            });
        }
        Ok((keys, uri.clone()))
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

    fn at(secs: u64) -> Instant {
        static T0: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
        *T0.get_or_init(Instant::now) + Duration::from_secs(secs)
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
        // Settings of Duration::MAX saturate: usable for ever, never refetched, no panic.
        let forever = RemoteSettings {
            cooldown: Duration::MAX,
            max_age: Duration::MAX,
            stale_if_error: Duration::MAX,
            timeout: Duration::MAX,
        };
        assert_eq!(
            plan(&state(Some(0), Some(0)), &forever, at(1 << 40), true),
            Plan::Use
        );
        // A clock that went backwards counts as no time passed.
        assert_eq!(
            plan(&state(Some(100), Some(100)), &s, at(50), true),
            Plan::Use
        );
    }
}
