//! Runs groups of callers against a server for a bounded time.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::caller::{Signals, caller};
use super::result::GroupResult;
use super::runtime::one_thread_runtime;
use super::traffic::{Picker, Traffic};

/// How long callers run before their requests are counted (connections opened, caches and
/// allocators warm).
pub const WARM_UP: Duration = Duration::from_millis(500);

/// The load generator, on its own one-thread runtime.
#[derive(Debug)]
pub struct Generator {
    runtime: tokio::runtime::Runtime,
}

impl Default for Generator {
    fn default() -> Self {
        Self::new()
    }
}

impl Generator {
    /// A generator with its runtime started.
    #[must_use]
    pub fn new() -> Self {
        Generator {
            runtime: one_thread_runtime(),
        }
    }

    /// Runs `groups` (each a traffic and its number of callers) at once against `base` (the
    /// server's URL, no trailing slash) for [`WARM_UP`] and then `secs` measured, over a new
    /// connection pool, and returns one result per group, in order.
    ///
    /// # Panics
    /// When a request fails or gets another status than its traffic expects, or when once-only
    /// tokens run out during the warm-up.
    #[must_use]
    pub fn run(&self, base: &str, groups: &[(Traffic, usize)], secs: f64) -> Vec<GroupResult> {
        let signals = Arc::new(Signals::default());
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()
            .expect("client");
        self.runtime.block_on(async {
            let mut tasks = Vec::new();
            for (traffic, callers) in groups {
                let next_once = Arc::new(AtomicUsize::new(0));
                let group: Vec<_> = (0..*callers)
                    .map(|c| {
                        tokio::spawn(caller(
                            client.clone(),
                            format!("{base}{}", traffic.path),
                            Picker::new(traffic.credential.clone(), c, Arc::clone(&next_once)),
                            (traffic.label, traffic.expect),
                            Arc::clone(&signals),
                        ))
                    })
                    .collect();
                tasks.push((traffic.label, group));
            }
            tokio::time::sleep(WARM_UP).await;
            assert!(
                !signals.ran_out.load(Ordering::Relaxed),
                "once-only tokens ran out during the warm-up: give the run more"
            );
            signals.record.store(true, Ordering::Relaxed);
            let started = Instant::now();
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs_f64(secs)) => {}
                () = signals.ran_out_notify.notified() => {}
            }
            signals.record.store(false, Ordering::Relaxed);
            let measured = started.elapsed().as_secs_f64();
            signals.stop.store(true, Ordering::Relaxed);
            let mut results = Vec::new();
            for (label, group) in tasks {
                let mut outcomes = Vec::new();
                for task in group {
                    outcomes.push(task.await.expect("caller"));
                }
                results.push(GroupResult::from_outcomes(label, &outcomes, measured));
            }
            results
        })
    }
}
