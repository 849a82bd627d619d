//! Which failures are retried, and after how long. Pure: the caller passes the attempt number,
//! the elapsed time and a jitter value.

use std::time::Duration;

use crate::Error;

/// How a token request is retried.
///
/// Only transient failures are retried: connection errors, timeouts, 5xx, and 429 (after the
/// server's `Retry-After` when it sends one). `invalid_client`, `invalid_grant`,
/// `invalid_scope` and every other 4xx fail at once. Waits grow exponentially with jitter, and
/// both the number of attempts and the total time are bounded.
///
/// ```
/// use std::time::Duration;
/// let policy = aps_client::RetryPolicy::default()
///     .max_attempts(5)
///     .backoff(Duration::from_millis(100), Duration::from_secs(2))
///     .max_elapsed(Duration::from_secs(10));
/// # let _ = policy;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 200 ms up to 5 s, at most 15 s in all.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(15),
        }
    }
}

impl RetryPolicy {
    /// No retries: one attempt.
    pub fn never() -> Self {
        Self::default().max_attempts(1)
    }

    /// The number of attempts, the first included (at least 1). Defaults to 3.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first and the longest backoff step between attempts; each wait is jittered between
    /// half the step and the step. Defaults to 200 ms and 5 s.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// The total time after which no new attempt starts. Defaults to 15 s.
    pub fn max_elapsed(mut self, max: Duration) -> Self {
        self.max_elapsed = max;
        self
    }

    /// The wait before attempt `failed_attempt + 1`, or `None` to give up. `jitter` is a random
    /// number in `[0, 1)`.
    pub(crate) fn next_delay(
        &self,
        failed_attempt: u32,
        error: &Error,
        elapsed: Duration,
        jitter: f64,
    ) -> Option<Duration> {
        if !error.is_transient() || failed_attempt >= self.max_attempts {
            return None;
        }
        let delay = match error.retry_after() {
            Some(wait) => wait,
            None => self.backoff_delay(failed_attempt, jitter),
        };
        (elapsed.saturating_add(delay) <= self.max_elapsed).then_some(delay)
    }

    /// Exponential backoff with "equal jitter": half the step fixed, half random, so waits never
    /// collapse to zero and callers spread out.
    pub(crate) fn backoff_delay(&self, failures: u32, jitter: f64) -> Duration {
        let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(20));
        let step = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        step / 2 + step.mul_f64(jitter.clamp(0.0, 1.0) / 2.0)
    }
}

/// A random number in `[0, 1)` for jitter, from the standard library's per-process random
/// hasher keys and a counter (no extra dependency; not for cryptography).
pub(crate) fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Parses `Retry-After`: delta seconds, or an HTTP date relative to `now`.
pub(crate) fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The IMF-fixdate form of RFC 9110 (`Sun, 06 Nov 1994 08:49:37 GMT`), the one servers send.
fn httpdate(value: &str) -> Option<std::time::SystemTime> {
    let mut parts = value.split_ascii_whitespace();
    let (_weekday, day, month, year, time, zone) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if zone != "GMT" || parts.next().is_some() {
        return None;
    }
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = months.iter().position(|m| *m == month)? as i64 + 1;
    let (day, year): (i64, i64) = (day.parse().ok()?, year.parse().ok()?);
    let mut hms = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    // Bounded so that the arithmetic below cannot overflow on a hostile header.
    if !(1..=31).contains(&day)
        || !(1970..=9999).contains(&year)
        || !(0..24).contains(&h)
        || !(0..60).contains(&m)
        || !(0..=60).contains(&s)
    {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = u64::try_from(days * 86_400 + h * 3600 + m * 60 + s).ok()?;
    Some(std::time::UNIX_EPOCH + Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{OAuthError, TransportKind};
    use reqwest::StatusCode;

    fn status(code: u16, retry_after: Option<u64>) -> Error {
        Error::UnexpectedResponse {
            url: "u".into(),
            status: StatusCode::from_u16(code).unwrap(),
            summary: "s".into(),
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    fn oauth(code: &str, http: u16) -> Error {
        OAuthError::sample(code, http).into()
    }

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn fatal_errors_are_never_retried() {
        let policy = RetryPolicy::default();
        for error in [
            oauth("invalid_client", 401),
            oauth("unauthorized_client", 401),
            oauth("invalid_grant", 400),
            oauth("invalid_scope", 400),
            status(400, None),
            status(403, None),
            status(404, None),
            Error::config("x", "y"),
        ] {
            assert_eq!(
                policy.next_delay(1, &error, Duration::ZERO, 0.5),
                None,
                "{error}"
            );
        }
    }

    #[test]
    fn transient_errors_back_off_exponentially_with_jitter() {
        let policy = RetryPolicy::default()
            .max_attempts(10)
            .backoff(MS(100), MS(1000))
            .max_elapsed(Duration::MAX);
        let e = status(503, None);
        assert_eq!(policy.next_delay(1, &e, Duration::ZERO, 0.0), Some(MS(50)));
        assert_eq!(
            policy.next_delay(1, &e, Duration::ZERO, 0.999_999),
            Some(MS(100) - Duration::from_nanos(50))
        );
        assert_eq!(policy.next_delay(2, &e, Duration::ZERO, 0.0), Some(MS(100)));
        assert_eq!(policy.next_delay(3, &e, Duration::ZERO, 0.0), Some(MS(200)));
        assert_eq!(
            policy.next_delay(9, &e, Duration::ZERO, 0.0),
            Some(MS(500)),
            "capped at max"
        );
        assert!(
            policy
                .next_delay(
                    1,
                    &oauth("temporarily_unavailable", 503),
                    Duration::ZERO,
                    0.0
                )
                .is_some()
        );
    }

    #[test]
    fn attempts_and_total_time_are_bounded() {
        let policy = RetryPolicy::default()
            .max_attempts(3)
            .backoff(MS(100), MS(100))
            .max_elapsed(MS(1000));
        let e = status(502, None);
        assert!(policy.next_delay(2, &e, Duration::ZERO, 0.0).is_some());
        assert_eq!(policy.next_delay(3, &e, Duration::ZERO, 0.0), None);
        assert_eq!(policy.next_delay(1, &e, MS(990), 0.0), None);
        assert_eq!(
            RetryPolicy::never().next_delay(1, &e, Duration::ZERO, 0.0),
            None
        );
    }

    #[test]
    fn retry_after_is_honoured_within_the_budget() {
        let policy = RetryPolicy::default().max_elapsed(Duration::from_secs(10));
        assert_eq!(
            policy.next_delay(1, &status(429, Some(3)), Duration::ZERO, 0.9),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            policy.next_delay(1, &status(429, Some(30)), Duration::ZERO, 0.9),
            None
        );
        assert!(
            policy
                .next_delay(1, &status(429, None), Duration::ZERO, 0.9)
                .is_some()
        );
    }

    #[test]
    fn transport_errors_are_transient() {
        // A real reqwest error: connecting to a closed port.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let err = rt.block_on(async { reqwest::get("http://127.0.0.1:1/").await.unwrap_err() });
        let err = Error::transport("http://127.0.0.1:1/", err);
        assert!(
            matches!(
                err,
                Error::Transport {
                    kind: TransportKind::Connect,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(
            RetryPolicy::default()
                .next_delay(1, &err, Duration::ZERO, 0.0)
                .is_some()
        );
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        let now = std::time::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        for hostile in [
            "Sun, 06 Nov 9223372036854775807 08:49:47 GMT",
            "Sun, 9223372036854775807 Nov 1994 08:49:47 GMT",
            "Sun, 06 Nov 1994 9223372036854775807:49:47 GMT",
            "Sun, 06 Nov 1994 08:49:-9223372036854775808 GMT",
        ] {
            assert_eq!(parse_retry_after(hostile, now), None, "{hostile}");
        }
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn jitter_is_in_range_and_varies() {
        let values: Vec<f64> = (0..100).map(|_| jitter()).collect();
        assert!(values.iter().all(|v| (0.0..1.0).contains(v)));
        assert!(values.windows(2).any(|w| w[0] != w[1]));
    }
}
