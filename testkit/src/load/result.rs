//! What a run measured for one group of callers.

use super::caller::Outcome;
use super::quantile::nearest_rank;

/// The header of the table whose rows [`GroupResult::row`] writes.
pub const TABLE_HEADER: &str = "| run | traffic | callers | requests/s | p50 ms | p99 ms |\n\
                                | --- | --- | --- | --- | --- | --- |";

/// Requests/s and latency percentiles of one group of callers.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupResult {
    /// The traffic's label.
    pub label: &'static str,
    /// How many callers sent it.
    pub callers: usize,
    /// Requests answered while measuring.
    pub requests: usize,
    /// Seconds measured: the run's length, or less if once-only tokens ran out.
    pub secs: f64,
    /// Median latency, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile latency, milliseconds.
    pub p99_ms: f64,
}

impl GroupResult {
    pub(crate) fn from_outcomes(
        label: &'static str,
        outcomes: &[Outcome],
        secs: f64,
    ) -> GroupResult {
        let mut latencies: Vec<u32> = outcomes
            .iter()
            .flat_map(|o| o.latencies_us.iter().copied())
            .collect();
        latencies.sort_unstable();
        GroupResult {
            label,
            callers: outcomes.len(),
            requests: outcomes.iter().map(|o| o.requests).sum(),
            secs,
            p50_ms: percentile_ms(&latencies, 0.5),
            p99_ms: percentile_ms(&latencies, 0.99),
        }
    }

    /// Requests answered per second.
    #[must_use]
    pub fn rate(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let requests = self.requests as f64;
        requests / self.secs
    }

    /// A row of the [`TABLE_HEADER`] table, `run` naming what else ran at the same time.
    #[must_use]
    pub fn row(&self, run: &str) -> String {
        format!(
            "| {run} | {} | {} | {:.0} | {:.2} | {:.2} |",
            self.label,
            self.callers,
            self.rate(),
            self.p50_ms,
            self.p99_ms
        )
    }
}

/// The `q` quantile (nearest rank) of latencies in microseconds, sorted, in milliseconds.
fn percentile_ms(sorted_us: &[u32], q: f64) -> f64 {
    nearest_rank(sorted_us, q).map_or(f64::NAN, |us| f64::from(us) / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(latencies_us: &[u32]) -> Outcome {
        Outcome {
            requests: latencies_us.len(),
            latencies_us: latencies_us.to_vec(),
        }
    }

    #[test]
    fn merges_the_callers_and_takes_percentiles() {
        let first: Vec<u32> = (1..=50).map(|i| i * 10).collect();
        let second: Vec<u32> = (51..=100).map(|i| i * 10).collect();
        let r = GroupResult::from_outcomes("x", &[outcome(&second), outcome(&first)], 2.0);
        assert_eq!((r.callers, r.requests), (2, 100));
        assert_eq!(r.rate().to_bits(), 50.0_f64.to_bits());
        // Nearest rank of 99 items between the 100: index 49.5 rounds to 50 (the 51st, 510 us).
        assert_eq!(r.p50_ms.to_bits(), 0.51_f64.to_bits());
        assert_eq!(r.p99_ms.to_bits(), 0.99_f64.to_bits());
        assert_eq!(r.row("alone"), "| alone | x | 2 | 50 | 0.51 | 0.99 |");
    }

    #[test]
    fn no_requests_have_no_percentiles() {
        let r = GroupResult::from_outcomes("x", &[outcome(&[])], 1.0);
        assert!(r.p50_ms.is_nan() && r.p99_ms.is_nan());
        assert_eq!(r.rate().to_bits(), 0.0_f64.to_bits());
    }
}
