//! The cached hot path allocates nothing: a fresh token costs one read lock and one
//! reference-count increment. Counted with dhat's heap statistics.

use std::future::Future;
use std::time::Duration;

use aps_client::{CachedTokenSource, Result, Token, TokenSource};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[derive(Debug)]
struct Fixed;

#[async_trait::async_trait]
impl TokenSource for Fixed {
    async fn token(&self) -> Result<Token> {
        Token::from_parts("cached-token", Duration::from_secs(300), None)
    }
}

fn now_or_never<F: Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(output) => Some(output),
        std::task::Poll::Pending => None,
    }
}

#[test]
fn a_cached_token_call_does_not_allocate() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let cache = CachedTokenSource::new(Fixed);
    let first = runtime.block_on(cache.token()).expect("a token");

    let before = dhat::HeapStats::get();
    for _ in 0..1000 {
        let token = now_or_never(cache.token())
            .expect("served without waiting")
            .expect("a token");
        assert!(token.same_as(&first));
    }
    let after = dhat::HeapStats::get();
    assert_eq!(
        after.total_blocks - before.total_blocks,
        0,
        "allocations in 1,000 cached calls"
    );

    // Through `dyn TokenSource` the future is boxed (async-trait): exactly one allocation.
    let dynamic: &dyn TokenSource = &cache;
    let before = dhat::HeapStats::get();
    now_or_never(dynamic.token())
        .expect("served")
        .expect("a token");
    let after = dhat::HeapStats::get();
    assert_eq!(after.total_blocks - before.total_blocks, 1);
}
