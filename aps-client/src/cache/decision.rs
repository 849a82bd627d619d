//! When a cached token is fresh, due for a background refresh, or expired. Pure functions of
//! the token's times, the policy and `now`.

use std::time::Duration;

use tokio::time::Instant;

/// How a cached token is reused and refreshed.
///
/// A token counts as expired `expiry_margin` before its real expiry (never more than half its
/// lifetime, so short-lived tokens stay usable). A background refresh starts once
/// `refresh_fraction` of that usable lifetime has passed; callers keep getting the current
/// token meanwhile. When a background refresh fails, the token is still served and the refresh
/// is retried after a backoff until the token expires.
///
/// ```
/// use std::time::Duration;
/// let policy = aps_client::CachePolicy::default()
///     .expiry_margin(Duration::from_secs(10))
///     .refresh_fraction(0.8);
/// # let _ = policy;
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct CachePolicy {
    pub(crate) expiry_margin: Duration,
    pub(crate) refresh_fraction: f64,
    pub(crate) failure_backoff: (Duration, Duration),
}

impl Default for CachePolicy {
    /// A 30 s margin (as the portal itself uses), refresh at 75 % of the usable lifetime,
    /// failed refreshes retried after a step of 1 s, doubling up to 30 s (each wait is
    /// jittered between half the step and the step), never sooner than the server's
    /// `Retry-After` (up to one day).
    fn default() -> Self {
        Self {
            expiry_margin: Duration::from_secs(30),
            refresh_fraction: 0.75,
            failure_backoff: (Duration::from_secs(1), Duration::from_secs(30)),
        }
    }
}

impl CachePolicy {
    /// How long before its expiry a token stops being handed out. Defaults to 30 s.
    pub fn expiry_margin(mut self, margin: Duration) -> Self {
        self.expiry_margin = margin;
        self
    }

    /// The share of the usable lifetime after which a background refresh starts, between 0 and
    /// 1 (1 turns refresh-ahead off). Defaults to 0.75.
    pub fn refresh_fraction(mut self, fraction: f64) -> Self {
        self.refresh_fraction = if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.75
        };
        self
    }

    /// The first and the longest backoff step after a failed background refresh; each wait is
    /// jittered between half the step and the step. Defaults to 1 s and 30 s.
    pub fn failure_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.failure_backoff = (initial, max.max(initial));
        self
    }

    /// The refresh and expiry times of a token received at `received_at`, expiring at
    /// `expires_at`.
    pub(crate) fn schedule(&self, received_at: Instant, expires_at: Instant) -> Schedule {
        let lifetime = expires_at.saturating_duration_since(received_at);
        let stale_at = expires_at - self.expiry_margin.min(lifetime / 2);
        let usable = stale_at.saturating_duration_since(received_at);
        Schedule {
            refresh_at: received_at + usable.mul_f64(self.refresh_fraction),
            stale_at,
        }
    }

    /// The wait after `failures` failed background refreshes in a row.
    pub(crate) fn failure_delay(&self, failures: u32, jitter: f64) -> Duration {
        crate::RetryPolicy::default()
            .backoff(self.failure_backoff.0, self.failure_backoff.1)
            .backoff_delay(failures, jitter)
    }
}

/// When a cached token should be refreshed and when it stops being served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Schedule {
    pub(crate) refresh_at: Instant,
    pub(crate) stale_at: Instant,
}

/// What a caller does with the cached token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Hand it out.
    Serve,
    /// Hand it out and start a background refresh.
    ServeAndRefresh,
    /// Do not hand it out: wait for a refresh (joining the one in flight, if any).
    Wait,
}

/// The state of refreshing, as the decision needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Refreshing {
    pub(crate) in_flight: bool,
    pub(crate) retry_at: Option<Instant>,
}

impl Schedule {
    /// True while the token may be handed out.
    pub(crate) fn usable(&self, now: Instant) -> bool {
        now < self.stale_at
    }

    /// True once a background refresh is due (whether or not one may start).
    pub(crate) fn refresh_due(&self, now: Instant) -> bool {
        now >= self.refresh_at
    }

    pub(crate) fn decide(&self, now: Instant, refreshing: Refreshing) -> Decision {
        if !self.usable(now) {
            return Decision::Wait;
        }
        let backing_off = refreshing.retry_at.is_some_and(|at| now < at);
        if self.refresh_due(now) && !refreshing.in_flight && !backing_off {
            Decision::ServeAndRefresh
        } else {
            Decision::Serve
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn keycloak_default_token_timeline() {
        let t0 = Instant::now();
        let schedule = CachePolicy::default().schedule(t0, t0 + S(300));
        assert_eq!(schedule.stale_at, t0 + S(270));
        assert_eq!(schedule.refresh_at, t0 + S(270).mul_f64(0.75));
        let idle = Refreshing::default();
        assert_eq!(schedule.decide(t0, idle), Decision::Serve);
        assert_eq!(schedule.decide(t0 + S(202), idle), Decision::Serve);
        assert_eq!(
            schedule.decide(t0 + S(203), idle),
            Decision::ServeAndRefresh
        );
        assert_eq!(
            schedule.decide(t0 + S(269), idle),
            Decision::ServeAndRefresh
        );
        assert_eq!(schedule.decide(t0 + S(270), idle), Decision::Wait);
        assert_eq!(schedule.decide(t0 + S(10_000), idle), Decision::Wait);
    }

    #[test]
    fn a_refresh_in_flight_or_backing_off_means_serve_only() {
        let t0 = Instant::now();
        let schedule = CachePolicy::default().schedule(t0, t0 + S(300));
        let now = t0 + S(250);
        let in_flight = Refreshing {
            in_flight: true,
            retry_at: None,
        };
        assert_eq!(schedule.decide(now, in_flight), Decision::Serve);
        let backing_off = Refreshing {
            in_flight: false,
            retry_at: Some(now + S(1)),
        };
        assert_eq!(schedule.decide(now, backing_off), Decision::Serve);
        let backoff_over = Refreshing {
            in_flight: false,
            retry_at: Some(now),
        };
        assert_eq!(
            schedule.decide(now, backoff_over),
            Decision::ServeAndRefresh
        );
        assert_eq!(
            schedule.decide(t0 + S(270), backing_off),
            Decision::Wait,
            "expiry wins over backoff"
        );
    }

    #[test]
    fn short_tokens_keep_half_their_life() {
        let t0 = Instant::now();
        let schedule = CachePolicy::default().schedule(t0, t0 + S(20));
        assert_eq!(schedule.stale_at, t0 + S(10));
        let zero = CachePolicy::default().schedule(t0, t0);
        assert_eq!(zero.decide(t0, Refreshing::default()), Decision::Wait);
    }

    #[test]
    fn refresh_fraction_one_turns_refresh_ahead_off() {
        let t0 = Instant::now();
        let schedule = CachePolicy::default()
            .refresh_fraction(1.0)
            .schedule(t0, t0 + S(300));
        assert_eq!(
            schedule.decide(t0 + S(269), Refreshing::default()),
            Decision::Serve
        );
        assert_eq!(
            CachePolicy::default()
                .refresh_fraction(f64::NAN)
                .refresh_fraction,
            0.75
        );
    }

    #[test]
    fn failure_backoff_grows_and_is_capped() {
        let policy = CachePolicy::default();
        assert_eq!(policy.failure_delay(1, 0.0), Duration::from_millis(500));
        assert_eq!(policy.failure_delay(2, 0.0), S(1));
        assert_eq!(policy.failure_delay(30, 0.0), S(15));
        assert!(policy.failure_delay(30, 0.99) < S(30));
    }
}
