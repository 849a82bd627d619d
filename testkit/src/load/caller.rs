//! One caller of the closed loop: the next request goes out when the last one is answered.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tokio::sync::Notify;

use super::traffic::Picker;

/// What the callers of a run share with the code that times it.
#[derive(Debug, Default)]
pub(crate) struct Signals {
    /// Set to end the run: each caller stops after its request in flight.
    pub(crate) stop: AtomicBool,
    /// Requests answered while this is set are counted.
    pub(crate) record: AtomicBool,
    /// Set, and notified, when a caller found no once-only token left.
    pub(crate) ran_out: AtomicBool,
    pub(crate) ran_out_notify: Notify,
}

/// The requests one caller completed while recording, and each one's latency.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) requests: usize,
    pub(crate) latencies_us: Vec<u32>,
}

/// Sends `GET url` with the credentials of `picker` until told to stop or out of tokens.
///
/// # Panics
/// When a request fails or is answered with another status than `expect` (`label` says which).
pub(crate) async fn caller(
    client: reqwest::Client,
    url: String,
    mut picker: Picker,
    (label, expect): (&'static str, u16),
    signals: Arc<Signals>,
) -> Outcome {
    let mut out = Outcome {
        requests: 0,
        latencies_us: Vec::with_capacity(1 << 16),
    };
    while !signals.stop.load(Ordering::Relaxed) {
        let Some(request) = picker.attach(client.get(&url)) else {
            signals.ran_out.store(true, Ordering::Relaxed);
            signals.ran_out_notify.notify_one();
            break;
        };
        let start = Instant::now();
        let response = request.send().await.expect("response");
        let status = response.status().as_u16();
        response.bytes().await.expect("body");
        assert_eq!(status, expect, "{label}");
        if signals.record.load(Ordering::Relaxed) {
            out.requests += 1;
            out.latencies_us
                .push(u32::try_from(start.elapsed().as_micros()).unwrap_or(u32::MAX));
        }
    }
    out
}
