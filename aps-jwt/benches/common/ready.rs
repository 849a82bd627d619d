//! Polling the validator's hot path without a runtime.

use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Polls a future that completes without waiting (the validator's hot path never awaits I/O).
pub(crate) fn ready<T>(future: impl std::future::Future<Output = T>) -> T {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("the hot path awaited"),
    }
}
