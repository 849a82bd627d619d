//! aps-core's public API, exercised from outside the crate (no network).

#[path = "api/examples.rs"]
mod examples;
#[path = "api/files.rs"]
mod files;
#[path = "api/positions.rs"]
mod positions;
#[path = "api/roundtrip.rs"]
mod roundtrip;
#[path = "api/state_roundtrip.rs"]
mod state_roundtrip;

/// Reads a file of `testdata/`.
fn testdata(name: &str) -> String {
    let path = format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}
