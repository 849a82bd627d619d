//! The CPU time a server's runtime uses: per request, it says what the server costs whatever
//! the load generator's own speed.

use std::time::Duration;

/// The CPU time the worker thread of `runtime` (a [`one_thread_runtime`](super::one_thread_runtime))
/// has used so far, from Linux's `/proc/thread-self/schedstat` (updated at each scheduler tick,
/// so exact to a few milliseconds); `None` elsewhere.
#[must_use]
pub fn worker_cpu(runtime: &tokio::runtime::Runtime) -> Option<Duration> {
    let on_worker = runtime.spawn(async {
        std::fs::read_to_string("/proc/thread-self/schedstat")
            .ok()
            .and_then(|stat| run_time(&stat))
    });
    runtime.block_on(on_worker).ok().flatten()
}

/// The first field of a `schedstat` line: nanoseconds spent on a CPU.
fn run_time(schedstat: &str) -> Option<Duration> {
    schedstat
        .split_whitespace()
        .next()?
        .parse()
        .ok()
        .map(Duration::from_nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_time_on_cpu() {
        assert_eq!(
            run_time("133489 73429 2\n"),
            Some(Duration::from_nanos(133_489))
        );
        assert_eq!(run_time(""), None);
        assert_eq!(run_time("x 1 2"), None);
    }

    #[test]
    fn the_worker_of_a_busy_runtime_uses_cpu() {
        let runtime = super::super::one_thread_runtime();
        if !cfg!(target_os = "linux") {
            assert_eq!(worker_cpu(&runtime), None);
            return;
        }
        let before = worker_cpu(&runtime).expect("schedstat on Linux");
        runtime
            .block_on(runtime.spawn(async {
                let mut sum = 0_u64;
                for i in 0..50_000_000_u64 {
                    sum = std::hint::black_box(sum.wrapping_add(i));
                }
                sum
            }))
            .expect("busy task");
        let after = worker_cpu(&runtime).expect("cpu");
        assert!(after > before, "{before:?} then {after:?}");
    }
}
