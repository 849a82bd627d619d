//! Shared helpers for aps-jwt's test binaries.
#![allow(dead_code)]

use std::path::PathBuf;

/// Reads a file under `testdata/`.
pub(crate) fn testdata(path: &str) -> Vec<u8> {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// Reads a text file under `testdata/`.
pub(crate) fn testdata_str(path: &str) -> String {
    String::from_utf8(testdata(path)).expect("utf-8 test data")
}

/// The RSA fixture key.
pub(crate) fn rsa_key() -> aps_jwt::SigningKey {
    aps_jwt::SigningKey::from_pem(&testdata_str("keys/rsa2048.pkcs8.pem")).expect("fixture")
}

/// The P-256 fixture key.
pub(crate) fn ec_key() -> aps_jwt::SigningKey {
    aps_jwt::SigningKey::from_pem(&testdata_str("keys/p256.pkcs8.pem")).expect("fixture")
}
