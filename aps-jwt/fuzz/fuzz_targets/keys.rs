//! PEM and DER key parsing (private, public, X.509): typed errors, never a panic.
#![no_main]

use aps_jwt::{SigningKey, VerifyingKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = SigningKey::from_der(data);
    let _ = VerifyingKey::from_der(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = SigningKey::from_pem(text);
        let _ = VerifyingKey::from_pem(text);
    }
});
