//! The caching token source: reuse until expiry minus a margin, refresh ahead of expiry in the
//! background, one refresh in flight, holders of a valid token never wait.

mod decision;

use std::fmt;
use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::watch;
use tokio::time::Instant;

pub use decision::CachePolicy;
use decision::{Decision, Refreshing, Schedule};

use crate::sync::{lock, read, write};
use crate::{Error, Result, Token, TokenSource};

/// Caches the tokens of another [`TokenSource`], like Go's `ReuseTokenSource`, but without
/// making callers queue behind a lock.
///
/// - A fresh token is handed out with one read lock and one reference-count increment.
/// - Once the token is due for refresh, the first caller starts a background refresh and gets
///   the current token at once, as do all callers until the new token arrives.
/// - With no usable token, callers wait for the one refresh in flight: any number of concurrent
///   callers cause exactly one request.
/// - When a background refresh fails, the still-valid token is served and the refresh is
///   retried after a growing backoff.
/// - After a transient failure (connection, timeout, 5xx, 429), callers without a usable token
///   get [`Error::Backoff`] at once, with the last error and the time left to wait, until the
///   server's `Retry-After` (or the backoff, at most 5 minutes) is over: no request is sent
///   meanwhile.
///
/// The refresh runs in its own tokio task, so a caller that gives up (a dropped future, a
/// timeout) does not cancel it for the others. Cloning is cheap and clones share the cache.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> aps_client::Result<()> {
/// use aps_client::{CachedTokenSource, Token, TokenSource};
/// use std::time::Duration;
///
/// #[derive(Debug)]
/// struct Issuer;
/// #[async_trait::async_trait]
/// impl TokenSource for Issuer {
///     async fn token(&self) -> aps_client::Result<Token> {
///         Token::from_parts("abc", Duration::from_secs(300), None)
///     }
/// }
///
/// let cached = CachedTokenSource::new(Issuer);
/// let first = cached.token().await?;
/// assert!(first.same_as(&cached.token().await?));
/// # Ok(()) }
/// ```
pub struct CachedTokenSource<S> {
    shared: Arc<Shared<S>>,
}

struct Shared<S> {
    source: S,
    policy: CachePolicy,
    current: RwLock<Option<Entry>>,
    flight: Mutex<Flight>,
}

#[derive(Clone)]
struct Entry {
    token: Token,
    schedule: Schedule,
}

type Outcome = Option<Result<Token>>;

/// The longest wait before another background refresh after a failure.
const MAX_BACKOFF: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// The longest time callers without a usable token are answered with the last transient error
/// instead of a new request: an absurd `Retry-After` must not keep a client down for a day.
const MAX_FAIL_FAST: std::time::Duration = std::time::Duration::from_secs(5 * 60);

#[derive(Default)]
struct Flight {
    in_flight: Option<Arc<watch::Sender<Outcome>>>,
    failures: u32,
    retry_at: Option<Instant>,
    /// After a transient failure: the error, and until when callers without a usable token get
    /// it at once (the server's `Retry-After` or the backoff, at most [`MAX_FAIL_FAST`]).
    last_failure: Option<(Error, Instant)>,
}

impl<S> Clone for CachedTokenSource<S> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for CachedTokenSource<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedTokenSource")
            .field("source", &self.shared.source)
            .field("policy", &self.shared.policy)
            .field(
                "cached",
                &read(&self.shared.current)
                    .as_ref()
                    .map(|e| e.token.expires_in()),
            )
            .finish()
    }
}

impl<S: TokenSource + 'static> CachedTokenSource<S> {
    /// Caches `source` with the default [`CachePolicy`].
    pub fn new(source: S) -> Self {
        Self::with_policy(source, CachePolicy::default())
    }

    /// Caches `source` with `policy`.
    pub fn with_policy(source: S, policy: CachePolicy) -> Self {
        Self {
            shared: Arc::new(Shared {
                source,
                policy,
                current: RwLock::new(None),
                flight: Mutex::new(Flight::default()),
            }),
        }
    }

    /// A valid token: the cached one, or a new one from the source.
    ///
    /// # Errors
    ///
    /// When there is no usable cached token and the refresh fails; every caller that waited
    /// for that refresh gets the same error.
    pub async fn token(&self) -> Result<Token> {
        let now = Instant::now();
        let cached = read(&self.shared.current).clone();
        if let Some(entry) = cached
            && entry.schedule.usable(now)
        {
            if entry.schedule.refresh_due(now) {
                self.maybe_refresh_in_background(&entry, now);
            }
            return Ok(entry.token);
        }
        self.wait_for_refresh().await
    }

    /// The underlying source.
    pub fn source(&self) -> &S {
        &self.shared.source
    }

    /// The cached token, if any, without refreshing (it may be expired).
    pub fn cached(&self) -> Option<Token> {
        read(&self.shared.current).as_ref().map(|e| e.token.clone())
    }

    /// Drops the cached token if it is still `rejected` (see [`TokenSource::invalidate`]).
    pub fn invalidate(&self, rejected: &Token) {
        {
            let mut current = write(&self.shared.current);
            if current.as_ref().is_some_and(|e| e.token.same_as(rejected)) {
                *current = None;
            }
        }
        self.shared.source.invalidate(rejected);
    }

    /// Drops the cached token, whatever it is.
    pub fn clear(&self) {
        *write(&self.shared.current) = None;
    }

    /// Starts a background refresh if one is due. `seen` is the entry the caller read before
    /// taking the flight lock; the decision is made on the entry in the cache *under* the lock,
    /// since a refresh may have finished in between (then there is nothing to do).
    fn maybe_refresh_in_background(&self, seen: &Entry, now: Instant) {
        let started = {
            let mut flight = lock(&self.shared.flight);
            let current = read(&self.shared.current).clone();
            let schedule = current.map_or(seen.schedule, |entry| entry.schedule);
            let refreshing = Refreshing {
                in_flight: flight.in_flight.is_some(),
                retry_at: flight.retry_at,
            };
            (schedule.decide(now, refreshing) == Decision::ServeAndRefresh)
                .then(|| self.start(&mut flight).0)
        };
        if let Some(guard) = started {
            tracing::debug!(target: "aps_client", "token due for refresh; refreshing in the background");
            spawn(guard);
        }
    }

    async fn wait_for_refresh(&self) -> Result<Token> {
        let (mut receiver, started) = {
            let mut flight = lock(&self.shared.flight);
            // A refresh may have finished between the first look and taking the lock: it stores
            // the token before it clears `in_flight`, so one of the two is seen here.
            if let Some(entry) = read(&self.shared.current).as_ref()
                && entry.schedule.usable(Instant::now())
            {
                return Ok(entry.token.clone());
            }
            if flight.in_flight.is_none()
                && let Some((last, until)) = &flight.last_failure
            {
                let now = Instant::now();
                if now < *until {
                    return Err(Error::Backoff {
                        retry_in: *until - now,
                        last: Box::new(last.clone()),
                    });
                }
            }
            match &flight.in_flight {
                Some(sender) => (sender.subscribe(), None),
                None => {
                    let (guard, receiver) = self.start(&mut flight);
                    (receiver, Some(guard))
                }
            }
        };
        if let Some(guard) = started {
            spawn(guard);
        }
        match receiver.wait_for(Option::is_some).await {
            Ok(outcome) => outcome.clone().unwrap_or(Err(Error::RefreshAborted)),
            Err(_) => Err(Error::RefreshAborted),
        }
    }

    /// Registers a refresh in `flight` (the caller holds the flight lock) and returns the guard
    /// that runs it: the caller must [`spawn`] it *after* releasing the lock, since a spawn
    /// that drops the task at once (no runtime, a runtime shutting down) runs the guard's
    /// `Drop`, which takes the flight lock.
    #[must_use]
    fn start(&self, flight: &mut Flight) -> (FlightGuard<S>, watch::Receiver<Outcome>) {
        let sender = Arc::new(watch::Sender::new(None));
        let receiver = sender.subscribe();
        flight.in_flight = Some(Arc::clone(&sender));
        let guard = FlightGuard {
            shared: Arc::clone(&self.shared),
            sender,
            done: false,
        };
        (guard, receiver)
    }

    /// True when both share one cache entry.
    #[cfg(test)]
    pub(crate) fn shares_cache_with(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    #[cfg(test)]
    fn waiting(&self) -> usize {
        lock(&self.shared.flight)
            .in_flight
            .as_ref()
            .map_or(0, |s| s.receiver_count())
    }
}

/// Runs a refresh in its own task; never call it with the flight lock held. Without a runtime,
/// the guard is dropped, which ends the refresh with [`Error::RefreshAborted`] for its waiters.
fn spawn<S: TokenSource + 'static>(guard: FlightGuard<S>) {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => drop(runtime.spawn(guard.run())),
        Err(_) => drop(guard),
    }
}

/// Runs one refresh and publishes its outcome; if the task is dropped before that (runtime
/// shutdown, a panicking source), its `Drop` still clears the flight and wakes the waiters.
struct FlightGuard<S: TokenSource + 'static> {
    shared: Arc<Shared<S>>,
    sender: Arc<watch::Sender<Outcome>>,
    done: bool,
}

impl<S: TokenSource + 'static> FlightGuard<S> {
    async fn run(mut self) {
        let result = self.shared.source.token().await;
        self.finish(result);
    }

    fn finish(&mut self, result: Result<Token>) {
        self.done = true;
        let now = Instant::now();
        let shared = &self.shared;
        if let Ok(token) = &result {
            let schedule = shared
                .policy
                .schedule(token.received_at(), token.expires_at());
            *write(&shared.current) = Some(Entry {
                token: token.clone(),
                schedule,
            });
        }
        {
            let mut flight = lock(&shared.flight);
            if flight
                .in_flight
                .as_ref()
                .is_some_and(|s| Arc::ptr_eq(s, &self.sender))
            {
                flight.in_flight = None;
            }
            match &result {
                Ok(_) => {
                    flight.failures = 0;
                    flight.retry_at = None;
                    flight.last_failure = None;
                }
                Err(error) => {
                    flight.failures = flight.failures.saturating_add(1);
                    let backoff = shared
                        .policy
                        .failure_delay(flight.failures, crate::retry::jitter());
                    // Capped: a token is never served past its expiry anyway (expired tokens
                    // make callers wait for a refresh whatever the backoff), and an absurd
                    // `Retry-After` must not overflow `now + delay`.
                    let delay = backoff
                        .max(error.retry_after().unwrap_or_default())
                        .min(MAX_BACKOFF);
                    flight.retry_at = Some(now + delay);
                    flight.last_failure = error
                        .is_transient()
                        .then(|| (error.clone(), now + delay.min(MAX_FAIL_FAST)));
                    tracing::warn!(target: "aps_client", %error, failures = flight.failures,
                        retry_in_ms = delay.as_millis() as u64, "token refresh failed");
                }
            }
        }
        self.sender.send_replace(Some(result));
    }
}

impl<S: TokenSource + 'static> Drop for FlightGuard<S> {
    fn drop(&mut self) {
        if !self.done {
            self.finish(Err(Error::RefreshAborted));
        }
    }
}

#[async_trait::async_trait]
impl<S: TokenSource + 'static> TokenSource for CachedTokenSource<S> {
    async fn token(&self) -> Result<Token> {
        CachedTokenSource::token(self).await
    }

    fn invalidate(&self, rejected: &Token) {
        CachedTokenSource::invalidate(self, rejected);
    }
}

#[cfg(test)]
mod tests;
