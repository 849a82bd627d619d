//! The load generator against a small axum service: it counts what its callers sent, and a
//! wrong status fails the run.

use std::sync::Arc;

use aps_testkit::load::{Credential, Generator, Traffic, one_thread_runtime};
use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;

/// 200 for `Authorization: Bearer good`, 401 otherwise.
async fn guarded(headers: HeaderMap) -> StatusCode {
    match headers.get("authorization").map(|v| v.as_bytes()) {
        Some(b"Bearer good") => StatusCode::OK,
        _ => StatusCode::UNAUTHORIZED,
    }
}

fn serve(runtime: &tokio::runtime::Runtime) -> String {
    let app = Router::new().route("/", get(guarded));
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    runtime.spawn(async move { axum::serve(listener, app).await.expect("serve") });
    base
}

fn traffic(token: &str, expect: u16) -> Traffic {
    Traffic {
        label: "guarded",
        path: "/",
        credential: Credential::Bearer(Arc::from(vec![token.to_owned()])),
        expect,
    }
}

#[test]
fn counts_each_groups_callers_and_requests() {
    let server = one_thread_runtime();
    let base = serve(&server);
    let results = Generator::new().run(
        &base,
        &[(traffic("good", 200), 2), (traffic("bad", 401), 3)],
        0.2,
    );
    let callers: Vec<usize> = results.iter().map(|r| r.callers).collect();
    assert_eq!(callers, [2, 3]);
    assert!(results.iter().all(|r| r.requests > 0 && r.secs > 0.0));
}

#[test]
#[should_panic(expected = "guarded")]
fn an_unexpected_status_fails_the_run() {
    let server = one_thread_runtime();
    let base = serve(&server);
    let _ = Generator::new().run(&base, &[(traffic("bad", 200), 1)], 0.2);
}
