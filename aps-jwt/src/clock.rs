//! Where "now" comes from: a trait, so that tests pin time instead of sleeping.
//!
//! Two readings: the wall time, for the token's `exp`, `nbf` and `iat`, and a monotonic one,
//! for durations the validator measures itself (the JWKS cooldown, the age of fetched keys), so
//! that stepping the system clock back or forth never stops or forces key refreshes.

use std::fmt::Debug;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// A source of the current time.
pub trait Clock: Send + Sync + Debug + 'static {
    /// The current wall time: compared with the token's `exp`, `nbf` and `iat`.
    fn now(&self) -> SystemTime;

    /// A monotonic reading: only differences between two readings matter. Used for the JWKS
    /// cooldown and the age of fetched keys. Defaults to [`Instant::now`]; a test clock
    /// overrides it (as [`ManualClock`] does) to move it without waiting.
    fn monotonic(&self) -> Instant {
        Instant::now()
    }
}

/// The system clock. The default.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that only moves when told to: for tests, here and in services that embed aps-jwt.
///
/// [`advance`](Self::advance) moves both readings, as time passing does;
/// [`set`](Self::set) moves the wall time alone, as an operator or NTP stepping the system
/// clock does.
///
/// # Examples
/// ```
/// use std::time::{Duration, SystemTime};
/// use aps_jwt::{Clock, ManualClock};
/// let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000));
/// let start = clock.monotonic();
/// clock.advance(Duration::from_secs(5));
/// assert_eq!(clock.now(), SystemTime::UNIX_EPOCH + Duration::from_secs(1_005));
/// clock.set(SystemTime::UNIX_EPOCH); // the wall clock is stepped back...
/// assert_eq!(clock.monotonic() - start, Duration::from_secs(5)); // ...the monotonic one is not
/// ```
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<(SystemTime, Instant)>,
}

impl ManualClock {
    /// A clock stopped at `now`.
    #[must_use]
    pub fn new(now: SystemTime) -> Self {
        ManualClock {
            now: Mutex::new((now, Instant::now())),
        }
    }

    /// A clock stopped at `secs` seconds after the Unix epoch.
    #[must_use]
    pub fn at_unix(secs: u64) -> Self {
        Self::new(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (SystemTime, Instant)> {
        self.now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sets the wall time (the monotonic reading does not move: a stepped system clock).
    pub fn set(&self, now: SystemTime) {
        self.lock().0 = now;
    }

    /// Moves both readings forward (a reading that would overflow stays where it is).
    pub fn advance(&self, by: Duration) {
        let mut now = self.lock();
        now.0 = now.0.checked_add(by).unwrap_or(now.0);
        now.1 = now.1.checked_add(by).unwrap_or(now.1);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        self.lock().0
    }

    fn monotonic(&self) -> Instant {
        self.lock().1
    }
}

impl<C: Clock> Clock for std::sync::Arc<C> {
    fn now(&self) -> SystemTime {
        (**self).now()
    }

    fn monotonic(&self) -> Instant {
        (**self).monotonic()
    }
}

/// Seconds since the Unix epoch (negative before it).
pub(crate) fn unix_secs(time: SystemTime) -> i64 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}
