//! Faults a real Keycloak cannot be made to produce, against an HTTP stub (wiremock) or a raw
//! socket: timeouts, 503 then success, 429 with Retry-After, garbage bodies, connection resets.
//! Also the 401-retry of the middleware and the plain helper. What the logs never contain is
//! checked in `tests/logs.rs`, alone in its binary.

mod support;

#[path = "faults/api.rs"]
mod api;
#[path = "faults/bodies.rs"]
mod bodies;
#[path = "faults/concurrency.rs"]
mod concurrency;
#[path = "faults/interop.rs"]
mod interop;
#[path = "faults/transient.rs"]
mod transient;
#[path = "faults/wire.rs"]
mod wire;

use support::stub::{Numbered, TOKEN_PATH, builder, token_json};

type TestResult = Result<(), Box<dyn std::error::Error>>;
