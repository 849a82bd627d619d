//! The runtime each side of a load bench runs on.

/// A tokio runtime with one worker thread (and its I/O and timers): one core's worth of work.
///
/// # Panics
/// When the runtime cannot be built (no threads left).
#[must_use]
pub fn one_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a one-thread tokio runtime")
}
