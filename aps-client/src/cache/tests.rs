use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Semaphore;

use super::*;

const S: fn(u64) -> Duration = Duration::from_secs;

/// A source that counts calls, can be held at a gate, and can be told to fail or panic.
#[derive(Debug, Default)]
struct Script {
    calls: AtomicUsize,
    gate: Option<Arc<Semaphore>>,
    fail: AtomicBool,
    retry_after: Option<u64>,
    panic: AtomicBool,
    lifetime: u64,
}

impl Script {
    fn new(lifetime: u64) -> Self {
        Self {
            lifetime,
            ..Self::default()
        }
    }

    fn gated(lifetime: u64) -> (Self, Arc<Semaphore>) {
        let gate = Arc::new(Semaphore::new(0));
        (
            Self {
                lifetime,
                gate: Some(Arc::clone(&gate)),
                ..Self::default()
            },
            gate,
        )
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait::async_trait]
impl TokenSource for Script {
    async fn token(&self) -> Result<Token> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(gate) = &self.gate {
            gate.acquire()
                .await
                .map_err(|_| Error::RefreshAborted)?
                .forget();
        }
        assert!(!self.panic.load(Ordering::SeqCst), "scripted panic");
        if self.fail.load(Ordering::SeqCst) {
            return Err(Error::UnexpectedResponse {
                url: "test".into(),
                status: reqwest::StatusCode::SERVICE_UNAVAILABLE,
                summary: "down".into(),
                retry_after: self.retry_after.map(S),
            });
        }
        Token::from_parts(&format!("t{n}"), S(self.lifetime), None)
    }
}

/// Polls a future once: `Some` if it finished without waiting.
fn now_or_never<F: Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(output) => Some(output),
        std::task::Poll::Pending => None,
    }
}

/// Lets every other task run until it waits.
async fn settle() {
    for _ in 0..5 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_thousand_callers_on_a_cold_cache_cause_one_request() {
    let (script, gate) = Script::gated(300);
    let cache = CachedTokenSource::new(script);
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.token().await })
        })
        .collect();
    // Hold the request until all 1,000 callers are waiting on it.
    for _ in 0..100 {
        if cache.waiting() == 1000 {
            break;
        }
        settle().await;
    }
    assert_eq!(
        cache.waiting(),
        1000,
        "every caller waits on the one refresh"
    );
    assert_eq!(cache.source().calls(), 1);
    gate.add_permits(1);
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.unwrap().unwrap());
    }
    assert_eq!(cache.source().calls(), 1, "exactly one request");
    assert!(tokens.iter().all(|t| t.same_as(&tokens[0])));
    assert_eq!(tokens[0].secret(), "t1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_callers_on_two_threads_cause_one_request() {
    let cache = CachedTokenSource::new(Script::new(300));
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.token().await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(cache.source().calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn fresh_tokens_are_reused_without_a_request() {
    let cache = CachedTokenSource::new(Script::new(300));
    let first = cache.token().await.unwrap();
    tokio::time::advance(S(200)).await;
    let again = now_or_never(cache.token()).expect("no wait").unwrap();
    assert!(again.same_as(&first));
    assert_eq!(cache.source().calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn holders_of_a_valid_token_never_wait_for_the_refresh() {
    let (script, gate) = Script::gated(300);
    let cache = CachedTokenSource::new(script);
    gate.add_permits(1);
    let first = cache.token().await.unwrap();
    // 300 s token: usable until 270 s, refresh due from 202.5 s.
    tokio::time::advance(S(210)).await;
    for _ in 0..100 {
        let token = now_or_never(cache.token())
            .expect("served without waiting")
            .unwrap();
        assert!(token.same_as(&first));
    }
    settle().await;
    assert_eq!(
        cache.source().calls(),
        2,
        "one background refresh, held at the gate"
    );
    gate.add_permits(1);
    settle().await;
    let second = now_or_never(cache.token()).expect("no wait").unwrap();
    assert_eq!(second.secret(), "t2");
    assert_eq!(cache.source().calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_failed_background_refresh_keeps_serving_and_backs_off() {
    let cache = CachedTokenSource::with_policy(
        Script::new(300),
        CachePolicy::default().failure_backoff(S(4), S(60)),
    );
    let first = cache.token().await.unwrap();
    cache.source().fail.store(true, Ordering::SeqCst);
    tokio::time::advance(S(210)).await;
    assert!(cache.token().await.unwrap().same_as(&first));
    settle().await;
    assert_eq!(cache.source().calls(), 2, "the refresh ran and failed");
    // First failure: wait between 2 s and 4 s.
    tokio::time::advance(S(1)).await;
    assert!(cache.token().await.unwrap().same_as(&first));
    settle().await;
    assert_eq!(
        cache.source().calls(),
        2,
        "no new attempt during the backoff"
    );
    tokio::time::advance(S(3)).await;
    assert!(cache.token().await.unwrap().same_as(&first));
    settle().await;
    assert_eq!(cache.source().calls(), 3, "retried after the backoff");
    cache.source().fail.store(false, Ordering::SeqCst);
    tokio::time::advance(S(10)).await;
    cache.token().await.unwrap();
    settle().await;
    assert_eq!(cache.source().calls(), 4);
    assert_eq!(cache.token().await.unwrap().secret(), "t4");
}

#[tokio::test(start_paused = true)]
async fn a_failed_background_refresh_waits_at_least_the_servers_retry_after() {
    let script = Script {
        lifetime: 300,
        retry_after: Some(40),
        ..Script::default()
    };
    let cache = CachedTokenSource::new(script);
    let first = cache.token().await.unwrap();
    cache.source().fail.store(true, Ordering::SeqCst);
    tokio::time::advance(S(205)).await;
    cache.token().await.unwrap();
    settle().await;
    assert_eq!(cache.source().calls(), 2);
    // The backoff alone would be under 1 s; the server asked for 40 s.
    tokio::time::advance(S(39)).await;
    assert!(cache.token().await.unwrap().same_as(&first));
    settle().await;
    assert_eq!(cache.source().calls(), 2, "no attempt before Retry-After");
    tokio::time::advance(S(2)).await;
    cache.token().await.unwrap();
    settle().await;
    assert_eq!(cache.source().calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn an_absurd_retry_after_neither_panics_nor_outlives_the_token() {
    let script = Script {
        lifetime: 300,
        retry_after: Some(u64::MAX),
        ..Script::default()
    };
    let cache = CachedTokenSource::new(script);
    let first = cache.token().await.unwrap();
    cache.source().fail.store(true, Ordering::SeqCst);
    tokio::time::advance(S(205)).await;
    assert!(cache.token().await.unwrap().same_as(&first));
    settle().await;
    assert_eq!(cache.source().calls(), 2, "the background refresh failed");
    tokio::time::advance(S(10)).await;
    assert!(cache.token().await.unwrap().same_as(&first), "still served");
    settle().await;
    assert_eq!(cache.source().calls(), 2, "and the backoff holds");
    cache.source().fail.store(false, Ordering::SeqCst);
    tokio::time::advance(S(60)).await;
    let paused = cache.token().await.unwrap_err();
    assert!(
        paused.retry_after().is_some_and(|wait| wait <= S(300)),
        "at most 5 minutes of pause for waiting callers: {paused}"
    );
    tokio::time::advance(S(300)).await;
    let next = cache.token().await.unwrap();
    assert_eq!(next.secret(), "t3", "once expired, callers get a new token");
}

#[tokio::test(start_paused = true)]
async fn expired_tokens_are_not_served_and_errors_reach_every_waiter() {
    let (script, gate) = Script::gated(300);
    let cache =
        CachedTokenSource::with_policy(script, CachePolicy::default().refresh_fraction(1.0));
    gate.add_permits(1);
    cache.token().await.unwrap();
    cache.source().fail.store(true, Ordering::SeqCst);
    tokio::time::advance(S(270)).await;
    let waiters: Vec<_> = (0..10)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.token().await })
        })
        .collect();
    settle().await;
    assert_eq!(cache.waiting(), 10);
    gate.add_permits(1);
    for waiter in waiters {
        let error = waiter.await.unwrap().unwrap_err();
        assert_eq!(
            error.status(),
            Some(reqwest::StatusCode::SERVICE_UNAVAILABLE)
        );
    }
    assert_eq!(cache.source().calls(), 2);
    cache.source().fail.store(false, Ordering::SeqCst);
    gate.add_permits(1);
    tokio::time::advance(S(1)).await;
    assert_eq!(
        cache.token().await.unwrap().secret(),
        "t3",
        "the next caller after the backoff tries again"
    );
}

#[tokio::test(start_paused = true)]
async fn invalidate_drops_only_the_rejected_token() {
    let cache = CachedTokenSource::new(Script::new(300));
    let first = cache.token().await.unwrap();
    cache.invalidate(&first);
    let second = cache.token().await.unwrap();
    assert_eq!(second.secret(), "t2");
    // A late 401 for the old token does not throw away the new one.
    cache.invalidate(&first);
    assert!(cache.token().await.unwrap().same_as(&second));
    assert_eq!(cache.source().calls(), 2);
    cache.clear();
    assert_eq!(cache.token().await.unwrap().secret(), "t3");
}

#[tokio::test(start_paused = true)]
async fn a_panicking_source_wakes_waiters_and_does_not_wedge_the_cache() {
    let cache = CachedTokenSource::new(Script::new(300));
    cache.source().panic.store(true, Ordering::SeqCst);
    let error = cache.token().await.unwrap_err();
    assert!(matches!(error, Error::RefreshAborted), "{error:?}");
    cache.source().panic.store(false, Ordering::SeqCst);
    assert_eq!(cache.token().await.unwrap().secret(), "t2");
}

#[tokio::test(start_paused = true)]
async fn a_caller_that_gives_up_does_not_cancel_the_refresh() {
    let (script, gate) = Script::gated(300);
    let cache = CachedTokenSource::new(script);
    assert!(
        now_or_never(cache.token()).is_none(),
        "the caller waits, then drops its future"
    );
    gate.add_permits(1);
    settle().await;
    let token = now_or_never(cache.token())
        .expect("the refresh finished on its own")
        .unwrap();
    assert_eq!(token.secret(), "t1");
    assert_eq!(cache.source().calls(), 1);
}

/// Runs `f` on its own thread; `None` if it did not finish within 10 s (a deadlock).
fn within_10s<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (done, outcome) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(f()));
    outcome.recv_timeout(S(10)).ok()
}

#[test]
fn issue_12_a_refresh_on_a_runtime_shutting_down_fails_instead_of_deadlocking() {
    let finished = within_10s(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let handle = runtime.handle().clone();
        drop(runtime);
        // The runtime is gone: a spawn on it drops the refresh task at once.
        let _entered = handle.enter();
        let cache = CachedTokenSource::new(Script::new(300));
        let outcome = now_or_never(cache.token()).expect("no wait");
        // A second caller is not wedged behind the first.
        let again = now_or_never(cache.token()).expect("no wait");
        (outcome.map(|t| t.secret().to_owned()), again.is_err())
    });
    let (outcome, again_failed) = finished.expect("no deadlock");
    assert!(matches!(outcome, Err(Error::RefreshAborted)), "{outcome:?}");
    assert!(again_failed);
}

#[test]
fn issue_12_a_refresh_without_a_runtime_fails_instead_of_deadlocking() {
    let finished = within_10s(|| {
        let cache = CachedTokenSource::new(Script::new(300));
        now_or_never(cache.token())
            .expect("no wait")
            .map(|t| t.secret().to_owned())
    });
    let outcome = finished.expect("no deadlock");
    assert!(matches!(outcome, Err(Error::RefreshAborted)), "{outcome:?}");
}

#[tokio::test(start_paused = true)]
async fn issue_12_a_refresh_that_finished_meanwhile_is_not_started_again() {
    let cache = CachedTokenSource::new(Script::new(300));
    cache.token().await.unwrap();
    tokio::time::advance(S(210)).await;
    // A caller reads the due entry, then a refresh finishes before it takes the flight lock.
    let seen = read(&cache.shared.current).clone().unwrap();
    cache.token().await.unwrap();
    settle().await;
    assert_eq!(cache.source().calls(), 2, "the background refresh ran");
    cache.maybe_refresh_in_background(&seen, Instant::now());
    settle().await;
    assert_eq!(cache.source().calls(), 2, "no second refresh for one token");
    assert_eq!(cache.cached().unwrap().secret(), "t2");
}

#[tokio::test(start_paused = true)]
async fn issue_12_callers_without_a_token_honour_retry_after() {
    let script = Script {
        lifetime: 300,
        retry_after: Some(60),
        ..Script::default()
    };
    script.fail.store(true, Ordering::SeqCst);
    let cache = CachedTokenSource::new(script);
    let first = cache.token().await.unwrap_err();
    assert_eq!(first.retry_after(), Some(S(60)));
    for _ in 0..19 {
        let error = now_or_never(cache.token()).expect("at once").unwrap_err();
        assert!(matches!(error, Error::Backoff { .. }), "{error:?}");
        assert!(error.is_transient());
        assert_eq!(
            error.status(),
            Some(reqwest::StatusCode::SERVICE_UNAVAILABLE)
        );
        assert!(
            error
                .retry_after()
                .is_some_and(|wait| wait <= S(60) && wait > S(0))
        );
    }
    assert_eq!(cache.source().calls(), 1, "20 callers, one request");
    tokio::time::advance(S(30)).await;
    let later = cache.token().await.unwrap_err();
    assert_eq!(later.retry_after(), Some(S(30)), "the time left");
    cache.source().fail.store(false, Ordering::SeqCst);
    tokio::time::advance(S(30)).await;
    assert_eq!(cache.token().await.unwrap().secret(), "t2");
}
